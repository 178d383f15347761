/*
 * sink_journal: the systemd journal as a sink (--output journal), one
 * record per entry through libsystemd's native protocol. The record's
 * fields and the exactly-once argument are at the head of sink_journal.c.
 */
#ifndef KERIO2SYSLOG_SINK_JOURNAL_H
#define KERIO2SYSLOG_SINK_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "clock.h"
#include "sink.h"
#include "stamp.h"

struct sink_journal;

/* How long sink_journal_open waits for its marker by default. */
#define SINK_JOURNAL_WAIT_MS 10000
/* Bytes a record needs in front of the line (for "MESSAGE="). */
#define SINK_JOURNAL_ROOM 8

struct sink_journal_opts {
	const char *tag; /* SYSLOG_IDENTIFIER */
	/*
	 * KERIO2SYSLOG_INSTANCE: names this writer's records, so that a
	 * restart finds the last one (follow mode: the state file's path).
	 * NULL: no instance, no sequence, identity() says "not a file".
	 */
	const char *instance;
	/* Read this instance's count back from the journal at open. */
	int reconcile;
	int wait_ms;               /* bound on that (0: the default) */
	const struct clock *clock; /* monotonic, for it (NULL: the system's) */
	const char *socket; /* journald's socket (NULL: JOURNAL_SEND_SOCKET) */
	/* (tag is needed: without, sink_journal_open fails with EINVAL) */
};

/*
 * A journal sink; with reconcile, sink_journal_reconcile is called before
 * it returns. NULL with errno.
 */
struct sink_journal *sink_journal_open(const struct sink_journal_opts *o);
void sink_journal_free(struct sink_journal *j);

/*
 * Reads this instance's count back from the journal: first makes sure
 * journald has written every record sent before (a marker record with a
 * nonce, read back within wait_ms, 0: the default), then takes the
 * sequence number of the instance's last record of our _UID. Call it
 * once the state file is locked: a writer of the same instance still
 * running would make the count stale. 0, or -1 with errno (ETIMEDOUT:
 * the marker never came back, e.g. the journal is not stored or not
 * readable by this user; EINVAL: no instance).
 */
int sink_journal_reconcile(struct sink_journal *j, const struct clock *clock,
    int wait_ms);

/* s becomes the sink of j. */
void sink_journal_sink(struct sink_journal *j, struct sink *s);

/* The input path the records name (KERIO_INPUT) from now on; copied. */
int sink_journal_input(struct sink_journal *j, const char *path);

/*
 * The identity and size the sink of a follower with instance (its state
 * file's absolute path) has for its commit, read back from the journal
 * as its open does, without sending its marker: the records journald has
 * taken so far (--status). 0, or -1 with errno.
 */
int sink_journal_identity_of(const char *instance, struct sink_id *id);

/* Records of this instance in the journal (sent, or found at open). */
uint64_t sink_journal_count(const struct sink_journal *j);

#define SINK_JOURNAL_FIELDS 11
/* The record of one entry, built apart from its sending, for the tests. */
struct sink_journal_record {
	struct iovec iov[SINK_JOURNAL_FIELDS];
	int n;
	char time[16 + STAMP_TEXT_MAX];
	char pos[80];
	char seq[48];
	char late[24];
};

/*
 * Fills rec for the len bytes of line (with its LF) and entry e, as the
 * record with sequence number seq (KERIO2SYSLOG_LATE: e->late); the
 * message part, a late mark included, is
 * prefixed in place, in the SINK_JOURNAL_ROOM bytes before it, which must
 * be writable. rec points into line, j and itself.
 */
void sink_journal_record(struct sink_journal *j, char *line, size_t len,
    const struct sink_entry *e, uint64_t seq, struct sink_journal_record *rec);

#endif
