/*
 * output: every write(2) is checked, short writes are continued and EINTR
 * is retried, so a signal never loses a byte already accepted.
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rotation.h"

struct output {
	int fd;
	int own_fd;       /* close fd at the end (a path we opened) */
	const char *path; /* NULL: standard output, or a descriptor given */
	char *buf;
	size_t len, cap;
	int err;    /* errno of the first failed write, sticky */
	off_t skip; /* bytes still to drop instead of writing (follow) */
	volatile sig_atomic_t *stop; /* see output_stop_on */
	unsigned stalls; /* interruptions without progress while stopping */
	int guard;       /* check the path before each write (output_guard) */
	dev_t dev;       /* the open file, for the guard */
	ino_t ino;
};

int
output_link_trusted(mode_t dir_mode, uid_t dir_uid, uid_t link_uid, uid_t euid)
{
	int dir_ours = dir_uid == euid || dir_uid == 0;

	if ((dir_mode & (S_IWGRP | S_IWOTH)) == 0)
		return dir_ours;
	/* Sticky: only its owner or the directory's replaces a name. */
	return dir_ours && (dir_mode & S_ISVTX) != 0 &&
	    (link_uid == euid || link_uid == dir_uid);
}

/* 1 if path is a symbolic link output_link_trusted lets us follow. */
static int
link_trusted(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat ds, ls;
	size_t n;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return 0;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (lstat(path, &ls) < 0 || !S_ISLNK(ls.st_mode) || stat(dir, &ds) < 0)
		return 0;
	return output_link_trusted(ds.st_mode, ds.st_uid, ls.st_uid, geteuid());
}

/*
 * A symbolic link under the output's name is followed only where no one
 * else could have planted it; elsewhere it would make us append to any
 * file we may write. ELOOP tells a refused link.
 */
static int
open_path(const char *path)
{
	int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY;
	int fd = open(path, flags | O_NOFOLLOW, 0640);

	if (fd >= 0 || errno != ELOOP)
		return fd;
	if (!link_trusted(path)) {
		errno = ELOOP;
		return -1;
	}
	return open(path, flags, 0640);
}

/* Remembers which file is open, for the guard. */
static void
note_identity(struct output *o)
{
	struct stat sb;

	if (fstat(o->fd, &sb) == 0) {
		o->dev = sb.st_dev;
		o->ino = sb.st_ino;
	}
}

/* 1 if the path names another file than the one open, or none. */
static int
path_moved(const struct output *o)
{
	struct stat sb;

	if (stat(o->path, &sb) < 0)
		return errno == ENOENT;
	return sb.st_dev != o->dev || sb.st_ino != o->ino;
}

static struct output *
output_alloc(size_t cap)
{
	struct output *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->cap = cap != 0 ? cap : OUTPUT_DEFAULT_CAP;
	if (o->cap < SINK_RESERVE_MAX)
		o->cap = SINK_RESERVE_MAX;
	o->buf = malloc(o->cap);
	if (o->buf == NULL) {
		free(o);
		return NULL;
	}
	o->fd = -1;
	return o;
}

struct output *
output_new(const char *path, size_t cap)
{
	struct output *o;

	if (path != NULL && strcmp(path, "-") == 0)
		path = NULL;
	if ((o = output_alloc(cap)) == NULL)
		return NULL;
	o->path = path;
	o->fd = path != NULL ? open_path(path) : STDOUT_FILENO;
	o->own_fd = path != NULL;
	if (o->fd < 0) {
		int e = errno;

		output_free(o);
		errno = e;
		return NULL;
	}
	note_identity(o);
	return o;
}

struct output *
output_new_fd(int fd, size_t cap)
{
	struct output *o = output_alloc(cap);

	if (o == NULL)
		return NULL;
	o->fd = fd;
	note_identity(o);
	return o;
}

void
output_free(struct output *o)
{
	if (o == NULL)
		return;
	if (o->own_fd && o->fd >= 0)
		close(o->fd);
	free(o->buf);
	free(o);
}

void
output_stop_on(struct output *o, volatile sig_atomic_t *stop)
{
	o->stop = stop;
}

/* After EINTR: 1 if the output is stalled while stopping (give up). */
static int
stalled(struct output *o)
{
	if (o->stop == NULL || !*o->stop)
		return 0;
	return ++o->stalls >= 2;
}

int
output_flush(struct output *o)
{
	size_t done = 0;
	int rc = 0;

	if (o->err != 0) {
		errno = o->err;
		return -1;
	}
	if (o->skip > 0 && o->len > 0) {
		size_t k = (off_t)o->len < o->skip ? o->len : (size_t)o->skip;

		memmove(o->buf, o->buf + k, o->len - k);
		o->len -= k;
		o->skip -= (off_t)k;
	}
	if (o->guard && o->len > 0 && o->path != NULL && path_moved(o)) {
		o->err = ESTALE;
		errno = ESTALE;
		return -1;
	}
	while (done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);

		if (n < 0) {
			if (errno == EINTR && !stalled(o))
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				o->err = errno;
			rc = -1;
			break;
		}
		done += (size_t)n;
		o->stalls = 0;
	}
	if (done > 0) {
		int e = errno;

		memmove(o->buf, o->buf + done, o->len - done);
		o->len -= done;
		errno = e;
	}
	return rc;
}

size_t
output_pending(const struct output *o)
{
	return o->len;
}

