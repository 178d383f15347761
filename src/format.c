/*
 * format: escaping. A line break inside a message would let an attacker
 * forge a line of their own in the output, and U+0085, U+2028 and U+2029
 * break lines for some readers, so none of them leaves raw.
 */
#include "format.h"

#include <string.h>

/* 1: escape the byte; 2: look at the bytes that follow (C2, E2). */
/* clang-format off */
static const unsigned char special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    [0x7f] = 1, [0xc2] = 2, [0xe2] = 2,
};
/* clang-format on */

/* Length of the escaped sequence at s (n bytes left), 0 if none. */
static size_t
escape_len(const unsigned char *s, size_t n)
{
	if (special[s[0]] == 1)
		return 1;
	if (s[0] == 0xc2 && n >= 2 && s[1] == 0x85)
		return 2;
	if (s[0] == 0xe2 && n >= 3 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9))
		return 3;
	return 0;
}

static char *
put_octal(char *q, unsigned char c)
{
	q[0] = '#';
	q[1] = (char)('0' + (c >> 6));
	q[2] = (char)('0' + ((c >> 3) & 7));
	q[3] = (char)('0' + (c & 7));
	return q + 4;
}

size_t
format_escape(char *dst, size_t cap, const char *src, size_t n, size_t *used)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0;

	while (i < n) {
		size_t run = i, esc;

		while (run < n && special[s[run]] == 0)
			run++;
		if (run > i) {
			size_t k = run - i;

			if (k > cap - o)
				k = cap - o;
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
			if (i < run)
				break;
		}
		if (i == n)
			break;
		esc = escape_len(s + i, n - i);
		if (esc == 0) {
			if (o == cap)
				break;
			dst[o++] = (char)s[i++];
			continue;
		}
		if (cap - o < esc * FORMAT_EXPANSION)
			break;
		for (size_t e = 0; e < esc; e++)
			o = (size_t)(put_octal(dst + o, s[i + e]) - dst);
		i += esc;
	}
	*used = i;
	return o;
}

int
format_needs_escape(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n; i++) {
		if (special[u[i]] != 0 && escape_len(u + i, n - i) != 0)
			return 1;
	}
	return 0;
}
