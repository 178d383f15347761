/*
 * notify: inotify on the input's directory and on the open file. It only
 * wakes the loop: what changed is read from the files themselves, so a
 * lost or overflowed event costs at most one stat tick.
 */
#ifndef KERIO2SYSLOG_NOTIFY_H
#define KERIO2SYSLOG_NOTIFY_H

struct notify {
	int fd;      /* inotify descriptor, -1 if none */
	int wd_dir;  /* watch on the directory, -1 if none */
	int wd_file; /* watch on the open file, -1 if none */
	int err;     /* why inotify does not work, 0 */
	const char *dir;
};

/* No inotify (--no-inotify: the stat ticks alone) until notify_open. */
void notify_init(struct notify *n);
/*
 * Watches dir (which must outlive n); a missing directory is watched
 * once it is there (notify_tick). Where inotify fails, notify_error says
 * why and the caller relies on its stat ticks.
 */
void notify_open(struct notify *n, const char *dir);
void notify_close(struct notify *n);
int notify_error(const struct notify *n);
/* The descriptor to poll for POLLIN, or -1. */
int notify_fd(const struct notify *n);
/* Reads and forgets the events; retries the directory's watch. */
void notify_drain(struct notify *n);
/* Once a second: a directory that was missing may be there now. */
void notify_tick(struct notify *n);
/* Watches the file path names now instead of the previous one. */
void notify_file(struct notify *n, const char *path);

#endif
