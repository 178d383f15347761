/* Unit tests for status: the verdict table, the bytes behind, and the
 * observation of real files (saved state, appended, rotated, truncated,
 * output rotated), and the text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "commit.h"
#include "host.h"
#include "status.h"
#include "unit_files.h"

/* dir/name, in one of two buffers so two paths can be used at once. */
static char *
path(const char *name)
{
	static char p[2][256];
	static int i;

	i = !i;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void
append(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);
	size_t n = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
}

/* The bound the tables use, ms. */
#define STALL 8000

/* An observation where a follower runs and the state fits FILE (100
 * bytes, position 60, saved and written just now) and the output (500
 * bytes committed, 520 now). */
static void
fitting(struct status_obs *o)
{
	memset(o, 0, sizeof(*o));
	o->loaded = STATE_OK;
	o->s.have_input = 1;
	o->s.in.dev = 1;
	o->s.in.ino = 10;
	o->s.pos = 60;
	o->s.have_out = 1;
	o->s.out_dev = 1;
	o->s.out_ino = 20;
	o->s.out_size = 500;
	o->now_ms = 1000000;
	o->saved_ms = o->now_ms;
	o->input_ms = o->now_ms;
	o->running = 1;
	o->have_path = 1;
	o->start = ROTATION_START_PICK;
	o->n = 1;
	o->files[0] = (struct rotation_file){.is_path = 1,
	    .dev = 1,
	    .ino = 10,
	    .size = 100,
	    .is_saved = 1,
	    .fits = 1};
	o->pick.at = 0;
	o->pick.resume = 1;
	o->have_out_path = 1;
	o->out_exists = 1;
	o->out = (struct sink_id){1, 20, 520};
}

static void
test_status_state_file_table(void **unused)
{
	static const struct {
		enum state_status loaded;
		enum status_verdict verdict;
		int exit;
	} t[] = {
	    {STATE_ABSENT, STATUS_NO_STATE, EX_NOINPUT},
	    {STATE_FOREIGN, STATUS_BAD, EX_DATAERR},
	    {STATE_TORN, STATUS_BAD, EX_DATAERR},
	    {STATE_ERROR, STATUS_ERROR, EX_IOERR},
	    {STATE_OK, STATUS_RESUMES, 0},
	};
	struct status_obs o;
	struct status_report r;

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fitting(&o);
		o.loaded = t[i].loaded;
		status_decide(&o, STALL, &r);
		assert_int_equal(r.verdict, t[i].verdict);
		assert_int_equal(status_exit(r.verdict), t[i].exit);
	}
}

static void
test_status_input_table(void **unused)
{
	/* Follow mode's start decision and pick among FILE's files (the
	 * saved position 60), and what follows: the verdict, the bytes
	 * behind (what a start reads up to the end, compressed files
	 * passed over). */
	static const struct {
		const char *name;
		int have_input;
		enum rotation_start start;
		long at;
		int resume;
		size_t n;
		off_t size[3]; /* oldest first; the last is FILE if path */
		int path, compressed;
		enum status_verdict verdict;
		off_t behind;
	} t[] = {
	    {"fits", 1, ROTATION_START_PICK, 0, 1, 1, {100}, 1, -1,
	        STATUS_RESUMES, 40},
	    {"rotated: the old file's rest and all the new", 1,
	        ROTATION_START_PICK, 0, 1, 2, {90, 7}, 1, -1, STATUS_MOVED,
	        30 + 7},
	    {"rotated, no new file yet", 1, ROTATION_START_PICK, 0, 1, 1, {90},
	        0, -1, STATUS_MOVED, 30},
	    {"rotated, a compressed file passed over", 1, ROTATION_START_PICK,
	        0, 1, 3, {90, 50, 7}, 1, 1, STATUS_MOVED, 30 + 7},
	    {"truncated or rewritten: all of it again", 1, ROTATION_START_PICK,
	        0, 0, 1, {30}, 1, -1, STATUS_MOVED, 30},
	    {"the saved file nowhere, FILE missing", 1, ROTATION_START_PICK, -1,
	        0, 0, {0}, 0, -1, STATUS_MOVED, -1},
	    {"FILE missing", 1, ROTATION_START_WAIT, -1, 0, 0, {0}, 0, -1,
	        STATUS_MOVED, -1},
	    {"saved while waiting, FILE there now: from its start", 0,
	        ROTATION_START_BEGIN, -1, 0, 1, {100}, 1, -1, STATUS_WAITING,
	        100},
	};
	struct status_obs o;
	struct status_report r;

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fitting(&o);
		o.s.have_input = t[i].have_input;
		o.start = t[i].start;
		o.pick.at = t[i].at;
		o.pick.resume = t[i].resume;
		o.n = t[i].n;
		for (size_t k = 0; k < t[i].n; k++)
			o.files[k] =
			    (struct rotation_file){.size = t[i].size[k],
			        .is_path = t[i].path && k == t[i].n - 1,
			        .age.compressed = (int)k == t[i].compressed};
		status_decide(&o, STALL, &r);
		if (r.verdict != t[i].verdict || r.behind != t[i].behind)
			fail_msg("%s: verdict %d behind %jd", t[i].name,
			    (int)r.verdict, (intmax_t)r.behind);
		assert_int_equal(status_exit(r.verdict),
		    t[i].verdict == STATUS_RESUMES ? 0 : 1);
	}
}

