/* Unit tests for follow's loop: the back-off, the control state's
 * transitions and the flush rule by the clock passed in, pinned, without
 * sleeping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "follow.h"
#include "follow_mode.h"
#include "output.h"
#include "unit_files.h"

/*
 * A clock that moves step ms each time it is read, and stops the loop
 * after stop_after reads; it notes at which read the output first held
 * bytes (0: not before the stop).
 */
struct fake {
	int64_t now, step;
	int reads, stop_after, first_written;
	const char *out;
	volatile sig_atomic_t *stop;
};

static int64_t
fake_now(void *ctx)
{
	struct fake *k = ctx;
	struct stat sb;

	k->reads++;
	if (k->out != NULL && k->first_written == 0 && stat(k->out, &sb) == 0 &&
	    sb.st_size > 0)
		k->first_written = k->reads;
	if (k->stop != NULL && k->reads >= k->stop_after)
		*k->stop = 1;
	k->now += k->step;
	return k->now;
}

/* Each failure waits twice as long as the last, up to the cap, from
 * the clock's now. */
static void
test_follow_backoff_pinned_clock(void **unused)
{
	static const int64_t want[] = {1000, 2000, 4000, 8000, 16000, 30000,
	    30000};
	struct fake k = {.now = 100000};
	struct clock c = {fake_now, &k};
	int64_t delay = FOLLOW_BACKOFF_MIN_MS;

	(void)unused;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int64_t before = k.now;
		int64_t at = follow_backoff(&c, &delay);

		/* The clock moved by its step (0) only. */
		assert_int_equal(k.now, before);
		if (at != before + want[i])
			fail_msg("failure %zu: retry at %jd, want %jd", i,
			    (intmax_t)at, (intmax_t)(before + want[i]));
		k.now += 7;
	}
	assert_int_equal(delay, FOLLOW_BACKOFF_MAX_MS);
}

/* A failure holds until the back-off passes, each one longer; the retry
 * recovers, and only catching up ends the recovery (told once), with the
 * back-off at its start again. */
static void
test_follow_mode_failure_recovers(void **unused)
{
	struct fake k = {.now = 5000};
	struct clock c = {fake_now, &k};
	struct follow_mode m;

	(void)unused;
	follow_mode_init(&m);
	assert_int_equal(m.id, FOLLOW_MODE_RUNNING);
	assert_int_equal(follow_mode_caught_up(&m), 0);
	follow_mode_fail(&m, &c);
	assert_true(follow_mode_held(&m));
	assert_int_equal(m.why, FOLLOW_HOLD_FAILED);
	assert_int_equal(m.retry_at, 5000 + FOLLOW_BACKOFF_MIN_MS);
	follow_mode_resume(&m);
	assert_int_equal(m.id, FOLLOW_MODE_RECOVERING);
	/* Failing again while recovering: held twice as long. */
	follow_mode_fail(&m, &c);
	assert_int_equal(m.retry_at, 5000 + 2 * FOLLOW_BACKOFF_MIN_MS);
	follow_mode_resume(&m);
	assert_int_equal(follow_mode_caught_up(&m), 1);
	assert_int_equal(m.id, FOLLOW_MODE_RUNNING);
	assert_int_equal(follow_mode_caught_up(&m), 0);
	assert_int_equal(m.backoff, FOLLOW_BACKOFF_MIN_MS);
	assert_int_equal(m.reopen, 0);
}

/* A move is retried at once, untold, and goes back to the mode it left:
 * a recovery interrupted by it still ends told. The back-off is not
 * spent on it. */
static void
test_follow_mode_move_goes_back(void **unused)
{
	struct fake k = {.now = 7000};
	struct clock c = {fake_now, &k};
	struct follow_mode m;

	(void)unused;
	follow_mode_init(&m);
	follow_mode_moved(&m, &c, 1);
	assert_true(follow_mode_held(&m));
	assert_int_equal(m.why, FOLLOW_HOLD_MOVED);
	assert_int_equal(m.retry_at, 7000);
	assert_int_equal(m.reopen, 1);
	follow_mode_reopened(&m);
	assert_int_equal(m.reopen, 0);
	follow_mode_resume(&m);
	assert_int_equal(m.id, FOLLOW_MODE_RUNNING);
	assert_int_equal(m.backoff, FOLLOW_BACKOFF_MIN_MS);

	follow_mode_fail(&m, &c);
	follow_mode_resume(&m);
	follow_mode_moved(&m, &c, 0);
	assert_int_equal(m.reopen, 0);
	follow_mode_resume(&m);
	assert_int_equal(m.id, FOLLOW_MODE_RECOVERING);
	assert_int_equal(follow_mode_caught_up(&m), 1);
}

