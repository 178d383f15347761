/*
 * follow: follow mode's loop: rounds (look, decide, act), the output's
 * moves (flush, reopen), recovery from the last commit, waits, finish.
 * Why it is exactly once, and what each commit must come before: the
 * head of commit.c. What is seen of the input: watch.c; the decisions:
 * rotation.c; the input's moves: follow_input.c.
 */
#include "follow.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "follow_impl.h"
#include "rotation.h"

/* The output as a commit records it (sink_identity), and whether a
 * commit can be taken: nothing buffered, no error. */
void
fl_out_now(const struct fl *f, struct commit_out *co, int *ready)
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

void
fl_tell(struct fl *f, struct follow_note *n)
{
	if (n->name == NULL)
		n->name = "";
	if (f->o->report != NULL)
		f->o->report(f->o->ctx, n);
}

void
fl_report(struct fl *f, enum follow_event ev, int err, const char *name)
{
	struct follow_note n = {.ev = ev, .err = err, .name = name};

	fl_tell(f, &n);
}

int64_t
follow_backoff(const struct clock *clock, int64_t *delay)
{
	int64_t at = clock_now(clock) + *delay;

	*delay = *delay * 2 > FOLLOW_BACKOFF_MAX_MS ? FOLLOW_BACKOFF_MAX_MS
	                                            : *delay * 2;
	return at;
}

/* Stops reading and writing until a retry from the last commit, after
 * the back-off (C18). */
void
fl_hold(struct fl *f)
{
	follow_mode_fail(&f->mode, f->clock);
}

void
fl_fault(struct fl *f, enum follow_event ev, int err, const char *detail)
{
	fl_report(f, ev, err, detail);
	fl_hold(f);
}

/* What is converted from now on is judged by the W of the commit on
 * disk (C9). */
static void
judge_by_commit(struct fl *f)
{
	int64_t w;
	int have = commit_wall(f->cm, &w);

	pipeline_judge_at(f->p, have, w);
}

/* What a commit with flush_at as its write-ahead record (-1: none)
 * records now. */
static void
point(struct fl *f, off_t flush_at, struct commit_point *pt)
{
	memset(pt, 0, sizeof(*pt));
	fl_out_now(f, &pt->out, &pt->ready);
	pt->fd = watch_fd(f->w);
	if (pt->fd >= 0) {
		pt->dev = watch_dev(f->w);
		pt->ino = watch_ino(f->w);
		pt->pos = pipeline_position(f->p);
		pt->have_stamp = pipeline_stamp(f->p, &pt->stamp);
		watch_get_prev(f->w, &pt->prev);
	}
	pt->flush_at = flush_at;
	pt->replay_at = pipeline_flush_at(f->p);
	pt->wall_now = clock_now(f->wall);
}

/* After a commit was taken (rc as commit_take's): told if not on disk;
 * what is converted next is judged by the commit on disk. */
static int
taken(struct fl *f, int rc)
{
	if (rc == 1)
		fl_report(f, FOLLOW_SAVE_FAILED, errno, f->o->state_path);
	judge_by_commit(f);
	return rc;
}

/* A commit (commit_take) with flush_at as its write-ahead record (-1:
 * none): 0, 1 if not on disk (told), -1 if none could be taken. */
int
fl_save(struct fl *f, off_t flush_at)
{
	struct commit_point pt;

	point(f, flush_at, &pt);
	return taken(f, commit_take(f->cm, &pt));
}

int
fl_judge_fresh(struct fl *f)
{
	if (sink_skip_owed(f->out) > 0 ||
	    !commit_wall_due(f->cm, clock_now(f->wall), clock_now(f->clock)))
		return 0;
	if (fl_flush_out(f) < 0)
		return -1;
	fl_save(f, -1);
	return 0;
}

/* A commit that must be on disk before going on (leaving an input or an
 * output): 0 once it is, else the follower holds and retries: -1 (C15). */
static int
barrier(struct fl *f, int rc)
{
	if (rc == 0)
		return 0;
	if (!follow_mode_held(&f->mode))
		fl_hold(f);
	return -1;
}

