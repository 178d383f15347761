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
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

static char dir[] = "/tmp/k2s-test-state-XXXXXX";

static int
setup(void **unused)
{
	(void)unused;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **unused)
{
	char cmd[sizeof(dir) + 16];

	(void)unused;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

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

static void
sample(struct state *s)
{
	memset(s, 0, sizeof(*s));
	s->have_input = 1;
	s->in_dev = 2049;
	s->in_ino = 1234567;
	s->pos = 987654321012LL;
	s->hash_len = 256;
	s->hash = 0xfedcba9876543210ULL;
	s->flush_at = 987654321099LL;
	s->have_stamp = 1;
	s->stamp = (struct stamp){2024, 2, 29, 23, 59, 60};
	s->have_out = 1;
	s->out_dev = 2050;
	s->out_ino = 42;
	s->out_size = 5000000000LL;
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
	a.hash_len = 7;
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
	    "kerio2syslog-state 2\ninput 0 0 0 0 0 0\nsum 0\n",
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
	char text[2048], body[1024];
	struct state b;
	int n;

	(void)unused;
	/* A well-formed file with an impossible stamp is still refused. */
	n = snprintf(body, sizeof(body),
	    "kerio2syslog-state 1\ninput 1 1 1 10 10 0000000000000001\n"
	    "flush -1\nstamp 1 2024 13 1 0 0 0\noutput 0 0 0 0\n");
	snprintf(text, sizeof(text), "%ssum %016llx\n", body,
	    (unsigned long long)state_hash(body, (size_t)n));
	assert_int_equal(state_parse(text, strlen(text), &b), STATE_TORN);
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
static void
test_state_prev_round_trip(void **unused)
{
	struct state a, b;
	char text[1024];
	size_t n;

	(void)unused;
	sample(&a);
	a.have_prev = 1;
	a.prev_dev = 2049;
	a.prev_ino = 7654321;
	a.prev_hash_len = 200;
	a.prev_hash = 0x0123456789abcdefULL;
	assert_int_equal(state_save(path("prev"), &a), 0);
	assert_int_equal(state_load(path("prev"), &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	a.have_prev = 0;
	a.prev_dev = a.prev_ino = 0;
	a.prev_hash_len = 0;
	a.prev_hash = 0;
	n = state_format(&a, text, sizeof(text));
	assert_null(memmem(text, n, "prev", 4));
	assert_int_equal(state_parse(text, n, &b), STATE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	/* More bytes hashed than there can be: torn. */
	a.have_prev = 1;
	a.prev_hash_len = STATE_HASH_SPAN + 1;
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
	    cmocka_unit_test(test_state_round_trip_empty),
	    cmocka_unit_test(test_state_save_replaces_whole),
	    cmocka_unit_test(test_state_absent),
	    cmocka_unit_test(test_state_torn_at_every_length),
	    cmocka_unit_test(test_state_damaged_byte_rejected),
	    cmocka_unit_test(test_state_foreign_rejected),
	    cmocka_unit_test(test_state_checksum_right_values_wrong),
	    cmocka_unit_test(test_state_hash_fd),
	    cmocka_unit_test(test_state_save_fails_cleanly),
	    cmocka_unit_test(test_state_unsaved),
	    cmocka_unit_test(test_state_prev_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
