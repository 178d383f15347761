/*
 * format: an entry becomes "STAMP HOST TAG: MESSAGE\n", its message
 * escaped (escape.c), written into a sink's reservation.
 */
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "joiner.h"
#include "sink.h"

struct format {
	struct stamp_renderer sr;
	struct stamp_zone zone; /* for the late rule */
	const struct clock *wall;
	int64_t late_ms;  /* 0: never late */
	int pinned;       /* judged at judge_at, not by the wall clock... */
	int64_t judge_at; /* ... or never late if judge_at is -1 */
	char *head;       /* " HOST TAG: " */
	size_t head_len;
	/* The rendered stamp and head of the last line, rebuilt when the
	 * stamp changes: one copy per line instead of two. */
	char *line_head;
	size_t line_head_len;
	int64_t line_head_key;
};

struct format *
format_new(enum stamp_format fmt, const char *host, const char *tag,
    const struct format_late *late)
{
	size_t hl = strlen(host), tl = strlen(tag);
	struct format *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->head_len = hl + tl + 4;
	f->head = malloc(f->head_len + 1);
	f->line_head = malloc(STAMP_TEXT_MAX + f->head_len);
	if (f->head == NULL || f->line_head == NULL) {
		format_free(f);
		return NULL;
	}
	f->line_head_key = -1;
	snprintf(f->head, f->head_len + 1, " %s %s: ", host, tag);
	stamp_renderer_init(&f->sr, fmt);
	stamp_zone_init(&f->zone);
	if (late != NULL && late->after_ms > 0) {
		f->late_ms = late->after_ms;
		f->wall = late->wall != NULL ? late->wall : &clock_wall;
	}
	return f;
}

void
format_judge_at(struct format *f, int have, int64_t wall_ms)
{
	f->pinned = 1;
	f->judge_at = have ? wall_ms : -1;
}

void
format_free(struct format *f)
{
	if (f == NULL)
		return;
	free(f->head);
	free(f->line_head);
	free(f);
}

/* The stamp and " HOST TAG: " of e, rendered once per distinct stamp. */
static void
line_head(struct format *f, const struct entry *e)
{
	int64_t key = stamp_key(&e->stamp);
	const char *stamp;
	size_t slen;

	if (key == f->line_head_key)
		return;
	stamp = stamp_render(&f->sr, &e->stamp, &slen);
	memcpy(f->line_head, stamp, slen);
	memcpy(f->line_head + slen, f->head, f->head_len);
	f->line_head_len = slen + f->head_len;
	f->line_head_key = key;
}

int
format_entry(struct format *f, const struct entry *e, dev_t dev, ino_t ino,
    const struct sink *s)
{
	struct sink_entry se = {.stamp = &e->stamp,
	    .dev = dev,
	    .ino = ino,
	    .start = e->start};
	const char *msg = e->msg;
	size_t hl, mark, left = e->len, used, made, want;
	char *q;

	line_head(f, e);
	hl = f->line_head_len;
	se.msg_at = hl;
	se.late = f->late_ms > 0 && (!f->pinned || f->judge_at >= 0) &&
	    stamp_late(&f->zone, &e->stamp,
	        f->pinned ? f->judge_at : clock_now(f->wall), f->late_ms);
	mark = se.late ? FORMAT_LATE_MARK_LEN : 0;
	want = hl + mark + left * ESCAPE_EXPANSION + 1;
	if (want <= SINK_RESERVE_MAX) {
		/* The common case: the whole line in one reservation. */
		if ((q = sink_reserve(s, want)) == NULL)
			return -1;
		memcpy(q, f->line_head, hl);
		memcpy(q + hl, FORMAT_LATE_MARK, mark);
		made = hl + mark;
		if (e->plain) {
			memcpy(q + made, msg, left);
			made += left;
		} else {
			made += escape_bytes(q + made, left * ESCAPE_EXPANSION,
			    msg, left, &used);
		}
		q[made++] = '\n';
		sink_commit(s, made, &se);
		return 0;
	}
	/* A long message: the head, then the message escaped a chunk at a
	 * time, the sink told of the entry with its last piece. */
	if ((q = sink_reserve(s, hl + mark)) == NULL)
		return -1;
	memcpy(q, f->line_head, hl);
	memcpy(q + hl, FORMAT_LATE_MARK, mark);
	sink_commit(s, hl + mark, NULL);
	while (left > 0) {
		want = left * ESCAPE_EXPANSION;
		if (want > SINK_RESERVE_MAX)
			want = SINK_RESERVE_MAX;
		if ((q = sink_reserve(s, want)) == NULL)
			return -1;
		made = escape_bytes(q, want, msg, left, &used);
		sink_commit(s, made, NULL);
		msg += used;
		left -= used;
	}
	if ((q = sink_reserve(s, 1)) == NULL)
		return -1;
	*q = '\n';
	sink_commit(s, 1, &se);
	return 0;
}