static void
test_status_follower_table(void **unused)
{
	/* Whether a follower runs, and how long the position and the input
	 * stood still (s): not running, stalled, or a second look. */
	static const struct {
		const char *name;
		int running;
		off_t pos;
		int64_t saved, input, first; /* s ago; first: 0 none */
		int first_same;              /* position unmoved since */
		enum status_verdict verdict;
		int again;
	} t[] = {
	    {"nobody holds the lock", 0, 60, 0, 0, 0, 0, STATUS_NOT_RUNNING, 0},
	    {"nobody, caught up", 0, 100, 60, 60, 0, 0, STATUS_NOT_RUNNING, 0},
	    {"running, caught up long ago", 1, 100, 600, 600, 0, 0,
	        STATUS_RESUMES, 0},
	    {"running, bytes new, position moving", 1, 60, 1, 1, 0, 0,
	        STATUS_RESUMES, 0},
	    {"stopped: bytes and position old", 1, 60, 600, 20, 0, 0,
	        STATUS_STALLED, 0},
	    {"cannot tell: as running", -1, 60, 600, 20, 0, 0, STATUS_STALLED,
	        0},
	    {"bytes new, position old: look again", 1, 60, 600, 1, 0, 0,
	        STATUS_RESUMES, 1},
	    {"second look, position unmoved", 1, 60, 608, 1, 8, 1,
	        STATUS_STALLED, 0},
	    {"second look, position moved", 1, 60, 1, 1, 8, 0, STATUS_RESUMES,
	        0},
	};
	struct status_obs o;
	struct status_report r;

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fitting(&o);
		o.running = t[i].running;
		o.s.pos = t[i].pos;
		o.saved_ms = o.now_ms - t[i].saved * 1000;
		o.input_ms = o.now_ms - t[i].input * 1000;
		if (t[i].first > 0) {
			o.first_ms = o.now_ms - t[i].first * 1000;
			o.first_saved_ms =
			    t[i].first_same ? o.saved_ms : o.saved_ms - 1;
		}
		status_decide(&o, STALL, &r);
		if (r.verdict != t[i].verdict || (r.again_ms > 0) != t[i].again)
			fail_msg("%s: verdict %d again %jd", t[i].name,
			    (int)r.verdict, (intmax_t)r.again_ms);
	}
	assert_int_equal(status_exit(STATUS_STALLED), 2);
	assert_int_equal(status_exit(STATUS_NOT_RUNNING), 3);
	assert_int_equal(status_stall_ms(1000),
	    1000 + ROTATION_TICK_MS + COMMIT_INTERVAL_MS +
	        STATUS_STALL_MARGIN_MS);
}

