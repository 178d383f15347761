/*
 * options: the command line, parsed once into one struct; main then
 * dispatches on its mode. Nothing here prints or exits.
 */
#ifndef KERIO2SYSLOG_OPTIONS_H
#define KERIO2SYSLOG_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "stamp.h"

struct select;

/* Bounds of the numeric options. */
#define OPTIONS_MAX_ENTRY_LIMIT (16 * 1024 * 1024)
#define OPTIONS_FLUSH_TIMEOUT_LIMIT (24 * 3600 * 1000)
#define OPTIONS_LATE_AFTER_LIMIT (24 * 3600)
/* --flush-timeout's default, ms: the rule it keeps, and the evidence, are
 * in the manual (Joining lines); a plain number, for the --help text. */
#define OPTIONS_FLUSH_TIMEOUT 100

/* What the command line asks for. */
enum options_mode {
	OPTIONS_FILES,   /* convert the FILEs, or standard input */
	OPTIONS_FOLLOW,  /* --follow FILE */
	OPTIONS_STATUS,  /* --status: report follow mode's state */
	OPTIONS_HELP,    /* --help: the usage text, exit 0 */
	OPTIONS_VERSION, /* --version */
};

struct options {
	enum options_mode mode;
	const char *output; /* -o as given; NULL: standard output */
	enum stamp_format format;
	const char *host; /* --hostname, or NULL: the system's */
	const char *tag;
	size_t max_entry;
	int flush_timeout;  /* ms */
	int late_after;     /* s, --late-after: 0 never late */
	struct select *sel; /* --match and --exclude, compiled */
	uint64_t sel_hash;  /* the patterns in order, for options_hash */
	const char *follow; /* the followed FILE (--follow, or --status') */
	const char *state;  /* --state, or NULL */
	int from_start;     /* --from-start */
	int no_inotify;     /* --no-inotify */
	int verbose;        /* -v */
	char **files;       /* FILE operands (mode OPTIONS_FILES) */
	int nfiles;
};

/*
 * Parses argv into *o, in order: --help and --version end the parsing
 * where they stand (o->mode says which). Returns 0, or -1: a usage error
 * with errno EINVAL and err (errlen bytes) saying it in one line, or a
 * failure of the system (no memory) with errno set and err naming what
 * failed. After either, options_free(o) releases what was kept. Permutes
 * argv as getopt_long(3) does; o->files points into it.
 */
int parse_options(int argc, char *argv[], struct options *o, char *err,
    size_t errlen);

void options_free(struct options *o);

/* The text of --help. */
const char *options_usage(void);

/*
 * A hash of the options that shape the output bytes (format,
 * --max-entry, host, tag, the patterns in order, --late-after), kept in the state file
 * so that a restart can tell they changed. host: the host field in use.
 */
uint64_t options_hash(const struct options *o, const char *host);

#endif
