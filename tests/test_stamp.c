/* Unit tests for stamp: parsing Kerio stamps, rendering syslog stamps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stamp.h"

static enum stamp_result
parse(const char *s, struct stamp *st)
{
	return stamp_parse(s, strlen(s), st);
}

static void
test_stamp_parse_valid(void **unused)
{
	struct stamp st;

	(void)unused;
	assert_int_equal(parse("[17/Jun/2011 17:00:45] x", &st), STAMP_VALID);
	assert_int_equal(st.year, 2011);
	assert_int_equal(st.mon, 6);
	assert_int_equal(st.mday, 17);
	assert_int_equal(st.hour, 17);
	assert_int_equal(st.min, 0);
	assert_int_equal(st.sec, 45);
	/* The stamp alone, with nothing after it, is still a stamp. */
	assert_int_equal(parse("[01/Jan/2000 00:00:00]", &st), STAMP_VALID);
	assert_int_equal(parse("[31/Dec/9999 23:59:60]", &st), STAMP_VALID);
	assert_int_equal(st.sec, 60);
}

static void
test_stamp_parse_leap_years(void **unused)
{
	struct stamp st;

	(void)unused;
	assert_int_equal(parse("[29/Feb/2012 12:00:00]", &st), STAMP_VALID);
	assert_int_equal(parse("[29/Feb/2000 12:00:00]", &st), STAMP_VALID);
	assert_int_equal(parse("[29/Feb/2011 12:00:00]", &st), STAMP_BAD);
	assert_int_equal(parse("[29/Feb/1900 12:00:00]", &st), STAMP_BAD);
	assert_int_equal(parse("[30/Feb/2012 12:00:00]", &st), STAMP_BAD);
	assert_int_equal(parse("[28/Feb/2011 12:00:00]", &st), STAMP_VALID);
}

static void
test_stamp_parse_bad_ranges(void **unused)
{
	static const char *const bad[] = {
	    "[00/Jun/2011 17:00:45]",
	    "[31/Apr/2011 17:00:45]",
	    "[32/Jan/2011 17:00:45]",
	    "[17/Jun/2011 24:00:00]",
	    "[17/Jun/2011 17:60:00]",
	    "[17/Jun/2011 17:00:61]",
	    "[17/jun/2011 17:00:45]",
	    "[17/Jux/2011 17:00:45]",
	    "[17/Jun/0000 17:00:45]",
	    "[17/Jun/2011 17:00:4]",
	    "[17/Jun/2011 17:00:45",
	    "[17/Jun/2011T17:00:45]",
	    "[17/Jun/2O11 17:00:45]",
	    "[7/Jun/2011 17:00:45]",
	    "[17/Jun/2011 7:00:45] x",
	};
	struct stamp st;

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &st) != STAMP_BAD)
			fail_msg("not STAMP_BAD: %s", bad[i]);
	}
}

static void
test_stamp_parse_not_a_stamp(void **unused)
{
	static const char *const none[] = {
	    "",
	    "[",
	    "x[17/Jun/2011 17:00:45]",
	    " [17/Jun/2011 17:00:45]",
	    "[4522610688] {smtps}",
	    "[abc]",
	    "address 1.2.3.4",
	    "[1",
	    "[123/Jun/2011 17:00:45]",
	};
	struct stamp st;

	(void)unused;
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		if (parse(none[i], &st) != STAMP_NONE)
			fail_msg("not STAMP_NONE: '%s'", none[i]);
	}
	/* Counted bytes: a valid stamp cut short by len is no stamp. */
	assert_int_equal(stamp_parse("[17/Jun/2011 17:00:45]", 21, &st),
	    STAMP_BAD);
	assert_int_equal(stamp_parse("[17/Jun/2011 17:00:45]", 2, &st),
	    STAMP_NONE);
}