/* A failure while retrying a move (the output cannot be reopened) is a
 * failure: its retry recovers, told, and the output is still reopened
 * first. SIGHUP while held retries at once with the output reopened. */
static void
test_follow_mode_failed_move_and_hangup(void **unused)
{
	struct fake k = {.now = 9000};
	struct clock c = {fake_now, &k};
	struct follow_mode m;

	(void)unused;
	follow_mode_init(&m);
	follow_mode_moved(&m, &c, 1);
	follow_mode_fail(&m, &c);
	assert_int_equal(m.why, FOLLOW_HOLD_FAILED);
	assert_int_equal(m.reopen, 1);
	assert_int_equal(m.retry_at, 9000 + FOLLOW_BACKOFF_MIN_MS);
	follow_mode_hangup(&m, 9100);
	assert_int_equal(m.retry_at, 9100);
	assert_int_equal(m.why, FOLLOW_HOLD_FAILED);
	follow_mode_reopened(&m);
	follow_mode_resume(&m);
	assert_int_equal(m.id, FOLLOW_MODE_RECOVERING);

	/* Not held: SIGHUP is the loop's (a reopen), no transition. */
	follow_mode_init(&m);
	follow_mode_hangup(&m, 9200);
	assert_int_equal(m.id, FOLLOW_MODE_RUNNING);
	assert_int_equal(m.reopen, 0);
}

/* The reader gone or the lock lost ends the loop: no transition leaves
 * either, and a lost lock is said over a gone reader. */
static void
test_follow_mode_ends_stay(void **unused)
{
	struct fake k = {.now = 1000};
	struct clock c = {fake_now, &k};
	struct follow_mode m;

	(void)unused;
	follow_mode_init(&m);
	follow_mode_gone(&m);
	follow_mode_fail(&m, &c);
	follow_mode_moved(&m, &c, 1);
	follow_mode_resume(&m);
	assert_int_equal(m.id, FOLLOW_MODE_GONE);
	assert_false(follow_mode_held(&m));
	follow_mode_lock_lost(&m);
	follow_mode_gone(&m);
	follow_mode_fail(&m, &c);
	assert_int_equal(m.id, FOLLOW_MODE_LOCK_LOST);

	follow_mode_init(&m);
	follow_mode_fail(&m, &c);
	follow_mode_lock_lost(&m);
	assert_false(follow_mode_held(&m));
}

/* The missing input is told once, however often it is found missing
 * and whatever holds come between; its return only if it was told. */
static void
test_follow_mode_missing_told_once(void **unused)
{
	struct fake k = {.now = 1000};
	struct clock c = {fake_now, &k};
	struct follow_mode m;

	(void)unused;
	follow_mode_init(&m);
	assert_int_equal(follow_mode_appeared(&m), 0);
	assert_int_equal(follow_mode_missing(&m), 1);
	follow_mode_fail(&m, &c);
	follow_mode_resume(&m);
	assert_int_equal(follow_mode_missing(&m), 0);
	assert_int_equal(follow_mode_appeared(&m), 1);
	assert_int_equal(follow_mode_appeared(&m), 0);
	assert_int_equal(follow_mode_missing(&m), 1);
}

/* The start rule, every case: a state naming an input is resumed from
 * (whatever the option); otherwise a missing path is waited for; a path
 * there is read from 0 if asked, if the state was saved waiting for it,
 * or if an earlier start was never saved (said as such), else from its
 * end. */
