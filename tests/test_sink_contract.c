/*
 * The sink contract (sink.h), the same assertions over every sink
 * sinks.c's table opens: a file, standard output on a pipe, and the
 * journal on a datagram socket this test binds in its own directory (no
 * journald). The core: lines arrive whole and in order, the pieces of a
 * long line join, a write error is reported with its errno by error(),
 * flush and close, and clear forgets it. The durable extension, for the
 * sinks that have it: an identity whose size grows by what is written,
 * a skip that drops exactly that much, a reopen, and for a file its
 * moves, its torn tail and its rotated self.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sinks.h"
#include "stamp.h"
#include "unit_files.h"

/* One sink of the table, open, and what the test reads it back with. */
struct rig {
	enum sinks_kind kind;
	struct sinks *x;
	struct sink s;
	char path[PATH_MAX]; /* the file, or the journal's socket */
	int rd;              /* the pipe's read end (standard output) */
	int sock;            /* the socket bound for the journal */
	int saved;           /* standard output before the pipe took it */
	char *got;           /* what arrived so far (read_back) */
	size_t len;
	int records; /* the size counts records (journal), not bytes */
};

static struct rig rig = {.rd = -1, .sock = -1, .saved = -1};
static const struct stamp stamp = {2011, 6, 17, 17, 0, 45};
static const char *const kind_names[SINKS_KINDS] = {
    [SINKS_STDOUT] = "-",
    [SINKS_JOURNAL] = "journal",
    [SINKS_FILE] = "a path",
};

static void
bind_socket(struct rig *r)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int size = 4 * 1024 * 1024;

	snprintf(r->path, sizeof(r->path), "%s/journal.socket", dir);
	assert_true(strlen(r->path) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, r->path);
	r->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(r->sock >= 0);
	(void)setsockopt(r->sock, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size));
	assert_int_equal(bind(r->sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

/* Standard output becomes a pipe (large enough for every test's lines)
 * that the test reads. */
static void
pipe_stdout(struct rig *r)
{
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_true(fcntl(p[0], F_SETPIPE_SZ, 1024 * 1024) >= 256 * 1024);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	fflush(stdout);
	r->saved = dup(STDOUT_FILENO);
	assert_true(r->saved >= 0);
	assert_int_equal(dup2(p[1], STDOUT_FILENO), STDOUT_FILENO);
	close(p[1]);
	r->rd = p[0];
}

/* Opens the sink of kind through the table; 0 if it is not built. */
static int
rig_open(enum sinks_kind kind)
{
	struct sinks_opts o = {.tag = "kerio"};
	struct rig *r = &rig;

	print_message("sink: %s\n", kind_names[kind]);
	r->kind = kind;
	r->len = 0;
	r->records = 0;
	if (sinks_missing(kind) != NULL)
		return 0;
	switch (kind) {
	case SINKS_FILE:
		snprintf(r->path, sizeof(r->path), "%s/out.log", dir);
		unlink(r->path);
		o.name = r->path;
		break;
	case SINKS_STDOUT:
		pipe_stdout(r);
		o.name = "-";
		break;
	case SINKS_JOURNAL:
		bind_socket(r);
		o.name = "journal";
		o.socket = r->path;
		o.instance = "/contract/state";
		r->records = 1;
		break;
	case SINKS_KINDS:
		fail();
	}
	assert_int_equal(sinks_kind(o.name), kind);
	r->x = sinks_open(&o, &r->s);
	assert_non_null(r->x);
	return 1;
}

/* Closes what rig_open opened (also after a failed assertion). */
static void
rig_close(void)
{
	struct rig *r = &rig;

	sinks_free(r->x);
	r->x = NULL;
	if (r->saved >= 0) {
		dup2(r->saved, STDOUT_FILENO);
		close(r->saved);
		r->saved = -1;
	}
	if (r->rd >= 0)
		close(r->rd);
	if (r->sock >= 0) {
		close(r->sock);
		unlink(r->path);
	}
	r->rd = r->sock = -1;
	free(r->got);
	r->got = NULL;
}

static int
teardown(void **unused)
{
	(void)unused;
	rig_close();
	return 0;
}

static void
got_add(const char *p, size_t n)
{
	struct rig *r = &rig;

	r->got = realloc(r->got, r->len + n + 1);
	assert_non_null(r->got);
	memcpy(r->got + r->len, p, n);
	r->len += n;
	r->got[r->len] = '\0';
}

/* The MESSAGE of one record in journald's native protocol, and its LF. */
static void
got_record(const char *p, size_t n)
{
	const char *end = p + n, *nl, *eq;
	uint64_t vlen = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq != NULL) {
			if (eq - p == 7 && memcmp(p, "MESSAGE", 7) == 0) {
				got_add(eq + 1, (size_t)(nl - eq - 1));
				got_add("\n", 1);
			}
			p = nl + 1;
			continue;
		}
		/* NAME, LF, 64-bit little-endian length, value, LF. */
		assert_true(end - nl > 9);
		for (int k = 7; k >= 0; k--)
			vlen = vlen << 8 | (unsigned char)nl[1 + k];
		assert_true(vlen <= (uint64_t)(end - nl - 10));
		p = nl + 9 + vlen + 1;
	}
}

