/*
 * sinks: the sinks --output names, chosen from one table (sinks.c): "-"
 * standard output, "journal" the systemd journal (where built with
 * libsystemd), anything else a file's path. The table opens one and
 * fills its struct sink; the modes then write through that alone.
 */
#ifndef KERIO2SYSLOG_SINKS_H
#define KERIO2SYSLOG_SINKS_H

#include <signal.h>

#include "sink.h"

enum sinks_kind {
	SINKS_STDOUT,  /* "-", or no --output */
	SINKS_JOURNAL, /* "journal": the journal, not a file (./journal) */
	SINKS_FILE,    /* any other name: a file's path */
	SINKS_KINDS
};

struct sinks_opts {
	const char *name; /* --output (NULL: standard output) */
	const char *tag;  /* the journal's SYSLOG_IDENTIFIER */
	/* The writer the records name (sinks_named; NULL: none), so that a
	 * restart finds what it wrote: follow mode's state file, absolute. */
	const char *instance;
	const char *socket;          /* the journal's (NULL: journald's) */
	volatile sig_atomic_t *stop; /* a file's: see output_stop_on */
};

struct sinks;

/* The kind of sink --output name names. */
enum sinks_kind sinks_kind(const char *name);
/* NULL if kind is built in, else what the build lacked ("libsystemd"). */
const char *sinks_missing(enum sinks_kind kind);
/* 1 if kind's records name their writer (sinks_opts.instance). */
int sinks_named(enum sinks_kind kind);

/*
 * Opens the sink o->name names and fills s with it. NULL with errno
 * (ENOTSUP: not built in).
 */
struct sinks *sinks_open(const struct sinks_opts *o, struct sink *s);
/* Frees what sinks_open made (once closed: sink_close). NULL: nothing. */
void sinks_free(struct sinks *x);

/*
 * Reads back what this writer left in the sink before (the journal: the
 * count of its records), once the state file is locked, so that no
 * writer of the same instance still runs. 0 (nothing to read for a
 * file), or -1 with errno.
 */
int sinks_reconcile(struct sinks *x);
/* The input path the sink's records name from now on. 0, or -1. */
int sinks_input(struct sinks *x, const char *path);

/*
 * The identity and size the sink of kind has for the follower whose
 * records name instance, read without opening it (--status). 0, or -1
 * with errno (ENOTSUP: a kind whose identity is not kept apart, or not
 * built in).
 */
int sinks_identity_of(enum sinks_kind kind, const char *instance,
    struct sink_id *id);

#endif
