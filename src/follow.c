/*
 * follow: follow mode's loop. Why it is exactly once, and what each
 * commit below must come before: the head of commit.c. What is seen of
 * the input over time: watch.c; the decisions: rotation.c.
 */
#include "follow.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commit.h"
#include "outcome.h"
#include "pipeline.h"
#include "rotation.h"
#include "sink.h"
#include "state.h"
#include "watch.h"

/* A long backlog is read in slices, so that signals are seen. */
#define READ_SLICE (8 * 1024 * 1024)

struct fl {
	const struct follow_opts *o;
	const struct clock *clock;
	struct watch *w;
	struct commit *cm;
	struct pipeline *p;
	const struct sink *out;

	int want_reopen;  /* reopen the output before starting again */
	int quiet_retry;  /* the retry is no failure (output moved) */
	int out_gone;     /* the reader of the output went away (EPIPE) */
	int fault;        /* waiting to start again from the commit */
	int recovering;   /* started again, not yet caught up */
	int64_t retry_at; /* ... at this time */
	int64_t backoff;
	int told_waiting;
	int64_t next_tick;
};

/* The output as a commit records it (sink_identity), and whether a
 * commit can be taken: nothing buffered, no error. */
static void
out_now(const struct fl *f, struct commit_out *co, int *ready)
{
	struct sink_id id;

	memset(co, 0, sizeof(*co));
	if (sink_identity(f->out, &id) == 1) {
		co->have = 1;
		co->dev = id.dev;
		co->ino = id.ino;
		co->size = id.size;
	}
	co->skip = sink_skipping(f->out);
	*ready = sink_error(f->out) == 0 && sink_pending(f->out) == 0;
}

static void
report(struct fl *f, enum follow_event ev, int err, const char *detail)
{
	if (f->o->report != NULL)
		f->o->report(f->o->ctx, ev, err, detail != NULL ? detail : "");
}

int64_t
follow_backoff(const struct clock *clock, int64_t *delay)
{
	int64_t at = clock_now(clock) + *delay;

	*delay = *delay * 2 > FOLLOW_BACKOFF_MAX_MS ? FOLLOW_BACKOFF_MAX_MS
	                                            : *delay * 2;
	return at;
}

/* Stops reading and writing until a retry from the last commit. */
static void
hold(struct fl *f)
{
	f->fault = 1;
	f->retry_at = follow_backoff(f->clock, &f->backoff);
}

static void
fault(struct fl *f, enum follow_event ev, int err, const char *detail)
{
	report(f, ev, err, detail);
	hold(f);
}

/* A commit (commit_take) with flush_at as its write-ahead record (-1:
 * none): 0, 1 if not on disk (told), -1 if none could be taken. */
static int
save(struct fl *f, off_t flush_at)
{
	struct commit_point pt;
	int rc;

	memset(&pt, 0, sizeof(pt));
	out_now(f, &pt.out, &pt.ready);
	pt.fd = watch_fd(f->w);
	if (pt.fd >= 0) {
		pt.dev = watch_dev(f->w);
		pt.ino = watch_ino(f->w);
		pt.pos = pipeline_position(f->p);
		pt.have_stamp = pipeline_stamp(f->p, &pt.stamp);
		watch_get_prev(f->w, &pt.prev);
	}
	pt.flush_at = flush_at;
	pt.replay_at = pipeline_flush_at(f->p);
	rc = commit_take(f->cm, &pt);
	if (rc == 1)
		report(f, FOLLOW_SAVE_FAILED, errno, f->o->state_path);
	return rc;
}

/* A commit that must be on disk before going on (leaving an input or an
 * output): 0 once it is, else the follower holds and retries: -1. */
static int
barrier(struct fl *f)
{
	if (save(f, -1) == 0)
		return 0;
	if (!f->fault)
		hold(f);
	return -1;
}

/* commit_out_named of the open output. */
static int
out_named(const struct fl *f)
{
	struct commit_out co;
	int ready;

	out_now(f, &co, &ready);
	return commit_out_named(f->cm, &co);
}

