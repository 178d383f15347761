/*
 * pipeline: the path of one byte, sealed: reader -> joiner -> select ->
 * format -> sink. The flush rule lives here and nowhere else: a pending
 * entry whose last line is whole leaves flush_timeout ms after that line
 * was taken, unless a new line comes first (and shows whether it
 * continues the entry).
 */
#include "pipeline.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "joiner.h"
#include "reader.h"
#include "select.h"

struct pipeline {
	struct reader r;
	struct joiner j;
	struct format *fmt;
	struct select *sel; /* NULL: write all */
	const struct sink *sink;
	const struct clock *clock;
	int flush_timeout;
	void (*event)(void *, enum pipeline_event, uint64_t, uint64_t);
	void *ctx;
	dev_t dev; /* the input, for the sink */
	ino_t ino;
	off_t consumed;    /* input offset past the last line taken */
	off_t flush_at;    /* a write-ahead flush to replay, or -1 */
	int flush_due;     /* ... reached, where a replay's surplus ended */
	int64_t last_line; /* when a line was last taken */
	uint64_t written, excluded;
};

static void
emit_cb(void *ctx, const struct entry *e)
{
	struct pipeline *p = ctx;

	if (p->sel != NULL && !select_wants(p->sel, e->msg, e->len)) {
		p->excluded++;
		return;
	}
	if (format_entry(p->fmt, e, p->dev, p->ino, p->sink) == 0)
		p->written++;
}

static void
event_cb(void *ctx, enum joiner_event ev, uint64_t line, uint64_t count)
{
	struct pipeline *p = ctx;
	enum pipeline_event pe = PIPELINE_CUT;

	if (p->event == NULL)
		return;
	switch (ev) {
	case JOINER_ORPHANS:
		pe = PIPELINE_ORPHANS;
		break;
	case JOINER_BAD_STAMP:
		pe = PIPELINE_BAD_STAMP;
		break;
	case JOINER_CUT:
		pe = PIPELINE_CUT;
		break;
	}
	p->event(p->ctx, pe, line, count);
}

struct pipeline *
pipeline_new(const struct pipeline_opts *o, const struct sink *sink)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	struct format_late late = {.wall = o->wall, .after_ms = o->late_ms};
	int e;

	if (p == NULL)
		return NULL;
	if (reader_init(&p->r, -1, 0, o->read_cap) < 0)
		goto fail;
	if (joiner_init(&p->j, o->max_entry, emit_cb, event_cb, p) < 0) {
		e = errno;
		reader_free(&p->r);
		errno = e;
		goto fail;
	}
	if ((p->fmt = format_new(o->format, o->host, o->tag, &late)) == NULL) {
		e = errno;
		joiner_free(&p->j);
		reader_free(&p->r);
		errno = e;
		goto fail;
	}
	p->sel = o->sel != NULL && !select_is_empty(o->sel) ? o->sel : NULL;
	p->sink = sink;
	p->clock = o->clock != NULL ? o->clock : &clock_system;
	p->flush_timeout = o->flush_timeout;
	p->event = o->event;
	p->ctx = o->ctx;
	p->flush_at = -1;
	p->last_line = clock_now(p->clock);
	return p;
fail:
	e = errno;
	free(p);
	errno = e;
	return NULL;
}

void
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	format_free(p->fmt);
	joiner_free(&p->j);
	reader_free(&p->r);
	free(p);
}

void
pipeline_counts(const struct pipeline *p, struct pipeline_counts *n)
{
	struct joiner_counts jc;

	joiner_get_counts(&p->j, &jc);
	n->lines = jc.lines;
	n->entries = jc.entries;
	n->joined = jc.joined;
	n->orphans = jc.orphans;
	n->cut = jc.cut;
	n->bad = jc.bad;
	n->dropped = jc.dropped;
	n->resumed = jc.resumed;
	n->written = p->written;
	n->excluded = p->excluded;
}

void
pipeline_input(struct pipeline *p, int fd, off_t off, dev_t dev, ino_t ino)
{
	reader_reset(&p->r, fd, off);
	p->dev = dev;
	p->ino = ino;
	p->consumed = off;
}

off_t
pipeline_taken(const struct pipeline *p)
{
	return p->consumed;
}

void
pipeline_switch(struct pipeline *p, int fd, dev_t dev, ino_t ino)
{
	reader_switch(&p->r, fd);
	p->dev = dev;
	p->ino = ino;
}

off_t
pipeline_read_offset(const struct pipeline *p)
{
	return reader_read_offset(&p->r);
}

/* The replayed write-ahead flush, once reached. */
static void
replay_flush(struct pipeline *p)
{
	joiner_flush(&p->j);
	p->flush_at = -1;
	p->flush_due = 0;
}

/*
 * Gives one line to the joiner; replays a write-ahead flush. 1 if the
 * sink's skip was owed before and is all converted now: the replayed
 * flush, if this line reached it, then waits for the next take.
 */
static int
take_line(struct pipeline *p, const struct line *l, int owed)
{
	joiner_push(&p->j, l);
	p->consumed = l->next;
	if (p->flush_at >= 0 && p->consumed >= p->flush_at && !l->more)
		p->flush_due = 1;
	if (owed && sink_skip_owed(p->sink) == 0)
		return 1;
	if (p->flush_due)
		replay_flush(p);
	return owed && sink_skip_owed(p->sink) == 0;
}

