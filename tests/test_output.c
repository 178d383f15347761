/* Unit tests for output: buffering, checked writes, reopen. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "output.h"
#include "unit_files.h"

/* A write to a closed pipe is an error to see (EPIPE), not a death. */
static int
setup(void **unused)
{
	signal(SIGPIPE, SIG_IGN);
	return unit_setup(unused);
}

static char *
path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static size_t
file_size(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (size_t)sb.st_size : (size_t)-1;
}

static void
test_output_buffers_until_flush_and_appends(void **unused)
{
	struct output *o;
	char *p = path("append.log");
	struct stat sb;
	mode_t old = umask(0);

	(void)unused;
	assert_non_null(o = output_new(p, 64));
	umask(old);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	assert_int_equal(output_write(o, "hello\n", 6), 0);
	assert_int_equal(file_size(p), 0);
	assert_int_equal(output_pending(o), 6);
	assert_int_equal(output_flush(o), 0);
	assert_int_equal(file_size(p), 6);
	/* More than the buffer goes out in pieces, nothing lost. */
	static char big[SINK_RESERVE_MAX + 200];
	memset(big, 'x', sizeof(big));
	assert_int_equal(output_write(o, big, sizeof(big)), 0);
	assert_int_equal(output_close(o), 0);
	output_free(o);
	assert_int_equal(file_size(p), 6 + sizeof(big));
	/* Opening again appends, never truncates. */
	assert_non_null(o = output_new(p, 0));
	assert_int_equal(output_write(o, "z\n", 2), 0);
	assert_int_equal(output_close(o), 0);
	output_free(o);
	assert_int_equal(file_size(p), 8 + sizeof(big));
}

static void
test_output_full_disk_is_sticky_error(void **unused)
{
	struct output *o;

	(void)unused;
	assert_non_null(o = output_new("/dev/full", 0));
	assert_int_equal(output_write(o, "x\n", 2), 0);
	assert_int_equal(output_flush(o), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(output_error(o), ENOSPC);
	assert_null(output_reserve(o, 1));
	assert_int_equal(output_write(o, "y", 1), -1);
	assert_int_equal(output_close(o), -1);
	assert_int_equal(errno, ENOSPC);
	output_free(o);
}

static void
test_output_closed_pipe_is_epipe(void **unused)
{
	struct output *o;
	int fds[2];

	(void)unused;
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	assert_non_null(o = output_new_fd(fds[1], 0));
	assert_int_equal(output_write(o, "x\n", 2), 0);
	assert_int_equal(output_flush(o), -1);
	assert_int_equal(errno, EPIPE);
	close(fds[1]);
	output_free(o);
}

static void
on_tick(int sig)
{
	(void)sig;
}

/*
 * A full pipe whose reader never reads, and a stop: the write is given up
 * on the second interruption without progress, the bytes stay buffered.
 * Before, EINTR was always retried and this never returned.
 */
static void
test_output_stalled_pipe_given_up_when_stopping(void **unused)
{
	struct itimerval tick = {{0, 50000}, {0, 50000}}, off;
	volatile sig_atomic_t stop = 1;
	struct sigaction sa;
	struct output *o;
	char fill[4096];
	int fds[2];

	(void)unused;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	assert_int_equal(pipe(fds), 0);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	memset(fill, 'x', sizeof(fill));
	while (write(fds[1], fill, sizeof(fill)) > 0)
		;
	fcntl(fds[1], F_SETFL, 0);
	assert_non_null(o = output_new_fd(fds[1], 0));
	output_stop_on(o, &stop);
	assert_int_equal(output_write(o, "entry\n", 6), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &tick, NULL), 0);
	assert_int_equal(output_flush(o), -1);
	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
	assert_int_equal(errno, EINTR);
	assert_int_equal(output_error(o), EINTR);
	assert_int_equal(output_pending(o), 6);
	close(fds[0]);
	close(fds[1]);
	output_free(o);
}

