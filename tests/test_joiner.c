/* Unit tests for joiner: lines to entries, trimming, orphans, the cap. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "joiner.h"
#include "reader.h"
#include "stamp.h"

#define MAX_SEEN 16

struct seen {
	int n;
	char msg[MAX_SEEN][512];
	struct entry e[MAX_SEEN];
	int events[3];
	uint64_t ev_line[3], ev_count[3];
};

static void
on_emit(void *ctx, const struct entry *e)
{
	struct seen *s = ctx;

	assert_true(s->n < MAX_SEEN);
	assert_true(e->len < sizeof(s->msg[0]));
	memcpy(s->msg[s->n], e->msg, e->len);
	s->msg[s->n][e->len] = '\0';
	s->e[s->n] = *e;
	s->n++;
}

static void
on_event(void *ctx, enum joiner_event ev, uint64_t line, uint64_t count)
{
	struct seen *s = ctx;

	if (s->events[ev]++ == 0) {
		s->ev_line[ev] = line;
		s->ev_count[ev] = count;
	}
}

/* Feeds text split on LF, as the reader would, offsets included. */
static void
feed(struct joiner *j, const char *text)
{
	off_t off = 0;

	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t n = nl != NULL ? (size_t)(nl - text) : strlen(text);
		struct line l = {text, n, off, off + (off_t)n + 1, 0, 0};

		joiner_push(j, &l);
		off = l.next;
		text += n + (nl != NULL);
	}
}

static struct seen *
run(const char *text, size_t cap)
{
	static struct seen s;
	struct joiner j;

	memset(&s, 0, sizeof(s));
	assert_int_equal(joiner_init(&j, cap, on_emit, on_event, &s), 0);
	feed(&j, text);
	joiner_end(&j);
	joiner_free(&j);
	return &s;
}

static void
test_joiner_one_entry_per_stamp(void **unused)
{
	struct seen *s;

	(void)unused;
	s = run("[17/Jun/2011 17:00:45] first\n"
	        "[17/Jun/2011 17:00:46]  two spaces\n"
	        "[17/Jun/2011 17:00:47]\n"
	        "[21/Mar/2015 17:42:12][4522610688] {smtps} x\n",
	    1024);
	assert_int_equal(s->n, 4);
	assert_string_equal(s->msg[0], "first");
	assert_int_equal(s->e[0].stamp.sec, 45);
	assert_int_equal(s->e[0].line, 1);
	assert_int_equal(s->e[0].start, 0);
	/* Exactly one space after the stamp is dropped. */
	assert_string_equal(s->msg[1], " two spaces");
	assert_int_equal(s->e[1].start, 29);
	assert_string_equal(s->msg[2], "");
	assert_string_equal(s->msg[3], "[4522610688] {smtps} x");
}

static void
test_joiner_joins_trimmed_continuations(void **unused)
{
	struct seen *s;

	(void)unused;
	s = run("[17/Jun/2011 17:00:45] with IP :   \n"
	        "\t  address 121.22.157.181  \t\n"
	        "\n"
	        "   \n"
	        "more\n"
	        "[17/Jun/2011 17:00:46] next\n",
	    1024);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->msg[0], "with IP : address 121.22.157.181 more");
	assert_string_equal(s->msg[1], "next");
}

static void
test_joiner_orphans_counted_not_written(void **unused)
{
	struct seen *s;

	(void)unused;
	s = run("\n"
	        "orphan one\n"
	        "  \n"
	        "orphan two\n"
	        "[17/Jun/2011 17:00:45] entry\n",
	    1024);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->msg[0], "entry");
	assert_int_equal(s->e[0].line, 5);
	assert_int_equal(s->events[JOINER_ORPHANS], 1);
	assert_int_equal(s->ev_line[JOINER_ORPHANS], 2);
	assert_int_equal(s->ev_count[JOINER_ORPHANS], 2);
	/* Orphans only: reported at the end of the input. */
	s = run("a\nb\nc\n", 1024);
	assert_int_equal(s->n, 0);
	assert_int_equal(s->events[JOINER_ORPHANS], 1);
	assert_int_equal(s->ev_line[JOINER_ORPHANS], 1);
	assert_int_equal(s->ev_count[JOINER_ORPHANS], 3);
}

