/* Unit tests for reader: splitting, CRLF, BOM, pieces, offsets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"

/* A descriptor that reads back the given bytes, then end of input. */
static int
fd_with(const char *data, size_t n)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fflush(f), 0);
	rewind(f);
	return dup(fileno(f));
}

struct got {
	int n;
	char text[16][128];
	struct line l[16];
};

static struct got *
read_all(const char *data, size_t n, size_t cap, int take_partial)
{
	static struct got g;
	struct reader r;
	struct line l;
	int fd = fd_with(data, n);

	memset(&g, 0, sizeof(g));
	assert_int_equal(reader_init(&r, fd, 0, cap), 0);
	for (;;) {
		while (reader_next(&r, &l, take_partial)) {
			assert_true(g.n < 16);
			memcpy(g.text[g.n], l.p, l.len);
			g.l[g.n++] = l;
		}
		if (reader_at_eof(&r))
			break;
		assert_true(reader_fill(&r) >= 0);
	}
	reader_free(&r);
	close(fd);
	return &g;
}

static void
test_reader_splits_lines_with_offsets(void **unused)
{
	struct got *g;

	(void)unused;
	g = read_all("ab\n\ncde\n", 8, 0, 1);
	assert_int_equal(g->n, 3);
	assert_string_equal(g->text[0], "ab");
	assert_int_equal(g->l[0].start, 0);
	assert_int_equal(g->l[0].next, 3);
	assert_string_equal(g->text[1], "");
	assert_int_equal(g->l[1].start, 3);
	assert_string_equal(g->text[2], "cde");
	assert_int_equal(g->l[2].start, 4);
	assert_int_equal(g->l[2].next, 8);
	assert_int_equal(g->l[2].more, 0);
}

static void
test_reader_strips_cr_before_lf_only(void **unused)
{
	struct got *g;

	(void)unused;
	g = read_all("a\r\nb\rc\r\n\r\nlast\r", 15, 0, 1);
	assert_int_equal(g->n, 4);
	assert_string_equal(g->text[0], "a");
	assert_string_equal(g->text[1], "b\rc");
	assert_string_equal(g->text[2], "");
	/* The last line needs no LF; its CR still goes. */
	assert_string_equal(g->text[3], "last");
	assert_int_equal(g->l[3].next, 15);
}

static void
test_reader_skips_bom_at_start_only(void **unused)
{
	struct got *g;

	(void)unused;
	g = read_all("\xef\xbb\xbf[x]\n\xef\xbb\xbfy\n", 12, 0, 1);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->text[0], "[x]");
	assert_int_equal(g->l[0].start, 3);
	assert_string_equal(g->text[1], "\xef\xbb\xbfy");
	/* A BOM alone, and a short input, are fine too. */
	g = read_all("\xef\xbb\xbf", 3, 0, 1);
	assert_int_equal(g->n, 0);
	g = read_all("a", 1, 0, 1);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->text[0], "a");
}

static void
test_reader_keeps_partial_last_line_unless_asked(void **unused)
{
	struct got *g;

	(void)unused;
	g = read_all("one\ntwo", 7, 0, 0);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->text[0], "one");
	g = read_all("one\ntwo", 7, 0, 1);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->text[1], "two");
}

static void
test_reader_long_line_in_pieces(void **unused)
{
	char data[200];
	struct got *g;

	(void)unused;
	/* 150 bytes, then CRLF: with a 64-byte buffer, three pieces. */
	memset(data, 'x', 150);
	data[63] = '\r'; /* a CR at a seam that is not before LF stays */
	data[64] = 'y';
	memcpy(data + 150, "\r\nz\n", 4);
	g = read_all(data, 154, 64, 1);
	assert_int_equal(g->n, 4);
	assert_int_equal(g->l[0].len, 63);
	assert_int_equal(g->l[0].more, 1);
	assert_int_equal(g->l[1].start, 63);
	assert_int_equal(g->l[1].more, 1);
	assert_int_equal(g->l[0].len + g->l[1].len + g->l[2].len, 150);
	assert_int_equal(g->l[2].more, 0);
	assert_int_equal(g->l[2].next, 152);
	assert_int_equal(g->text[1][0], '\r');
	assert_int_equal(g->text[1][1], 'y');
	assert_string_equal(g->text[3], "z");
}

