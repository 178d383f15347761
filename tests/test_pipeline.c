/* Unit tests for the pipeline: entries to lines, the flush rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "pipeline.h"
#include "select.h"
#include "unit_clock.h"

static char text[256 * 1024];

static FILE *
file_with(const char *data)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
	assert_int_equal(fflush(f), 0);
	rewind(f);
	return f;
}

/* What the sink file holds. */
static const char *
sink_text(FILE *sink)
{
	size_t n;

	rewind(sink);
	n = fread(text, 1, sizeof(text) - 1, sink);
	text[n] = '\0';
	return text;
}

/* The late rule of convert(): the wall clock pinned, late_ms 0: never. */
static int64_t wall_ms, late_ms;
static const struct clock wall = {unit_clock_read, &wall_ms};

/* Runs pipeline_run over data and returns what was written. */
static const char *
convert(const char *data, enum stamp_format fmt, size_t max, const char *match,
    const char *exclude)
{
	static volatile sig_atomic_t stop, hup;
	struct pipeline_opts co = {.format = fmt,
	    .host = "mailhost",
	    .tag = "kerio",
	    .max_entry = max,
	    .flush_timeout = 1000,
	    .late_ms = late_ms,
	    .wall = &wall};
	struct pipeline_signals sig = {&stop, &hup, NULL};
	FILE *in = file_with(data), *sink = tmpfile();
	struct pipeline *p;
	struct output *o;
	struct sink out;
	char err[64];
	sigset_t mask;
	long at;

	sigemptyset(&mask);
	sig.mask = &mask;
	co.sel = select_new();
	if (match != NULL)
		assert_int_equal(select_add(co.sel, 0, match, err, 64, &at), 0);
	if (exclude != NULL)
		assert_int_equal(select_add(co.sel, 1, exclude, err, 64, &at),
		    0);
	assert_non_null(sink);
	assert_non_null(o = output_new_fd(fileno(sink), 0));
	output_sink(o, &out);
	assert_non_null(p = pipeline_new(&co, &out));
	pipeline_input(p, fileno(in), 0, 0, 0);
	assert_int_equal(pipeline_run(p, &sig), OUTCOME_EOF);
	assert_int_equal(sink_pending(&out), 0);
	pipeline_free(p);
	output_free(o);
	select_free(co.sel);
	fclose(in);
	sink_text(sink);
	fclose(sink);
	return text;
}

static void
test_convert_bsd_lines(void **unused)
{
	(void)unused;
	assert_string_equal(
	    convert("[17/Jun/2011 17:00:45] Attempt to deliver to unknown "
	            "recipient <a@b>, from <c@d>, IP address\n"
	            "  200.90.149.178\n"
	            "[07/Jun/2011 07:00:45] Failed SMTP login from 1.2.3.4 "
	            "with SASL method PLAIN.",
	        STAMP_BSD, 16384, NULL, NULL),
	    "Jun 17 17:00:45 mailhost kerio: Attempt to deliver to unknown "
	    "recipient <a@b>, from <c@d>, IP address 200.90.149.178\n"
	    "Jun  7 07:00:45 mailhost kerio: Failed SMTP login from 1.2.3.4 "
	    "with SASL method PLAIN.\n");
}

static void
test_convert_rfc3339_lines(void **unused)
{
	(void)unused;
	setenv("TZ", "Europe/Prague", 1);
	tzset();
	assert_string_equal(convert("[17/Jun/2011 17:00:45] a\n"
	                            "[17/Dec/2011 17:00:45] b\n",
	                        STAMP_RFC3339, 16384, NULL, NULL),
	    "2011-06-17T17:00:45+02:00 mailhost kerio: a\n"
	    "2011-12-17T17:00:45+01:00 mailhost kerio: b\n");
}

/*
 * The late mark: after "TAG: ", before the message (and before the
 * "[continued] " or Kerio's own marks in it), in both formats, on the
 * long path too; nothing is dropped; none with late_ms 0.
 */
