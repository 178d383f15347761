/*
 * state: a few lines of text, the first naming the format and its
 * version, the last a checksum of all before it. A file cut short by a
 * crash, damaged, or written by something else is rejected as a whole,
 * never half believed. The file is only ever replaced by rename(2), so a
 * reader sees the old state or the new one.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC "kerio2syslog-state"
/* Version 2 adds the lines skip, options and (optional) prev; version 3
 * the files seen (optional: seen N, then N lines file) and the wall time
 * lateness is judged by (optional: wall); files of versions 1 and 2,
 * which have less, are read. */
#define STATE_VERSION 3
#define STATE_MAX 8192

uint64_t
state_hash_more(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	if (h == 0)
		h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t
state_hash(const void *p, size_t n)
{
	return state_hash_more(0, p, n);
}

int
state_hash_fd(int fd, off_t pos, uint64_t *hash, size_t *len)
{
	/* Zeroed for cppcheck, which does not see pread(2) fill it. */
	char buf[STATE_HASH_SPAN] = {0};
	size_t want = pos < STATE_HASH_SPAN ? (size_t)pos : STATE_HASH_SPAN;
	size_t got = 0;

	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got,
		    pos - (off_t)want + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		got += (size_t)n;
	}
	*hash = state_hash(buf, want);
	*len = want;
	return 0;
}

/*
 * The lines of the file, after the first: each a key and its fields, in
 * this order. A key added by a version is read only in files of that
 * version or later; an optional one is written only when there is
 * something to say (its flag), and read when its line is there. One
 * table for state_format and state_parse: a field is written and read in
 * one place, as the kind it is.
 */
enum kind {
	KIND_FLAG,  /* int, 0 or 1 */
	KIND_INT,   /* int */
	KIND_DEV,   /* dev_t */
	KIND_INO,   /* ino_t */
	KIND_POS,   /* off_t, not negative */
	KIND_FLUSH, /* off_t, -1 or more */
	KIND_SPAN,  /* size_t, a count of bytes hashed: <= STATE_HASH_SPAN */
	KIND_COUNT, /* size_t, a count of files seen: <= STATE_SEEN_MAX */
	KIND_HASH,  /* uint64_t, 16 hex digits */
	KIND_MS,    /* int64_t, not negative */
};

struct field {
	enum kind kind;
	size_t off; /* in the line's struct */
};

#define AT(m) offsetof(struct state, m)
#define AT_FILE(m) offsetof(struct state_file, m)
#define FIELDS(v) (v), sizeof(v) / sizeof((v)[0])

static const struct field input_fields[] = {{KIND_FLAG, AT(have_input)},
    {KIND_DEV, AT(in.dev)}, {KIND_INO, AT(in.ino)}, {KIND_POS, AT(pos)},
    {KIND_SPAN, AT(in.hash_len)}, {KIND_HASH, AT(in.hash)}};
static const struct field flush_fields[] = {{KIND_FLUSH, AT(flush_at)}};
static const struct field stamp_fields[] = {{KIND_FLAG, AT(have_stamp)},
    {KIND_INT, AT(stamp.year)}, {KIND_INT, AT(stamp.mon)},
    {KIND_INT, AT(stamp.mday)}, {KIND_INT, AT(stamp.hour)},
    {KIND_INT, AT(stamp.min)}, {KIND_INT, AT(stamp.sec)}};
static const struct field output_fields[] = {{KIND_FLAG, AT(have_out)},
    {KIND_DEV, AT(out_dev)}, {KIND_INO, AT(out_ino)}, {KIND_POS, AT(out_size)}};
static const struct field skip_fields[] = {{KIND_POS, AT(out_skip)}};
static const struct field options_fields[] = {{KIND_FLAG, AT(have_options)},
    {KIND_HASH, AT(options)}};
static const struct field file_fields[] = {{KIND_DEV, AT_FILE(dev)},
    {KIND_INO, AT_FILE(ino)}, {KIND_SPAN, AT_FILE(hash_len)},
    {KIND_HASH, AT_FILE(hash)}};
