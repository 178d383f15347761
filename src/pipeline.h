/*
 * pipeline: reader -> joiner -> select -> format, sealed. Bytes of one
 * input at a time go in; finished lines go to a sink. Pipe and file mode
 * run it with pipeline_run(); follow mode drives it from outside with
 * the other calls. The flush rule (a pending entry leaves after the
 * flush timeout without a new line) is written here only.
 */
#ifndef KERIO2SYSLOG_PIPELINE_H
#define KERIO2SYSLOG_PIPELINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "outcome.h"
#include "sink.h"
#include "stamp.h"

struct select;
struct pipeline;

/* --max-entry's default: a message's cap in bytes. */
#define PIPELINE_DEFAULT_MAX_ENTRY 16384
/* --late-after's default, seconds: fail2ban in operation dates a line
 * more than a minute away from now as "now". */
#define PIPELINE_DEFAULT_LATE_AFTER 60

/* Diagnostics of the input, with the line they concern. */
enum pipeline_event {
	PIPELINE_ORPHANS,   /* count lines before the first entry, from line */
	PIPELINE_BAD_STAMP, /* line looks like a stamp but is not valid */
	PIPELINE_CUT,       /* the entry starting at line was cut */
};

struct pipeline_opts {
	enum stamp_format format;
	const char *host;          /* host field, no blanks */
	const char *tag;           /* tag, no blanks */
	size_t max_entry;          /* cap on a message, bytes */
	struct select *sel;        /* NULL or empty: write all */
	int flush_timeout;         /* ms a pending entry waits for a new line */
	size_t read_cap;           /* the reader's buffer: 0 for the default */
	const struct clock *clock; /* NULL: clock_system */
	/* An entry written more than late_ms after its Kerio time is marked
	 * late (format.h); 0: none is. wall: real time (NULL: clock_wall). */
	int64_t late_ms;
	const struct clock *wall;
	/* Told of each diagnostic (may be NULL). */
	void (*event)(void *ctx, enum pipeline_event ev, uint64_t line,
	    uint64_t count);
	void *ctx;
};

/* Counts for the summary at exit. */
struct pipeline_counts {
	uint64_t lines, entries, joined, orphans, cut, bad, dropped, resumed;
	uint64_t written;  /* entries written */
	uint64_t excluded; /* entries not selected */
};

/* Signals as the caller set them up (see pipeline_run). */
struct pipeline_signals {
	volatile sig_atomic_t *stop;
	volatile sig_atomic_t *hup;
	const sigset_t *mask;
};

/* A new pipeline writing to sink. NULL with errno. */
struct pipeline *pipeline_new(const struct pipeline_opts *o,
    const struct sink *sink);
void pipeline_free(struct pipeline *p);
void pipeline_counts(const struct pipeline *p, struct pipeline_counts *n);

/*
 * A new input: fd, whose next byte is at offset off; dev and ino name
 * it for the sink (0, 0 for a pipe). What was buffered of the previous
 * input is forgotten: end or discard it first.
 */
void pipeline_input(struct pipeline *p, int fd, off_t off, dev_t dev,
    ino_t ino);
/*
 * The same input goes on in fd, another file holding the same bytes up
 * to the offset read, and positioned there (copytruncate's copy).
 */
void pipeline_switch(struct pipeline *p, int fd, dev_t dev, ino_t ino);

/*
 * Pipe and file mode: reads the input to its end, converting as it goes
 * and waiting (ppoll with sig->mask) while it would block; output is
 * flushed whenever the input would block, the pending entry leaves by
 * the flush rule, SIGHUP reopens the sink. OUTCOME_EOF, _STOPPED (the
 * caller ends or discards the input), _READ_ERROR or _WRITE_ERROR.
 */
enum outcome pipeline_run(struct pipeline *p,
    const struct pipeline_signals *sig);

/*
 * Follow mode, a step at a time. pipeline_fill reads once: the count of
 * new bytes (*got points at them until the next call), 0 at the input's
 * end for now, -1 with errno. pipeline_unread forgets the last n bytes
 * read (the file turned out truncated under the read). pipeline_take
 * converts the complete lines read, and at_end the last one without LF
 * too: OUTCOME_PROGRESS if it took a line, _IDLE if none, _WRITE_ERROR.
 * It stops after the line with which the sink's skip (a replay's
 * surplus) is all converted, so that the caller can act before anything
 * new is: then call it again for the rest.
 */
ssize_t pipeline_fill(struct pipeline *p, const char **got);
void pipeline_unread(struct pipeline *p, size_t n);
enum outcome pipeline_take(struct pipeline *p, int at_end);

/* Input offset just past the bytes read; past the last line taken. */
off_t pipeline_read_offset(const struct pipeline *p);
off_t pipeline_taken(const struct pipeline *p);

/*
 * The flush rule. pipeline_deadline: when the pending entry is due
 * (INT64_MAX if none is, or its line is unfinished). pipeline_due: 1 if
 * it is due at now. pipeline_flush: the pending entry leaves now.
 * pipeline_tick: pipeline_flush if due at now; 1 if it did. now is the
 * time a look at the input that found no new line began, never a later
 * one: a line written after the look but within the timeout joins.
 */
int64_t pipeline_deadline(const struct pipeline *p);
int pipeline_due(const struct pipeline *p, int64_t now);
void pipeline_flush(struct pipeline *p);
int pipeline_tick(struct pipeline *p, int64_t now);

/*
 * From now on, entries are judged late at wall_ms (Unix ms), not by the
 * wall clock at each one; with have 0, none is (format_judge_at).
 */
void pipeline_judge_at(struct pipeline *p, int have, int64_t wall_ms);

/*
 * A write-ahead flush to replay: once the lines taken reach offset at
 * (a line's end), the pending entry leaves as the flush timeout made it
 * leave in the run being replayed. -1: none. pipeline_flush_at tells
 * the one still to replay (-1 once passed).
 */
void pipeline_replay_flush(struct pipeline *p, off_t at);
off_t pipeline_flush_at(const struct pipeline *p);

/*
 * The end of an input: the pending entry is written (pipeline_end), or
 * forgotten without a byte written (pipeline_discard: a failure, to
 * start again from a commit). Line numbers start afresh.
 */
void pipeline_end(struct pipeline *p);
void pipeline_discard(struct pipeline *p);

/*
 * What a commit saves and a restart resumes. pipeline_position: the
 * offset a restart reads again from (the start of the pending entry or
 * of an unfinished line, else past the last line taken).
 * pipeline_stamp: 1 with *st the stamp a continuation line at that
 * position would be joined under (an entry is pending, or one was
 * written since the input began), else 0. pipeline_resume: continues as
 * after an entry with stamp st was written at off, so that a
 * continuation line becomes an entry of its own under st.
 */
off_t pipeline_position(const struct pipeline *p);
int pipeline_stamp(const struct pipeline *p, struct stamp *st);
void pipeline_resume(struct pipeline *p, const struct stamp *st, off_t off);

#endif
