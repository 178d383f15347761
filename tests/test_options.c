/* Unit tests for options: argv in, the fields or the usage error out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "select.h"

/* A row gives the defaults, then what it changes. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winitializer-overrides"
#else
#pragma GCC diagnostic ignored "-Woverride-init"
#endif

#define DEFAULTS                                                               \
	.mode = OPTIONS_FILES, .format = STAMP_BSD, .tag = "kerio",            \
	.max_entry = 16384, .flush_timeout = 100

struct row {
	const char *args[12]; /* after the program's name, NULL ended */
	const char *err;      /* NULL: parsed; else the usage error */
	struct options want;  /* when parsed: the fields compared */
	const char *file;     /* when parsed: the first FILE operand */
	int patterns;         /* when parsed: 1 if a pattern was kept */
};

static const struct row rows[] = {
    /* Nothing: standard input, every default. */
    {.args = {NULL}, .want = {DEFAULTS}},
    {.args = {"a.log", "-", "b.log"},
        .want = {DEFAULTS, .nfiles = 3},
        .file = "a.log"},
    /* Every option, short and long. */
    {.args = {"-o", "out.log"}, .want = {DEFAULTS, .output = "out.log"}},
    {.args = {"--output", "-"}, .want = {DEFAULTS, .output = "-"}},
    {.args = {"--output=o"}, .want = {DEFAULTS, .output = "o"}},
    {.args = {"--format", "rfc3339"},
        .want = {DEFAULTS, .format = STAMP_RFC3339}},
    {.args = {"--format", "rfc3339", "--format", "bsd"},
        .want = {DEFAULTS, .format = STAMP_BSD}},
    {.args = {"-H", "mailhost"}, .want = {DEFAULTS, .host = "mailhost"}},
    {.args = {"--hostname", "[2001:db8::1]"},
        .want = {DEFAULTS, .host = "[2001:db8::1]"}},
    {.args = {"-Hmx1"}, .want = {DEFAULTS, .host = "mx1"}},
    {.args = {"-t", "k2s"}, .want = {DEFAULTS, .tag = "k2s"}},
    {.args = {"--tag=mail_sec"}, .want = {DEFAULTS, .tag = "mail_sec"}},
    {.args = {"-m", "^Failed"}, .want = {DEFAULTS}, .patterns = 1},
    {.args = {"--match", "a", "--exclude", "b"},
        .want = {DEFAULTS},
        .patterns = 1},
    {.args = {"-x", "POP3"}, .want = {DEFAULTS}, .patterns = 1},
    {.args = {"--max-entry", "1"}, .want = {DEFAULTS, .max_entry = 1}},
    {.args = {"--max-entry", "16777216"},
        .want = {DEFAULTS, .max_entry = 16777216}},
    {.args = {"--flush-timeout", "0"}, .want = {DEFAULTS, .flush_timeout = 0}},
    {.args = {"--flush-timeout", "86400000"},
        .want = {DEFAULTS, .flush_timeout = 86400000}},
    {.args = {"-v"}, .want = {DEFAULTS, .verbose = 1}},
    {.args = {"--verbose"}, .want = {DEFAULTS, .verbose = 1}},
    {.args = {"--verb"}, .want = {DEFAULTS, .verbose = 1}}, /* a prefix */
    {.args = {"-vHmx1", "f"},
        .want = {DEFAULTS, .verbose = 1, .host = "mx1", .nfiles = 1},
        .file = "f"},
    /* Operands anywhere, "--" ends the options. */
    {.args = {"a", "-v", "b"},
        .want = {DEFAULTS, .verbose = 1, .nfiles = 2},
        .file = "a"},
    {.args = {"--", "-v"}, .want = {DEFAULTS, .nfiles = 1}, .file = "-v"},
    /* Follow mode. */
    {.args = {"--follow", "s.log"},
        .want = {DEFAULTS, .mode = OPTIONS_FOLLOW, .follow = "s.log"}},
    {.args = {"--follow=s.log", "--state", "st", "--from-start", "--no-inotify",
         "-o", "out"},
        .want = {DEFAULTS, .mode = OPTIONS_FOLLOW, .follow = "s.log",
            .state = "st", .from_start = 1, .no_inotify = 1, .output = "out"}},
    /* --status: the FILE given either way. */
    {.args = {"--status", "--state", "st", "s.log"},
        .want = {DEFAULTS, .mode = OPTIONS_STATUS, .state = "st",
            .follow = "s.log"}},
    {.args = {"--status", "--state", "st", "--follow", "s.log", "-o", "o"},
        .want = {DEFAULTS, .mode = OPTIONS_STATUS, .state = "st",
            .follow = "s.log", .output = "o"}},
    {.args = {"--status", "--state", "st", "--from-start", "s.log"},
        .want = {DEFAULTS, .mode = OPTIONS_STATUS, .state = "st",
            .follow = "s.log", .from_start = 1}},
    /* --help and --version end the parsing where they stand. */
    {.args = {"-h"}, .want = {DEFAULTS, .mode = OPTIONS_HELP}},
    {.args = {"--help", "--bogus"}, .want = {DEFAULTS, .mode = OPTIONS_HELP}},
    {.args = {"--follow", "a", "b", "--help"},
        .want = {DEFAULTS, .mode = OPTIONS_HELP, .follow = "a"}},
    {.args = {"-V"}, .want = {DEFAULTS, .mode = OPTIONS_VERSION}},
    {.args = {"-v", "--version"},
        .want = {DEFAULTS, .mode = OPTIONS_VERSION, .verbose = 1}},

    /* Every usage error, in getopt_long's words where it is its. */
    {.args = {"--bogus"}, .err = "unrecognized option '--bogus'"},
    {.args = {"--bogus=1"}, .err = "unrecognized option '--bogus'"},
    {.args = {"--bogus", "--help"}, .err = "unrecognized option '--bogus'"},
    {.args = {"-z"}, .err = "invalid option -- 'z'"},
    {.args = {"--verbose", "-zv"}, .err = "invalid option -- 'z'"},
    {.args = {"--f", "x"}, .err = "option '--f' is ambiguous"},
    {.args = {"--help=x"}, .err = "option '--help' doesn't allow an argument"},
    {.args = {"--status=1"},
        .err = "option '--status' doesn't allow an argument"},
    {.args = {"-o"}, .err = "option requires an argument -- 'o'"},
    {.args = {"-vt"}, .err = "option requires an argument -- 't'"},
    {.args = {"--format"}, .err = "option '--format' requires an argument"},
    {.args = {"--format", "iso"},
        .err = "--format: 'iso' is neither bsd nor rfc3339"},
    {.args = {"--hostname", "two words"},
        .err = "--hostname has a blank: it must be 1 to 255 bytes of"
               " printable ASCII without blanks"},
    {.args = {"-H", ""},
        .err = "--hostname is empty: it must be 1 to 255 bytes of"
               " printable ASCII without blanks"},
    {.args = {"--tag", "a:b"},
        .err = "--tag has a ':': it must be 1 to 255 bytes of printable"
               " ASCII without blanks nor ':'"},
    {.args = {"--match", "ab(c"},
        .err = "--match: bad pattern 'ab(c' at offset 4: missing closing"
               " parenthesis"},
    {.args = {"-x", "[z-a]"},
        .err = "--exclude: bad pattern '[z-a]' at offset 3: range out of"
               " order in character class"},
    {.args = {"--max-entry", "0"},
        .err = "--max-entry: '0' is not a number from 1 to 16777216"},
    {.args = {"--max-entry", "12x"},
        .err = "--max-entry: '12x' is not a number from 1 to 16777216"},
    {.args = {"--max-entry", ""},
        .err = "--max-entry: '' is not a number from 1 to 16777216"},
    {.args = {"--max-entry", "16777217"},
        .err = "--max-entry: '16777217' is not a number from 1 to"
               " 16777216"},
    {.args = {"--max-entry", "99999999999999999999"},
        .err = "--max-entry: '99999999999999999999' is not a number from"
               " 1 to 16777216"},
    {.args = {"--flush-timeout", "-1"},
        .err = "--flush-timeout: '-1' is not a number from 0 to 86400000"},
    {.args = {"--flush-timeout", "86400001"},
        .err = "--flush-timeout: '86400001' is not a number from 0 to"
               " 86400000"},
    {.args = {"--state", "s"}, .err = "--state needs --follow"},
    {.args = {"--state", "s", "--from-start"}, .err = "--state needs --follow"},
    {.args = {"--from-start"}, .err = "--from-start needs --follow"},
    {.args = {"--no-inotify", "f"}, .err = "--no-inotify needs --follow"},
    {.args = {"--follow", "a", "b"},
        .err = "--follow takes no other FILE ('b')"},
    {.args = {"x", "--follow", "a"},
        .err = "--follow takes no other FILE ('x')"},
    {.args = {"--status", "f"}, .err = "--status needs --state"},
    {.args = {"--status", "--state", "st"},
        .err = "--status needs one FILE, the followed one"},
    {.args = {"--status", "--state", "st", "a", "b"},
        .err = "--status needs one FILE, the followed one"},
    {.args = {"--status", "--state", "st", "--follow", "a", "b"},
        .err = "--status needs one FILE, the followed one"},
};