static const char *
render(enum stamp_format f, const char *kerio)
{
	static char out[STAMP_TEXT_MAX + 1];
	struct stamp_renderer r;
	struct stamp st;
	const char *p;
	size_t n;

	assert_int_equal(parse(kerio, &st), STAMP_VALID);
	stamp_renderer_init(&r, f);
	p = stamp_render(&r, &st, &n);
	assert_true(n <= STAMP_TEXT_MAX);
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

static void
test_stamp_render_bsd(void **unused)
{
	(void)unused;
	assert_string_equal(render(STAMP_BSD, "[17/Jun/2011 17:00:45]"),
	    "Jun 17 17:00:45");
	assert_string_equal(render(STAMP_BSD, "[07/Jun/2011 07:08:09]"),
	    "Jun  7 07:08:09");
	assert_string_equal(render(STAMP_BSD, "[01/Dec/1999 00:00:00]"),
	    "Dec  1 00:00:00");
	assert_string_equal(render(STAMP_BSD, "[30/Jun/2015 23:59:60]"),
	    "Jun 30 23:59:60");
}

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
test_stamp_render_rfc3339_dst(void **unused)
{
	(void)unused;
	set_tz("Europe/Prague");
	assert_string_equal(render(STAMP_RFC3339, "[17/Jun/2011 17:00:45]"),
	    "2011-06-17T17:00:45+02:00");
	assert_string_equal(render(STAMP_RFC3339, "[17/Jan/2011 17:00:45]"),
	    "2011-01-17T17:00:45+01:00");
	/* 2011-03-27: 02:00 CET became 03:00 CEST. */
	assert_string_equal(render(STAMP_RFC3339, "[27/Mar/2011 01:59:59]"),
	    "2011-03-27T01:59:59+01:00");
	assert_string_equal(render(STAMP_RFC3339, "[27/Mar/2011 03:00:00]"),
	    "2011-03-27T03:00:00+02:00");
	/* 2011-10-30: 03:00 CEST became 02:00 CET. */
	assert_string_equal(render(STAMP_RFC3339, "[30/Oct/2011 01:59:59]"),
	    "2011-10-30T01:59:59+02:00");
	assert_string_equal(render(STAMP_RFC3339, "[30/Oct/2011 03:00:00]"),
	    "2011-10-30T03:00:00+01:00");
	set_tz("America/New_York");
	assert_string_equal(render(STAMP_RFC3339, "[17/Jun/2011 17:00:45]"),
	    "2011-06-17T17:00:45-04:00");
	assert_string_equal(render(STAMP_RFC3339, "[17/Dec/2011 17:00:45]"),
	    "2011-12-17T17:00:45-05:00");
	set_tz("Asia/Kolkata");
	assert_string_equal(render(STAMP_RFC3339, "[17/Jun/2011 17:00:45]"),
	    "2011-06-17T17:00:45+05:30");
	set_tz("UTC");
	assert_string_equal(render(STAMP_RFC3339, "[29/Feb/2012 00:00:00]"),
	    "2012-02-29T00:00:00+00:00");
}

/* One renderer across a DST change must not keep the old day's offset. */
static void
test_stamp_render_rfc3339_cache_across_change(void **unused)
{
	static const char *const in[] = {
	    "[26/Mar/2011 23:59:59]",
	    "[27/Mar/2011 00:00:00]",
	    "[27/Mar/2011 01:59:59]",
	    "[27/Mar/2011 03:00:00]",
	    "[27/Mar/2011 03:00:00]",
	    "[28/Mar/2011 00:00:00]",
	};
	static const char *const want[] = {
	    "2011-03-26T23:59:59+01:00",
	    "2011-03-27T00:00:00+01:00",
	    "2011-03-27T01:59:59+01:00",
	    "2011-03-27T03:00:00+02:00",
	    "2011-03-27T03:00:00+02:00",
	    "2011-03-28T00:00:00+02:00",
	};
	struct stamp_renderer r;

	(void)unused;
	set_tz("Europe/Prague");
	stamp_renderer_init(&r, STAMP_RFC3339);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct stamp st;
		const char *p;
		size_t n;

		assert_int_equal(parse(in[i], &st), STAMP_VALID);
		p = stamp_render(&r, &st, &n);
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(p, want[i], n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stamp_parse_valid),
	    cmocka_unit_test(test_stamp_parse_leap_years),
	    cmocka_unit_test(test_stamp_parse_bad_ranges),
	    cmocka_unit_test(test_stamp_parse_not_a_stamp),
	    cmocka_unit_test(test_stamp_render_bsd),
	    cmocka_unit_test(test_stamp_render_rfc3339_dst),
	    cmocka_unit_test(test_stamp_render_rfc3339_cache_across_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
