/*
 * rotation: as OpenBSD's tail -F, the path is the truth and the descriptor
 * a view of it that may go stale: a rename leaves the descriptor on the
 * old file (finished before we leave it), a truncation leaves it on a
 * shorter (or rewritten) file. inotify only wakes us; every decision
 * comes from fstat(2)/stat(2) of what is there, so a lost or overflowed
 * event costs at most one stat tick.
 */
#include "rotation.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum rotation_action
rotation_decide(const struct rotation_obs *o)
{
	if (!o->have_fd)
		return o->path_exists ? ROTATION_OPEN : ROTATION_IDLE;
	/* Shorter than what we read, or other bytes where we read: the
	 * file was truncated (copytruncate), perhaps regrown past us
	 * (C25). */
	if (o->fd_size < o->read_off || o->tail_changed)
		return ROTATION_TRUNCATED;
	/* Whatever the path names now, what was written to our file
	 * before the switch is read first (C19). */
	if (o->fd_size > o->read_off)
		return ROTATION_READ;
	if (o->path_exists && o->path_same)
		return ROTATION_IDLE;
	/* Renamed or deleted, nothing new yet: a deleted file may still be
	 * written to by whoever holds it open, so it is left only for a newer
	 * rotated file (two rotations before the path is made again; C19). */
	if (!o->path_exists)
		return o->newer_exists && o->still_for >= o->grace
		    ? ROTATION_SWITCH
		    : ROTATION_DRAIN;
	return o->still_for >= o->grace ? ROTATION_SWITCH : ROTATION_DRAIN;
}

enum rotation_start
rotation_start_decide(const struct rotation_start_obs *o)
{
	if (o->have_state)
		return ROTATION_START_PICK;
	if (!o->path_exists)
		return ROTATION_START_WAIT;
	return o->from_start ? ROTATION_START_BEGIN : ROTATION_START_END;
}

static const char *const compressed_ext[] = {".gz", ".bz2", ".xz", ".zst",
    ".lz4", ".lzma", ".lz", ".Z", ".zip", ".br", ".7z"};

int
rotation_rotated_name(const char *base, const char *name,
    struct rotation_name *n)
{
	size_t blen = strlen(base), digits = 0;
	const char *p, *q;

	if (strncmp(name, base, blen) != 0)
		return 0;
	p = name + blen;
	if ((*p != '.' && *p != '-' && *p != '_') || p[1] < '0' || p[1] > '9')
		return 0;
	memset(n, 0, sizeof(*n));
	/* Digits, and single separators between them (2026-11-26). */
	for (q = p + 1; *q != '\0'; q++) {
		if (*q >= '0' && *q <= '9') {
			if (digits + 1 >= sizeof(n->date))
				return 0;
			n->date[digits++] = *q;
			n->num = n->num * 10 + (uint64_t)(*q - '0');
		} else if ((*q == '-' || *q == '_' || *q == '.') &&
		    q[1] >= '0' && q[1] <= '9') {
			n->dated = 1;
		} else {
			break;
		}
	}
	n->date[digits] = '\0';
	if (digits >= 8)
		n->dated = 1;
	if (*q == '\0')
		return 1;
	for (size_t i = 0;
	     i < sizeof(compressed_ext) / sizeof(compressed_ext[0]); i++)
		if (strcmp(q, compressed_ext[i]) == 0) {
			n->compressed = 1;
			return 1;
		}
	return 0;
}

int
rotation_name_cmp(const struct rotation_name *a, const struct rotation_name *b)
{
	size_t la, lb;
	int c;

	if (a->dated != b->dated)
		return a->dated ? -1 : 1;
	if (!a->dated)
		return a->num > b->num ? -1 : a->num < b->num ? 1 : 0;
	la = strlen(a->date);
	lb = strlen(b->date);
	if (la != lb)
		return la < lb ? -1 : 1;
	c = strcmp(a->date, b->date);
	return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/* Oldest first; the path after every rotated file; of two of the same
 * age, the compressed one first. */
static int
file_cmp(const void *pa, const void *pb)
{
	const struct rotation_file *a = pa, *b = pb;
	int c;

	if (a->is_path != b->is_path)
		return a->is_path ? 1 : -1;
	c = rotation_name_cmp(&a->age, &b->age);
	if (c != 0)
		return c;
	return b->age.compressed - a->age.compressed;
}

size_t
rotation_order(struct rotation_file *v, size_t n)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), file_cmp);
	for (i = 0; i < n; i++) {
		/* Being compressed: the twin still holds every byte (C19). */
		if (v[i].age.compressed && !v[i].is_path && i + 1 < n &&
		    !v[i + 1].is_path && !v[i + 1].age.compressed &&
		    rotation_name_cmp(&v[i].age, &v[i + 1].age) == 0)
			continue;
		if (k != i)
			v[k] = v[i];
		k++;
	}
	return k;
}

/* The oldest readable file made since the commit, named older than
 * file below and not the saved one: a copy (rotation.h), or -1. */
