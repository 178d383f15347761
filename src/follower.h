/*
 * follower: follow mode's loop. It owns the followed file over time
 * (follow), the committed position (state) and feeds the converter, so
 * that after a crash nothing is lost and nothing written twice.
 */
#ifndef KERIO2SYSLOG_FOLLOWER_H
#define KERIO2SYSLOG_FOLLOWER_H

#include <stdint.h>

#include "pipeline.h"
#include "sink.h"

enum follower_event {
	FOLLOWER_WAITING,         /* detail: the file is missing; waiting */
	FOLLOWER_NOT_REGULAR,     /* detail: the path names a non-regular
	                             file (never opened); waiting */
	FOLLOWER_APPEARED,        /* detail: the missing file is there now */
	FOLLOWER_STATE_REJECTED,  /* detail: why the state file is ignored */
	FOLLOWER_START,           /* detail: where reading starts */
	FOLLOWER_ROTATED,         /* detail: switched to the new file */
	FOLLOWER_TRUNCATED,       /* detail: the file was truncated */
	FOLLOWER_OPEN_FAILED,     /* err: the file cannot be opened (retry) */
	FOLLOWER_READ_FAILED,     /* err: reading failed (retry) */
	FOLLOWER_WRITE_FAILED,    /* err: writing the output failed (retry) */
	FOLLOWER_REOPEN_FAILED,   /* err: the output cannot be reopened */
	FOLLOWER_SAVE_FAILED,     /* err: the state file cannot be written */
	FOLLOWER_RECOVERED,       /* detail: back to work after a failure */
	FOLLOWER_NO_INOTIFY,      /* err: only the stat ticks will notice */
	FOLLOWER_OPTIONS_CHANGED, /* detail: what the change costs */
	FOLLOWER_LOST,            /* detail: entries that cannot be read
	                             (a saved file gone, a compressed one) */
};

struct follower_opts {
	const char *path;       /* the followed FILE */
	const char *state_path; /* --state, or NULL */
	int from_start;         /* --from-start */
	int no_inotify;         /* --no-inotify: the stat ticks alone */
	uint64_t options;       /* hash of the options shaping the bytes */
	const struct pipeline_signals *sig;
	/* Told of each event; err is an errno value or 0, detail a short
	 * text or "". Called from the loop, never from a signal handler. */
	void (*report)(void *ctx, enum follower_event ev, int err,
	    const char *detail);
	void *ctx;
};

/*
 * Follows o->path through p into out until *o->sig->stop is set,
 * then writes the pending entry, saves the state and returns 0. Returns
 * 1 when the reader of the output went away (EPIPE; the last commit
 * stands), -1 with errno only if it cannot start at all (no memory).
 * Other failures while running are reported and retried, never fatal.
 */
int follower_run(struct pipeline *p, const struct sink *out,
    const struct follower_opts *o);

#endif
