/* Unit tests for watch: the fits rule, the tail bytes, the look at the
 * open file and the path with a pinned clock, the copy a truncation
 * leaves. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "watch.h"
#include "unit_files.h"
#include "unit_clock.h"

static char path[256];

/* A clock the test moves by hand. */
static int64_t fake_ms;
static const struct clock fake = {unit_clock_read, &fake_ms};

static int
setup(void **unused)
{
	if (unit_setup(unused) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/security.log", dir);
	return 0;
}

struct fits_case {
	const char *what;
	const char *text;   /* the file */
	const char *hashed; /* the bytes hashed as the state saw them */
	off_t pos;
	int want;
};

static void
test_watch_fits(void **unused)
{
	static const struct fits_case cases[] = {
	    {.what = "the same bytes",
	        .text = "abcdef",
	        .hashed = "abcd",
	        .pos = 4,
	        .want = 1},
	    {.what = "grown past the position",
	        .text = "abcdefghij",
	        .hashed = "abcd",
	        .pos = 4,
	        .want = 1},
	    {.what = "other bytes before the position",
	        .text = "abXdef",
	        .hashed = "abcd",
	        .pos = 4,
	        .want = 0},
	    {.what = "shorter than the position",
	        .text = "abc",
	        .hashed = "abcd",
	        .pos = 4,
	        .want = 0},
	    {.what = "position 0: nothing to compare",
	        .text = "",
	        .hashed = "",
	        .pos = 0,
	        .want = 1},
	};
	char p[300];

	(void)unused;
	snprintf(p, sizeof(p), "%s/fits", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fits_case *c = &cases[i];
		size_t len = strlen(c->hashed);
		struct stat sb;
		int fd, got;

		unit_put(p, c->text);
		fd = open(p, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &sb), 0);
		got = watch_fits(fd, sb.st_size, c->pos,
		    state_hash(c->hashed, len), len);
		close(fd);
		if (got != c->want)
			fail_msg("%s: got %d, want %d", c->what, got, c->want);
	}
}

/* The path opened at its end; bytes appended are read (the tail noted);
 * a rewrite before the read offset is seen as a changed tail. */
static void
test_watch_open_and_tail(void **unused)
{
	struct rotation_obs obs;
	struct watch *w;
	char buf[64];
	ssize_t n;
	size_t files;
	int odd, fd;

	(void)unused;
	unit_put(path, "[27/Nov/2026 10:00:00] one\n");
	fake_ms = 1000;
	w = watch_new(path, 0, &fake);
	assert_non_null(w);
	assert_int_equal(watch_pollfd(w), -1); /* --no-inotify */
	files = watch_scan(w);
	assert_int_equal(files, 1);
	assert_int_equal(watch_path_index(w, files), 0);
	assert_int_equal(watch_open_path(w, files, -1), 27);
	assert_true(watch_fd(w) >= 0);
	assert_string_equal(watch_name(w), path);

	/* Idle: the file is as read. */
	assert_int_equal(watch_look(w, 27, fake_ms, &obs, &odd), 0);
	assert_int_equal(rotation_decide(&obs), ROTATION_IDLE);
	assert_int_equal(odd, 0);

	/* Grown: read, and its bytes noted as the tail. */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[27/Nov/2026 10:00:01] two\n", 27), 27);
	close(fd);
	assert_int_equal(watch_look(w, 27, fake_ms, &obs, &odd), 0);
	assert_int_equal(rotation_decide(&obs), ROTATION_READ);
	n = pread(watch_fd(w), buf, 27, 27);
	assert_int_equal(n, 27);
	watch_note_bytes(w, buf, 27);
	assert_int_equal(watch_tail_changed(w, 54), 0);

	/* Rewritten in place, same size: the tail says so. */
	unit_put(path,
	    "[27/Nov/2026 10:00:00] one\n[27/Nov/2026 10:00:01] TWO\n");
	assert_int_equal(watch_tail_changed(w, 54), 1);
	assert_int_equal(watch_look(w, 54, fake_ms, &obs, &odd), 0);
	assert_int_equal(rotation_decide(&obs), ROTATION_TRUNCATED);
	watch_free(w);
}

/*
 * A rename: the open file is kept until it has been still for the grace,
 * by the clock passed in (pinned: no sleeping), then left.
 */
