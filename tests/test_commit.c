/* Unit tests for commit: when a commit is due (a pinned clock), what a
 * commit records, the replay's skip, the output a state names, the state
 * found at start. */
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

#include "commit.h"
#include "output.h"
#include "sink.h"
#include "unit_files.h"
#include "unit_clock.h"

static char state_path[256];

static int64_t fake_ms;
static const struct clock fake = {unit_clock_read, &fake_ms};

static int
setup(void **unused)
{
	if (unit_setup(unused) < 0)
		return -1;
	snprintf(state_path, sizeof(state_path), "%s/state", dir);
	return 0;
}

static struct commit *
new_commit(const char *sp, uint64_t options)
{
	struct commit_opts o = {.state_path = sp,
	    .options = options,
	    .out = NULL,
	    .clock = &fake};
	struct commit *cm = commit_new(&o);

	assert_non_null(cm);
	return cm;
}

/* A barrier at an input begun anew whose save fails leaves nothing
 * durable until a save is whole (C16): a start holds then. A failed save
 * elsewhere does not. */
static void
test_commit_barrier_durable(void **unused)
{
	struct commit_point pt = {.ready = 1,
	    .fd = -1,
	    .flush_at = -1,
	    .replay_at = -1};
	struct commit *cm = new_commit(state_path, 0);
	char tmp[300];

	(void)unused;
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(commit_durable(cm), 1);
	/* A directory where the temporary file goes: every save fails. */
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(commit_take(cm, &pt), 1);
	assert_int_equal(commit_durable(cm), 1);
	assert_int_equal(commit_barrier(cm, &pt), 1);
	assert_int_equal(commit_durable(cm), 0);
	assert_int_equal(rmdir(tmp), 0);
	assert_int_equal(commit_barrier(cm, &pt), 0);
	assert_int_equal(commit_durable(cm), 1);
	commit_free(cm);
	unlink(state_path);
}

/* Input read since the last commit: a commit is due a second after it,
 * by the clock passed in. */
static void
test_commit_due_pinned_clock(void **unused)
{
	struct commit_point pt = {.ready = 1,
	    .fd = -1,
	    .flush_at = -1,
	    .replay_at = -1};
	struct commit *cm = new_commit(NULL, 7);

	(void)unused;
	fake_ms = 5000;
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(commit_deadline(cm), INT64_MAX);
	assert_int_equal(commit_due(cm, 999999), 0); /* nothing new */
	commit_dirty(cm);
	assert_int_equal(commit_deadline(cm), 5000 + COMMIT_INTERVAL_MS);
	assert_int_equal(commit_due(cm, 5000 + COMMIT_INTERVAL_MS - 1), 0);
	assert_int_equal(commit_due(cm, 5000 + COMMIT_INTERVAL_MS), 1);
	assert_int_equal(commit_interval_passed(cm, 5999), 0);
	/* Output not flushed: no commit, nothing moves, not even the time
	 * of the last one. */
	pt.ready = 0;
	fake_ms = 9000;
	assert_int_equal(commit_take(cm, &pt), -1);
	assert_int_equal(commit_due(cm, 6000), 1);
	commit_free(cm);
}