static void
test_joiner_bad_stamp_is_a_counted_continuation(void **unused)
{
	struct seen *s;

	(void)unused;
	s = run("[17/Jun/2011 17:00:45] a\n"
	        "[29/Feb/2011 17:00:46] b\n"
	        "[4522610688] c\n",
	    1024);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->msg[0],
	    "a [29/Feb/2011 17:00:46] b [4522610688] c");
	assert_int_equal(s->events[JOINER_BAD_STAMP], 1);
	assert_int_equal(s->ev_line[JOINER_BAD_STAMP], 2);
}

static void
test_joiner_cut_at_utf8_boundary(void **unused)
{
	struct seen *s;

	(void)unused;
	/* "é" is two bytes: a cap of 4 after "ab" cannot take "éé"[1]. */
	s = run("[17/Jun/2011 17:00:45] ab\xc3\xa9\xc3\xa9\n"
	        "dropped continuation\n"
	        "[17/Jun/2011 17:00:46] ok\n",
	    5);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->msg[0], "ab\xc3\xa9");
	assert_int_equal(s->e[0].cut, 1);
	assert_string_equal(s->msg[1], "ok");
	assert_int_equal(s->e[1].cut, 0);
	assert_int_equal(s->events[JOINER_CUT], 1);
	assert_int_equal(s->ev_line[JOINER_CUT], 1);
	/* A three-byte character straddling the cap goes whole. */
	s = run("[17/Jun/2011 17:00:45] a\xe2\x82\xac\n", 3);
	assert_string_equal(s->msg[0], "a");
	/* A cut between characters keeps all that fits. */
	s = run("[17/Jun/2011 17:00:45] abcdef\n", 3);
	assert_string_equal(s->msg[0], "abc");
	/* The cut may fall on a continuation. */
	s = run("[17/Jun/2011 17:00:45] abc\ndefgh\nxyz\n", 6);
	assert_string_equal(s->msg[0], "abc de");
}

static void
test_joiner_counts(void **unused)
{
	struct seen s;
	struct joiner j;

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(joiner_init(&j, 8, on_emit, on_event, &s), 0);
	feed(&j,
	    "orphan\n"
	    "[17/Jun/2011 17:00:45] a\n"
	    "b\n"
	    "[17/Jun/2011 17:00:46] 0123456789\n"
	    "gone\n"
	    "[17/Jun/2011 99:00:46] gone too\n");
	joiner_end(&j);
	assert_int_equal(j.n.lines, 6);
	assert_int_equal(j.n.entries, 2);
	assert_int_equal(j.n.joined, 1);
	assert_int_equal(j.n.orphans, 1);
	assert_int_equal(j.n.cut, 1);
	assert_int_equal(j.n.bad, 1);
	assert_int_equal(j.n.dropped, 2);
	joiner_free(&j);
}

/* After a flush, a late continuation is an entry of its own. */
static void
test_joiner_flush_then_late_continuation(void **unused)
{
	struct seen s;
	struct joiner j;

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(joiner_init(&j, 64, on_emit, on_event, &s), 0);
	feed(&j, "[17/Jun/2011 17:00:45] first part\n");
	assert_int_equal(joiner_pending(&j), 1);
	assert_int_equal(joiner_pending_start(&j), 0);
	joiner_flush(&j);
	assert_int_equal(joiner_pending(&j), 0);
	assert_int_equal(s.n, 1);
	joiner_flush(&j);
	assert_int_equal(s.n, 1);
	feed(&j, "  late part\n");
	assert_int_equal(joiner_pending(&j), 1);
	joiner_end(&j);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.msg[0], "first part");
	/* Marked: the client's text must not pass for a whole message. */
	assert_string_equal(s.msg[1], "[continued] late part");
	assert_int_equal(s.e[1].stamp.sec, 45);
	assert_int_equal(j.n.resumed, 1);
	joiner_free(&j);
}

