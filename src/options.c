/*
 * options: the command line, parsed once. Every usage error becomes one
 * line of text for main to report; getopt_long(3) is kept quiet
 * (opterr 0) and its complaints are said here, in the same words.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "options.h"
#include "pipeline.h"
#include "select.h"
#include "state.h"

/* --help names the default flush timeout as a number. */
_Static_assert(OPTIONS_FLUSH_TIMEOUT == 100, "--help says the default is 100");

enum {
	OPT_FORMAT = 256,
	OPT_MAX_ENTRY,
	OPT_FLUSH_TIMEOUT,
	OPT_FOLLOW,
	OPT_STATE,
	OPT_FROM_START,
	OPT_NO_INOTIFY,
	OPT_STATUS,
	OPT_LATE_AFTER,
};

/* A leading ':' makes a missing argument ':' rather than '?'. */
static const char short_opts[] = ":o:H:t:m:x:vhV";

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"hostname", required_argument, NULL, 'H'},
    {"tag", required_argument, NULL, 't'},
    {"match", required_argument, NULL, 'm'},
    {"exclude", required_argument, NULL, 'x'},
    {"max-entry", required_argument, NULL, OPT_MAX_ENTRY},
    {"flush-timeout", required_argument, NULL, OPT_FLUSH_TIMEOUT},
    {"late-after", required_argument, NULL, OPT_LATE_AFTER},
    {"follow", required_argument, NULL, OPT_FOLLOW},
    {"state", required_argument, NULL, OPT_STATE},
    {"from-start", no_argument, NULL, OPT_FROM_START},
    {"no-inotify", no_argument, NULL, OPT_NO_INOTIFY},
    {"status", no_argument, NULL, OPT_STATUS},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "usage: kerio2syslog [options] [FILE...]\n"
    "       kerio2syslog --follow FILE [--state FILE] [--from-start]"
    " [options]\n"
    "       kerio2syslog --status --state FILE [-o OUTPUT]"
    " [--follow] FILE\n"
    "\n"
    "Converts Kerio Connect's security.log to syslog-style lines.\n"
    "\n"
    "  -o, --output FILE        append to FILE, not standard output;\n"
    "                           journal: to the systemd journal\n"
    "      --format bsd|rfc3339 stamp format (default bsd)\n"
    "  -H, --hostname NAME      host field (default: short host name)\n"
    "  -t, --tag TAG            tag (default kerio)\n"
    "  -m, --match RE           write only entries matching a RE"
    " (PCRE2, repeatable)\n"
    "  -x, --exclude RE         drop entries matching RE (PCRE2,"
    " repeatable)\n"
    "      --max-entry BYTES    cut longer messages (default 16384)\n"
    "      --flush-timeout MS   write a pending entry after MS ms"
    " (default 100)\n"
    "      --late-after SECONDS mark an entry written more than SECONDS"
    " after its\n"
    "                           Kerio time \"[late] \" (default 60; 0:"
    " never)\n"
    "      --follow FILE        follow FILE by name, like tail -F\n"
    "      --state FILE         follow mode: where the position is"
    " kept\n"
    "      --from-start         follow mode without state: read FILE"
    " from its start\n"
    "      --no-inotify         follow mode: look at FILE once a"
    " second only\n"
    "      --status             report follow mode's state: input,"
    " position, bytes\n"
    "                           behind, last entry, output\n"
    "  -v, --verbose            print counters on exit\n"
    "  -h, --help               print this help\n"
    "  -V, --version            print the version\n"
    "\n"
    "Exit status: 0 done; 64 usage; 66 an input missing; 73 output not"
    " created;\n"
    "74 read or write error; 75 the state file is in use; 78 bad host"
    " name or TZ.\n"
    "--status: 0 running, the state fits the files; 1 they moved on"
    " (rotated,\n"
    "truncated, missing); 2 stalled; 3 not running; 65 bad state file;"
    " 66 none.\n"
    "The manual says all of it: man kerio2syslog.\n";

const char *
options_usage(void)
{
	return usage_text;
}

