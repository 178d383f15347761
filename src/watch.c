/*
 * watch: the input over time (see watch.h). inotify only wakes the loop;
 * every decision comes from fstat(2)/stat(2) of what is there and from
 * the bytes themselves, so a lost or overflowed event costs at most one
 * stat tick. Why the files are read in this order, and why a file is
 * known by its bytes as well as by its identity: the head of commit.c.
 */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct watch {
	const char *path; /* the followed FILE */
	int path_link;    /* the path was a symbolic link at start: followed */
	const struct clock *clock;
	struct notify nt; /* inotify: wakes the loop, nothing more */
	char dir[4096];

	int fd; /* the file read, -1 while there is none */
	dev_t dev;
	ino_t ino;
	char name[4096]; /* its name when opened: the path, or a rotated one */
	/* The file read before it (state.h). */
	int have_prev;
	int prev_sure; /* have_prev says it all: noted here, or a version 2
	                  state (version 1 records no file read before) */
	dev_t prev_dev;
	ino_t prev_ino;
	size_t prev_hash_len;
	uint64_t prev_hash;
	struct rotation_file *files; /* ROTATION_MAX_FILES + 1 */

	off_t seen_size; /* size and mtime when the tail last held */
	struct timespec seen_mtime;
	struct recent tail;  /* the bytes just before the read offset */
	int64_t last_growth; /* when the file last gave bytes */
	int64_t moved_at;    /* when the path stopped naming it (0: not) */
	int rotated;         /* opened under a rotated name, not the path */
	int path_seen;       /* the path named a file at the last look */
	int told_odd;        /* the path names a non-regular file */
};

int
watch_fits(int fd, off_t size, off_t pos, uint64_t h, size_t len)
{
	uint64_t got;
	size_t n;

	return size >= pos && state_hash_fd(fd, pos, &got, &n) == 0 &&
	    got == h && n == len;
}

struct watch *
watch_new(const char *path, int inotify, const struct clock *clock)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct stat sb;

	if (w == NULL)
		return NULL;
	w->files = calloc(ROTATION_MAX_FILES + 1, sizeof(*w->files));
	if (w->files == NULL) {
		free(w);
		return NULL;
	}
	w->path = path;
	w->clock = clock;
	w->fd = -1;
	w->seen_size = -1;
	notify_init(&w->nt);
	/* A link the user gave is followed; one planted later (the path
	 * replaced by a link to another file) is not. */
	w->path_link = lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
	if (rotation_dirname(path, w->dir, sizeof(w->dir)) < 0) {
		watch_free(w);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (inotify)
		notify_open(&w->nt, w->dir);
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	watch_close(w);
	notify_close(&w->nt);
	free(w->files);
	free(w);
}

int
watch_inotify_error(const struct watch *w)
{
	return notify_error(&w->nt);
}

const char *
watch_dir(const struct watch *w)
{
	return w->dir;
}

int
watch_pollfd(const struct watch *w)
{
	return notify_fd(&w->nt);
}

void
watch_drain(struct watch *w)
{
	notify_drain(&w->nt);
}

void
watch_tick(struct watch *w)
{
	notify_tick(&w->nt);
}

int
watch_fd(const struct watch *w)
{
	return w->fd;
}

dev_t
watch_dev(const struct watch *w)
{
	return w->dev;
}

ino_t
watch_ino(const struct watch *w)
{
	return w->ino;
}

const char *
watch_name(const struct watch *w)
{
	return w->name;
}

size_t
watch_scan(struct watch *w)
{
	int n = rotation_scan(w->dir, w->path, w->path_link, w->files,
	    ROTATION_MAX_FILES + 1);

	return n < 0 ? 0 : (size_t)n;
}

const struct rotation_file *
watch_file(const struct watch *w, size_t i)
{
	return &w->files[i];
}

long
watch_path_index(const struct watch *w, size_t n)
{
	return n > 0 && w->files[n - 1].is_path ? (long)n - 1 : -1;
}