/* A line in pieces gives the same entry as the whole line. */
static void
test_joiner_pieces_equal_whole(void **unused)
{
	const char *text = "[17/Jun/2011 17:00:45] abcdefghij  ";
	const char *cont = "   klmnop   ";
	struct seen s;
	struct joiner j;
	struct line l;

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(joiner_init(&j, 64, on_emit, on_event, &s), 0);
	l = (struct line){text, 26, 0, 26, 1, 0};
	joiner_push(&j, &l);
	l = (struct line){text + 26, strlen(text) - 26, 26, 40, 0, 0};
	joiner_push(&j, &l);
	/* A continuation in three pieces, blanks at every seam. */
	l = (struct line){cont, 2, 40, 42, 1, 0};
	joiner_push(&j, &l);
	l = (struct line){cont + 2, 5, 42, 47, 1, 0};
	joiner_push(&j, &l);
	l = (struct line){cont + 7, 5, 47, 53, 0, 0};
	joiner_push(&j, &l);
	/* Flushing half a line would split it: it waits. */
	l = (struct line){"x", 1, 53, 54, 1, 0};
	joiner_push(&j, &l);
	joiner_flush(&j);
	assert_int_equal(s.n, 0);
	l = (struct line){"y", 1, 54, 56, 0, 0};
	joiner_push(&j, &l);
	joiner_end(&j);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.msg[0], "abcdefghij klmnop xy");
	assert_int_equal(j.n.lines, 3);
	joiner_free(&j);
}

static void
test_joiner_end_resets_for_next_input(void **unused)
{
	struct seen s;
	struct joiner j;

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(joiner_init(&j, 64, on_emit, on_event, &s), 0);
	feed(&j, "[17/Jun/2011 17:00:45] a\n");
	joiner_end(&j);
	/* A second input that starts with a continuation: orphan. */
	feed(&j, "continued?\n[17/Jun/2011 17:00:46] b\n");
	joiner_end(&j);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.msg[0], "a");
	assert_string_equal(s.msg[1], "b");
	assert_int_equal(s.e[1].line, 2);
	assert_int_equal(s.events[JOINER_ORPHANS], 1);
	assert_int_equal(s.ev_line[JOINER_ORPHANS], 1);
	joiner_free(&j);
}

/* Appends n copies of the string r to b (NUL-terminated). */
static char *
rep(char *b, const char *r, int n)
{
	while (n-- > 0)
		strcat(b, r);
	return b;
}

/*
 * A cut entry keeps its head and its real end, the mark between them:
 * the address Kerio writes at the end of a long message is still there.
 * A cap of 100 leaves a tail of 25 bytes and a head of 100 - 25 - 7.
 */
static void
test_joiner_cut_keeps_head_and_tail(void **unused)
{
	static char in[4096], want[512];
	struct seen *s;

	(void)unused;
	assert_int_equal(joiner_tail_reserve(100), 25);
	assert_int_equal(joiner_tail_reserve(16384), 512);
	assert_int_equal(joiner_tail_reserve(JOINER_CUT_MARK_LEN * 2 - 1), 0);
	/* Cut in one line: a user name of 200 bytes (rule 5). */
	in[0] = want[0] = '\0';
	strcat(in, "[17/Jun/2011 17:00:45] SMTP: User ");
	rep(in, "u", 200);
	strcat(in,
	    " doesn't exist. Attempt from IP address 192.0.2.7.\n"
	    "[17/Jun/2011 17:00:46] next\n");
	s = run(in, 100);
	strcat(want, "SMTP: User ");
	rep(want, "u", 57);
	strcat(want, " [cut] rom IP address 192.0.2.7.");
	assert_int_equal(s->n, 2);
	assert_int_equal(s->e[0].cut, 1);
	assert_string_equal(s->msg[0], want);
	assert_int_equal(s->e[0].len, 68 + JOINER_CUT_MARK_LEN + 25);
	assert_string_equal(s->msg[1], "next");
	assert_int_equal(s->events[JOINER_CUT], 1);
	assert_int_equal(s->ev_line[JOINER_CUT], 1);
	/* Cut across wrapped lines: the lines after the cut are joined
	 * (trimmed, one space between) into the tail (rule 1). */
	in[0] = want[0] = '\0';
	strcat(in,
	    "[17/Jun/2011 17:00:45] Attempt to deliver to unknown "
	    "recipient <");
	rep(in, "r", 50);
	strcat(in, "   \n\t ");
	rep(in, "r", 50);
	strcat(in, "  \n  >, from <s@x>, IP address\n  203.0.113.9  \n");
	s = run(in, 100);
	strcat(want, "Attempt to deliver to unknown recipient <");
	rep(want, "r", 27);
	strcat(want, " [cut] >, IP address 203.0.113.9");
	assert_int_equal(s->n, 1);
	assert_int_equal(s->e[0].cut, 1);
	assert_string_equal(s->msg[0], want);
	assert_int_equal(s->e[0].len, 100);
	/* Neither the head nor the tail splits a character: "é" is two
	 * bytes, the head gives back half of one, the tail skips half. */
	in[0] = want[0] = '\0';
	strcat(in, "[17/Jun/2011 17:00:45] x");
	rep(in, "\xc3\xa9", 100);
	strcat(in, "ends\n");
	s = run(in, 100);
	strcat(want, "x");
	rep(want, "\xc3\xa9", 33);
	strcat(want, " [cut] ");
	rep(want, "\xc3\xa9", 10);
	strcat(want, "ends");
	assert_string_equal(s->msg[0], want);
	assert_int_equal(s->e[0].len, 67 + JOINER_CUT_MARK_LEN + 24);
}