/* Opens file at of the last scan at off (-1: its end) as the input. */
static int
open_input(struct fl *f, size_t at, off_t off)
{
	if ((off = watch_open(f->w, at, off)) < 0)
		return -1;
	pipeline_input(f->p, watch_fd(f->w), off, watch_dev(f->w),
	    watch_ino(f->w));
	return 0;
}

static int
open_path(struct fl *f, size_t n, off_t off)
{
	if ((off = watch_open_path(f->w, n, off)) < 0)
		return -1;
	pipeline_input(f->p, watch_fd(f->w), off, watch_dev(f->w),
	    watch_ino(f->w));
	return 0;
}

static const char *
start_text(enum rotation_start d)
{
	switch (d) {
	case ROTATION_START_WAIT:
		return "missing, waiting for it";
	case ROTATION_START_END:
		return "no state, starting at its end";
	case ROTATION_START_BEGIN:
		return "starting at its beginning";
	case ROTATION_START_PICK:
		return "resuming at the saved position";
	}
	return "";
}

/* From the saved state s, at its position: the output's skip, the
 * write-ahead record and the stamp a continuation line goes under. */
static void
resume(struct fl *f, const struct state *s)
{
	struct commit_out co;
	char why[256];
	int ready, changed;

	out_now(f, &co, &ready);
	sink_skip(f->out,
	    commit_replay_skip(f->cm, s, &co, &changed, why, sizeof(why)));
	if (changed)
		report(f, FOLLOW_OPTIONS_CHANGED, 0, why);
	pipeline_replay_flush(f->p, s->flush_at);
	if (s->have_stamp)
		pipeline_resume(f->p, &s->stamp, s->pos);
}

/*
 * Starts reading from state s (NULL: none): the start decisions of
 * rotation.c. Also how a failure is recovered from, with the last commit.
 */
static void
start(struct fl *f, const struct state *s, int quiet)
{
	struct rotation_start_obs obs;
	struct rotation_pick p;
	enum rotation_start d;
	char msg[1536];
	int rc = 0, loses = 0, plain;
	size_t n, len;

	if (commit_mark(f->cm) < 0) {
		fault(f, FOLLOW_SAVE_FAILED, errno, f->o->state_path);
		return;
	}
	n = watch_scan(f->w);
	memset(&obs, 0, sizeof(obs));
	obs.have_state = s != NULL && s->have_input;
	/* A state without input was waiting for the file: from 0; so is a
	 * start whose position was never saved. */
	obs.from_start = f->o->from_start || (s != NULL && !s->have_input) ||
	    commit_unsaved_start(f->cm);
	obs.path_exists = watch_path_index(f->w, n) >= 0;
	d = rotation_start_decide(&obs);
	sink_skip(f->out, 0);
	commit_no_skip(f->cm);
	pipeline_replay_flush(f->p, -1);
	memset(&p, 0, sizeof(p));
	msg[0] = '\0';
	switch (d) {
	case ROTATION_START_PICK:
		/* Only decided with obs.have_state, so s is not NULL; the
		 * analyzer cannot see into rotation_start_decide(). */
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		watch_set_prev(f->w, s);
		watch_observe(f->w, n, s->in_dev, s->in_ino, s->pos, s->hash,
		    s->hash_len, 1);
		watch_pick(f->w, n, 0, &p);
		if (p.at < 0)
			watch_close(f->w);
		else if (p.resume) {
			if ((rc = open_input(f, (size_t)p.at, s->pos)) == 0)
				resume(f, s);
		} else if ((rc = open_input(f, (size_t)p.at, 0)) == 0)
			watch_note_prev(f->w, (size_t)p.at);
		loses = rotation_pick_text(watch_file(f->w, 0), &p, f->o->path,
		    watch_dir(f->w), s->pos, msg, sizeof(msg));
		break;
	case ROTATION_START_END:
	case ROTATION_START_BEGIN:
		rc = open_path(f, n, d == ROTATION_START_END ? -1 : 0);
		break;
	case ROTATION_START_WAIT:
		watch_close(f->w);
		break;
	}
	if (rc < 0) {
		fault(f, FOLLOW_OPEN_FAILED, errno, f->o->path);
		return;
	}
	/* Nothing is read before the starting position is on disk: a crash
	 * after reading would otherwise lose all since the start. save()
	 * has told why it failed. */
	if (save(f, -1) != 0) {
		if (!commit_durable(f->cm)) {
			watch_close(f->w);
			hold(f);
			return;
		}
		/* The output is written only once the state on disk names
		 * it. */
		if (!f->fault && !out_named(f))
			hold(f);
	}
	if (d != ROTATION_START_PICK)
		snprintf(msg, sizeof(msg), "%s", start_text(d));
	if (d == ROTATION_START_BEGIN && commit_unsaved_start(f->cm))
		snprintf(msg, sizeof(msg),
		    "an earlier start was not saved (killed before its first"
		    " save), starting at its beginning");
	if (sink_skipping(f->out) > 0) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len,
		    "; %jd bytes of its output are already written, not"
		    " repeated",
		    (intmax_t)sink_skipping(f->out));
	}
	/* Entries that cannot be read are told of always (a recovery starts
	 * from a commit past the last loss told); a missing file once, by
	 * the first round. */
	plain = d == ROTATION_START_PICK && p.resume && !p.content &&
	    watch_file(f->w, (size_t)p.at)->is_path;
	if (loses)
		report(f, FOLLOW_LOST, 0, msg);
	else if (watch_is_open(f->w) &&
	    (!quiet || !plain || sink_skipping(f->out) > 0))
		report(f, FOLLOW_START, 0, msg);
}

