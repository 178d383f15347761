/*
 * watch_impl: struct watch, private to watch.c and watch_files.c (the
 * two halves of the watch module), and the calls they share.
 */
#ifndef KERIO2SYSLOG_WATCH_IMPL_H
#define KERIO2SYSLOG_WATCH_IMPL_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "notify.h"
#include "recent.h"
#include "rotation.h"
#include "state.h"

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
	int prev_sure; /* have_prev says it all: noted here, or a state of
	                  version 2 or later (version 1 records no file
	                  read before) */
	struct state_file prev;
	/* The files older than it when it was opened (state.h seen). */
	int have_seen;
	size_t n_seen;
	struct state_file seen[STATE_SEEN_MAX];
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

/* The name of x in the input's directory (the path for the path). */
int watch_file_path(const struct watch *w, const struct rotation_file *x,
    char *buf, size_t cap);
/* Opens x for reading, never a rotated name through a link (watch.c). */
int watch_open_file(const struct watch *w, const struct rotation_file *x);
/* The path missing: 1 if a rotated file newer than the open one is there. */
int watch_newer_exists(struct watch *w);

#endif