int
output_wait(struct output *o)
{
	struct pollfd pfd = {.fd = o->fd, .events = POLLOUT};

	while (poll(&pfd, 1, -1) < 0) {
		if (errno != EINTR || stalled(o)) {
			o->err = errno;
			return -1;
		}
	}
	return 0;
}

static char *
output_reserve_slow(struct output *o, size_t n)
{
	if (o->err != 0) {
		errno = o->err;
		return NULL;
	}
	while (o->cap - o->len < n) {
		if (output_flush(o) == 0)
			continue;
		/* EAGAIN: a descriptor someone made non-blocking. Wait
		 * until it takes more; giving up would drop the entry. */
		if (o->err != 0 || output_wait(o) < 0)
			return NULL;
	}
	return o->buf + o->len;
}

char *
output_reserve(struct output *o, size_t n)
{
	if (o->err == 0 && o->cap - o->len >= n)
		return o->buf + o->len;
	return output_reserve_slow(o, n);
}

void
output_commit(struct output *o, size_t n)
{
	o->len += n;
}

int
output_flush_all(struct output *o)
{
	while (output_flush(o) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (output_wait(o) < 0)
			return -1;
	}
	return 0;
}

int
output_error(const struct output *o)
{
	return o->err;
}

void
output_clear(struct output *o)
{
	o->err = 0;
	o->len = 0;
	o->stalls = 0;
}

off_t
output_skipping(const struct output *o)
{
	return o->skip;
}

const char *
output_path(const struct output *o)
{
	return o->path;
}

const char *
output_name(const struct output *o)
{
	return o->path != NULL ? o->path : "standard output";
}

int
output_write(struct output *o, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		size_t k = n < o->cap ? n : o->cap;
		char *q = output_reserve(o, k);

		if (q == NULL)
			return -1;
		memcpy(q, s, k);
		output_commit(o, k);
		s += k;
		n -= k;
	}
	return 0;
}

int
output_close(struct output *o)
{
	int rc = output_flush_all(o);
	int e = errno;

	if (o->own_fd && o->fd >= 0 && close(o->fd) < 0 && rc == 0) {
		e = errno;
		rc = -1;
	}
	o->fd = -1;
	o->own_fd = 0;
	errno = e;
	return rc;
}

int
output_reopen(struct output *o)
{
	int fd;

	if (output_flush(o) < 0)
		return -1;
	if (o->path == NULL)
		return 0;
	fd = open_path(o->path);
	if (fd < 0) {
		o->err = errno;
		return -1;
	}
	close(o->fd);
	o->fd = fd;
	note_identity(o);
	return 0;
}

void
output_skip(struct output *o, off_t n)
{
	o->skip = n;
}

int
output_identity(const struct output *o, dev_t *dev, ino_t *ino, off_t *size)
{
	if (o->fd < 0)
		return 0;
	struct stat sb;

	if (fstat(o->fd, &sb) < 0)
		return -1;
	if (!S_ISREG(sb.st_mode))
		return 0;
	*dev = sb.st_dev;
	*ino = sb.st_ino;
	*size = sb.st_size;
	return 1;
}

off_t
output_torn_tail(int fd, off_t within)
{
	char buf[4096];
	struct stat sb;
	off_t end, done = 0;

	if (fstat(fd, &sb) < 0)
		return -1;
	end = sb.st_size;
	if (within > end)
		within = end;
	while (done < within) {
		size_t want = within - done < (off_t)sizeof(buf)
		    ? (size_t)(within - done)
		    : sizeof(buf);
		ssize_t n = pread(fd, buf, want, end - done - (off_t)want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if ((size_t)n != want) {
			errno = EIO; /* shrunk meanwhile */
			return -1;
		}
		for (size_t i = want; i > 0; i--) {
			if (buf[i - 1] == '\n')
				return done + (off_t)(want - i);
		}
		done += (off_t)want;
	}
	return within;
}

void
output_guard(struct output *o, int on)
{
	o->guard = on;
}

int
output_moved(const struct output *o)
{
	struct stat a, b;

	if (o->path == NULL || fstat(o->fd, &a) < 0)
		return 0;
	if (stat(o->path, &b) < 0)
		return errno == ENOENT;
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

/*
 * The output is open for writing only, and pread(2) of it fails (EBADF):
 * the same file is read through its descriptor's link in /proc, which
 * names it whatever its name is now (rotated, deleted). Not a regular
 * file (a pipe): nothing is torn.
 */
off_t
output_open_torn_tail(const struct output *o, off_t within)
{
	char proc[64];
	struct stat sb;
	off_t torn;
	int fd, e;

	if (fstat(o->fd, &sb) < 0)
		return -1;
	if (!S_ISREG(sb.st_mode))
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if ((fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return -1;
	torn = output_torn_tail(fd, within);
	e = errno;
	close(fd);
	errno = e;
	return torn;
}

off_t
output_rotated(const struct output *o, dev_t dev, ino_t ino, off_t from,
    off_t *torn)
{
	char dir[4096], name[4096];
	struct stat sb;
	off_t size;
	int fd;

	*torn = 0;
	if (o->path == NULL ||
	    rotation_dirname(o->path, dir, sizeof(dir)) < 0 ||
	    rotation_find(dir, dev, ino, name, sizeof(name)) != 1 ||
	    (fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return -1;
	size = fstat(fd, &sb) == 0 ? sb.st_size : 0;
	/* Unreadable: nothing is dropped, rather than a torn line. */
	if (size > from && (*torn = output_torn_tail(fd, size - from)) < 0)
		*torn = size - from;
	close(fd);
	return size;
}