static const struct field seen_fields[] = {{KIND_COUNT, AT(n_seen)}};
static const struct field wall_fields[] = {{KIND_MS, AT(wall)}};

struct key {
	const char *name;
	int since; /* the version that added it */
	const struct field *fields;
	size_t n_fields;
	int optional; /* there when the int at have is 1 */
	size_t have;
	int per_seen; /* one line for each file seen, of seen[i] */
	size_t base;  /* of the line's struct in struct state */
	/* What the fields of a line say together, or NULL. */
	int (*check)(const struct state *s);
};

static int check_input(const struct state *);
static int check_stamp(const struct state *);

static const struct key keys[] = {
    {.name = "input", .since = 1, FIELDS(input_fields), .check = check_input},
    {.name = "flush", .since = 1, FIELDS(flush_fields)},
    {.name = "stamp", .since = 1, FIELDS(stamp_fields), .check = check_stamp},
    {.name = "output", .since = 1, FIELDS(output_fields)},
    {.name = "skip", .since = 2, FIELDS(skip_fields)},
    {.name = "options", .since = 2, FIELDS(options_fields)},
    {.name = "prev",
        .since = 2,
        FIELDS(file_fields),
        .optional = 1,
        .have = AT(have_prev),
        .base = AT(prev)},
    {.name = "seen",
        .since = 3,
        FIELDS(seen_fields),
        .optional = 1,
        .have = AT(have_seen)},
    {.name = "file",
        .since = 3,
        FIELDS(file_fields),
        .per_seen = 1,
        .base = AT(seen)},
    {.name = "wall",
        .since = 3,
        FIELDS(wall_fields),
        .optional = 1,
        .have = AT(have_wall)},
};

static int
check_input(const struct state *s)
{
	return (off_t)s->in.hash_len > s->pos ? -1 : 0;
}

static int
check_stamp(const struct state *s)
{
	return s->have_stamp && !stamp_valid(&s->stamp) ? -1 : 0;
}

/* How many lines of key k s has: those of a state of version 3. */
static size_t
lines_of(const struct key *k, const struct state *s)
{
	if (k->per_seen)
		return s->have_seen ? s->n_seen : 0;
	if (k->optional)
		return *(const int *)(const void *)((const char *)s + k->have);
	return 1;
}

/* The struct of the ith line of key k in s. */
static void *
line_base(const struct key *k, const struct state *s, size_t i)
{
	return (char *)s + k->base + i * sizeof(struct state_file);
}

/* The text built by state_format: full once something did not fit. */
struct text {
	char *buf;
	size_t cap, len;
	int full;
};

static void __attribute__((format(printf, 2, 3)))
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int m;

	if (t->full)
		return;
	va_start(ap, fmt);
	m = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= t->cap - t->len)
		t->full = 1;
	else
		t->len += (size_t)m;
}