int
fl_barrier(struct fl *f)
{
	return barrier(f, fl_save(f, -1));
}

/* The same, at a new input read from 0: until it is on disk the commit
 * is not durable (commit_barrier, C16). */
int
fl_barrier_anew(struct fl *f)
{
	struct commit_point pt;

	point(f, -1, &pt);
	return barrier(f, taken(f, commit_barrier(f->cm, &pt)));
}

/* commit_out_named of the open output. */
int
fl_out_named(const struct fl *f)
{
	struct commit_out co;
	int ready;

	fl_out_now(f, &co, &ready);
	return commit_out_named(f->cm, &co);
}

/*
 * Writes out what is buffered; a failure starts the recovery, except a
 * reader gone away (EPIPE), which ends follow mode as it ends pipe mode.
 */
int
fl_flush_out(struct fl *f)
{
	int e;

	if (sink_flush(f->out) < 0) {
		e = sink_error(f->out) != 0 ? sink_error(f->out) : errno;
		if (e == EPIPE) {
			follow_mode_gone(&f->mode);
		} else if (e == ESTALE) {
			/* The path names another file (rotated): nothing was
			 * written. From the last commit again, into the file
			 * the path names, at once (C17). */
			follow_mode_moved(&f->mode, f->clock, 1);
		} else
			fl_fault(f, FOLLOW_WRITE_FAILED, e, sink_name(f->out));
		return -1;
	}
	return 0;
}

/*
 * Before the output is left while a replay still skips bytes in it: a
 * line it ends without is not to be completed in the next file, but
 * written there whole; the skip is shortened by that part (C4).
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
 * on disk before going on (C15, C17), else held and retried.
 */
static void
reopen_output(struct fl *f)
{
	if (fl_flush_out(f) < 0 || fl_barrier(f) < 0)
		return;
	leave_output(f);
	if (sink_reopen(f->out) < 0) {
		fl_fault(f, FOLLOW_REOPEN_FAILED, errno, sink_name(f->out));
		return;
	}
	if (!fl_out_named(f))
		fl_barrier(f);
}

