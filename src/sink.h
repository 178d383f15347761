/*
 * sink: where finished lines go. The pipeline writes through reserve and
 * commit and never knows which sink it is; follow mode's commit asks the
 * sink for its identity and size. The file and standard output
 * (output.c) are sinks today; a journal or socket sink plugs in by
 * filling a struct sink_ops.
 */
#ifndef KERIO2SYSLOG_SINK_H
#define KERIO2SYSLOG_SINK_H

#include <stddef.h>
#include <sys/types.h>

struct stamp;

/* A sink's reserve takes any n up to this; longer lines come in pieces. */
#define SINK_RESERVE_MAX (64 * 1024)

/* What a sink may want of an entry besides its line. */
struct sink_entry {
	const struct stamp *stamp; /* the entry's Kerio stamp */
	size_t msg_at;             /* where the message starts in the line */
	dev_t dev;                 /* the input file (0, 0 for a pipe) */
	ino_t ino;
	off_t start; /* input offset of the entry's first line */
	int late;    /* 1: converted late (format.h), its line marked */
};

/* The identity and size of a sink that is a file, for the commit. */
struct sink_id {
	dev_t dev;
	ino_t ino;
	off_t size;
};

/*
 * Every function but reserve returns 0, or -1 with errno. Optional ones
 * may be NULL: a sink without them has nothing to skip, cannot be
 * renamed away, and is never torn.
 */
struct sink_ops {
	/* At least n bytes to write a line into, or NULL after an error. */
	char *(*reserve)(void *impl, size_t n);
	/* The n bytes at the reserved pointer are one line (with its LF),
	 * or a piece of one: e is NULL for every piece but the last, which
	 * ends with the LF (msg_at then counts from the first piece). */
	void (*commit)(void *impl, size_t n, const struct sink_entry *e);
	int (*flush)(void *impl);  /* writes out what is buffered */
	int (*reopen)(void *impl); /* after a rotation (SIGHUP) */
	int (*close)(void *impl);  /* flushes, then closes */
	/* 1 with *id filled for a regular file, 0 for anything else. */
	int (*identity)(void *impl, struct sink_id *id);
	size_t (*pending)(void *impl); /* bytes buffered, not written */
	int (*error)(void *impl);      /* errno of the first failure, 0 */
	void (*clear)(void *impl);     /* forgets the buffer and the error */
	/* Optional: drops the next n bytes instead of writing them. */
	void (*skip)(void *impl, off_t n);
	off_t (*skipping)(void *impl); /* bytes still to drop */
	/* Optional: 1 if the sink's name no longer names the open one. */
	int (*moved)(void *impl);
	/* Optional: checks the name before every write (output_guard). */
	void (*guard)(void *impl, int on);
	/* Optional: the length of the open file's last line if it has no
	 * LF, looked for among its last within bytes (output_torn_tail). */
	off_t (*torn_tail)(void *impl, off_t within);
	const char *(*name)(void *impl); /* for messages */
	/* Optional: the file's path, NULL if it has none (a descriptor). */
	const char *(*path)(void *impl);
};

struct sink {
	const struct sink_ops *ops;
	void *impl;
};

/* Thin calls through the table; the optional ones do nothing if NULL. */
char *sink_reserve(const struct sink *s, size_t n);
void sink_commit(const struct sink *s, size_t n, const struct sink_entry *e);
int sink_flush(const struct sink *s);
int sink_reopen(const struct sink *s);
int sink_close(const struct sink *s);
int sink_identity(const struct sink *s, struct sink_id *id);
size_t sink_pending(const struct sink *s);
int sink_error(const struct sink *s);
void sink_clear(const struct sink *s);
void sink_skip(const struct sink *s, off_t n);
off_t sink_skipping(const struct sink *s);
/* Of the bytes still to drop, those that what the sink holds does not
 * cover: once 0, every byte converted next is new output. */
off_t sink_skip_owed(const struct sink *s);
int sink_moved(const struct sink *s);
void sink_guard(const struct sink *s, int on);
off_t sink_torn_tail(const struct sink *s, off_t within);
const char *sink_name(const struct sink *s);
const char *sink_path(const struct sink *s);

#endif