/* A planted address never ends a cut message, and the real end does. */
static void
test_joiner_cut_is_marked(void **unused)
{
	struct seen *s;

	(void)unused;
	/* A recipient padded so that the cap falls after a forged address:
	 * the line ends with the real one, the forged one in the middle. */
	s = run("[17/Jun/2011 17:00:45] Attempt to deliver to unknown "
	        "recipient <xx>, from <a@b>, IP address 192.0.2.66>, from "
	        "<cccccccccccccccccccccccccccccccccccccccc@d>, IP address "
	        "203.0.113.1\n",
	    120);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->e[0].cut, 1);
	assert_string_equal(s->msg[0],
	    "Attempt to deliver to unknown recipient <xx>, from <a@b>, IP "
	    "address 192.0.2.66>, f [cut] ccc@d>, IP address 203.0.113.1");
	assert_int_equal(strlen(s->msg[0]), 120);
	/* Exactly at the cap: no cut, no mark. */
	s = run("[17/Jun/2011 17:00:45] 0123456789abcdef\n", 16);
	assert_string_equal(s->msg[0], "0123456789abcdef");
	assert_int_equal(s->e[0].cut, 0);
	/* The smallest cap with a tail. */
	s = run("[17/Jun/2011 17:00:45] 0123456789abcdefg\n", 16);
	assert_string_equal(s->msg[0], "01234 [cut] defg");
	assert_int_equal(s->e[0].cut, 1);
}

/* A late continuation of a cut entry is an entry of its own, marked. */
static void
test_joiner_cut_then_late_continuation(void **unused)
{
	struct seen s;
	struct joiner j;

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(joiner_init(&j, 40, on_emit, on_event, &s), 0);
	feed(&j,
	    "[17/Jun/2011 17:00:45] 0123456789012345678901234567890123"
	    "456789xyz\n"
	    "more\n");
	joiner_flush(&j);
	feed(&j, "late\n");
	joiner_end(&j);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.msg[0],
	    "01234567890123456789012 [cut] 89xyz more");
	assert_string_equal(s.msg[1], "[continued] late");
	assert_int_equal(s.e[1].cut, 0);
	assert_int_equal(j.n.joined, 1);
	assert_int_equal(j.n.dropped, 0);
	assert_int_equal(j.n.resumed, 1);
	joiner_free(&j);
}

/* Writes all of s to fd (a pipe with room for it). */
static void
put(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Pushes every line the reader has complete; returns how many. */
static int
take(struct reader *r, struct joiner *j)
{
	struct line l;
	int n = 0;

	while (reader_next(r, &l, 0)) {
		joiner_push(j, &l);
		n++;
	}
	return n;
}

/*
 * A one-line entry is not copied: it is emitted from the line's own
 * bytes, by the next stamp as by a flush.
 */
static void
test_joiner_one_line_entry_not_copied(void **unused)
{
	const char *text = "[17/Jun/2011 17:00:45] first\n"
	                   "[17/Jun/2011 17:00:46] second\x01\n";
	struct seen s;
	struct joiner j;

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(joiner_init(&j, 64, on_emit, on_event, &s), 0);
	feed(&j, text);
	assert_int_equal(s.n, 1);
	assert_ptr_equal(s.e[0].msg, text + 23);
	joiner_flush(&j);
	assert_int_equal(s.n, 2);
	assert_ptr_equal(s.e[1].msg, text + 52);
	assert_string_equal(s.msg[0], "first");
	assert_memory_equal(s.msg[1], "second\x01", 8);
	assert_int_equal(s.e[1].len, 7);
	feed(&j, "  late\n");
	joiner_end(&j);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.msg[2], "[continued] late");
	assert_int_equal(s.e[2].stamp.sec, 46);
	joiner_free(&j);
}

