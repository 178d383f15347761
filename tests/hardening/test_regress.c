/*
 * Regression tests for defects found while hardening (issue 5), one test
 * per defect, named after what went wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "joiner.h"
#include "output.h"
#include "state.h"

#define ENTRIES 20000

static void
line_of(char *buf, size_t len, int i)
{
	snprintf(buf, len, "Jun 17 17:00:45 h kerio: entry %06d\n", i);
}

/*
 * Reads the pipe slowly (it starts late, so the writer finds it full)
 * and exits 0 only if it got exactly the ENTRIES lines, in order.
 */
static void
slow_reader(int fd)
{
	char want[64], got[64];

	usleep(200 * 1000);
	for (int i = 0; i < ENTRIES; i++) {
		size_t len, have = 0;

		line_of(want, sizeof(want), i);
		len = strlen(want);
		while (have < len) {
			ssize_t n = read(fd, got + have, len - have);

			if (n <= 0)
				_exit(1);
			have += (size_t)n;
		}
		if (memcmp(want, got, len) != 0)
			_exit(2);
	}
	_exit(read(fd, got, 1) == 0 ? 0 : 3);
}

/* Opens *o on the write end of a fresh pipe, made non-blocking. */
static pid_t
open_nonblocking_pipe(struct output **o, int *fd)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		slow_reader(p[0]);
	}
	close(p[0]);
	/* As when a parent shares a pipe it set O_NONBLOCK on. */
	assert_int_equal(fcntl(p[1], F_SETFL,
	                     fcntl(p[1], F_GETFL) | O_NONBLOCK),
	    0);
	assert_non_null(*o = output_new_fd(p[1], 4096));
	*fd = p[1];
	return pid;
}

static void
reap(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * Defect: with a non-blocking output that was full, output_reserve gave
 * up on EAGAIN without an error, so converter_entry silently dropped
 * entries and left half a line ("STAMP HOST TAG: " with no message) to
 * run into the next one. Now the output waits until it can write.
 */
static void
test_regress_output_nonblocking_full(void **unused)
{
	struct format *f = format_new(STAMP_BSD, "h", "kerio", NULL);
	struct output *o;
	struct sink out;
	int written = 0, fd;
	pid_t pid;

	(void)unused;
	assert_non_null(f);
	pid = open_nonblocking_pipe(&o, &fd);
	output_sink(o, &out);
	for (int i = 0; i < ENTRIES; i++) {
		char msg[32];
		struct entry e = {
		    .stamp = {.year = 2011,
		        .mon = 6,
		        .mday = 17,
		        .hour = 17,
		        .sec = 45},
		    .msg = msg,
		};

		e.len = (size_t)snprintf(msg, sizeof(msg), "entry %06d", i);
		written += format_entry(f, &e, 0, 0, &out) == 0;
		assert_int_equal(output_error(o), 0);
	}
	assert_int_equal(written, ENTRIES);
	assert_int_equal(sink_flush(&out), 0);
	assert_int_equal(close(fd), 0);
	output_free(o);
	format_free(f);
	reap(pid);
}

/* The same defect seen through output_write: -1 with EAGAIN. */
static void
test_regress_output_write_nonblocking_full(void **unused)
{
	struct output *o;
	pid_t pid;
	int fd;

	(void)unused;
	pid = open_nonblocking_pipe(&o, &fd);
	for (int i = 0; i < ENTRIES; i++) {
		char line[64];

		line_of(line, sizeof(line), i);
		assert_int_equal(output_write(o, line, strlen(line)), 0);
	}
	/* output_flush itself never waits: EAGAIN leaves the rest. */
	while (output_flush(o) < 0) {
		assert_int_equal(errno, EAGAIN);
		assert_int_equal(output_wait(o), 0);
	}
	assert_int_equal(close(fd), 0);
	output_free(o);
	reap(pid);
}

/*
 * Defect: state_parse ran sscanf(3) on the checksum line in place, in a
 * buffer that is counted, not NUL-terminated, so sscanf's strlen went on
 * past the state's last byte (valgrind: uninitialised stack bytes in
 * state_load; a read out of bounds when no NUL follows). Here the state
 * ends right before a page that cannot be read.
 */
static void
test_regress_state_parse_unterminated(void **unused)
{
	struct state s, got;
	long page = sysconf(_SC_PAGESIZE);
	char text[4096], *map;
	size_t n;

	(void)unused;
	memset(&s, 0, sizeof(s));
	s.flush_at = -1;
	n = state_format(&s, text, sizeof(text));
	assert_true(n > 0 && n < (size_t)page);
	map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	memcpy(map + page - n, text, n);
	assert_int_equal(state_parse(map + page - n, n, &got), STATE_OK);
	munmap(map, (size_t)page * 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_regress_output_nonblocking_full),
	    cmocka_unit_test(test_regress_output_write_nonblocking_full),
	    cmocka_unit_test(test_regress_state_parse_unterminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
