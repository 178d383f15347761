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
		const char *s;
		int colon_ok;
		const char *want; /* NULL: accepted; else part of the reason */
	} t[] = {
	    {"mailhost", 1, NULL},
	    {"mail-1_x", 0, NULL},
	    {"[2001:db8::1]", 1, NULL},
	    {"a:b", 1, NULL},
	    {"a:b", 0, "':'"},
	    {"", 1, "empty"},
	    {"two words", 1, "blank"},
	    {"tab\there", 1, "control"},
	    {"bell\a", 0, "control"},
	    {"nl\n", 1, "control"},
	    {"del\177", 1, "control"},
	    {"caf\303\251", 1, "ASCII"},
	};
	char longer[300];

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *why = host_field_problem(t[i].s, t[i].colon_ok);

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
	    {NULL, NULL, NULL},
	    {"", NULL, NULL},
	    {"CET-1CEST", NULL, NULL},
	    {"CET-1CEST,M3.5.0,M10.5.0/3", NULL, NULL},
	    {"EST5EDT", NULL, NULL},
	    {"<+03>-3", NULL, NULL},
	    {"GMT0", NULL, NULL},
	    {"UTC", NULL, NULL},
	    {":UTC", NULL, NULL},
	    {"Etc/UTC", NULL, NULL},
	    {"Europe/Prague", NULL, "/usr/share/zoneinfo/Europe/Prague"},
	    {":Europe/Prague", NULL, "/usr/share/zoneinfo/Europe/Prague"},
	    {"Europe/Prague", "/opt/tz", "/opt/tz/Europe/Prague"},
	    {"Europe/Prague", "", "/usr/share/zoneinfo/Europe/Prague"},
	    {"Etc/GMT+1", NULL, "/usr/share/zoneinfo/Etc/GMT+1"},
	    {"Foo", NULL, "/usr/share/zoneinfo/Foo"},
	    {"CET", NULL, "/usr/share/zoneinfo/CET"},
	    {"/etc/localtime", NULL, "/etc/localtime"},
	    {":/etc/localtime", NULL, "/etc/localtime"},
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