/* What a commit records, as the state file holds it. */
static void
test_commit_take_saves(void **unused)
{
	char in[300];
	struct commit_point pt = {.ready = 1,
	    .pos = 10,
	    .have_stamp = 1,
	    .stamp = {.year = 2026, .mon = 11, .mday = 27, .hour = 10},
	    .prev = {.have_prev = 1, .prev.dev = 3, .prev.ino = 4},
	    .flush_at = -1,
	    .replay_at = 40,
	    .out = {.have = 1, .dev = 8, .ino = 9, .size = 500, .skip = 30}};
	struct commit *cm = new_commit(state_path, 0x1234);
	struct state s;
	struct stat sb;
	int fd;

	(void)unused;
	snprintf(in, sizeof(in), "%s/in", dir);
	fd = open(in, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789abc", 13), 13);
	assert_int_equal(fstat(fd, &sb), 0);
	pt.fd = fd;
	pt.dev = sb.st_dev;
	pt.ino = sb.st_ino;
	assert_int_equal(commit_mark(cm), 0);
	assert_int_equal(commit_durable(cm), 0);
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(commit_durable(cm), 1);
	assert_int_equal(state_load(state_path, &s), STATE_OK);
	assert_int_equal(s.have_input, 1);
	assert_int_equal(s.pos, 10);
	assert_int_equal(s.in.hash, state_hash("0123456789", 10));
	assert_int_equal(s.have_stamp, 1);
	assert_int_equal(s.stamp.mday, 27);
	assert_int_equal(s.have_prev, 1);
	assert_int_equal(s.prev.ino, 4);
	/* The replay's record stands until passed. */
	assert_int_equal(s.flush_at, 40);
	/* No skip here: all 30 bytes are owed to an older output. */
	assert_int_equal(s.out_size, 500);
	assert_int_equal(s.out_skip, 30);
	assert_int_equal(s.options, 0x1234);
	/* A position past the file's end: no commit. */
	pt.pos = 99;
	assert_int_equal(commit_take(cm, &pt), -1);
	close(fd);
	commit_free(cm);
}

/*
 * W (commit.c, the time judged by): none from an absent state; a commit
 * records the W in force while a replay still skips and the clock's time
 * when nothing is left to skip, in force once on disk; a failed save
 * keeps the old one, and the next try waits an interval; none is
 * recorded where entries are not judged.
 */
static void
test_commit_wall(void **unused)
{
	struct commit_opts o = {.state_path = state_path, .clock = &fake};
	struct commit_point pt = {.ready = 1,
	    .fd = -1,
	    .flush_at = -1,
	    .replay_at = -1,
	    .out = {.have = 1, .dev = 8, .ino = 9, .size = 500, .skip = 30}};
	struct commit *cm;
	struct state s;
	char why[256], tmp[300];
	int64_t w;

	(void)unused;
	unlink(state_path);
	o.judge = 1;
	assert_non_null(cm = commit_new(&o));
	assert_int_equal(commit_load(cm, why, sizeof(why)), 0);
	assert_int_equal(commit_wall(cm, &w), 0);
	fake_ms = 100000;
	assert_int_equal(commit_wall_due(cm, 1000, fake_ms), 1);
	pt.wall_now = 1000;
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(commit_wall(cm, &w), 0);
	assert_int_equal(state_load(state_path, &s), STATE_OK);
	assert_int_equal(s.have_wall, 0);
	pt.out.skip = 0;
	pt.wall_now = 5000;
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(commit_wall(cm, &w), 1);
	assert_int_equal(w, 5000);
	assert_int_equal(state_load(state_path, &s), STATE_OK);
	assert_int_equal(s.wall, 5000);
	pt.out.skip = 10;
	pt.wall_now = 9000;
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(state_load(state_path, &s), STATE_OK);
	assert_int_equal(s.wall, 5000);
	/* Renewed once older than COMMIT_WALL_AGE_MS, or ahead. */
	assert_int_equal(commit_wall_due(cm, 5000 + COMMIT_WALL_AGE_MS,
	                     fake_ms),
	    0);
	assert_int_equal(commit_wall_due(cm, 5001 + COMMIT_WALL_AGE_MS,
	                     fake_ms),
	    1);
	assert_int_equal(commit_wall_due(cm, 4999, fake_ms), 1);
	/* The save fails (a directory where its temporary file goes). */
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
	assert_int_equal(mkdir(tmp, 0700), 0);
	pt.out.skip = 0;
	pt.wall_now = 20000;
	assert_int_equal(commit_take(cm, &pt), 1);
	assert_int_equal(commit_wall(cm, &w), 1);
	assert_int_equal(w, 5000);
	assert_int_equal(commit_last(cm)->wall, 5000);
	assert_int_equal(commit_wall_due(cm, 20000, fake_ms + 999), 0);
	assert_int_equal(commit_wall_due(cm, 20000, fake_ms + 1000), 1);
	assert_int_equal(rmdir(tmp), 0);
	commit_free(cm);
	o.judge = 0;
	assert_non_null(cm = commit_new(&o));
	assert_int_equal(commit_wall_due(cm, 1, fake_ms), 0);
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(state_load(state_path, &s), STATE_OK);
	assert_int_equal(s.have_wall, 0);
	commit_free(cm);
	unlink(state_path);
}

struct skip_case {
	const char *what;
	struct state s;      /* the state resumed from */
	struct commit_out o; /* the output now */
	off_t want_skip;     /* what the sink drops */
	int want_changed;    /* the options changed: told */
	off_t want_here;     /* of it, in the open output */
};

static void
test_commit_replay_skip(void **unused)
{
	static const struct skip_case cases[] = {
	    {.what = "written after the commit, same file",
	        .s = {.have_out = 1,
	            .out_dev = 1,
	            .out_ino = 2,
	            .out_size = 100,
	            .have_options = 1,
	            .options = 7},
	        .o = {.have = 1, .dev = 1, .ino = 2, .size = 160},
	        .want_skip = 60,
	        .want_here = 60},
	    {.what = "and a debt to an older file",
	        .s = {.have_out = 1,
	            .out_dev = 1,
	            .out_ino = 2,
	            .out_size = 100,
	            .out_skip = 25,
	            .have_options = 1,
	            .options = 7},
	        .o = {.have = 1, .dev = 1, .ino = 2, .size = 160},
	        .want_skip = 85,
	        .want_here = 60},
	    {.what = "nothing written since",
	        .s = {.have_out = 1,
	            .out_dev = 1,
	            .out_ino = 2,
	            .out_size = 100,
	            .have_options = 1,
	            .options = 7},
	        .o = {.have = 1, .dev = 1, .ino = 2, .size = 100},
	        .want_skip = 0},
	    {.what = "options changed: nothing matched, told",
	        .s = {.have_out = 1,
	            .out_dev = 1,
	            .out_ino = 2,
	            .out_size = 100,
	            .have_options = 1,
	            .options = 8},
	        .o = {.have = 1, .dev = 1, .ino = 2, .size = 160},
	        .want_skip = 0,
	        .want_changed = 1},
	    {.what = "rotated away, not found: only the old debt",
	        .s = {.have_out = 1,
	            .out_dev = 1,
	            .out_ino = 2,
	            .out_size = 100,
	            .out_skip = 5,
	            .have_options = 1,
	            .options = 7},
	        .o = {.have = 1, .dev = 1, .ino = 3, .size = 10},
	        .want_skip = 5},
	    {.what = "standard output: nothing to match",
	        .s = {.have_options = 1, .options = 7},
	        .o = {.have = 0},
	        .want_skip = 0},
	};
	struct commit *cm = new_commit(NULL, 7);
	char msg[256];
	int changed;

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct skip_case *c = &cases[i];
		off_t skip = commit_replay_skip(cm, &c->s, &c->o, &changed, msg,
		    sizeof(msg));

		if (skip != c->want_skip || changed != c->want_changed ||
		    commit_leave_span(cm, skip) != c->want_here)
			fail_msg("%s: skip %jd changed %d here %jd", c->what,
			    (intmax_t)skip, changed,
			    (intmax_t)commit_leave_span(cm, skip));
		if (changed && strstr(msg, "60 bytes written") == NULL)
			fail_msg("%s: %s", c->what, msg);
	}
	/* The output left while 40 bytes are still to drop, 60 of them
	 * here, a line of 15 torn at its end: written whole to the next. */
	commit_replay_skip(cm, &cases[0].s, &cases[0].o, &changed, msg,
	    sizeof(msg));
	assert_int_equal(commit_leave_span(cm, 40), 40);
	assert_int_equal(commit_left(cm, 40, 15), 25);
	assert_int_equal(commit_leave_span(cm, 25), 0);
	commit_no_skip(cm);
	commit_free(cm);
}

