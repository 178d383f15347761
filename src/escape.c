/*
 * escape: the one rule of which bytes leave raw. A line break inside a message would let an attacker
 * forge a line of their own in the output, and U+0085, U+2028 and U+2029
 * break lines for some readers, so none of them leaves raw.
 */
#include "escape.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

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

#ifdef __SSE2__
/* Bit k set: byte k of the 16 at s needs a second look. */
static unsigned
special_mask(const unsigned char *s)
{
	const __m128i low = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
	const __m128i c2 = _mm_set1_epi8((char)0xc2);
	const __m128i e2 = _mm_set1_epi8((char)0xe2);
	__m128i x = _mm_loadu_si128((const void *)s);
	__m128i m = _mm_cmpeq_epi8(_mm_min_epu8(x, low), x);

	m = _mm_or_si128(m, _mm_cmpeq_epi8(x, del));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(x, c2));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(x, e2));
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/*
 * Length of the run at s (n bytes) with no byte that needs a second look.
 * This is the hot loop of the program: with SSE2 (every x86-64) it looks
 * at 16 bytes a step, and the last step overlaps the one before it rather
 * than going byte by byte.
 */
static size_t
plain_run_sse2(const unsigned char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	if (n >= 16) {
		unsigned m;

		for (; i + 16 <= n; i += 16) {
			m = special_mask(s + i);
			if (m != 0)
				return i + (size_t)__builtin_ctz(m);
		}
		if (i == n)
			return n;
		m = special_mask(s + n - 16) >> (16 - (n - i));
		return m != 0 ? i + (size_t)__builtin_ctz(m) : n;
	}
#endif
	while (i < n && special[s[i]] == 0)
		i++;
	return i;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* Bit k set: byte k of the 32 at s needs a second look. */
__attribute__((target("avx2"))) static unsigned
special_mask_avx2(const unsigned char *s)
{
	const __m256i low = _mm256_set1_epi8(0x1f);
	const __m256i del = _mm256_set1_epi8(0x7f);
	const __m256i c2 = _mm256_set1_epi8((char)0xc2);
	const __m256i e2 = _mm256_set1_epi8((char)0xe2);
	__m256i x = _mm256_loadu_si256((const void *)s);
	__m256i m = _mm256_cmpeq_epi8(_mm256_min_epu8(x, low), x);

	m = _mm256_or_si256(m, _mm256_cmpeq_epi8(x, del));
	m = _mm256_or_si256(m, _mm256_cmpeq_epi8(x, c2));
	m = _mm256_or_si256(m, _mm256_cmpeq_epi8(x, e2));
	return (unsigned)_mm256_movemask_epi8(m);
}

/* The same scan, 32 bytes a step, where the processor has AVX2. */
__attribute__((target("avx2"))) static size_t
plain_run_avx2(const unsigned char *s, size_t n)
{
	size_t i = 0;
	unsigned m;

	if (n < 32)
		return plain_run_sse2(s, n);
	for (; i + 32 <= n; i += 32) {
		m = special_mask_avx2(s + i);
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	if (i == n)
		return n;
	m = special_mask_avx2(s + n - 32) >> (32 - (n - i));
	return m != 0 ? i + (size_t)__builtin_ctz(m) : n;
}

static size_t (*plain_run)(const unsigned char *, size_t);

size_t
escape_plain_run(const char *str, size_t n)
{
	if (plain_run == NULL) {
		__builtin_cpu_init();
		plain_run = __builtin_cpu_supports("avx2") ? plain_run_avx2
		                                           : plain_run_sse2;
	}
	return plain_run((const unsigned char *)str, n);
}
#else
size_t
escape_plain_run(const char *str, size_t n)
{
	return plain_run_sse2((const unsigned char *)str, n);
}
#endif

size_t
escape_bytes(char *dst, size_t cap, const char *src, size_t n, size_t *used)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0;

	while (i < n) {
		size_t run = i + escape_plain_run(src + i, n - i), esc;

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
		if (cap - o < esc * ESCAPE_EXPANSION)
			break;
		for (size_t e = 0; e < esc; e++)
			o = (size_t)(put_octal(dst + o, s[i + e]) - dst);
		i += esc;
	}
	*used = i;
	return o;
}