/* Takes the lines read (at_end: the last one without LF too). */
static enum outcome
take(struct fl *f, int at_end)
{
	enum outcome r = pipeline_take(f->p, at_end);

	if (r != OUTCOME_IDLE)
		commit_dirty(f->cm);
	return r;
}

/*
 * Reads the input to its end, or READ_SLICE bytes of a long backlog, so
 * that signals are seen while catching up: OUTCOME_PROGRESS if bytes
 * came, _IDLE if none, _READ_ERROR or _WRITE_ERROR.
 */
static enum outcome
read_input(struct fl *f)
{
	off_t first = pipeline_read_offset(f->p), before;
	const char *bytes = NULL;
	int got = 0;
	ssize_t n;

	for (;;) {
		if (take(f, 0) == OUTCOME_WRITE_ERROR)
			return OUTCOME_WRITE_ERROR;
		before = pipeline_read_offset(f->p);
		if (before - first >= READ_SLICE)
			return OUTCOME_PROGRESS;
		n = pipeline_fill(f->p, &bytes);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return OUTCOME_READ_ERROR;
		if (n == 0)
			return got ? OUTCOME_PROGRESS : OUTCOME_IDLE;
		/* Truncated (and regrown) since the bytes before were read:
		 * these are not the bytes after them. Unread, the next round
		 * sees the truncation. */
		if (watch_tail_changed(f->w, before)) {
			pipeline_unread(f->p, (size_t)n);
			return OUTCOME_PROGRESS;
		}
		watch_note_bytes(f->w, bytes, (size_t)n);
		got = 1;
		watch_grew(f->w);
	}
}

/* The file is being left: its last line counts even without newline. */
static enum outcome
read_to_end(struct fl *f)
{
	enum outcome r = read_input(f);

	if (r == OUTCOME_READ_ERROR)
		return r;
	return take(f, 1);
}

/*
 * Writes out what is buffered; a failure starts the recovery, except a
 * reader gone away (EPIPE), which ends follow mode as it ends pipe mode.
 */
static int
flush_out(struct fl *f)
{
	int e;

	if (sink_flush(f->out) < 0) {
		e = sink_error(f->out) != 0 ? sink_error(f->out) : errno;
		if (e == EPIPE) {
			f->out_gone = 1;
		} else if (e == ESTALE) {
			/* The path names another file (rotated): nothing was
			 * written. From the last commit again, into the file
			 * the path names, at once. */
			f->want_reopen = 1;
			f->quiet_retry = 1;
			f->fault = 1;
			f->retry_at = clock_now(f->clock);
		} else
			fault(f, FOLLOW_WRITE_FAILED, e, sink_name(f->out));
		return -1;
	}
	return 0;
}

/* Leaves the input, read to its end, for the next file: the oldest
 * rotated file newer than it, or the path (rotation_pick()). */