static void
test_watch_grace_pinned_clock(void **unused)
{
	struct rotation_obs obs;
	struct watch *w;
	char old[300];
	size_t files;
	int odd;

	(void)unused;
	unit_put(path, "[27/Nov/2026 10:00:00] one\n");
	fake_ms = 50000;
	w = watch_new(path, 0, &fake);
	assert_non_null(w);
	files = watch_scan(w);
	assert_int_equal(watch_open_path(w, files, -1), 27);
	assert_int_equal(watch_deadline(w), INT64_MAX);

	snprintf(old, sizeof(old), "%s.1", path);
	assert_int_equal(rename(path, old), 0);
	unit_put(path, "");
	fake_ms = 60000; /* the path is seen moved now */
	assert_int_equal(watch_look(w, 27, fake_ms, &obs, &odd), 0);
	assert_int_equal(obs.path_same, 0);
	assert_int_equal(obs.still_for, 0);
	assert_int_equal(rotation_decide(&obs), ROTATION_DRAIN);
	assert_int_equal(watch_deadline(w), 60000 + ROTATION_GRACE_MS);

	fake_ms = 60000 + ROTATION_GRACE_MS - 1;
	assert_int_equal(watch_look(w, 27, fake_ms, &obs, &odd), 0);
	assert_int_equal(rotation_decide(&obs), ROTATION_DRAIN);
	fake_ms = 60000 + ROTATION_GRACE_MS;
	assert_int_equal(watch_look(w, 27, fake_ms, &obs, &odd), 0);
	assert_int_equal(obs.still_for, ROTATION_GRACE_MS);
	assert_int_equal(rotation_decide(&obs), ROTATION_SWITCH);

	/* Left for the oldest newer file: the path, after security.log.1,
	 * which is noted as the file read before. */
	files = watch_scan(w);
	assert_int_equal(files, 2);
	watch_observe_open(w, files);
	assert_true(watch_file(w, 0)->is_saved);
	{
		struct rotation_pick p;
		struct state s;

		watch_pick(w, files, 1, 0, &p);
		assert_int_equal(p.at, 1);
		assert_int_equal(watch_open(w, (size_t)p.at, 0), 0);
		watch_note_prev(w, files, (size_t)p.at, p.prev_at);
		memset(&s, 0, sizeof(s));
		watch_get_prev(w, &s);
		assert_int_equal(s.have_prev, 1);
		assert_int_equal(s.prev.hash_len, 27);
	}
	unlink(old);
	watch_free(w);
}

/* copytruncate: the copy holds the bytes read so far; it is found by
 * them and the read goes on there at the same offset. */
static void
test_watch_copy_after_truncation(void **unused)
{
	struct watch *w;
	char copy[300], buf[64];
	size_t files;
	long at;

	(void)unused;
	unit_put(path,
	    "[27/Nov/2026 10:00:00] one\n[27/Nov/2026 10:00:01] two");
	fake_ms = 0;
	w = watch_new(path, 0, &fake);
	assert_non_null(w);
	files = watch_scan(w);
	assert_int_equal(watch_open_path(w, files, 0), 0);
	assert_int_equal(pread(watch_fd(w), buf, 53, 0), 53);
	watch_note_bytes(w, buf, 53);
	/* No copy yet: nothing else holds the bytes. */
	assert_int_equal(watch_find_copy(w, watch_scan(w), 53), -1);

	snprintf(copy, sizeof(copy), "%s.1", path);
	unit_put(copy,
	    "[27/Nov/2026 10:00:00] one\n[27/Nov/2026 10:00:01] two");
	unit_put(path, "");
	files = watch_scan(w);
	at = watch_find_copy(w, files, 53);
	assert_int_equal(at, 0);
	assert_int_equal(watch_switch(w, (size_t)at, 53), 0);
	assert_string_equal(watch_name(w), copy);
	assert_int_equal(lseek(watch_fd(w), 0, SEEK_CUR), 53);
	unlink(copy);
	watch_free(w);
}

/*
 * The files seen when a file is opened, carried in its commit: the file
 * read renamed to .1, the new file then copied to .2 and truncated (a copy
 * named older). Left, .1 is followed by the copy, not by the path; the
 * copy by the path; an older file seen before is not read again.
 */
