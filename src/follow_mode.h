/*
 * follow_mode: follow mode's control state, one mode changed only by the
 * transitions below, so that the loop asks what it may do (read, write,
 * commit) instead of a handful of flags its parts flip.
 *
 * The transitions (from -> to, the function); the rules cited are those
 * at the head of commit.c:
 *
 *   RUNNING, RECOVERING, HELD -> HELD (a failure, told; retried from
 *       the last commit after the back-off, which doubles: C18)
 *                                                     follow_mode_fail
 *   RUNNING, RECOVERING -> HELD (no failure: the output found rotated
 *       before a write (C17), or the next input renamed under the open
 *       (C19); retried at once, untold, then back to the mode left)
 *                                                     follow_mode_moved
 *   HELD -> HELD (SIGHUP: the output reopened first, at once: C17)
 *                                                     follow_mode_hangup
 *   HELD -> HELD (the output reopened: not again)     follow_mode_reopened
 *   HELD -> RECOVERING (a failure's retry), or the mode left (a move's)
 *                                                     follow_mode_resume
 *   RECOVERING -> RUNNING (caught up with the input; the back-off
 *       starts again from FOLLOW_BACKOFF_MIN_MS)      follow_mode_caught_up
 *   any -> GONE (the reader of the output went away)  follow_mode_gone
 *   any -> LOCK_LOST (another process holds the state file's lock)
 *                                                     follow_mode_lock_lost
 *
 * GONE and LOCK_LOST end the loop and are left by no transition. Beside
 * the mode, and through every hold and retry, whether the missing input
 * was told (follow_mode_missing, follow_mode_appeared): said once until
 * the file is there.
 */
#ifndef KERIO2SYSLOG_FOLLOW_MODE_H
#define KERIO2SYSLOG_FOLLOW_MODE_H

#include <stdint.h>

#include "clock.h"

enum follow_mode_id {
	FOLLOW_MODE_RUNNING,    /* reading and writing */
	FOLLOW_MODE_RECOVERING, /* started again after a failure, not yet
	                           caught up with the input */
	FOLLOW_MODE_HELD,       /* neither read nor written until retry_at,
	                           then again from the last commit */
	FOLLOW_MODE_GONE,       /* the reader of the output went away */
	FOLLOW_MODE_LOCK_LOST,  /* another process took the state file */
};

/* Why the follower is held. */
enum follow_hold {
	FOLLOW_HOLD_FAILED, /* a failure, told */
	FOLLOW_HOLD_MOVED,  /* no failure: a file moved; untold */
};

/* Embedded in the loop's struct; its fields are follow_mode.c's own
 * (and its unit test's): the loop reads them through the calls below. */
struct follow_mode {
	enum follow_mode_id id;
	/* With FOLLOW_MODE_HELD: why, when it is retried, whether the
	 * output is reopened first, and the mode a move's retry goes back
	 * to. */
	enum follow_hold why;
	int64_t retry_at;
	int reopen;
	enum follow_mode_id back;
	int64_t backoff;  /* the next failure's wait, ms */
	int told_missing; /* the missing input was told */
};

/* RUNNING, nothing told, the back-off at its start. */
void follow_mode_init(struct follow_mode *m);

/* The mode; 1 if held; when a hold is retried (INT64_MAX: not held);
 * 1 if the retry reopens the output first. */
enum follow_mode_id follow_mode_id(const struct follow_mode *m);
int follow_mode_held(const struct follow_mode *m);
int64_t follow_mode_retry_at(const struct follow_mode *m);
int follow_mode_reopen(const struct follow_mode *m);

/* A failure at clock's now: held, retried after the back-off. */
void follow_mode_fail(struct follow_mode *m, const struct clock *clock);
/* A move at clock's now: held, retried at once, untold; reopen: the
 * output is reopened first. */
void follow_mode_moved(struct follow_mode *m, const struct clock *clock,
    int reopen);
/* SIGHUP while held, at now: reopen the output first, retry at now. */
void follow_mode_hangup(struct follow_mode *m, int64_t now);
/* The output was reopened for the retry. */
void follow_mode_reopened(struct follow_mode *m);
/* The retry starts: a failure's recovers (told once caught up), a
 * move's goes back to the mode it left. */
void follow_mode_resume(struct follow_mode *m);
/* The input's end reached: 1 if that ends a recovery (to be told). */
int follow_mode_caught_up(struct follow_mode *m);
void follow_mode_gone(struct follow_mode *m);
void follow_mode_lock_lost(struct follow_mode *m);

/* No input to read: 1 if that is to be told (the first time). */
int follow_mode_missing(struct follow_mode *m);
/* The input opened: 1 if its absence was told (its return is, too). */
int follow_mode_appeared(struct follow_mode *m);

#endif