/* One datagram, or the sealed memfd it carries. */
static int
recv_record(int sock, char *buf, size_t cap)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {buf, cap};
	struct msghdr mh = {.msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = &ctl,
	    .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;
	struct stat sb;
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	int fd;

	if (n < 0)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS) {
		got_record(buf, (size_t)n);
		return 0;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	assert_int_equal(fstat(fd, &sb), 0);
	assert_true((size_t)sb.st_size <= cap);
	assert_int_equal(pread(fd, buf, (size_t)sb.st_size, 0), sb.st_size);
	close(fd);
	got_record(buf, (size_t)sb.st_size);
	return 0;
}

/* What the sink has delivered so far, as lines (the journal: MESSAGE). */
static const char *
read_back(void)
{
	static char buf[1024 * 1024];
	struct rig *r = &rig;
	ssize_t n;
	int fd;

	switch (r->kind) {
	case SINKS_FILE:
		r->len = 0;
		fd = open(r->path, O_RDONLY);
		assert_true(fd >= 0);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			got_add(buf, (size_t)n);
		close(fd);
		break;
	case SINKS_STDOUT:
		while ((n = read(r->rd, buf, sizeof(buf))) > 0)
			got_add(buf, (size_t)n);
		break;
	case SINKS_JOURNAL:
		while (recv_record(r->sock, buf, sizeof(buf)) == 0)
			;
		break;
	case SINKS_KINDS:
		fail();
	}
	if (r->got == NULL)
		got_add("", 0);
	return r->got;
}

/* line (with its LF) as the pipeline writes it: reserve, commit, in
 * pieces of at most piece bytes (0: whole). */
static void
put_line(const char *line, size_t piece)
{
	struct sink_entry e = {.stamp = &stamp};
	size_t len = strlen(line), k;
	char *p;

	do {
		k = piece == 0 || len <= piece ? len : piece;
		p = sink_reserve(&rig.s, k);
		if (p == NULL)
			return; /* failed: error() says why */
		memcpy(p, line, k);
		sink_commit(&rig.s, k, k == len ? &e : NULL);
		line += k;
		len -= k;
	} while (len > 0);
}

/* What the size grows by for line. */
static off_t
units(const char *line)
{
	return rig.records ? 1 : (off_t)strlen(line);
}

static void
test_sink_contract_lines_whole_in_order(void **unused)
{
	char line[200], *want = NULL;
	size_t wlen = 0;

	(void)unused;
	for (int k = 0; k < SINKS_KINDS; k++) {
		if (!rig_open(k))
			continue;
		assert_true(strlen(sink_name(&rig.s)) > 0);
		free(want);
		want = calloc(1, 1);
		wlen = 0;
		for (int i = 0; i < 500; i++) {
			int n = snprintf(line, sizeof(line),
			    "host kerio: %d%.*s\n", i, i % 150,
			    "abcdefghijklmnopqrstuvwxyzabcdefghij"
			    "klmnopqrstuvwxyzabcdefghijklmnopqrst"
			    "uvwxyzabcdefghijklmnopqrstuvwxyzabcd"
			    "efghijklmnopqrstuvwxyzabcdefghijklmno");

			put_line(line, 0);
			want = realloc(want, wlen + (size_t)n + 1);
			memcpy(want + wlen, line, (size_t)n + 1);
			wlen += (size_t)n;
			/* Read as they come: a datagram socket's queue is
			 * short, and a full one blocks the sender. */
			if (i % 8 == 7) {
				assert_int_equal(sink_flush(&rig.s), 0);
				read_back();
			}
		}
		assert_int_equal(sink_flush(&rig.s), 0);
		assert_int_equal(sink_pending(&rig.s), 0);
		assert_int_equal(sink_error(&rig.s), 0);
		assert_string_equal(read_back(), want);
		assert_int_equal(sink_close(&rig.s), 0);
		rig_close();
	}
	free(want);
}

