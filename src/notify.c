/*
 * notify: inotify, to wake follow mode's loop (notify.h).
 *
 * Kerio writes mail.log, http.log, debug.log... beside security.log,
 * many times a second: a write to any of them must cost the follower
 * nothing. So the writes are watched on the open file alone, and the
 * directory only for names coming and going (a rotation, the path
 * created or removed), and those only for the path's own name and its
 * rotated names (rotation_rotated_name: the only files a round ever
 * looks at). Events for other names are read and dropped here, before
 * any round.
 */
#include "notify.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "rotation.h"

#define DIR_EVENTS                                                             \
	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB |     \
	    IN_DELETE_SELF | IN_MOVE_SELF)
#define FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)

/* Reads of events per drain, at most: a source of events faster than
 * the reads cannot hold the loop here (the rest wakes it again). */
#define DRAIN_READS 8

void
notify_init(struct notify *n)
{
	n->fd = n->wd_dir = n->wd_file = -1;
	n->err = 0;
	n->dir_writes = 0;
	n->dir = NULL;
	n->base = NULL;
}

/* The directory's watch, with its writes too while the file has none. */
static void
add_dir_watch(struct notify *n)
{
	n->wd_dir = inotify_add_watch(n->fd, n->dir,
	    n->dir_writes ? DIR_EVENTS | IN_MODIFY : DIR_EVENTS);
}

void
notify_open(struct notify *n, const char *dir, const char *path)
{
	const char *slash = strrchr(path, '/');

	n->dir = dir;
	n->base = slash != NULL ? slash + 1 : path;
	n->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (n->fd >= 0)
		add_dir_watch(n);
	/* A missing directory is watched once it is there. */
	if (n->fd < 0 || (n->wd_dir < 0 && errno != ENOENT))
		n->err = errno;
}

void
notify_close(struct notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	notify_init(n);
}

int
notify_error(const struct notify *n)
{
	return n->err;
}

int
notify_fd(const struct notify *n)
{
	return n->fd;
}

/* 1 if ev may change what a round sees: anything on the open file, the
 * directory itself, a lost queue, or the path's name or a rotated one. */
static int
concerns(struct notify *n, const struct inotify_event *ev)
{
	struct rotation_name age;

	if (ev->wd == n->wd_dir && (ev->mask & IN_IGNORED)) {
		n->wd_dir = -1; /* gone: watched again once it is back */
		return 1;
	}
	if (ev->wd != n->wd_dir || ev->len == 0)
		return 1;
	return strcmp(ev->name, n->base) == 0 ||
	    rotation_rotated_name(n->base, ev->name, &age);
}

int
notify_drain(struct notify *n)
{
	char buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const size_t most = sizeof(struct inotify_event) + NAME_MAX + 1;
	int wake = 0, reads = 0;
	ssize_t k;

	if (n->fd < 0)
		return 0;
	for (;;) {
		k = read(n->fd, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		for (ssize_t at = 0; at < k;) {
			const struct inotify_event *ev =
			    (const struct inotify_event *)(void *)(buf + at);

			wake |= concerns(n, ev);
			at += (ssize_t)(sizeof(*ev) + ev->len);
		}
		/* Room was left for one more event: none was queued. */
		if ((size_t)k <= sizeof(buf) - most)
			break;
		if (++reads == DRAIN_READS) {
			wake = 1; /* the rest unread: look anyway */
			break;
		}
	}
	if (n->wd_dir < 0) {
		add_dir_watch(n);
		wake |= n->wd_dir >= 0;
	}
	return wake;
}

void
notify_tick(struct notify *n)
{
	if (n->fd >= 0 && n->wd_dir < 0)
		notify_drain(n);
}

void
notify_file(struct notify *n, const char *path)
{
	int writes;

	if (n->fd < 0)
		return;
	if (n->wd_file >= 0)
		inotify_rm_watch(n->fd, n->wd_file);
	n->wd_file = inotify_add_watch(n->fd, path, FILE_EVENTS);
	/* Without a watch on the file (out of watches), its writes are
	 * seen through the directory's, as before a file was open. */
	writes = n->wd_file < 0;
	if (writes != n->dir_writes) {
		n->dir_writes = writes;
		if (n->wd_dir >= 0)
			add_dir_watch(n);
	}
}
