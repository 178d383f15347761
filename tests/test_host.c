/* Unit tests for host: the rule for a field, the zone file TZ names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "host.h"

static void
test_host_field_problem_table(void **unused)
{
	static const struct {
		const char *in;
		int colon_ok;
		const char *want; /* NULL: accepted; else part of the reason */
	} t[] = {
	    {.in = "mailhost", .colon_ok = 1},
	    {.in = "mail-1_x"},
	    {.in = "[2001:db8::1]", .colon_ok = 1},
	    {.in = "a:b", .colon_ok = 1},
	    {.in = "a:b", .want = "':'"},
	    {.in = "", .colon_ok = 1, .want = "empty"},
	    {.in = "two words", .colon_ok = 1, .want = "blank"},
	    {.in = "tab\there", .colon_ok = 1, .want = "control"},
	    {.in = "bell\a", .want = "control"},
	    {.in = "nl\n", .colon_ok = 1, .want = "control"},
	    {.in = "del\177", .colon_ok = 1, .want = "control"},
	    {.in = "caf\303\251", .colon_ok = 1, .want = "ASCII"},
	};
	char longer[300];

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *why = host_field_problem(t[i].in, t[i].colon_ok);

		if (t[i].want == NULL) {
			assert_null(why);
		} else {
			assert_non_null(why);
			assert_non_null(strstr(why, t[i].want));
		}
	}
	memset(longer, 'a', 255);
	longer[255] = '\0';
	assert_null(host_field_problem(longer, 1));
	longer[255] = 'a';
	longer[256] = '\0';
	assert_non_null(host_field_problem(longer, 1));
}

static void
test_host_zone_file_table(void **unused)
{
	static const struct {
		const char *tz, *tzdir;
		const char *want; /* NULL: names no file */
	} t[] = {
	    {.tz = NULL},
	    {.tz = ""},
	    {.tz = "CET-1CEST"},
	    {.tz = "CET-1CEST,M3.5.0,M10.5.0/3"},
	    {.tz = "EST5EDT"},
	    {.tz = "<+03>-3"},
	    {.tz = "GMT0"},
	    {.tz = "UTC"},
	    {.tz = ":UTC"},
	    {.tz = "Etc/UTC"},
	    {.tz = "Europe/Prague",
	        .want = "/usr/share/zoneinfo/Europe/Prague"},
	    {.tz = ":Europe/Prague",
	        .want = "/usr/share/zoneinfo/Europe/Prague"},
	    {.tz = "Europe/Prague",
	        .tzdir = "/opt/tz",
	        .want = "/opt/tz/Europe/Prague"},
	    {.tz = "Europe/Prague",
	        .tzdir = "",
	        .want = "/usr/share/zoneinfo/Europe/Prague"},
	    {.tz = "Etc/GMT+1", .want = "/usr/share/zoneinfo/Etc/GMT+1"},
	    {.tz = "Foo", .want = "/usr/share/zoneinfo/Foo"},
	    {.tz = "CET", .want = "/usr/share/zoneinfo/CET"},
	    {.tz = "/etc/localtime", .want = "/etc/localtime"},
	    {.tz = ":/etc/localtime", .want = "/etc/localtime"},
	};
	char buf[256];

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got =
		    host_zone_file(t[i].tz, t[i].tzdir, buf, sizeof(buf));

		if (t[i].want == NULL)
			assert_null(got);
		else
			assert_string_equal(got, t[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_field_problem_table),
	    cmocka_unit_test(test_host_zone_file_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
