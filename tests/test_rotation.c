/* Unit tests for rotation: the rotation and start decisions, data-driven,
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
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rotation.h"

struct decide_case {
	const char *what;
	struct rotation_obs obs;
	enum rotation_action want;
};

static void
test_rotation_decide(void **unused)
{
	static const struct decide_case cases[] = {
	    {.what = "missing, nothing open",
	        .obs = {.path_exists = 0},
	        .want = ROTATION_IDLE},
	    {.what = "appeared",
	        .obs = {.path_exists = 1},
	        .want = ROTATION_OPEN},
	    {.what = "missing, open file deleted or renamed: keep it",
	        .obs = {.have_fd = 1,
	            .fd_size = 100,
	            .read_off = 100,
	            .still_for = 10000,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_DRAIN},
	    {.what = "missing, a newer rotated file: on to it once still",
	        .obs = {.have_fd = 1,
	            .fd_size = 100,
	            .read_off = 100,
	            .still_for = ROTATION_GRACE_MS,
	            .grace = ROTATION_GRACE_MS,
	            .newer_exists = 1},
	        .want = ROTATION_SWITCH},
	    {.what = "missing, a newer rotated file, not still yet",
	        .obs = {.have_fd = 1,
	            .fd_size = 100,
	            .read_off = 100,
	            .still_for = 10,
	            .grace = ROTATION_GRACE_MS,
	            .newer_exists = 1},
	        .want = ROTATION_DRAIN},
	    {.what = "idle",
	        .obs = {.have_fd = 1,
	            .fd_size = 100,
	            .read_off = 100,
	            .path_exists = 1,
	            .path_same = 1,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_IDLE},
	    {.what = "grew",
	        .obs = {.have_fd = 1,
	            .fd_size = 150,
	            .read_off = 100,
	            .path_exists = 1,
	            .path_same = 1,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_READ},
	    {.what = "copytruncate: shorter",
	        .obs = {.have_fd = 1,
	            .fd_size = 0,
	            .read_off = 100,
	            .path_exists = 1,
	            .path_same = 1,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_TRUNCATED},
	    {.what = "truncated and regrown past the offset",
	        .obs = {.have_fd = 1,
	            .fd_size = 300,
	            .read_off = 100,
	            .tail_changed = 1,
	            .path_exists = 1,
	            .path_same = 1,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_TRUNCATED},
	    {.what = "renamed, old still growing",
	        .obs = {.have_fd = 1,
	            .fd_size = 150,
	            .read_off = 100,
	            .path_exists = 1,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_READ},
	    {.what = "renamed, old still within grace",
	        .obs = {.have_fd = 1,
	            .fd_size = 100,
	            .read_off = 100,
	            .path_exists = 1,
	            .still_for = 10,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_DRAIN},
	    {.what = "renamed, old still for the grace: switch",
	        .obs = {.have_fd = 1,
	            .fd_size = 100,
	            .read_off = 100,
	            .path_exists = 1,
	            .still_for = ROTATION_GRACE_MS,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_SWITCH},
	    {.what = "renamed, old grew after grace: read it first",
	        .obs = {.have_fd = 1,
	            .fd_size = 120,
	            .read_off = 100,
	            .path_exists = 1,
	            .still_for = 9999,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_READ},
	    {.what = "deleted, nothing new yet",
	        .obs = {.have_fd = 1,
	            .fd_size = 100,
	            .read_off = 100,
	            .still_for = 9999,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_DRAIN},
	    {.what = "rotated and truncated old: truncation wins",
	        .obs = {.have_fd = 1,
	            .fd_size = 10,
	            .read_off = 100,
	            .path_exists = 1,
	            .still_for = 9999,
	            .grace = ROTATION_GRACE_MS},
	        .want = ROTATION_TRUNCATED},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum rotation_action got = rotation_decide(&cases[i].obs);

		if (got != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what, got,
			    cases[i].want);
	}
}

struct start_case {
	const char *what;
	struct rotation_start_obs obs;
	enum rotation_start want;
};

static void
test_rotation_start_decide(void **unused)
{
	static const struct start_case cases[] = {
	    {.what = "no state, no file",
	        .obs = {0},
	        .want = ROTATION_START_WAIT},
	    {.what = "no state",
	        .obs = {.path_exists = 1},
	        .want = ROTATION_START_END},
	    {.what = "no state, --from-start",
	        .obs = {.from_start = 1, .path_exists = 1},
	        .want = ROTATION_START_BEGIN},
	    {.what = "state: rotation_pick says",
	        .obs = {.have_state = 1, .path_exists = 1},
	        .want = ROTATION_START_PICK},
	    {.what = "state, --from-start ignored",
	        .obs = {.have_state = 1, .from_start = 1, .path_exists = 1},
	        .want = ROTATION_START_PICK},
	    {.what = "state, no file: perhaps a rotated one",
	        .obs = {.have_state = 1},
	        .want = ROTATION_START_PICK},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum rotation_start got = rotation_start_decide(&cases[i].obs);

		if (got != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what, got,
			    cases[i].want);
	}
}

struct name_case {
	const char *name;
	int rotated, compressed, dated;
	uint64_t num;
	const char *date;
};

static void
test_rotation_rotated_name(void **unused)
{
	static const struct name_case cases[] = {
	    {.name = "security.log.1",
	        .rotated = 1,
	        .compressed = 0,
	        .dated = 0,
	        .num = 1,
	        .date = "1"},
	    {.name = "security.log.12",
	        .rotated = 1,
	        .compressed = 0,
	        .dated = 0,
	        .num = 12,
	        .date = "12"},
	    {.name = "security.log.2.gz",
	        .rotated = 1,
	        .compressed = 1,
	        .dated = 0,
	        .num = 2,
	        .date = "2"},
	    {.name = "security.log.3.zst",
	        .rotated = 1,
	        .compressed = 1,
	        .dated = 0,
	        .num = 3,
	        .date = "3"},
	    {.name = "security.log-20261126",
	        .rotated = 1,
	        .compressed = 0,
	        .dated = 1,
	        .num = 0,
	        .date = "20261126"},
	    {.name = "security.log-20261126.xz",
	        .rotated = 1,
	        .compressed = 1,
	        .dated = 1,
	        .num = 0,
	        .date = "20261126"},
	    {.name = "security.log.2026-11-26",
	        .rotated = 1,
	        .compressed = 0,
	        .dated = 1,
	        .num = 0,
	        .date = "20261126"},
	    {.name = "security.log_2026-11-26-13",
	        .rotated = 1,
	        .compressed = 0,
	        .dated = 1,
	        .num = 0,
	        .date = "2026112613"},
	    {.name = "security.log",
	        .rotated = 0,
	        .compressed = 0,
	        .dated = 0,
	        .num = 0,
	        .date = ""},
	    {.name = "security.log.",
	        .rotated = 0,
	        .compressed = 0,
	        .dated = 0,
	        .num = 0,
	        .date = ""},
	    {.name = "security.log.old",
	        .rotated = 0,
	        .compressed = 0,
	        .dated = 0,
	        .num = 0,
	        .date = ""},
	    {.name = "security.log.1.tmp",
	        .rotated = 0,
	        .compressed = 0,
	        .dated = 0,
	        .num = 0,
	        .date = ""},
	    {.name = "security.log.1.gz.swp",
	        .rotated = 0,
	        .compressed = 0,
	        .dated = 0,
	        .num = 0,
	        .date = ""},
	    {.name = "security.logger.1",
	        .rotated = 0,
	        .compressed = 0,
	        .dated = 0,
	        .num = 0,
	        .date = ""},
	    {.name = "debug.log.1",
	        .rotated = 0,
	        .compressed = 0,
	        .dated = 0,
	        .num = 0,
	        .date = ""},
	    {.name = "security.log.1-",
	        .rotated = 0,
	        .compressed = 0,
	        .dated = 0,
	        .num = 0,
	        .date = ""},
	    {.name = "security.log.123456789012345678901234567890",
	        .rotated = 0,
	        .compressed = 0,
	        .dated = 0,
	        .num = 0,
	        .date = ""},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct name_case *c = &cases[i];
		struct rotation_name n;
		int got = rotation_rotated_name("security.log", c->name, &n);

		if (got != c->rotated)
			fail_msg("%s: rotated %d, want %d", c->name, got,
			    c->rotated);
		if (!got)
			continue;
		if (n.compressed != c->compressed || n.dated != c->dated ||
		    strcmp(n.date, c->date) != 0 ||
		    (!c->dated && n.num != c->num))
			fail_msg("%s: compressed %d dated %d num %ju date %s",
			    c->name, n.compressed, n.dated, (uintmax_t)n.num,
			    n.date);
	}
}

/* Files named as in a directory, for the order and the pick. */
static size_t
files(struct rotation_file *v, const char *const *names, size_t n)
{
	memset(v, 0, n * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		snprintf(v[i].name, sizeof(v[i].name), "%s", names[i]);
		if (strcmp(names[i], "security.log") == 0)
			v[i].is_path = 1;
		else
			assert_true(rotation_rotated_name("security.log",
			    names[i], &v[i].age));
		v[i].ino = 100 + i;
	}
	return n;
}