/* The name of x in the input's directory (the path for the path). */
static int
file_path(const struct watch *w, const struct rotation_file *x, char *buf,
    size_t cap)
{
	int n = x->is_path ? snprintf(buf, cap, "%s", w->path)
	                   : snprintf(buf, cap, "%s/%s", w->dir, x->name);

	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/*
 * Opens x for reading. A rotated name is never opened through a link
 * (one planted there must not bring another file into the output) and
 * must still be the file seen; nothing but a regular file is read.
 */
static int
open_file(const struct watch *w, const struct rotation_file *x)
{
	char p[4096];
	struct stat sb;
	int fd, flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

	if (file_path(w, x, p, sizeof(p)) < 0)
		return -1;
	fd = open(p, x->is_path && w->path_link ? flags : flags | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (!x->is_path && (sb.st_dev != x->dev || sb.st_ino != x->ino))) {
		/* Not a file to read, or no longer the one seen. */
		int e = S_ISREG(sb.st_mode) ? ESTALE : EINVAL;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* 1 if x holds the bytes before pos that hash to (h, len): the rule. */
static int
bytes_fit(const struct watch *w, const struct rotation_file *x, off_t pos,
    uint64_t h, size_t len)
{
	int fd, ok;

	if (x->size < pos || (fd = open_file(w, x)) < 0)
		return 0;
	ok = watch_fits(fd, x->size, pos, h, len);
	close(fd);
	return ok;
}

void
watch_observe(struct watch *w, size_t n, dev_t dev, ino_t ino, off_t pos,
    uint64_t h, size_t len, int by_content)
{
	for (size_t i = 0; i < n; i++) {
		struct rotation_file *x = &w->files[i];

		x->is_saved = x->dev == dev && x->ino == ino;
		x->fits = 0;
		if (!x->age.compressed &&
		    (x->is_saved || (by_content && len > 0)))
			x->fits = bytes_fit(w, x, pos, h, len);
		x->is_prev = 0;
		if (w->have_prev && w->prev_hash_len == 0)
			x->is_prev =
			    x->dev == w->prev_dev && x->ino == w->prev_ino;
		else if (w->have_prev)
			x->is_prev = bytes_fit(w, x, (off_t)w->prev_hash_len,
			    w->prev_hash, w->prev_hash_len);
	}
}

void
watch_observe_open(struct watch *w, size_t n)
{
	/* Its identity is sure while it is open: at 0 as far as its bytes
	 * go. */
	watch_observe(w, n, w->dev, w->ino, 0, state_hash("", 0), 0, 0);
}

void
watch_pick(const struct watch *w, size_t n, int done, int unproven,
    struct rotation_pick *p)
{
	rotation_pick(w->files, n, done, unproven, p);
}

void
watch_note_prev(struct watch *w, size_t at)
{
	const struct rotation_file *x;
	off_t len;
	int fd;

	w->have_prev = at > 0;
	w->prev_sure = 1;
	if (at == 0)
		return;
	x = &w->files[at - 1];
	w->prev_dev = x->dev;
	w->prev_ino = x->ino;
	w->prev_hash_len = 0;
	len = x->size < STATE_HASH_SPAN ? x->size : STATE_HASH_SPAN;
	if ((fd = open_file(w, x)) >= 0) {
		if (state_hash_fd(fd, len, &w->prev_hash, &w->prev_hash_len) <
		    0)
			w->prev_hash_len = 0;
		close(fd);
	}
}

void
watch_get_prev(const struct watch *w, struct state *s)
{
	s->have_prev = w->have_prev;
	s->prev_dev = w->prev_dev;
	s->prev_ino = w->prev_ino;
	s->prev_hash_len = w->prev_hash_len;
	s->prev_hash = w->prev_hash;
}

void
watch_set_prev(struct watch *w, const struct state *s)
{
	w->have_prev = s->have_prev;
	w->prev_sure = s->have_options;
	w->prev_dev = s->prev_dev;
	w->prev_ino = s->prev_ino;
	w->prev_hash_len = s->prev_hash_len;
	w->prev_hash = s->prev_hash;
}

void
watch_close(struct watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	recent_forget(&w->tail);
	w->seen_size = -1;
}

/* Remembers the bytes before off, for the check that they stay. */
off_t
watch_open(struct watch *w, size_t at, off_t off)
{
	const struct rotation_file *x = &w->files[at];
	char name[sizeof(w->name)];
	struct stat sb;
	int fd;

	if (file_path(w, x, name, sizeof(name)) < 0 ||
	    (fd = open_file(w, x)) < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || (off >= 0 && lseek(fd, off, SEEK_SET) < 0) ||
	    (off < 0 && (off = lseek(fd, 0, SEEK_END)) < 0)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	watch_close(w);
	w->fd = fd;
	w->dev = sb.st_dev;
	w->ino = sb.st_ino;
	memcpy(w->name, name, sizeof(name));
	w->rotated = !x->is_path;
	w->moved_at = 0;
	w->last_growth = clock_now(w->clock);
	recent_load(&w->tail, w->fd, off);
	notify_file(&w->nt, w->name);
	return off;
}

off_t
watch_open_path(struct watch *w, size_t n, off_t off)
{
	long at = watch_path_index(w, n);

	if (at < 0) {
		errno = ENOENT;
		return -1;
	}
	if ((off = watch_open(w, (size_t)at, off)) < 0)
		return -1;
	watch_note_prev(w, (size_t)at);
	return off;
}

long
watch_find_copy_at_zero(struct watch *w, size_t n)
{
	struct rotation_pick p;
	int prev_seen = 0;

	if (!w->prev_sure)
		return -1;
	watch_observe(w, n, w->dev, w->ino, 0, state_hash("", 0), 0, 0);
	for (size_t i = 0; i < n; i++)
		prev_seen |= w->files[i].is_prev;
	/* The file read before gone too: which are copies is not known. */
	if (w->have_prev && !prev_seen)
		return -1;
	rotation_pick(w->files, n, 0, 1, &p);
	return p.at >= 0 && p.content ? p.at : -1;
}

long
watch_find_copy(struct watch *w, size_t n, off_t off)
{
	struct rotation_pick p;

	if (recent_len(&w->tail) == 0)
		return -1;
	watch_observe(w, n, w->dev, w->ino, off, recent_hash(&w->tail),
	    recent_len(&w->tail), 1);
	rotation_pick(w->files, n, 0, 0, &p);
	if (p.at >= 0 && p.resume && !w->files[p.at].is_saved)
		return p.at;
	return -1;
}

int
watch_switch(struct watch *w, size_t at, off_t off)
{
	const struct rotation_file *x = &w->files[at];
	int fd = open_file(w, x);

	if (fd < 0)
		return -1;
	if (lseek(fd, off, SEEK_SET) != off ||
	    file_path(w, x, w->name, sizeof(w->name)) < 0) {
		close(fd);
		return -1;
	}
	close(w->fd);
	w->fd = fd;
	w->dev = x->dev;
	w->ino = x->ino;
	w->rotated = 1;
	w->moved_at = 0;
	w->last_growth = clock_now(w->clock);
	w->seen_size = -1;
	notify_file(&w->nt, w->name);
	return 0;
}

void
watch_note_bytes(struct watch *w, const char *p, size_t n)
{
	recent_note(&w->tail, p, n);
}

int
watch_tail_changed(struct watch *w, off_t off)
{
	return recent_changed(&w->tail, w->fd, off);
}

void
watch_forget_tail(struct watch *w)
{
	recent_forget(&w->tail);
	w->seen_size = -1;
}

void
watch_grew(struct watch *w)
{
	w->last_growth = clock_now(w->clock);
}

/* Since when the open file is still: grown last, or left by the path. */
static int64_t
still_since(const struct watch *w)
{
	return w->moved_at > w->last_growth ? w->moved_at : w->last_growth;
}

/* 1 if the open file is among the rotated names and a readable one newer
 * than it is there: it was rotated (twice, the path not made again yet). */
static int
newer_exists(struct watch *w)
{
	size_t n = watch_scan(w);
	long at = -1;

	for (size_t i = 0; i < n; i++)
		if (w->files[i].dev == w->dev && w->files[i].ino == w->ino)
			at = (long)i;
	for (size_t i = (size_t)(at + 1); at >= 0 && i < n; i++)
		if (!w->files[i].age.compressed)
			return 1;
	return 0;
}

int
watch_look(struct watch *w, off_t read_off, int64_t now,
    struct rotation_obs *obs, int *odd)
{
	struct stat sb, pb;
	int rc;

	memset(obs, 0, sizeof(*obs));
	*odd = 0;
	obs->grace = ROTATION_GRACE_MS;
	obs->have_fd = w->fd >= 0;
	if (obs->have_fd) {
		if (fstat(w->fd, &sb) < 0)
			return -1;
		obs->fd_size = sb.st_size;
		obs->read_off = read_off;
		/* The bytes are compared again only when the file changed:
		 * an idle tick costs no read. */
		if (obs->fd_size >= obs->read_off &&
		    (sb.st_size != w->seen_size ||
		        sb.st_mtim.tv_sec != w->seen_mtime.tv_sec ||
		        sb.st_mtim.tv_nsec != w->seen_mtime.tv_nsec)) {
			obs->tail_changed = watch_tail_changed(w, read_off);
			if (!obs->tail_changed && obs->fd_size == read_off) {
				w->seen_size = sb.st_size;
				w->seen_mtime = sb.st_mtim;
			}
		}
	}
	rc = stat(w->path, &pb);
	obs->path_exists = rc == 0 && S_ISREG(pb.st_mode);
	/* A FIFO, a directory...: said once, never opened. */
	*odd = rc == 0 && !obs->path_exists && !w->told_odd;
	w->told_odd = rc == 0 && !obs->path_exists;
	obs->path_same = obs->have_fd && obs->path_exists &&
	    pb.st_dev == w->dev && pb.st_ino == w->ino;
	w->path_seen = obs->path_exists;
	if (obs->have_fd && !obs->path_same && w->moved_at == 0)
		w->moved_at = now;
	if (obs->path_same)
		w->moved_at = 0;
	obs->still_for = now - still_since(w);
	if (obs->have_fd && !obs->path_exists && obs->still_for >= obs->grace)
		obs->newer_exists = newer_exists(w);
	/* A file opened under a rotated name (catching up on a chain of
	 * them) and last written longer ago than that is still already: its
	 * modification time says so, without a grace spent on each. The
	 * file read as the path keeps its grace from the rename seen, for a
	 * writer that appends to it before it reopens. */
	if (obs->have_fd && !obs->path_same && w->rotated) {
		int64_t age = clock_now(&clock_wall) -
		    ((int64_t)sb.st_mtim.tv_sec * 1000 +
		        sb.st_mtim.tv_nsec / 1000000);

		if (age > obs->still_for)
			obs->still_for = age;
	}
	return 0;
}

int
watch_odd(const struct watch *w)
{
	return w->told_odd;
}

int64_t
watch_deadline(const struct watch *w)
{
	if (w->fd >= 0 && w->moved_at != 0 && w->path_seen)
		return still_since(w) + ROTATION_GRACE_MS;
	return INT64_MAX;
}
