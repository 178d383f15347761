/* Unit tests for state: round trip, atomic replace, torn and foreign
 * files rejected. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "unit_files.h"

static char *
path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
put(const char *p, const char *text, size_t n)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
}

/* A state file's text: body, then its checksum line, into text. */
static void
with_sum(const char *body, char *text, size_t cap)
{
	snprintf(text, cap, "%ssum %016llx\n", body,
	    (unsigned long long)state_hash(body, strlen(body)));
}

static void
sample(struct state *s)
{
	memset(s, 0, sizeof(*s));
	s->have_input = 1;
	s->in.dev = 2049;
	s->in.ino = 1234567;
	s->pos = 987654321012LL;
	s->in.hash_len = 256;
	s->in.hash = 0xfedcba9876543210ULL;
	s->flush_at = 987654321099LL;
	s->have_stamp = 1;
	s->stamp = (struct stamp){2024, 2, 29, 23, 59, 60};
	s->have_out = 1;
	s->out_dev = 2050;
	s->out_ino = 42;
	s->out_size = 5000000000LL;
	s->out_skip = 4000000000LL;
	s->have_options = 1;
	s->options = 0x0123456789abcdefULL;
}

static void
test_state_round_trip(void **unused)
{
	struct state a, b;

	(void)unused;
	sample(&a);
	assert_int_equal(state_save(path("st"), &a), 0);
	assert_int_equal(state_load(path("st"), &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	/* No temporary file is left beside it. */
	assert_int_equal(access(path("st.tmp"), F_OK), -1);
}

static void
test_state_round_trip_empty(void **unused)
{
	struct state a, b;

	(void)unused;
	memset(&a, 0, sizeof(a));
	a.flush_at = -1;
	assert_int_equal(state_save(path("empty"), &a), 0);
	assert_int_equal(state_load(path("empty"), &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void
test_state_save_replaces_whole(void **unused)
{
	struct state a, b;

	(void)unused;
	sample(&a);
	assert_int_equal(state_save(path("re"), &a), 0);
	a.pos = 7;
	a.in.hash_len = 7;
	assert_int_equal(state_save(path("re"), &a), 0);
	assert_int_equal(state_load(path("re"), &b), STATE_OK);
	assert_int_equal(b.pos, 7);
}

static void
test_state_absent(void **unused)
{
	struct state b;

	(void)unused;
	assert_int_equal(state_load(path("nothing"), &b), STATE_ABSENT);
	assert_int_equal(b.have_input, 0);
}

static void
test_state_torn_at_every_length(void **unused)
{
	char text[1024];
	struct state a, b;
	size_t n;

	(void)unused;
	sample(&a);
	n = state_format(&a, text, sizeof(text));
	assert_true(n > 0);
	/* Every prefix of a good file is rejected, none half believed. */
	for (size_t k = 0; k < n; k++) {
		enum state_status st = state_parse(text, k, &b);

		assert_true(st == STATE_TORN || st == STATE_FOREIGN);
		assert_int_equal(b.have_input, 0);
		assert_int_equal(b.have_out, 0);
	}
	assert_int_equal(state_parse(text, n, &b), STATE_OK);
	put(path("torn"), text, n - 10);
	assert_int_equal(state_load(path("torn"), &b), STATE_TORN);
}

static void
test_state_damaged_byte_rejected(void **unused)
{
	char text[1024];
	struct state a, b;
	size_t n;

	(void)unused;
	sample(&a);
	n = state_format(&a, text, sizeof(text));
	/* A digit changed in the offset: the checksum no longer fits. */
	for (size_t k = 0; k + 1 < n; k++) {
		if (text[k] == '9') {
			text[k] = '8';
			break;
		}
	}
	assert_int_equal(state_parse(text, n, &b), STATE_TORN);
}

static void
test_state_foreign_rejected(void **unused)
{
	static const char *foreign[] = {
	    "",
	    "{\"pos\": 12}\n",
	    "kerio2syslog-statefile 1\n",
	    "kerio2syslog-state 4\ninput 0 0 0 0 0 0\nsum 0\n",
	    "\177ELF\002\001\001",
	};
	struct state b;

	(void)unused;
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		assert_int_equal(state_parse(foreign[i], strlen(foreign[i]),
		                     &b),
		    STATE_FOREIGN);
	put(path("foreign"), "{\"pos\": 12}\n", 12);
	assert_int_equal(state_load(path("foreign"), &b), STATE_FOREIGN);
	assert_non_null(strstr(state_status_text(STATE_FOREIGN), "not a"));
	assert_non_null(strstr(state_status_text(STATE_TORN), "checksum"));
}

static void
test_state_checksum_right_values_wrong(void **unused)
{
	char text[2048];
	struct state b;

	(void)unused;
	/* A well-formed file with an impossible stamp is still refused. */
	with_sum("kerio2syslog-state 1\ninput 1 1 1 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 13 1 0 0 0\noutput 0 0 0 0\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_TORN);
}

/*
 * One rule for the year: every stamp the parser accepts is saved and
 * taken back, and a year it refuses is refused in the state too.
 */
static void
test_state_year_range_as_stamp(void **unused)
{
	static const struct {
		const char *text;
		int valid;
	} t[] = {
	    {"[01/Jan/0001 00:00:00]", 1},
	    {"[29/Feb/0004 12:00:00]", 1},
	    {"[31/Dec/0999 23:59:59]", 1},
	    {"[01/Jan/1000 00:00:00]", 1},
	    {"[31/Dec/9999 23:59:60]", 1},
	    {"[01/Jan/0000 00:00:00]", 0},
	    {"[29/Feb/0100 00:00:00]", 0},
	};
	struct state a, b;
	struct stamp st;

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum stamp_result r = stamp_parse(t[i].text, 22, &st);

		assert_int_equal(r, t[i].valid ? STAMP_VALID : STAMP_BAD);
		assert_int_equal(stamp_valid(&st), t[i].valid);
		sample(&a);
		a.stamp = st;
		assert_int_equal(state_save(path("year"), &a), 0);
		assert_int_equal(state_load(path("year"), &b),
		    t[i].valid ? STATE_OK : STATE_TORN);
		if (t[i].valid)
			assert_memory_equal(&a, &b, sizeof(a));
	}
	/* Out of the four digits' reach. */
	sample(&a);
	a.stamp.year = 10000;
	assert_int_equal(state_save(path("year"), &a), 0);
	assert_int_equal(state_load(path("year"), &b), STATE_TORN);
}

/* A second lock of the same state is refused and names the holder. */
static void
test_state_lock_once(void **unused)
{
	long holder = -1;
	int a, b;

	(void)unused;
	a = state_lock(path("locked"), 0, &holder);
	assert_true(a >= 0);
	assert_int_equal(holder, 0);
	b = state_lock(path("locked"), 0, &holder);
	assert_int_equal(b, -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal(holder, (long)getpid());
	close(a);
	b = state_lock(path("locked"), 0, &holder);
	assert_true(b >= 0);
	close(b);
}

/* A symbolic link to a state file names its lock, not another. */
static void
test_state_lock_through_link(void **unused)
{
	char name[512];
	long holder = -1;
	int a, b;

	(void)unused;
	assert_int_equal(symlink("linked", path("link")), 0);
	a = state_lock(path("linked"), 0, &holder);
	assert_true(a >= 0);
	b = state_lock(path("link"), 0, &holder);
	assert_int_equal(b, -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal(state_lock_name(path("link"), name, sizeof(name)), 0);
	assert_string_equal(strrchr(name, '/'), "/linked.lock");
	close(a);
}

/*
 * The holder makes its deleted lock file again; one that another process
 * took is lost; state_lock_held tells who holds it.
 */
static void
test_state_lock_kept(void **unused)
{
	long holder = -1;
	int a, b, fd;

	(void)unused;
	a = state_lock(path("kept"), 0, &holder);
	assert_true(a >= 0);
	assert_int_equal(state_lock_held(path("kept"), &holder), 1);
	assert_int_equal(holder, (long)getpid());
	assert_int_equal(unlink(path("kept.lock")), 0);
	assert_int_equal(state_lock_held(path("kept"), &holder), 0);
	assert_int_equal(state_lock_keep(&a, path("kept"), &holder), 0);
	assert_int_equal(access(path("kept.lock"), F_OK), 0);
	assert_int_equal(state_lock_held(path("kept"), &holder), 1);
	/* Taken by another (another descriptor, as another process). */
	assert_int_equal(unlink(path("kept.lock")), 0);
	fd = open(path("kept.lock"), O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	b = a;
	assert_int_equal(state_lock_keep(&b, path("kept"), &holder), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
	close(a);
	assert_int_equal(state_lock_held(path("kept"), &holder), 0);
}

/*
 * The temporary file is made anew: a link planted there is removed, not
 * followed (the file it names stays whole), a crash's leftover too.
 */
static void
test_state_save_tmp_never_followed(void **unused)
{
	struct state a, b;
	char victim[256], text[16];
	struct stat sb;
	int fd;

	(void)unused;
	snprintf(victim, sizeof(victim), "%s", path("victim"));
	put(victim, "precious\n", 9);
	assert_int_equal(symlink(victim, path("pl.tmp")), 0);
	sample(&a);
	assert_int_equal(state_save(path("pl"), &a), 0);
	fd = open(victim, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, text, sizeof(text)), 9);
	close(fd);
	assert_memory_equal(text, "precious\n", 9);
	assert_int_equal(lstat(path("pl"), &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(state_load(path("pl"), &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	/* A whole file left by a crash before the rename. */
	put(path("pl.tmp"), "kerio2syslog-state 1\nleft", 25);
	a.pos = 3;
	a.in.hash_len = 3;
	assert_int_equal(state_save(path("pl"), &a), 0);
	assert_int_equal(state_load(path("pl"), &b), STATE_OK);
	assert_int_equal(b.pos, 3);
}

/* A version 1 file (before skip and options) is still taken. */
static void
test_state_version_1_read(void **unused)
{
	char text[2048];
	struct state b;

	(void)unused;
	with_sum("kerio2syslog-state 1\ninput 1 1 2 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 12 1 0 0 0\noutput 1 3 4 77\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_OK);
	assert_int_equal(b.have_input, 1);
	assert_int_equal(b.in.dev, 1);
	assert_int_equal(b.in.ino, 2);
	assert_int_equal(b.pos, 10);
	assert_int_equal(b.in.hash_len, 10);
	assert_int_equal(b.in.hash, 1);
	assert_int_equal(b.flush_at, -1);
	assert_int_equal(b.have_stamp, 1);
	assert_int_equal(b.stamp.year, 2024);
	assert_int_equal(b.stamp.mon, 12);
	assert_int_equal(b.stamp.mday, 1);
	assert_int_equal(b.have_out, 1);
	assert_int_equal(b.out_dev, 3);
	assert_int_equal(b.out_ino, 4);
	assert_int_equal(b.out_size, 77);
	assert_int_equal(b.out_skip, 0);
	assert_int_equal(b.have_options, 0);
	assert_int_equal(b.have_prev, 0);
	assert_int_equal(b.have_seen, 0);
	assert_int_equal(b.have_wall, 0);
	/* The lines of version 2 in a version 1 file: not that file. */
	with_sum("kerio2syslog-state 1\ninput 1 1 2 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 12 1 0 0 0\noutput 1 3 4 77\n"
	         "skip 0\noptions 0 0000000000000000\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_TORN);
	/* So is the prev line, which came with version 2. */
	with_sum("kerio2syslog-state 1\ninput 1 1 2 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 12 1 0 0 0\noutput 1 3 4 77\n"
	         "prev 1 5 0 0000000000000000\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_TORN);
	/* A negative size or skip is refused. */
	with_sum("kerio2syslog-state 2\ninput 1 1 2 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 12 1 0 0 0\noutput 1 3 4 77\n"
	         "skip -1\noptions 0 0000000000000000\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_TORN);
	with_sum("kerio2syslog-state 2\ninput 1 1 2 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 12 1 0 0 0\noutput 1 3 4 -5\n"
	         "skip 0\noptions 0 0000000000000000\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_TORN);
}

/* A version 2 file (before the files seen) is still taken: what it does
 * not say is not known (have_seen 0), and the seen lines are refused in
 * it. */
static void
test_state_version_2_read(void **unused)
{
	char text[2048];
	struct state b;

	(void)unused;
	with_sum("kerio2syslog-state 2\ninput 1 1 2 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 12 1 0 0 0\noutput 1 3 4 77\n"
	         "skip 0\noptions 1 0000000000000009\n"
	         "prev 1 5 3 0000000000000007\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_OK);
	assert_int_equal(b.pos, 10);
	assert_int_equal(b.have_prev, 1);
	assert_int_equal(b.prev.ino, 5);
	assert_int_equal(b.have_options, 1);
	assert_int_equal(b.have_seen, 0);
	with_sum("kerio2syslog-state 2\ninput 1 1 2 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 12 1 0 0 0\noutput 1 3 4 77\n"
	         "skip 0\noptions 1 0000000000000009\nseen 0\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_TORN);
}

/* The files seen, as many as a commit records, with and without the file
 * read before; more than that, or fewer lines than said, is refused. */
static void
test_state_seen_round_trip(void **unused)
{
	char text[2048];
	struct state a, b;

	(void)unused;
	sample(&a);
	a.have_seen = 1;
	a.n_seen = STATE_SEEN_MAX;
	for (size_t i = 0; i < a.n_seen; i++)
		a.seen[i] = (struct state_file){(dev_t)-1, (ino_t)-1 - i,
		    STATE_HASH_SPAN, ~(uint64_t)0};
	assert_int_equal(state_save(path("seen"), &a), 0);
	assert_int_equal(state_load(path("seen"), &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	a.have_prev = 1;
	a.prev.ino = 3;
	a.n_seen = 0;
	memset(a.seen, 0, sizeof(a.seen));
	assert_int_equal(state_save(path("seen"), &a), 0);
	assert_int_equal(state_load(path("seen"), &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	with_sum("kerio2syslog-state 3\ninput 1 1 2 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 12 1 0 0 0\noutput 1 3 4 77\n"
	         "skip 0\noptions 1 0000000000000009\nseen 66\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_TORN);
	with_sum("kerio2syslog-state 3\ninput 1 1 2 10 10 0000000000000001\n"
	         "flush -1\nstamp 1 2024 12 1 0 0 0\noutput 1 3 4 77\n"
	         "skip 0\noptions 1 0000000000000009\nseen 2\n"
	         "file 1 2 0 0000000000000000\n",
	    text, sizeof(text));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_TORN);
}

/*
 * Version 3, every line: the text of a state with every field set, each
 * to a value of its own, is this text byte for byte, and reads back as
 * the same state (a field written or read in another's place, or in
 * another form, fails here).
 */
static void
test_state_version_3_read(void **unused)
{
	char want[2048], text[2048];
	struct state a, b;
	size_t n;

	(void)unused;
	sample(&a);
	a.have_prev = 1;
	a.prev = (struct state_file){11, 12, 13, 0x14};
	a.have_seen = 1;
	a.n_seen = 2;
	a.seen[0] = (struct state_file){21, 22, 23, 0x24};
	a.seen[1] = (struct state_file){31, 32, 0, 0xffffffffffffffffULL};
	a.have_wall = 1;
	a.wall = 1796634012345;
	with_sum("kerio2syslog-state 3\n"
	         "input 1 2049 1234567 987654321012 256 fedcba9876543210\n"
	         "flush 987654321099\n"
	         "stamp 1 2024 2 29 23 59 60\n"
	         "output 1 2050 42 5000000000\n"
	         "skip 4000000000\n"
	         "options 1 0123456789abcdef\n"
	         "prev 11 12 13 0000000000000014\n"
	         "seen 2\n"
	         "file 21 22 23 0000000000000024\n"
	         "file 31 32 0 ffffffffffffffff\n"
	         "wall 1796634012345\n",
	    want, sizeof(want));
	n = state_format(&a, text, sizeof(text));
	assert_int_equal(n, strlen(want));
	assert_memory_equal(text, want, n);
	assert_int_equal(state_parse(want, strlen(want), &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	/* Too small a buffer: nothing, at every length. */
	for (size_t cap = 0; cap <= n; cap++)
		assert_int_equal(state_format(&a, text, cap), 0);
}

/* The mark keeps the time it was made: marking again does not touch it,
 * and state_mark_time reads it. */
static void
test_state_mark_time(void **unused)
{
	const struct timespec then[2] = {{1000, 0}, {1000, 5}};
	struct timespec t;

	(void)unused;
	assert_int_equal(state_mark_time(path("mk"), &t), -1);
	assert_int_equal(state_mark(path("mk")), 0);
	assert_int_equal(utimensat(AT_FDCWD, path("mk.tmp"), then, 0), 0);
	assert_int_equal(state_mark(path("mk")), 0);
	assert_int_equal(state_mark_time(path("mk"), &t), 0);
	assert_int_equal(t.tv_sec, 1000);
	assert_int_equal(t.tv_nsec, 5);
}

/* The hash continued is the hash of the whole. */
static void
test_state_hash_more(void **unused)
{
	(void)unused;
	assert_true(state_hash_more(state_hash_more(0, "ab", 2), "cd", 2) ==
	    state_hash("abcd", 4));
	assert_true(state_hash_more(0, "", 0) == state_hash("", 0));
}

static void
test_state_hash_fd(void **unused)
{
	uint64_t h;
	size_t n;
	int fd;
	char big[1000];

	(void)unused;
	memset(big, 'x', sizeof(big));
	big[999] = 'y';
	put(path("in"), big, sizeof(big));
	fd = open(path("in"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(state_hash_fd(fd, 0, &h, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(state_hash_fd(fd, 10, &h, &n), 0);
	assert_int_equal(n, 10);
	assert_true(h == state_hash(big, 10));
	assert_int_equal(state_hash_fd(fd, 1000, &h, &n), 0);
	assert_int_equal(n, STATE_HASH_SPAN);
	assert_true(
	    h == state_hash(big + 1000 - STATE_HASH_SPAN, STATE_HASH_SPAN));
	/* Past the end of the file: not a hash of anything. */
	assert_int_equal(state_hash_fd(fd, 2000, &h, &n), -1);
	close(fd);
}

static void
test_state_save_fails_cleanly(void **unused)
{
	struct state a;

	(void)unused;
	sample(&a);
	assert_int_equal(state_save(path("no/such/dir/st"), &a), -1);
	assert_int_equal(errno, ENOENT);
}

/* The input's predecessor: a line of its own, kept whole; a state
 * without it (none, or written before it was recorded) still loads. */
/* a as text and back, the same; the text holds what (or not). */
static void
text_round_trip(const struct state *a, const char *what, int holds)
{
	struct state b;
	char text[1024];
	size_t n = state_format(a, text, sizeof(text));

	if (holds)
		assert_non_null(memmem(text, n, what, strlen(what)));
	else
		assert_null(memmem(text, n, what, strlen(what)));
	assert_int_equal(state_parse(text, n, &b), STATE_OK);
	assert_memory_equal(a, &b, sizeof(b));
}

static void
test_state_prev_round_trip(void **unused)
{
	struct state a, b;
	char text[1024];
	size_t n;

	(void)unused;
	sample(&a);
	a.have_prev = 1;
	a.prev.dev = 2049;
	a.prev.ino = 7654321;
	a.prev.hash_len = 200;
	a.prev.hash = 0x0123456789abcdefULL;
	assert_int_equal(state_save(path("prev"), &a), 0);
	assert_int_equal(state_load(path("prev"), &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	a.have_prev = 0;
	a.prev.dev = a.prev.ino = 0;
	a.prev.hash_len = 0;
	a.prev.hash = 0;
	text_round_trip(&a, "prev", 0);
	/* More bytes hashed than there can be: torn. */
	a.have_prev = 1;
	a.prev.hash_len = STATE_HASH_SPAN + 1;
	n = state_format(&a, text, sizeof(text));
	assert_int_equal(state_parse(text, n, &b), STATE_TORN);
}

/* W, the time entries are judged late by: its own line, with or without
 * prev, absent when there is none; a negative one is torn. */
static void
test_state_wall_round_trip(void **unused)
{
	struct state a, b;
	char text[1024];
	size_t n;

	(void)unused;
	for (int prev = 0; prev <= 1; prev++) {
		sample(&a);
		a.have_prev = prev;
		a.prev.ino = prev ? 99 : 0;
		a.have_wall = 1;
		a.wall = 1796634012345;
		text_round_trip(&a, "wall 1796634012345\n", 1);
		a.have_wall = 0;
		a.wall = 0;
		text_round_trip(&a, "wall", 0);
	}
	a.have_wall = 1;
	a.wall = -1;
	n = state_format(&a, text, sizeof(text));
	assert_int_equal(state_parse(text, n, &b), STATE_TORN);
}

/* A first save cut short: its mark, then its whole temporary file, are
 * found; the mark never clears a whole one. */
static void
test_state_unsaved(void **unused)
{
	struct state a, b;
	char text[1024];
	size_t n;

	(void)unused;
	assert_int_equal(state_load_unsaved(path("un"), &b), STATE_ABSENT);
	assert_int_equal(state_mark(path("un")), 0);
	assert_int_equal(state_load(path("un"), &b), STATE_ABSENT);
	assert_int_not_equal(state_load_unsaved(path("un"), &b), STATE_OK);
	assert_int_not_equal(state_load_unsaved(path("un"), &b), STATE_ABSENT);
	sample(&a);
	n = state_format(&a, text, sizeof(text));
	assert_true(n > 0);
	put(path("un.tmp"), text, n);
	assert_int_equal(state_mark(path("un")), 0);
	assert_int_equal(state_load_unsaved(path("un"), &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	/* A save fills the mark and takes it away. */
	assert_int_equal(state_save(path("un"), &a), 0);
	assert_int_equal(state_load_unsaved(path("un"), &b), STATE_ABSENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_round_trip),
	    cmocka_unit_test(test_state_wall_round_trip),
	    cmocka_unit_test(test_state_round_trip_empty),
	    cmocka_unit_test(test_state_save_replaces_whole),
	    cmocka_unit_test(test_state_absent),
	    cmocka_unit_test(test_state_torn_at_every_length),
	    cmocka_unit_test(test_state_damaged_byte_rejected),
	    cmocka_unit_test(test_state_foreign_rejected),
	    cmocka_unit_test(test_state_checksum_right_values_wrong),
	    cmocka_unit_test(test_state_year_range_as_stamp),
	    cmocka_unit_test(test_state_lock_once),
	    cmocka_unit_test(test_state_lock_through_link),
	    cmocka_unit_test(test_state_lock_kept),
	    cmocka_unit_test(test_state_save_tmp_never_followed),
	    cmocka_unit_test(test_state_version_1_read),
	    cmocka_unit_test(test_state_hash_more),
	    cmocka_unit_test(test_state_hash_fd),
	    cmocka_unit_test(test_state_save_fails_cleanly),
	    cmocka_unit_test(test_state_unsaved),
	    cmocka_unit_test(test_state_prev_round_trip),
	    cmocka_unit_test(test_state_version_2_read),
	    cmocka_unit_test(test_state_version_3_read),
	    cmocka_unit_test(test_state_seen_round_trip),
	    cmocka_unit_test(test_state_mark_time),
	};

	return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
