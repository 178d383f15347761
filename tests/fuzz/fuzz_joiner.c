/*
 * fuzz_joiner: any bytes through the reader (a small buffer, so long lines
 * come in pieces) and the joiner (a small cap, so entries are cut), with
 * flush timeouts at chosen lines. The parameters come from a hash of the
 * input, so the corpus files stay plain logs.
 *
 * Checked: no message is longer than the cap or holds a LF; every line is
 * counted once; each stamped line opens one entry (plus one per late
 * continuation); a valid UTF-8 input gives valid UTF-8 messages, cut or
 * not; the reader hands out every byte and no piece beyond its buffer;
 * and the entries are the same whether the input comes all at once or a
 * few bytes per read through a pipe. Beside it runs a joiner with a cap
 * that never cuts: an entry not cut is the same in both, and a cut one is
 * its head, the mark and its end (joiner.h): the head a prefix of the
 * whole message (but for blanks that the whole one trimmed), the end a
 * suffix of it, as long as the tail reserve allows, less at most the
 * three bytes of a character split.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "joiner.h"
#include "reader.h"
#include "stamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The last entry of the joiner that never cuts. */
struct whole {
	char *msg;
	size_t len;
	int ready; /* emitted, not yet compared */
	uint64_t emitted;
};

struct check {
	size_t max;
	uint64_t emitted;
	uint64_t digest; /* of every entry emitted, in order */
	int utf8;        /* the input is valid UTF-8 */
	struct whole *whole;
};

static void mix(uint64_t *d, const void *p, size_t n);

