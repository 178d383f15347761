/* Unit tests for convert: entries to output lines, the read loop. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "convert.h"

static char text[8192];

static FILE *
file_with(const char *data)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
	assert_int_equal(fflush(f), 0);
	rewind(f);
	return f;
}

/* Runs convert_stream over data and returns what was written. */
static const char *
convert(const char *data, enum stamp_format fmt, size_t max, const char *match,
    const char *exclude)
{
	static volatile sig_atomic_t stop, hup;
	struct convert_opts co = {fmt, "mailhost", "kerio", max, NULL, 1000};
	struct convert_signals sig = {&stop, &hup, NULL};
	FILE *in = file_with(data), *sink = tmpfile();
	struct converter c;
	struct output out;
	struct reader r;
	char err[64];
	sigset_t mask;
	size_t n;
	long at;

	sigemptyset(&mask);
	sig.mask = &mask;
	co.sel = select_new();
	if (match != NULL)
		assert_int_equal(select_add(co.sel, 0, match, err, 64, &at), 0);
	if (exclude != NULL)
		assert_int_equal(select_add(co.sel, 1, exclude, err, 64, &at),
		    0);
	assert_non_null(sink);
	assert_int_equal(output_open(&out, NULL, 128), 0);
	out.fd = fileno(sink);
	assert_int_equal(converter_init(&c, &co, &out, NULL, NULL), 0);
	assert_int_equal(reader_init(&r, fileno(in), 0, 0), 0);
	assert_int_equal(convert_stream(&c, &r, &sig), CONVERT_EOF);
	assert_int_equal(output_pending(&out), 0);
	rewind(sink);
	n = fread(text, 1, sizeof(text) - 1, sink);
	text[n] = '\0';
	reader_free(&r);
	converter_free(&c);
	free(out.buf);
	select_free(co.sel);
	fclose(in);
	fclose(sink);
	return text;
}

static void
test_convert_bsd_lines(void **unused)
{
	(void)unused;
	assert_string_equal(
	    convert("[17/Jun/2011 17:00:45] Attempt to deliver to unknown "
	            "recipient <a@b>, from <c@d>, IP address\n"
	            "  200.90.149.178\n"
	            "[07/Jun/2011 07:00:45] Failed SMTP login from 1.2.3.4 "
	            "with SASL method PLAIN.",
	        STAMP_BSD, 16384, NULL, NULL),
	    "Jun 17 17:00:45 mailhost kerio: Attempt to deliver to unknown "
	    "recipient <a@b>, from <c@d>, IP address 200.90.149.178\n"
	    "Jun  7 07:00:45 mailhost kerio: Failed SMTP login from 1.2.3.4 "
	    "with SASL method PLAIN.\n");
}

static void
test_convert_rfc3339_lines(void **unused)
{
	(void)unused;
	setenv("TZ", "Europe/Prague", 1);
	tzset();
	assert_string_equal(convert("[17/Jun/2011 17:00:45] a\n"
	                            "[17/Dec/2011 17:00:45] b\n",
	                        STAMP_RFC3339, 16384, NULL, NULL),
	    "2011-06-17T17:00:45+02:00 mailhost kerio: a\n"
	    "2011-12-17T17:00:45+01:00 mailhost kerio: b\n");
}

/* The escaping is that of the output, the cap that of the message. */
static void
test_convert_escapes_after_cut(void **unused)
{
	(void)unused;
	assert_string_equal(convert("[17/Jun/2011 17:00:45] a\tb\x7f"
	                            "cdefgh\n",
	                        STAMP_BSD, 5, NULL, NULL),
	    "Jun 17 17:00:45 mailhost kerio: a#011b#177c\n");
}

/* A message longer than the output buffer still goes out whole. */
static void
test_convert_message_longer_than_buffer(void **unused)
{
	char in[2048], want[8192];
	const char *got;

	(void)unused;
	memcpy(in, "[17/Jun/2011 17:00:45] ", 23);
	for (int i = 0; i < 1000; i++)
		in[23 + i] = (char)(i % 3 == 0 ? '\t' : 'a' + i % 26);
	memcpy(in + 1023, "\n", 2);
	got = convert(in, STAMP_BSD, 16384, NULL, NULL);
	snprintf(want, sizeof(want), "Jun 17 17:00:45 mailhost kerio: ");
	for (int i = 0; i < 1000; i++) {
		size_t n = strlen(want);

		if (i % 3 == 0)
			memcpy(want + n, "#011", 5);
		else
			snprintf(want + n, sizeof(want) - n, "%c",
			    'a' + i % 26);
	}
	strcat(want, "\n");
	assert_string_equal(got, want);
}

static void
test_convert_selection(void **unused)
{
	const char *log = "[17/Jun/2011 17:00:45] Failed IMAP login from "
	                  "1.2.3.4, x\n"
	                  "[17/Jun/2011 17:00:46] Found virus in mail\n"
	                  "[17/Jun/2011 17:00:47] Failed POP3 login from "
	                  "5.6.7.8, y\n";

	(void)unused;
	assert_string_equal(convert(log, STAMP_BSD, 16384, "^Failed", "5\\.6"),
	    "Jun 17 17:00:45 mailhost kerio: Failed IMAP login from 1.2.3.4, "
	    "x\n");
	assert_string_equal(convert(log, STAMP_BSD, 16384, NULL, "virus"),
	    "Jun 17 17:00:45 mailhost kerio: Failed IMAP login from 1.2.3.4, "
	    "x\n"
	    "Jun 17 17:00:47 mailhost kerio: Failed POP3 login from 5.6.7.8, "
	    "y\n");
}

static void
test_convert_orphans_and_empty_input(void **unused)
{
	(void)unused;
	assert_string_equal(convert("", STAMP_BSD, 16384, NULL, NULL), "");
	assert_string_equal(convert("orphan\n\n", STAMP_BSD, 16384, NULL, NULL),
	    "");
	assert_string_equal(convert("\xef\xbb\xbforphan\r\n"
	                            "[17/Jun/2011 17:00:45] x\r\n",
	                        STAMP_BSD, 16384, NULL, NULL),
	    "Jun 17 17:00:45 mailhost kerio: x\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_convert_bsd_lines),
	    cmocka_unit_test(test_convert_rfc3339_lines),
	    cmocka_unit_test(test_convert_escapes_after_cut),
	    cmocka_unit_test(test_convert_message_longer_than_buffer),
	    cmocka_unit_test(test_convert_selection),
	    cmocka_unit_test(test_convert_orphans_and_empty_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
