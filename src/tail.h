/*
 * tail: the last bytes of a cut entry, kept in bounded memory.
 */
#ifndef KERIO2SYSLOG_TAIL_H
#define KERIO2SYSLOG_TAIL_H

#include <stddef.h>

/* The most bytes a tail keeps (its cap is at most this). */
#define TAIL_MAX 512

/* The last bytes of a stream, up to cap. */
struct tail_ring {
	char *buf;
	size_t at;  /* where the next byte goes */
	size_t len; /* bytes held */
	int lost;   /* bytes before the oldest held were let go */
};

struct tail {
	size_t cap;                    /* 0: no tail is kept */
	struct tail_ring tail, blanks; /* the bytes; the blanks ending them */
};

/* The blanks a trim takes off a line's end: space and tab. */
static inline int
tail_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Prepares t over mem, 2 * cap bytes that stay the caller's. */
void tail_init(struct tail *t, char *mem, size_t cap);
/* Forgets what it holds: a new cut entry. */
void tail_clear(struct tail *t);
/*
 * Takes n more bytes of the entry. The blanks that end them are held
 * apart until more follows, so that a trim never costs the tail bytes.
 */
void tail_push(struct tail *t, const char *p, size_t n);
/* Drops the blanks that end the tail, as a join or a line's end does. */
void tail_trim(struct tail *t);
/*
 * Writes the tail (at most cap bytes) to out and returns its length.
 * When bytes before it were let go it may start inside a UTF-8
 * character: those bytes are left out.
 */
size_t tail_close(struct tail *t, char *out);

#endif