static void
test_follow_start_decide_table(void **unused)
{
	static const struct {
		int state; /* 0: none, 1: names an input, 2: waiting */
		int from_start, unsaved, path_exists;
		enum rotation_start d;
		enum follow_start_why why;
	} cases[] = {
	    {1, 0, 0, 1, ROTATION_START_PICK, FOLLOW_START_SAVED},
	    {1, 1, 1, 0, ROTATION_START_PICK, FOLLOW_START_SAVED},
	    {0, 0, 0, 0, ROTATION_START_WAIT, FOLLOW_START_MISSING},
	    {2, 1, 1, 0, ROTATION_START_WAIT, FOLLOW_START_MISSING},
	    {0, 0, 0, 1, ROTATION_START_END, FOLLOW_START_NEW},
	    {0, 1, 0, 1, ROTATION_START_BEGIN, FOLLOW_START_OPTION},
	    {2, 0, 0, 1, ROTATION_START_BEGIN, FOLLOW_START_WAITED},
	    {2, 1, 0, 1, ROTATION_START_BEGIN, FOLLOW_START_WAITED},
	    {0, 0, 1, 1, ROTATION_START_BEGIN, FOLLOW_START_UNSAVED},
	    {0, 1, 1, 1, ROTATION_START_BEGIN, FOLLOW_START_UNSAVED},
	    {2, 0, 1, 1, ROTATION_START_BEGIN, FOLLOW_START_UNSAVED},
	};
	struct state named = {.have_input = 1, .pos = 10}, waiting = {0};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct follow_start_obs o = {.s = cases[i].state == 1 ? &named
		        : cases[i].state == 2                         ? &waiting
		                                                      : NULL,
		    .from_start = cases[i].from_start,
		    .unsaved = cases[i].unsaved,
		    .path_exists = cases[i].path_exists};
		struct follow_start st = follow_start_decide(&o);

		if (st.d != cases[i].d || st.why != cases[i].why)
			fail_msg("case %zu: decided %d (%d), want %d (%d)", i,
			    (int)st.d, (int)st.why, (int)cases[i].d,
			    (int)cases[i].why);
	}
}

/* Every event in its words, the start's and a truncation's whole: the
 * sentences the process tests and an administrator read. */
static void
test_follow_text_every_event(void **unused)
{
	static const struct follow_names nm = {"in.log", "out.log", "st"};
	static const struct {
		struct follow_note n;
		const char *why, *quiet, *want;
	} cases[] = {
	    {{.ev = FOLLOW_WAITING, .name = "in.log"}, "", "",
	        "in.log: no such file, waiting for it"},
	    {{.ev = FOLLOW_NOT_REGULAR, .name = "in.log"}, "a FIFO", "",
	        "in.log: not a regular file (a FIFO); waiting for a regular"
	        " file"},
	    {{.ev = FOLLOW_START,
	         .start = {ROTATION_START_END, FOLLOW_START_NEW}},
	        "", "",
	        "following in.log (no state, starting at its end) into"
	        " out.log"},
	    {{.ev = FOLLOW_START,
	         .start = {ROTATION_START_BEGIN, FOLLOW_START_UNSAVED},
	         .begun = "in.log.1",
	         .skipping = 12},
	        "", "",
	        "following in.log (an earlier start was not saved (killed"
	        " before its first save), starting at the beginning of"
	        " in.log.1; 12 bytes of its output are already written, not"
	        " repeated) into out.log"},
	    {{.ev = FOLLOW_LOST,
	         .start = {ROTATION_START_PICK, FOLLOW_START_SAVED},
	         .pick = "the saved file is gone"},
	        "", "", "the saved file is gone"},
	    {{.ev = FOLLOW_TRUNCATED, .name = "in.log"}, "", "",
	        "in.log: truncated, reading from its start into out.log"},
	    {{.ev = FOLLOW_TRUNCATED, .name = "in.log", .copy = "in.log.1"}, "",
	        "",
	        "in.log (what was not read yet is in its copy in.log.1, read"
	        " first): truncated, reading from its start into out.log"},
	    {{.ev = FOLLOW_TRUNCATED,
	         .name = "in.log",
	         .copy = "in.log.1",
	         .before_read = 1},
	        "", "",
	        "in.log (copied and truncated before it was read: its copy"
	        " in.log.1 is read first): truncated, reading from its start"
	        " into out.log"},
	    {{.ev = FOLLOW_LOST_COMPRESSED,
	         .name = "in.log",
	         .copy = "in.log.2.gz"},
	        "", "",
	        "in.log: rotated files compressed before they were read, their"
	        " entries are lost: in.log.2.gz"},
	    {{.ev = FOLLOW_LOCK_LOST, .holder = 42}, "", "",
	        "state file st is now in use by process 42 (its lock file was"
	        " deleted and made again); stopping"},
	    {{.ev = FOLLOW_REOPEN_FAILED, .name = "out.log"}, "a symbolic link",
	        " (3 before not reported)",
	        "cannot reopen out.log: a symbolic link; retrying (3 before"
	        " not reported)"},
	    {{.ev = FOLLOW_APPEARED, .name = "in.log"}, "", "",
	        "in.log: there now, reading it from its start"},
	    {{.ev = FOLLOW_STATE_REJECTED, .name = "st: damaged"}, "", "",
	        "state file st: damaged; not used"},
	    {{.ev = FOLLOW_ROTATED, .name = "in.log"}, "", "",
	        "in.log: rotated, reading the new file from its start into"
	        " out.log"},
	    {{.ev = FOLLOW_RECOVERED, .name = "in.log"}, "", "",
	        "in.log: working again"},
	    {{.ev = FOLLOW_OPTIONS_CHANGED, .name = "all written again"}, "",
	        "",
	        "the options that shape the output (format, host name, tag,"
	        " --max-entry, --match, --exclude) changed since the state was"
	        " saved; resuming at its position: all written again"},
	    {{.ev = FOLLOW_NO_INOTIFY, .name = "."}, "Too many open files", "",
	        "inotify on . unavailable, checking once a second: Too many"
	        " open files"},
	    {{.ev = FOLLOW_OPEN_FAILED, .name = "in.log"}, "Permission denied",
	        "", "cannot open in.log: Permission denied; retrying"},
	    {{.ev = FOLLOW_READ_FAILED, .name = "in.log"}, "I/O error", "",
	        "cannot read in.log: I/O error; retrying"},
	    {{.ev = FOLLOW_WRITE_FAILED, .name = "out.log"}, "No space", "",
	        "cannot write out.log: No space; retrying"},
	    {{.ev = FOLLOW_SAVE_FAILED, .name = "st"}, "No space", "",
	        "cannot save state to st: No space; retrying"},
	};
	char buf[1024];

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(follow_text(&cases[i].n, &nm, cases[i].why,
		                        cases[i].quiet, buf, sizeof(buf)),
		    cases[i].want);
	/* Cut, never overrun. */
	assert_int_equal(strlen(follow_text(&cases[6].n, &nm, "", "", buf, 20)),
	    19);
	assert_int_equal(follow_retried(FOLLOW_START), -1);
	assert_int_equal(follow_retried(FOLLOW_SAVE_FAILED),
	    FOLLOW_RETRIED - 1);
}