static int
same(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

/* Parses row's args (argv of our own: getopt_long permutes it). */
static int
parse_row(const struct row *r, struct options *o, char *err, size_t len)
{
	static char *argv[14];
	int argc = 0;

	argv[argc++] = (char *)"kerio2syslog";
	for (int i = 0; r->args[i] != NULL; i++)
		argv[argc++] = (char *)r->args[i];
	argv[argc] = NULL;
	return parse_options(argc, argv, o, err, len);
}

static void
test_options_table(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		const struct options *w = &r->want;
		struct options o;
		char err[512];
		int rc;

		errno = 0;
		rc = parse_row(r, &o, err, sizeof(err));
		if (r->err != NULL) {
			if (rc != -1 || strcmp(err, r->err) != 0)
				fail_msg("row %zu (%s): want error '%s', got %d"
				         " '%s'",
				    i, r->args[0], r->err, rc, err);
			assert_int_equal(errno, EINVAL);
			options_free(&o);
			continue;
		}
		if (rc != 0)
			fail_msg("row %zu (%s): %s", i, r->args[0], err);
		assert_int_equal(o.mode, w->mode);
		assert_true(same(o.output, w->output));
		assert_int_equal(o.format, w->format);
		assert_true(same(o.host, w->host));
		assert_true(same(o.tag, w->tag));
		assert_int_equal(o.max_entry, w->max_entry);
		assert_int_equal(o.flush_timeout, w->flush_timeout);
		assert_true(same(o.follow, w->follow));
		assert_true(same(o.state, w->state));
		assert_int_equal(o.from_start, w->from_start);
		assert_int_equal(o.no_inotify, w->no_inotify);
		assert_int_equal(o.verbose, w->verbose);
		if (o.mode == OPTIONS_HELP || o.mode == OPTIONS_VERSION) {
			options_free(&o);
			continue;
		}
		assert_int_equal(o.nfiles, w->nfiles);
		if (w->nfiles > 0)
			assert_string_equal(o.files[0], r->file);
		assert_non_null(o.sel);
		assert_int_equal(!select_is_empty(o.sel), r->patterns);
		options_free(&o);
		assert_null(o.sel);
	}
}