static void
test_convert_late_mark(void **unused)
{
	static char in[80 * 1024], want[90 * 1024];
	const char *old = "[07/Dec/2026 10:00:00][4522610688] {smtp} Failed "
	                  "SMTP login from 192.0.2.66 with SASL method "
	                  "LOGIN.\n";
	size_t n;

	(void)unused;
	setenv("TZ", "Europe/Prague", 1);
	tzset();
	/* 10:00:00 +01:00 is 09:00:00 UTC. */
	wall_ms = (int64_t)1796634000 * 1000 + 60001;
	late_ms = 60000;
	assert_string_equal(convert("[07/Dec/2026 10:00:00] a\n"
	                            "[07/Dec/2026 10:00:01] b\n"
	                            "[07/Dec/2026 11:00:00] c\n",
	                        STAMP_RFC3339, 16384, NULL, NULL),
	    "2026-12-07T10:00:00+01:00 mailhost kerio: [late] a\n"
	    "2026-12-07T10:00:01+01:00 mailhost kerio: b\n"
	    "2026-12-07T11:00:00+01:00 mailhost kerio: c\n");
	assert_string_equal(convert(old, STAMP_BSD, 16384, NULL, NULL),
	    "Dec  7 10:00:00 mailhost kerio: [late] [4522610688] {smtp} "
	    "Failed SMTP login from 192.0.2.66 with SASL method LOGIN.\n");
	/* A message longer than a sink's reservation. */
	n = sizeof(in) - 2 - 23;
	memcpy(in, "[07/Dec/2026 10:00:00] ", 23);
	memset(in + 23, 'x', n);
	in[23 + n] = '\0';
	memcpy(want, "Dec  7 10:00:00 mailhost kerio: [late] ", 39);
	memset(want + 39, 'x', n);
	memcpy(want + 39 + n, "\n", 2);
	assert_string_equal(convert(in, STAMP_BSD, sizeof(in), NULL, NULL),
	    want);
	late_ms = 0;
	assert_string_equal(convert("[07/Dec/2026 10:00:00] a\n", STAMP_BSD,
	                        16384, NULL, NULL),
	    "Dec  7 10:00:00 mailhost kerio: a\n");
}

/*
 * Live in the repeated hour of the autumn change: an entry is late only
 * if both instants it can name are over a minute old, whatever the
 * entries before it were.
 */
static void
test_convert_late_repeated_hour(void **unused)
{
	(void)unused;
	setenv("TZ", "Europe/Prague", 1);
	tzset();
	/* 25 Oct 2026 02:30:30 +01:00, the second pass of 02:00-03:00. */
	wall_ms = (int64_t)1792891830 * 1000;
	late_ms = 60000;
	assert_string_equal(convert("[25/Oct/2026 01:59:59] a\n"
	                            "[25/Oct/2026 03:00:00] b\n"
	                            "[25/Oct/2026 02:28:00] c\n"
	                            "[25/Oct/2026 02:30:00] d\n"
	                            "[25/Oct/2026 02:30:00] e\n",
	                        STAMP_RFC3339, 16384, NULL, NULL),
	    "2026-10-25T01:59:59+02:00 mailhost kerio: [late] a\n"
	    "2026-10-25T03:00:00+01:00 mailhost kerio: b\n"
	    "2026-10-25T02:28:00+02:00 mailhost kerio: [late] c\n"
	    "2026-10-25T02:30:00+02:00 mailhost kerio: d\n"
	    "2026-10-25T02:30:00+02:00 mailhost kerio: e\n");
	late_ms = 0;
}

/* The escaping is that of the output, the cap that of the message. */
static void
test_convert_escapes_after_cut(void **unused)
{
	(void)unused;
	assert_string_equal(convert("[17/Jun/2011 17:00:45] a\tb\x7f"
	                            "cdefgh\n",
	                        STAMP_BSD, 5, NULL, NULL),
	    "Jun 17 17:00:45 mailhost kerio: a#011b#177c\n");
}

