/*
 * reader: read(2) into one large buffer and split on LF with memchr(3),
 * as mawk does: no per-line system call, no per-line allocation.
 */
#include "reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"

int
reader_init(struct reader *r, int fd, off_t off, size_t cap)
{
	memset(r, 0, sizeof(*r));
	if (cap == 0)
		cap = READER_DEFAULT_CAP;
	if (cap < 64) {
		errno = EINVAL;
		return -1;
	}
	r->buf = malloc(cap);
	if (r->buf == NULL)
		return -1;
	r->cap = cap;
	reader_reset(r, fd, off);
	return 0;
}

void
reader_free(struct reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

void
reader_reset(struct reader *r, int fd, off_t off)
{
	r->fd = fd;
	r->pos = r->end = 0;
	r->base = off;
	r->eof = 0;
	r->plain_len = r->no_lf = 0;
	r->plain_end = 0;
}

ssize_t
reader_fill(struct reader *r)
{
	ssize_t n;

	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->base += (off_t)r->pos;
		r->end -= r->pos;
		r->pos = 0;
	}
	if (r->end == r->cap)
		return 1; /* full: the caller must take a piece first */
	n = read(r->fd, r->buf + r->end, r->cap - r->end);
	if (n > 0) {
		r->end += (size_t)n;
		r->eof = 0;
	} else if (n == 0) {
		r->eof = 1;
	}
	return n;
}

void
reader_unread(struct reader *r, size_t n)
{
	/* What earlier calls learnt is of the bytes before the last read. */
	if (n > r->end - r->pos)
		n = r->end - r->pos;
	r->end -= n;
	if (r->plain_len > r->end - r->pos) {
		r->plain_len = r->end - r->pos;
		r->plain_end = 0;
	}
	if (r->no_lf > r->end - r->pos)
		r->no_lf = r->end - r->pos;
	r->eof = 0;
}

void
reader_switch(struct reader *r, int fd)
{
	r->fd = fd;
	r->eof = 0;
}

void
reader_end(struct reader *r)
{
	r->eof = 1;
}

off_t
reader_offset(const struct reader *r)
{
	return r->base + (off_t)r->pos;
}

static void
hand_out(struct reader *r, struct line *l, size_t len, size_t skip, int more,
    int plain)
{
	l->plain = plain;
	r->plain_len = r->no_lf = 0;
	r->plain_end = 0;
	l->p = r->buf + r->pos;
	l->len = len;
	l->start = reader_offset(r);
	l->more = more;
	r->pos += skip;
	l->next = reader_offset(r);
}

int
reader_next(struct reader *r, struct line *l, int take_partial)
{
	size_t avail = r->end - r->pos;
	const char *p = r->buf + r->pos;
	const char *nl;
	size_t len, k;

	/* The BOM can only be judged once three bytes (or the end) are in. */
	if (reader_offset(r) == 0) {
		if (avail < 3 && !r->eof)
			return 0;
		if (avail >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			r->pos += 3;
			avail -= 3;
			p += 3;
		}
	}
	if (avail == 0)
		return 0;
	/* One scan finds both the line end and whether the line holds a
	 * byte to escape: for most lines the first such byte is the LF. */
	k = r->plain_len;
	if (!r->plain_end)
		k += escape_plain_run(p + k, avail - k);
	if (k < avail && p[k] == '\n') {
		hand_out(r, l, k, k + 1, 0, 1);
		return 1;
	}
	if (k + 1 < avail && p[k] == '\r' && p[k + 1] == '\n') {
		hand_out(r, l, k, k + 2, 0, 1);
		return 1;
	}
	len = k > r->no_lf ? k : r->no_lf;
	nl = len < avail ? memchr(p + len, '\n', avail - len) : NULL;
	if (nl != NULL) {
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		hand_out(r, l, len, (size_t)(nl - p) + 1, 0, 0);
		return 1;
	}
	if (avail == r->cap) {
		/* Hold a last CR back: it may be the CR of a CRLF. */
		len = p[avail - 1] == '\r' ? avail - 1 : avail;
		hand_out(r, l, len, len, 1, len <= k);
		return 1;
	}
	if (r->eof && take_partial) {
		len = avail;
		if (p[len - 1] == '\r')
			len--;
		hand_out(r, l, len, avail, 0, len <= k);
		return 1;
	}
	r->plain_len = k;
	r->plain_end = k < avail;
	r->no_lf = avail;
	return 0;
}

off_t
reader_read_offset(const struct reader *r)
{
	return r->base + (off_t)r->end;
}

int
reader_at_eof(const struct reader *r)
{
	return r->eof;
}

int
reader_fd(const struct reader *r)
{
	return r->fd;
}

const char *
reader_last(const struct reader *r, size_t n)
{
	return r->buf + r->end - n;
}
