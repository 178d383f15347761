/*
 * watch: follow mode's input over time. inotify and the stat tick, the
 * file open for reading (its identity, its name, the file read before
 * it), the bytes just before the read offset (a truncation under the
 * read changes them), opening the path or a rotated file, and the
 * observe step: which files of the directory hold the saved bytes. The
 * decisions are rotation.c's; --status uses the same "fits" rule.
 */
#ifndef KERIO2SYSLOG_WATCH_H
#define KERIO2SYSLOG_WATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "notify.h"
#include "recent.h"
#include "rotation.h"
#include "state.h"

struct watch;

/*
 * The fits rule, the one place it is written: 1 if fd, size bytes long,
 * is pos bytes long or more and the bytes before pos hash to (h, len)
 * as state_hash_fd() hashes them.
 */
int watch_fits(int fd, off_t size, off_t pos, uint64_t h, size_t len);

/*
 * Watches path (inotify on the open file and its directory unless
 * inotify is 0: the stat ticks alone). NULL with errno (no memory, a
 * path too long).
 */
struct watch *watch_new(const char *path, int inotify,
    const struct clock *clock);
void watch_free(struct watch *w);

/* The errno of inotify's failure when it was asked for (0: working, or
 * the directory only missing for now), and the directory watched. */
int watch_inotify_error(const struct watch *w);
const char *watch_dir(const struct watch *w);

/* The inotify descriptor to poll for POLLIN, or -1. */
int watch_pollfd(const struct watch *w);
/* Reads and forgets pending events; retries the directory watch. 1 if
 * a round is due, 0 if they were all for other files (notify.c). */
int watch_drain(struct watch *w);
/* The stat tick: a directory that was missing may be there now. */
void watch_tick(struct watch *w);

/* The input file: its descriptor (-1: none open), identity, name. */
int watch_fd(const struct watch *w);
dev_t watch_dev(const struct watch *w);
ino_t watch_ino(const struct watch *w);
const char *watch_name(const struct watch *w);

/*
 * Looks at the input's directory: the count of files (0 if none), then
 * watch_file(w, i) for i below it, oldest first, the path last.
 */
size_t watch_scan(struct watch *w);
const struct rotation_file *watch_file(const struct watch *w, size_t i);
/* The index of the path among the n files scanned, or -1. */
long watch_path_index(const struct watch *w, size_t n);

/*
 * The observe step: the facts rotation_pick() needs of the n files
 * scanned: which is (dev, ino); which hold the bytes before pos that
 * hash to (h, len) (only (dev, ino) unless by_content; a position 0
 * proves nothing by content); which is the file read before.
 * watch_observe_open: the open file, read to its end, is the saved one.
 * Then watch_pick() is rotation_pick() of them.
 */
void watch_observe(struct watch *w, size_t n, dev_t dev, ino_t ino, off_t pos,
    uint64_t h, size_t len, int by_content);
void watch_observe_open(struct watch *w, size_t n);
void watch_pick(const struct watch *w, size_t n, int done, int unproven,
    struct rotation_pick *p);

/*
 * Where a start from the saved state s reads first, among the n files of
 * the last scan: they are observed against s (the file read before, the
 * saved bytes) and picked from (rotation_pick). Follow mode's start and
 * --status both decide by it.
 */
void watch_pick_start(struct watch *w, size_t n, const struct state *s,
    struct rotation_pick *p);

/*
 * Opens file at (of the last scan) at off, -1: at its end, as the input;
 * the file open before is closed. The offset, or -1 with errno.
 * watch_open_path: the path (-1 with ENOENT if the scan found none), as
 * a new input after the newest rotated file.
 */
off_t watch_open(struct watch *w, size_t at, off_t off);
off_t watch_open_path(struct watch *w, size_t n, off_t off);
/*
 * File at (of the last n scanned) is opened, after file prev_at (-1:
 * none; the newest older one, or rotation_pick's prev_at): noted for the
 * commit, with the files older than at and those seen before as the
 * files seen (state.h).
 */
void watch_note_prev(struct watch *w, size_t n, size_t at, long prev_at);
/* The file read before and the files seen, as the commit saves them
 * (into s's prev and seen fields), and as a saved state gives them back
 * at start. */
void watch_get_prev(const struct watch *w, struct state *s);
void watch_set_prev(struct watch *w, const struct state *s);
void watch_close(struct watch *w);

/*
 * A truncation: the file of the last n scanned that holds the bytes read
 * up to off under another identity (copytruncate's copy), or -1.
 * watch_switch: goes on in it, at off; 0, or -1 with errno.
 */
long watch_find_copy(struct watch *w, size_t n, off_t off);
int watch_switch(struct watch *w, size_t at, off_t off);
/*
 * A copy as watch_find_copy finds, when nothing of the open file is read yet (offset 0), which
 * no bytes prove: a file newer than the one read before it and older than
 * it was made since it was opened, a copy of it (rotation_pick,
 * unproven). The index of the oldest, or -1 (none, or the file read
 * before is gone, so that which are copies is not known).
 */
long watch_find_copy_at_zero(struct watch *w, size_t n);

/*
 * The bytes before the read offset. watch_note_bytes: n more were read.
 * watch_tail_changed: 1 if those before off (the read offset when they
 * were noted) are no longer them. watch_forget_tail: read again from 0.
 */
void watch_note_bytes(struct watch *w, const char *p, size_t n);
int watch_tail_changed(struct watch *w, off_t off);
void watch_forget_tail(struct watch *w);
/* The open file gave bytes now. */
void watch_grew(struct watch *w);

/*
 * One round's look at the open file (read to read_off) and the path,
 * into obs for rotation_decide(). *odd is set to 1 when the path has just
 * come to name something not a regular file (told once). 0, or -1 with
 * errno if the open file cannot be looked at.
 */
int watch_look(struct watch *w, off_t read_off, int64_t now,
    struct rotation_obs *obs, int *odd);
/* 1 while the path names something not a regular file. */
int watch_odd(const struct watch *w);
/* When the renamed open file has been still for the grace (INT64_MAX:
 * none is waited for). */
int64_t watch_deadline(const struct watch *w);

#endif