struct text_case {
	const char *what;
	struct rotation_pick p;
	const char *want;  /* the text starts so */
	const char *names; /* ... and holds this, if not NULL */
	int loses;
};

/* What a pick at start tells: a plain resume, a rotated file finished
 * first, a loss that names the directory and the files passed over. */
static void
test_rotation_pick_text(void **unused)
{
	static const char *const names[] = {"security.log.3.gz",
	    "security.log.2.gz", "security.log.1", "security.log"};
	static const struct text_case cases[] = {
	    {.what = "resume the path",
	        .p = {.at = 3, .resume = 1, .skip_from = 3, .skip_to = 3},
	        .want = "resuming at the saved position"},
	    {.what = "the same bytes, another identity",
	        .p = {.at = 3,
	            .resume = 1,
	            .content = 1,
	            .skip_from = 3,
	            .skip_to = 3},
	        .want = "resuming at the saved position, in the same bytes"},
	    {.what = "rotated while stopped",
	        .p = {.at = 2, .resume = 1, .skip_from = 2, .skip_to = 2},
	        .want = "rotated while stopped, finishing security.log.1"},
	    {.what = "lost, compressed ones passed over",
	        .p = {.at = 2, .lost = 1, .skip_from = 0, .skip_to = 2},
	        .want = "/var/log/kerio/security.log: the saved position"
	                " (offset 42) is in no file of /var/log/kerio any more"
	                " (deleted, compressed, rewritten or moved away): what"
	                " followed it in that file is not read here; reading"
	                " from the start of ",
	        .names = "; not read, compressed: security.log.3.gz,"
	                 " security.log.2.gz",
	        .loses = 1},
	    {.what = "lost, nothing to read: waiting",
	        .p = {.at = -1, .lost = 1, .skip_from = 4, .skip_to = 4},
	        .want = "/var/log/kerio/security.log: the saved position",
	        .names = "waiting for the file",
	        .loses = 1},
	};
	struct rotation_file v[4];
	char msg[1536];

	(void)unused;
	files(v, names, 4);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct text_case *c = &cases[i];
		int loses =
		    rotation_pick_text(v, &c->p, "/var/log/kerio/security.log",
		        "/var/log/kerio", 42, msg, sizeof(msg));

		if (strncmp(msg, c->want, strlen(c->want)) != 0 ||
		    (c->names != NULL && strstr(msg, c->names) == NULL) ||
		    loses != c->loses)
			fail_msg("%s: %d \"%s\"", c->what, loses, msg);
	}
}