static void
test_reader_starts_at_given_offset(void **unused)
{
	struct reader r;
	struct line l;
	int fd = fd_with("abc\n", 4);

	(void)unused;
	assert_int_equal(reader_init(&r, fd, 1000, 0), 0);
	assert_int_equal(reader_fill(&r), 4);
	assert_int_equal(reader_next(&r, &l, 0), 1);
	assert_int_equal(l.start, 1000);
	assert_int_equal(l.next, 1004);
	assert_int_equal(reader_offset(&r), 1004);
	reader_free(&r);
	close(fd);
}

/* A line that arrives in small reads: scanned once, flagged right. */
static void
test_reader_line_in_small_reads(void **unused)
{
	const char *parts[] = {"[17/Jun", "/2011 17:00:45] a", "b\tc", "d\n",
	    "plain ", "line\r", "\n"};
	struct reader r;
	struct line l;
	int fds[2];

	(void)unused;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(reader_init(&r, fds[0], 0, 0), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(reader_next(&r, &l, 0), 0);
		assert_true(write(fds[1], parts[i], strlen(parts[i])) > 0);
		assert_true(reader_fill(&r) > 0);
	}
	assert_int_equal(reader_next(&r, &l, 0), 1);
	assert_int_equal(l.len, 28);
	assert_memory_equal(l.p, "[17/Jun/2011 17:00:45] ab\tcd", 28);
	assert_int_equal(l.plain, 0);
	for (int i = 4; i < 7; i++) {
		assert_int_equal(reader_next(&r, &l, 0), 0);
		assert_true(write(fds[1], parts[i], strlen(parts[i])) > 0);
		assert_true(reader_fill(&r) > 0);
	}
	assert_int_equal(reader_next(&r, &l, 0), 1);
	assert_int_equal(l.len, 10);
	assert_memory_equal(l.p, "plain line", 10);
	assert_int_equal(l.plain, 1);
	assert_int_equal(l.next, 41);
	reader_free(&r);
	close(fds[0]);
	close(fds[1]);
}

/*
 * reader_fill's convention: the count read, 0 at the end of input, -1
 * with errno; a full buffer is ENOBUFS with nothing read, not "1 byte".
 */
static void
test_reader_fill_convention(void **unused)
{
	char data[64];
	struct reader r;
	struct line l;
	int fds[2];

	(void)unused;
	memset(data, 'x', sizeof(data));
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(reader_init(&r, fds[0], 100, 64), 0);
	assert_int_equal(reader_fd(&r), fds[0]);
	assert_int_equal(write(fds[1], data, 64), 64);
	assert_int_equal(write(fds[1], "ab\n", 3), 3);
	assert_int_equal(reader_fill(&r), 64);
	assert_memory_equal(reader_last(&r, 64), data, 64);
	assert_int_equal(reader_read_offset(&r), 164);
	/* Full: nothing is read until the piece is taken. */
	errno = 0;
	assert_int_equal(reader_fill(&r), -1);
	assert_int_equal(errno, ENOBUFS);
	assert_int_equal(reader_read_offset(&r), 164);
	assert_int_equal(reader_at_eof(&r), 0);
	assert_int_equal(reader_next(&r, &l, 0), 1);
	assert_int_equal(l.len, 64);
	assert_int_equal(l.more, 1);
	assert_int_equal(reader_fill(&r), 3);
	assert_memory_equal(reader_last(&r, 3), "ab\n", 3);
	assert_int_equal(reader_read_offset(&r), 167);
	assert_int_equal(reader_next(&r, &l, 0), 1);
	assert_memory_equal(l.p, "ab", 2);
	assert_int_equal(l.next, 167);
	/* Would block: -1, EAGAIN; the caller decides. */
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	errno = 0;
	assert_int_equal(reader_fill(&r), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(reader_at_eof(&r), 0);
	/* The end of input: 0, and at_eof until more comes. */
	close(fds[1]);
	assert_int_equal(reader_fill(&r), 0);
	assert_int_equal(reader_at_eof(&r), 1);
	assert_int_equal(reader_next(&r, &l, 1), 0);
	reader_free(&r);
	close(fds[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reader_splits_lines_with_offsets),
	    cmocka_unit_test(test_reader_strips_cr_before_lf_only),
	    cmocka_unit_test(test_reader_skips_bom_at_start_only),
	    cmocka_unit_test(test_reader_keeps_partial_last_line_unless_asked),
	    cmocka_unit_test(test_reader_long_line_in_pieces),
	    cmocka_unit_test(test_reader_starts_at_given_offset),
	    cmocka_unit_test(test_reader_line_in_small_reads),
	    cmocka_unit_test(test_reader_fill_convention),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
