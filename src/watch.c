/*
 * watch: the input over time (see watch.h). inotify only wakes the loop;
 * every decision comes from fstat(2)/stat(2) of what is there and from
 * the bytes themselves, so a lost or overflowed event costs at most one
 * stat tick. Why the files are read in this order, and why a file is
 * known by its bytes as well as by its identity: the head of commit.c.
 */
#include "watch.h"
#include "watch_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
		notify_open(&w->nt, w->dir, w->path);
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

int
watch_drain(struct watch *w)
{
	return notify_drain(&w->nt);
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

/* The name of x in the input's directory (the path for the path). */
int
watch_file_path(const struct watch *w, const struct rotation_file *x, char *buf,
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
int
watch_open_file(const struct watch *w, const struct rotation_file *x)
{
	char p[4096];
	struct stat sb;
	int fd, flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

	if (watch_file_path(w, x, p, sizeof(p)) < 0)
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

	if (watch_file_path(w, x, name, sizeof(name)) < 0 ||
	    (fd = watch_open_file(w, x)) < 0)
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
	watch_note_prev(w, n, (size_t)at, at - 1);
	return off;
}

int
watch_switch(struct watch *w, size_t at, off_t off)
{
	const struct rotation_file *x = &w->files[at];
	int fd = watch_open_file(w, x);

	if (fd < 0)
		return -1;
	if (lseek(fd, off, SEEK_SET) != off ||
	    watch_file_path(w, x, w->name, sizeof(w->name)) < 0) {
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
		obs->newer_exists = watch_newer_exists(w);
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