/*
 * An entry pending while the reader's buffer is filled again: kept
 * before the fill, it is joined to the continuation that the fill
 * brings, though the fill wrote over the bytes it was read from.
 */
static void
test_joiner_pending_kept_across_refill(void **unused)
{
	struct seen s;
	struct joiner j;
	struct reader r;
	int fds[2];

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(joiner_init(&j, 64, on_emit, on_event, &s), 0);
	assert_int_equal(reader_init(&r, fds[0], 0, 64), 0);
	put(fds[1], "[17/Jun/2011 17:00:45] with IP :  \n");
	assert_true(reader_fill(&r) > 0);
	assert_int_equal(take(&r, &j), 1);
	assert_int_equal(joiner_pending(&j), 1);
	joiner_keep(&j);
	put(fds[1], "  address 192.0.2.7 and more bytes to cover the first\n");
	assert_true(reader_fill(&r) > 0);
	assert_int_equal(take(&r, &j), 1);
	/* Kept twice: a copy is not borrowed, nothing to do. */
	joiner_keep(&j);
	put(fds[1], "[17/Jun/2011 17:00:46] next\n");
	assert_true(reader_fill(&r) > 0);
	assert_int_equal(take(&r, &j), 1);
	joiner_keep(&j);
	put(fds[1], "[17/Jun/2011 17:00:47] last\n");
	assert_true(reader_fill(&r) > 0);
	assert_int_equal(take(&r, &j), 1);
	joiner_end(&j);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.msg[0],
	    "with IP : address 192.0.2.7 and more bytes to cover the first");
	assert_string_equal(s.msg[1], "next");
	assert_string_equal(s.msg[2], "last");
	assert_int_equal(s.e[1].start, 89);
	reader_free(&r);
	joiner_free(&j);
	close(fds[0]);
	close(fds[1]);
}

/*
 * A borrowed entry that is discarded leaves nothing behind: the line it
 * borrowed may go, and after a resume a continuation is an entry of its
 * own under the stamp resumed.
 */
static void
test_joiner_discard_resume_after_borrow(void **unused)
{
	char buf[64] = "[17/Jun/2011 17:00:45] dropped";
	struct line l = {buf, strlen(buf), 0, 31, 0, 1};
	struct stamp st;
	struct seen s;
	struct joiner j;

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(joiner_init(&j, 64, on_emit, on_event, &s), 0);
	joiner_push(&j, &l);
	assert_int_equal(joiner_pending(&j), 1);
	assert_int_equal(joiner_stamp(&j, &st), 1);
	joiner_discard(&j);
	memset(buf, 'x', sizeof(buf) - 1);
	joiner_keep(&j);
	joiner_end(&j);
	assert_int_equal(s.n, 0);
	assert_int_equal(joiner_pending(&j), 0);
	joiner_resume(&j, &st, 31);
	feed(&j, "  part two\n");
	assert_int_equal(joiner_pending(&j), 1);
	joiner_end(&j);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.msg[0], "[continued] part two");
	assert_int_equal(s.e[0].stamp.sec, 45);
	/* A borrowed entry pending at a resume is dropped as well. */
	strcpy(buf, "[17/Jun/2011 17:00:50] pending");
	joiner_push(&j, &l);
	joiner_resume(&j, &st, 31);
	memset(buf, 'x', sizeof(buf) - 1);
	feed(&j, "tail\n");
	joiner_end(&j);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.msg[1], "[continued] tail");
	assert_int_equal(s.e[1].stamp.sec, 45);
	joiner_free(&j);
}

/*
 * A stamp that differs from the last valid one in its seconds only is
 * judged without a parse, but as stamp_parse judges it: each line, pushed
 * after the ones before it, opens an entry under stamp_parse's stamp, or
 * is a (bad) continuation where stamp_parse says it is not valid.
 */