static void
switch_input(struct fl *f)
{
	struct rotation_pick p;
	char names[512], msg[1024];
	size_t n;

	if (read_to_end(f) == OUTCOME_READ_ERROR) {
		fault(f, FOLLOW_READ_FAILED, errno, watch_name(f->w));
		return;
	}
	pipeline_end(f->p);
	if (flush_out(f) < 0)
		return;
	/* Left only once its end is committed on disk (commit.c). */
	if (barrier(f) < 0)
		return;
	n = watch_scan(f->w);
	watch_observe_open(f->w, n);
	watch_pick(f->w, n, 1, &p);
	rotation_list_names(watch_file(f->w, 0), p.skip_from, p.skip_to, names,
	    sizeof(names));
	if (names[0] != '\0') {
		snprintf(msg, sizeof(msg),
		    "%s: rotated files compressed before they were read, their"
		    " entries are lost: %s",
		    f->o->path, names);
		report(f, FOLLOW_LOST, 0, msg);
	}
	watch_close(f->w);
	if (p.at < 0) {
		/* Nothing newer yet: the next rounds open the path. */
	} else if (open_input(f, (size_t)p.at, 0) < 0) {
		/* Gone again, or unreadable: the next rounds open the path
		 * when they can. */
		if (errno != ENOENT)
			fault(f, FOLLOW_OPEN_FAILED, errno, f->o->path);
	} else {
		watch_note_prev(f->w, (size_t)p.at);
		report(f, FOLLOW_ROTATED, 0, watch_name(f->w));
	}
	save(f, -1);
}

/*
 * The input was truncated (or rewritten) under the read offset. If
 * another file beside it holds the bytes read so far (copytruncate's
 * copy), the read goes on there, the unfinished last line included;
 * then, that copy left as a rotated file, on to the path from 0.
 * Without one, the unfinished last line is taken as it is (as a rename
 * does) and the file is read from 0.
 */
static void
truncate_input(struct fl *f)
{
	char msg[1024];
	size_t n = watch_scan(f->w);
	off_t off = pipeline_read_offset(f->p);
	long at = watch_find_copy(f->w, n, off);

	if (at >= 0 && watch_switch(f->w, (size_t)at, off) == 0) {
		pipeline_switch(f->p, watch_fd(f->w), watch_dev(f->w),
		    watch_ino(f->w));
		snprintf(msg, sizeof(msg),
		    "%s (what was not read yet is in its copy %s, read first)",
		    f->o->path, watch_file(f->w, (size_t)at)->name);
		report(f, FOLLOW_TRUNCATED, 0, msg);
		return;
	}
	take(f, 1);
	pipeline_end(f->p);
	if (flush_out(f) < 0)
		return;
	if (lseek(watch_fd(f->w), 0, SEEK_SET) < 0) {
		fault(f, FOLLOW_READ_FAILED, errno, watch_name(f->w));
		return;
	}
	pipeline_input(f->p, watch_fd(f->w), 0, watch_dev(f->w),
	    watch_ino(f->w));
	watch_forget_tail(f->w);
	report(f, FOLLOW_TRUNCATED, 0, watch_name(f->w));
	/* The bytes read are gone: as when an input is left, nothing of
	 * the new ones is read before this start is on disk (barrier; the
	 * start from it, too, holds while its save fails). */
	if (barrier(f) < 0)
		commit_undurable(f->cm);
}

/*
 * Before the output is left while a replay still skips bytes in it: a
 * line it ends without is not to be completed in the next file, but
 * written there whole; the skip is shortened by that part.
 */
static void
leave_output(struct fl *f)
{
	off_t skip = sink_skipping(f->out), span, torn = 0;

	span = commit_leave_span(f->cm, skip);
	if (span > 0)
		torn = sink_torn_tail(f->out, span);
	skip = commit_left(f->cm, skip, torn);
	if (torn > 0)
		sink_skip(f->out, skip);
}

/*
 * Output renamed, deleted, or SIGHUP: commit, reopen, commit; each commit
 * on disk before going on (commit.c), else held and retried.
 */
static void
reopen_output(struct fl *f)
{
	if (flush_out(f) < 0 || barrier(f) < 0)
		return;
	leave_output(f);
	if (sink_reopen(f->out) < 0) {
		fault(f, FOLLOW_REOPEN_FAILED, errno, sink_name(f->out));
		return;
	}
	if (!out_named(f))
		barrier(f);
}

