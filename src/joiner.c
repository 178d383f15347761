/*
 * joiner: a line with a valid stamp opens an entry; any other line is
 * trimmed and appended to the open entry after one space. Lines before the
 * first entry of an input are orphans: counted, never written. Lines may
 * arrive in pieces (longer than the reader's buffer), so all state that a
 * line needs lives here, not on the stack.
 *
 * Nearly every entry is one line. Its message is not copied: the entry
 * borrows the line's bytes (borrow) until the next line shows whether it
 * goes on. The next stamp emits it from where it lies; a continuation
 * line, or joiner_keep before the reader's buffer moves, copies it into
 * msg first, and from there on it is built as any other.
 */
#include "joiner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	ST_NONE,    /* no entry yet in this input */
	ST_OPEN,    /* an entry is pending */
	ST_FLUSHED, /* the last entry was emitted; its stamp is kept */
};

enum {
	LK_ENTRY,  /* the stamp line of an entry */
	LK_CONT,   /* a continuation line */
	LK_ORPHAN, /* a line before the first entry */
	LK_DROP,   /* a line of an entry already cut */
};

int
joiner_init(struct joiner *j, size_t max,
    void (*emit)(void *, const struct entry *),
    void (*event)(void *, enum joiner_event, uint64_t, uint64_t), void *ctx)
{
	size_t t;

	memset(j, 0, sizeof(*j));
	if (max == 0) {
		errno = EINVAL;
		return -1;
	}
	t = joiner_tail_reserve(max);
	j->msg = malloc(max + 2 * t);
	if (j->msg == NULL)
		return -1;
	tail_init(&j->tail, j->msg + max, t);
	j->cap = max;
	j->emit = emit;
	j->event = event;
	j->ctx = ctx;
	j->state = ST_NONE;
	return 0;
}

void
joiner_free(struct joiner *j)
{
	free(j->msg);
	j->msg = NULL;
	tail_init(&j->tail, NULL, 0);
}

size_t
joiner_tail_reserve(size_t max)
{
	if (max < 2 * JOINER_CUT_MARK_LEN)
		return 0;
	return max / 4 < JOINER_TAIL_MAX ? max / 4 : JOINER_TAIL_MAX;
}

static void
event(struct joiner *j, enum joiner_event ev, uint64_t line, uint64_t count)
{
	if (j->event != NULL)
		j->event(j->ctx, ev, line, count);
}

static void
tell_orphans(struct joiner *j)
{
	if (!j->orphans_told && j->orphan_first != 0) {
		event(j, JOINER_ORPHANS, j->orphan_first, j->lineno_orphans);
	}
	j->orphans_told = 1;
}

/* Puts the mark and the tail after the head, within the cap. */
static void
tail_end(struct joiner *j)
{
	memcpy(j->msg + j->len, JOINER_CUT_MARK, JOINER_CUT_MARK_LEN);
	j->len += JOINER_CUT_MARK_LEN;
	j->len += tail_close(&j->tail, j->msg + j->len);
}

/*
 * Cuts the message: the head keeps the bytes up to the cap less the
 * mark and the tail; the bytes after it, the n at p included, go to the
 * tail ring. A cut never splits a UTF-8 character: when the first byte
 * left out continues a character, the bytes of that character already
 * taken are given back (to the tail). See joiner.h for why the end is
 * kept; with a cap too small for a tail, the message is only cut.
 */