static void
test_joiner_stamp_as_parsed(void **unused)
{
	static const struct {
		const char *line;
		enum stamp_result want;
		int min, sec;
	} t[] = {
	    {.line = "[17/Jun/2011 17:00:45] a", .want = STAMP_VALID, 0, 45},
	    {.line = "[17/Jun/2011 17:00:45] same", .want = STAMP_VALID, 0, 45},
	    {.line = "[17/Jun/2011 17:00:46] next", .want = STAMP_VALID, 0, 46},
	    {.line = "[17/Jun/2011 17:00:09] back", .want = STAMP_VALID, 0, 9},
	    {.line = "[17/Jun/2011 17:00:60] leap", .want = STAMP_VALID, 0, 60},
	    {.line = "[17/Jun/2011 17:00:61] bad", .want = STAMP_BAD},
	    {.line = "[17/Jun/2011 17:00:99] bad", .want = STAMP_BAD},
	    {.line = "[17/Jun/2011 17:00:4x] bad", .want = STAMP_BAD},
	    {.line = "[17/Jun/2011 17:00:/0] bad", .want = STAMP_BAD},
	    {.line = "[17/Jun/2011 17:00:47 no bracket", .want = STAMP_BAD},
	    {.line = "[17/Jun/2011 17:00:47", .want = STAMP_BAD},
	    {.line = "[17/Jun/2011 17:00:", .want = STAMP_BAD},
	    {.line = "[17/Jun/2011 17:00:48]", .want = STAMP_VALID, 0, 48},
	    {.line = "[17/Jun/2011 17:01:48] min", .want = STAMP_VALID, 1, 48},
	    {.line = "[17/Jun/2011 17:01:49] sec", .want = STAMP_VALID, 1, 49},
	    {.line = "[17/Jun/2011 17:0x:50] bad", .want = STAMP_BAD},
	    {.line = "[17/Jun/2011 17:01;50] bad", .want = STAMP_BAD},
	    {.line = "[29/Feb/2011 17:01:50] bad", .want = STAMP_BAD},
	    {.line = "[17/Jun/2011 17:01:5] bad", .want = STAMP_BAD},
	    {.line = "  [17/Jun/2011 17:01:51] cont", .want = STAMP_NONE},
	    {.line = "[17/Jun/2011 17:01:51] last", .want = STAMP_VALID, 1, 51},
	};
	struct stamp parsed;
	struct seen s;
	struct joiner j;
	int entries = 0, bad = 0;

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(joiner_init(&j, 64, on_emit, on_event, &s), 0);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct joiner_counts n;
		size_t len = strlen(t[i].line);
		struct line l = {t[i].line, len, 0, (off_t)len + 1, 0, 1};

		assert_int_equal(stamp_parse(t[i].line, len, &parsed),
		    t[i].want);
		joiner_push(&j, &l);
		joiner_flush(&j);
		joiner_get_counts(&j, &n);
		entries += t[i].want == STAMP_VALID;
		bad += t[i].want == STAMP_BAD;
		assert_int_equal(n.bad, bad);
		assert_int_equal(n.entries, entries + n.resumed);
		if (t[i].want != STAMP_VALID)
			continue;
		assert_true(s.n > 0);
		assert_string_equal(s.msg[s.n - 1],
		    len > STAMP_KERIO_LEN ? t[i].line + STAMP_KERIO_LEN + 1
		                          : "");
		assert_memory_equal(&s.e[s.n - 1].stamp, &parsed,
		    sizeof(parsed));
		assert_int_equal(s.e[s.n - 1].stamp.min, t[i].min);
		assert_int_equal(s.e[s.n - 1].stamp.sec, t[i].sec);
		s.n = 0;
	}
	joiner_end(&j);
	joiner_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_joiner_one_entry_per_stamp),
	    cmocka_unit_test(test_joiner_joins_trimmed_continuations),
	    cmocka_unit_test(test_joiner_orphans_counted_not_written),
	    cmocka_unit_test(test_joiner_bad_stamp_is_a_counted_continuation),
	    cmocka_unit_test(test_joiner_cut_at_utf8_boundary),
	    cmocka_unit_test(test_joiner_cut_is_marked),
	    cmocka_unit_test(test_joiner_cut_keeps_head_and_tail),
	    cmocka_unit_test(test_joiner_cut_then_late_continuation),
	    cmocka_unit_test(test_joiner_counts),
	    cmocka_unit_test(test_joiner_flush_then_late_continuation),
	    cmocka_unit_test(test_joiner_pieces_equal_whole),
	    cmocka_unit_test(test_joiner_end_resets_for_next_input),
	    cmocka_unit_test(test_joiner_one_line_entry_not_copied),
	    cmocka_unit_test(test_joiner_pending_kept_across_refill),
	    cmocka_unit_test(test_joiner_discard_resume_after_borrow),
	    cmocka_unit_test(test_joiner_stamp_as_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
