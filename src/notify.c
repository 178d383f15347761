/*
 * notify: inotify, to wake follow mode's loop (notify.h).
 */
#include "notify.h"

#include <errno.h>
#include <sys/inotify.h>
#include <unistd.h>

#define DIR_EVENTS                                                             \
	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MODIFY |     \
	    IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
#define FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)

void
notify_init(struct notify *n)
{
	n->fd = n->wd_dir = n->wd_file = -1;
	n->err = 0;
	n->dir = NULL;
}

void
notify_open(struct notify *n, const char *dir)
{
	n->dir = dir;
	n->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (n->fd >= 0)
		n->wd_dir = inotify_add_watch(n->fd, dir, DIR_EVENTS);
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

void
notify_drain(struct notify *n)
{
	char buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t k;

	if (n->fd < 0)
		return;
	do {
		k = read(n->fd, buf, sizeof(buf));
	} while (k > 0 || (k < 0 && errno == EINTR));
	if (n->wd_dir < 0)
		n->wd_dir = inotify_add_watch(n->fd, n->dir, DIR_EVENTS);
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
	if (n->fd < 0)
		return;
	if (n->wd_file >= 0)
		inotify_rm_watch(n->fd, n->wd_file);
	n->wd_file = inotify_add_watch(n->fd, path, FILE_EVENTS);
}
