/* Unit tests for format: escaping control bytes and line separators. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "format.h"

static const char *
esc(const char *s, size_t n)
{
	static char out[1024];
	size_t used, len;

	len = format_escape(out, sizeof(out) - 1, s, n, &used);
	assert_int_equal(used, n);
	out[len] = '\0';
	return out;
}

static void
test_format_escape_controls(void **unused)
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
test_format_escape_unicode_separators(void **unused)
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
test_format_escape_plain_untouched(void **unused)
{
	const char *s = "Attempt to deliver to unknown recipient <a@b>, from "
	                "<c@d>, IP address 200.90.149.178";

	(void)unused;
	assert_string_equal(esc(s, strlen(s)), s);
	assert_int_equal(format_needs_escape(s, strlen(s)), 0);
	assert_int_equal(format_needs_escape("a\tb", 3), 1);
	assert_int_equal(format_needs_escape("\xe2\x80\xa8", 3), 1);
	assert_int_equal(format_needs_escape("\xe2\x80\xa7", 3), 0);
}

/* A full buffer stops before an escape, never inside one. */
static void
test_format_escape_stops_at_capacity(void **unused)
{
	char out[8];
	size_t used, len;

	(void)unused;
	len = format_escape(out, 6, "ab\tcd", 5, &used);
	assert_int_equal(len, 6);
	assert_int_equal(used, 3);
	assert_memory_equal(out, "ab#011", 6);
	len = format_escape(out, 5, "ab\tcd", 5, &used);
	assert_int_equal(len, 2);
	assert_int_equal(used, 2);
	len = format_escape(out, 8, "a\xe2\x80\xa8", 4, &used);
	assert_int_equal(len, 1);
	assert_int_equal(used, 1);
	len = format_escape(out, 3, "abcdef", 6, &used);
	assert_int_equal(len, 3);
	assert_int_equal(used, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_escape_controls),
	    cmocka_unit_test(test_format_escape_unicode_separators),
	    cmocka_unit_test(test_format_escape_plain_untouched),
	    cmocka_unit_test(test_format_escape_stops_at_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
