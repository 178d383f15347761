/* Unit tests for host: the rule for a field of the output line. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_field_problem_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
