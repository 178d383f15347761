/* Unit tests for escape: escaping control bytes and line separators. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "escape.h"

static const char *
esc(const char *s, size_t n)
{
	static char out[1024];
	size_t used, len;

	len = escape_bytes(out, sizeof(out) - 1, s, n, &used);
	assert_int_equal(used, n);
	out[len] = '\0';
	return out;
}

static void
test_escape_bytes_controls(void **unused)
{
	(void)unused;
	assert_string_equal(esc("a\tb", 3), "a#011b");
	assert_string_equal(esc("a\rb\n", 4), "a#015b#012");
	assert_string_equal(esc("\x7f", 1), "#177");
	assert_string_equal(esc("x\0y", 3), "x#000y");
	assert_string_equal(esc("\x1b[31m", 5), "#033[31m");
	assert_string_equal(esc("\x01\x1f", 2), "#001#037");
}

static void
test_escape_bytes_unicode_separators(void **unused)
{
	(void)unused;
	assert_string_equal(esc("a\xc2\x85z", 4), "a#302#205z");
	assert_string_equal(esc("a\xe2\x80\xa8z", 5), "a#342#200#250z");
	assert_string_equal(esc("a\xe2\x80\xa9z", 5), "a#342#200#251z");
	/* Other characters with the same lead bytes stay as they are. */
	assert_string_equal(esc("\xc2\xa9 \xe2\x80\x94 \xc3\xa9", 9),
	    "\xc2\xa9 \xe2\x80\x94 \xc3\xa9");
	/* A lone lead byte at the end is no separator. */
	assert_string_equal(esc("a\xe2\x80", 3), "a\xe2\x80");
	assert_string_equal(esc("a\xc2", 2), "a\xc2");
}

static void
test_escape_bytes_plain_untouched(void **unused)
{
	const char *s = "Attempt to deliver to unknown recipient <a@b>, from "
	                "<c@d>, IP address 200.90.149.178";

	(void)unused;
	assert_string_equal(esc(s, strlen(s)), s);
	assert_int_equal(escape_plain_run(s, strlen(s)), strlen(s));
	assert_int_equal(escape_plain_run("a\tb", 3), 1);
	assert_int_equal(escape_plain_run("\xe2\x80\xa8", 3), 0);
	/* A lead byte is looked at, but only the separators change. */
	assert_string_equal(esc("\xe2\x80\xa7", 3), "\xe2\x80\xa7");
}

/* A full buffer stops before an escape, never inside one. */
static void
test_escape_bytes_stops_at_capacity(void **unused)
{
	char out[8];
	size_t used, len;

	(void)unused;
	len = escape_bytes(out, 6, "ab\tcd", 5, &used);
	assert_int_equal(len, 6);
	assert_int_equal(used, 3);
	assert_memory_equal(out, "ab#011", 6);
	len = escape_bytes(out, 5, "ab\tcd", 5, &used);
	assert_int_equal(len, 2);
	assert_int_equal(used, 2);
	len = escape_bytes(out, 8, "a\xe2\x80\xa8", 4, &used);
	assert_int_equal(len, 1);
	assert_int_equal(used, 1);
	len = escape_bytes(out, 3, "abcdef", 6, &used);
	assert_int_equal(len, 3);
	assert_int_equal(used, 3);
}

/* Naive reference for escape_plain_run. */
static size_t
plain_ref(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= 0x20 && s[i] != 0x7f && s[i] != 0xc2 &&
	    s[i] != 0xe2)
		i++;
	return i;
}

/* Every length and every position of every kind of byte to look at:
 * the 16-byte steps, the overlapping last step and the short tail. */
static void
test_escape_plain_run_matches_reference(void **unused)
{
	static const unsigned char specials[] = {'\n', '\r', '\t', 0, 0x1f,
	    0x7f, 0xc2, 0xe2};
	unsigned char buf[80];

	(void)unused;
	for (size_t n = 0; n <= sizeof(buf); n++) {
		memset(buf, 'a', sizeof(buf));
		assert_int_equal(escape_plain_run((char *)buf, n), n);
		for (size_t at = 0; at < n; at++) {
			for (size_t k = 0; k < sizeof(specials); k++) {
				memset(buf, 0x80 + (at % 0x3f), sizeof(buf));
				buf[at] = specials[k];
				assert_int_equal(escape_plain_run((char *)buf,
				                     n),
				    plain_ref(buf, n));
				assert_int_equal(escape_plain_run((char *)buf,
				                     n),
				    at);
			}
		}
	}
	/* Bytes 0x20-0x7e and 0x80-0xff but for C2 and E2 are plain. */
	for (unsigned c = 0; c < 256; c++) {
		memset(buf, (int)c, sizeof(buf));
		assert_int_equal(escape_plain_run((char *)buf, sizeof(buf)),
		    plain_ref(buf, sizeof(buf)));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_bytes_controls),
	    cmocka_unit_test(test_escape_bytes_unicode_separators),
	    cmocka_unit_test(test_escape_bytes_plain_untouched),
	    cmocka_unit_test(test_escape_bytes_stops_at_capacity),
	    cmocka_unit_test(test_escape_plain_run_matches_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
