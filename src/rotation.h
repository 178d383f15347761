/*
 * rotation: tail -F over a path. The decisions (read, rotated, truncated,
 * switch) are pure functions of what was observed, so they can be tested
 * without files; the rest is directory look-ups (watch.c watches).
 */
#ifndef KERIO2SYSLOG_ROTATION_H
#define KERIO2SYSLOG_ROTATION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* How long a renamed file must stay still before we leave it, ms. */
#define ROTATION_GRACE_MS 500
/* The stat(2) safety net: at most this often while idle, ms. */
#define ROTATION_TICK_MS 1000

/* What was seen of the open file and the path, in one round. */
struct rotation_obs {
	int have_fd;       /* a file is open */
	off_t fd_size;     /* its size (fstat) */
	off_t read_off;    /* bytes of it read so far */
	int tail_changed;  /* the bytes just before read_off are not those
	                      read there */
	int path_exists;   /* the path names a regular file */
	int path_same;     /* ... and it is the open one */
	int64_t still_for; /* ms the open file has not grown since the path
	                      stopped naming it */
	int64_t grace;     /* ROTATION_GRACE_MS, or another for tests */
	int newer_exists;  /* the path missing and the open file still: a
	                      rotated file newer than it is there (it was
	                      rotated, not deleted) */
};

enum rotation_action {
	ROTATION_IDLE,      /* nothing new: wait */
	ROTATION_OPEN,      /* no file open and the path exists: open, from 0 */
	ROTATION_READ,      /* the open file has bytes past read_off */
	ROTATION_TRUNCATED, /* shorter than read_off, or rewritten: from 0 */
	ROTATION_DRAIN,     /* renamed: keep the old file until it is still */
	ROTATION_SWITCH,    /* the old file is done: open the path, from 0 */
};

/* Decides the next step from one round of observations. */
enum rotation_action rotation_decide(const struct rotation_obs *o);

/* What was seen at start, against the saved state. */
struct rotation_start_obs {
	int have_state;  /* a state file that names an input was loaded */
	int from_start;  /* --from-start */
	int path_exists; /* the path names a regular file */
};

enum rotation_start {
	ROTATION_START_WAIT,  /* no path: wait for it, then read from 0 */
	ROTATION_START_END,   /* no state: from the end of the path */
	ROTATION_START_BEGIN, /* the path from 0 */
	ROTATION_START_PICK,  /* a state: rotation_pick() says where */
};

/* Decides where reading starts. */
enum rotation_start rotation_start_decide(const struct rotation_start_obs *o);

/* What a start decision means, in a few words ("starting at its end"). */
const char *rotation_start_text(enum rotation_start d);

/*
 * The input over time: the path and its rotated files beside it, named
 * as logrotate names them: NAME.1, NAME.2 ... (the higher, the older) or
 * dated, NAME-20261126 or NAME.2026-11-26 (8 digits or more; the later,
 * the newer; dated names are taken as older than numbered ones), each
 * perhaps with a compression suffix (.gz, .bz2, .xz, .zst, ...): those
 * are never read.
 */
struct rotation_name {
	int compressed; /* a compression suffix: never read */
	int dated;      /* a date rather than a number */
	uint64_t num;   /* the number, for a numbered name */
	char date[24];  /* the date's digits, for a dated name */
};

/*
 * 1 if name (an entry of the path's directory) is a rotated name of base
 * (the path's last component), with its age in *n; 0 if not.
 */
int rotation_rotated_name(const char *base, const char *name,
    struct rotation_name *n);

/* <0 if a is older than b, >0 if newer, 0 if of the same age. */
int rotation_name_cmp(const struct rotation_name *a,
    const struct rotation_name *b);

/* Rotated files looked at, at most: the newest are kept. */
#define ROTATION_MAX_FILES 64

/* One file that may hold the input's entries, and what was seen of it. */
struct rotation_file {
	char name[256];           /* the entry's name in the directory */
	struct rotation_name age; /* (the path: newest of all) */
	int is_path;              /* the path itself, not a rotated name */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime; /* its modification time */
	/* Facts for rotation_pick(), filled in by the caller: */
	int is_saved;   /* the saved (or open) file, by device and inode */
	int fits;       /* its bytes before the saved offset are the saved
	                 ones (and it is that long) */
	int is_prev;    /* the file read before the saved one (by its first
	                 bytes, or its device and inode if it had none) */
	int made_since; /* not among the files the commit had seen (state.h
	                   seen): made since the file it names was opened */
};

