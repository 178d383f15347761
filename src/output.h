/*
 * output: one large buffer in front of a file or standard output.
 */
#ifndef KERIO2SYSLOG_OUTPUT_H
#define KERIO2SYSLOG_OUTPUT_H

#include <stddef.h>
#include <sys/types.h>

#define OUTPUT_DEFAULT_CAP (128 * 1024)

struct output {
	int fd;
	const char *path; /* NULL: standard output */
	char *buf;
	size_t len, cap;
	int err;    /* errno of the first failed write, sticky */
	off_t skip; /* bytes still to drop instead of writing (follow) */
	int guard;  /* check the path before each write (output_guard) */
	dev_t dev;  /* the open file, for the guard */
	ino_t ino;
};

/*
 * Opens path for appending (O_APPEND|O_CREAT, mode 0640), or takes
 * standard output when path is NULL or "-". cap 0 means the default.
 * Returns 0, or -1 with errno.
 */
int output_open(struct output *o, const char *path, size_t cap);

/* Flushes what it can, then closes the file (not standard output). */
int output_close(struct output *o);

/* output_reserve when the buffer is full: flushes first. */
char *output_reserve_slow(struct output *o, size_t n);

/*
 * Returns a pointer to at least n (<= cap) free bytes, flushing first if
 * needed, or NULL after a write error (errno and o->err set). Inline: it
 * runs once per line.
 */
static inline char *
output_reserve(struct output *o, size_t n)
{
	if (o->err == 0 && o->cap - o->len >= n)
		return o->buf + o->len;
	return output_reserve_slow(o, n);
}

/* Marks n bytes at the reserved pointer as written. */
void output_commit(struct output *o, size_t n);

/* Buffers n bytes. Returns 0, or -1 with errno after a write error. */
int output_write(struct output *o, const void *p, size_t n);

/*
 * Writes out the buffer, continuing short writes and retrying EINTR.
 * Returns 0, or -1 with errno (EPIPE for a closed pipe, EAGAIN if the
 * descriptor would block; the unwritten rest stays buffered).
 */
int output_flush(struct output *o);

/* Bytes buffered and not yet written. */
size_t output_pending(const struct output *o);

/*
 * Flushes, closes and opens the path again (after logrotate moved it).
 * Standard output is only flushed. Returns 0, or -1 with errno.
 */
int output_reopen(struct output *o);

/*
 * Drops the next n bytes handed to the output instead of writing them:
 * a follower replaying input whose output is already in the file.
 */
void output_skip(struct output *o, off_t n);

/*
 * Fills device, inode and size of the open output. Returns 1 for a
 * regular file, 0 for anything else (fields unset), -1 with errno.
 */
int output_identity(const struct output *o, dev_t *dev, ino_t *ino,
    off_t *size);

/*
 * 1 if the output's path no longer names the open file (renamed or
 * deleted), 0 if it does or the output is standard output.
 */
int output_moved(const struct output *o);

/*
 * The length of the last line of the file open at fd if it has no
 * newline yet (torn: a write cut short), looked for among its last within
 * bytes only: 0 if the file ends with a newline, within if no newline is
 * among them. -1 with errno if the file cannot be read.
 */
off_t output_torn_tail(int fd, off_t within);

/*
 * With on set, every write batch first checks that the path still names
 * the open file: if it does not (rotated), nothing is written and the
 * flush fails with ESTALE, sticky like any write error, so that the
 * caller reopens (output_reopen) before anything else is written.
 */
void output_guard(struct output *o, int on);

#endif
