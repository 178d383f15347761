/*
 * follow_input: follow mode's moves of the input: the start from a
 * commit (which file, what the output already holds, the stamp to
 * resume under), reading on, leaving a rotated file for the next, a
 * truncation. watch.c sees, rotation.c decides, this acts; the order of
 * each commit against each move is argued at the head of commit.c.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "follow_impl.h"
#include "rotation.h"

/* A long backlog is read in slices, so that signals are seen. */
#define READ_SLICE (8 * 1024 * 1024)

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

int
fl_open_path(struct fl *f, size_t n, off_t off)
{
	if ((off = watch_open_path(f->w, n, off)) < 0)
		return -1;
	pipeline_input(f->p, watch_fd(f->w), off, watch_dev(f->w),
	    watch_ino(f->w));
	return 0;
}

/* From the saved state s, at its position: the output's skip (C3, C8),
 * the write-ahead record (C5) and the stamp a continuation line goes
 * under (C7). */
static void
resume(struct fl *f, const struct state *s)
{
	struct commit_out co;
	char why[256];
	int ready, changed;

	fl_out_now(f, &co, &ready);
	sink_skip(f->out,
	    commit_replay_skip(f->cm, s, &co, &changed, why, sizeof(why)));
	if (changed)
		fl_report(f, FOLLOW_OPTIONS_CHANGED, 0, why);
	pipeline_replay_flush(f->p, s->flush_at);
	if (s->have_stamp)
		pipeline_resume(f->p, &s->stamp, s->pos);
}

struct follow_start
follow_start_decide(const struct follow_start_obs *o)
{
	struct rotation_start_obs r;
	struct follow_start st;

	memset(&r, 0, sizeof(r));
	r.have_state = o->s != NULL && o->s->have_input;
	/* A state without input was waiting for the file: from 0; so is a
	 * start whose position was never saved. */
	r.from_start =
	    o->from_start || (o->s != NULL && !o->s->have_input) || o->unsaved;
	r.path_exists = o->path_exists;
	st.d = rotation_start_decide(&r);
	st.why = FOLLOW_START_SAVED;
	switch (st.d) {
	case ROTATION_START_PICK:
		break;
	case ROTATION_START_WAIT:
		st.why = FOLLOW_START_MISSING;
		break;
	case ROTATION_START_END:
		st.why = FOLLOW_START_NEW;
		break;
	case ROTATION_START_BEGIN:
		st.why = o->unsaved ? FOLLOW_START_UNSAVED
		    : o->s != NULL  ? FOLLOW_START_WAITED
		                    : FOLLOW_START_OPTION;
		break;
	}
	return st;
}

/* Opens the input where the start st reads (of the n files scanned):
 * with PICK, the file *p picks (C20..C23); with BEGIN after an unsaved
 * start, the file at *at (C27). 0, or -1 with errno. */
static int
start_open(struct fl *f, const struct state *s, size_t n,
    const struct follow_start *st, struct rotation_pick *p, long *at)
{
	struct timespec marked;
	int rc = 0;

	switch (st->d) {
	case ROTATION_START_PICK:
		/* Only decided with a state; said again for the analyzer,
		 * which cannot see into follow_start_decide(). */
		if (s == NULL)
			return 0;
		watch_pick_start(f->w, n, s, p);
		if (p->at < 0)
			watch_close(f->w);
		else if (p->resume) {
			if ((rc = open_input(f, (size_t)p->at, s->pos)) == 0)
				resume(f, s);
		} else if ((rc = open_input(f, (size_t)p->at, 0)) == 0)
			watch_note_prev(f->w, n, (size_t)p->at, p->prev_at);
		return rc;
	case ROTATION_START_BEGIN:
		/* Never saved: from the oldest file written since the
		 * start's mark, wherever it was rotated to. */
		if (st->why == FOLLOW_START_UNSAVED &&
		    commit_unsaved_start(f->cm, &marked))
			*at = rotation_since(watch_file(f->w, 0), n, &marked);
		if (*at >= 0 && open_input(f, (size_t)*at, 0) == 0) {
			watch_note_prev(f->w, n, (size_t)*at, *at - 1);
			return 0;
		}
		*at = -1;
		return fl_open_path(f, n, 0);
	case ROTATION_START_END:
		return fl_open_path(f, n, -1);
	case ROTATION_START_WAIT:
		watch_close(f->w);
		break;
	}
	return 0;
}

/*
 * Nothing is read before the starting position is on disk: a crash
 * after reading would otherwise lose all since the start (C26); one not
 * on disk holds until its save is whole (C16, C28), and nothing is
 * written to an output the state on disk does not name (C14). fl_save()
 * has told why it failed. 0, or -1 if the start holds (its input
 * closed).
 */