/*
 * A line longer than a sink reservation (SINK_RESERVE_MAX, once
 * escaped) still goes out whole, in pieces.
 */
static void
test_convert_message_longer_than_buffer(void **unused)
{
	enum { N = 20000 };
	static char in[N + 64], want[4 * N + 64];
	const char *got;

	(void)unused;
	memcpy(in, "[17/Jun/2011 17:00:45] ", 23);
	for (int i = 0; i < N; i++)
		in[23 + i] = (char)(i % 3 == 0 ? '\t' : 'a' + i % 26);
	memcpy(in + 23 + N, "\n", 2);
	got = convert(in, STAMP_BSD, 2 * N, NULL, NULL);
	snprintf(want, sizeof(want), "Jun 17 17:00:45 mailhost kerio: ");
	for (size_t i = 0, n = strlen(want); i < N; i++) {
		if (i % 3 == 0) {
			memcpy(want + n, "#011", 4);
			n += 4;
		} else {
			want[n++] = (char)('a' + i % 26);
		}
		want[n] = '\0';
	}
	strcat(want, "\n");
	assert_string_equal(got, want);
}

static void
test_convert_selection(void **unused)
{
	const char *log = "[17/Jun/2011 17:00:45] Failed IMAP login from "
	                  "1.2.3.4, x\n"
	                  "[17/Jun/2011 17:00:46] Found virus in mail\n"
	                  "[17/Jun/2011 17:00:47] Failed POP3 login from "
	                  "5.6.7.8, y\n";

	(void)unused;
	assert_string_equal(convert(log, STAMP_BSD, 16384, "^Failed", "5\\.6"),
	    "Jun 17 17:00:45 mailhost kerio: Failed IMAP login from 1.2.3.4, "
	    "x\n");
	assert_string_equal(convert(log, STAMP_BSD, 16384, NULL, "virus"),
	    "Jun 17 17:00:45 mailhost kerio: Failed IMAP login from 1.2.3.4, "
	    "x\n"
	    "Jun 17 17:00:47 mailhost kerio: Failed POP3 login from 5.6.7.8, "
	    "y\n");
}

static void
test_convert_orphans_and_empty_input(void **unused)
{
	(void)unused;
	assert_string_equal(convert("", STAMP_BSD, 16384, NULL, NULL), "");
	assert_string_equal(convert("orphan\n\n", STAMP_BSD, 16384, NULL, NULL),
	    "");
	assert_string_equal(convert("\xef\xbb\xbforphan\r\n"
	                            "[17/Jun/2011 17:00:45] x\r\n",
	                        STAMP_BSD, 16384, NULL, NULL),
	    "Jun 17 17:00:45 mailhost kerio: x\n");
}

/* A clock the test moves by hand. */
static int64_t fake_now;
static const struct clock pinned = {unit_clock_read, &fake_now};

/* A pipeline on a memory input, stepped by hand, with the clock pinned. */
struct rig {
	FILE *in, *out;
	struct output *o;
	struct sink s;
	struct pipeline *p;
};

static void
rig_open_cap(struct rig *g, const char *data, size_t read_cap)
{
	struct pipeline_opts co = {.format = STAMP_BSD,
	    .host = "h",
	    .tag = "kerio",
	    .max_entry = 16384,
	    .flush_timeout = 1000,
	    .read_cap = read_cap,
	    .clock = &pinned};

	fake_now = 5000;
	g->in = file_with(data);
	assert_non_null(g->out = tmpfile());
	assert_non_null(g->o = output_new_fd(fileno(g->out), 0));
	output_sink(g->o, &g->s);
	assert_non_null(g->p = pipeline_new(&co, &g->s));
	pipeline_input(g->p, fileno(g->in), 0, 0, 0);
}

static void
rig_open(struct rig *g, const char *data)
{
	rig_open_cap(g, data, 0);
}

