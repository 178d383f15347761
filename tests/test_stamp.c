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

/* One stamp_parse case: the first len bytes of in (all of it if len is 0). */
struct parse_case {
	const char *in;
	size_t len;
	enum stamp_result want;
	struct stamp st; /* the fields, when want is STAMP_VALID */
};

static const struct parse_case parse_cases[] = {
    {.in = "[17/Jun/2011 17:00:45] x",
        .want = STAMP_VALID,
        .st = {.year = 2011, .mon = 6, .mday = 17, .hour = 17, .sec = 45}},
    /* The stamp alone, with nothing after it, is still a stamp. */
    {.in = "[01/Jan/2000 00:00:00]",
        .want = STAMP_VALID,
        .st = {.year = 2000, .mon = 1, .mday = 1}},
    /* A leap second. */
    {.in = "[31/Dec/9999 23:59:60]",
        .want = STAMP_VALID,
        .st = {.year = 9999,
            .mon = 12,
            .mday = 31,
            .hour = 23,
            .min = 59,
            .sec = 60}},
    /* Leap years: every fourth, but not a century unless its 400th. */
    {.in = "[29/Feb/2012 12:00:00]",
        .want = STAMP_VALID,
        .st = {.year = 2012, .mon = 2, .mday = 29, .hour = 12}},
    {.in = "[29/Feb/2000 12:00:00]",
        .want = STAMP_VALID,
        .st = {.year = 2000, .mon = 2, .mday = 29, .hour = 12}},
    {.in = "[29/Feb/2011 12:00:00]", .want = STAMP_BAD},
    {.in = "[29/Feb/1900 12:00:00]", .want = STAMP_BAD},
    {.in = "[30/Feb/2012 12:00:00]", .want = STAMP_BAD},
    {.in = "[28/Feb/2011 12:00:00]",
        .want = STAMP_VALID,
        .st = {.year = 2011, .mon = 2, .mday = 28, .hour = 12}},
    /* Shaped like a stamp, but out of range or malformed. */
    {.in = "[00/Jun/2011 17:00:45]", .want = STAMP_BAD},
    {.in = "[31/Apr/2011 17:00:45]", .want = STAMP_BAD},
    {.in = "[32/Jan/2011 17:00:45]", .want = STAMP_BAD},
    {.in = "[17/Jun/2011 24:00:00]", .want = STAMP_BAD},
    {.in = "[17/Jun/2011 17:60:00]", .want = STAMP_BAD},
    {.in = "[17/Jun/2011 17:00:61]", .want = STAMP_BAD},
    {.in = "[17/jun/2011 17:00:45]", .want = STAMP_BAD},
    {.in = "[17/Jux/2011 17:00:45]", .want = STAMP_BAD},
    {.in = "[17/Jun/0000 17:00:45]", .want = STAMP_BAD},
    {.in = "[17/Jun/2011 17:00:4]", .want = STAMP_BAD},
    {.in = "[17/Jun/2011 17:00:45", .want = STAMP_BAD},
    {.in = "[17/Jun/2011T17:00:45]", .want = STAMP_BAD},
    {.in = "[17/Jun/2O11 17:00:45]", .want = STAMP_BAD},
    {.in = "[7/Jun/2011 17:00:45]", .want = STAMP_BAD},
    {.in = "[17/Jun/2011 7:00:45] x", .want = STAMP_BAD},
    /* Not a stamp at all. */
    {.in = "", .want = STAMP_NONE},
    {.in = "[", .want = STAMP_NONE},
    {.in = "x[17/Jun/2011 17:00:45]", .want = STAMP_NONE},
    {.in = " [17/Jun/2011 17:00:45]", .want = STAMP_NONE},
    {.in = "[4522610688] {smtps}", .want = STAMP_NONE},
    {.in = "[abc]", .want = STAMP_NONE},
    {.in = "address 1.2.3.4", .want = STAMP_NONE},
    {.in = "[1", .want = STAMP_NONE},
    {.in = "[123/Jun/2011 17:00:45]", .want = STAMP_NONE},
    /* Counted bytes: a valid stamp cut short by len is no stamp. */
    {.in = "[17/Jun/2011 17:00:45]", .len = 21, .want = STAMP_BAD},
    {.in = "[17/Jun/2011 17:00:45]", .len = 2, .want = STAMP_NONE},
};