/* One round: look at the file and the path, and act. 1 if it moved. */
static int
round_once(struct fl *f, int64_t now)
{
	struct rotation_obs obs;
	enum outcome r;
	int odd;

	if (watch_look(f->w, pipeline_read_offset(f->p), now, &obs, &odd) < 0) {
		fault(f, FOLLOW_READ_FAILED, errno, f->o->path);
		return 0;
	}
	if (odd)
		report(f, FOLLOW_NOT_REGULAR, 0, f->o->path);
	switch (rotation_decide(&obs)) {
	case ROTATION_OPEN:
		if (open_path(f, watch_scan(f->w), 0) < 0) {
			if (errno != ENOENT)
				fault(f, FOLLOW_OPEN_FAILED, errno, f->o->path);
			return 0;
		}
		if (f->told_waiting)
			report(f, FOLLOW_APPEARED, 0, f->o->path);
		f->told_waiting = 0;
		/* A state that names no input has a restart read the path
		 * from 0, skipping nothing: nothing is read of it before the
		 * commit naming it is on disk (as after a truncation). */
		if (barrier(f) < 0)
			commit_undurable(f->cm);
		return 1;
	case ROTATION_READ:
		r = read_input(f);
		if (r == OUTCOME_READ_ERROR)
			fault(f, FOLLOW_READ_FAILED, errno, f->o->path);
		else if (r == OUTCOME_WRITE_ERROR)
			flush_out(f);
		return r == OUTCOME_PROGRESS;
	case ROTATION_TRUNCATED:
		truncate_input(f);
		return 1;
	case ROTATION_SWITCH:
		switch_input(f);
		return 1;
	case ROTATION_IDLE:
		if (!obs.have_fd && !f->told_waiting && !watch_odd(f->w)) {
			report(f, FOLLOW_WAITING, 0, f->o->path);
			f->told_waiting = 1;
		}
		return 0;
	case ROTATION_DRAIN:
		return 0;
	}
	return 0;
}

/*
 * The pending entry leaves now; first its offset is committed, as the
 * write-ahead record of this flush. If the state file cannot be written
 * the entry leaves all the same (it is due, and a state file that cannot
 * be written is reported): a replay from the older saved state then
 * differs only if a continuation line came after this flush, which it
 * would join to the entry instead of writing apart.
 */
static void
flush_pending(struct fl *f)
{
	if (pipeline_deadline(f->p) == INT64_MAX)
		return;
	if (save(f, pipeline_taken(f->p)) < 0)
		return;
	pipeline_flush(f->p);
	if (flush_out(f) == 0)
		save(f, -1);
}

/*
 * Starts again from the last commit, after a failure, or after the
 * output was found rotated before a write: then reopened first, once the
 * commit is on disk, so that the rotated file's surplus is counted.
 */
static void
recover(struct fl *f)
{
	int quiet = f->quiet_retry;

	sink_clear(f->out);
	pipeline_discard(f->p);
	watch_close(f->w);
	f->fault = 0;
	f->quiet_retry = 0;
	if (f->want_reopen) {
		if (commit_write(f->cm) < 0) {
			report(f, FOLLOW_SAVE_FAILED, errno, f->o->state_path);
			hold(f);
			return;
		}
		if (sink_reopen(f->out) < 0) {
			fault(f, FOLLOW_REOPEN_FAILED, errno,
			    sink_name(f->out));
			return;
		}
		f->want_reopen = 0;
	}
	start(f, commit_last(f->cm), 1);
	if (!quiet)
		f->recovering = !f->fault;
}

static int64_t
earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Blocks until an event, a signal or the nearest deadline. */
static void
wait_events(struct fl *f, int64_t now)
{
	struct pollfd pfd = {.fd = watch_pollfd(f->w), .events = POLLIN};
	int64_t until = f->next_tick, ms;
	struct timespec ts;

	if (f->fault)
		until = earliest(until, f->retry_at);
	else {
		until = earliest(until, pipeline_deadline(f->p));
		until = earliest(until, commit_deadline(f->cm));
		until = earliest(until, watch_deadline(f->w));
	}
	ms = until - now;
	if (ms < 0)
		ms = 0;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	if (ppoll(pfd.fd >= 0 ? &pfd : NULL, pfd.fd >= 0 ? 1 : 0, &ts,
	        f->o->sig->mask) > 0)
		watch_drain(f->w);
}