/* One round: look at the file and the path, and act. 1 if it moved. */
static int
round_once(struct fl *f, int64_t now)
{
	struct rotation_obs obs;
	enum outcome r;
	int odd;

	f->caught_up = 0;
	if (watch_look(f->w, pipeline_read_offset(f->p), now, &obs, &odd) < 0) {
		fl_fault(f, FOLLOW_READ_FAILED, errno, f->o->path);
		return 0;
	}
	if (odd)
		fl_report(f, FOLLOW_NOT_REGULAR, 0, f->o->path);
	if (obs.have_fd && obs.read_off == 0 && obs.path_same &&
	    fl_copy_at_zero(f))
		return 1;
	switch (rotation_decide(&obs)) {
	case ROTATION_OPEN:
		if (fl_open_path(f, watch_scan(f->w), 0) < 0) {
			if (errno != ENOENT)
				fl_fault(f, FOLLOW_OPEN_FAILED, errno,
				    f->o->path);
			return 0;
		}
		if (follow_mode_appeared(&f->mode))
			fl_report(f, FOLLOW_APPEARED, 0, f->o->path);
		/* A state that names no input has a restart read the path
		 * from 0, skipping nothing: nothing is read of it before the
		 * commit naming it is on disk (as after a truncation; C15,
		 * C16). */
		fl_barrier_anew(f);
		return 1;
	case ROTATION_READ:
		r = fl_read(f);
		if (r == OUTCOME_READ_ERROR)
			fl_fault(f, FOLLOW_READ_FAILED, errno, f->o->path);
		else if (r == OUTCOME_WRITE_ERROR &&
		    !follow_mode_held(&f->mode))
			fl_flush_out(f);
		return r == OUTCOME_PROGRESS;
	case ROTATION_TRUNCATED:
		fl_truncate(f);
		return 1;
	case ROTATION_SWITCH:
		fl_switch(f);
		return 1;
	case ROTATION_IDLE:
		if (!obs.have_fd && !watch_odd(f->w) &&
		    follow_mode_missing(&f->mode))
			fl_report(f, FOLLOW_WAITING, 0, f->o->path);
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
 * would join to the entry instead of writing apart (C5, C6).
 */
static void
flush_pending(struct fl *f)
{
	if (pipeline_deadline(f->p) == INT64_MAX)
		return;
	if (fl_save(f, pipeline_taken(f->p)) < 0)
		return;
	pipeline_flush(f->p);
	if (fl_flush_out(f) == 0)
		fl_save(f, -1);
}

/*
 * Starts again from the last commit, after a failure, or after the
 * output was found rotated before a write: then reopened first, once the
 * commit is on disk, so that the rotated file's surplus is counted (C17,
 * C18).
 */
static void
recover(struct fl *f)
{
	sink_clear(f->out);
	pipeline_discard(f->p);
	watch_close(f->w);
	if (follow_mode_reopen(&f->mode)) {
		if (commit_write(f->cm) < 0) {
			fl_fault(f, FOLLOW_SAVE_FAILED, errno,
			    f->o->state_path);
			return;
		}
		if (sink_reopen(f->out) < 0) {
			fl_fault(f, FOLLOW_REOPEN_FAILED, errno,
			    sink_name(f->out));
			return;
		}
		follow_mode_reopened(&f->mode);
	}
	follow_mode_resume(&f->mode);
	fl_start(f, commit_last(f->cm), 1);
}

static int64_t
earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * Blocks until an event that concerns the input, a signal or the nearest
 * deadline. Events for other files of the directory are read and the
 * wait goes on: no round for them.
 */
static void
wait_events(struct fl *f, int64_t now)
{
	struct pollfd pfd = {.fd = watch_pollfd(f->w), .events = POLLIN};
	int64_t until = f->next_tick, ms;
	struct timespec ts;

	if (f->o->lock_fd != NULL)
		until = earliest(until, f->lock_at);
	if (follow_mode_held(&f->mode))
		until = earliest(until, follow_mode_retry_at(&f->mode));
	else {
		until = earliest(until, pipeline_deadline(f->p));
		until = earliest(until, commit_deadline(f->cm));
		until = earliest(until, watch_deadline(f->w));
	}
	for (;;) {
		ms = until - now;
		if (ms < 0)
			ms = 0;
		if (ppoll(pfd.fd >= 0 ? &pfd : NULL, pfd.fd >= 0 ? 1 : 0,
		        clock_wait_time(&ts, ms), f->o->sig->mask) <= 0 ||
		    watch_drain(f->w))
			return;
		now = clock_now(f->clock);
	}
}

/*
 * The state file's lock, looked at every FOLLOW_LOCK_LOOK_MS: its file
 * deleted, it is made again; taken by another process (its file deleted
 * and made by a newcomer while this one was stopped), this one stops at
 * once, writing and saving nothing more: the other goes on from the last
 * commit, as after a crash. -1 then.
 */
static int
keep_lock(struct fl *f, int64_t now)
{
	struct follow_note n = {.ev = FOLLOW_LOCK_LOST};

	f->lock_at = now + FOLLOW_LOCK_LOOK_MS;
	if (state_lock_keep(f->o->lock_fd, f->o->state_path, &n.holder) == 0)
		return 0;
	fl_tell(f, &n);
	follow_mode_lock_lost(&f->mode);
	return -1;
}

/* SIGTERM/SIGINT: the pending entry and the state, then return. */
static void
finish(struct fl *f)
{
	if (follow_mode_id(&f->mode) == FOLLOW_MODE_LOCK_LOST ||
	    follow_mode_held(&f->mode) || fl_flush_out(f) < 0)
		return; /* the last commit stands */
	flush_pending(f);
	if (!follow_mode_held(&f->mode))
		fl_save(f, -1);
}

/* SIGHUP: the output is reopened. */
static void
hangup(struct fl *f, int64_t now)
{
	if (!follow_mode_held(&f->mode))
		reopen_output(f);
	else /* Perhaps the cure (a new output, space made): nothing
	      * buffered counts, retry now. */
		follow_mode_hangup(&f->mode, now);
}

/*
 * After a round with nothing new, begun at now: flush, commit, tick. The
 * pending entry is judged at the round's start, not later: the round
 * found no new line, so none was written before now; had the clock been
 * read after it (the follower held there on a busy machine), a line
 * written meanwhile, within the flush timeout, would be split off.
 */
static void
idle(struct fl *f, int64_t now)
{
	/* Caught up with everything written: working. */
	if (follow_mode_caught_up(&f->mode))
		fl_report(f, FOLLOW_RECOVERED, 0, f->o->path);
	if (pipeline_due(f->p, now))
		flush_pending(f);
	if (!follow_mode_held(&f->mode) && commit_due(f->cm, now))
		fl_save(f, -1);
	if (now >= f->next_tick) {
		f->next_tick = now + ROTATION_TICK_MS;
		watch_tick(f->w);
		if (!follow_mode_held(&f->mode) && sink_moved(f->out))
			reopen_output(f);
	}
}

static void
loop(struct fl *f)
{
	const struct pipeline_signals *sig = f->o->sig;

	for (;;) {
		int64_t now = clock_now(f->clock);

		if (*sig->stop || follow_mode_id(&f->mode) == FOLLOW_MODE_GONE)
			break;
		if (f->o->lock_fd != NULL && now >= f->lock_at &&
		    keep_lock(f, now) < 0)
			break;
		if (sig->hup != NULL && *sig->hup) {
			*sig->hup = 0;
			hangup(f, now);
		}
		if (follow_mode_held(&f->mode)) {
			if (now >= follow_mode_retry_at(&f->mode))
				recover(f);
			if (follow_mode_held(&f->mode)) {
				wait_events(f, now);
				continue;
			}
		}
		/* Read to the end with inotify on: a round more would only
		 * find the end again; whatever changes now wakes the wait. */
		if (round_once(f, now) && !follow_mode_held(&f->mode) &&
		    !(f->caught_up && watch_pollfd(f->w) >= 0)) {
			/* A long burst still commits about once a second. */
			if (commit_interval_passed(f->cm, now) &&
			    fl_flush_out(f) == 0)
				fl_save(f, -1);
			/* More may be there: no wait, but let a pending
			 * signal in. */
			ppoll(NULL, 0, &(struct timespec){0, 0}, sig->mask);
			continue;
		}
		if (follow_mode_held(&f->mode) || fl_flush_out(f) < 0)
			continue;
		idle(f, now);
		if (follow_mode_held(&f->mode))
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
	    .out = out,
	    .clock = clock,
	    .judge = o->judge};
	struct fl f = {.o = o,
	    .p = p,
	    .out = out,
	    .clock = clock,
	    .wall = o->wall != NULL ? o->wall : &clock_wall};
	char why[512];

	follow_mode_init(&f.mode);
	if ((f.w = watch_new(o->path, !o->no_inotify, clock)) == NULL)
		return -1;
	if ((f.cm = commit_new(&co)) == NULL) {
		watch_free(f.w);
		errno = ENOMEM;
		return -1;
	}
	if (!o->no_inotify && watch_inotify_error(f.w) != 0)
		fl_report(&f, FOLLOW_NO_INOTIFY, watch_inotify_error(f.w),
		    watch_dir(f.w));
	if (commit_load(f.cm, why, sizeof(why)))
		fl_report(&f, FOLLOW_STATE_REJECTED, 0, why);
	judge_by_commit(&f);
	/* Each write batch first checks that the path names the file (C17). */
	sink_guard(out, 1);
	fl_start(&f, commit_loaded(f.cm), 0);
	loop(&f);
	finish(&f);
	sink_guard(out, 0);
	watch_free(f.w);
	commit_free(f.cm);
	return follow_mode_id(&f.mode) == FOLLOW_MODE_LOCK_LOST ? 2
	    : follow_mode_id(&f.mode) == FOLLOW_MODE_GONE       ? 1
	                                                        : 0;
}
