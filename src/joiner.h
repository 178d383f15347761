/*
 * joiner: Kerio lines in, entries out.
 */
#ifndef KERIO2SYSLOG_JOINER_H
#define KERIO2SYSLOG_JOINER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "reader.h"
#include "stamp.h"

#define JOINER_DEFAULT_MAX 16384

/*
 * Marks on lines whose text a client may have chosen up to the end or from
 * the start: a message cut at the cap ends with JOINER_CUT_MARK (when the
 * cap has room for it twice over), and a continuation line that arrives
 * after its entry left on a timeout starts its own entry with
 * JOINER_LATE_MARK. No fail2ban rule for a Kerio message accepts either.
 */
#define JOINER_CUT_MARK " [cut]"
#define JOINER_CUT_MARK_LEN 6
#define JOINER_LATE_MARK "[continued] "
#define JOINER_LATE_MARK_LEN 12

/* A complete entry, valid only during the emit callback. */
struct entry {
	struct stamp stamp;
	const char *msg; /* joined message, not NUL-terminated */
	size_t len;
	off_t start;   /* input offset of its first line */
	uint64_t line; /* line number of its first line */
	int cut;       /* 1: longer than the cap, cut */
	int plain;     /* 1: no byte that needs escaping (struct line) */
};

enum joiner_event {
	JOINER_ORPHANS,   /* count lines before the first entry, from line */
	JOINER_BAD_STAMP, /* line looks like a stamp but is not valid */
	JOINER_CUT,       /* the entry starting at line was cut */
};

struct joiner_counts {
	uint64_t lines;   /* lines seen */
	uint64_t entries; /* entries emitted */
	uint64_t joined;  /* continuation lines joined to an entry */
	uint64_t orphans; /* non-blank lines before the first entry */
	uint64_t cut;     /* entries cut at the cap */
	uint64_t bad;     /* malformed stamps, taken as continuations */
	uint64_t dropped; /* lines dropped after a cut */
	uint64_t resumed; /* continuations after a flush: new entries */
};

struct joiner {
	void (*emit)(void *ctx, const struct entry *e);
	void (*event)(void *ctx, enum joiner_event ev, uint64_t line,
	    uint64_t count);
	void *ctx;

	char *msg;
	size_t len, cap;
	struct entry cur;
	int state;               /* see joiner.c */
	int in_line;             /* the last piece had more == 1 */
	int piece_plain;         /* the piece being taken is plain */
	int line_kind;           /* what the current line is (joiner.c) */
	int line_started;        /* a continuation line has shown a non-blank */
	size_t line_at;          /* where the current line begins in msg */
	off_t line_off;          /* input offset of the current line */
	uint64_t lineno;         /* line number in the current input */
	uint64_t orphan_first;   /* line number of the first orphan */
	uint64_t lineno_orphans; /* orphans in the current input */
	int orphans_told;
	struct joiner_counts n;
	/* The last valid stamp, raw and parsed: most lines repeat it. */
	char last_raw[STAMP_KERIO_LEN];
	struct stamp last_stamp;
	int have_last;
};

/*
 * Prepares j with a cap of max bytes per message (>= 1). emit receives
 * each entry; event, if not NULL, each diagnostic. Returns 0, or -1 with
 * errno.
 */
int joiner_init(struct joiner *j, size_t max,
    void (*emit)(void *, const struct entry *),
    void (*event)(void *, enum joiner_event, uint64_t, uint64_t), void *ctx);

void joiner_free(struct joiner *j);

/* Takes one line or piece from the reader. */
void joiner_push(struct joiner *j, const struct line *l);

/*
 * Emits the pending entry now (flush timeout). Later continuation lines
 * become entries of their own with the same stamp, so nothing is lost.
 */
void joiner_flush(struct joiner *j);

/*
 * End of one input: emits the pending entry, reports orphans, and starts
 * afresh (line numbers too) for the next input.
 */
void joiner_end(struct joiner *j);

/* 1 while an entry is open and not yet emitted. */
int joiner_pending(const struct joiner *j);

/* Input offset of the pending entry's first line (if joiner_pending). */
off_t joiner_pending_start(const struct joiner *j);

#endif
