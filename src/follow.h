/*
 * follow: follow mode's loop, short: start, rounds, switch or truncate,
 * recover, wait, finish. It drives the pipeline from outside with what
 * watch.c sees of the input and what commit.c says a commit is, so that
 * after a crash nothing is lost and nothing written twice (the proof:
 * the head of commit.c).
 */
#ifndef KERIO2SYSLOG_FOLLOW_H
#define KERIO2SYSLOG_FOLLOW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "pipeline.h"
#include "rotation.h"
#include "sink.h"
#include "state.h"

/* What a start goes by. */
struct follow_start_obs {
	const struct state *s; /* the state to start from, NULL: none */
	int from_start;        /* --from-start */
	int unsaved;           /* an earlier start left only its mark
	                          (commit_unsaved_start) */
	int path_exists;       /* the path names a regular file */
};

/* Why a start reads where it does. */
enum follow_start_why {
	FOLLOW_START_SAVED,   /* the state names an input: resumed there */
	FOLLOW_START_MISSING, /* the path is missing: waited for */
	FOLLOW_START_NEW,     /* no state: the path from its end */
	FOLLOW_START_OPTION,  /* --from-start: the path from 0 */
	FOLLOW_START_WAITED,  /* the state was saved waiting for the path
	                         (or its position never was): from 0 */
	FOLLOW_START_UNSAVED, /* an earlier start was killed before its first
	                         save: from the oldest file written since */
};

struct follow_start {
	enum rotation_start d;
	enum follow_start_why why;
};

enum follow_event {
	FOLLOW_WAITING,         /* name: the file is missing; waiting */
	FOLLOW_NOT_REGULAR,     /* name: the path names a non-regular file
	                           (never opened); waiting */
	FOLLOW_APPEARED,        /* name: the missing file is there now */
	FOLLOW_STATE_REJECTED,  /* name: why the state file is ignored
	                           (commit_load's words) */
	FOLLOW_START,           /* start, pick, begun, skipping: where
	                           reading starts */
	FOLLOW_ROTATED,         /* name: switched to the new file */
	FOLLOW_TRUNCATED,       /* name: the file was truncated; copy, and
	                           before_read: its copy read first */
	FOLLOW_OPEN_FAILED,     /* err, name: cannot be opened (retry) */
	FOLLOW_READ_FAILED,     /* err, name: reading failed (retry) */
	FOLLOW_WRITE_FAILED,    /* err, name: writing the output failed
	                           (retry) */
	FOLLOW_REOPEN_FAILED,   /* err, name: the output cannot be
	                           reopened (retry) */
	FOLLOW_SAVE_FAILED,     /* err, name: the state file cannot be
	                           written (retry) */
	FOLLOW_RECOVERED,       /* name: back to work after a failure */
	FOLLOW_NO_INOTIFY,      /* err, name: only the stat ticks will
	                           notice */
	FOLLOW_OPTIONS_CHANGED, /* name: what the change costs
	                           (commit_replay_skip's words) */
	FOLLOW_LOST,            /* as FOLLOW_START, a start whose entries
	                           cannot all be read (a saved file gone, a
	                           compressed one) */
	FOLLOW_LOST_COMPRESSED, /* name, copy: the files after the input
	                           left compressed before they were read */
	FOLLOW_LOCK_LOST,       /* holder: the process id (0: unknown) that
	                           holds the state file's lock now: this
	                           follower stops */
};

/* How many of the events are failures retried (follow_retried). */
#define FOLLOW_RETRIED 5

/* The index of ev among the failures retried, which repeat while they
 * last (to be limited apart), or -1. */
int follow_retried(enum follow_event ev);

/* One event as follow mode tells it: facts, worded by follow_text. */
struct follow_note {
	enum follow_event ev;
	int err;          /* an errno value, or 0 */
	const char *name; /* see enum follow_event; never NULL */
	const char *copy;
	int before_read;
	struct follow_start start;
	const char *begun; /* FOLLOW_START_UNSAVED: the rotated file begun
	                      (NULL: the path) */
	const char *pick;  /* ROTATION_START_PICK: rotation_pick_text's */
	off_t skipping;    /* bytes of the output a replay does not repeat */
	long holder;
};

/* What the messages name: the followed FILE, the output, --state. */
struct follow_names {
	const char *path, *out, *state;
};

/*
 * Every follow event in words, in one place: n into buf (cap bytes, cut
 * if longer), naming the files of nm; why is n->err as the caller says
 * it (strerror(3), or why an open failed) or, with FOLLOW_NOT_REGULAR,
 * what the file is; quiet what a limit held back of a retried failure
 * (diag_quiet_text). Returns buf.
 */
const char *follow_text(const struct follow_note *n,
    const struct follow_names *nm, const char *why, const char *quiet,
    char *buf, size_t cap);

struct follow_opts {
	const char *path;       /* the followed FILE */
	const char *state_path; /* --state, or NULL */
	int from_start;         /* --from-start */
	int no_inotify;         /* --no-inotify: the stat ticks alone */
	uint64_t options;       /* hash of the options shaping the bytes */
	const struct pipeline_signals *sig;
	const struct clock *clock; /* NULL: clock_system; the pipeline's */
	/* Entries are judged late (--late-after): by the wall clock (NULL:
	 * clock_wall) at the commits, W of commit.c. */
	int judge;
	const struct clock *wall;
	/* Told of each event. Called from the loop, never from a signal
	 * handler. */
	void (*report)(void *ctx, const struct follow_note *n);
	void *ctx;
	/* The state file's lock (state_lock), looked at every
	 * FOLLOW_LOCK_LOOK_MS and kept (state_lock_keep); NULL: none. */
	int *lock_fd;
};

/* How often a follower makes sure it still holds the state file's lock,
 * ms, and how long a newcomer that had to make the lock file waits before
 * taking it (state_lock): longer than a look, and a margin. */
#define FOLLOW_LOCK_LOOK_MS 1000
#define FOLLOW_LOCK_WAIT_MS (2 * FOLLOW_LOCK_LOOK_MS + 500)

/* The first wait after a failure, and the longest, ms. */
#define FOLLOW_BACKOFF_MIN_MS 1000
#define FOLLOW_BACKOFF_MAX_MS 30000

/*
 * The back-off: when to retry after a failure at the clock's now, with
 * *delay the wait this time (FOLLOW_BACKOFF_MIN_MS after a success);
 * *delay becomes the next one, doubled up to FOLLOW_BACKOFF_MAX_MS.
 */
int64_t follow_backoff(const struct clock *clock, int64_t *delay);

/*
 * Follow mode's start rule: where a start from o reads (and, with
 * ROTATION_START_PICK, watch_pick_start picks the file), and why. Pure:
 * --status asks it too.
 */
struct follow_start follow_start_decide(const struct follow_start_obs *o);

/*
 * Follows o->path through p into out until *o->sig->stop is set,
 * then writes the pending entry, saves the state and returns 0. Returns
 * 1 when the reader of the output went away (EPIPE; the last commit
 * stands), 2 when another process took the state file's lock (the last
 * commit stands; FOLLOW_LOCK_LOST told), -1 with errno only if it cannot
 * start at all (no memory).
 * Other failures while running are reported and retried, never fatal.
 */
int follow_run(struct pipeline *p, const struct sink *out,
    const struct follow_opts *o);

#endif
