/*
 * follow_impl.h: what follow.c (the loop) and follow_input.c (the
 * input's moves) share; private to those two files. The exactly-once
 * argument each function keeps is at the head of commit.c.
 */
#ifndef KERIO2SYSLOG_FOLLOW_IMPL_H
#define KERIO2SYSLOG_FOLLOW_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "commit.h"
#include "follow.h"
#include "follow_mode.h"
#include "outcome.h"
#include "pipeline.h"
#include "sink.h"
#include "state.h"
#include "watch.h"

struct fl {
	const struct follow_opts *o;
	const struct clock *clock;
	const struct clock *wall;
	struct watch *w;
	struct commit *cm;
	struct pipeline *p;
	const struct sink *out;

	struct follow_mode mode; /* changed by follow_mode.h's transitions */
	int64_t next_tick;
	int caught_up;   /* this round's read reached the input's end */
	int64_t lock_at; /* when the state file's lock is looked at next */
};

/* follow.c: telling, holding, committing, flushing. */
/* Tells of an event (n->name NULL: ""); fl_report: one that names
 * only a file, with err. */
void fl_tell(struct fl *f, struct follow_note *n);
void fl_report(struct fl *f, enum follow_event ev, int err, const char *name);
/* Stops reading and writing until a retry from the last commit (after
 * the back-off); fl_fault tells why first. */
void fl_hold(struct fl *f);
void fl_fault(struct fl *f, enum follow_event ev, int err, const char *detail);
/* The output as a commit records it, and 1 in *ready if a commit can be
 * taken (nothing buffered, no error). */
void fl_out_now(const struct fl *f, struct commit_out *co, int *ready);
/* A commit with flush_at as its write-ahead record (-1: none): 0; 1 if
 * not on disk (told); -1 if none could be taken. */
int fl_save(struct fl *f, off_t flush_at);
/* Before more is converted: W renewed if due (commit_wall_due). 0, or
 * -1 if the output could not be flushed (the recovery is started). */
int fl_judge_fresh(struct fl *f);
/* A commit that must be on disk before going on: 0, else held: -1.
 * fl_barrier_anew: one that begins an input anew from 0
 * (commit_barrier). */
int fl_barrier(struct fl *f);
int fl_barrier_anew(struct fl *f);
/* commit_out_named() of the open output. */
int fl_out_named(const struct fl *f);
/* Writes out what is buffered: 0, or -1 with the recovery started (or
 * the reader of the output gone). */
int fl_flush_out(struct fl *f);

/* follow_input.c: the input's moves. */
/* Starts reading from state s (NULL: none); also how a failure is
 * recovered from, with the last commit (quiet: a plain resume untold). */
void fl_start(struct fl *f, const struct state *s, int quiet);
/* Opens the path (among the n files scanned) from off (-1: its end) as
 * a new input. 0, or -1 with errno (ENOENT: not there). */
int fl_open_path(struct fl *f, size_t n, off_t off);
/* Reads on: OUTCOME_PROGRESS if bytes came (caught_up set if it read
 * to the input's end), _IDLE, _READ_ERROR or _WRITE_ERROR. */
enum outcome fl_read(struct fl *f);
/* Leaves the input, read to its end, for the next file. */
void fl_switch(struct fl *f);
/* The input was truncated (or rewritten) under the read offset. */
void fl_truncate(struct fl *f);
int fl_copy_at_zero(struct fl *f);

#endif