/* Nothing is written to an output the state on disk does not name. */
static void
test_commit_out_named(void **unused)
{
	struct commit_point pt = {.ready = 1,
	    .fd = -1,
	    .flush_at = -1,
	    .replay_at = -1,
	    .out = {.have = 1, .dev = 1, .ino = 2, .size = 0}};
	struct commit_out same = {.have = 1, .dev = 1, .ino = 2};
	struct commit_out other = {.have = 1, .dev = 1, .ino = 3};
	struct commit_out none = {.have = 0};
	struct commit *cm = new_commit(NULL, 0);
	char why[256];

	(void)unused;
	/* No state: anything. */
	assert_int_equal(commit_out_named(cm, &other), 1);
	commit_free(cm);

	unlink(state_path);
	cm = new_commit(state_path, 0);
	assert_int_equal(commit_load(cm, why, sizeof(why)), 0);
	assert_null(commit_loaded(cm));
	assert_null(commit_last(cm));
	assert_int_equal(commit_out_named(cm, &other), 1); /* none on disk */
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(commit_out_named(cm, &same), 1);
	assert_int_equal(commit_out_named(cm, &other), 0);
	assert_int_equal(commit_out_named(cm, &none), 0);
	assert_non_null(commit_last(cm));
	commit_free(cm);
}