static void
test_rotation_order(void **unused)
{
	static const char *const in[] = {"security.log", "security.log.1",
	    "security.log.10", "security.log.2.gz", "security.log.2",
	    "security.log-20261120", "security.log.3.gz",
	    "security.log-20261126.gz"};
	static const char *const want[] = {"security.log-20261120",
	    "security.log-20261126.gz", "security.log.10", "security.log.3.gz",
	    "security.log.2", "security.log.1", "security.log"};
	struct rotation_file v[8];
	size_t n;

	(void)unused;
	n = rotation_order(v, files(v, in, 8));
	assert_int_equal(n, 7); /* security.log.2.gz: its twin is there */
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, want[i]) != 0)
			fail_msg("%zu: %s, want %s", i, v[i].name, want[i]);
}

/*
 * The pick over a directory like this one, oldest first:
 *   0 .4.gz  1 .3  2 .2.gz  3 .1  4 the path
 * Facts per file as flags: S is_saved, F fits, P is_prev, N made_since
 * (the commit records the files it had seen: seen_known).
 */
struct pick_case {
	const char *what;
	const char *facts[5];
	int done;
	int unproven; /* the saved offset is 0 */
	int seen;     /* seen_known */
	long at;
	int resume, content, lost;
	long skip_from, skip_to;
	long prev_at; /* checked if not 0: the value + 1 */
};

