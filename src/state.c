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

size_t
state_format(const struct state *s, char *buf, size_t cap)
{
	int n, m;

	n = snprintf(buf, cap,
	    "%s %d\n"
	    "input %d %ju %ju %jd %zu %016" PRIx64 "\n"
	    "flush %jd\n"
	    "stamp %d %d %d %d %d %d %d\n"
	    "output %d %ju %ju %jd\n",
	    STATE_MAGIC, STATE_VERSION, s->have_input, (uintmax_t)s->in.dev,
	    (uintmax_t)s->in.ino, (intmax_t)s->pos, s->in.hash_len, s->in.hash,
	    (intmax_t)s->flush_at, s->have_stamp, s->stamp.year, s->stamp.mon,
	    s->stamp.mday, s->stamp.hour, s->stamp.min, s->stamp.sec,
	    s->have_out, (uintmax_t)s->out_dev, (uintmax_t)s->out_ino,
	    (intmax_t)s->out_size);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	m = snprintf(buf + n, cap - (size_t)n,
	    "skip %jd\n"
	    "options %d %016" PRIx64 "\n",
	    (intmax_t)s->out_skip, s->have_options, s->options);
	if (m < 0 || (size_t)m >= cap - (size_t)n)
		return 0;
	n += m;
	if (s->have_prev) {
		m = snprintf(buf + n, cap - (size_t)n,
		    "prev %ju %ju %zu %016" PRIx64 "\n", (uintmax_t)s->prev.dev,
		    (uintmax_t)s->prev.ino, s->prev.hash_len, s->prev.hash);
		if (m < 0 || (size_t)m >= cap - (size_t)n)
			return 0;
		n += m;
	}
	if (s->have_seen) {
		m = snprintf(buf + n, cap - (size_t)n, "seen %zu\n", s->n_seen);
		if (m < 0 || (size_t)m >= cap - (size_t)n)
			return 0;
		n += m;
	}
	for (size_t i = 0; s->have_seen && i < s->n_seen; i++) {
		const struct state_file *x = &s->seen[i];

		m = snprintf(buf + n, cap - (size_t)n,
		    "file %ju %ju %zu %016" PRIx64 "\n", (uintmax_t)x->dev,
		    (uintmax_t)x->ino, x->hash_len, x->hash);
		if (m < 0 || (size_t)m >= cap - (size_t)n)
			return 0;
		n += m;
	}
	if (s->have_wall) {
		m = snprintf(buf + n, cap - (size_t)n, "wall %jd\n",
		    (intmax_t)s->wall);
		if (m < 0 || (size_t)m >= cap - (size_t)n)
			return 0;
		n += m;
	}
	m = snprintf(buf + n, cap - (size_t)n, "sum %016" PRIx64 "\n",
	    state_hash(buf, (size_t)n));
	if (m < 0 || (size_t)m >= cap - (size_t)n)
		return 0;
	return (size_t)n + (size_t)m;
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

enum state_status
state_parse(const char *p, size_t n, struct state *s)
{
	const char *end = p + n, *q = p, *sum_at, *at;
	char line[256];
	uintmax_t dev, ino, odev, oino, pdev, pino;
	intmax_t pos, flush, osize, oskip = 0, wall;
	uint64_t sum;
	int ver, used = -1;

	memset(s, 0, sizeof(*s));
	s->flush_at = -1;
	/* The magic first: anything else is not ours to judge further. */
	if (n < sizeof(STATE_MAGIC) ||
	    memcmp(p, STATE_MAGIC " ", sizeof(STATE_MAGIC)) != 0)
		return STATE_FOREIGN;
	if (!next_line(&q, end, line, sizeof(line)))
		return STATE_TORN;
	/*
	 * sscanf(3) cannot tell a number out of range (cert-err34-c); here
	 * that is harmless: glibc stores it clamped, and each value is
	 * checked after, against its version, checksum or range.
	 * NOLINTBEGIN(cert-err34-c)
	 */
	if (sscanf(line, STATE_MAGIC " %d%n", &ver, &used) != 1 ||
	    line[used] != '\0')
		return STATE_TORN;
	if (ver < 1 || ver > STATE_VERSION)
		return STATE_FOREIGN;
	/* The checksum line covers every byte before it. */
	if (n < 2 || end[-1] != '\n')
		return STATE_TORN;
	sum_at = end - 1;
	while (sum_at > p && sum_at[-1] != '\n')
		sum_at--;
	/* sscanf(3) needs a string: the line is copied out, never read in
	 * place, where nothing ends the bytes. */
	used = -1;
	at = sum_at;
	if (!next_line(&at, end, line, sizeof(line)) ||
	    sscanf(line, "sum %16" SCNx64 "%n", &sum, &used) != 1 ||
	    line[used] != '\0' || sum != state_hash(p, (size_t)(sum_at - p)))
		return STATE_TORN;

	used = -1;
	if (!next_line(&q, end, line, sizeof(line)) ||
	    sscanf(line, "input %d %ju %ju %jd %zu %16" SCNx64 "%n",
	        &s->have_input, &dev, &ino, &pos, &s->in.hash_len, &s->in.hash,
	        &used) != 6 ||
	    line[used] != '\0')
		goto torn;
	used = -1;
	if (!next_line(&q, end, line, sizeof(line)) ||
	    sscanf(line, "flush %jd%n", &flush, &used) != 1 ||
	    line[used] != '\0')
		goto torn;
	used = -1;
	if (!next_line(&q, end, line, sizeof(line)) ||
	    sscanf(line, "stamp %d %d %d %d %d %d %d%n", &s->have_stamp,
	        &s->stamp.year, &s->stamp.mon, &s->stamp.mday, &s->stamp.hour,
	        &s->stamp.min, &s->stamp.sec, &used) != 7 ||
	    line[used] != '\0')
		goto torn;
	used = -1;
	if (!next_line(&q, end, line, sizeof(line)) ||
	    sscanf(line, "output %d %ju %ju %jd%n", &s->have_out, &odev, &oino,
	        &osize, &used) != 4 ||
	    line[used] != '\0')
		goto torn;
	used = -1;
	if (ver >= 2 &&
	    (!next_line(&q, end, line, sizeof(line)) ||
	        sscanf(line, "skip %jd%n", &oskip, &used) != 1 ||
	        line[used] != '\0'))
		goto torn;
	used = -1;
	if (ver >= 2 &&
	    (!next_line(&q, end, line, sizeof(line)) ||
	        sscanf(line, "options %d %16" SCNx64 "%n", &s->have_options,
	            &s->options, &used) != 2 ||
	        line[used] != '\0'))
		goto torn;
	/* The input's predecessor (version 2): a line of its own, absent if
	 * none. */
	used = -1;
	if (ver >= 2 && sum_at - q > 5 && memcmp(q, "prev ", 5) == 0) {
		if (!next_line(&q, end, line, sizeof(line)) ||
		    sscanf(line, "prev %ju %ju %zu %16" SCNx64 "%n", &pdev,
		        &pino, &s->prev.hash_len, &s->prev.hash, &used) != 4 ||
		    line[used] != '\0' || s->prev.hash_len > STATE_HASH_SPAN)
			goto torn;
		s->have_prev = 1;
		s->prev.dev = (dev_t)pdev;
		s->prev.ino = (ino_t)pino;
	}
	/* The files seen (version 3): absent if not known. */
	used = -1;
	if (ver >= 3 && sum_at - q > 5 && memcmp(q, "seen ", 5) == 0) {
		if (!next_line(&q, end, line, sizeof(line)) ||
		    sscanf(line, "seen %zu%n", &s->n_seen, &used) != 1 ||
		    line[used] != '\0' || s->n_seen > STATE_SEEN_MAX)
			goto torn;
		s->have_seen = 1;
	}
	for (size_t i = 0; s->have_seen && i < s->n_seen; i++) {
		struct state_file *x = &s->seen[i];

		used = -1;
		if (!next_line(&q, end, line, sizeof(line)) ||
		    sscanf(line, "file %ju %ju %zu %16" SCNx64 "%n", &pdev,
		        &pino, &x->hash_len, &x->hash, &used) != 4 ||
		    line[used] != '\0' || x->hash_len > STATE_HASH_SPAN)
			goto torn;
		x->dev = (dev_t)pdev;
		x->ino = (ino_t)pino;
	}
	/* The wall time lateness is judged by (version 3): absent in a state
	 * of a version that marked nothing. */
	used = -1;
	if (ver >= 3 && sum_at - q > 5 && memcmp(q, "wall ", 5) == 0) {
		if (!next_line(&q, end, line, sizeof(line)) ||
		    sscanf(line, "wall %jd%n", &wall, &used) != 1 ||
		    line[used] != '\0' || wall < 0)
			goto torn;
		s->have_wall = 1;
		s->wall = (int64_t)wall;
	}
	/* NOLINTEND(cert-err34-c) */
	if (q != sum_at)
		goto torn;
	if (oskip < 0 || (s->have_options & ~1) != 0)
		goto torn;
	if (pos < 0 || osize < 0 || flush < -1 ||
	    s->in.hash_len > STATE_HASH_SPAN || (off_t)s->in.hash_len > pos ||
	    (s->have_input & ~1) != 0 || (s->have_out & ~1) != 0 ||
	    (s->have_stamp & ~1) != 0)
		goto torn;
	if (s->have_stamp && !stamp_valid(&s->stamp))
		goto torn;
	s->in.dev = (dev_t)dev;
	s->in.ino = (ino_t)ino;
	s->pos = (off_t)pos;
	s->flush_at = (off_t)flush;
	s->out_dev = (dev_t)odev;
	s->out_ino = (ino_t)oino;
	s->out_size = (off_t)osize;
	s->out_skip = (off_t)oskip;
	return STATE_OK;
torn:
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
