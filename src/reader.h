/*
 * reader: lines from one file descriptor, read in large blocks.
 */
#ifndef KERIO2SYSLOG_READER_H
#define KERIO2SYSLOG_READER_H

#include <stddef.h>
#include <sys/types.h>

/* Default buffer: large reads, and the longest line passed in one piece. */
#define READER_DEFAULT_CAP (128 * 1024)

/*
 * A line, or a piece of one that does not fit the buffer. p is not
 * NUL-terminated; a trailing CR before the LF is not part of it.
 */
struct line {
	const char *p;
	size_t len;
	off_t start; /* input offset of the first byte */
	off_t next;  /* input offset just past this piece (and its LF) */
	int more;    /* 1: the line goes on in the next piece */
	int plain;   /* 1: no byte that escape_bytes would change */
};

struct reader {
	int fd;
	char *buf;
	size_t cap;
	size_t pos; /* first byte not yet handed out */
	size_t end; /* end of the bytes read */
	off_t base; /* input offset of buf[0] */
	int eof;    /* the last read returned 0 */
	/* What earlier calls learnt of the bytes at pos, so that a line
	 * that arrives in many small reads is not scanned again and again:
	 * the first plain bytes, 1 if a byte to escape ends them, and how
	 * many bytes hold no LF. */
	size_t plain_len;
	int plain_end;
	size_t no_lf;
};

/*
 * Prepares r to read fd, whose next byte is at input offset off, through a
 * buffer of cap bytes (0: READER_DEFAULT_CAP). Returns 0, or -1 with errno.
 */
int reader_init(struct reader *r, int fd, off_t off, size_t cap);

/* Frees the buffer; the descriptor is the caller's. */
void reader_free(struct reader *r);

/*
 * Forgets buffered bytes and goes on with fd at input offset off (after a
 * seek, or with another descriptor).
 */
void reader_reset(struct reader *r, int fd, off_t off);

/*
 * Reads once into the free space of the buffer. Returns the byte count,
 * 0 at end of input (and sets eof), or -1 with errno (EINTR, EAGAIN
 * included: the caller decides).
 */
ssize_t reader_fill(struct reader *r);

/*
 * Hands out the next complete line, or the next piece of a line longer
 * than the buffer. At end of input a last line without LF is handed out
 * only if take_partial is set. A UTF-8 BOM at input offset 0 is skipped.
 * Returns 1 with *l filled, 0 when more input is needed.
 */
int reader_next(struct reader *r, struct line *l, int take_partial);

/*
 * Follow mode's three moves of a file under the reader: forgets the last
 * n bytes read (they turned out not to belong: the file was truncated
 * under the read); goes on with fd, which holds the same bytes up to the
 * end read and whose file offset is there (a copy of the file), keeping
 * what is buffered; and ends the input at the bytes read, so that a last
 * line without LF is handed out.
 */
void reader_unread(struct reader *r, size_t n);
void reader_switch(struct reader *r, int fd);
void reader_end(struct reader *r);

/* Input offset of the first byte not yet handed out. */
off_t reader_offset(const struct reader *r);

/*
 * For the pipeline, which owns a reader: the input offset past the bytes
 * read; 1 once a read returned 0 (or reader_end); the descriptor; the
 * last n bytes read (n no more than were read by the last fill).
 */
off_t reader_read_offset(const struct reader *r);
int reader_at_eof(const struct reader *r);
int reader_fd(const struct reader *r);
const char *reader_last(const struct reader *r, size_t n);

#endif