static int
start_commit(struct fl *f)
{
	if (fl_save(f, -1) == 0)
		return 0;
	if (!commit_durable(f->cm)) {
		watch_close(f->w);
		fl_hold(f);
		return -1;
	}
	/* The output is written only once the state on disk names it. */
	if (!follow_mode_held(&f->mode) && !fl_out_named(f))
		fl_hold(f);
	return 0;
}

/*
 * Tells where the start st reads (pos: the state's position): entries
 * that cannot be read always (C23; a recovery starts from a commit past
 * the last loss told); else the start, unless it is a quiet retry's plain
 * resume.
 */
static void
start_tell(struct fl *f, off_t pos, const struct follow_start *st,
    const struct rotation_pick *p, long at, int quiet)
{
	struct follow_note n = {.ev = FOLLOW_START,
	    .start = *st,
	    .skipping = sink_skipping(f->out)};
	char pick[1536];
	int plain;

	if (st->d == ROTATION_START_PICK) {
		if (rotation_pick_text(watch_file(f->w, 0), p, f->o->path,
		        watch_dir(f->w), pos, pick, sizeof(pick)))
			n.ev = FOLLOW_LOST;
		n.pick = pick;
	}
	if (at >= 0 && !watch_file(f->w, (size_t)at)->is_path)
		n.begun = watch_file(f->w, (size_t)at)->name;
	plain = st->d == ROTATION_START_PICK && p->resume && !p->content &&
	    watch_file(f->w, (size_t)p->at)->is_path;
	if (n.ev == FOLLOW_LOST ||
	    (watch_fd(f->w) >= 0 && (!quiet || !plain || n.skipping > 0)))
		fl_tell(f, &n);
}

/*
 * Starts reading from state s (NULL: none): decided (follow_start_decide),
 * opened, committed, told. Also how a failure is recovered from, with
 * the last commit.
 */
void
fl_start(struct fl *f, const struct state *s, int quiet)
{
	struct follow_start st;
	struct rotation_pick p;
	long at = -1;
	size_t n;

	/* The start is the moment its mark is on disk (C26). */
	if (commit_mark(f->cm) < 0) {
		fl_fault(f, FOLLOW_SAVE_FAILED, errno, f->o->state_path);
		return;
	}
	n = watch_scan(f->w);
	st = follow_start_decide(&(struct follow_start_obs){.s = s,
	    .from_start = f->o->from_start,
	    .unsaved = commit_unsaved_start(f->cm, NULL),
	    .path_exists = watch_path_index(f->w, n) >= 0});
	sink_skip(f->out, 0);
	commit_no_skip(f->cm);
	pipeline_replay_flush(f->p, -1);
	memset(&p, 0, sizeof(p));
	if (start_open(f, s, n, &st, &p, &at) < 0) {
		fl_fault(f, FOLLOW_OPEN_FAILED, errno, f->o->path);
		return;
	}
	if (start_commit(f) == 0)
		start_tell(f, s != NULL ? s->pos : 0, &st, &p, at, quiet);
}

/*
 * Takes the lines read (at_end: the last one without LF too), each batch
 * judged by a W renewed first if due: also where a replay's surplus ends
 * (pipeline_take stops there), so that nothing past it is judged by the
 * W of the run replayed (C12).
 * _WRITE_ERROR with the recovery started if the output could not be
 * flushed for it.
 */
static enum outcome
take(struct fl *f, int at_end)
{
	enum outcome r, took = OUTCOME_IDLE;

	for (;;) {
		if (fl_judge_fresh(f) < 0)
			return OUTCOME_WRITE_ERROR;
		r = pipeline_take(f->p, at_end);
		if (r != OUTCOME_IDLE)
			commit_dirty(f->cm);
		if (r != OUTCOME_PROGRESS)
			return r == OUTCOME_IDLE ? took : r;
		took = r;
	}
}

/*
 * Reads the input to its end, or READ_SLICE bytes of a long backlog, so
 * that signals are seen while catching up: OUTCOME_PROGRESS if bytes
 * came, _IDLE if none, _READ_ERROR or _WRITE_ERROR.
 */
enum outcome
fl_read(struct fl *f)
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
		if (n == 0) {
			f->caught_up = got;
			return got ? OUTCOME_PROGRESS : OUTCOME_IDLE;
		}
		/* Truncated (and regrown) since the bytes before were read:
		 * these are not the bytes after them. Unread, the next round
		 * sees the truncation (C25). */
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
	enum outcome r = fl_read(f);

	if (r == OUTCOME_READ_ERROR || r == OUTCOME_WRITE_ERROR)
		return r;
	return take(f, 1);
}

/* Leaves the input, read to its end, for the next file: the oldest
 * rotated file newer than it, or the path (rotation_pick()). */