/*
 * The hash of the options that shape the output is kept in state files:
 * pinned to the value the program saved before this module existed, so
 * that an upgrade does not take the options for changed.
 */
static void
test_options_hash_pinned(void **unused)
{
	static const struct {
		const char *args[12];
		const char *host;
		uint64_t want;
	} t[] = {
	    {.args = {NULL}, .host = "mailhost", .want = 0x3ddcb7401f798ceaULL},
	    {.args = {"--format", "rfc3339", "--max-entry", "4096", "-t", "k2s",
	         "-m", "^Failed", "-x", "POP3"},
	        .host = "mx1",
	        .want = 0xa47bc35abe70238fULL},
	};
	struct row r;
	struct options o;
	char err[256];

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&r, 0, sizeof(r));
		memcpy(r.args, t[i].args, sizeof(r.args));
		assert_int_equal(parse_row(&r, &o, err, sizeof(err)), 0);
		assert_true(options_hash(&o, t[i].host) == t[i].want);
		options_free(&o);
	}
}

/* Each shaping option changes the hash; the order of patterns does. */
static void
test_options_hash_changes(void **unused)
{
	static const char *const variants[][6] = {
	    {NULL},
	    {"--format", "rfc3339"},
	    {"--max-entry", "100"},
	    {"-t", "other"},
	    {"-m", "a"},
	    {"-x", "a"},
	    {"-m", "a", "-x", "b"},
	    {"-x", "b", "-m", "a"},
	    {"--late-after", "0"},
	    {"--late-after", "120"},
	};
	static const char *const late_default[6] = {"--late-after", "60"};
	uint64_t seen[sizeof(variants) / sizeof(variants[0])];
	struct row r;
	struct options o;
	char err[256];

	(void)unused;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		memset(&r, 0, sizeof(r));
		memcpy(r.args, variants[i], sizeof(variants[i]));
		assert_int_equal(parse_row(&r, &o, err, sizeof(err)), 0);
		seen[i] = options_hash(&o, "h");
		for (size_t j = 0; j < i; j++)
			assert_true(seen[j] != seen[i]);
		options_free(&o);
	}
	assert_int_equal(parse_row(&rows[0], &o, err, sizeof(err)), 0);
	assert_true(options_hash(&o, "h") == seen[0]);
	assert_true(options_hash(&o, "g") != seen[0]);
	options_free(&o);
	/* The default late bound hashes as a state saved before it did. */
	memset(&r, 0, sizeof(r));
	memcpy(r.args, late_default, sizeof(late_default));
	assert_int_equal(parse_row(&r, &o, err, sizeof(err)), 0);
	assert_true(options_hash(&o, "h") == seen[0]);
	options_free(&o);
}

static void
test_options_usage_text(void **unused)
{
	const char *u = options_usage();

	(void)unused;
	assert_non_null(strstr(u, "usage: kerio2syslog [options] [FILE...]\n"));
	assert_non_null(strstr(u, "--flush-timeout MS"));
	assert_non_null(strstr(u, "--no-inotify"));
	assert_non_null(strstr(u, "man kerio2syslog.\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_options_table),
	    cmocka_unit_test(test_options_hash_pinned),
	    cmocka_unit_test(test_options_hash_changes),
	    cmocka_unit_test(test_options_usage_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