static void
test_rotation_pick(void **unused)
{
	static const char *const names[] = {"security.log.4.gz",
	    "security.log.3", "security.log.2.gz", "security.log.1",
	    "security.log"};
	static const struct pick_case cases[] = {
	    /* Names: 4.gz, 3, 2.gz, 1, the path. */
	    {.what = "at 0: a copy made since the commit is read first",
	        .facts = {"", "P", "", "", "SF"},
	        .unproven = 1,
	        .at = 3,
	        .resume = 1,
	        .content = 1,
	        .skip_from = 2,
	        .skip_to = 3},
	    {.what = "at 0: the oldest copy first, over a compressed one",
	        .facts = {"P", "", "", "", "SF"},
	        .unproven = 1,
	        .at = 1,
	        .resume = 1,
	        .content = 1,
	        .skip_from = 1,
	        .skip_to = 1},
	    {.what = "at 0: none made since: the saved file",
	        .facts = {"", "", "", "P", "SF"},
	        .unproven = 1,
	        .at = 4,
	        .resume = 1,
	        .content = 0,
	        .skip_from = 4,
	        .skip_to = 4},
	    {.what = "at 0, the file read before gone: every older first",
	        .facts = {"", "", "", "", "SF"},
	        .unproven = 1,
	        .at = 1,
	        .resume = 1,
	        .content = 1,
	        .skip_from = 0,
	        .skip_to = 1},
	    {.what = "at 0 in a rotated file: a compressed copy since, told",
	        .facts = {"", "P", "", "SF", ""},
	        .unproven = 1,
	        .at = 3,
	        .resume = 1,
	        .content = 0,
	        .skip_from = 2,
	        .skip_to = 3},
	    {.what = "not at 0: the saved file proven by its bytes",
	        .facts = {"", "P", "", "", "SF"},
	        .unproven = 0,
	        .at = 4,
	        .resume = 1,
	        .content = 0,
	        .skip_from = 4,
	        .skip_to = 4},
	    {.what = "resume the path",
	        .facts = {"", "", "", "P", "SF"},
	        .done = 0,
	        .at = 4,
	        .resume = 1,
	        .content = 0,
	        .lost = 0,
	        .skip_from = 4,
	        .skip_to = 4},
	    {.what = "rotated while stopped",
	        .facts = {"", "", "", "SF", ""},
	        .done = 0,
	        .at = 3,
	        .resume = 1,
	        .content = 0,
	        .lost = 0,
	        .skip_from = 3,
	        .skip_to = 3},
	    {.what = "two rotations: the older one first",
	        .facts = {"", "SF", "", "", ""},
	        .done = 0,
	        .at = 1,
	        .resume = 1,
	        .content = 0,
	        .lost = 0,
	        .skip_from = 1,
	        .skip_to = 1},
	    {.what = "left it: the next, over a compressed one",
	        .facts = {"", "SF", "", "", ""},
	        .done = 1,
	        .at = 3,
	        .resume = 0,
	        .content = 0,
	        .lost = 0,
	        .skip_from = 2,
	        .skip_to = 3},
	    {.what = "left the newest rotated: the path",
	        .facts = {"", "", "", "SF", ""},
	        .done = 1,
	        .at = 4,
	        .resume = 0,
	        .content = 0,
	        .lost = 0,
	        .skip_from = 4,
	        .skip_to = 4},
	    {.what = "copytruncate: the path rewritten, its copy fits",
	        .facts = {"", "", "", "F", "S"},
	        .done = 0,
	        .at = 3,
	        .resume = 1,
	        .content = 1,
	        .lost = 0,
	        .skip_from = 3,
	        .skip_to = 3},
	    {.what = "new identity, same bytes: by content",
	        .facts = {"", "", "", "", "F"},
	        .done = 0,
	        .at = 4,
	        .resume = 1,
	        .content = 1,
	        .lost = 0,
	        .skip_from = 4,
	        .skip_to = 4},
	    {.what = "identity and content disagree: content",
	        .facts = {"", "", "", "F", "S"},
	        .done = 0,
	        .at = 3,
	        .resume = 1,
	        .content = 1,
	        .lost = 0,
	        .skip_from = 3,
	        .skip_to = 3},
	    {.what = "two files with the bytes: the newest",
	        .facts = {"", "F", "", "F", ""},
	        .done = 0,
	        .at = 3,
	        .resume = 1,
	        .content = 1,
	        .lost = 0,
	        .skip_from = 3,
	        .skip_to = 3},
	    {.what = "saved file compressed: after the previous one",
	        .facts = {"", "P", "", "", ""},
	        .done = 0,
	        .at = 3,
	        .resume = 0,
	        .content = 0,
	        .lost = 1,
	        .skip_from = 2,
	        .skip_to = 3},
	    {.what = "saved file gone, previous gone: every readable one",
	        .facts = {"", "", "", "", ""},
	        .done = 0,
	        .at = 1,
	        .resume = 0,
	        .content = 0,
	        .lost = 1,
	        .skip_from = 0,
	        .skip_to = 1},
	    {.what = "deleted (no rotation): the path after the previous",
	        .facts = {"", "", "", "P", ""},
	        .done = 0,
	        .at = 4,
	        .resume = 0,
	        .content = 0,
	        .lost = 1,
	        .skip_from = 4,
	        .skip_to = 4},
	    {.what = "left a deleted file: after the previous",
	        .facts = {"", "", "", "P", ""},
	        .done = 1,
	        .at = 4,
	        .resume = 0,
	        .content = 0,
	        .lost = 0,
	        .skip_from = 4,
	        .skip_to = 4},
	    {.what = "previous is the newest and no path: wait",
	        .facts = {"", "", "", "", "P"},
	        .done = 0,
	        .at = -1,
	        .resume = 0,
	        .content = 0,
	        .lost = 1,
	        .skip_from = 5,
	        .skip_to = 5},
	    {.what = "a compressed file never fits",
	        .facts = {"SF", "", "", "", ""},
	        .done = 0,
	        .at = 1,
	        .resume = 0,
	        .content = 0,
	        .lost = 1,
	        .skip_from = 0,
	        .skip_to = 1},
	    {.what =
	            "left the saved file: a copy made since, named older, next",
	        .facts = {"", "N", "", "SF", ""},
	        .done = 1,
	        .seen = 1,
	        .at = 1,
	        .skip_from = 1,
	        .skip_to = 1,
	        .prev_at = 3 + 1},
	    {.what = "... not known without the files seen: by name",
	        .facts = {"", "N", "", "SF", ""},
	        .done = 1,
	        .at = 4,
	        .skip_from = 4,
	        .skip_to = 4,
	        .prev_at = 3 + 1},
	    {.what = "that copy read: after the file read before it",
	        .facts = {"", "SFN", "", "P", "N"},
	        .done = 1,
	        .seen = 1,
	        .at = 4,
	        .skip_from = 4,
	        .skip_to = 4,
	        .prev_at = 3 + 1},
	    {.what = "a copy made since, compressed: not read",
	        .facts = {"N", "", "", "SF", ""},
	        .done = 1,
	        .seen = 1,
	        .at = 4,
	        .skip_from = 4,
	        .skip_to = 4,
	        .prev_at = 3 + 1},
	    {.what = "saved file gone, a copy named older: read",
	        .facts = {"", "N", "", "P", ""},
	        .seen = 1,
	        .at = 1,
	        .lost = 1,
	        .skip_from = 1,
	        .skip_to = 1,
	        .prev_at = 3 + 1},
	    {.what = "at 0: a copy named older than the file read before",
	        .facts = {"", "N", "", "P", "SF"},
	        .unproven = 1,
	        .seen = 1,
	        .at = 1,
	        .resume = 1,
	        .content = 1,
	        .skip_from = 1,
	        .skip_to = 1},
	    {.what = "at 0: files seen, none made since: the saved file",
	        .facts = {"", "", "", "", "SF"},
	        .unproven = 1,
	        .seen = 1,
	        .at = 4,
	        .resume = 1,
	        .skip_from = 4,
	        .skip_to = 4},
	    {.what = "at 0: a copy made since compressed: told",
	        .facts = {"", "", "N", "", "SF"},
	        .unproven = 1,
	        .seen = 1,
	        .at = 4,
	        .resume = 1,
	        .skip_from = 4,
	        .skip_to = 4},
	    {.what =
	            "left a copy named older than the file read before: after that",
	        .facts = {"", "SF", "", "P", ""},
	        .done = 1,
	        .at = 4,
	        .resume = 0,
	        .content = 0,
	        .lost = 0,
	        .skip_from = 4,
	        .skip_to = 4},
	};
	struct rotation_file v[5];
	struct rotation_pick p;

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pick_case *c = &cases[i];

		files(v, names, 5);
		for (size_t k = 0; k < 5; k++) {
			v[k].is_saved = strchr(c->facts[k], 'S') != NULL;
			v[k].fits = strchr(c->facts[k], 'F') != NULL;
			v[k].is_prev = strchr(c->facts[k], 'P') != NULL;
			v[k].made_since = strchr(c->facts[k], 'N') != NULL;
		}
		rotation_pick(v, 5, c->done, c->unproven, c->seen, &p);
		if (p.at != c->at || p.resume != c->resume ||
		    p.content != c->content || p.lost != c->lost ||
		    p.skip_from != c->skip_from || p.skip_to != c->skip_to ||
		    (c->prev_at != 0 && p.prev_at != c->prev_at - 1))
			fail_msg("%s: at %ld resume %d content %d lost %d"
			         " skip [%ld, %ld) prev_at %ld",
			    c->what, p.at, p.resume, p.content, p.lost,
			    p.skip_from, p.skip_to, p.prev_at);
	}
}