/* Reads all there is, takes the complete lines, flushes the sink. */
static void
rig_read(struct rig *g)
{
	const char *got;

	while (pipeline_fill(g->p, &got) > 0)
		;
	pipeline_take(g->p, 0);
	assert_int_equal(sink_flush(&g->s), 0);
}

static const char *
rig_text(struct rig *g)
{
	assert_int_equal(sink_flush(&g->s), 0);
	return sink_text(g->out);
}

static void
rig_close(struct rig *g)
{
	pipeline_free(g->p);
	output_free(g->o);
	fclose(g->in);
	fclose(g->out);
}

/*
 * The flush rule, without sleeping: a pending entry whose line is whole
 * is due flush_timeout ms after its last line was taken, not before.
 */
static void
test_pipeline_flush_rule_pinned_clock(void **unused)
{
	struct rig g;

	(void)unused;
	rig_open(&g, "[17/Jun/2011 17:00:45] one\n");
	rig_read(&g);
	/* Pending: a next line may still continue it. */
	assert_string_equal(rig_text(&g), "");
	assert_int_equal(pipeline_deadline(g.p), 6000);
	fake_now = 5999;
	assert_false(pipeline_due(g.p, fake_now));
	assert_int_equal(pipeline_tick(g.p, fake_now), 0);
	assert_string_equal(rig_text(&g), "");
	fake_now = 6000;
	assert_true(pipeline_due(g.p, fake_now));
	assert_int_equal(pipeline_tick(g.p, fake_now), 1);
	assert_string_equal(rig_text(&g), "Jun 17 17:00:45 h kerio: one\n");
	/* Nothing pending: no deadline. */
	assert_int_equal(pipeline_deadline(g.p), INT64_MAX);
	rig_close(&g);
}

/*
 * A line handed out in pieces (longer than the reader's buffer) never
 * makes its entry due while unfinished: it waits for the rest.
 */
static void
test_pipeline_unfinished_line_not_due(void **unused)
{
	char in[256];
	struct rig g;

	(void)unused;
	snprintf(in, sizeof(in), "[17/Jun/2011 17:00:45] one\n  %0100d", 7);
	rig_open_cap(&g, in, 64);
	rig_read(&g);
	/* The position is the start of the entry, which is pending. */
	assert_int_equal(pipeline_position(g.p), 0);
	assert_int_equal(pipeline_deadline(g.p), INT64_MAX);
	fake_now = 100000;
	assert_int_equal(pipeline_tick(g.p, fake_now), 0);
	assert_string_equal(rig_text(&g), "");
	/* At the end of the input the last line counts without its LF. */
	assert_int_equal(pipeline_take(g.p, 1), OUTCOME_PROGRESS);
	pipeline_end(g.p);
	snprintf(in, sizeof(in), "Jun 17 17:00:45 h kerio: one %0100d\n", 7);
	assert_string_equal(rig_text(&g), in);
	rig_close(&g);
}

/*
 * What a commit saves: the position is the pending entry's start; the
 * stamp is kept after the entry left, and a resume from it makes a later
 * continuation an entry of its own under that stamp.
 */
static void
test_pipeline_position_stamp_resume(void **unused)
{
	static const char in[] = "[17/Jun/2011 17:00:45] one\n"
	                         "[17/Jun/2011 17:00:46] two\n";
	struct stamp st;
	struct rig g;

	(void)unused;
	rig_open(&g, in);
	rig_read(&g);
	assert_int_equal(pipeline_position(g.p), 27);
	assert_int_equal(pipeline_taken(g.p), (off_t)strlen(in));
	assert_int_equal(pipeline_stamp(g.p, &st), 1);
	assert_int_equal(st.sec, 46);
	/* A failure: the pending entry is dropped, nothing written of it. */
	pipeline_discard(g.p);
	assert_int_equal(pipeline_stamp(g.p, &st), 0);
	assert_string_equal(rig_text(&g), "Jun 17 17:00:45 h kerio: one\n");
	rig_close(&g);

	/* Resumed under a kept stamp: a continuation is late, marked. */
	rig_open(&g, "  more\n");
	st.sec = 47;
	pipeline_resume(g.p, &st, 0);
	rig_read(&g);
	pipeline_end(g.p);
	assert_string_equal(rig_text(&g),
	    "Jun 17 17:00:47 h kerio: [continued] more\n");
	rig_close(&g);
}

