/*
 * journal_read: reading the local journal back, for the journal sink's
 * reconciliation (see sink_journal.c).
 */
#include "journal_read.h"

#include <errno.h>
#include <string.h>

#include "libsd.h"

/* How long one wait for the journal to change lasts at most: the
 * journal is read again after it, whatever inotify said. */
#define POLL_US 100000

int
journal_read_number(const void *data, size_t len, const char *field,
    uint64_t *v)
{
	const char *p = data;
	size_t k = strlen(field), i;
	uint64_t n = 0;

	if (len <= k + 1 || memcmp(p, field, k) != 0 || p[k] != '=')
		return -1;
	for (i = k + 1; i < len; i++) {
		unsigned d = (unsigned char)p[i] - '0';

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	return 0;
}

/* 1 if the last record matching the one match m exists, 0 if not, <0. */
static int
has(sd_journal *j, const char *m)
{
	int r;

	libsd.journal_flush_matches(j);
	if ((r = libsd.journal_add_match(j, m, 0)) < 0 ||
	    (r = libsd.journal_seek_tail(j)) < 0)
		return r;
	return libsd.journal_previous(j);
}

/* The last sequence number (0 if none) into *seq; <0 on failure. */
static int
last_seq(sd_journal *j, const char *const *matches, size_t n, const char *field,
    uint64_t *seq)
{
	const void *data;
	size_t len, i;
	int r;

	libsd.journal_flush_matches(j);
	for (i = 0; i < n; i++)
		if ((r = libsd.journal_add_match(j, matches[i], 0)) < 0)
			return r;
	if ((r = libsd.journal_seek_tail(j)) < 0)
		return r;
	*seq = 0;
	/* The last record with the field: every record of ours has it. */
	while ((r = libsd.journal_previous(j)) > 0) {
		r = libsd.journal_get_data(j, field, &data, &len);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		return journal_read_number(data, len, field, seq) < 0 ? -EBADMSG
		                                                      : 0;
	}
	return r;
}

int
journal_read_count(const char *marker, const char *const *matches, size_t n,
    const char *seq_field, const struct clock *clock, int wait_ms,
    uint64_t *seq)
{
	sd_journal *j;
	int64_t end = clock_now(clock) + wait_ms, left;
	int r;

	if (libsd_load() < 0)
		return -1;
	if ((r = libsd.journal_open(&j, SD_JOURNAL_LOCAL_ONLY)) < 0) {
		errno = -r;
		return -1;
	}
	/* inotify watches first, so that no append after a look is
	 * missed by the wait that follows it. */
	if ((r = libsd.journal_get_fd(j)) >= 0) {
		while (marker != NULL && (r = has(j, marker)) == 0) {
			left = end - clock_now(clock);
			if (left <= 0) {
				r = -ETIMEDOUT;
				break;
			}
			left = left * 1000 < POLL_US ? left * 1000 : POLL_US;
			if ((r = libsd.journal_wait(j, (uint64_t)left)) < 0)
				break;
		}
	}
	if (r > 0)
		r = last_seq(j, matches, n, seq_field, seq);
	libsd.journal_close(j);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}