/* The state found at start: rejected with its name and why; a mark
 * alone (a first start killed before its save) reads from 0. */
static void
test_commit_load(void **unused)
{
	struct commit *cm;
	char why[256], tmp[300];
	int fd;

	(void)unused;
	fd = open(state_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a state\n", 12), 12);
	close(fd);
	cm = new_commit(state_path, 0);
	assert_int_equal(commit_load(cm, why, sizeof(why)), 1);
	assert_non_null(strstr(why, state_path));
	assert_null(commit_loaded(cm));
	commit_free(cm);

	unlink(state_path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
	unlink(tmp);
	cm = new_commit(state_path, 0);
	assert_int_equal(commit_mark(cm), 0);
	commit_free(cm);
	cm = new_commit(state_path, 0);
	assert_int_equal(commit_load(cm, why, sizeof(why)), 0);
	assert_int_equal(commit_unsaved_start(cm, NULL), 1);
	assert_int_equal(commit_durable(cm), 0);
	commit_free(cm);
	unlink(tmp);
}

/*
 * C2: the skip a commit still owes is split where it lies: what lies in
 * the open output comes off its size S, the rest is K, owed to an older
 * file; neither is negative, even when someone cut the output below it.
 */
static void
test_commit_take_splits_skip(void **unused)
{
	const struct state s = {.have_out = 1,
	    .out_dev = 1,
	    .out_ino = 2,
	    .out_size = 100,
	    .out_skip = 25,
	    .have_options = 1,
	    .options = 7};
	const struct commit_out now = {.have = 1,
	    .dev = 1,
	    .ino = 2,
	    .size = 160};
	struct commit_point pt = {.ready = 1,
	    .fd = -1,
	    .flush_at = -1,
	    .replay_at = -1,
	    .out = {.have = 1, .dev = 1, .ino = 2, .size = 160}};
	struct commit *cm = new_commit(NULL, 7);
	char msg[256];
	int changed;

	(void)unused;
	pt.out.skip =
	    commit_replay_skip(cm, &s, &now, &changed, msg, sizeof(msg));
	assert_int_equal(pt.out.skip, 85);
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(commit_last(cm)->out_size, 100);
	assert_int_equal(commit_last(cm)->out_skip, 25);
	/* Cut to 40 bytes under us: all 40 are skip, the rest is owed. */
	pt.out.size = 40;
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(commit_last(cm)->out_size, 0);
	assert_int_equal(commit_last(cm)->out_skip, 45);
	commit_free(cm);
}

/*
 * C3, C4: the output rotated away before the reopen was saved: its
 * surplus is read from the file with O's inode in the output's directory,
 * less a last line it ends without, which the replay writes whole to the
 * new file; none of it is in the open output.
 */
static void
test_commit_replay_skip_rotated(void **unused)
{
	char out[300], old[300], msg[256];
	struct commit_opts o = {.options = 7, .clock = &fake};
	struct output *op;
	struct sink sk;
	struct state s = {.have_out = 1, .out_size = 2, .have_options = 1};
	struct commit_out now = {.have = 1};
	struct commit *cm;
	struct stat sb;
	int changed;

	(void)unused;
	snprintf(out, sizeof(out), "%s/out.log", dir);
	snprintf(old, sizeof(old), "%s/out.log.1", dir);
	unit_put(out, "a\nb\nc");
	assert_int_equal(stat(out, &sb), 0);
	s.out_dev = sb.st_dev;
	s.out_ino = sb.st_ino;
	s.options = 7;
	assert_int_equal(rename(out, old), 0);
	unit_put(out, "");
	assert_int_equal(stat(out, &sb), 0);
	now.dev = sb.st_dev;
	now.ino = sb.st_ino;
	assert_non_null(op = output_new(out, 4096));
	output_sink(op, &sk);
	o.out = &sk;
	assert_non_null(cm = commit_new(&o));
	assert_int_equal(commit_replay_skip(cm, &s, &now, &changed, msg,
	                     sizeof(msg)),
	    2);
	assert_int_equal(changed, 0);
	assert_int_equal(commit_leave_span(cm, 2), 0);
	commit_free(cm);
	output_free(op);
	unlink(old);
	unlink(out);
}

/*
 * C16, C28: a start that is not on disk reads nothing until a save of it
 * is whole: a whole state found in the temporary file (the next save
 * empties that file first), or a start made undurable (a barrier) whose
 * save fails. A state file found is on disk.
 */
static void
test_commit_durable(void **unused)
{
	struct commit_point pt = {.ready = 1,
	    .fd = -1,
	    .flush_at = -1,
	    .replay_at = -1};
	struct state a = {.flush_at = -1};
	struct commit *cm;
	char why[256], tmp[300];

	(void)unused;
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
	assert_int_equal(state_save(state_path, &a), 0);
	assert_int_equal(rename(state_path, tmp), 0);
	cm = new_commit(state_path, 0);
	assert_int_equal(commit_load(cm, why, sizeof(why)), 0);
	assert_non_null(commit_loaded(cm));
	assert_int_equal(commit_unsaved_start(cm, NULL), 0);
	assert_int_equal(commit_durable(cm), 0);
	assert_int_equal(commit_take(cm, &pt), 0);
	assert_int_equal(commit_durable(cm), 1);
	/* A barrier whose save fails: not durable; then whole. */
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(commit_barrier(cm, &pt), 1);
	assert_int_equal(commit_durable(cm), 0);
	assert_int_equal(rmdir(tmp), 0);
	assert_int_equal(commit_write(cm), 0);
	assert_int_equal(commit_durable(cm), 1);
	commit_free(cm);
	cm = new_commit(state_path, 0);
	assert_int_equal(commit_load(cm, why, sizeof(why)), 0);
	assert_int_equal(commit_durable(cm), 1);
	commit_free(cm);
	unlink(state_path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commit_barrier_durable),
	    cmocka_unit_test(test_commit_due_pinned_clock),
	    cmocka_unit_test(test_commit_take_saves),
	    cmocka_unit_test(test_commit_wall),
	    cmocka_unit_test(test_commit_replay_skip),
	    cmocka_unit_test(test_commit_out_named),
	    cmocka_unit_test(test_commit_load),
	    cmocka_unit_test(test_commit_take_splits_skip),
	    cmocka_unit_test(test_commit_replay_skip_rotated),
	    cmocka_unit_test(test_commit_durable),
	};

	return cmocka_run_group_tests(tests, setup, unit_teardown);
}