static long
oldest_copy(const struct rotation_file *v, long below, long saved)
{
	for (long i = 0; i < below; i++)
		if (v[i].made_since && !v[i].age.compressed && i != saved)
			return i;
	return -1;
}

/* The saved file: the one with its identity and its bytes, else the
 * newest with its bytes (*content 1), else -1 (C20). */
static long
find_saved(const struct rotation_file *v, size_t n, int *content)
{
	long i;

	for (i = (long)n - 1; i >= 0; i--)
		if (v[i].is_saved && v[i].fits && !v[i].age.compressed)
			return i;
	for (i = (long)n - 1; i >= 0; i--)
		if (v[i].fits && !v[i].age.compressed) {
			*content = 1;
			return i;
		}
	return -1;
}

/* At offset 0, the saved file found by its identity: the copies made
 * since the commit come first (C22): the files it had not seen, or, if
 * it does not say, those newer than the file read before. */
static void
pick_at_zero(const struct rotation_file *v, long saved, int seen_known,
    struct rotation_pick *p)
{
	long ref = -1, i, k;

	if (seen_known) {
		i = oldest_copy(v, saved, saved);
		i = i < 0 ? saved : i;
		for (k = i;
		     k > 0 && v[k - 1].made_since && v[k - 1].age.compressed;
		     k--)
			;
	} else {
		for (i = 0; i < saved; i++)
			if (v[i].is_prev)
				ref = i;
		for (i = ref + 1; i < saved; i++)
			if (!v[i].age.compressed)
				break;
		k = ref + 1;
	}
	/* Compressed ones among them are passed over: told (C23). */
	p->skip_from = k;
	p->skip_to = i;
	p->at = i;
	p->resume = 1;
	p->content = i < saved;
}

/* The saved file done, or found nowhere: the next file to read from 0
 * (C19, C21, C23). */
static void
pick_next(const struct rotation_file *v, size_t n, long saved, int done,
    int seen_known, struct rotation_pick *p)
{
	long ref, i;

	p->content = 0;
	p->lost = saved < 0 && !done;
	/* Files are read oldest first, so the file read before the saved
	 * one, and all older, were read: the next is newer than both. The
	 * file read before may have the newer name: the saved one is then a
	 * copy named as older (copytruncate's copy, made by hand). */
	ref = saved;
	for (i = 0; i < (long)n; i++)
		if (v[i].is_prev && i > ref)
			ref = i;
	/* ... but a copy made since that is named older still holds newer
	 * bytes: it comes first, and after it the files newer than ref
	 * (C21). */
	if (seen_known && (i = oldest_copy(v, ref, saved)) >= 0) {
		p->at = i;
		p->prev_at = ref;
		p->skip_from = p->skip_to = i;
		return;
	}
	p->at = -1;
	for (i = ref + 1; i < (long)n; i++)
		if (!v[i].age.compressed) {
			p->at = i;
			break;
		}
	p->prev_at = p->at >= 0 ? p->at - 1 : -1;
	p->skip_from = ref + 1;
	p->skip_to = p->at >= 0 ? p->at : (long)n;
}

void
rotation_pick(const struct rotation_file *v, size_t n, int done, int unproven,
    int seen_known, struct rotation_pick *p)
{
	long saved;

	memset(p, 0, sizeof(*p));
	p->prev_at = -1;
	saved = find_saved(v, n, &p->content);
	if (saved >= 0 && !done && unproven && !p->content) {
		pick_at_zero(v, saved, seen_known, p);
		return;
	}
	if (saved >= 0 && !done) {
		p->at = saved;
		p->resume = 1;
		p->skip_from = p->skip_to = saved;
		return;
	}
	pick_next(v, n, saved, done, seen_known, p);
}

long
rotation_since(const struct rotation_file *v, size_t n,
    const struct timespec *t)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i].age.compressed &&
		    (v[i].mtime.tv_sec > t->tv_sec ||
		        (v[i].mtime.tv_sec == t->tv_sec &&
		            v[i].mtime.tv_nsec >= t->tv_nsec)))
			return (long)i;
	return -1;
}

int
rotation_dirname(const char *path, char *buf, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL) {
		if (cap < 2)
			return -1;
		memcpy(buf, ".", 2);
		return 0;
	}
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= cap)
		return -1;
	memcpy(buf, path, len);
	buf[len] = '\0';
	return 0;
}

int
rotation_find(const char *dir, dev_t dev, ino_t ino, char *buf, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat sb;
	int found = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_ino != ino && de->d_ino != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISREG(sb.st_mode) || sb.st_dev != dev ||
		    sb.st_ino != ino)
			continue;
		if (snprintf(buf, cap, "%s/%s", dir, de->d_name) < (int)cap) {
			found = 1;
			break;
		}
	}
	closedir(d);
	return found;
}

/* One read of the directory, as rotation_scan() lists it. */
static int
read_dir(const char *dir, const char *path, int link_ok,
    struct rotation_file *v, size_t cap)
{
	const char *base = strrchr(path, '/');
	struct rotation_name age;
	struct dirent *de;
	struct stat sb;
	size_t n = 0, i, oldest;
	DIR *d;