void
fl_switch(struct fl *f)
{
	struct rotation_pick p;
	char names[512];
	size_t n;

	if (read_to_end(f) == OUTCOME_READ_ERROR) {
		fl_fault(f, FOLLOW_READ_FAILED, errno, watch_name(f->w));
		return;
	}
	if (follow_mode_held(&f->mode))
		return; /* the output failed before a W could be saved */
	pipeline_end(f->p);
	if (fl_flush_out(f) < 0)
		return;
	/* Left only once its end is committed on disk (C15, C19). */
	if (fl_barrier(f) < 0)
		return;
	n = watch_scan(f->w);
	watch_observe_open(f->w, n);
	watch_pick(f->w, n, 1, 0, &p);
	rotation_list_names(watch_file(f->w, 0), p.skip_from, p.skip_to, names,
	    sizeof(names));
	if (names[0] != '\0')
		fl_tell(f,
		    &(struct follow_note){.ev = FOLLOW_LOST_COMPRESSED,
		        .name = f->o->path,
		        .copy = names});
	watch_close(f->w);
	if (p.at < 0) {
		/* Nothing newer yet: the next rounds open the path. */
	} else if (open_input(f, (size_t)p.at, 0) < 0) {
		if (errno != ENOENT) {
			fl_fault(f, FOLLOW_OPEN_FAILED, errno, f->o->path);
			return;
		}
		/* Renamed (or removed) between the look and the open, as
		 * logrotate works: not a reason to go on with the path and
		 * pass over the files between. From the commit just made,
		 * which names the file left, again at once: its start
		 * looks again (C19). */
		follow_mode_moved(&f->mode, f->clock, 0);
		return;
	} else {
		watch_note_prev(f->w, n, (size_t)p.at, p.prev_at);
		fl_report(f, FOLLOW_ROTATED, 0, watch_name(f->w));
	}
	fl_save(f, -1);
}

/*
 * Nothing of the path is read yet: what was written to it since it was
 * opened may be in a copy that copytruncate made before it was read (on
 * the stat ticks alone, or when busy), while the path holds new bytes
 * from 0. That copy is read first, from 0, then the path (fl_switch):
 * 1 if the input moved to one. The same rule as at a start from a commit
 * at offset 0 (C22).
 */
int
fl_copy_at_zero(struct fl *f)
{
	size_t n = watch_scan(f->w);
	long at = watch_find_copy_at_zero(f->w, n);

	if (at < 0 || watch_switch(f->w, (size_t)at, 0) < 0)
		return 0;
	pipeline_switch(f->p, watch_fd(f->w), watch_dev(f->w), watch_ino(f->w));
	fl_tell(f,
	    &(struct follow_note){.ev = FOLLOW_TRUNCATED,
	        .name = f->o->path,
	        .copy = watch_file(f->w, (size_t)at)->name,
	        .before_read = 1});
	return 1;
}

/*
 * The input was truncated (or rewritten) under the read offset. If
 * another file beside it holds the bytes read so far (copytruncate's
 * copy), the read goes on there, the unfinished last line included;
 * then, that copy left as a rotated file, on to the path from 0.
 * Without one, the unfinished last line is taken as it is (as a rename
 * does) and the file is read from 0 (C25).
 */
void
fl_truncate(struct fl *f)
{
	size_t n = watch_scan(f->w);
	off_t off = pipeline_read_offset(f->p);
	long at = watch_find_copy(f->w, n, off);

	if (at >= 0 && watch_switch(f->w, (size_t)at, off) == 0) {
		pipeline_switch(f->p, watch_fd(f->w), watch_dev(f->w),
		    watch_ino(f->w));
		fl_tell(f,
		    &(struct follow_note){.ev = FOLLOW_TRUNCATED,
		        .name = f->o->path,
		        .copy = watch_file(f->w, (size_t)at)->name});
		return;
	}
	take(f, 1);
	if (follow_mode_held(&f->mode))
		return;
	pipeline_end(f->p);
	if (fl_flush_out(f) < 0)
		return;
	if (lseek(watch_fd(f->w), 0, SEEK_SET) < 0) {
		fl_fault(f, FOLLOW_READ_FAILED, errno, watch_name(f->w));
		return;
	}
	pipeline_input(f->p, watch_fd(f->w), 0, watch_dev(f->w),
	    watch_ino(f->w));
	watch_forget_tail(f->w);
	fl_report(f, FOLLOW_TRUNCATED, 0, watch_name(f->w));
	/* The bytes read are gone: as when an input is left, nothing of
	 * the new ones is read before this start is on disk (C15; the
	 * start from it, too, holds while its save fails: C16). */
	fl_barrier_anew(f);
}