static void
test_stamp_parse_table(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	     i++) {
		const struct parse_case *c = &parse_cases[i];
		size_t len = c->len != 0 ? c->len : strlen(c->in);
		struct stamp st;
		enum stamp_result got = stamp_parse(c->in, len, &st);

		if (got != c->want)
			fail_msg("'%.*s': result %d, want %d", (int)len, c->in,
			    (int)got, (int)c->want);
		if (got != STAMP_VALID)
			continue;
		if (st.year != c->st.year || st.mon != c->st.mon ||
		    st.mday != c->st.mday || st.hour != c->st.hour ||
		    st.min != c->st.min || st.sec != c->st.sec)
			fail_msg(
			    "'%s': %d-%d-%d %d:%d:%d, want %d-%d-%d %d:%d:%d",
			    c->in, st.year, st.mon, st.mday, st.hour, st.min,
			    st.sec, c->st.year, c->st.mon, c->st.mday,
			    c->st.hour, c->st.min, c->st.sec);
	}
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
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* One rendering: in, a Kerio stamp, in format f with TZ set to tz first
 * (kept as it is when tz is NULL). */
static const struct {
	enum stamp_format f;
	const char *tz;
	const char *in;
	const char *want;
} render_cases[] = {
    {.f = STAMP_BSD, .in = "[17/Jun/2011 17:00:45]", .want = "Jun 17 17:00:45"},
    {.f = STAMP_BSD, .in = "[07/Jun/2011 07:08:09]", .want = "Jun  7 07:08:09"},
    {.f = STAMP_BSD, .in = "[01/Dec/1999 00:00:00]", .want = "Dec  1 00:00:00"},
    {.f = STAMP_BSD, .in = "[30/Jun/2015 23:59:60]", .want = "Jun 30 23:59:60"},
    {.f = STAMP_RFC3339,
        .tz = "Europe/Prague",
        .in = "[17/Jun/2011 17:00:45]",
        .want = "2011-06-17T17:00:45+02:00"},
    {.f = STAMP_RFC3339,
        .in = "[17/Jan/2011 17:00:45]",
        .want = "2011-01-17T17:00:45+01:00"},
    /* 2011-03-27: 02:00 CET became 03:00 CEST. */
    {.f = STAMP_RFC3339,
        .in = "[27/Mar/2011 01:59:59]",
        .want = "2011-03-27T01:59:59+01:00"},
    {.f = STAMP_RFC3339,
        .in = "[27/Mar/2011 03:00:00]",
        .want = "2011-03-27T03:00:00+02:00"},
    /* 2011-10-30: 03:00 CEST became 02:00 CET. */
    {.f = STAMP_RFC3339,
        .in = "[30/Oct/2011 01:59:59]",
        .want = "2011-10-30T01:59:59+02:00"},
    {.f = STAMP_RFC3339,
        .in = "[30/Oct/2011 03:00:00]",
        .want = "2011-10-30T03:00:00+01:00"},
    {.f = STAMP_RFC3339,
        .tz = "America/New_York",
        .in = "[17/Jun/2011 17:00:45]",
        .want = "2011-06-17T17:00:45-04:00"},
    {.f = STAMP_RFC3339,
        .in = "[17/Dec/2011 17:00:45]",
        .want = "2011-12-17T17:00:45-05:00"},
    {.f = STAMP_RFC3339,
        .tz = "Asia/Kolkata",
        .in = "[17/Jun/2011 17:00:45]",
        .want = "2011-06-17T17:00:45+05:30"},
    {.f = STAMP_RFC3339,
        .tz = "UTC",
        .in = "[29/Feb/2012 00:00:00]",
        .want = "2012-02-29T00:00:00+00:00"},
};

static void
test_stamp_render_table(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(render_cases) / sizeof(render_cases[0]);
	     i++) {
		if (render_cases[i].tz != NULL)
			set_tz(render_cases[i].tz);
		assert_string_equal(render(render_cases[i].f,
		                        render_cases[i].in),
		    render_cases[i].want);
	}
}

/* A Kerio stamp and its rfc3339 rendering. */
struct in_want {
	const char *in, *want;
};

/* One renderer through t in order, in zone tz: each as wanted. */
static void
render_in_order(const char *tz, const struct in_want *t, size_t len)
{
	struct stamp_renderer r;

	set_tz(tz);
	stamp_renderer_init(&r, STAMP_RFC3339);
	for (size_t i = 0; i < len; i++) {
		struct stamp st;
		const char *p;
		size_t n;

		assert_int_equal(parse(t[i].in, &st), STAMP_VALID);
		p = stamp_render(&r, &st, &n);
		assert_int_equal(n, strlen(t[i].want));
		assert_memory_equal(p, t[i].want, n);
		/* And alone, by a renderer of its own. */
		assert_string_equal(render(STAMP_RFC3339, t[i].in), t[i].want);
	}
}