/*
 * The whole loop over a file whose last entry has no next line: it
 * leaves by the flush rule once the pinned clock passes the flush
 * timeout, before the stop, and not while the clock stands before it.
 * Returns the read of the clock at which the output was first seen to
 * hold bytes (0: never; the stop is set at read stop_after).
 */
static int
run_loop(int64_t step, int stop_after, double *secs)
{
	static volatile sig_atomic_t stop;
	struct fake k = {.now = 1000000,
	    .step = step,
	    .stop_after = stop_after,
	    .stop = &stop};
	struct clock clk = {fake_now, &k};
	struct pipeline_opts po = {.format = STAMP_BSD,
	    .host = "h",
	    .tag = "t",
	    .max_entry = 1024,
	    .flush_timeout = 2000,
	    .clock = &clk};
	struct pipeline_signals sig = {.stop = &stop};
	struct follow_opts fo = {.from_start = 1,
	    .no_inotify = 1,
	    .sig = &sig,
	    .clock = &clk};
	char in[300], out[300];
	struct timespec t0, t1;
	struct pipeline *p;
	struct output *o;
	struct sink sink;
	sigset_t mask;
	struct stat sb;

	snprintf(in, sizeof(in), "%s/security.log", dir);
	snprintf(out, sizeof(out), "%s/out.log", dir);
	unit_put(in, "[27/Nov/2026 10:00:00] pending entry\n");
	unlink(out);
	stop = 0;
	k.out = out;
	sigemptyset(&mask);
	sig.mask = &mask;
	fo.path = in;
	assert_non_null(o = output_new(out, 4096));
	output_sink(o, &sink);
	assert_non_null(p = pipeline_new(&po, &sink));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(follow_run(p, &sink, &fo), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(sink_close(&sink), 0);
	output_free(o);
	pipeline_free(p);
	/* At the stop the pending entry is written in any case. */
	assert_int_equal(stat(out, &sb), 0);
	assert_true(sb.st_size > 0);
	return k.first_written;
}

static void
test_follow_flush_rule_pinned_clock(void **unused)
{
	double secs;
	int at;

	(void)unused;
	/* Each read of the clock a minute later: every deadline passes at
	 * once, so nothing waits; the entry leaves long before the stop. */
	at = run_loop(60000, 200, &secs);
	if (at == 0 || at > 20)
		fail_msg("the pending entry did not leave at the first look"
		         " past its flush timeout (first written at read %d)",
		    at);
	assert_true(secs < 5.0);
	/* A clock that moves a millisecond a read never reaches the flush
	 * timeout (2000 ms) in 12 reads: written only at the stop. */
	at = run_loop(1, 12, &secs);
	if (at != 0 && at <= 12)
		fail_msg("the entry left before its flush timeout (read %d)",
		    at);
}

/*
 * A clock at which a writer appends the continuation of the pending
 * entry at its read number at (at once after the entry, 1 ms a read),
 * and the follower is then held 10 s (preempted on a busy machine)
 * before the next read returns.
 */
#define HELD_READS 12

struct held {
	int64_t now;
	int reads, at, stop_after;
	const char *in;
	volatile sig_atomic_t *stop;
};

static int64_t
held_now(void *ctx)
{
	struct held *k = ctx;

	if (++k->reads == k->at) {
		int fd = open(k->in, O_WRONLY | O_APPEND);

		if (fd >= 0) {
			if (write(fd, "    and its continuation\n", 25) != 25)
				k->reads = -1000000;
			close(fd);
		}
		k->now += 10000;
	}
	if (k->reads >= k->stop_after)
		*k->stop = 1;
	/* Past the hold every deadline passes at once: no wait is real. */
	k->now += k->reads >= k->at ? 1000 : 1;
	return k->now;
}

/*
 * A line written before the flush timeout passed joins its entry
 * however late the follower looks: the pending entry leaves only when a
 * look that began after the timeout found nothing new. Wherever the
 * follower is held between reading the entry and judging its deadline,
 * the continuation (written 0 ms after the entry) is never split off as
 * an entry of its own.
 */
static void
test_follow_flush_judged_at_the_look(void **unused)
{
	static volatile sig_atomic_t stop;
	char in[300], out[300], buf[512];
	int split = 0, first = 0;

	(void)unused;
	snprintf(in, sizeof(in), "%s/security.log", dir);
	snprintf(out, sizeof(out), "%s/out.log", dir);
	for (int at = 1; at <= HELD_READS; at++) {
		struct held k = {.now = 1000000,
		    .at = at,
		    .stop_after = at + 20,
		    .in = in,
		    .stop = &stop};
		struct clock clk = {held_now, &k};
		struct pipeline_opts po = {.format = STAMP_BSD,
		    .host = "h",
		    .tag = "t",
		    .max_entry = 1024,
		    .flush_timeout = 100,
		    .clock = &clk};
		struct pipeline_signals sig = {.stop = &stop};
		struct follow_opts fo = {.path = in,
		    .from_start = 1,
		    .no_inotify = 1,
		    .sig = &sig,
		    .clock = &clk};
		struct pipeline *p;
		struct output *o;
		struct sink sink;
		sigset_t mask;
		ssize_t n;
		int fd;

		unit_put(in, "[27/Nov/2026 10:00:00] an entry\n");
		unlink(out);
		stop = 0;
		sigemptyset(&mask);
		sig.mask = &mask;
		assert_non_null(o = output_new(out, 4096));
		output_sink(o, &sink);
		assert_non_null(p = pipeline_new(&po, &sink));
		assert_int_equal(follow_run(p, &sink, &fo), 0);
		assert_int_equal(sink_close(&sink), 0);
		output_free(o);
		pipeline_free(p);
		assert_true(k.reads >= 0);
		fd = open(out, O_RDONLY);
		assert_true(fd >= 0);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		assert_true(n > 0);
		buf[n] = '\0';
		if (strstr(buf, "[continued]") != NULL && split++ == 0)
			first = at;
	}
	if (split > 0)
		fail_msg("the continuation was split off in %d of %d runs"
		         " (first: held at clock read %d)",
		    split, HELD_READS, first);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_follow_backoff_pinned_clock),
	    cmocka_unit_test(test_follow_mode_failure_recovers),
	    cmocka_unit_test(test_follow_mode_move_goes_back),
	    cmocka_unit_test(test_follow_mode_failed_move_and_hangup),
	    cmocka_unit_test(test_follow_mode_ends_stay),
	    cmocka_unit_test(test_follow_mode_missing_told_once),
	    cmocka_unit_test(test_follow_start_decide_table),
	    cmocka_unit_test(test_follow_text_every_event),
	    cmocka_unit_test(test_follow_flush_rule_pinned_clock),
	    cmocka_unit_test(test_follow_flush_judged_at_the_look),
	};

	return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
