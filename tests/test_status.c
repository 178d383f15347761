/* Unit tests for status: the verdict table, the bytes behind, and the
 * observation of real files (saved state, appended, rotated, truncated,
 * output rotated), and the text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

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

/* An observation where the state fits FILE (100 bytes, position 60) and
 * the output (500 bytes committed, 520 now). */
static void
fitting(struct status_obs *o)
{
	memset(o, 0, sizeof(*o));
	o->loaded = STATE_OK;
	o->s.have_input = 1;
	o->s.in_dev = 1;
	o->s.in_ino = 10;
	o->s.pos = 60;
	o->s.have_out = 1;
	o->s.out_dev = 1;
	o->s.out_ino = 20;
	o->s.out_size = 500;
	o->start.have_state = 1;
	o->start.path_exists = 1;
	o->start.path_is_saved = 1;
	o->start.path_fits = 1;
	o->path_size = 100;
	o->have_out_path = 1;
	o->out_exists = 1;
	o->out_dev = 1;
	o->out_ino = 20;
	o->out_size = 520;
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
		status_decide(&o, &r);
		assert_int_equal(r.verdict, t[i].verdict);
		assert_int_equal(status_exit(r.verdict), t[i].exit);
	}
}

static void
test_status_input_table(void **unused)
{
	/* What is seen of FILE against the state (position 60), and what
	 * follows: where follow mode would start, the verdict, the bytes
	 * behind. */
	static const struct {
		const char *name;
		int have_input, exists, is_saved, fits, rotated, rot_fits;
		off_t size, rot_size;
		enum status_start start;
		enum status_verdict verdict;
		off_t behind;
	} t[] = {
	    {"fits", 1, 1, 1, 1, 0, 0, 100, 0, STATUS_START_RESUME,
	        STATUS_RESUMES, 40},
	    {"rotated: the old file's rest and all the new", 1, 1, 0, 0, 1, 1,
	        7, 90, STATUS_START_ROTATED, STATUS_MOVED, 30 + 7},
	    {"rotated, no new file yet", 1, 0, 0, 0, 1, 1, 0, 90,
	        STATUS_START_ROTATED, STATUS_MOVED, 30},
	    {"truncated or rewritten: all of it again", 1, 1, 1, 0, 0, 0, 30, 0,
	        STATUS_START_TRUNCATED, STATUS_MOVED, 30},
	    {"another file, the saved one gone", 1, 1, 0, 0, 0, 0, 100, 0,
	        STATUS_START_BEGIN, STATUS_MOVED, 100},
	    {"rotated file rewritten", 1, 1, 0, 0, 1, 0, 100, 90,
	        STATUS_START_BEGIN, STATUS_MOVED, 100},
	    {"FILE missing", 1, 0, 0, 0, 0, 0, 0, 0, STATUS_START_WAIT,
	        STATUS_MOVED, -1},
	    {"saved while waiting, FILE there now: from its start", 0, 1, 0, 0,
	        0, 0, 100, 0, STATUS_START_BEGIN, STATUS_WAITING, 100},
	};
	struct status_obs o;
	struct status_report r;

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fitting(&o);
		o.s.have_input = t[i].have_input;
		o.start.have_state = t[i].have_input;
		/* As status_observe() sets it, like the follower does. */
		o.start.from_start = !t[i].have_input;
		o.start.path_exists = t[i].exists;
		o.start.path_is_saved = t[i].is_saved;
		o.start.path_fits = t[i].fits;
		o.start.found_rotated = t[i].rotated;
		o.start.rotated_fits = t[i].rot_fits;
		o.path_size = t[i].size;
		o.rotated_size = t[i].rot_size;
		status_decide(&o, &r);
		if (r.start != t[i].start || r.verdict != t[i].verdict ||
		    r.behind != t[i].behind)
			fail_msg("%s: start %d verdict %d behind %jd",
			    t[i].name, (int)r.start, (int)r.verdict,
			    (intmax_t)r.behind);
		assert_int_equal(status_exit(r.verdict),
		    t[i].verdict == STATUS_RESUMES ? 0 : 1);
	}
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
		o.out_ino = t[i].ino;
		o.out_size = t[i].size;
		status_decide(&o, &r);
		if (r.out_moved != t[i].moved ||
		    r.verdict != (t[i].moved ? STATUS_MOVED : STATUS_RESUMES))
			fail_msg("%s: moved %d verdict %d", t[i].name,
			    r.out_moved, (int)r.verdict);
	}
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
	s.in_dev = sb.st_dev;
	s.in_ino = sb.st_ino;
	s.pos = pos;
	assert_int_equal(state_hash_fd(fd, pos, &s.hash, &s.hash_len), 0);
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
	status_observe(path("state"), in, out, o);
	status_decide(o, r);
}

static void
test_status_real_files(void **unused)
{
	char in[256], out[256], rot[256];
	struct status_obs o;
	struct status_report r;

	(void)unused;
	snprintf(in, sizeof(in), "%s", path("security.log"));
	snprintf(out, sizeof(out), "%s", path("out.log"));
	snprintf(rot, sizeof(rot), "%s", path("security.log.1"));

	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_NO_STATE);

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
	assert_int_equal(r.start, STATUS_START_ROTATED);
	assert_string_equal(o.rotated, rot);
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

	/* Damaged state file. */
	append(path("state"), "garbage\n");
	observe(in, out, &o, &r);
	assert_int_equal(r.verdict, STATUS_BAD);
}

static void
test_status_text(void **unused)
{
	struct status_obs o;
	struct status_report r;
	char buf[2048], small[40];
	size_t n;

	(void)unused;
	fitting(&o);
	o.s.have_stamp = 1;
	o.s.stamp = (struct stamp){2011, 6, 17, 17, 0, 45};
	status_decide(&o, &r);
	n = status_format(&o, &r, "/st", "/in.log", "/out.log", buf,
	    sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, "status:     ok:"));
	assert_non_null(strstr(buf, "state:      /st, saved "));
	assert_non_null(
	    strstr(buf, "input:      /in.log (device 0, inode 0)\n"));
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

	o.loaded = STATE_TORN;
	status_decide(&o, &r);
	status_format(&o, &r, "/st", "/in.log", NULL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "state:      /st: damaged"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_state_file_table),
	    cmocka_unit_test(test_status_input_table),
	    cmocka_unit_test(test_status_output_table),
	    cmocka_unit_test(test_status_real_files),
	    cmocka_unit_test(test_status_text),
	};

	return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