/* One renderer across a DST change must not keep the old day's offset. */
static void
test_stamp_render_rfc3339_cache_across_change(void **unused)
{
	static const struct in_want t[] = {
	    {.in = "[26/Mar/2011 23:59:59]",
	        .want = "2011-03-26T23:59:59+01:00"},
	    {.in = "[27/Mar/2011 00:00:00]",
	        .want = "2011-03-27T00:00:00+01:00"},
	    {.in = "[27/Mar/2011 01:59:59]",
	        .want = "2011-03-27T01:59:59+01:00"},
	    {.in = "[27/Mar/2011 03:00:00]",
	        .want = "2011-03-27T03:00:00+02:00"},
	    {.in = "[27/Mar/2011 03:00:00]",
	        .want = "2011-03-27T03:00:00+02:00"},
	    {.in = "[28/Mar/2011 00:00:00]",
	        .want = "2011-03-28T00:00:00+02:00"},
	};

	(void)unused;
	render_in_order("Europe/Prague", t, sizeof(t) / sizeof(t[0]));
}

/*
 * Both changes of the year in zones of both hemispheres, a change of 30
 * minutes (Lord Howe) and a DST that tzdata gives in winter (Dublin):
 * the instants each local time names and the offset it is written with.
 * Expected values from Python's zoneinfo (fold 0 and 1).
 */
static const struct instants_case {
	const char *tz;
	struct stamp st;
	enum stamp_local kind;
	int64_t first, last;
	long offset;
} instants_cases[] = {
    {"Europe/Prague", {2026, 10, 25, 2, 30, 0}, STAMP_LOCAL_REPEATED,
        1792888200, 1792891800, 7200},
    {"Europe/Prague", {2026, 3, 29, 2, 30, 0}, STAMP_LOCAL_SKIPPED, 1774744200,
        1774747800, 3600},
    {"Europe/Prague", {2026, 10, 25, 1, 59, 59}, STAMP_LOCAL_ONE, 1792886399,
        1792886399, 7200},
    {"Europe/Prague", {2026, 10, 25, 3, 0, 0}, STAMP_LOCAL_ONE, 1792893600,
        1792893600, 3600},
    {"America/New_York", {2026, 11, 1, 1, 30, 0}, STAMP_LOCAL_REPEATED,
        1793511000, 1793514600, -14400},
    {"America/New_York", {2026, 3, 8, 2, 30, 0}, STAMP_LOCAL_SKIPPED,
        1772951400, 1772955000, -18000},
    {"Australia/Sydney", {2026, 4, 5, 2, 30, 0}, STAMP_LOCAL_REPEATED,
        1775316600, 1775320200, 39600},
    {"Australia/Sydney", {2026, 10, 4, 2, 30, 0}, STAMP_LOCAL_SKIPPED,
        1791041400, 1791045000, 36000},
    {"Australia/Lord_Howe", {2026, 4, 5, 1, 45, 0}, STAMP_LOCAL_REPEATED,
        1775313900, 1775315700, 39600},
    {"Australia/Lord_Howe", {2026, 10, 4, 2, 15, 0}, STAMP_LOCAL_SKIPPED,
        1791040500, 1791042300, 37800},
    {"Europe/Dublin", {2026, 10, 25, 1, 30, 0}, STAMP_LOCAL_REPEATED,
        1792888200, 1792891800, 3600},
    {"Europe/Dublin", {2026, 3, 29, 1, 30, 0}, STAMP_LOCAL_SKIPPED, 1774744200,
        1774747800, 0},
    {"UTC", {1970, 1, 1, 0, 0, 0}, STAMP_LOCAL_ONE, 0, 0, 0},
    {"UTC", {1969, 12, 31, 23, 59, 59}, STAMP_LOCAL_ONE, -1, -1, 0},
    {"UTC", {2016, 12, 31, 23, 59, 60}, STAMP_LOCAL_ONE, 1483228800, 1483228800,
        0},
};

/*
 * With and without the day cache, and after a call for another time of
 * the day (glibc's mktime with tm_isdst -1 answered a repeated time by
 * the call before it).
 */