/* A replayed write-ahead flush: the entry leaves where the record says,
 * so a continuation after it is not joined, as in the run replayed. */
static void
test_pipeline_replay_flush(void **unused)
{
	struct rig g;

	(void)unused;
	rig_open(&g, "[17/Jun/2011 17:00:45] one\n  two\n");
	pipeline_replay_flush(g.p, 27);
	assert_int_equal(pipeline_flush_at(g.p), 27);
	rig_read(&g);
	assert_int_equal(pipeline_flush_at(g.p), -1);
	pipeline_end(g.p);
	assert_string_equal(rig_text(&g),
	    "Jun 17 17:00:45 h kerio: one\n"
	    "Jun 17 17:00:45 h kerio: [continued] two\n");
	rig_close(&g);
}

/*
 * A clock at which a writer puts the continuation of the pending entry
 * into the pipe at its read number at, and the reader is then held 10 s
 * before the read returns; at the next read the writer closes the pipe.
 */
struct held {
	int64_t now;
	int reads, at, fd;
};

static int64_t
held_now(void *ctx)
{
	struct held *k = ctx;

	if (++k->reads == k->at) {
		assert_int_equal(write(k->fd, "  and its continuation\n", 23),
		    23);
		k->now += 10000;
	} else if (k->reads > k->at && k->fd >= 0) {
		close(k->fd);
		k->fd = -1;
	}
	return ++k->now;
}

/*
 * Pipe mode: a line written before the flush timeout passed joins its
 * entry however late the reader judges the deadline; only a look at the
 * input begun after the timeout that finds nothing lets the entry leave.
 */
static void
test_pipeline_flush_judged_at_the_look(void **unused)
{
	static volatile sig_atomic_t stop;
	struct pipeline_signals sig = {&stop, NULL, NULL};
	sigset_t mask;

	(void)unused;
	sigemptyset(&mask);
	sig.mask = &mask;
	for (int at = 1; at <= 6; at++) {
		struct held k = {.now = 5000, .at = at};
		struct clock clk = {held_now, &k};
		struct pipeline_opts co = {.format = STAMP_BSD,
		    .host = "h",
		    .tag = "t",
		    .max_entry = 1024,
		    .flush_timeout = 100,
		    .clock = &clk};
		FILE *sink = tmpfile();
		struct pipeline *p;
		struct output *o;
		struct sink out;
		int fds[2];

		assert_non_null(sink);
		assert_int_equal(pipe(fds), 0);
		k.fd = fds[1];
		assert_int_equal(write(fds[1],
		                     "[17/Jun/2011 17:00:45] an entry\n", 32),
		    32);
		assert_non_null(o = output_new_fd(fileno(sink), 0));
		output_sink(o, &out);
		assert_non_null(p = pipeline_new(&co, &out));
		pipeline_input(p, fds[0], 0, 0, 0);
		assert_int_equal(pipeline_run(p, &sig), OUTCOME_EOF);
		pipeline_free(p);
		output_free(o);
		if (k.fd >= 0)
			close(k.fd);
		close(fds[0]);
		if (strcmp(sink_text(sink),
		        "Jun 17 17:00:45 h t: an entry and its continuation\n") !=
		    0)
			fail_msg("held at clock read %d: %s", at, text);
		fclose(sink);
	}
}

/*
 * A replay's surplus: pipeline_take stops after the line with which the
 * sink's skip is all converted, before anything new is, so that the
 * caller can judge what follows by a time of its own; a replayed flush
 * reached by that line waits for the next take. Judged at a pinned time
 * (none: nothing is late), not by the wall clock.
 */