static void
cut(struct joiner *j, const char *p, size_t n)
{
	size_t keep, k, have = j->len, taken = 0;
	unsigned char next;

	keep =
	    j->cap - (j->tail.cap > 0 ? j->tail.cap + JOINER_CUT_MARK_LEN : 0);
	if (j->len < keep) {
		taken = keep - j->len; /* fewer than the n bytes at p */
		memcpy(j->msg + j->len, p, taken);
		have = keep;
		next = (unsigned char)p[taken];
	} else {
		next = j->len > keep ? (unsigned char)j->msg[keep]
		                     : (unsigned char)p[0];
	}
	j->len = keep;
	if ((next & 0xc0) == 0x80) {
		k = j->len;
		while (k > 0 && k + 3 > j->len &&
		    ((unsigned char)j->msg[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)j->msg[k - 1] >= 0xc0)
			j->len = k - 1;
	}
	j->cur.cut = 1;
	j->n.cut++;
	event(j, JOINER_CUT, j->cur.line, j->cap);
	if (j->tail.cap == 0)
		return;
	tail_clear(&j->tail);
	tail_push(&j->tail, j->msg + j->len, have - j->len);
	tail_push(&j->tail, p + taken, n - taken);
}

/* Appends up to the cap; after a cut, to the tail. */
static void
append(struct joiner *j, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (!j->piece_plain)
		j->cur.plain = 0;
	if (j->cur.cut) {
		if (j->tail.cap > 0)
			tail_push(&j->tail, p, n);
		return;
	}
	if (n <= j->cap - j->len) {
		memcpy(j->msg + j->len, p, n);
		j->len += n;
		return;
	}
	cut(j, p, n);
}

/* The borrowed message becomes the joiner's own. */
static void
keep(struct joiner *j)
{
	if (j->borrow == NULL)
		return;
	memcpy(j->msg, j->borrow, j->len);
	j->borrow = NULL;
}

static void
emit(struct joiner *j)
{
	if (j->state != ST_OPEN)
		return;
	if (j->cur.cut && j->tail.cap > 0)
		tail_end(j);
	j->cur.msg = j->borrow != NULL ? j->borrow : j->msg;
	j->borrow = NULL;
	j->cur.len = j->len;
	j->n.entries++;
	j->state = ST_FLUSHED;
	j->emit(j->ctx, &j->cur);
}

static void
open_entry(struct joiner *j, const struct stamp *st)
{
	j->cur.stamp = *st;
	j->cur.start = j->line_off;
	j->cur.line = j->lineno;
	j->cur.cut = 0;
	j->cur.plain = 1;
	j->len = 0;
	j->borrow = NULL;
	j->state = ST_OPEN;
}

/*
 * The stamp at the start of line p (len bytes), as stamp_parse gives it.
 * Most lines repeat the stamp of the line before, and most others differ
 * from it in the seconds only (a few entries a second): those are judged
 * from the last valid stamp, raw and parsed, without a parse. Equal bytes
 * before the seconds parse to the same fields, so the verdict is
 * stamp_parse's: two digits and ']' make the seconds, and stamp_valid
 * (the one rule) judges the stamp; anything else is left to stamp_parse.
 * The raw bytes are compared as three 8-byte loads (the last two overlap)
 * instead of a call to memcmp(3).
 */
static enum stamp_result
line_stamp(struct joiner *j, const char *p, size_t len, struct stamp *st)
{
	const char *s = p + STAMP_KERIO_LEN - 3; /* "SS]" */
	enum stamp_result r;
	uint64_t x[3], y[3];
	int same_minute = 0;

	if (j->have_last && len >= STAMP_KERIO_LEN) {
		memcpy(&x[0], p, 8);
		memcpy(&x[1], p + 8, 8);
		memcpy(&x[2], p + STAMP_KERIO_LEN - 8, 8);
		memcpy(&y[0], j->last_raw, 8);
		memcpy(&y[1], j->last_raw + 8, 8);
		memcpy(&y[2], j->last_raw + STAMP_KERIO_LEN - 8, 8);
		if (((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0) {
			if (x[2] == y[2]) {
				*st = j->last_stamp;
				return STAMP_VALID;
			}
			/* Bytes 16 up to the seconds: "MM:". */
			same_minute = memcmp(p + 16, j->last_raw + 16,
			                  STAMP_KERIO_LEN - 3 - 16) == 0;
		}
	}
	if (same_minute && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' &&
	    s[1] <= '9' && s[2] == ']') {
		*st = j->last_stamp;
		st->sec = (s[0] - '0') * 10 + (s[1] - '0');
		r = stamp_valid(st) ? STAMP_VALID : STAMP_BAD;
	} else {
		r = stamp_parse(p, len, st);
	}
	if (r == STAMP_VALID) {
		memcpy(j->last_raw, p, STAMP_KERIO_LEN);
		j->last_stamp = *st;
		j->have_last = 1;
	}
	return r;
}

static void
begin_line(struct joiner *j, const struct line *l, const char **p, size_t *n)
{
	struct stamp st;
	enum stamp_result r;

	j->n.lines++;
	j->lineno++;
	j->line_off = l->start;
	j->line_started = 0;
	r = line_stamp(j, l->p, l->len, &st);
	if (r == STAMP_VALID) {
		emit(j);
		tell_orphans(j);
		open_entry(j, &st);
		j->line_kind = LK_ENTRY;
		*p += STAMP_KERIO_LEN;
		*n -= STAMP_KERIO_LEN;
		if (*n > 0 && **p == ' ') {
			(*p)++;
			(*n)--;
		}
		return;
	}
	if (r == STAMP_BAD) {
		j->n.bad++;
		event(j, JOINER_BAD_STAMP, j->lineno, 1);
	}
	keep(j);
	if (j->state == ST_NONE)
		j->line_kind = LK_ORPHAN;
	else if (j->cur.cut && j->tail.cap == 0) {
		j->line_kind = LK_DROP;
		j->n.dropped++;
	} else
		j->line_kind = LK_CONT;
}

/*
 * Drops the blanks that end the message, back to byte from at most; after
 * a cut, those that end the tail (the head stays as cut).
 */
static void
trim_end(struct joiner *j, size_t from)
{
	if (j->cur.cut) {
		tail_trim(&j->tail);
		return;
	}
	while (j->len > from && tail_is_blank(j->msg[j->len - 1]))
		j->len--;
}

static void
continue_line(struct joiner *j, const char *p, size_t n)
{
	if (!j->line_started) {
		while (n > 0 && tail_is_blank(*p)) {
			p++;
			n--;
		}
		if (n == 0)
			return;
		j->line_started = 1;
		if (j->state == ST_FLUSHED) {
			/* The entry left on a timeout: this part of it
			 * becomes an entry of its own, under its stamp, and
			 * says so, for its text is the client's and must not
			 * pass for a whole Kerio message. */
			open_entry(j, &j->cur.stamp);
			append(j, JOINER_LATE_MARK, JOINER_LATE_MARK_LEN);
			j->n.resumed++;
		} else {
			trim_end(j, 0);
			append(j, " ", 1);
			j->n.joined++;
		}
		j->line_at = j->len;
	}
	append(j, p, n);
}

static void
end_line(struct joiner *j)
{
	if (j->line_kind == LK_CONT && j->line_started)
		trim_end(j, j->line_at);
}

void
joiner_push(struct joiner *j, const struct line *l)
{
	const char *p = l->p;
	size_t n = l->len;
	int whole = 0;

	/* Read l->more apart from l->plain: one 8-byte load of both (as
	 * -O3 made of "whole = !in_line && !more" up here) stalls on the
	 * reader's two 4-byte stores, a tenth of the run time. */
	j->piece_plain = l->plain;
	if (!j->in_line) {
		begin_line(j, l, &p, &n);
		whole = !l->more;
	}
	j->in_line = l->more;
	switch (j->line_kind) {
	case LK_ENTRY:
		if (whole && n <= j->cap) {
			/* The common case: a whole line within the cap. */
			j->borrow = p;
			j->len = n;
			if (n > 0 && !l->plain)
				j->cur.plain = 0;
			return;
		}
		append(j, p, n);
		break;
	case LK_CONT:
		continue_line(j, p, n);
		break;
	case LK_ORPHAN:
		if (!j->line_started) {
			while (n > 0 && tail_is_blank(*p)) {
				p++;
				n--;
			}
			if (n > 0) {
				j->line_started = 1;
				j->n.orphans++;
				j->lineno_orphans++;
				if (j->orphan_first == 0)
					j->orphan_first = j->lineno;
			}
		}
		break;
	default:
		break;
	}
	if (!l->more)
		end_line(j);
}

void
joiner_flush(struct joiner *j)
{
	/* Half a line is not an entry yet: wait for the rest of it. */
	if (!j->in_line)
		emit(j);
}

void
joiner_end(struct joiner *j)
{
	emit(j);
	tell_orphans(j);
	j->state = ST_NONE;
	j->in_line = 0;
	j->lineno = 0;
	j->lineno_orphans = 0;
	j->orphan_first = 0;
	j->orphans_told = 0;
	j->len = 0;
	j->borrow = NULL;
	j->cur.cut = 0;
}

void
joiner_discard(struct joiner *j)
{
	/* As joiner_end, but the pending entry is dropped, not emitted. */
	if (j->state == ST_OPEN)
		j->state = ST_FLUSHED;
	joiner_end(j);
}

void
joiner_resume(struct joiner *j, const struct stamp *st, off_t off)
{
	j->cur.stamp = *st;
	j->cur.start = off;
	j->cur.line = j->lineno;
	j->cur.cut = 0;
	j->len = 0;
	j->borrow = NULL;
	j->in_line = 0;
	j->state = ST_FLUSHED;
}

int
joiner_stamp(const struct joiner *j, struct stamp *st)
{
	if (j->state == ST_NONE)
		return 0;
	*st = j->cur.stamp;
	return 1;
}

int
joiner_in_line(const struct joiner *j, off_t *start)
{
	if (j->in_line)
		*start = j->line_off;
	return j->in_line;
}

void
joiner_get_counts(const struct joiner *j, struct joiner_counts *n)
{
	*n = j->n;
}

void
joiner_keep(struct joiner *j)
{
	keep(j);
}

int
joiner_pending(const struct joiner *j)
{
	return j->state == ST_OPEN;
}

off_t
joiner_pending_start(const struct joiner *j)
{
	return j->cur.start;
}