static void
test_stamp_instants_zones(void **unused)
{
	static const struct stamp others[] = {{2026, 1, 1, 12, 0, 0},
	    {2026, 7, 1, 12, 0, 0}};

	(void)unused;
	for (size_t i = 0;
	     i < sizeof(instants_cases) / sizeof(instants_cases[0]); i++) {
		const struct instants_case *c = &instants_cases[i];

		set_tz(c->tz);
		for (int k = 0; k < 4; k++) {
			struct stamp_zone z;
			struct stamp_instants in, x;

			stamp_zone_init(&z);
			stamp_instants(k < 2 ? &z : NULL, &others[k % 2], &x);
			assert_int_equal(stamp_instants(k < 2 ? &z : NULL,
			                     &c->st, &in),
			    c->kind);
			assert_int_equal(in.first, c->first);
			assert_int_equal(in.last, c->last);
			assert_int_equal(in.offset, c->offset);
		}
	}
}

/*
 * rfc3339 in the repeated hour: the first occurrence's offset, whatever
 * was rendered before (the old code gave the offset of the call before).
 */
static void
test_stamp_render_rfc3339_repeated_hour(void **unused)
{
	static const struct in_want t[] = {
	    {"[25/Oct/2026 03:00:00]", "2026-10-25T03:00:00+01:00"},
	    {"[25/Oct/2026 02:30:00]", "2026-10-25T02:30:00+02:00"},
	    {"[25/Oct/2026 01:59:59]", "2026-10-25T01:59:59+02:00"},
	    {"[25/Oct/2026 02:00:00]", "2026-10-25T02:00:00+02:00"},
	    {"[25/Oct/2026 02:59:59]", "2026-10-25T02:59:59+02:00"},
	    {"[29/Mar/2026 02:30:00]", "2026-03-29T02:30:00+01:00"},
	    {"[25/Oct/2026 02:30:00]", "2026-10-25T02:30:00+02:00"},
	};

	(void)unused;
	render_in_order("Europe/Prague", t, sizeof(t) / sizeof(t[0]));
}

/* The late rule at its bound, and over every instant a time names. */
static void
test_stamp_late(void **unused)
{
	static const struct {
		const char *tz;
		struct stamp st;
		int64_t now_ms, after_ms;
		int late;
	} t[] = {
	    {"UTC", {2011, 6, 17, 15, 0, 45}, 1308322845000 - 3600000, 60000,
	        0},
	    {"UTC", {2011, 6, 17, 15, 0, 45}, 1308322845000 + 60000, 60000, 0},
	    {"UTC", {2011, 6, 17, 15, 0, 45}, 1308322845000 + 60001, 60000, 1},
	    {"UTC", {2011, 6, 17, 15, 0, 45}, 1308322845000 + 3600000, 0, 0},
	    {"Europe/Prague", {2011, 6, 17, 17, 0, 45}, 1308322845000 + 60001,
	        60000, 1},
	    /* Repeated: late only once the second occurrence is. */
	    {"Europe/Prague", {2026, 10, 25, 2, 30, 0}, 1792891800000 + 60000,
	        60000, 0},
	    {"Europe/Prague", {2026, 10, 25, 2, 30, 0}, 1792891800000 + 60001,
	        60000, 1},
	    {"America/New_York", {2026, 11, 1, 1, 30, 0}, 1793514600000 + 30000,
	        60000, 0},
	    {"Australia/Lord_Howe", {2026, 4, 5, 1, 45, 0},
	        1775315700000 + 30000, 60000, 0},
	    {"Europe/Dublin", {2026, 10, 25, 1, 30, 0}, 1792891800000 + 30000,
	        60000, 0},
	    /* Skipped: by both readings. */
	    {"Europe/Prague", {2026, 3, 29, 2, 30, 0}, 1774747800000 + 60000,
	        60000, 0},
	    {"Europe/Prague", {2026, 3, 29, 2, 30, 0}, 1774747800000 + 60001,
	        60000, 1},
	    {"Australia/Sydney", {2026, 10, 4, 2, 30, 0}, 1791045000000 + 1000,
	        60000, 0},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct stamp_zone z;

		set_tz(t[i].tz);
		stamp_zone_init(&z);
		assert_int_equal(stamp_late(&z, &t[i].st, t[i].now_ms,
		                     t[i].after_ms),
		    t[i].late);
		assert_int_equal(stamp_late(NULL, &t[i].st, t[i].now_ms,
		                     t[i].after_ms),
		    t[i].late);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stamp_parse_table),
	    cmocka_unit_test(test_stamp_render_table),
	    cmocka_unit_test(test_stamp_render_rfc3339_cache_across_change),
	    cmocka_unit_test(test_stamp_instants_zones),
	    cmocka_unit_test(test_stamp_render_rfc3339_repeated_hour),
	    cmocka_unit_test(test_stamp_late),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
