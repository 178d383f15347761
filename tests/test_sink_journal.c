/*
 * Unit tests for sink_journal and journal_read: a record's fields, the
 * identity the commit sees, skip, and the sequence field
 * read back. Nothing here talks to journald (tests/journal does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal_read.h"
#include "sink_journal.h"
#include "unit_clock.h"

/* Through the tables, as the pipeline and the commit call a sink (the
 * thin sink_* calls are sink.c's): the core, and the durable extension. */
#define CALL(op, ...) (*s.ops->op)(s.impl, __VA_ARGS__)
#define CALL0(op) (*s.ops->op)(s.impl)
#define DURABLE(op, ...) (*s.durable->op)(s.impl, __VA_ARGS__)
#define DURABLE0(op) (*s.durable->op)(s.impl)

static int64_t wall_now;
static const struct clock wall = {unit_clock_read, &wall_now};

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static struct sink_journal *
open_sink(const char *instance)
{
	struct sink_journal_opts o = {
	    .tag = "kerio",
	    .instance = instance,
	    .clock = &wall,
	};
	struct sink_journal *j = sink_journal_open(&o);

	assert_non_null(j);
	return j;
}

/* The field at i of rec, as a string (in a static buffer). */
static const char *
field(const struct sink_journal_record *rec, int i)
{
	static char s[512];
	size_t n = rec->iov[i].iov_len;

	assert_true(n < sizeof(s));
	memcpy(s, rec->iov[i].iov_base, n);
	s[n] = '\0';
	return s;
}

static void
test_sink_journal_record_fields(void **unused)
{
	static const char text[] =
	    "2011-06-17T17:00:45+02:00 mail kerio: Failed SMTP login from "
	    "192.0.2.1 with SASL method PLAIN.\n";
	static const char *const want[] = {
	    "MESSAGE=Failed SMTP login from 192.0.2.1 with SASL method PLAIN.",
	    "SYSLOG_IDENTIFIER=kerio",
	    "SYSLOG_FACILITY=10",
	    "PRIORITY=5",
	    "KERIO_TIME=2011-06-17T17:00:45+02:00",
	    "KERIO_INPUT=/var/log/security.log",
	    "KERIO2SYSLOG=1",
	    "KERIO2SYSLOG_INSTANCE=/var/lib/k2s/state",
	    "KERIO2SYSLOG_POS=2049:77:1234",
	    "KERIO2SYSLOG_SEQ=42",
	    "KERIO2SYSLOG_LATE=0",
	};
	struct stamp st = {2011, 6, 17, 17, 0, 45};
	struct sink_entry e = {
	    .stamp = &st,
	    .msg_at = 38,
	    .dev = 2049,
	    .ino = 77,
	    .start = 1234,
	};
	struct sink_journal_record rec;
	struct sink_journal *j;
	char buf[SINK_JOURNAL_ROOM + sizeof(text)];
	int i;

	(void)unused;
	zone("Europe/Prague");
	j = open_sink("/var/lib/k2s/state");
	assert_int_equal(sink_journal_input(j, "/var/log/security.log"), 0);
	memcpy(buf + SINK_JOURNAL_ROOM, text, sizeof(text) - 1);
	sink_journal_record(j, buf + SINK_JOURNAL_ROOM, sizeof(text) - 1, &e,
	    42, &rec);
	assert_int_equal(rec.n, 11);
	for (i = 0; i < rec.n; i++)
		assert_string_equal(field(&rec, i), want[i]);
	/* The entry's late flag (format.c's rule) is the field. */
	e.late = 1;
	sink_journal_record(j, buf + SINK_JOURNAL_ROOM, sizeof(text) - 1, &e,
	    43, &rec);
	assert_string_equal(field(&rec, 9), "KERIO2SYSLOG_SEQ=43");
	assert_string_equal(field(&rec, 10), "KERIO2SYSLOG_LATE=1");
	sink_journal_free(j);
}

/* Without an instance (file mode): no instance, position, sequence or
 * late mark, and a message at the line's start; no LF, no harm. */