/* SIGTERM/SIGINT: the pending entry and the state, then return. */
static void
finish(struct fl *f)
{
	if (f->fault || flush_out(f) < 0)
		return; /* the last commit stands */
	flush_pending(f);
	if (!f->fault)
		save(f, -1);
}

/* SIGHUP: the output is reopened. */
static void
hangup(struct fl *f, int64_t now)
{
	if (!f->fault) {
		reopen_output(f);
	} else {
		/* Perhaps the cure (a new output, space made): nothing
		 * buffered counts, retry now. */
		f->want_reopen = 1;
		f->retry_at = now;
	}
}

/* After a round with nothing new: flush, commit, tick. */
static void
idle(struct fl *f)
{
	int64_t now;

	if (f->recovering) {
		/* Caught up with everything written: working. */
		f->recovering = 0;
		f->backoff = FOLLOW_BACKOFF_MIN_MS;
		report(f, FOLLOW_RECOVERED, 0, f->o->path);
	}
	now = clock_now(f->clock);
	if (now >= pipeline_deadline(f->p))
		flush_pending(f);
	if (!f->fault && commit_due(f->cm, now))
		save(f, -1);
	if (now >= f->next_tick) {
		f->next_tick = now + ROTATION_TICK_MS;
		watch_tick(f->w);
		if (!f->fault && sink_moved(f->out))
			reopen_output(f);
	}
}

static void
loop(struct fl *f)
{
	const struct pipeline_signals *sig = f->o->sig;

	for (;;) {
		int64_t now = clock_now(f->clock);

		if (*sig->stop || f->out_gone)
			break;
		if (sig->hup != NULL && *sig->hup) {
			*sig->hup = 0;
			hangup(f, now);
		}
		if (f->fault) {
			if (now >= f->retry_at)
				recover(f);
			if (f->fault) {
				wait_events(f, now);
				continue;
			}
		}
		if (round_once(f, now) && !f->fault) {
			/* A long burst still commits about once a second. */
			if (commit_interval_passed(f->cm, now) &&
			    flush_out(f) == 0)
				save(f, -1);
			/* More may be there: no wait, but let a pending
			 * signal in. */
			ppoll(NULL, 0, &(struct timespec){0, 0}, sig->mask);
			continue;
		}
		if (f->fault || flush_out(f) < 0)
			continue;
		idle(f);
		if (f->fault)
			continue;
		wait_events(f, clock_now(f->clock));
	}
}

int
follow_run(struct pipeline *p, const struct sink *out,
    const struct follow_opts *o)
{
	const struct clock *clock = o->clock != NULL ? o->clock : &clock_system;
	struct commit_opts co = {.state_path = o->state_path,
	    .options = o->options,
	    .out_path = sink_path(out),
	    .clock = clock};
	char why[512];
	struct fl f;

	memset(&f, 0, sizeof(f));
	f.o = o;
	f.p = p;
	f.out = out;
	f.clock = clock;
	f.backoff = FOLLOW_BACKOFF_MIN_MS;
	if ((f.w = watch_new(o->path, !o->no_inotify, clock)) == NULL)
		return -1;
	if ((f.cm = commit_new(&co)) == NULL) {
		watch_free(f.w);
		errno = ENOMEM;
		return -1;
	}
	if (!o->no_inotify && watch_inotify_error(f.w) != 0)
		report(&f, FOLLOW_NO_INOTIFY, watch_inotify_error(f.w),
		    watch_dir(f.w));
	if (commit_load(f.cm, why, sizeof(why)))
		report(&f, FOLLOW_STATE_REJECTED, 0, why);
	/* Each write batch first checks that the path names the file. */
	sink_guard(out, 1);
	start(&f, commit_loaded(f.cm), 0);
	loop(&f);
	finish(&f);
	sink_guard(out, 0);
	watch_free(f.w);
	commit_free(f.cm);
	return f.out_gone ? 1 : 0;
}
