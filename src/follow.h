/*
 * follow: tail -F over a path. The decisions (read, rotated, truncated,
 * switch) are pure functions of what was observed, so they can be tested
 * without files; the rest is inotify and directory look-ups.
 */
#ifndef KERIO2SYSLOG_FOLLOW_H
#define KERIO2SYSLOG_FOLLOW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How long a renamed file must stay still before we leave it, ms. */
#define FOLLOW_GRACE_MS 500
/* The stat(2) safety net: at most this often while idle, ms. */
#define FOLLOW_TICK_MS 1000

/* What was seen of the open file and the path, in one round. */
struct follow_obs {
	int have_fd;       /* a file is open */
	off_t fd_size;     /* its size (fstat) */
	off_t read_off;    /* bytes of it read so far */
	int tail_changed;  /* the bytes just before read_off are not those
	                      read there */
	int path_exists;   /* the path names a regular file */
	int path_same;     /* ... and it is the open one */
	int64_t still_for; /* ms the open file has not grown since the path
	                      stopped naming it */
	int64_t grace;     /* FOLLOW_GRACE_MS, or another for tests */
};

enum follow_action {
	FOLLOW_IDLE,      /* nothing new: wait */
	FOLLOW_OPEN,      /* no file open and the path exists: open, from 0 */
	FOLLOW_READ,      /* the open file has bytes past read_off */
	FOLLOW_TRUNCATED, /* shorter than read_off, or rewritten: from 0 */
	FOLLOW_DRAIN,     /* renamed: keep the old file until it is still */
	FOLLOW_SWITCH,    /* the old file is done: open the path, from 0 */
};

/* Decides the next step from one round of observations. */
enum follow_action follow_decide(const struct follow_obs *o);

/* What was seen at start, against the saved state. */
struct follow_start_obs {
	int have_state;    /* a state file that names an input was loaded */
	int from_start;    /* --from-start */
	int path_exists;   /* the path names a regular file */
	int path_is_saved; /* ... the saved device and inode */
	int path_fits;     /* ... its size >= saved offset and the bytes
	                      before the offset hash as saved */
	int found_rotated; /* the saved inode is another name in the dir */
	int rotated_fits;  /* ... and fits the saved offset and hash */
};

enum follow_start {
	FOLLOW_START_WAIT,      /* no path: wait for it, then read from 0 */
	FOLLOW_START_END,       /* no state: from the end of the path */
	FOLLOW_START_BEGIN,     /* the path from 0 */
	FOLLOW_START_RESUME,    /* the path from the saved offset */
	FOLLOW_START_ROTATED,   /* finish the rotated file from the saved
	                           offset, then the path from 0 */
	FOLLOW_START_TRUNCATED, /* the saved file, shorter or changed: from 0 */
};

/* Decides where reading starts. */
enum follow_start follow_start_decide(const struct follow_start_obs *o);

/* inotify on a path's directory and on the open file. */
struct follow_watch {
	int fd;      /* inotify descriptor, -1 if unavailable */
	int wd_dir;  /* watch on the directory, -1 if none */
	int wd_file; /* watch on the open file, -1 if none */
	char dir[4096];
};

/*
 * Sets up inotify for path's directory. Without inotify (or when the
 * directory is missing) w->fd or w->wd_dir stay -1 and the caller relies
 * on its stat ticks. Returns 0, or -1 with errno if path is too long.
 */
int follow_watch_open(struct follow_watch *w, const char *path);

/* Watches the file path names now instead of the previous one. */
void follow_watch_file(struct follow_watch *w, const char *path);

/* Reads and forgets pending events; retries the directory watch. */
void follow_watch_drain(struct follow_watch *w);

void follow_watch_close(struct follow_watch *w);

/*
 * Looks in dir for a regular file with device dev and inode ino; on 1
 * its path (dir/name) is in buf (cap bytes). Returns 1, 0 if there is
 * none, -1 with errno if dir cannot be read.
 */
int follow_find(const char *dir, dev_t dev, ino_t ino, char *buf, size_t cap);

/* The directory part of path into buf ("." if none). 0, or -1 if long. */
int follow_dirname(const char *path, char *buf, size_t cap);

#endif