/* Reads of the directory for one listing, at most (rotation_scan). */
#define ROTATION_SCAN_READS 100

/*
 * Lists the regular files (never a symbolic link) of dir whose names are
 * rotated names of path's last component, and then the path itself if it
 * is a regular file (through a link only if link_ok: a link the user
 * gave); oldest first, the path last; a compressed file beside its
 * uncompressed twin (being compressed) is left out. At most cap - 1
 * rotated files (the newest). The directory is read until two reads in a
 * row list the same (at most ROTATION_SCAN_READS reads: then the last).
 * The count, or -1 with errno if dir cannot be read.
 */
int rotation_scan(const char *dir, const char *path, int link_ok,
    struct rotation_file *v, size_t cap);

/* Sorts v oldest first and leaves out compressed twins; the new count. */
size_t rotation_order(struct rotation_file *v, size_t n);

/* Where to read next, from the files oldest first and their facts. */
struct rotation_pick {
	long at;     /* the file to read, -1: none (wait for the path) */
	int resume;  /* 1: at the saved offset (the saved file itself) */
	int content; /* ... found by its bytes, not device and inode */
	int lost;    /* the saved file is in none of them: its rest lost */
	long skip_from, skip_to; /* compressed files passed over [from, to) */
	long prev_at; /* not resumed: the file read before the one at, as
	                 the commit is to record it (-1: none) */
};

/*
 * The saved file is the one with its device, inode and bytes, else the
 * newest with its bytes (a new identity: restore, copy, renumbered
 * device; or the copy that copytruncate made). Unless done, it is read
 * on from the saved offset. Otherwise (done, or not found) the next is
 * the oldest readable file newer than it and than the file read before
 * it (which may have the newer name: a copy named as older); if neither
 * is found, every readable file is newer (logrotate removes and
 * compresses the oldest).
 *
 * unproven: the saved offset is 0, so no bytes before it prove that the
 * saved file, found by its device and inode, still holds what followed
 * that offset. Every file newer than the file read before it (or every
 * file, if that one is not among them) and older than it was made after
 * the commit: a copy of it (copytruncate), holding the bytes from its
 * offset 0 on. The oldest such is read first, from 0, as the saved file
 * found by content. (A state file of version 1 records no file read
 * before: the caller passes 0 then.)
 *
 * seen_known: the commit records the files it had seen (made_since is
 * then filled in). A file made since, not the saved one, and named older
 * than the files read (the saved one and the file read before it) is a
 * copy copytruncate made of the saved file or of a newer one, which a
 * name alone would have passed over: those are read first, oldest
 * first, from 0, once the saved file is done; at offset 0, they are the
 * copies read first (instead of those between the file read before and
 * the saved one). The rules kept: commit.c C19..C23.
 */
void rotation_pick(const struct rotation_file *v, size_t n, int done,
    int unproven, int seen_known, struct rotation_pick *p);

/*
 * A start whose position was never saved, made at *t (its mark): the
 * oldest readable file of v (oldest first, the path last) written at or
 * after it, which is read from 0, then the newer ones: nothing appended
 * since is passed over, even if the file was rotated meanwhile (commit.c
 * C27). -1 if none.
 */
long rotation_since(const struct rotation_file *v, size_t n,
    const struct timespec *t);

/*
 * Looks in dir for a regular file with device dev and inode ino; on 1
 * its path (dir/name) is in buf (cap bytes). Returns 1, 0 if there is
 * none, -1 with errno if dir cannot be read.
 */
int rotation_find(const char *dir, dev_t dev, ino_t ino, char *buf, size_t cap);

/* The directory part of path into buf ("." if none). 0, or -1 if long. */
int rotation_dirname(const char *path, char *buf, size_t cap);

/* Names files [from, to) of v into buf ("a.gz, b.gz"); "" if none. */
void rotation_list_names(const struct rotation_file *v, long from, long to,
    char *buf, size_t cap);

/*
 * What a pick p among v at start means, into msg (cap bytes), for the
 * followed path in dir and a state saved at pos; 1 if it loses entries
 * (the saved file is nowhere, or compressed files are passed over): that
 * is always told.
 */
int rotation_pick_text(const struct rotation_file *v,
    const struct rotation_pick *p, const char *path, const char *dir, off_t pos,
    char *msg, size_t cap);

#endif