static void
test_sink_journal_record_no_instance(void **unused)
{
	struct stamp st = {2011, 1, 17, 17, 0, 45};
	struct sink_entry e = {.stamp = &st, .msg_at = 0};
	struct sink_journal_record rec;
	struct sink_journal *j;
	char buf[SINK_JOURNAL_ROOM + 8];

	(void)unused;
	zone("Europe/Prague");
	j = open_sink(NULL);
	memcpy(buf + SINK_JOURNAL_ROOM, "abc", 3);
	sink_journal_record(j, buf + SINK_JOURNAL_ROOM, 3, &e, 1, &rec);
	assert_int_equal(rec.n, 7);
	assert_string_equal(field(&rec, 0), "MESSAGE=abc");
	assert_string_equal(field(&rec, 4),
	    "KERIO_TIME=2011-01-17T17:00:45+01:00");
	assert_string_equal(field(&rec, 5), "KERIO_INPUT=-");
	sink_journal_free(j);
}

/* What the commit sees: a fixed mark per instance, the count as size;
 * skipped records are neither sent nor counted; none without instance. */
static void
test_sink_journal_identity_skip(void **unused)
{
	struct stamp st = {2011, 6, 17, 15, 0, 45};
	struct sink_entry e = {.stamp = &st, .msg_at = 2};
	struct sink_journal *a, *b, *c;
	struct sink_id ia, ib;
	struct sink s;
	char *p;

	(void)unused;
	a = open_sink("/state/a");
	b = open_sink("/state/b");
	c = open_sink(NULL);
	sink_journal_sink(a, &s);
	assert_int_equal(DURABLE(identity, &ia), 1);
	assert_int_equal(ia.size, 0);
	sink_journal_sink(b, &s);
	assert_int_equal(DURABLE(identity, &ib), 1);
	assert_true(ia.dev == ib.dev && ia.ino != ib.ino);
	sink_journal_sink(c, &s);
	assert_int_equal(DURABLE(identity, &ib), 0);
	/* Nothing to reconcile without an instance: said, not guessed. */
	errno = 0;
	assert_int_equal(sink_journal_reconcile(c, &wall, 1), -1);
	assert_int_equal(errno, EINVAL);

	sink_journal_sink(a, &s);
	DURABLE(skip, 2);
	assert_int_equal(DURABLE0(skipping), 2);
	/* A line in two pieces, then a whole one: two records dropped. */
	p = CALL(reserve, 3);
	assert_non_null(p);
	memcpy(p, "x: ", 3);
	CALL(commit, 3, NULL);
	p = CALL(reserve, 4);
	memcpy(p, "one\n", 4);
	CALL(commit, 4, &e);
	assert_int_equal(DURABLE0(skipping), 1);
	p = CALL(reserve, 6);
	memcpy(p, "x: 2\n", 5);
	CALL(commit, 5, &e);
	assert_int_equal(DURABLE0(skipping), 0);
	assert_int_equal(sink_journal_count(a), 0);
	assert_int_equal(CALL0(pending), 0);
	assert_int_equal(CALL0(error), 0);
	assert_int_equal(CALL0(flush), 0);
	sink_journal_free(a);
	sink_journal_free(b);
	sink_journal_free(c);
}

static void
test_journal_read_number(void **unused)
{
	static const struct {
		const char *data;
		int rc;
		uint64_t v;
	} cases[] = {
	    {.data = "KERIO2SYSLOG_SEQ=0", .rc = 0, .v = 0},
	    {.data = "KERIO2SYSLOG_SEQ=42", .rc = 0, .v = 42},
	    {.data = "KERIO2SYSLOG_SEQ=18446744073709551615",
	        .rc = 0,
	        .v = UINT64_MAX},
	    {.data = "KERIO2SYSLOG_SEQ=18446744073709551616", .rc = -1},
	    {.data = "KERIO2SYSLOG_SEQ=", .rc = -1},
	    {.data = "KERIO2SYSLOG_SEQ=-1", .rc = -1},
	    {.data = "KERIO2SYSLOG_SEQ=1 ", .rc = -1},
	    {.data = "KERIO2SYSLOG_SEQX=1", .rc = -1},
	    {.data = "KERIO2SYSLOG_SE=1", .rc = -1},
	};
	uint64_t v;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 7;
		assert_int_equal(journal_read_number(cases[i].data,
		                     strlen(cases[i].data), "KERIO2SYSLOG_SEQ",
		                     &v),
		    cases[i].rc);
		if (cases[i].rc == 0)
			assert_true(v == cases[i].v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sink_journal_record_fields),
	    cmocka_unit_test(test_sink_journal_record_no_instance),
	    cmocka_unit_test(test_sink_journal_identity_skip),
	    cmocka_unit_test(test_journal_read_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
