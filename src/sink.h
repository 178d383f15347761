/*
 * sink: where finished lines go. The pipeline writes through reserve and
 * commit and never knows which sink it is; follow mode's commit asks the
 * durable extension for the sink's identity and size. The file and
 * standard output (sink_file.c) and the journal (sink_journal.c) are the
 * sinks, chosen by name in sinks.c; another plugs in by filling a struct
 * sink_ops, and a struct sink_durable if it can be exactly once.
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

/* The identity and size of a sink, for the commit: its size counts the
 * units it has taken (a file's bytes, the journal's records). */
struct sink_id {
	dev_t dev;
	ino_t ino;
	off_t size;
};

/*
 * The core every sink implements: the pipeline writes through it, and
 * every mode ends with it. Every function but reserve and commit returns
 * 0, or -1 with errno. pending and clear are here because every sink
 * has a first error that sticks and may hold bytes back: follow mode
 * takes a commit only when none are held and nothing failed, whatever
 * the sink, and starts again from the last commit by clearing both.
 */
struct sink_ops {
	/* At least n bytes to write a line into, or NULL after an error. */
	char *(*reserve)(void *impl, size_t n);
	/* The n bytes at the reserved pointer are one line (with its LF),
	 * or a piece of one: e is NULL for every piece but the last, which
	 * ends with the LF (msg_at then counts from the first piece). */
	void (*commit)(void *impl, size_t n, const struct sink_entry *e);
	int (*flush)(void *impl);        /* writes out what is buffered */
	int (*close)(void *impl);        /* flushes, then closes */
	int (*error)(void *impl);        /* errno of the first failure, 0 */
	const char *(*name)(void *impl); /* for messages */
	size_t (*pending)(void *impl);   /* bytes buffered, not written */
	void (*clear)(void *impl);       /* forgets the buffer and the error */
};

/*
 * The durable extension: what follow mode's commit needs of a sink to
 * make it exactly once (commit.c, C3, C4): an identity and a size that grows by
 * what is written, a skip that drops what a replay writes again, and,
 * for a sink that is a file under a name, that name's moves. A sink
 * with the extension fills every operation; one without it (NULL) is
 * written at least once in follow mode: a restart writes again what
 * was written after the last save.
 */
struct sink_durable {
	/* 1 with *id filled if the sink has an identity now (a regular
	 * file; the journal's records of one writer), 0 if not. */
	int (*identity)(void *impl, struct sink_id *id);
	void (*skip)(void *impl, off_t n); /* drops the next n units */
	off_t (*skipping)(void *impl);     /* units still to drop */
	int (*reopen)(void *impl);         /* after a rotation (SIGHUP) */
	/* 1 if the sink's name no longer names the open one. */
	int (*moved)(void *impl);
	/* Checks the name before every write (output_guard). */
	void (*guard)(void *impl, int on);
	/* The length of the open file's last line if it has no LF, looked
	 * for among its last within bytes (output_torn_tail). */
	off_t (*torn_tail)(void *impl, off_t within);
	/*
	 * The sink's earlier self *was (its identity, and its size as a
	 * commit saved it), renamed away beside the name: its size now, and
	 * in *torn the length of a last line it ends without among the
	 * bytes past was->size (all of them if they cannot be read). -1 if
	 * it is not found.
	 */
	off_t (*rotated)(void *impl, const struct sink_id *was, off_t *torn);
};

struct sink {
	const struct sink_ops *ops;
	const struct sink_durable *durable; /* NULL: none */
	void *impl;
};

/* Thin calls through the core. */
char *sink_reserve(const struct sink *s, size_t n);
void sink_commit(const struct sink *s, size_t n, const struct sink_entry *e);
int sink_flush(const struct sink *s);
int sink_close(const struct sink *s);
int sink_error(const struct sink *s);
const char *sink_name(const struct sink *s);
size_t sink_pending(const struct sink *s);
void sink_clear(const struct sink *s);

/*
 * Thin calls through the durable extension. A sink without it has no
 * identity (0), nothing to skip, a reopen that flushes, a name that
 * never moves, no torn tail and no rotated self (-1).
 */
int sink_identity(const struct sink *s, struct sink_id *id);
void sink_skip(const struct sink *s, off_t n);
off_t sink_skipping(const struct sink *s);
/* Of the bytes still to drop, those that what the sink holds does not
 * cover: once 0, every byte converted next is new output. */
off_t sink_skip_owed(const struct sink *s);
int sink_reopen(const struct sink *s);
int sink_moved(const struct sink *s);
void sink_guard(const struct sink *s, int on);
off_t sink_torn_tail(const struct sink *s, off_t within);
off_t sink_rotated(const struct sink *s, const struct sink_id *was,
    off_t *torn);

#endif