static uint32_t
fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* 1 if the n bytes at p are valid UTF-8 (no overlongs, no surrogates). */
static int
valid_utf8(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		for (size_t e = 1; e <= k; e++) {
			if ((p[i + e] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + e] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

static void
on_whole(void *ctx, const struct entry *e)
{
	struct whole *w = ctx;

	if (w->ready || e->cut)
		abort();
	memcpy(w->msg, e->msg, e->len);
	w->len = e->len;
	w->ready = 1;
	w->emitted++;
}

/* 1 if the cut message m is HEAD MARK TAIL of the whole message w. */
static int
cut_fits(const char *m, size_t len, size_t max, const struct whole *w)
{
	size_t t = joiner_tail_reserve(max), keep, h, tl, c, avail;

	keep = max - t - JOINER_CUT_MARK_LEN;
	for (h = keep >= 4 ? keep - 4 : 0; h <= keep; h++) {
		if (h + JOINER_CUT_MARK_LEN > len ||
		    memcmp(m + h, JOINER_CUT_MARK, JOINER_CUT_MARK_LEN) != 0)
			continue;
		tl = len - h - JOINER_CUT_MARK_LEN;
		if (tl > t || tl > w->len ||
		    memcmp(m + len - tl, w->msg + w->len - tl, tl) != 0)
			continue;
		for (c = 0; c < h && c < w->len && m[c] == w->msg[c]; c++)
			;
		while (c < h && (m[c] == ' ' || m[c] == '\t'))
			c++;
		if (c != h)
			continue;
		avail = w->len > h ? w->len - h : 0;
		if (avail > t)
			avail = t;
		if (tl + 3 < avail)
			continue;
		return 1;
	}
	return 0;
}

static void
on_entry(void *ctx, const struct entry *e)
{
	struct check *c = ctx;

	c->emitted++;
	mix(&c->digest, &e->stamp, sizeof(e->stamp));
	mix(&c->digest, &e->len, sizeof(e->len));
	mix(&c->digest, &e->cut, sizeof(e->cut));
	mix(&c->digest, e->msg, e->len);
	if (e->len > c->max || memchr(e->msg, '\n', e->len) != NULL)
		abort();
	if (c->utf8 && !valid_utf8((const uint8_t *)e->msg, e->len))
		abort();
	if (c->whole == NULL)
		return;
	if (!c->whole->ready)
		abort();
	c->whole->ready = 0;
	if (!e->cut &&
	    (e->len != c->whole->len ||
	        memcmp(e->msg, c->whole->msg, e->len) != 0))
		abort();
	if (e->cut && !cut_fits(e->msg, e->len, c->max, c->whole))
		abort();
}

/* Lines and stamped lines in the input, counted apart from the reader. */
static void
count_lines(const uint8_t *p, size_t n, uint64_t *lines, uint64_t *stamped)
{
	struct stamp st;

	*lines = *stamped = 0;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	while (n > 0) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - p) : n;
		size_t skip = nl != NULL ? len + 1 : n;

		(*lines)++;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (stamp_parse((const char *)p, len, &st) == STAMP_VALID)
			(*stamped)++;
		p += skip;
		n -= skip;
	}
}

/* Mixes n bytes into a running FNV-1a digest. */
static void
mix(uint64_t *d, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		*d = (*d ^ b[i]) * 1099511628211u;
}

/*
 * Gives the reader its input: all of it at once from a memory file, or,
 * chunked, through a non-blocking pipe a few bytes at a time, written
 * only when the reader has emptied it (so reads end anywhere: between CR
 * and LF, inside the BOM, inside a stamp).
 */
struct feed {
	int chunked;
	int fd[2];
	size_t done;
	uint32_t seed;
};

static int
feed_open(struct feed *f, const uint8_t *data, size_t size)
{
	if (!f->chunked) {
		f->fd[0] = memfd_create("fuzz_joiner", MFD_CLOEXEC);
		f->fd[1] = -1;
		if (f->fd[0] < 0 ||
		    (size > 0 && write(f->fd[0], data, size) != (ssize_t)size))
			return -1;
		return lseek(f->fd[0], 0, SEEK_SET) == 0 ? 0 : -1;
	}
	if (pipe(f->fd) < 0)
		return -1;
	return fcntl(f->fd[0], F_SETFL, O_NONBLOCK);
}

/* The pipe is empty: writes the next chunk, or closes it at the end. */
static void
feed_more(struct feed *f, const uint8_t *data, size_t size)
{
	size_t k;

	if (f->done == size) {
		if (f->fd[1] >= 0)
			close(f->fd[1]);
		f->fd[1] = -1;
		return;
	}
	f->seed = f->seed * 1103515245u + 12345u;
	k = 1 + (f->seed >> 16) % 64;
	if (k > size - f->done)
		k = size - f->done;
	if (write(f->fd[1], data + f->done, k) != (ssize_t)k)
		abort();
	f->done += k;
}

static void
run(const uint8_t *data, size_t size, uint32_t h, struct check *c,
    struct joiner_counts *counts, int chunked)
{
	struct feed f = {.chunked = chunked, .seed = h};
	unsigned flush_every;
	uint64_t pushed = 0;
	struct whole w = {0};
	struct joiner j, jw;
	struct reader r;
	struct line l;
	size_t cap;

	cap = 64 + (h >> 9) % 193;
	flush_every = (h >> 17) % 4 == 0 ? 1 + (h >> 19) % 5 : 0;
	if (feed_open(&f, data, size) < 0 ||
	    reader_init(&r, f.fd[0], 0, cap) < 0 ||
	    joiner_init(&j, c->max, on_entry, NULL, c) < 0)
		abort();
	/* Beside it, a joiner that never cuts, where the cut keeps a tail. */
	c->whole = NULL;
	if (joiner_tail_reserve(c->max) > 0) {
		w.msg = malloc(size + 64);
		if (w.msg == NULL ||
		    joiner_init(&jw, size + 64, on_whole, NULL, &w) < 0)
			abort();
		c->whole = &w;
	}
	for (;;) {
		ssize_t n;

		while (reader_next(&r, &l, reader_at_eof(&r))) {
			if (l.len > cap || l.next < l.start ||
			    (size_t)l.next > size)
				abort();
			if (c->whole != NULL)
				joiner_push(&jw, &l);
			joiner_push(&j, &l);
			if (flush_every != 0 && ++pushed % flush_every == 0) {
				if (c->whole != NULL)
					joiner_flush(&jw);
				joiner_flush(&j);
			}
		}
		if (reader_at_eof(&r))
			break;
		/* The entries pending may borrow the bytes the fill moves. */
		if (c->whole != NULL)
			joiner_keep(&jw);
		joiner_keep(&j);
		n = reader_fill(&r);
		if (n < 0 && chunked && errno == EAGAIN)
			feed_more(&f, data, size);
		else if (n < 0)
			abort();
	}
	if (c->whole != NULL)
		joiner_end(&jw);
	joiner_end(&j);
	if (reader_offset(&r) != (off_t)size)
		abort();
	if (c->whole != NULL) {
		if (w.ready || w.emitted != c->emitted)
			abort();
		joiner_free(&jw);
		free(w.msg);
		c->whole = NULL;
	}
	if (flush_every == 0 && j.n.resumed != 0)
		abort();
	*counts = j.n;
	joiner_free(&j);
	reader_free(&r);
	close(f.fd[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t h = fnv1a(data, size);
	struct check whole = {0}, chunked;
	struct joiner_counts a, b;
	uint64_t lines, stamped;

	whole.max = (h & 3) == 0 ? JOINER_DEFAULT_MAX : 1 + (h >> 2) % 97;
	whole.utf8 = valid_utf8(data, size);
	whole.digest = 14695981039346656037u;
	chunked = whole;
	run(data, size, h, &whole, &a, 0);
	count_lines(data, size, &lines, &stamped);
	if (a.lines != lines || a.entries != whole.emitted ||
	    a.entries != stamped + a.resumed)
		abort();
	/* However the bytes arrive, the same entries come out. A read
	 * per few bytes is slow: one input in four. */
	if ((h >> 24) % 4 != 0)
		return 0;
	run(data, size, h, &chunked, &b, 1);
	if (chunked.emitted != whole.emitted ||
	    chunked.digest != whole.digest || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	return 0;
}
