/*
 * follow: follow mode's loop. It owns the followed file over time
 * (rotation), the committed position (state) and feeds the converter, so
 * that after a crash nothing is lost and nothing written twice.
 */
#ifndef KERIO2SYSLOG_FOLLOW_H
#define KERIO2SYSLOG_FOLLOW_H

#include "convert.h"

enum follow_event {
	FOLLOW_WAITING,         /* detail: the file is missing; waiting */
	FOLLOW_NOT_REGULAR,     /* detail: the path names a non-regular
	                             file (never opened); waiting */
	FOLLOW_APPEARED,        /* detail: the missing file is there now */
	FOLLOW_STATE_REJECTED,  /* detail: why the state file is ignored */
	FOLLOW_START,           /* detail: where reading starts */
	FOLLOW_ROTATED,         /* detail: switched to the new file */
	FOLLOW_TRUNCATED,       /* detail: the file was truncated */
	FOLLOW_OPEN_FAILED,     /* err: the file cannot be opened (retry) */
	FOLLOW_READ_FAILED,     /* err: reading failed (retry) */
	FOLLOW_WRITE_FAILED,    /* err: writing the output failed (retry) */
	FOLLOW_REOPEN_FAILED,   /* err: the output cannot be reopened */
	FOLLOW_SAVE_FAILED,     /* err: the state file cannot be written */
	FOLLOW_RECOVERED,       /* detail: back to work after a failure */
	FOLLOW_NO_INOTIFY,      /* err: only the stat ticks will notice */
	FOLLOW_OPTIONS_CHANGED, /* detail: what the change costs */
	FOLLOW_LOST,            /* detail: entries that cannot be read
	                             (a saved file gone, a compressed one) */
};

struct follow_opts {
	const char *path;       /* the followed FILE */
	const char *state_path; /* --state, or NULL */
	int from_start;         /* --from-start */
	int no_inotify;         /* --no-inotify: the stat ticks alone */
	uint64_t options;       /* hash of the options shaping the bytes */
	const struct convert_signals *sig;
	/* Told of each event; err is an errno value or 0, detail a short
	 * text or "". Called from the loop, never from a signal handler. */
	void (*report)(void *ctx, enum follow_event ev, int err,
	    const char *detail);
	void *ctx;
};

/*
 * Follows o->path into c (and c's output) until *o->sig->stop is set,
 * then writes the pending entry, saves the state and returns 0. Returns
 * 1 when the reader of the output went away (EPIPE; the last commit
 * stands), -1 with errno only if it cannot start at all (no memory).
 * Other failures while running are reported and retried, never fatal.
 */
int follow_run(struct converter *c, const struct follow_opts *o);

#endif
