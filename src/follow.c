/*
 * follow: as OpenBSD's tail -F, the path is the truth and the descriptor
 * a view of it that may go stale: a rename leaves the descriptor on the
 * old file (finished before we leave it), a truncation leaves it on a
 * shorter (or rewritten) file. inotify only wakes us; every decision
 * comes from fstat(2)/stat(2) of what is there, so a lost or overflowed
 * event costs at most one stat tick.
 */
#include "follow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

enum follow_action
follow_decide(const struct follow_obs *o)
{
	if (!o->have_fd)
		return o->path_exists ? FOLLOW_OPEN : FOLLOW_IDLE;
	/* Shorter than what we read, or other bytes where we read: the
	 * file was truncated (copytruncate), perhaps regrown past us. */
	if (o->fd_size < o->read_off || o->tail_changed)
		return FOLLOW_TRUNCATED;
	/* Whatever the path names now, what was written to our file
	 * before the switch is read first. */
	if (o->fd_size > o->read_off)
		return FOLLOW_READ;
	if (o->path_exists && o->path_same)
		return FOLLOW_IDLE;
	if (!o->path_exists)
		return FOLLOW_DRAIN; /* renamed or deleted, nothing new yet */
	return o->still_for >= o->grace ? FOLLOW_SWITCH : FOLLOW_DRAIN;
}

enum follow_start
follow_start_decide(const struct follow_start_obs *o)
{
	if (o->have_state) {
		if (o->path_exists && o->path_is_saved)
			return o->path_fits ? FOLLOW_START_RESUME
			                    : FOLLOW_START_TRUNCATED;
		if (o->found_rotated && o->rotated_fits)
			return FOLLOW_START_ROTATED;
		/* The saved file is gone (or was rewritten under another
		 * name): what the path holds now is all new to us. */
		return o->path_exists ? FOLLOW_START_BEGIN : FOLLOW_START_WAIT;
	}
	if (!o->path_exists)
		return FOLLOW_START_WAIT;
	return o->from_start ? FOLLOW_START_BEGIN : FOLLOW_START_END;
}

int
follow_dirname(const char *path, char *buf, size_t cap)
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

#define DIR_EVENTS                                                             \
	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MODIFY |     \
	    IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
#define FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)

int
follow_watch_open(struct follow_watch *w, const char *path)
{
	w->fd = -1;
	w->wd_dir = -1;
	w->wd_file = -1;
	if (follow_dirname(path, w->dir, sizeof(w->dir)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd >= 0)
		w->wd_dir = inotify_add_watch(w->fd, w->dir, DIR_EVENTS);
	return 0;
}

void
follow_watch_file(struct follow_watch *w, const char *path)
{
	if (w->fd < 0)
		return;
	if (w->wd_file >= 0)
		inotify_rm_watch(w->fd, w->wd_file);
	w->wd_file = inotify_add_watch(w->fd, path, FILE_EVENTS);
}

void
follow_watch_drain(struct follow_watch *w)
{
	char buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (w->fd < 0)
		return;
	/* The events only wake us; what changed is read from the files. */
	do {
		n = read(w->fd, buf, sizeof(buf));
	} while (n > 0 || (n < 0 && errno == EINTR));
	if (w->wd_dir < 0)
		w->wd_dir = inotify_add_watch(w->fd, w->dir, DIR_EVENTS);
}

void
follow_watch_close(struct follow_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = w->wd_dir = w->wd_file = -1;
}

int
follow_find(const char *dir, dev_t dev, ino_t ino, char *buf, size_t cap)
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