static void
test_watch_copy_named_older(void **unused)
{
	char one[300], two[300], three[300];
	struct rotation_pick p;
	struct state s;
	struct watch *w;
	size_t files;

	(void)unused;
	snprintf(one, sizeof(one), "%s.1", path);
	snprintf(two, sizeof(two), "%s.2", path);
	snprintf(three, sizeof(three), "%s.3", path);
	unit_put(one, "[27/Nov/2026 09:00:00] old\n");
	unit_put(path, "[27/Nov/2026 10:00:00] one\n");
	w = watch_new(path, 0, &fake);
	assert_non_null(w);
	files = watch_scan(w);
	assert_int_equal(watch_open_path(w, files, -1), 27);
	memset(&s, 0, sizeof(s));
	watch_get_prev(w, &s);
	assert_int_equal(s.have_seen, 1);
	assert_int_equal(s.n_seen, 1); /* the old .1 */

	/* While no follower runs: rotated twice over, then a copy. */
	assert_int_equal(rename(one, three), 0);
	assert_int_equal(rename(path, one), 0);
	unit_put(path, "[27/Nov/2026 10:00:01] two\n");
	unit_put(two, "[27/Nov/2026 10:00:01] two\n");
	unit_put(path, "");
	watch_free(w);

	/* A restart from the commit: the file read is .1, read to its end. */
	w = watch_new(path, 0, &fake);
	assert_non_null(w);
	watch_set_prev(w, &s);
	files = watch_scan(w); /* .3 .2 .1 path */
	assert_int_equal(files, 4);
	watch_observe(w, files, watch_file(w, 2)->dev, watch_file(w, 2)->ino,
	    27, state_hash("[27/Nov/2026 10:00:00] one\n", 27), 27, 0);
	watch_pick(w, files, 1, 0, &p);
	assert_int_equal(p.at, 1);
	assert_int_equal(p.prev_at, 2);
	assert_int_equal(watch_open(w, (size_t)p.at, 0), 0);
	watch_note_prev(w, files, (size_t)p.at, p.prev_at);

	/* The copy left: the path, neither .3 (seen) nor .1 again. */
	watch_observe_open(w, files);
	watch_pick(w, files, 1, 0, &p);
	assert_int_equal(p.at, 3);
	unlink(one);
	unlink(two);
	unlink(three);
	watch_free(w);
}

/* A path that names a FIFO is told once, and never opened. */
static void
test_watch_not_regular(void **unused)
{
	struct rotation_obs obs;
	struct watch *w;
	int odd;

	(void)unused;
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	w = watch_new(path, 0, &fake);
	assert_non_null(w);
	assert_int_equal(watch_look(w, 0, 0, &obs, &odd), 0);
	assert_int_equal(odd, 1);
	assert_int_equal(obs.path_exists, 0);
	assert_int_equal(watch_look(w, 0, 0, &obs, &odd), 0);
	assert_int_equal(odd, 0);
	assert_int_equal(watch_odd(w), 1);
	assert_int_equal(watch_open_path(w, watch_scan(w), 0), -1);
	unlink(path);
	watch_free(w);
}

/* 1 if the watch's inotify descriptor has events to read. */
static int
readable(const struct watch *w)
{
	struct pollfd pfd = {.fd = watch_pollfd(w), .events = POLLIN};

	return poll(&pfd, 1, 0) == 1;
}

/* Appends text to the file at p (made if missing). */
static void
append(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/*
 * Only the input wakes the loop: writes to another file of the
 * directory queue no event, its creation and removal are read and
 * dropped (0); the open file's writes, a rotated name and the path
 * coming back wake it (1).
 */
static void
test_watch_wakes_for_the_input_only(void **unused)
{
	char other[300], rotated[300];
	struct watch *w;
	size_t files;

	(void)unused;
	snprintf(other, sizeof(other), "%s/mail.log", dir);
	snprintf(rotated, sizeof(rotated), "%s.1", path);
	unit_put(path, "[27/Nov/2026 10:00:00] one\n");
	w = watch_new(path, 1, &fake);
	assert_non_null(w);
	assert_int_equal(watch_inotify_error(w), 0);
	files = watch_scan(w);
	assert_true(watch_open_path(w, files, -1) > 0);

	append(other, "mail\n");
	watch_drain(w); /* its creation */
	for (int i = 0; i < 100; i++)
		append(other, "mail\n");
	if (readable(w))
		fail_msg("a neighbour's writes queued events");
	unlink(other);
	append(other, "mail\n");
	assert_true(readable(w));
	assert_int_equal(watch_drain(w), 0);

	append(path, "[27/Nov/2026 10:00:01] two\n");
	assert_int_equal(watch_drain(w), 1);
	assert_int_equal(rename(path, rotated), 0);
	assert_int_equal(watch_drain(w), 1);
	append(path, "[27/Nov/2026 10:00:02] three\n");
	assert_int_equal(watch_drain(w), 1);
	assert_int_equal(watch_drain(w), 0); /* nothing left */
	watch_free(w);
	unlink(rotated);
	unlink(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_watch_fits),
	    cmocka_unit_test(test_watch_wakes_for_the_input_only),
	    cmocka_unit_test(test_watch_open_and_tail),
	    cmocka_unit_test(test_watch_grace_pinned_clock),
	    cmocka_unit_test(test_watch_copy_after_truncation),
	    cmocka_unit_test(test_watch_copy_named_older),
	    cmocka_unit_test(test_watch_not_regular),
	};

	return cmocka_run_group_tests(tests, setup, unit_teardown);
}
