/*
 * sinks: the table of the sinks --output names. A kind the build lacks
 * keeps its row, without functions, so that its name is still known and
 * refused with what it needs; the one #ifdef on the journal is here.
 */
#include "sinks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "output.h"
#ifdef K2S_JOURNAL
#include "sink_journal.h"
#endif

struct sink_type {
	const char *name; /* as --output names it; NULL: any other, a path */
	enum sinks_kind kind;
	const char *missing; /* what a build without it lacked, or NULL */
	int named;           /* its records name their writer */
	void *(*open)(const struct sinks_opts *o, struct sink *s);
	void (*free)(void *impl);
	int (*reconcile)(void *impl);               /* NULL: nothing to read */
	int (*input)(void *impl, const char *path); /* NULL: not named */
	int (*identity_of)(const char *instance, struct sink_id *id);
};

struct sinks {
	const struct sink_type *t;
	void *impl;
};

/* Standard output and a file: output.c's writer (a NULL path: fd 1). */
static void *
open_output(const struct sinks_opts *o, struct sink *s)
{
	struct output *out = output_new(o->name, 0);

	if (out == NULL)
		return NULL;
	if (o->stop != NULL)
		output_stop_on(out, o->stop);
	output_sink(out, s);
	return out;
}

static void
free_output(void *impl)
{
	output_free(impl);
}

#ifdef K2S_JOURNAL
static void *
open_journal(const struct sinks_opts *o, struct sink *s)
{
	struct sink_journal_opts jo = {
	    .tag = o->tag,
	    .instance = o->instance,
	    .clock = &clock_system,
	    .socket = o->socket,
	};
	struct sink_journal *j = sink_journal_open(&jo);

	if (j != NULL)
		sink_journal_sink(j, s);
	return j;
}

static void
free_journal(void *impl)
{
	sink_journal_free(impl);
}

static int
reconcile_journal(void *impl)
{
	return sink_journal_reconcile(impl, &clock_system, 0);
}

static int
input_journal(void *impl, const char *path)
{
	return sink_journal_input(impl, path);
}

#define JOURNAL_MISSING NULL
#define JOURNAL_CALLS                                                          \
	open_journal, free_journal, reconcile_journal, input_journal,          \
	    sink_journal_identity_of
#else
#define JOURNAL_MISSING "libsystemd"
#define JOURNAL_CALLS NULL, NULL, NULL, NULL, NULL
#endif

/* Looked up in order: the last row takes any other name. */
static const struct sink_type types[] = {
    {"-", SINKS_STDOUT, NULL, 0, open_output, free_output, NULL, NULL, NULL},
    {"journal", SINKS_JOURNAL, JOURNAL_MISSING, 1, JOURNAL_CALLS},
    {NULL, SINKS_FILE, NULL, 0, open_output, free_output, NULL, NULL, NULL},
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

static const struct sink_type *
type_named(const char *name)
{
	size_t i;

	if (name == NULL)
		return &types[0];
	for (i = 0; i < NTYPES - 1; i++)
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	return &types[NTYPES - 1];
}

static const struct sink_type *
type_of(enum sinks_kind kind)
{
	size_t i;

	for (i = 0; i < NTYPES - 1; i++)
		if (types[i].kind == kind)
			return &types[i];
	return &types[NTYPES - 1];
}

enum sinks_kind
sinks_kind(const char *name)
{
	return type_named(name)->kind;
}

const char *
sinks_missing(enum sinks_kind kind)
{
	return type_of(kind)->missing;
}

int
sinks_named(enum sinks_kind kind)
{
	return type_of(kind)->named;
}

struct sinks *
sinks_open(const struct sinks_opts *o, struct sink *s)
{
	struct sinks *x;
	int e;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->t = type_named(o->name);
	if (x->t->open == NULL) {
		free(x);
		errno = ENOTSUP;
		return NULL;
	}
	if ((x->impl = x->t->open(o, s)) == NULL) {
		e = errno;
		free(x);
		errno = e;
		return NULL;
	}
	return x;
}

void
sinks_free(struct sinks *x)
{
	if (x == NULL)
		return;
	x->t->free(x->impl);
	free(x);
}

int
sinks_reconcile(struct sinks *x)
{
	return x->t->reconcile != NULL ? x->t->reconcile(x->impl) : 0;
}

int
sinks_input(struct sinks *x, const char *path)
{
	return x->t->input != NULL ? x->t->input(x->impl, path) : 0;
}

int
sinks_identity_of(enum sinks_kind kind, const char *instance,
    struct sink_id *id)
{
	const struct sink_type *t = type_of(kind);

	if (t->identity_of == NULL) {
		errno = ENOTSUP;
		return -1;
	}
	return t->identity_of(instance, id);
}
