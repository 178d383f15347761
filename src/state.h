/*
 * state: the follower's committed position, kept in a small text file
 * that is replaced atomically.
 */
#ifndef KERIO2SYSLOG_STATE_H
#define KERIO2SYSLOG_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stamp.h"

/* Bytes before the position that are hashed to recognise the file. */
#define STATE_HASH_SPAN 256

struct state {
	/* The input, and the offset of its first byte not yet written out. */
	int have_input;
	dev_t in_dev;
	ino_t in_ino;
	off_t pos;
	size_t hash_len; /* bytes hashed before pos (<= STATE_HASH_SPAN) */
	uint64_t hash;
	/* Write-ahead of a timeout flush: on replay, the pending entry is
	 * written out when the lines read reach this offset (-1: none). */
	off_t flush_at;
	/* The stamp of the entry last opened, if the joiner had one at pos:
	 * a continuation line at pos belongs under it. */
	int have_stamp;
	struct stamp stamp;
	/* The output and its size once everything before pos was written. */
	int have_out;
	dev_t out_dev;
	ino_t out_ino;
	off_t out_size;
	/*
	 * The commit's debts (version 2). out_skip: output bytes that the
	 * conversion from pos produces first and that are already in an
	 * earlier output file (rotated away while a replay still skipped):
	 * dropped before out_size's surplus. options: a hash of the options
	 * that shape the output bytes (state_hash_more), if have_options.
	 */
	off_t out_skip;
	int have_options;
	uint64_t options;
	/* The input's predecessor, the file read before it (the newest older
	 * one when it was opened), to tell which rotated files are newer
	 * if the input is gone: its device, inode and the hash of its first
	 * bytes (prev_hash_len: how many, 0: none, identity only). */
	int have_prev;
	dev_t prev_dev;
	ino_t prev_ino;
	size_t prev_hash_len;
	uint64_t prev_hash;
	/* The wall time (Unix ms) entries are judged late by in the bytes
	 * converted after this commit (commit.c), if have_wall: absent in a
	 * state of a version that marked nothing. */
	int have_wall;
	int64_t wall;
};

enum state_status {
	STATE_OK,      /* loaded */
	STATE_ABSENT,  /* no such file */
	STATE_FOREIGN, /* not a kerio2syslog state file (or another version) */
	STATE_TORN,    /* ours, but cut short or damaged: checksum or syntax */
	STATE_ERROR,   /* could not be read; errno says why */
};

/*
 * Reads path into *s. Returns STATE_OK, or why not; *s is then cleared
 * (no input, no output).
 */
enum state_status state_load(const char *path, struct state *s);

/*
 * Takes the lock of the state file path: path".lock" beside it, locked
 * with flock(2) for as long as the returned descriptor is open; nothing
 * is written to it. Returns the descriptor, or -1 with errno: EWOULDBLOCK
 * if another process holds it (*holder is then its process id, as the
 * kernel lists it, or 0 if unknown), else why the lock file cannot be
 * opened.
 */
int state_lock(const char *path, long *holder);

/*
 * Reads the temporary file a save to path left behind when it was cut
 * short (killed before its rename), into *s, never through a symbolic
 * link. STATE_ABSENT if there is none; STATE_OK if it holds a whole state
 * (the newest commit); another status if it holds less (the save was cut
 * before its data was in).
 */
enum state_status state_load_unsaved(const char *path, struct state *s);

/*
 * Creates the temporary file of path, empty, unless it exists (never
 * through a symbolic link): a mark, before a first start, that a start was
 * attempted; state_save() then replaces it, and a kill before that leaves
 * the mark. 0, or -1 with errno.
 */
int state_mark(const char *path);

/*
 * Writes s to path atomically: a temporary file path".tmp" beside it,
 * created anew (whatever was there is removed, a link is never followed),
 * fsync(2), rename(2), fsync of the directory. The caller holds the lock
 * (state_lock). Returns 0, or -1 with errno (path then still holds the
 * previous state).
 */
int state_save(const char *path, const struct state *s);

/* Renders s as the file's text into buf (cap bytes). Returns the length,
 * or 0 if it does not fit. */
size_t state_format(const struct state *s, char *buf, size_t cap);

/* Parses the n bytes of a state file's text at p into *s. */
enum state_status state_parse(const char *p, size_t n, struct state *s);

/* A short English reason for a status, for messages. */
const char *state_status_text(enum state_status st);

/* FNV-1a, 64 bits, of n bytes. */
uint64_t state_hash(const void *p, size_t n);

/* The FNV-1a hash h continued over n more bytes (h 0: from the start). */
uint64_t state_hash_more(uint64_t h, const void *p, size_t n);

/*
 * Hashes the min(pos, STATE_HASH_SPAN) bytes of fd before pos into *hash
 * and *len. Returns 0, or -1 with errno (EIO if the file is shorter).
 */
int state_hash_fd(int fd, off_t pos, uint64_t *hash, size_t *len);

#endif