static void
test_pipeline_take_stops_where_skip_ends(void **unused)
{
	struct rig g;
	/* 10:00:00 of that day in Prague (+01:00) */
	const int64_t at = (int64_t)1796634000 * 1000;
	struct pipeline_opts co = {.format = STAMP_BSD,
	    .host = "h",
	    .tag = "kerio",
	    .max_entry = 16384,
	    .flush_timeout = 1000,
	    .clock = &pinned,
	    .late_ms = 60000,
	    .wall = &wall};
	const char *in = "[07/Dec/2026 10:00:00] one\n"
	                 "[07/Dec/2026 10:00:00] two\n"
	                 "[07/Dec/2026 10:00:00] three\n"
	                 "[07/Dec/2026 10:00:00] four\n";
	const char *got;

	(void)unused;
	setenv("TZ", "Europe/Prague", 1);
	tzset();
	/* By the wall clock, every entry would be late. */
	wall_ms = at + 3600000;
	for (int flush = 0; flush <= 1; flush++) {
		fake_now = 5000;
		g.in = file_with(in);
		assert_non_null(g.out = tmpfile());
		assert_non_null(g.o = output_new_fd(fileno(g.out), 0));
		output_sink(g.o, &g.s);
		assert_non_null(g.p = pipeline_new(&co, &g.s));
		pipeline_input(g.p, fileno(g.in), 0, 0, 0);
		/* The run replayed wrote "one" and "two", judged at 10:00:30;
		 * with flush, "three" left by the flush timeout (its record
		 * at its end), as the replay's third line reaches it. */
		pipeline_judge_at(g.p, 1, at + 30000);
		sink_skip(&g.s,
		    2 * (long)strlen("Dec  7 10:00:00 h kerio: one\n"));
		if (flush)
			pipeline_replay_flush(g.p, 2 * 27 + 29);
		while (pipeline_fill(g.p, &got) > 0)
			;
		assert_int_equal(pipeline_take(g.p, 0), OUTCOME_PROGRESS);
		/* Stopped where "three" begins, nothing new converted. */
		assert_int_equal(pipeline_position(g.p), 2 * 27);
		assert_int_equal(sink_skip_owed(&g.s), 0);
		assert_int_equal(pipeline_flush_at(g.p),
		    flush ? 2 * 27 + 29 : -1);
		pipeline_judge_at(g.p, 1, at + 61000);
		assert_int_equal(pipeline_take(g.p, 0), OUTCOME_PROGRESS);
		pipeline_judge_at(g.p, 0, 0);
		pipeline_end(g.p);
		assert_string_equal(rig_text(&g),
		    "Dec  7 10:00:00 h kerio: [late] three\n"
		    "Dec  7 10:00:00 h kerio: four\n");
		rig_close(&g);
	}
	wall_ms = 0;
	unsetenv("TZ");
	tzset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_convert_bsd_lines),
	    cmocka_unit_test(test_convert_rfc3339_lines),
	    cmocka_unit_test(test_convert_late_mark),
	    cmocka_unit_test(test_convert_late_repeated_hour),
	    cmocka_unit_test(test_convert_escapes_after_cut),
	    cmocka_unit_test(test_convert_message_longer_than_buffer),
	    cmocka_unit_test(test_convert_selection),
	    cmocka_unit_test(test_convert_orphans_and_empty_input),
	    cmocka_unit_test(test_pipeline_flush_rule_pinned_clock),
	    cmocka_unit_test(test_pipeline_flush_judged_at_the_look),
	    cmocka_unit_test(test_pipeline_unfinished_line_not_due),
	    cmocka_unit_test(test_pipeline_position_stamp_resume),
	    cmocka_unit_test(test_pipeline_replay_flush),
	    cmocka_unit_test(test_pipeline_take_stops_where_skip_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
