/*
 * output: one large buffer in front of a file or standard output.
 */
#ifndef KERIO2SYSLOG_OUTPUT_H
#define KERIO2SYSLOG_OUTPUT_H

#include <signal.h>
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
	volatile sig_atomic_t *stop; /* see output_stop_on */
	unsigned stalls; /* interruptions without progress while stopping */
	int guard;       /* check the path before each write (output_guard) */
	dev_t dev;       /* the open file, for the guard */
	ino_t ino;
};

/*
 * Opens path for appending (O_APPEND|O_CREAT, mode 0640), or takes
 * standard output when path is NULL or "-". cap 0 means the default.
 * A symbolic link under the name is followed only if
 * output_link_trusted() says so, else ELOOP. Returns 0, or -1 with errno.
 */
int output_open(struct output *o, const char *path, size_t cap);

/*
 * A write to a stalled pipe must not keep a stopping process alive. Once
 * *stop is set, a write(2) or wait interrupted by a signal (EINTR) is
 * retried only if bytes were written since the interruption before: the
 * second interruption in a row without progress (the stop signal, then
 * a tick of the caller's timer) makes EINTR the output's error, and what
 * is buffered stays unwritten. Without this, EINTR is always retried.
 */
void output_stop_on(struct output *o, volatile sig_atomic_t *stop);

/*
 * Waits until the descriptor takes more (after EAGAIN). Returns 0, or -1
 * with o->err set (also EINTR when stalled while stopping, as above).
 */
int output_wait(struct output *o);

/*
 * The rule for a symbolic link under the output's name, as the kernel's
 * protected_symlinks judges one: 1 (follow it) when no one but us (euid)
 * or root can have put it there: its directory, owned by us or root, is
 * writable by no one else, or is sticky and the link is ours or the
 * directory owner's. 0: refuse it.
 */
int output_link_trusted(mode_t dir_mode, uid_t dir_uid, uid_t link_uid,
    uid_t euid);

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
 * Flushes, closes and opens the path again (after logrotate moved it), as
 * output_open does.
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
