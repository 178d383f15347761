/*
 * recent: the last bytes read of a file, just before the read offset, to
 * tell that the file was truncated (and perhaps regrown) under the read,
 * and to find the copy that holds them (copytruncate's).
 */
#ifndef KERIO2SYSLOG_RECENT_H
#define KERIO2SYSLOG_RECENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "state.h"

/* As many bytes as a commit hashes, so that they name the file as a
 * commit would. */
#define RECENT_SPAN STATE_HASH_SPAN

struct recent {
	char buf[RECENT_SPAN];
	size_t len; /* 0: none known */
};

/* Reads the bytes before off from fd (none known if it cannot). */
void recent_load(struct recent *r, int fd, off_t off);
/* The n bytes at p were read next. */
void recent_note(struct recent *r, const char *p, size_t n);
/* 1 if the bytes before off in fd are no longer those noted. */
int recent_changed(const struct recent *r, int fd, off_t off);
void recent_forget(struct recent *r);
size_t recent_len(const struct recent *r);
/* Their hash, as state_hash of them. */
uint64_t recent_hash(const struct recent *r);

#endif
