/*
 * notify: inotify on the open file (its writes) and on the input's
 * directory (names coming and going, for the path's name and its
 * rotated names only). It only wakes the loop: what changed is read from
 * the files themselves, so a lost or overflowed event costs at most one
 * stat tick.
 */
#ifndef KERIO2SYSLOG_NOTIFY_H
#define KERIO2SYSLOG_NOTIFY_H

struct notify {
	int fd;         /* inotify descriptor, -1 if none */
	int wd_dir;     /* watch on the directory, -1 if none */
	int wd_file;    /* watch on the open file, -1 if none */
	int err;        /* why inotify does not work, 0 */
	int dir_writes; /* the directory's watch takes writes too (the
	                   file has no watch of its own) */
	const char *dir;
	const char *base; /* the path's last component */
};

/* No inotify (--no-inotify: the stat ticks alone) until notify_open. */
void notify_init(struct notify *n);
/*
 * Watches dir, the directory of path (both must outlive n); a missing
 * directory is watched once it is there (notify_tick). Where inotify
 * fails, notify_error says why and the caller relies on its stat ticks.
 */
void notify_open(struct notify *n, const char *dir, const char *path);
void notify_close(struct notify *n);
int notify_error(const struct notify *n);
/* The descriptor to poll for POLLIN, or -1. */
int notify_fd(const struct notify *n);
/*
 * Reads and forgets the events queued (a bounded number of reads);
 * retries the directory's watch. 1 if one of them may change what a
 * round sees, 0 if all were for other files of the directory.
 */
int notify_drain(struct notify *n);
/* Once a second: a directory that was missing may be there now. */
void notify_tick(struct notify *n);
/* Watches the file path names now instead of the previous one. */
void notify_file(struct notify *n, const char *path);

#endif