	base = base != NULL ? base + 1 : path;
	if (cap == 0 || (d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!rotation_rotated_name(base, de->d_name, &age) ||
		    strlen(de->d_name) >= sizeof(v->name))
			continue;
		/* A link planted as a rotated name is never followed (C24). */
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) <
		        0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		i = n;
		if (n == cap - 1) {
			/* Full (one place kept for the path): the newest
			 * stay (C24). */
			oldest = 0;
			for (i = 1; i < n; i++)
				if (rotation_name_cmp(&v[i].age,
				        &v[oldest].age) < 0)
					oldest = i;
			if (rotation_name_cmp(&age, &v[oldest].age) <= 0)
				continue;
			i = oldest;
		} else {
			n++;
		}
		memset(&v[i], 0, sizeof(v[i]));
		memcpy(v[i].name, de->d_name, strlen(de->d_name) + 1);
		v[i].age = age;
		v[i].dev = sb.st_dev;
		v[i].ino = sb.st_ino;
		v[i].size = sb.st_size;
		v[i].mtime = sb.st_mtim;
	}
	closedir(d);
	if ((link_ok ? stat(path, &sb) : lstat(path, &sb)) == 0 &&
	    S_ISREG(sb.st_mode) && strlen(base) < sizeof(v->name)) {
		memset(&v[n], 0, sizeof(v[n]));
		memcpy(v[n].name, base, strlen(base) + 1);
		v[n].is_path = 1;
		v[n].dev = sb.st_dev;
		v[n].ino = sb.st_ino;
		v[n].size = sb.st_size;
		v[n].mtime = sb.st_mtim;
		n++;
	}
	return (int)rotation_order(v, n);
}

/* 1 if two reads list the same names of the same files (a file may have
 * grown between them). */
static int
same_listing(const struct rotation_file *a, int na,
    const struct rotation_file *b, int nb)
{
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) != 0 || a[i].dev != b[i].dev ||
		    a[i].ino != b[i].ino)
			return 0;
	return 1;
}

int
rotation_scan(const char *dir, const char *path, int link_ok,
    struct rotation_file *v, size_t cap)
{
	struct rotation_file *again;
	int n, m, agree = 0;

	/* A read while a rotation renames names may miss a file, or list
	 * one twice: two reads in a row that agree are taken as the
	 * directory (C29). */
	if ((n = read_dir(dir, path, link_ok, v, cap)) < 0)
		return -1;
	if ((again = calloc(cap, sizeof(*again))) == NULL)
		return -1;
	for (int k = 1; k < ROTATION_SCAN_READS && !agree; k++) {
		if ((m = read_dir(dir, path, link_ok, again, cap)) < 0) {
			free(again);
			return -1;
		}
		agree = same_listing(v, n, again, m);
		memcpy(v, again, (size_t)m * sizeof(*v));
		n = m;
	}
	free(again);
	return n;
}

void
rotation_list_names(const struct rotation_file *v, long from, long to,
    char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (long i = from; i < to && len < cap; i++) {
		int k = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "",
		    v[i].name);

		if (k < 0)
			break;
		len += (size_t)k;
	}
}

/* Appends to the text in buf (cap bytes); a text too long is cut. */
static void __attribute__((format(printf, 3, 4)))
append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

const char *
rotation_start_text(enum rotation_start d)
{
	switch (d) {
	case ROTATION_START_WAIT:
		return "missing, waiting for it";
	case ROTATION_START_END:
		return "no state, starting at its end";
	case ROTATION_START_BEGIN:
		return "starting at its beginning";
	case ROTATION_START_PICK:
		return "resuming at the saved position";
	}
	return "";
}

int
rotation_pick_text(const struct rotation_file *v, const struct rotation_pick *p,
    const char *path, const char *dir, off_t pos, char *msg, size_t cap)
{
	const struct rotation_file *x = p->at >= 0 ? &v[p->at] : NULL;
	char names[512];

	rotation_list_names(v, p->skip_from, p->skip_to, names, sizeof(names));
	msg[0] = '\0';
	if (x != NULL && p->resume && x->is_path)
		append(msg, cap, "resuming at the saved position%s",
		    p->content ? ", in the same bytes under another device or"
		                 " inode"
		               : "");
	else if (x != NULL && p->resume)
		append(msg, cap,
		    "rotated while stopped, finishing %s from the saved"
		    " position first%s",
		    x->name, p->content ? " (found by its bytes)" : "");
	else
		append(msg, cap,
		    "%s: the saved position (offset %jd) is in no file of %s"
		    " any more (deleted, compressed, rewritten or moved away):"
		    " what followed it in that file is not read here; %s%s",
		    path, (intmax_t)pos, dir,
		    x != NULL ? "reading from the start of " : "waiting for ",
		    x != NULL ? x->name : "the file");
	if (names[0] != '\0')
		append(msg, cap, "; not read, compressed: %s", names);
	return p->lost || names[0] != '\0';
}
