/*
 * libsd: the calls of libsystemd the journal sink makes, loaded with
 * dlopen(3) when the journal is first used, so that a program writing a
 * file does not map libsystemd (it would add about a megabyte to its
 * resident memory). The types come from libsystemd's headers at build
 * time (K2S_JOURNAL).
 */
#ifndef KERIO2SYSLOG_LIBSD_H
#define KERIO2SYSLOG_LIBSD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

struct libsd {
	int (*journal_open)(sd_journal **ret, int flags);
	void (*journal_close)(sd_journal *j);
	int (*journal_add_match)(sd_journal *j, const void *data, size_t size);
	void (*journal_flush_matches)(sd_journal *j);
	int (*journal_seek_tail)(sd_journal *j);
	int (*journal_previous)(sd_journal *j);
	int (*journal_get_data)(sd_journal *j, const char *field,
	    const void **data, size_t *length);
	int (*journal_get_fd)(sd_journal *j);
	int (*journal_wait)(sd_journal *j, uint64_t timeout_usec);
};

/* Filled by libsd_load(); every pointer is set once it returned 0. */
extern struct libsd libsd;

/*
 * Loads libsystemd.so.0 and its calls, once. 0, or -1 with errno
 * (ENOENT: not installed, or a call missing).
 */
int libsd_load(void);

#endif
