/*
 * state: the follower's committed position, kept in a small text file
 * that is replaced atomically.
 */
#ifndef KERIO2SYSLOG_STATE_H
#define KERIO2SYSLOG_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "stamp.h"

/* Bytes before the position that are hashed to recognise the file. */
#define STATE_HASH_SPAN 256
/* Files of the input's directory a commit records as seen, at most (the
 * rotated files looked at and the path: rotation.h ROTATION_MAX_FILES). */
#define STATE_SEEN_MAX 65

/* A file by its identity and the hash of its first hash_len bytes. */
struct state_file {
	dev_t dev;
	ino_t ino;
	size_t hash_len;
	uint64_t hash;
};

struct state {
	/* The input, and the offset of its first byte not yet written out. */
	int have_input;
	struct state_file in; /* hashed: the bytes before pos (hash_len <=
	                         STATE_HASH_SPAN) */
	off_t pos;
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
	 * bytes (prev.hash_len: how many, 0: none, identity only). */
	int have_prev;
	struct state_file prev;
	/* The files of the input's directory known read or passed over
	 * (version 3): those older than the input when it was opened, and
	 * those the commit it was opened from had seen. A file not among
	 * them, beside an input left, was made since (a copy). have_seen 0:
	 * not known (an older state). */
	int have_seen;
	size_t n_seen;
	struct state_file seen[STATE_SEEN_MAX];
	/* The wall time (Unix ms) entries are judged late by in the bytes
	 * converted after this commit (commit.c: C9), if have_wall: absent in a
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
 * The lock of the state file path is a file beside what path names (the
 * file a symbolic link leads to, in its directory with links resolved):
 * its resolved name with ".lock", locked with flock(2) for as long as a
 * descriptor is open; nothing is written to it. A lock file deleted while
 * a follower holds it is made again by that follower (state_lock_keep);
 * a lock file made anew beside an existing state file (deleted while one
 * ran) is locked only after wait_ms, time for the follower that runs to
 * make it its own first.
 *
 * state_lock_name: the lock file's name into buf (cap bytes); 0, or -1
 * with errno (ENAMETOOLONG, ELOOP, or why the directory cannot be
 * resolved).
 */
int state_lock_name(const char *path, char *buf, size_t cap);

/*
 * Takes the lock of the state file path. Returns the descriptor, or -1
 * with errno: EWOULDBLOCK if another process holds it (*holder is then
 * its process id, as the kernel lists it, or 0 if unknown), else why the
 * lock file cannot be opened.
 */
int state_lock(const char *path, int wait_ms, long *holder);

/*
 * Keeps the lock *fd of path: if the lock file no longer names *fd
 * (deleted, or replaced), a lock file at its name is locked instead (made
 * if missing) and *fd becomes its descriptor. 0 while the lock is ours;
 * -1 with EWOULDBLOCK when another process holds the file at its name
 * now (*holder as for state_lock): this one must stop.
 */
int state_lock_keep(int *fd, const char *path, long *holder);

/*
 * Whether a process holds the lock of path: 1 (*holder its process id,
 * or 0 if unknown), 0 if none does, -1 with errno if it cannot be told.
 */
int state_lock_held(const char *path, long *holder);

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
 * The modification time of the mark (or of a cut save) beside path, into
 * *when: the moment the start it marks was made, which no later save
 * changes until one is whole. 0, or -1 with errno.
 */
int state_mark_time(const char *path, struct timespec *when);

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
