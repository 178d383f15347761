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
#include "tail.h"

#define JOINER_DEFAULT_MAX 16384

/*
 * Marks on lines whose text a client may have chosen: a message longer
 * than the cap is cut, and a continuation line that arrives after its
 * entry left on a timeout starts its own entry with JOINER_LATE_MARK.
 *
 * A cut keeps the entry's head (its first cap - T - 7 bytes, T being
 * joiner_tail_reserve(cap)) and its last T bytes, joined by
 * JOINER_CUT_MARK: "HEAD [cut] TAIL", at most cap bytes, neither end
 * splitting a UTF-8 character. Kerio writes the client's address at the
 * end of many messages (rules 1, 5 and 12 of the catalogue of messages,
 * contrib/fail2ban/kerio-messages.txt), so a client that sends a user
 * name or recipient longer than the cap must not make its failure
 * invisible by pushing that end out: the tail keeps it.
 * Why no client text passes for Kerio's:
 *  - The end of a cut message is the end of the entry, which Kerio wrote
 *    (the tail is its last bytes, as joined: continuation lines after the
 *    cut are joined into it, trimmed, as in an uncut entry). A forged
 *    "IP address 192.0.2.66" placed where the cap falls is in the head or
 *    in the part dropped, never at the end. (Where Kerio's message ends
 *    with client text, rules 3, 9, 10, 11, so does the uncut one.)
 *  - The start of a cut message is the start of the entry: Kerio's stamp
 *    and message start, with the address of rules that write it first.
 *    No client text stands as a whole message.
 *  - The mark holds a space and brackets, which no address holds, and no
 *    rule accepts it right after an address: an address that the head
 *    cuts short (a cap of a few dozen bytes) never reads as another.
 * The tail is a fixed ring of T bytes (T <= JOINER_TAIL_MAX) and the
 * blanks that end it another: memory stays bounded by the cap. A trim of
 * blanks never reaches back into the head, and a run of more than T
 * trailing blanks that a line's end trims leaves a shorter tail; both
 * keep the tail a true end of the entry. Below a cap of twice the mark,
 * the message is only cut (no mark, no tail) and the rest of its lines
 * dropped. A late continuation, of a cut entry or not, is an entry of
 * its own that starts with JOINER_LATE_MARK, for its text is the
 * client's. No fail2ban rule for a Kerio message accepts either mark.
 */
#define JOINER_CUT_MARK " [cut] "
#define JOINER_CUT_MARK_LEN 7
#define JOINER_TAIL_MAX TAIL_MAX
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
	/*
	 * The pending entry's message while it is still the reader's bytes
	 * (a one-line entry, not copied), else NULL: it is in msg.
	 */
	const char *borrow;
	/*
	 * After a cut: the last tail.cap bytes of the entry, and apart the
	 * blanks that end it, for a join or a line's end may trim them.
	 */
	struct tail tail; /* cap: joiner_tail_reserve(cap) */
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

/*
 * The bytes of an entry's end that a cut keeps under a cap of max bytes:
 * JOINER_TAIL_MAX or a quarter of the cap, whichever is smaller; 0 when
 * the cap has no room for the mark twice over (no mark, no tail).
 */
size_t joiner_tail_reserve(size_t max);

/*
 * Takes one line or piece from the reader. A whole line that opens an
 * entry is not copied: its bytes must stay where they are until the next
 * joiner_push, or until joiner_keep (before the reader's buffer moves),
 * joiner_flush, joiner_end or joiner_discard.
 */
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

/*
 * Ends the input as joiner_end does, but drops the pending entry
 * unemitted (a failure: the input is read again from a commit).
 */
void joiner_discard(struct joiner *j);
/*
 * Continues as after an entry with stamp st was emitted at input offset
 * off: a continuation line becomes an entry of its own under st (a
 * restart from a commit that kept the stamp).
 */
void joiner_resume(struct joiner *j, const struct stamp *st, off_t off);
/* 1 with *st the stamp of the pending or last emitted entry of this
 * input, 0 if there is none. */
int joiner_stamp(const struct joiner *j, struct stamp *st);
/* 1 with *start the offset of the current line if it is unfinished
 * (the last piece had more), else 0. */
int joiner_in_line(const struct joiner *j, off_t *start);
void joiner_get_counts(const struct joiner *j, struct joiner_counts *n);
/*
 * Copies the pending entry's message into the joiner if it still
 * borrows the bytes of the line pushed last: call before those bytes
 * move or go (before every reader_fill, reader_reset or reader_free).
 */
void joiner_keep(struct joiner *j);
/* 1 while an entry is open and not yet emitted. */
int joiner_pending(const struct joiner *j);

/* Input offset of the pending entry's first line (if joiner_pending). */
off_t joiner_pending_start(const struct joiner *j);

#endif