/* A start never saved, its mark made at a pinned time: the oldest file
 * written since, compressed ones never; the path; none. */
static void
test_rotation_since(void **unused)
{
	static const char *const names[] = {"security.log.3",
	    "security.log.2.gz", "security.log.1", "security.log"};
	static const struct {
		const char *what;
		long mtime[4]; /* seconds (100: 100.4); the mark is at 100.5 */
		long at;
	} cases[] = {
	    {"rotated while down: the file rotated", {50, 150, 120, 130}, 2},
	    {"in the mark's second, before it: not", {50, 60, 100, 130}, 3},
	    {"in the next second", {50, 60, 101, 130}, 2},
	    {"only the path", {50, 60, 70, 130}, 3},
	    {"nothing written since", {50, 60, 70, 80}, -1},
	};
	const struct timespec mark = {100, 500000000};
	struct rotation_file v[4];

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		files(v, names, 4);
		for (size_t k = 0; k < 4; k++)
			v[k].mtime = (struct timespec){cases[i].mtime[k],
			    cases[i].mtime[k] == 100 ? 400000000 : 0};
		if (rotation_since(v, 4, &mark) != cases[i].at)
			fail_msg("%s: %ld, want %ld", cases[i].what,
			    rotation_since(v, 4, &mark), cases[i].at);
	}
}