static void
test_status_output_table(void **unused)
{
	/* The output against the state (inode 20, 500 bytes committed). */
	static const struct {
		const char *name;
		int have_path, exists;
		ino_t ino;
		off_t size;
		int moved;
	} t[] = {
	    {"grown", 1, 1, 20, 520, 0},
	    {"equal: caught up", 1, 1, 20, 500, 0},
	    {"rotated, not reopened", 1, 1, 21, 520, 1},
	    {"shorter than committed", 1, 1, 20, 499, 1},
	    {"missing", 1, 0, 0, 0, 1},
	    {"not named: only the input is judged", 0, 0, 0, 0, 0},
	};
	struct status_obs o;
	struct status_report r;

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fitting(&o);
		o.have_out_path = t[i].have_path;
		o.out_exists = t[i].exists;
		o.out.ino = t[i].ino;
		o.out.size = t[i].size;
		status_decide(&o, STALL, &r);
		if (r.out_moved != t[i].moved ||
		    r.verdict != (t[i].moved ? STATUS_MOVED : STATUS_RESUMES))
			fail_msg("%s: moved %d verdict %d", t[i].name,
			    r.out_moved, (int)r.verdict);
	}
	/* The journal, unreadable: not judged. */
	fitting(&o);
	o.out_journal = 1;
	status_observe_journal(&o, NULL, ENOENT);
	status_decide(&o, STALL, &r);
	assert_int_equal(r.out_moved, 0);
	/* The journal as the commit reads it back: grown. */
	status_observe_journal(&o, &(struct sink_id){1, 20, 501}, 0);
	status_decide(&o, STALL, &r);
	assert_int_equal(r.verdict, STATUS_RESUMES);
}

/* Saves a state at position pos of in, with out's identity and size. */
static void
save_at(const char *in, off_t pos, const char *out)
{
	struct state s;
	struct stat sb;
	int fd = open(in, O_RDONLY);

	assert_true(fd >= 0);
	memset(&s, 0, sizeof(s));
	s.flush_at = -1;
	assert_int_equal(fstat(fd, &sb), 0);
	s.have_input = 1;
	s.in.dev = sb.st_dev;
	s.in.ino = sb.st_ino;
	s.pos = pos;
	assert_int_equal(state_hash_fd(fd, pos, &s.in.hash, &s.in.hash_len), 0);
	close(fd);
	s.have_stamp = 1;
	s.stamp = (struct stamp){2011, 6, 17, 17, 0, 45};
	assert_int_equal(stat(out, &sb), 0);
	s.have_out = 1;
	s.out_dev = sb.st_dev;
	s.out_ino = sb.st_ino;
	s.out_size = sb.st_size;
	assert_int_equal(state_save(path("state"), &s), 0);
}

static void
observe(const char *in, const char *out, struct status_obs *o,
    struct status_report *r)
{
	status_observe(path("state"), in, out, 0, &clock_wall, o);
	status_decide(o, STALL, r);
}

static void
test_status_real_files(void **unused)
{
	char in[256], out[256], rot[256];
	static struct status_obs o;
	struct status_report r;
	long holder;
	int lock;

	(void)unused;
	snprintf(in, sizeof(in), "%s", path("security.log"));
	snprintf(out, sizeof(out), "%s", path("out.log"));
	snprintf(rot, sizeof(rot), "%s", path("security.log.1"));

	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_NO_STATE);
	/* A follower runs (holds the lock). */
	lock = state_lock(path("state"), 0, &holder);
	assert_true(lock >= 0);

	append(in, "[17/Jun/2011 17:00:45] first\n");
	append(out, "Jun 17 17:00:45 mail kerio: first\n");
	save_at(in, 29, out);
	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_RESUMES);
	assert_int_equal(r.behind, 0);
	assert_int_equal(o.s.stamp.year, 2011);

	append(in, "[17/Jun/2011 17:00:46] second\n");
	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_RESUMES);
	assert_int_equal(r.behind, 30);

	/* Rotated by rename; a new file holds one more line. */
	assert_int_equal(rename(in, rot), 0);
	append(in, "[17/Jun/2011 17:00:47] third\n");
	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_MOVED);
	assert_int_equal(o.start, ROTATION_START_PICK);
	assert_true(o.pick.at >= 0 && o.pick.resume);
	assert_string_equal(o.files[o.pick.at].name, "security.log.1");
	assert_int_equal(r.behind, 30 + 29);

	/* The rotated file rewritten before the position: not resumed. */
	unlink(rot);
	unlink(in);
	append(in, "[17/Jun/2011 17:00:48] fourth\n");
	save_at(in, 30, out);
	unlink(in);
	append(in, "[17/Jun/2011 17:00:49] fifth and longer\n");
	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_MOVED);

	/* The output renamed away (logrotate) and not reopened. */
	save_at(in, 10, out);
	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_RESUMES);
	assert_int_equal(rename(out, path("out.log.1")), 0);
	append(out, "");
	observe(in, out, &o, &r);
	assert_true(r.out_moved);
	assert_int_equal(r.verdict, STATUS_MOVED);

	/* Saved while waiting for FILE: all of FILE is behind. */
	{
		struct state w;

		memset(&w, 0, sizeof(w));
		w.flush_at = -1;
		assert_int_equal(state_save(path("state"), &w), 0);
		observe(in, out, &o, &r);
		assert_int_equal(r.verdict, STATUS_WAITING);
		assert_int_equal(r.behind, 40);
	}

	/* Nobody holds the lock now. */
	close(lock);
	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_NOT_RUNNING);
	assert_int_equal(o.running, 0);

	/* Damaged state file. */
	append(path("state"), "garbage\n");
	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_BAD);
}

