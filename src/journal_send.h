/*
 * journal_send: one record to journald, over a datagram socket of our own
 * connected to its native socket, so that a record journald did not take
 * is a failure the caller sees: sd_journal_sendv(3) reports success and
 * drops the record when the socket is missing.
 */
#ifndef KERIO2SYSLOG_JOURNAL_SEND_H
#define KERIO2SYSLOG_JOURNAL_SEND_H

#include <sys/uio.h>

/* journald's native socket. */
#define JOURNAL_SEND_SOCKET "/run/systemd/journal/socket"

/* Fields in one record, at most. */
#define JOURNAL_SEND_FIELDS 16

/*
 * Sends the n fields of iov ("NAME=value" each, value any bytes) as one
 * record through *fd, connecting it first if it is -1 (to path, NULL:
 * JOURNAL_SEND_SOCKET). 0 once journald's
 * socket took the record whole; -1 with errno otherwise (ENOENT: the
 * socket is missing; ECONNREFUSED: nobody listens on it; EINTR: a signal
 * came while journald's queue was full; E2BIG: more than
 * JOURNAL_SEND_FIELDS fields), *fd then closed and -1, so that the next
 * send connects again (journald restarted binds a new socket).
 */
int journal_send(int *fd, const char *path, const struct iovec *iov, int n);

/* Closes *fd if open; it becomes -1. */
void journal_send_close(int *fd);

#endif
