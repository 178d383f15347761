/*
 * recent: the last bytes read of a file (recent.h).
 */
#include "recent.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void
recent_load(struct recent *r, int fd, off_t off)
{
	size_t want = off < RECENT_SPAN ? (size_t)off : RECENT_SPAN;
	ssize_t n = pread(fd, r->buf, want, off - (off_t)want);

	r->len = n == (ssize_t)want ? want : 0;
}

void
recent_note(struct recent *r, const char *p, size_t n)
{
	if (n >= RECENT_SPAN) {
		memcpy(r->buf, p + n - RECENT_SPAN, RECENT_SPAN);
		r->len = RECENT_SPAN;
		return;
	}
	if (r->len + n > RECENT_SPAN) {
		size_t drop = r->len + n - RECENT_SPAN;

		memmove(r->buf, r->buf + drop, r->len - drop);
		r->len -= drop;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

int
recent_changed(const struct recent *r, int fd, off_t off)
{
	char buf[RECENT_SPAN];
	ssize_t n;

	if (r->len == 0)
		return 0;
	do
		n = pread(fd, buf, r->len, off - (off_t)r->len);
	while (n < 0 && errno == EINTR);
	return n != (ssize_t)r->len || memcmp(buf, r->buf, r->len) != 0;
}

void
recent_forget(struct recent *r)
{
	r->len = 0;
}

size_t
recent_len(const struct recent *r)
{
	return r->len;
}

uint64_t
recent_hash(const struct recent *r)
{
	return state_hash(r->buf, r->len);
}