/* Fills err and returns -1 with errno EINVAL: a usage error. */
static int usage(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
usage(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

/* A number from lo to hi, all of arg; -1 if it is not one. */
static int
number(const char *arg, long lo, long hi, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || *v < lo || *v > hi)
		return -1;
	return 0;
}

/* How many long options start with the n bytes of name. */
static int
prefix_matches(const char *name, size_t n)
{
	int count = 0;

	for (const struct option *l = long_opts; l->name != NULL; l++) {
		if (strncmp(l->name, name, n) != 0)
			continue;
		if (l->name[n] == '\0')
			return 1; /* an exact match is never ambiguous */
		count++;
	}
	return count;
}

/* 1 if opt is the value of a long option that takes no argument. */
static int
takes_none(int opt)
{
	for (const struct option *l = long_opts; l->name != NULL; l++)
		if (l->val == opt && l->has_arg == no_argument)
			return 1;
	return 0;
}

/*
 * What getopt_long would have said of the option it refused (ch '?' or
 * ':', opt its optopt): word is argv[optind - 1], the word it came in
 * where it says a long option's name.
 */
static int
refused(int ch, const char *word, int opt, char *err, size_t errlen)
{
	const char *name = word + 2;
	int n = (int)strcspn(name, "=");

	if (ch == ':' && strncmp(word, "--", 2) == 0)
		return usage(err, errlen, "option '%s' requires an argument",
		    word);
	if (ch == ':')
		return usage(err, errlen, "option requires an argument -- '%c'",
		    opt);
	if (opt == 0 && prefix_matches(name, (size_t)n) > 1)
		return usage(err, errlen, "option '--%.*s' is ambiguous", n,
		    name);
	if (opt == 0)
		return usage(err, errlen, "unrecognized option '--%.*s'", n,
		    name);
	if (takes_none(opt)) /* --help=x */
		return usage(err, errlen,
		    "option '--%.*s' doesn't allow an argument", n, name);
	return usage(err, errlen, "invalid option -- '%c'", opt);
}

/* A host name or tag must stay one field of the output line. */
static int
field(const char *what, const char *s, int colon_ok, char *err, size_t errlen)
{
	const char *why = host_field_problem(s, colon_ok);

	if (why == NULL)
		return 0;
	return usage(err, errlen,
	    "%s %s: it must be 1 to 255 bytes of printable ASCII without"
	    " blanks%s",
	    what, why, colon_ok ? "" : " nor ':'");
}

static int
pattern(struct options *o, int exclude, const char *re, char *err,
    size_t errlen)
{
	char msg[256];
	long at;

	if (select_add(o->sel, exclude, re, msg, sizeof(msg), &at) < 0) {
		if (at < 0) { /* out of memory, the one other failure */
			snprintf(err, errlen, "pattern '%s'", re);
			errno = ENOMEM;
			return -1;
		}
		return usage(err, errlen,
		    "%s: bad pattern '%s' at offset %ld: %s",
		    exclude ? "--exclude" : "--match", re, at, msg);
	}
	o->sel_hash = state_hash_more(o->sel_hash, exclude ? "x" : "m", 1);
	o->sel_hash = state_hash_more(o->sel_hash, re, strlen(re) + 1);
	return 0;
}

/* --format's word, or the message for one it does not know. */
static int
format_option(struct options *o, const char *arg, char *err, size_t errlen)
{
	if (strcmp(arg, "bsd") == 0)
		o->format = STAMP_BSD;
	else if (strcmp(arg, "rfc3339") == 0)
		o->format = STAMP_RFC3339;
	else
		return usage(err, errlen,
		    "--format: '%s' is neither bsd nor rfc3339", arg);
	return 0;
}

/* The options that take a number, and the numbers each allows. */
static const struct {
	int opt;
	const char *name;
	long lo, hi;
} number_opts[] = {
    {OPT_MAX_ENTRY, "--max-entry", 1, OPTIONS_MAX_ENTRY_LIMIT},
    {OPT_FLUSH_TIMEOUT, "--flush-timeout", 0, OPTIONS_FLUSH_TIMEOUT_LIMIT},
    {OPT_LATE_AFTER, "--late-after", 0, OPTIONS_LATE_AFTER_LIMIT},
};

/*
 * A number option (ch one of number_opts): its value judged against its
 * bounds, with the one message every number option words a bad value
 * with, then stored.
 */
static int
number_option(struct options *o, int ch, const char *arg, char *err,
    size_t errlen)
{
	size_t i = 0;
	long v;

	while (number_opts[i].opt != ch)
		i++;
	if (number(arg, number_opts[i].lo, number_opts[i].hi, &v) < 0)
		return usage(err, errlen,
		    "%s: '%s' is not a number from %ld to %ld",
		    number_opts[i].name, arg, number_opts[i].lo,
		    number_opts[i].hi);
	if (ch == OPT_MAX_ENTRY)
		o->max_entry = (size_t)v;
	else if (ch == OPT_FLUSH_TIMEOUT)
		o->flush_timeout = (int)v;
	else
		o->late_after = (int)v;
	return 0;
}

/* One option; ch as getopt_long returned it. */
static int
option(struct options *o, int ch, char *arg, char *err, size_t errlen)
{
	switch (ch) {
	case 'o':
		o->output = arg;
		return 0;
	case OPT_FORMAT:
		return format_option(o, arg, err, errlen);
	case 'H':
		o->host = arg;
		return field("--hostname", arg, 1, err, errlen);
	case 't':
		o->tag = arg;
		return field("--tag", arg, 0, err, errlen);
	case 'm':
	case 'x':
		return pattern(o, ch == 'x', arg, err, errlen);
	case OPT_MAX_ENTRY:
	case OPT_FLUSH_TIMEOUT:
	case OPT_LATE_AFTER:
		return number_option(o, ch, arg, err, errlen);
	case OPT_FOLLOW:
		o->follow = arg;
		return 0;
	case OPT_STATE:
		o->state = arg;
		return 0;
	case OPT_FROM_START:
		o->from_start = 1;
		return 0;
	case OPT_NO_INOTIFY:
		o->no_inotify = 1;
		return 0;
	case 'v':
		o->verbose = 1;
		return 0;
	}
	errno = EINVAL; /* not reached: every option is a case */
	snprintf(err, errlen, "option %d not handled", ch);
	return -1;
}

/* The options that go together, once all are read. */
static int
combine(struct options *o, char *err, size_t errlen)
{
	if (o->mode == OPTIONS_STATUS) {
		if (o->state == NULL)
			return usage(err, errlen, "--status needs --state");
		if ((o->follow == NULL) == (o->nfiles != 1))
			return usage(err, errlen,
			    "--status needs one FILE, the followed one");
		if (o->follow == NULL)
			o->follow = o->files[0];
		o->files += o->nfiles;
		o->nfiles = 0;
		return 0;
	}
	if (o->follow == NULL &&
	    (o->state != NULL || o->from_start || o->no_inotify))
		return usage(err, errlen, "%s needs --follow",
		    o->state != NULL    ? "--state"
		        : o->from_start ? "--from-start"
		                        : "--no-inotify");
	if (o->follow != NULL && o->nfiles > 0)
		return usage(err, errlen, "--follow takes no other FILE ('%s')",
		    o->files[0]);
	if (o->follow != NULL)
		o->mode = OPTIONS_FOLLOW;
	return 0;
}

int
parse_options(int argc, char *argv[], struct options *o, char *err,
    size_t errlen)
{
	int ch;

	*o = (struct options){
	    .mode = OPTIONS_FILES,
	    .format = STAMP_BSD,
	    .tag = "kerio",
	    .max_entry = PIPELINE_DEFAULT_MAX_ENTRY,
	    .flush_timeout = OPTIONS_FLUSH_TIMEOUT,
	    .late_after = PIPELINE_DEFAULT_LATE_AFTER,
	};
	if (errlen > 0)
		err[0] = '\0';
	o->sel = select_new();
	if (o->sel == NULL) {
		snprintf(err, errlen, "select_new");
		return -1;
	}
	opterr = 0;
	optind = 0; /* glibc: start afresh (a second parse, the tests) */
	while (
	    (ch = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		if (ch == 'h' || ch == 'V') {
			o->mode = ch == 'h' ? OPTIONS_HELP : OPTIONS_VERSION;
			return 0;
		}
		if (ch == '?' || ch == ':')
			return refused(ch, argv[optind - 1], optopt, err,
			    errlen);
		if (ch == OPT_STATUS) {
			o->mode = OPTIONS_STATUS;
			continue;
		}
		if (option(o, ch, optarg, err, errlen) < 0)
			return -1;
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	return combine(o, err, errlen);
}

void
options_free(struct options *o)
{
	select_free(o->sel);
	o->sel = NULL;
}

uint64_t
options_hash(const struct options *o, const char *host)
{
	char num[64];
	int n;
	uint64_t h;

	n = snprintf(num, sizeof(num), "%d %zu", (int)o->format, o->max_entry);
	h = state_hash_more(o->sel_hash, num, n > 0 ? (size_t)n + 1 : 0);
	h = state_hash_more(h, host, strlen(host) + 1);
	h = state_hash_more(h, o->tag, strlen(o->tag) + 1);
	/* Only when not the default: a state saved before the option
	 * existed keeps its hash. */
	if (o->late_after != PIPELINE_DEFAULT_LATE_AFTER) {
		n = snprintf(num, sizeof(num), "late %d", o->late_after);
		h = state_hash_more(h, num, (size_t)n + 1);
	}
	return h;
}
