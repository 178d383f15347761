/*
 * tail: the last bytes of a cut entry (joiner.h says why they are kept),
 * in two rings of cap bytes: the bytes, and apart the blanks that end
 * them, which a join or a line's end may trim.
 */
#include "tail.h"

#include <string.h>

/* Keeps the last bytes of p in r, a ring of t bytes. */
static void
ring_push(struct tail_ring *r, size_t t, const char *p, size_t n)
{
	size_t k;

	if (r->len + n > t)
		r->lost = 1;
	if (n >= t) {
		memcpy(r->buf, p + n - t, t);
		r->at = 0;
		r->len = t;
		return;
	}
	k = t - r->at < n ? t - r->at : n;
	memcpy(r->buf + r->at, p, k);
	memcpy(r->buf, p + k, n - k);
	r->at = (r->at + n) % t;
	r->len = r->len + n < t ? r->len + n : t;
}

/* Copies the bytes held in r, oldest first, to out; returns how many. */
static size_t
ring_copy(const struct tail_ring *r, size_t t, char *out)
{
	size_t from = (r->at + t - r->len) % t;
	size_t k = t - from < r->len ? t - from : r->len;

	memcpy(out, r->buf + from, k);
	memcpy(out + k, r->buf, r->len - k);
	return r->len;
}

static void
ring_clear(struct tail_ring *r)
{
	r->at = r->len = 0;
	r->lost = 0;
}

void
tail_init(struct tail *t, char *mem, size_t cap)
{
	memset(t, 0, sizeof(*t));
	t->cap = cap;
	t->tail.buf = mem;
	t->blanks.buf = mem != NULL ? mem + cap : NULL;
}

void
tail_clear(struct tail *t)
{
	ring_clear(&t->tail);
	ring_clear(&t->blanks);
}

/* The blanks held back are followed by more: they join the tail. */
static void
settle(struct tail *j)
{
	char buf[TAIL_MAX];
	size_t n;

	if (j->blanks.len == 0)
		return;
	if (j->blanks.lost)
		j->tail.lost = 1;
	n = ring_copy(&j->blanks, j->cap, buf);
	ring_push(&j->tail, j->cap, buf, n);
	ring_clear(&j->blanks);
}

/*
 * Takes the bytes of a cut entry after its head. The blanks that end
 * them are held apart until more follows, so that a trim (the end of a
 * continuation line, a join) never costs the tail bytes it holds.
 */
void
tail_push(struct tail *j, const char *p, size_t n)
{
	size_t k = n;

	while (k > 0 && tail_is_blank(p[k - 1]))
		k--;
	if (k > 0) {
		settle(j);
		ring_push(&j->tail, j->cap, p, k);
	}
	if (n > k)
		ring_push(&j->blanks, j->cap, p + k, n - k);
}

/* Drops the blanks that end the tail, as a join or a line's end does. */
void
tail_trim(struct tail *j)
{
	ring_clear(&j->blanks);
}

size_t
tail_close(struct tail *j, char *out)
{
	size_t n, skip = 0;

	settle(j);
	n = ring_copy(&j->tail, j->cap, out);
	if (j->tail.lost) {
		while (skip < 3 && skip < n &&
		    ((unsigned char)out[skip] & 0xc0) == 0x80)
			skip++;
		memmove(out, out + skip, n - skip);
	}
	return n - skip;
}
