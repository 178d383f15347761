/* Unit tests for follow: the rotation and start decisions, data-driven,
 * and the look-up of a rotated file by inode. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "follow.h"

struct decide_case {
	const char *what;
	struct follow_obs obs;
	enum follow_action want;
};

static void
test_follow_decide(void **unused)
{
	static const struct decide_case cases[] = {
	    {"missing, nothing open", {.path_exists = 0}, FOLLOW_IDLE},
	    {"appeared", {.path_exists = 1}, FOLLOW_OPEN},
	    {"idle", {1, 100, 100, 0, 1, 1, 0, FOLLOW_GRACE_MS}, FOLLOW_IDLE},
	    {"grew", {1, 150, 100, 0, 1, 1, 0, FOLLOW_GRACE_MS}, FOLLOW_READ},
	    {"copytruncate: shorter", {1, 0, 100, 0, 1, 1, 0, FOLLOW_GRACE_MS},
	        FOLLOW_TRUNCATED},
	    {"truncated and regrown past the offset",
	        {1, 300, 100, 1, 1, 1, 0, FOLLOW_GRACE_MS}, FOLLOW_TRUNCATED},
	    {"renamed, old still growing",
	        {1, 150, 100, 0, 1, 0, 0, FOLLOW_GRACE_MS}, FOLLOW_READ},
	    {"renamed, old still within grace",
	        {1, 100, 100, 0, 1, 0, 10, FOLLOW_GRACE_MS}, FOLLOW_DRAIN},
	    {"renamed, old still for the grace: switch",
	        {1, 100, 100, 0, 1, 0, FOLLOW_GRACE_MS, FOLLOW_GRACE_MS},
	        FOLLOW_SWITCH},
	    {"renamed, old grew after grace: read it first",
	        {1, 120, 100, 0, 1, 0, 9999, FOLLOW_GRACE_MS}, FOLLOW_READ},
	    {"deleted, nothing new yet",
	        {1, 100, 100, 0, 0, 0, 9999, FOLLOW_GRACE_MS}, FOLLOW_DRAIN},
	    {"rotated and truncated old: truncation wins",
	        {1, 10, 100, 0, 1, 0, 9999, FOLLOW_GRACE_MS}, FOLLOW_TRUNCATED},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum follow_action got = follow_decide(&cases[i].obs);

		if (got != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what, got,
			    cases[i].want);
	}
}

struct start_case {
	const char *what;
	struct follow_start_obs obs;
	enum follow_start want;
};

static void
test_follow_start_decide(void **unused)
{
	static const struct start_case cases[] = {
	    {"no state, no file", {0, 0, 0, 0, 0, 0, 0}, FOLLOW_START_WAIT},
	    {"no state", {0, 0, 1, 0, 0, 0, 0}, FOLLOW_START_END},
	    {"no state, --from-start", {0, 1, 1, 0, 0, 0, 0},
	        FOLLOW_START_BEGIN},
	    {"state fits", {1, 0, 1, 1, 1, 0, 0}, FOLLOW_START_RESUME},
	    {"state fits, --from-start ignored", {1, 1, 1, 1, 1, 0, 0},
	        FOLLOW_START_RESUME},
	    {"same inode, shorter or rewritten", {1, 0, 1, 1, 0, 0, 0},
	        FOLLOW_START_TRUNCATED},
	    {"rotated while stopped", {1, 0, 1, 0, 0, 1, 1},
	        FOLLOW_START_ROTATED},
	    {"rotated while stopped, no new file", {1, 0, 0, 0, 0, 1, 1},
	        FOLLOW_START_ROTATED},
	    {"rotated file rewritten", {1, 0, 1, 0, 0, 1, 0},
	        FOLLOW_START_BEGIN},
	    {"saved file gone, new file", {1, 0, 1, 0, 0, 0, 0},
	        FOLLOW_START_BEGIN},
	    {"saved file gone, no file", {1, 0, 0, 0, 0, 0, 0},
	        FOLLOW_START_WAIT},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum follow_start got = follow_start_decide(&cases[i].obs);

		if (got != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what, got,
			    cases[i].want);
	}
}

static void
test_follow_find_rotated(void **unused)
{
	char dir[] = "/tmp/k2s-test-follow-XXXXXX", p[256], q[256], found[512],
	     cmd[300];
	struct stat sb;
	int fd;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/security.log", dir);
	snprintf(q, sizeof(q), "%s/security.log.1", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(follow_find(dir, sb.st_dev, sb.st_ino, found,
	                     sizeof(found)),
	    1);
	assert_string_equal(found, q);
	assert_int_equal(unlink(q), 0);
	assert_int_equal(follow_find(dir, sb.st_dev, sb.st_ino, found,
	                     sizeof(found)),
	    0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_follow_dirname(void **unused)
{
	char buf[64];

	(void)unused;
	assert_int_equal(follow_dirname("security.log", buf, sizeof(buf)), 0);
	assert_string_equal(buf, ".");
	assert_int_equal(follow_dirname("/security.log", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(follow_dirname("a/b/c.log", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "a/b");
	assert_int_equal(follow_dirname("abcdef/x", buf, 4), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_follow_decide),
	    cmocka_unit_test(test_follow_start_decide),
	    cmocka_unit_test(test_follow_find_rotated),
	    cmocka_unit_test(test_follow_dirname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