/* put() of a plain string, without a format to interpret. */
static void
put_str(struct text *t, const char *s, size_t n)
{
	if (t->full || n >= t->cap - t->len) {
		t->full = 1;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

static void
put_field(struct text *t, const struct field *f, const void *base)
{
	const void *at = (const char *)base + f->off;

	switch (f->kind) {
	case KIND_FLAG:
	case KIND_INT:
		put(t, " %d", *(const int *)at);
		break;
	case KIND_DEV:
		put(t, " %ju", (uintmax_t)(*(const dev_t *)at));
		break;
	case KIND_INO:
		put(t, " %ju", (uintmax_t)(*(const ino_t *)at));
		break;
	case KIND_POS:
	case KIND_FLUSH:
		put(t, " %jd", (intmax_t)(*(const off_t *)at));
		break;
	case KIND_SPAN:
	case KIND_COUNT:
		put(t, " %zu", *(const size_t *)at);
		break;
	case KIND_HASH:
		put(t, " %016" PRIx64, *(const uint64_t *)at);
		break;
	case KIND_MS:
		put(t, " %jd", (intmax_t)(*(const int64_t *)at));
		break;
	}
}

size_t
state_format(const struct state *s, char *buf, size_t cap)
{
	struct text t = {buf, cap, 0, 0};

	put(&t, "%s %d\n", STATE_MAGIC, STATE_VERSION);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (size_t i = 0; i < lines_of(&keys[k], s); i++) {
			put_str(&t, keys[k].name, strlen(keys[k].name));
			for (size_t j = 0; j < keys[k].n_fields; j++)
				put_field(&t, &keys[k].fields[j],
				    line_base(&keys[k], s, i));
			put_str(&t, "\n", 1);
		}
	put(&t, "sum %016" PRIx64 "\n", state_hash(buf, t.len));
	return t.full ? 0 : t.len;
}

/* Copies the line at *p (without its LF) into line; 0 if there is none. */
static int
next_line(const char **p, const char *end, char *line, size_t cap)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t len;

	if (nl == NULL)
		return 0;
	len = (size_t)(nl - *p);
	if (len >= cap)
		return 0;
	memcpy(line, *p, len);
	line[len] = '\0';
	*p = nl + 1;
	return 1;
}

/*
 * Reads field f at *p into base, moving *p past it; -1 if it is not
 * there, or out of its kind's range. sscanf(3) cannot tell a number out
 * of range (cert-err34-c); here that is harmless: glibc stores it
 * clamped, and each value is checked after, against its version,
 * checksum or range.
 * NOLINTBEGIN(cert-err34-c)
 */
static int
read_field(const char **p, const struct field *f, void *base)
{
	void *at = (char *)base + f->off;
	uintmax_t u = 0;
	intmax_t j = 0;
	int d = 0, used = -1, ok;

	switch (f->kind) {
	case KIND_FLAG:
	case KIND_INT:
		ok = sscanf(*p, " %d%n", &d, &used) == 1 &&
		    (f->kind == KIND_INT || (d & ~1) == 0);
		*(int *)at = d;
		break;
	case KIND_DEV:
	case KIND_INO:
		ok = sscanf(*p, " %ju%n", &u, &used) == 1;
		if (f->kind == KIND_DEV)
			*(dev_t *)at = (dev_t)u;
		else
			*(ino_t *)at = (ino_t)u;
		break;
	case KIND_POS:
	case KIND_FLUSH:
	case KIND_MS:
		ok = sscanf(*p, " %jd%n", &j, &used) == 1 &&
		    j >= (f->kind == KIND_FLUSH ? -1 : 0);
		if (f->kind == KIND_MS)
			*(int64_t *)at = (int64_t)j;
		else
			*(off_t *)at = (off_t)j;
		break;
	case KIND_SPAN:
	case KIND_COUNT:
		ok = sscanf(*p, " %zu%n", (size_t *)at, &used) == 1 &&
		    *(size_t *)at <= (f->kind == KIND_SPAN ? STATE_HASH_SPAN
		                                           : STATE_SEEN_MAX);
		break;
	case KIND_HASH:
		ok = sscanf(*p, " %16" SCNx64 "%n", (uint64_t *)at, &used) == 1;
		break;
	default:
		ok = 0;
	}
	if (!ok)
		return -1;
	*p += used;
	return 0;
}
/* NOLINTEND(cert-err34-c) */

/* Reads the ith line of key k at *q into s. -1 if it is not that. */
static int
read_line(const char **q, const char *end, const struct key *k, size_t i,
    struct state *s)
{
	char line[256];
	size_t len = strlen(k->name);
	const char *p = line;

	if (!next_line(q, end, line, sizeof(line)) ||
	    strncmp(line, k->name, len) != 0)
		return -1;
	p += len;
	for (size_t j = 0; j < k->n_fields; j++)
		if (read_field(&p, &k->fields[j], line_base(k, s, i)) < 0)
			return -1;
	return *p == '\0' ? 0 : -1;
}

/* The lines of a file of version ver, from q up to its checksum line at
 * end, into s: 0, or -1 if they are not all there, or not only them. */
static int
read_lines(const char *q, const char *end, int ver, struct state *s)
{
	for (size_t n = 0; n < sizeof(keys) / sizeof(keys[0]); n++) {
		const struct key *k = &keys[n];
		size_t len = strlen(k->name), m;

		if (ver < k->since)
			continue;
		/* An optional line: there if its key starts the next line. */
		if (k->optional &&
		    ((size_t)(end - q) <= len + 1 ||
		        memcmp(q, k->name, len) != 0 || q[len] != ' '))
			continue;
		if (k->optional)
			*(int *)(void *)((char *)s + k->have) = 1;
		m = lines_of(k, s);
		for (size_t i = 0; i < m; i++)
			if (read_line(&q, end, k, i, s) < 0)
				return -1;
		if (k->check != NULL && k->check(s) < 0)
			return -1;
	}
	return q == end ? 0 : -1;
}

/* The first line and the last: *ver, and the checksum line's start in
 * *sum_at, its sum right. */
static enum state_status
read_frame(const char *p, size_t n, int *ver, const char **sum_at)
{
	const char *end = p + n, *q = p, *at;
	char line[256];
	uint64_t sum;
	int used = -1;

	/* The magic first: anything else is not ours to judge further. */
	if (n < sizeof(STATE_MAGIC) ||
	    memcmp(p, STATE_MAGIC " ", sizeof(STATE_MAGIC)) != 0)
		return STATE_FOREIGN;
	if (!next_line(&q, end, line, sizeof(line)))
		return STATE_TORN;
	/* NOLINTBEGIN(cert-err34-c): as read_field */
	if (sscanf(line, STATE_MAGIC " %d%n", ver, &used) != 1 ||
	    line[used] != '\0')
		return STATE_TORN;
	if (*ver < 1 || *ver > STATE_VERSION)
		return STATE_FOREIGN;
	/* The checksum line covers every byte before it. */
	if (n < 2 || end[-1] != '\n')
		return STATE_TORN;
	*sum_at = end - 1;
	while (*sum_at > p && (*sum_at)[-1] != '\n')
		(*sum_at)--;
	/* sscanf(3) needs a string: the line is copied out, never read in
	 * place, where nothing ends the bytes. */
	used = -1;
	at = *sum_at;
	if (!next_line(&at, end, line, sizeof(line)) ||
	    sscanf(line, "sum %16" SCNx64 "%n", &sum, &used) != 1 ||
	    line[used] != '\0' || sum != state_hash(p, (size_t)(*sum_at - p)))
		return STATE_TORN;
	/* NOLINTEND(cert-err34-c) */
	return STATE_OK;
}

enum state_status
state_parse(const char *p, size_t n, struct state *s)
{
	const char *sum_at = NULL, *q;
	enum state_status st;
	int ver = 0;

	memset(s, 0, sizeof(*s));
	s->flush_at = -1;
	st = read_frame(p, n, &ver, &sum_at);
	if (st != STATE_OK)
		return st;
	/* After the first line, which read_frame has checked. */
	q = memchr(p, '\n', n);
	if (read_lines(q + 1, sum_at, ver, s) == 0)
		return STATE_OK;
	memset(s, 0, sizeof(*s));
	s->flush_at = -1;
	return STATE_TORN;
}

static enum state_status load_file(const char *, int, struct state *);

enum state_status
state_load(const char *path, struct state *s)
{
	return load_file(path, 0, s);
}

/* state_load with more open(2) flags (O_NOFOLLOW). */
static enum state_status
load_file(const char *path, int flags, struct state *s)
{
	char buf[STATE_MAX + 1];
	size_t len = 0;
	int fd, e;

	memset(s, 0, sizeof(*s));
	s->flush_at = -1;
	/* O_NONBLOCK: a FIFO in its place reads as empty, never waits. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | flags);
	if (fd < 0)
		return errno == ENOENT ? STATE_ABSENT : STATE_ERROR;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			errno = e;
			return STATE_ERROR;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf))
			break;
	}
	close(fd);
	if (len > STATE_MAX)
		return state_parse(buf, len, s) == STATE_FOREIGN ? STATE_FOREIGN
		                                                 : STATE_TORN;
	return state_parse(buf, len, s);
}

/* The temporary file beside path: one name for saving, marking and
 * loading an unfinished save. */
static int
tmp_name(const char *path, char *buf, size_t cap)
{
	if (snprintf(buf, cap, "%s.tmp", path) >= (int)cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

enum state_status
state_load_unsaved(const char *path, struct state *s)
{
	char tmp[4096];

	memset(s, 0, sizeof(*s));
	s->flush_at = -1;
	if (tmp_name(path, tmp, sizeof(tmp)) < 0)
		return STATE_ERROR;
	/* A link there was planted: not ours, not read. */
	return load_file(tmp, O_NOFOLLOW, s);
}

static int sync_dir(const char *);

int
state_mark(const char *path)
{
	char tmp[4096];
	int fd;

	if (tmp_name(path, tmp, sizeof(tmp)) < 0)
		return -1;
	/* Never truncated here: a whole state in it is worth more than
	 * the mark. A link or a FIFO (ENXIO: no reader) there was planted:
	 * removed, never followed nor waited on, as open_tmp() does. */
	fd = open(tmp,
	    O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
	    0600);
	if (fd < 0 && (errno == ELOOP || errno == ENXIO) && unlink(tmp) == 0)
		fd = open(tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
		        O_NOCTTY,
		    0600);
	if (fd < 0)
		return -1;
	if (close(fd) < 0)
		return -1;
	/* The start is the moment the mark is on disk (commit.c: C26). */
	return sync_dir(path);
}

int
state_mark_time(const char *path, struct timespec *when)
{
	char tmp[4096];
	struct stat sb;

	if (tmp_name(path, tmp, sizeof(tmp)) < 0 ||
	    fstatat(AT_FDCWD, tmp, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	*when = sb.st_mtim;
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync(2) of the directory holding path, so the rename is durable. */
static int
sync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t len;
	int fd, rc;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		len = slash == path ? 1 : (size_t)(slash - path);
		if (len >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	/* Some file systems cannot sync a directory: not an error. */
	if (rc < 0 && (errno == EINVAL || errno == EBADF))
		rc = 0;
	close(fd);
	return rc;
}

/*
 * Opens the temporary file tmp for a save, empty. Under the lock, what is
 * there is a leftover of a crash (the mark of a first start among them)
 * or was planted: a regular file of ours with one name is emptied in
 * place, so that a kill before the new state is in still leaves a mark;
 * anything else (a link, a hard link to another file, not ours) is
 * removed, the link itself and not what it names, and made anew.
 */
static int
open_tmp(const char *tmp)
{
	struct stat sb;
	/* O_NONBLOCK: a FIFO planted there must not hold us. */
	int fd = open(tmp,
	    O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd >= 0) {
		/* Its time stays that of the start it marks (state_mark_time;
		 * commit.c: C27). */
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    sb.st_nlink == 1 && sb.st_uid == geteuid() &&
		    (sb.st_size == 0 || ftruncate(fd, 0) == 0)) {
			const struct timespec t[2] = {{.tv_nsec = UTIME_OMIT},
			    sb.st_mtim};

			if (sb.st_size == 0 || futimens(fd, t) == 0)
				return fd;
		}
		close(fd);
	}
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -1;
	return open(tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
	    0600);
}

int
state_save(const char *path, const struct state *s)
{
	char buf[STATE_MAX], tmp[4096];
	size_t len = state_format(s, buf, sizeof(buf));
	int fd, e;

	if (len == 0) {
		errno = EOVERFLOW;
		return -1;
	}
	if (tmp_name(path, tmp, sizeof(tmp)) < 0)
		return -1;
	fd = open_tmp(tmp);
	if (fd < 0)
		return -1;
	/* On failure the temporary file stays: before a first state it is
	 * the mark of state_mark(), and a later save replaces it. */
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		return -1;
	return sync_dir(path);
}

const char *
state_status_text(enum state_status st)
{
	switch (st) {
	case STATE_OK:
		return "loaded";
	case STATE_ABSENT:
		return "absent";
	case STATE_FOREIGN:
		return "not a kerio2syslog state file (or of another version)";
	case STATE_TORN:
		return "damaged or cut short (checksum or syntax)";
	case STATE_ERROR:
		return "unreadable";
	}
	return "unknown";
}