static void
test_status_text(void **unused)
{
	static struct status_obs o;
	struct status_report r;
	char buf[4096], small[40];
	size_t n;

	(void)unused;
	fitting(&o);
	o.s.have_stamp = 1;
	o.s.stamp = (struct stamp){2011, 6, 17, 17, 0, 45};
	o.holder = 4242;
	status_decide(&o, STALL, &r);
	n = status_format(&o, &r, "/st", "/in.log", "/out.log", buf,
	    sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, "status:     ok:"));
	assert_non_null(strstr(buf, "follower:   running (process 4242)\n"));
	assert_non_null(
	    strstr(buf, "start:      resuming at the saved position\n"));
	assert_non_null(strstr(buf, "state:      /st, saved "));
	assert_non_null(
	    strstr(buf, "input:      /in.log (device 1, inode 10)\n"));
	assert_non_null(strstr(buf, "position:   60 of 100 bytes\n"));
	assert_non_null(strstr(buf, "behind:     40 bytes\n"));
	assert_non_null(
	    strstr(buf, "last entry: 2011-06-17 17:00:45 (Kerio's clock)\n"));
	assert_non_null(strstr(buf,
	    "output:     /out.log (device 1, inode 20), 500 bytes committed,"
	    " 520 now\n"));

	/* Cut, never overrun. */
	memset(small, 'x', sizeof(small));
	n = status_format(&o, &r, "/st", "/in.log", "/out.log", small,
	    sizeof(small) - 8);
	assert_int_equal(n, strlen(small));
	assert_int_equal(n, sizeof(small) - 9);
	assert_int_equal(small[sizeof(small) - 1], 'x');
	assert_int_equal(small[sizeof(small) - 8], 'x');

	/* Stalled: the bytes, the time, the bound. */
	o.saved_ms = o.input_ms = o.now_ms - 20000;
	status_decide(&o, STALL, &r);
	status_format(&o, &r, "/st", "/in.log", "/out.log", buf, sizeof(buf));
	assert_non_null(strstr(buf,
	    "status:     stalled: 40 bytes wait unread and the position has"
	    " not moved for 20 s (follow mode needs 8 s at most)\n"));
	o.running = 0;
	snprintf(o.lock, sizeof(o.lock), "/st.lock");
	status_decide(&o, STALL, &r);
	status_format(&o, &r, "/st", "/in.log", "/out.log", buf, sizeof(buf));
	assert_non_null(strstr(buf,
	    "status:     not running: no process holds the state file's lock"
	    " /st.lock\n"));
	assert_non_null(strstr(buf, "follower:   not running\n"));

	o.loaded = STATE_TORN;
	status_decide(&o, STALL, &r);
	status_format(&o, &r, "/st", "/in.log", NULL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "state:      /st: damaged"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_state_file_table),
	    cmocka_unit_test(test_status_input_table),
	    cmocka_unit_test(test_status_follower_table),
	    cmocka_unit_test(test_status_output_table),
	    cmocka_unit_test(test_status_real_files),
	    cmocka_unit_test(test_status_text),
	};

	return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
