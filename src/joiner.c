/*
 * joiner: a line with a valid stamp opens an entry; any other line is
 * trimmed and appended to the open entry after one space. Lines before the
 * first entry of an input are orphans: counted, never written. Lines may
 * arrive in pieces (longer than the reader's buffer), so all state that a
 * line needs lives here, not on the stack.
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
	memset(j, 0, sizeof(*j));
	if (max == 0) {
		errno = EINVAL;
		return -1;
	}
	j->msg = malloc(max);
	if (j->msg == NULL)
		return -1;
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
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
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

/*
 * Cuts the message at the cap. A cut never splits a UTF-8 character: when
 * the first byte left out continues a character, the bytes of that
 * character already taken are given back. With room for it, a cut message
 * ends with JOINER_CUT_MARK, so that its end can never pass for the fixed
 * end of a Kerio message: a recipient padded up to the cap must not leave
 * "IP address 192.0.2.66" as the last words of the line.
 */
static void
cut(struct joiner *j, const char *p)
{
	size_t mark =
	    j->cap >= 2 * JOINER_CUT_MARK_LEN ? JOINER_CUT_MARK_LEN : 0;
	size_t keep = j->cap - mark, k;
	unsigned char next;

	if (j->len < keep) {
		k = keep - j->len; /* fewer than the bytes at p */
		memcpy(j->msg + j->len, p, k);
		next = (unsigned char)p[k];
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
	memcpy(j->msg + j->len, JOINER_CUT_MARK, mark);
	j->len += mark;
	j->cur.cut = 1;
	j->n.cut++;
	event(j, JOINER_CUT, j->cur.line, j->cap);
}

/* Appends up to the cap. */
static void
append(struct joiner *j, const char *p, size_t n)
{
	if (j->cur.cut || n == 0)
		return;
	if (!j->piece_plain)
		j->cur.plain = 0;
	if (n <= j->cap - j->len) {
		memcpy(j->msg + j->len, p, n);
		j->len += n;
		return;
	}
	cut(j, p);
}

static void
emit(struct joiner *j)
{
	if (j->state != ST_OPEN)
		return;
	j->cur.msg = j->msg;
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
	j->state = ST_OPEN;
}

/*
 * 1 if the 22 bytes of two stamps are equal. Most lines repeat the stamp
 * of the line before, so this runs for nearly every line: three 8-byte
 * loads (the last two overlap) instead of a call to memcmp(3).
 */
static int
same_stamp(const char *a, const char *b)
{
	uint64_t x[3], y[3];

	memcpy(&x[0], a, 8);
	memcpy(&x[1], a + 8, 8);
	memcpy(&x[2], a + STAMP_KERIO_LEN - 8, 8);
	memcpy(&y[0], b, 8);
	memcpy(&y[1], b + 8, 8);
	memcpy(&y[2], b + STAMP_KERIO_LEN - 8, 8);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2])) == 0;
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
	if (j->have_last && l->len >= STAMP_KERIO_LEN &&
	    same_stamp(l->p, j->last_raw)) {
		st = j->last_stamp;
		r = STAMP_VALID;
	} else {
		r = stamp_parse(l->p, l->len, &st);
		if (r == STAMP_VALID) {
			memcpy(j->last_raw, l->p, STAMP_KERIO_LEN);
			j->last_stamp = st;
			j->have_last = 1;
		}
	}
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
	if (j->state == ST_NONE)
		j->line_kind = LK_ORPHAN;
	else if (j->cur.cut) {
		j->line_kind = LK_DROP;
		j->n.dropped++;
	} else
		j->line_kind = LK_CONT;
}

static void
continue_line(struct joiner *j, const char *p, size_t n)
{
	if (!j->line_started) {
		while (n > 0 && is_blank(*p)) {
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
			while (j->len > 0 && is_blank(j->msg[j->len - 1]))
				j->len--;
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
	if (j->line_kind == LK_CONT && j->line_started) {
		while (j->len > j->line_at && is_blank(j->msg[j->len - 1]))
			j->len--;
	}
}

void
joiner_push(struct joiner *j, const struct line *l)
{
	const char *p = l->p;
	size_t n = l->len;

	j->piece_plain = l->plain;
	if (!j->in_line)
		begin_line(j, l, &p, &n);
	j->in_line = l->more;
	switch (j->line_kind) {
	case LK_ENTRY:
		append(j, p, n);
		break;
	case LK_CONT:
		continue_line(j, p, n);
		break;
	case LK_ORPHAN:
		if (!j->line_started) {
			while (n > 0 && is_blank(*p)) {
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
	j->cur.cut = 0;
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