static void
test_sink_contract_pieces_join(void **unused)
{
	size_t n = SINK_RESERVE_MAX * 2 + 5000;
	char *line = malloc(n + 2);

	(void)unused;
	assert_non_null(line);
	for (size_t i = 0; i < n; i++)
		line[i] = (char)('a' + i % 26);
	line[n] = '\n';
	line[n + 1] = '\0';
	for (int k = 0; k < SINKS_KINDS; k++) {
		if (!rig_open(k))
			continue;
		put_line("before\n", 0);
		put_line(line, SINK_RESERVE_MAX);
		put_line("after\n", 0);
		assert_int_equal(sink_close(&rig.s), 0);
		read_back();
		assert_int_equal(rig.len, n + 1 + 13);
		assert_memory_equal(rig.got, "before\n", 7);
		assert_memory_equal(rig.got + 7, line, n + 1);
		assert_string_equal(rig.got + 7 + n + 1, "after\n");
		rig_close();
	}
	free(line);
}

/* Makes the next write fail: the errno it must fail with. */
static int
break_sink(void)
{
	struct sinks_opts o = {.name = "/dev/full", .tag = "kerio"};

	switch (rig.kind) {
	case SINKS_FILE:
		/* A file that takes no byte: the same sink on /dev/full. */
		sinks_free(rig.x);
		assert_non_null(rig.x = sinks_open(&o, &rig.s));
		return ENOSPC;
	case SINKS_STDOUT:
		close(rig.rd);
		rig.rd = -1;
		return EPIPE;
	case SINKS_JOURNAL:
		/* journald gone: its socket removed. */
		close(rig.sock);
		unlink(rig.path);
		rig.sock = -1;
		return ENOENT;
	case SINKS_KINDS:
		break;
	}
	fail();
	return 0;
}

static void
test_sink_contract_errors_reported(void **unused)
{
	int want;

	(void)unused;
	for (int k = 0; k < SINKS_KINDS; k++) {
		if (!rig_open(k))
			continue;
		put_line("first\n", 0);
		assert_int_equal(sink_flush(&rig.s), 0);
		want = break_sink();
		put_line("lost\n", 0);
		errno = 0;
		assert_int_equal(sink_flush(&rig.s), -1);
		assert_int_equal(errno, want);
		assert_int_equal(sink_error(&rig.s), want);
		/* Sticky: every later call says it. */
		assert_null(sink_reserve(&rig.s, 10));
		assert_int_equal(errno, want);
		errno = 0;
		assert_int_equal(sink_close(&rig.s), -1);
		assert_int_equal(errno, want);
		/* Cleared: nothing held, no error. */
		sink_clear(&rig.s);
		assert_int_equal(sink_error(&rig.s), 0);
		assert_int_equal(sink_pending(&rig.s), 0);
		rig_close();
	}
}

/* Identity, skip and reopen, for every sink with the extension. */
static void
test_sink_contract_durable_identity_skip(void **unused)
{
	static const char *const lines[] = {"a: one\n", "a: two\n",
	    "a: three\n", "a: four\n"};
	struct sink_id a, b;
	int have;

	(void)unused;
	for (int k = 0; k < SINKS_KINDS; k++) {
		if (!rig_open(k))
			continue;
		assert_non_null(rig.s.durable);
		have = sink_identity(&rig.s, &a);
		/* A file and the journal's writer have one; a pipe none. */
		assert_int_equal(have, k != SINKS_STDOUT);
		put_line(lines[0], 0);
		assert_int_equal(sink_flush(&rig.s), 0);
		if (have) {
			assert_int_equal(sink_identity(&rig.s, &b), 1);
			assert_true(a.dev == b.dev && a.ino == b.ino);
			assert_int_equal(b.size, a.size + units(lines[0]));
			a = b;
		}
		/* A replay's surplus: exactly that much is dropped. */
		sink_skip(&rig.s, units(lines[1]) + units(lines[2]));
		assert_int_equal(sink_skipping(&rig.s),
		    units(lines[1]) + units(lines[2]));
		put_line(lines[1], 0);
		put_line(lines[2], 0);
		put_line(lines[3], 0);
		assert_int_equal(sink_flush(&rig.s), 0);
		assert_int_equal(sink_skipping(&rig.s), 0);
		assert_string_equal(read_back(), "a: one\na: four\n");
		if (have) {
			assert_int_equal(sink_identity(&rig.s, &b), 1);
			assert_int_equal(b.size, a.size + units(lines[3]));
		}
		/* Nothing moved: a reopen writes on where it was. */
		assert_int_equal(sink_moved(&rig.s), 0);
		assert_int_equal(sink_reopen(&rig.s), 0);
		put_line(lines[2], 0);
		assert_int_equal(sink_close(&rig.s), 0);
		assert_string_equal(read_back(), "a: one\na: four\na: three\n");
		rig_close();
	}
}

