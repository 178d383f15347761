/*
 * journal_read: what the journal sink reads back from the local journal
 * at open (libsystemd's sd-journal).
 */
#ifndef KERIO2SYSLOG_JOURNAL_READ_H
#define KERIO2SYSLOG_JOURNAL_READ_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"

/*
 * Waits until a record matching marker ("FIELD=value"; NULL: none, no
 * wait) can be read from
 * the local journal, at most wait_ms by clock; then *seq gets the value of
 * field seq_field ("KERIO2SYSLOG_SEQ") in the last record matching every
 * one of the n matches, or 0 if none has one. 0, or -1 with errno
 * (ETIMEDOUT: the marker did not come back; EBADMSG: the last record's
 * sequence field is not a number).
 */
int journal_read_count(const char *marker, const char *const *matches, size_t n,
    const char *seq_field, const struct clock *clock, int wait_ms,
    uint64_t *seq);

/*
 * Parses "FIELD=digits" (len bytes at data, as sd_journal_get_data gives
 * a field) for field: 0 with *v, -1 if it is another field, not digits,
 * or over UINT64_MAX.
 */
int journal_read_number(const void *data, size_t len, const char *field,
    uint64_t *v);

#endif
