/*
 * commit: follow mode's commit, what makes it exactly once: the state
 * file (state.c) and the output's identity and size. The proof is at the
 * head of commit.c, once. The loop (follow.c) gathers what a commit
 * records and acts on the sink; this module decides and keeps the last
 * commit, the one on disk, and the one found at start.
 */
#ifndef KERIO2SYSLOG_COMMIT_H
#define KERIO2SYSLOG_COMMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "clock.h"
#include "state.h"

struct sink;

/* A commit is taken at most this often while input comes, ms. */
#define COMMIT_INTERVAL_MS 1000
/* The time entries are judged late by is renewed before it is older, ms. */
#define COMMIT_WALL_AGE_MS 1000

struct commit;

struct commit_opts {
	const char *state_path; /* --state, or NULL: nothing is saved */
	uint64_t options;       /* hash of the options shaping the bytes */
	const struct sink *out; /* the sink, for its rotated self, or NULL */
	const struct clock *clock;
	int judge; /* entries are judged late: the commit records W */
};

/* The output as the sink says it is now. */
struct commit_out {
	int have; /* the sink is a regular file: its identity and size */
	dev_t dev;
	ino_t ino;
	off_t size;
	off_t skip; /* bytes the sink still drops (a replay's surplus) */
};

/* What the loop saw, for a commit. */
struct commit_point {
	int ready; /* the output is flushed and without error */
	int fd;    /* the input file, -1: none (waiting for the path) */
	dev_t dev;
	ino_t ino;
	off_t pos; /* where a restart reads again */
	int have_stamp;
	struct stamp stamp; /* ... and the stamp it resumes under */
	struct state prev;  /* the file read before (its prev fields) */
	off_t flush_at;     /* the write-ahead record of a flush, -1 */
	off_t replay_at;    /* a replay's record still to pass, -1 */
	struct commit_out out;
	int64_t wall_now; /* the wall clock, Unix ms: W if it may move */
};

/* NULL with errno. */
struct commit *commit_new(const struct commit_opts *o);
void commit_free(struct commit *cm);

/*
 * Loads the state file at start (and the mark or whole state a first
 * run killed within its first save left). 0, or 1 with why the state
 * file is ignored in why (cap bytes), to be told.
 */
int commit_load(struct commit *cm, char *why, size_t cap);
/* The state found at start, NULL if none; the last commit taken (saved
 * or not), else the one found at start, else NULL. */
const struct state *commit_loaded(const struct commit *cm);
const struct state *commit_last(const struct commit *cm);
/*
 * 1 if an earlier start left only its mark: read from the beginning of
 * the files written since it was made; *when (if not NULL) is then that
 * moment (state_mark_time), or zero if it cannot be read.
 */
int commit_unsaved_start(const struct commit *cm, struct timespec *when);

/* 1 once a commit to read on from is on disk (or nothing is saved):
 * until then nothing is read. */
int commit_durable(const struct commit *cm);
/* Makes the start's mark on disk, unless durable. 0, or -1 with errno. */
int commit_mark(struct commit *cm);

/*
 * Takes a commit of pt and saves it. The commit in memory moves even if
 * the file cannot be written: it is what a recovery without restart
 * starts from. 0; 1 when the state file was not written (errno says
 * why); -1 when no commit can be taken (the output not flushed, the
 * input shrunk under the position: nothing moves).
 */
int commit_take(struct commit *cm, const struct commit_point *pt);
/*
 * commit_take at a barrier that begins an input anew from 0 (the path
 * opened where none was, the input truncated): a restart reads such an
 * input from 0, so until a commit naming it is on disk nothing is
 * durable and a start from the last commit holds until a save is
 * whole (C16). Returns as commit_take.
 */
int commit_barrier(struct commit *cm, const struct commit_point *pt);
/* Writes the last commit if it is not on disk. 0, or -1 with errno. */
int commit_write(struct commit *cm);

/*
 * W, the wall time (Unix ms) the bytes converted now are judged late by:
 * that of the commit on disk (commit.c: C9, C10). 1 with *ms,
 * or 0 if there is none (nothing is late).
 */
int commit_wall(const struct commit *cm, int64_t *ms);
/* 1 if W is to be renewed before more is converted at wall_now (it is
 * older than COMMIT_WALL_AGE_MS, or ahead), and a save may be tried at
 * now (monotonic): at once after a whole save, else once an interval. */
int commit_wall_due(const struct commit *cm, int64_t wall_now, int64_t now);

/*
 * 1 if the state on disk names the output o (or nothing is saved): what
 * is written to it then counts in a restart's surplus. Nothing is written
 * to an output the state on disk does not name.
 */
int commit_out_named(const struct commit *cm, const struct commit_out *o);

/*
 * At a start from s, at its position: the bytes the sink drops (the
 * output a restart produces again), for the output o as it is now. If
 * the options differ from s's, none; then 1 is set in *changed with what
 * the change costs in msg (cap bytes), to be told.
 */
off_t commit_replay_skip(struct commit *cm, const struct state *s,
    const struct commit_out *o, int *changed, char *msg, size_t cap);
/* A start that is no replay: the sink drops nothing. */
void commit_no_skip(struct commit *cm);

/*
 * Before the output is left while the sink still drops skip bytes: the
 * bytes at the end of the open output where a line it ends without is
 * looked for (0: none). Given that line's length torn (0: none), the
 * skip the sink is to keep. A line is not completed across two files.
 */
off_t commit_leave_span(const struct commit *cm, off_t skip);
off_t commit_left(struct commit *cm, off_t skip, off_t torn);

/* Input was read or output written since the last commit. */
void commit_dirty(struct commit *cm);
/* 1 if a commit is due at now (dirty, and the interval passed since the
 * last commit and since it first was); the time it is due (INT64_MAX if
 * not dirty); 1 if the interval passed since the last commit. */
int commit_due(const struct commit *cm, int64_t now);
int64_t commit_deadline(const struct commit *cm);
int commit_interval_passed(const struct commit *cm, int64_t now);

#endif