static void
test_output_link_trusted_table(void **unused)
{
	static const struct {
		mode_t dir_mode;
		uid_t dir_uid, link_uid, euid;
		int want;
	} t[] = {
	    {0755, 0, 0, 0, 1},          /* root's /var/log, root */
	    {0755, 0, 1000, 0, 1},       /* only root could put it there */
	    {0700, 1000, 1000, 1000, 1}, /* our own directory */
	    {0755, 1000, 1000, 0, 0},    /* another user's directory */
	    {0775, 0, 0, 0, 0},          /* group-writable: a member plants */
	    {0777, 0, 0, 0, 0},          /* world-writable, not sticky */
	    {01777, 0, 0, 0, 1},         /* /tmp, our link */
	    {01777, 0, 1000, 0, 0},      /* /tmp, another user's link */
	    {01777, 0, 1000, 1000, 1},   /* /tmp, the user's own link */
	    {01777, 1000, 1000, 0, 0},   /* sticky, owned by another user */
	    {01775, 0, 0, 0, 1},         /* sticky group dir, root's link */
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(output_link_trusted(S_IFDIR | t[i].dir_mode,
		                     t[i].dir_uid, t[i].link_uid, t[i].euid),
		    t[i].want);
}

static void
test_output_missing_directory_fails_open(void **unused)
{
	struct output *o;

	(void)unused;
	assert_null(o = output_new(path("no/such/dir/x.log"), 0));
	assert_int_equal(errno, ENOENT);
}

static void
test_output_reopen_follows_rename(void **unused)
{
	struct output *o;
	char old[256], cur[256];

	(void)unused;
	snprintf(cur, sizeof(cur), "%s", path("rot.log"));
	snprintf(old, sizeof(old), "%s", path("rot.log.1"));
	assert_non_null(o = output_new(cur, 0));
	assert_int_equal(output_write(o, "one\n", 4), 0);
	assert_int_equal(output_flush(o), 0);
	assert_int_equal(rename(cur, old), 0);
	/* Buffered before the reopen: belongs to the old file. */
	assert_int_equal(output_write(o, "two\n", 4), 0);
	assert_int_equal(output_reopen(o), 0);
	assert_int_equal(output_write(o, "three\n", 6), 0);
	assert_int_equal(output_close(o), 0);
	output_free(o);
	assert_int_equal(file_size(old), 8);
	assert_int_equal(file_size(cur), 6);
}

/*
 * With the guard, a write batch after a rename writes nothing to the
 * renamed file: the flush fails with ESTALE until reopened, and then the
 * bytes go to the file the path names.
 */
static void
test_output_guard_refuses_renamed_file(void **unused)
{
	struct output *o;
	char old[256], p[256];

	(void)unused;
	snprintf(p, sizeof(p), "%s", path("guard.log"));
	snprintf(old, sizeof(old), "%s", path("guard.log.1"));
	assert_non_null(o = output_new(p, 64));
	output_guard(o, 1);
	assert_int_equal(output_write(o, "one\n", 4), 0);
	assert_int_equal(output_flush(o), 0);
	assert_int_equal(rename(p, old), 0);
	assert_int_equal(output_write(o, "two\n", 4), 0);
	assert_int_equal(output_flush(o), -1);
	assert_int_equal(errno, ESTALE);
	assert_int_equal(output_error(o), ESTALE);
	assert_int_equal(file_size(old), 4);
	/* Deleted: the same. */
	output_clear(o);
	assert_int_equal(unlink(old), 0);
	assert_int_equal(output_write(o, "two\n", 4), 0);
	assert_int_equal(output_flush(o), -1);
	assert_int_equal(errno, ESTALE);
	/* Reopened: the batch goes to the new file. */
	output_clear(o);
	assert_int_equal(output_reopen(o), 0);
	assert_int_equal(output_write(o, "two\n", 4), 0);
	assert_int_equal(output_flush(o), 0);
	assert_int_equal(file_size(p), 4);
	/* Off: written wherever the descriptor points. */
	output_guard(o, 0);
	assert_int_equal(rename(p, old), 0);
	assert_int_equal(output_write(o, "three\n", 6), 0);
	assert_int_equal(output_flush(o), 0);
	assert_int_equal(file_size(old), 10);
	assert_int_equal(output_close(o), 0);
	output_free(o);
}

/* The torn last line of a file, looked for among its last bytes only. */
static void
test_output_torn_tail(void **unused)
{
	static const struct {
		const char *text;
		off_t within, want;
	} t[] = {
	    {"", 10, 0},
	    {"a\n", 2, 0},
	    {"a\nbc", 4, 2},
	    {"a\nbc", 2, 2},
	    {"a\nbc", 1, 1},
	    {"abc", 3, 3},
	    {"abc", 100, 3},
	    {"a\n\n", 1, 0},
	};
	char p[256];
	int fd;

	(void)unused;
	snprintf(p, sizeof(p), "%s", path("torn"));
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, t[i].text, strlen(t[i].text)),
		    (ssize_t)strlen(t[i].text));
		assert_int_equal(output_torn_tail(fd, t[i].within), t[i].want);
		close(fd);
	}
	/* Longer than one read: the newline 10000 bytes back is found. */
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(write(fd, "y", 1), 1);
	assert_int_equal(output_torn_tail(fd, 20000), 10000);
	assert_int_equal(output_torn_tail(fd, 9000), 9000);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_output_buffers_until_flush_and_appends),
	    cmocka_unit_test(test_output_full_disk_is_sticky_error),
	    cmocka_unit_test(test_output_closed_pipe_is_epipe),
	    cmocka_unit_test(test_output_stalled_pipe_given_up_when_stopping),
	    cmocka_unit_test(test_output_link_trusted_table),
	    cmocka_unit_test(test_output_missing_directory_fails_open),
	    cmocka_unit_test(test_output_reopen_follows_rename),
	    cmocka_unit_test(test_output_guard_refuses_renamed_file),
	    cmocka_unit_test(test_output_torn_tail),
	};

	return cmocka_run_group_tests(tests, setup, unit_teardown);
}
