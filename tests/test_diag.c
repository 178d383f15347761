/* Unit tests for diag: the limiter under a pinned clock, and the texts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "diag.h"
#include "unit_clock.h"

/* A clock the test moves by hand: now, in ms. */
static int64_t now;
static const struct clock pinned = {unit_clock_read, &now};

static void
test_diag_limit_burst_then_one_a_minute(void **unused)
{
	/* now: when each call happens; said: 1 if it is said, with quiet. */
	static const struct {
		int64_t now;
		int said;
		uint64_t quiet;
	} t[] = {
	    {.now = 1000, .said = 1}, {.now = 1001, .said = 1},
	    {.now = 1002, .said = 1}, {.now = 1003, .said = 1},
	    {.now = 1004, .said = 1},              /* the burst: 5 */
	    {.now = 1005, .said = 0},              /* held back */
	    {.now = 30000, .said = 0},             /* held back */
	    {.now = 61003, .said = 0},             /* 1 ms short of a minute */
	    {.now = 61004, .said = 1, .quiet = 3}, /* a minute after the last */
	    {.now = 61005, .said = 0}, {.now = 121004, .said = 1, .quiet = 1},
	    {.now = 500000, .said = 1, .quiet = 0}, /* quiet spell: no count */
	};
	struct diag_limit l;

	(void)unused;
	diag_limit_init(&l);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t quiet = 99;
		int said = diag_limit_pass(&l, t[i].now, &quiet);

		assert_int_equal(said, t[i].said);
		if (said)
			assert_int_equal(quiet, t[i].quiet);
		else
			assert_int_equal(quiet, 99); /* left alone */
	}
}

static void
test_diag_quiet_text(void **unused)
{
	char buf[64];

	(void)unused;
	assert_string_equal(diag_quiet_text(0, buf, sizeof(buf)), "");
	assert_string_equal(diag_quiet_text(7, buf, sizeof(buf)),
	    " (7 before not reported)");
	assert_string_equal(diag_quiet_text(UINT64_MAX, buf, sizeof(buf)),
	    " (18446744073709551615 before not reported)");
	assert_string_equal(diag_quiet_text(7, buf, 6), " (7 b");
}

static void
test_diag_input_texts(void **unused)
{
	struct diag_input d;
	char buf[256];
	size_t n;

	(void)unused;
	now = 0;
	diag_input_init(&d, &pinned, "a.log");
	n = diag_input_text(&d, PIPELINE_ORPHANS, 1, 2, buf, sizeof(buf));
	assert_string_equal(buf,
	    "a.log:1: 2 lines before the first entry not written");
	assert_int_equal(n, strlen(buf));
	diag_input_text(&d, PIPELINE_ORPHANS, 3, 1, buf, sizeof(buf));
	assert_string_equal(buf,
	    "a.log:3: 1 line before the first entry not written");
	diag_input_text(&d, PIPELINE_BAD_STAMP, 5, 0, buf, sizeof(buf));
	assert_string_equal(buf,
	    "a.log:5: malformed stamp, line joined to the entry before it");
	diag_input_name(&d, "(standard input)");
	n = diag_input_text(&d, PIPELINE_CUT, 9, 40, buf, sizeof(buf));
	assert_string_equal(buf,
	    "(standard input):9: entry longer than 40 bytes cut");
	assert_int_equal(n, strlen(buf));
	/* Clipped to the buffer, the length says what it holds. */
	n = diag_input_text(&d, PIPELINE_ORPHANS, 1, 1, buf, 6);
	assert_string_equal(buf, "(stan");
	assert_int_equal(n, 5);
}

/* Bad stamps and cuts are limited apart; orphans are said once anyway. */
static void
test_diag_input_limited_by_the_clock(void **unused)
{
	struct diag_input d;
	char buf[256];

	(void)unused;
	now = 5000;
	diag_input_init(&d, &pinned, "b.log");
	for (int i = 0; i < DIAG_BURST; i++)
		assert_int_not_equal(diag_input_text(&d, PIPELINE_BAD_STAMP,
		                         (uint64_t)i + 1, 0, buf, sizeof(buf)),
		    0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(diag_input_text(&d, PIPELINE_BAD_STAMP, 100, 0,
		                     buf, sizeof(buf)),
		    0);
	/* The other kinds are not held back by this one. */
	assert_int_not_equal(diag_input_text(&d, PIPELINE_CUT, 7, 40, buf,
	                         sizeof(buf)),
	    0);
	assert_int_not_equal(diag_input_text(&d, PIPELINE_ORPHANS, 1, 1, buf,
	                         sizeof(buf)),
	    0);
	now += DIAG_INTERVAL_MS;
	/* A new input: the limit goes on. */
	diag_input_name(&d, "c.log");
	assert_int_not_equal(diag_input_text(&d, PIPELINE_BAD_STAMP, 200, 0,
	                         buf, sizeof(buf)),
	    0);
	assert_string_equal(buf,
	    "c.log:200: malformed stamp, line joined to"
	    " the entry before it (10 before not"
	    " reported)");
	assert_int_equal(diag_input_text(&d, PIPELINE_BAD_STAMP, 201, 0, buf,
	                     sizeof(buf)),
	    0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diag_limit_burst_then_one_a_minute),
	    cmocka_unit_test(test_diag_quiet_text),
	    cmocka_unit_test(test_diag_input_texts),
	    cmocka_unit_test(test_diag_input_limited_by_the_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