/* A file's name moved, its torn tail, its rotated self; no other sink
 * has a name that moves or a tail to tear. */
static void
test_sink_contract_durable_moves(void **unused)
{
	char rotated[PATH_MAX + 4];
	struct sink_id was, now;
	off_t torn = -1;
	int fd;

	(void)unused;
	for (int k = 0; k < SINKS_KINDS; k++) {
		if (!rig_open(k))
			continue;
		put_line("a: one\n", 0);
		assert_int_equal(sink_flush(&rig.s), 0);
		assert_int_equal(sink_torn_tail(&rig.s, 100), 0);
		if (k != SINKS_FILE) {
			was = (struct sink_id){1, 2, 0};
			assert_int_equal(sink_rotated(&rig.s, &was, &torn), -1);
			assert_int_equal(torn, 0);
			assert_int_equal(sink_close(&rig.s), 0);
			rig_close();
			continue;
		}
		assert_int_equal(sink_identity(&rig.s, &was), 1);
		/* A write cut short: a line without its LF. */
		fd = open(rig.path, O_WRONLY | O_APPEND);
		assert_int_equal(write(fd, "a: tw", 5), 5);
		close(fd);
		assert_int_equal(sink_torn_tail(&rig.s, 100), 5);
		assert_int_equal(sink_torn_tail(&rig.s, 3), 3);
		/* Rotated by renaming: moved; found by its inode beside the
		 * name, with the bytes past the saved size and the tear. */
		snprintf(rotated, sizeof(rotated), "%s.1", rig.path);
		assert_int_equal(rename(rig.path, rotated), 0);
		assert_int_equal(sink_moved(&rig.s), 1);
		assert_int_equal(sink_reopen(&rig.s), 0);
		assert_int_equal(sink_moved(&rig.s), 0);
		assert_int_equal(sink_identity(&rig.s, &now), 1);
		assert_true(now.ino != was.ino);
		assert_int_equal(sink_rotated(&rig.s, &was, &torn), 12);
		assert_int_equal(torn, 5);
		unlink(rotated);
		assert_int_equal(sink_rotated(&rig.s, &was, &torn), -1);
		assert_int_equal(sink_close(&rig.s), 0);
		rig_close();
	}
}

/* Every kind of the table is a case above: a sink added to the table
 * without one fails here. */
static void
test_sink_contract_every_kind(void **unused)
{
	(void)unused;
	assert_int_equal(sinks_kind(NULL), SINKS_STDOUT);
	assert_int_equal(sinks_kind("-"), SINKS_STDOUT);
	assert_int_equal(sinks_kind("journal"), SINKS_JOURNAL);
	assert_int_equal(sinks_kind("./journal"), SINKS_FILE);
	for (int k = 0; k < SINKS_KINDS; k++)
		assert_non_null(kind_names[k]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_sink_contract_lines_whole_in_order,
	        teardown),
	    cmocka_unit_test_teardown(test_sink_contract_pieces_join, teardown),
	    cmocka_unit_test_teardown(test_sink_contract_errors_reported,
	        teardown),
	    cmocka_unit_test_teardown(test_sink_contract_durable_identity_skip,
	        teardown),
	    cmocka_unit_test_teardown(test_sink_contract_durable_moves,
	        teardown),
	    cmocka_unit_test(test_sink_contract_every_kind),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