/* The directory as rotation_scan() sees it: rotated names oldest first,
 * the path last; a planted link, a FIFO and other names left out. */
static void
test_rotation_scan(void **unused)
{
	char dir[] = "/tmp/k2s-test-scan-XXXXXX", p[256], cmd[300];
	static const char *const made[] = {"security.log", "security.log.1",
	    "security.log.2", "security.log.3.gz", "security.log.old",
	    "other.log.1"};
	struct rotation_file v[ROTATION_MAX_FILES + 1];
	int n, fd;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, made[i]);
		fd = open(p, O_WRONLY | O_CREAT, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	snprintf(p, sizeof(p), "%s/security.log.4", dir);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof(p), "%s/security.log.5", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/security.log", dir);
	n = rotation_scan(dir, p, 0, v, ROTATION_MAX_FILES + 1);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].name, "security.log.3.gz");
	assert_true(v[0].age.compressed);
	assert_string_equal(v[1].name, "security.log.2");
	assert_string_equal(v[2].name, "security.log.1");
	assert_string_equal(v[3].name, "security.log");
	assert_true(v[3].is_path);
	/* More rotated files than room: the newest are kept. */
	for (int i = 6; i < 200; i++) {
		snprintf(p, sizeof(p), "%s/security.log.%d", dir, i);
		fd = open(p, O_WRONLY | O_CREAT, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	snprintf(p, sizeof(p), "%s/security.log", dir);
	n = rotation_scan(dir, p, 0, v, 10);
	assert_int_equal(n, 10);
	assert_string_equal(v[0].name, "security.log.11");
	assert_string_equal(v[8].name, "security.log.1");
	assert_true(v[9].is_path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The renamer of test_rotation_scan_while_renamed: as logrotate shifts
 * NAME.k to NAME.k+1, the oldest first, then back, a rotation every 2 ms
 * until killed; never fewer or more than n rotated files. */
static void
shift_forever(const char *dir, int n)
{
	char a[300], b[300];

	for (;;) {
		for (int k = n; k >= 1; k--) {
			snprintf(a, sizeof(a), "%s/in.log.%d", dir, k);
			snprintf(b, sizeof(b), "%s/in.log.%d", dir, k + 1);
			if (rename(a, b) < 0)
				_exit(1);
		}
		usleep(2000);
		for (int k = 2; k <= n + 1; k++) {
			snprintf(a, sizeof(a), "%s/in.log.%d", dir, k);
			snprintf(b, sizeof(b), "%s/in.log.%d", dir, k - 1);
			if (rename(a, b) < 0)
				_exit(1);
		}
		usleep(2000);
	}
}

/* A directory read while names are renamed in it may miss a file (C29):
 * every listing holds each file once all the same. */
static void
test_rotation_scan_while_renamed(void **unused)
{
	enum { FILES = 40, SCANS = 3000 };
	char dir[] = "/tmp/k2s-test-renamed-XXXXXX", p[300], cmd[300];
	struct rotation_file v[ROTATION_MAX_FILES + 1];
	int n, fd, wrong = 0, status;
	pid_t pid;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	for (int k = 1; k <= FILES; k++) {
		snprintf(p, sizeof(p), "%s/in.log.%d", dir, k);
		fd = open(p, O_WRONLY | O_CREAT, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	snprintf(p, sizeof(p), "%s/in.log", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		shift_forever(dir, FILES);
	for (int i = 0; i < SCANS; i++) {
		n = rotation_scan(dir, p, 0, v, ROTATION_MAX_FILES + 1);
		for (int a = 0; a < n; a++)
			for (int b = a + 1; b < n; b++)
				wrong += v[a].ino == v[b].ino;
		wrong += n != FILES + 1;
	}
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* The renamer was still at work when killed. */
	assert_true(WIFSIGNALED(status));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(wrong, 0);
}

static void
test_rotation_find_rotated(void **unused)
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
	assert_int_equal(rotation_find(dir, sb.st_dev, sb.st_ino, found,
	                     sizeof(found)),
	    1);
	assert_string_equal(found, q);
	assert_int_equal(unlink(q), 0);
	assert_int_equal(rotation_find(dir, sb.st_dev, sb.st_ino, found,
	                     sizeof(found)),
	    0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_rotation_dirname(void **unused)
{
	char buf[64];

	(void)unused;
	assert_int_equal(rotation_dirname("security.log", buf, sizeof(buf)), 0);
	assert_string_equal(buf, ".");
	assert_int_equal(rotation_dirname("/security.log", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "/");
	assert_int_equal(rotation_dirname("a/b/c.log", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "a/b");
	assert_int_equal(rotation_dirname("abcdef/x", buf, 4), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rotation_decide),
	    cmocka_unit_test(test_rotation_start_decide),
	    cmocka_unit_test(test_rotation_rotated_name),
	    cmocka_unit_test(test_rotation_order),
	    cmocka_unit_test(test_rotation_pick),
	    cmocka_unit_test(test_rotation_pick_text),
	    cmocka_unit_test(test_rotation_since),
	    cmocka_unit_test(test_rotation_scan),
	    cmocka_unit_test(test_rotation_scan_while_renamed),
	    cmocka_unit_test(test_rotation_find_rotated),
	    cmocka_unit_test(test_rotation_dirname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
