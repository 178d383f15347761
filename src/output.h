/*
 * output: the file or standard output sink, one large buffer in front of
 * a descriptor.
 */
#ifndef KERIO2SYSLOG_OUTPUT_H
#define KERIO2SYSLOG_OUTPUT_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "sink.h"

#define OUTPUT_DEFAULT_CAP (128 * 1024)

struct output;

/*
 * Opens path for appending (O_APPEND|O_CREAT, mode 0640), or takes
 * standard output when path is NULL or "-", behind a buffer of cap bytes
 * (0: the default; never below SINK_RESERVE_MAX). A symbolic link under
 * the name is followed only if output_link_trusted() says so, else
 * ELOOP. NULL with errno.
 */
struct output *output_new(const char *path, size_t cap);
/* The same in front of a descriptor the caller keeps (tests, pipes). */
struct output *output_new_fd(int fd, size_t cap);
/* Closes what output_new opened (without a flush) and frees o. */
void output_free(struct output *o);
/* Fills s with the sink's table over o. */
void output_sink(struct output *o, struct sink *s);

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
 * The rule for a symbolic link under the output's name, as the kernel's
 * protected_symlinks judges one: 1 (follow it) when no one but us (euid)
 * or root can have put it there: its directory, owned by us or root, is
 * writable by no one else, or is sticky and the link is ours or the
 * directory owner's. 0: refuse it.
 */
int output_link_trusted(mode_t dir_mode, uid_t dir_uid, uid_t link_uid,
    uid_t euid);

/*
 * A pointer to at least n (<= the buffer) free bytes, flushing (and
 * waiting while the descriptor would block) first if needed, or NULL
 * after a write error (errno set). output_commit marks n bytes there as
 * written; output_write buffers n bytes (0, or -1 with errno).
 */
char *output_reserve(struct output *o, size_t n);
void output_commit(struct output *o, size_t n);
int output_write(struct output *o, const void *p, size_t n);

/*
 * Writes out the buffer, continuing short writes and retrying EINTR.
 * Returns 0, or -1 with errno (EPIPE for a closed pipe, EAGAIN if the
 * descriptor would block; the unwritten rest stays buffered).
 * output_flush_all waits while it would block (poll POLLOUT).
 */
int output_flush(struct output *o);
int output_flush_all(struct output *o);
/* Waits until the descriptor takes more (after EAGAIN): 0, or -1. */
int output_wait(struct output *o);
/* Flushes what it can, then closes the file (not standard output). */
int output_close(struct output *o);

size_t output_pending(const struct output *o); /* buffered, unwritten */
int output_error(const struct output *o);      /* errno of the first
                                                  failure, sticky, or 0 */
void output_clear(struct output *o); /* forgets the buffer and error */
const char *output_name(const struct output *o);
const char *output_path(const struct output *o); /* NULL: a descriptor */

/*
 * Flushes, closes and opens the path again (after logrotate moved it), as
 * output_new does. Standard output is only flushed. 0, or -1 with errno.
 */
int output_reopen(struct output *o);

/*
 * Drops the next n bytes handed to the output instead of writing them:
 * a follower replaying input whose output is already in the file.
 * output_skipping: the bytes still to drop.
 */
void output_skip(struct output *o, off_t n);
off_t output_skipping(const struct output *o);

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
 * output_open_torn_tail: the same of the open output.
 */
off_t output_torn_tail(int fd, off_t within);
off_t output_open_torn_tail(const struct output *o, off_t within);

/*
 * The file the output had open as (dev, ino), renamed away (logrotate)
 * and found by its inode in the directory of the output's path: its size
 * now, and in *torn the length of a last line it ends without among the
 * bytes past from (all of them if they cannot be read: none is then
 * dropped for them). -1 if it is not found, or the output has no path.
 */
off_t output_rotated(const struct output *o, dev_t dev, ino_t ino, off_t from,
    off_t *torn);

/*
 * With on set, every write batch first checks that the path still names
 * the open file: if it does not (rotated), nothing is written and the
 * flush fails with ESTALE, sticky like any write error, so that the
 * caller reopens (output_reopen) before anything else is written.
 */
void output_guard(struct output *o, int on);

#endif