enum outcome
pipeline_take(struct pipeline *p, int at_end)
{
	int owed, took = 0;
	struct line l;

	if (p->flush_due)
		replay_flush(p);
	owed = sink_skip_owed(p->sink) > 0;
	if (at_end)
		reader_end(&p->r);
	/* Up to where the surplus ends: the caller acts before anything new
	 * is converted (follow mode: a fresh time to judge by). */
	while (reader_next(&p->r, &l, at_end)) {
		took = 1;
		if (take_line(p, &l, owed))
			break;
	}
	if (took)
		p->last_line = clock_now(p->clock);
	if (sink_error(p->sink) != 0)
		return OUTCOME_WRITE_ERROR;
	return took ? OUTCOME_PROGRESS : OUTCOME_IDLE;
}

ssize_t
pipeline_fill(struct pipeline *p, const char **got)
{
	off_t before;
	ssize_t n;

	for (;;) {
		/* The reader's buffer may move: nothing may point into it. */
		joiner_keep(&p->j);
		before = pipeline_read_offset(p);
		n = reader_fill(&p->r);
		if (n > 0)
			break;
		if (n == 0 || errno != ENOBUFS)
			return n;
		/* Full with one unfinished line: a piece of it goes on. */
		pipeline_take(p, 0);
	}
	n = (ssize_t)(pipeline_read_offset(p) - before);
	*got = reader_last(&p->r, (size_t)n);
	return n;
}

void
pipeline_unread(struct pipeline *p, size_t n)
{
	reader_unread(&p->r, n);
}

int64_t
pipeline_deadline(const struct pipeline *p)
{
	off_t start;

	if (!joiner_pending(&p->j) || joiner_in_line(&p->j, &start))
		return INT64_MAX;
	return p->last_line + p->flush_timeout;
}

int
pipeline_due(const struct pipeline *p, int64_t now)
{
	return now >= pipeline_deadline(p);
}

void
pipeline_flush(struct pipeline *p)
{
	joiner_flush(&p->j);
}

int
pipeline_tick(struct pipeline *p, int64_t now)
{
	if (!pipeline_due(p, now))
		return 0;
	pipeline_flush(p);
	return 1;
}

void
pipeline_judge_at(struct pipeline *p, int have, int64_t wall_ms)
{
	format_judge_at(p->fmt, have, wall_ms);
}

void
pipeline_replay_flush(struct pipeline *p, off_t at)
{
	p->flush_at = at;
	p->flush_due = 0;
}

off_t
pipeline_flush_at(const struct pipeline *p)
{
	return p->flush_at;
}

void
pipeline_end(struct pipeline *p)
{
	joiner_end(&p->j);
}

void
pipeline_discard(struct pipeline *p)
{
	joiner_discard(&p->j);
}

off_t
pipeline_position(const struct pipeline *p)
{
	off_t start;

	if (joiner_pending(&p->j))
		return joiner_pending_start(&p->j);
	if (joiner_in_line(&p->j, &start))
		return start;
	return p->consumed;
}

int
pipeline_stamp(const struct pipeline *p, struct stamp *st)
{
	return joiner_stamp(&p->j, st);
}

void
pipeline_resume(struct pipeline *p, const struct stamp *st, off_t off)
{
	joiner_resume(&p->j, st, off);
}

/*
 * Waits until the input is readable, the pending entry's deadline, or a
 * signal: OUTCOME_PROGRESS when it is time to read, _IDLE to go round
 * again, _READ_ERROR or _WRITE_ERROR.
 */
static enum outcome
wait_input(struct pipeline *p, const struct pipeline_signals *sig)
{
	struct pollfd pfd = {.fd = reader_fd(&p->r), .events = POLLIN};
	struct timespec ts;
	int64_t wait, due, now;
	int rc;

	/* The time before the look: a line that comes after it, however
	 * late the deadline is judged, came after now (the flush rule). */
	now = clock_now(p->clock);
	rc = ppoll(&pfd, 1, clock_wait_time(&ts, 0), sig->mask);
	if (rc != 0)
		return rc > 0        ? OUTCOME_PROGRESS
		    : errno == EINTR ? OUTCOME_IDLE
		                     : OUTCOME_READ_ERROR;
	/* The input would block: what has been converted leaves now. */
	if (sink_flush(p->sink) < 0)
		return OUTCOME_WRITE_ERROR;
	if (pipeline_tick(p, now))
		return sink_flush(p->sink) < 0 ? OUTCOME_WRITE_ERROR
		                               : OUTCOME_IDLE;
	due = pipeline_deadline(p);
	wait = due == INT64_MAX ? -1 : due - now;
	rc = ppoll(&pfd, 1, clock_wait_time(&ts, wait), sig->mask);
	if (rc < 0)
		return errno == EINTR ? OUTCOME_IDLE : OUTCOME_READ_ERROR;
	return rc > 0 ? OUTCOME_PROGRESS : OUTCOME_IDLE;
}

enum outcome
pipeline_run(struct pipeline *p, const struct pipeline_signals *sig)
{
	const char *got;
	enum outcome w;

	for (;;) {
		if (pipeline_take(p, reader_at_eof(&p->r)) ==
		    OUTCOME_WRITE_ERROR)
			return OUTCOME_WRITE_ERROR;
		if (reader_at_eof(&p->r)) {
			pipeline_end(p);
			if (sink_flush(p->sink) < 0)
				return OUTCOME_WRITE_ERROR;
			return OUTCOME_EOF;
		}
		w = wait_input(p, sig);
		if (*sig->stop)
			return OUTCOME_STOPPED;
		if (sig->hup != NULL && *sig->hup) {
			*sig->hup = 0;
			if (sink_reopen(p->sink) < 0)
				return OUTCOME_WRITE_ERROR;
		}
		if (w != OUTCOME_PROGRESS) {
			if (w == OUTCOME_IDLE)
				continue;
			return w;
		}
		if (pipeline_fill(p, &got) < 0 && errno != EINTR &&
		    errno != EAGAIN && errno != EWOULDBLOCK)
			return OUTCOME_READ_ERROR;
	}
}
