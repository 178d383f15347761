/*
 * follower: follow mode, exactly once.
 *
 * The commit. A commit is (P, O, S, K), with what makes the conversion
 * from P deterministic (below). P is the input position (file identity
 * and offset) of the first byte whose entry is not yet in the output; O
 * an output file (device, inode), S a size of it, K a count of bytes. It
 * says: every entry before P is in the output files, and converting the
 * input from P produces first K bytes that are in an output file older
 * than O, then the bytes O holds past S, then bytes no file holds yet.
 * The state file holds the last commit saved, replaced by rename(2)
 * (state.c): always one whole commit, old or new.
 *
 * Taking one (save). Only when the output buffer is empty, so that every
 * entry emitted is in a file. P is the start of the pending entry, or,
 * when none is pending, the end of the lines read. O is the open output,
 * S its size (fstat) less the part of a replay's skip still to come that
 * lies in O, K the rest of that skip, which lies in an older file (the
 * output was rotated while a replay still skipped). Neither is negative.
 *
 * A restart (start, output_surplus) converts again from P and drops K
 * plus (O's size now - S) bytes instead of writing them; O's size is read
 * from the file with O's inode in the output's directory when O was
 * rotated away. That is the crash between writing and saving, the normal
 * case of the scheme; a line kill -9 cut short is completed by the rest
 * of its bytes. But a line that a rotated O ends without (a write cut
 * short by a full disk) is not counted: the replay writes it whole to the
 * new file, and its fragment stays in the rotated one, instead of a line
 * torn across two files. The same when the output is left while a replay
 * still skips bytes in it (leave_output).
 *
 * Dropping by count is exact because the conversion from P is a function
 * of the input's bytes and of what the commit also records:
 *  - where the flush timeout wrote an entry out before its next line: such
 *    a flush is preceded by a saved commit that names its offset
 *    (flush_at, a write-ahead record), and a replay flushes there again.
 *    A replay's record is saved again with each commit until the replay
 *    has passed it, so a second crash still obeys it;
 *  - the stamp of the last entry, when a continuation line at P would be
 *    joined under it (see "The saved stamp");
 *  - where an input ended (rotation, truncation), which a replay meets as
 *    the live run did (see "The input over time");
 *  - the options that shape the bytes (format, host name, tag,
 *    --max-entry, --match, --exclude), as a hash. When they differ at a
 *    restart, the follower says so and drops nothing: what was written
 *    after the last save, if anything, is written again in the new form
 *    (after a clean stop there is nothing).
 *
 * A failed save. The commit in memory moves all the same (a recovery
 * without restart starts from it); the state on disk keeps an older
 * commit, which stays true, since what was written since is past its S
 * in its O, provided that nothing is written to an output file the state
 * on disk does not name, and that the input's bytes read since that
 * commit can be read again from its P: an input is left, a file
 * truncated without a copy is read again from 0, and the path is opened
 * after a time without input, only once the commit at that point is on
 * disk. So the commit is on disk before the output is reopened and again
 * before anything is written to the new file (reopen_output, recover,
 * start's save: out_named), before an input is left (switch_input),
 * before a truncated file is read again (truncate_input) and before the
 * path is read once it is there (round_once): where such a save fails,
 * the follower holds, reading and writing nothing, reports it and
 * retries from the last commit with back-off (barrier); the start from a
 * commit that is not on disk (durable: a first start, a start found in
 * the state's temporary file, the start after the barrier of a
 * truncation or of the path opened) holds likewise until its save is
 * whole. Elsewhere a failed save only makes the replay after a crash
 * longer, with one exception: when the write-ahead record of a timeout
 * flush cannot be saved, the entry leaves all the same (it is due, and
 * fail2ban is to see it), and a crash before the next save followed by a
 * late continuation line of that entry would join the two in the replay
 * (flush_pending).
 *
 * The output over time. logrotate renames the output and creates a new
 * file; what is written to the renamed file is lost to fail2ban. So each
 * write batch first checks that the output's path names the open file
 * (output_guard); if not, nothing is written, and the follower starts
 * again from the last commit into the file the path names (once that
 * commit is on disk): the bytes written to the renamed file since the
 * commit are its surplus. SIGHUP and the once-a-second check reopen the
 * same way when idle.
 *
 * Failures (an unreadable input, a full disk) discard what is in memory
 * and start again from the last commit after a back-off: the restart
 * above without the restart.
 *
 * The saved stamp: a commit where no entry is pending but one was
 * emitted by the flush timeout (or at exit) keeps that entry's stamp, so
 * that a continuation line arriving later becomes an entry of its own
 * under the same stamp, after a restart as without one. Saving only the
 * offset would make that line an orphan: lost.
 *
 * The input over time. The input is the path and its rotated files in
 * the path's directory, in the order of their names (follow.h: NAME.1,
 * NAME.2 ... the higher the older, or dated names, the later the newer);
 * a file is only ever renamed along that order, or compressed (a new
 * file with a compression suffix, never read), or deleted, the oldest
 * first. The saved position names a file by device and inode and by the
 * hash of the bytes before the offset. At start the file is the one with
 * both; else the newest with those bytes (the same bytes under a new
 * identity: a restore, rsync, cp and mv, a device renumbered at boot; or
 * the copy copytruncate made of the file, which at the path is now
 * shorter or other bytes). It is read on from the offset, and after it
 * every readable file newer than it from 0, oldest first, then the path:
 * one file at a time, each left only once read to its end (and still for
 * the grace), each commit naming the file read, so a restart anywhere in
 * that chain goes on where it stopped. Live, the file left is the open
 * one, found by its inode among the names.
 *
 * What cannot be read is proven so, and told in one message naming it:
 * a compressed file passed over, or a saved file found nowhere (deleted,
 * compressed, or rewritten in place); then the files newer than it are
 * those newer than the file read before it, which the commit also
 * records (its identity and first bytes), or all, if that one is gone
 * too (the oldest go first). A rotated name is never read through a
 * symbolic link, nor if it is not a regular file: no file outside the
 * directory comes into the output. At most FOLLOW_MAX_FILES rotated
 * files, the newest, are looked at.
 *
 * A truncation under the read offset (size below it, or other bytes
 * before it) is checked once a round and after every read(2) of it: the
 * bytes of a read after which the bytes before it changed are dropped
 * unread (a truncation and regrowth between two reads of a round). The
 * read then goes on in a file beside it that holds the same bytes before
 * the offset (copytruncate's copy, the unfinished last line included),
 * then the path from 0: the copy holds the bytes of the commit, so a
 * restart finds them there by content, and nothing is left until the
 * copy is read to its end. Without one, the unfinished last line is taken
 * as it is, as at a rename, and the file is read from 0 once that start
 * is committed on disk (above).
 *
 * The start is the moment its mark (state.c: the state's temporary file,
 * made before anything else is written) is on disk, before the input is
 * looked at; nothing is read before the starting position is saved, and
 * a failed first save is reported and retried. A first run killed within
 * its first save leaves the mark, whole (its position) or not (then the
 * next start reads from the beginning: nothing since the start is lost,
 * what came before may be read). A whole start found there is read on
 * from only once a save of it is whole, since a save empties that file
 * before it writes the new state.
 *
 * Assumptions. One follower per state file (state_lock, held for the
 * process's life: a second one exits). Nothing else writes to the output
 * files. A rotated output file keeps its inode and stays in the output's
 * directory until the commit after the reopen is on disk (at once,
 * normally; logrotate's delaycompress). Rotated input files stay in the
 * input's directory, under the names above. A rename between the check
 * of a batch and its write(2) puts that batch in the renamed file. A
 * copytruncate'd input loses what was written between the copy and the
 * truncation, as with any reader, and a copy compressed at once loses
 * what it held unread.
 */
#include "follower.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "follow.h"
#include "host.h"
#include "output.h"
#include "state.h"

#define SAVE_INTERVAL_MS 1000
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define TAIL_SPAN 256
#define READ_SLICE (8 * 1024 * 1024)

struct fl {
	const struct follower_opts *o;
	struct pipeline *p;
	const struct sink *out;
	struct follow_watch w;

	int fd; /* the file read, -1 while there is none */
	dev_t dev;
	ino_t ino;
	char name[4096]; /* its name when opened: the path, or a rotated one */
	/* The file read before it (state.h), and room for a directory look. */
	int have_prev;
	dev_t prev_dev;
	ino_t prev_ino;
	size_t prev_hash_len;
	uint64_t prev_hash;
	struct follow_file *files; /* FOLLOW_MAX_FILES + 1 */
	int path_link;   /* the path was a symbolic link at start: followed */
	off_t seen_size; /* size and mtime when the tail last held */
	struct timespec seen_mtime;
	char tail[TAIL_SPAN]; /* the bytes just before the read offset */
	size_t tail_len;
	int64_t last_growth; /* when the file last gave bytes */
	int64_t moved_at;    /* when the path stopped naming it (0: not) */
	int path_seen;       /* the path named a file at the last round */
	int64_t next_tick;
	int64_t last_save;
	int dirty; /* read or written since the last commit */

	struct state commit; /* the last commit (saved or not) */
	int have_commit;
	int commit_saved;  /* ... and it is the one on disk */
	struct state disk; /* the commit on disk (loaded or saved) */
	int have_disk;
	struct state loaded; /* the state file as found at start */
	int have_loaded;
	off_t skip_here;   /* of the output's skip, the bytes past the commit's
	                    size in the open output (the rest: an older one) */
	int want_reopen;   /* reopen the output before starting again */
	int quiet_retry;   /* the retry is no failure (output moved) */
	int durable;       /* a commit to read on from is on disk (or there
	                    is no state): until then, nothing is read */
	int unsaved_start; /* an earlier start left only its mark */

	int out_gone;     /* the reader of the output went away (EPIPE) */
	int fault;        /* waiting to start again from the commit */
	int recovering;   /* started again, not yet caught up */
	int64_t retry_at; /* ... at this time */
	int64_t backoff;
	int told_waiting;
	int told_odd; /* said that the path names a non-regular file */
};

static void
report(struct fl *f, enum follower_event ev, int err, const char *detail)
{
	if (f->o->report != NULL)
		f->o->report(f->o->ctx, ev, err, detail != NULL ? detail : "");
}

/* Makes f->commit the state on disk. Returns 0, or -1 (reported). */
static int
write_commit(struct fl *f)
{
	if (f->o->state_path == NULL) {
		f->commit_saved = 1;
		f->durable = 1;
		return 0;
	}
	if (state_save(f->o->state_path, &f->commit) < 0) {
		report(f, FOLLOWER_SAVE_FAILED, errno, f->o->state_path);
		return -1;
	}
	f->commit_saved = 1;
	f->durable = 1;
	f->disk = f->commit;
	f->have_disk = 1;
	return 0;
}

/*
 * Takes a commit, with flush_at as write-ahead record (-1: none), and
 * saves it. The commit in memory moves even if the file cannot be
 * written: it is what a recovery without restart starts from. Returns 0,
 * 1 when the state file was not written, -1 when no commit can be taken
 * (output not flushed: nothing moves).
 */
static int
save(struct fl *f, off_t flush_at)
{
	struct state s;
	struct sink_id id;
	off_t skip, here;

	if (sink_error(f->out) != 0 || sink_pending(f->out) != 0)
		return -1;
	/* Also when no commit can be taken: the next try is in a second,
	 * not at once. */
	f->last_save = host_now_ms();
	memset(&s, 0, sizeof(s));
	/* A replay's write-ahead record stands until the replay has
	 * flushed there: a second crash before that must flush there too. */
	s.flush_at = flush_at >= 0 ? flush_at : pipeline_flush_at(f->p);
	if (f->fd >= 0) {
		s.have_input = 1;
		s.in_dev = f->dev;
		s.in_ino = f->ino;
		s.pos = pipeline_position(f->p);
		if (state_hash_fd(f->fd, s.pos, &s.hash, &s.hash_len) < 0)
			return -1; /* shrunk under us: the next round sees it */
		s.have_stamp = pipeline_stamp(f->p, &s.stamp);
		s.have_prev = f->have_prev;
		s.prev_dev = f->prev_dev;
		s.prev_ino = f->prev_ino;
		s.prev_hash_len = f->prev_hash_len;
		s.prev_hash = f->prev_hash;
	}
	if (sink_identity(f->out, &id) == 1) {
		/* The skip still owed is dropped from the front: first the
		 * bytes in an older output, then those past the size here. */
		skip = sink_skipping(f->out);
		here = skip < f->skip_here ? skip : f->skip_here;
		if (here > id.size)
			here =
			    id.size; /* cut by someone else: never negative */
		s.have_out = 1;
		s.out_dev = id.dev;
		s.out_ino = id.ino;
		s.out_size = id.size - here;
		s.out_skip = skip - here;
	}
	s.have_options = 1;
	s.options = f->o->options;
	f->commit = s;
	f->have_commit = 1;
	f->commit_saved = 0;
	f->dirty = 0;
	return write_commit(f) < 0 ? 1 : 0;
}

/*
 * 1 if the state on disk names the open output, or there is none: what
 * is written to the output then counts in a restart's surplus. Nothing is
 * written to an output the state on disk does not name (see the head).
 */
static int
out_named(const struct fl *f)
{
	struct sink_id id;
	int r;

	if (f->o->state_path == NULL || !f->have_disk)
		return 1;
	r = sink_identity(f->out, &id);
	if (!f->disk.have_out)
		return r != 1;
	return r == 1 && id.dev == f->disk.out_dev && id.ino == f->disk.out_ino;
}

/* Stops reading and writing until a retry from the last commit. */
static void
hold(struct fl *f)
{
	int64_t now = host_now_ms();

	f->fault = 1;
	f->retry_at = now + f->backoff;
	f->backoff =
	    f->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : f->backoff * 2;
}

/*
 * A commit that must be on disk before going on (leaving an input or an
 * output): 0 once it is, else the follower holds and retries: -1.
 */
static int
barrier(struct fl *f)
{
	if (save(f, -1) == 0)
		return 0;
	if (!f->fault)
		hold(f);
	return -1;
}

static void
fault(struct fl *f, enum follower_event ev, int err, const char *detail)
{
	report(f, ev, err, detail);
	hold(f);
}

static void
close_input(struct fl *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->tail_len = 0;
	f->seen_size = -1;
}

/* Remembers the bytes before off, for the check that they stay. */
static void
load_tail(struct fl *f, off_t off)
{
	size_t want = off < TAIL_SPAN ? (size_t)off : TAIL_SPAN;
	ssize_t n = pread(f->fd, f->tail, want, off - (off_t)want);

	f->tail_len = n == (ssize_t)want ? want : 0;
}

static void
note_bytes(struct fl *f, const char *p, size_t n)
{
	if (n >= TAIL_SPAN) {
		memcpy(f->tail, p + n - TAIL_SPAN, TAIL_SPAN);
		f->tail_len = TAIL_SPAN;
		return;
	}
	if (f->tail_len + n > TAIL_SPAN) {
		size_t drop = f->tail_len + n - TAIL_SPAN;

		memmove(f->tail, f->tail + drop, f->tail_len - drop);
		f->tail_len -= drop;
	}
	memcpy(f->tail + f->tail_len, p, n);
	f->tail_len += n;
}

/* 1 if the bytes before off (the read offset as it was when the tail
 * was last noted) are no longer those read. */
static int
tail_changed(struct fl *f, off_t off)
{
	char buf[TAIL_SPAN];
	ssize_t n;

	if (f->tail_len == 0)
		return 0;
	do
		n = pread(f->fd, buf, f->tail_len, off - (off_t)f->tail_len);
	while (n < 0 && errno == EINTR);
	return n != (ssize_t)f->tail_len ||
	    memcmp(buf, f->tail, f->tail_len) != 0;
}

/* The name of x in the input's directory (the path for the path). */
static int
file_path(const struct fl *f, const struct follow_file *x, char *buf,
    size_t cap)
{
	int n = x->is_path ? snprintf(buf, cap, "%s", f->o->path)
	                   : snprintf(buf, cap, "%s/%s", f->w.dir, x->name);

	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/*
 * Opens x for reading. A rotated name is never opened through a link
 * (one planted there must not bring another file into the output) and
 * must still be the file seen; nothing but a regular file is read.
 */
static int
open_file(const struct fl *f, const struct follow_file *x)
{
	char p[4096];
	struct stat sb;
	int fd, flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

	if (file_path(f, x, p, sizeof(p)) < 0)
		return -1;
	fd = open(p, x->is_path && f->path_link ? flags : flags | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (!x->is_path && (sb.st_dev != x->dev || sb.st_ino != x->ino))) {
		/* Not a file to read, or no longer the one seen. */
		int e = S_ISREG(sb.st_mode) ? ESTALE : EINVAL;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Looks at the input's directory into f->files; the count (0 if none). */
static size_t
scan(struct fl *f)
{
	int n = follow_scan(f->w.dir, f->o->path, f->path_link, f->files,
	    FOLLOW_MAX_FILES + 1);

	return n < 0 ? 0 : (size_t)n;
}

/* The index of the path among the n files, or -1. */
static long
path_index(const struct fl *f, size_t n)
{
	return n > 0 && f->files[n - 1].is_path ? (long)n - 1 : -1;
}

/* 1 if x is pos bytes long or more and the min(pos, STATE_HASH_SPAN)
 * bytes before pos hash to (h, len). */
static int
bytes_fit(const struct fl *f, const struct follow_file *x, off_t pos,
    uint64_t h, size_t len)
{
	uint64_t got;
	size_t n;
	int fd, ok;

	if (x->size < pos || (fd = open_file(f, x)) < 0)
		return 0;
	ok = state_hash_fd(fd, pos, &got, &n) == 0 && got == h && n == len;
	close(fd);
	return ok;
}

/*
 * The facts follow_pick() needs of the n files: which is (dev, ino);
 * which hold the bytes before pos that hash to (h, len) (only (dev, ino)
 * unless by_content; a position 0 proves nothing by content); which is
 * the file read before.
 */
static void
observe(struct fl *f, size_t n, dev_t dev, ino_t ino, off_t pos, uint64_t h,
    size_t len, int by_content)
{
	for (size_t i = 0; i < n; i++) {
		struct follow_file *x = &f->files[i];

		x->is_saved = x->dev == dev && x->ino == ino;
		x->fits = 0;
		if (!x->age.compressed &&
		    (x->is_saved || (by_content && len > 0)))
			x->fits = bytes_fit(f, x, pos, h, len);
		x->is_prev = 0;
		if (f->have_prev && f->prev_hash_len == 0)
			x->is_prev =
			    x->dev == f->prev_dev && x->ino == f->prev_ino;
		else if (f->have_prev)
			x->is_prev = bytes_fit(f, x, (off_t)f->prev_hash_len,
			    f->prev_hash, f->prev_hash_len);
	}
}

/* The file read before files[at] is files[at - 1], the newest older one:
 * its identity and first bytes. */
static void
note_prev(struct fl *f, size_t at)
{
	const struct follow_file *x;
	off_t len;
	int fd;

	f->have_prev = at > 0;
	if (at == 0)
		return;
	x = &f->files[at - 1];
	f->prev_dev = x->dev;
	f->prev_ino = x->ino;
	f->prev_hash_len = 0;
	len = x->size < STATE_HASH_SPAN ? x->size : STATE_HASH_SPAN;
	if ((fd = open_file(f, x)) >= 0) {
		if (state_hash_fd(fd, len, &f->prev_hash, &f->prev_hash_len) <
		    0)
			f->prev_hash_len = 0;
		close(fd);
	}
}

/* Opens files[at] at off (-1: at its end) as the input. */
static int
open_input(struct fl *f, size_t at, off_t off)
{
	const struct follow_file *x = &f->files[at];
	char name[sizeof(f->name)];
	struct stat sb;
	int fd;

	if (file_path(f, x, name, sizeof(name)) < 0 ||
	    (fd = open_file(f, x)) < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || (off >= 0 && lseek(fd, off, SEEK_SET) < 0) ||
	    (off < 0 && (off = lseek(fd, 0, SEEK_END)) < 0)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close_input(f);
	f->fd = fd;
	f->dev = sb.st_dev;
	f->ino = sb.st_ino;
	memcpy(f->name, name, sizeof(name));
	pipeline_input(f->p, fd, off, sb.st_dev, sb.st_ino);
	f->moved_at = 0;
	f->last_growth = host_now_ms();
	load_tail(f, off);
	follow_watch_file(&f->w, f->name);
	return 0;
}

/* Opens the path (looked at in the n files) from 0 or (-1) its end, as
 * a new input after the newest rotated file. -1 with ENOENT if none. */
static int
open_path(struct fl *f, size_t n, off_t off)
{
	long at = path_index(f, n);

	if (at < 0) {
		errno = ENOENT;
		return -1;
	}
	if (open_input(f, (size_t)at, off) < 0)
		return -1;
	note_prev(f, (size_t)at);
	return 0;
}

/*
 * The output bytes past the commit's size: written after the commit,
 * they will be produced again by the replay and must be dropped. *here
 * is set to 1 if they are in the open output, 0 if in the saved one,
 * rotated away. A line the rotated file ends without (a write cut short
 * by a full disk) is not counted: it is written again, whole, to the
 * open output, instead of being completed across the two files.
 */
static off_t
output_surplus(struct fl *f, const struct state *s, int *here)
{
	char dir[4096], name[4096];
	struct sink_id id;
	off_t size, torn = 0;
	struct stat sb;
	int fd;

	*here = 0;
	if (!s->have_out || sink_identity(f->out, &id) != 1)
		return 0;
	size = id.size;
	*here = id.dev == s->out_dev && id.ino == s->out_ino;
	if (!*here) {
		/* Rotated away (logrotate) before the reopen was saved. */
		if (sink_path(f->out) == NULL ||
		    follow_dirname(sink_path(f->out), dir, sizeof(dir)) < 0 ||
		    follow_find(dir, s->out_dev, s->out_ino, name,
		        sizeof(name)) != 1 ||
		    (fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
			return 0;
		size = fstat(fd, &sb) == 0 ? sb.st_size : 0;
		/* Unreadable: nothing is dropped, rather than a torn line. */
		if (size > s->out_size &&
		    (torn = output_torn_tail(fd, size - s->out_size)) < 0)
			torn = size - s->out_size;
		close(fd);
		size -= torn;
	}
	return size > s->out_size ? size - s->out_size : 0;
}

/*
 * 1 if the options that shape the output bytes differ from those the
 * state s was saved with (told of): the bytes past its size then cannot
 * be matched, so none are skipped; what was written after the last save
 * may appear again, in the new form. A state saved at a clean stop has
 * none.
 */
static int
options_changed(struct fl *f, const struct state *s, off_t surplus)
{
	char msg[256];

	if (!s->have_options || s->options == f->o->options)
		return 0;
	if (surplus + s->out_skip > 0)
		snprintf(msg, sizeof(msg),
		    "%jd bytes written after the last save are not"
		    " matched; their entries may be written again",
		    (intmax_t)(surplus + s->out_skip));
	else
		snprintf(msg, sizeof(msg), "nothing was written after it");
	report(f, FOLLOWER_OPTIONS_CHANGED, 0, msg);
	return 1;
}

/* Names files [from, to) into buf ("a.gz, b.gz"); "" if none. */
static void
list_names(const struct fl *f, long from, long to, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (long i = from; i < to && len < cap; i++) {
		int k = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "",
		    f->files[i].name);

		if (k < 0)
			break;
		len += (size_t)k;
	}
}

/* Appends to the text in buf (cap bytes); a text too long is cut. */
static void __attribute__((format(printf, 3, 4)))
append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

/*
 * What a pick at start means, into msg; 1 if it loses entries (the saved
 * file is nowhere, or compressed files are passed over): always told.
 */
static int
pick_text(const struct fl *f, const struct follow_pick *p,
    const struct state *s, char *msg, size_t cap)
{
	const struct follow_file *x = p->at >= 0 ? &f->files[p->at] : NULL;
	char names[512];

	list_names(f, p->skip_from, p->skip_to, names, sizeof(names));
	msg[0] = '\0';
	if (x != NULL && p->resume && x->is_path)
		append(msg, cap, "resuming at the saved position%s",
		    p->content ? ", in the same bytes under another device or"
		                 " inode"
		               : "");
	else if (x != NULL && p->resume)
		append(msg, cap,
		    "rotated while stopped, finishing %s from the saved"
		    " position first%s",
		    x->name, p->content ? " (found by its bytes)" : "");
	else
		append(msg, cap,
		    "%s: the saved position (offset %jd) is in no file of %s"
		    " any more (deleted, compressed or rewritten): what followed"
		    " it there is lost; %s%s",
		    f->o->path, (intmax_t)s->pos, f->w.dir,
		    x != NULL ? "reading from the start of " : "waiting for ",
		    x != NULL ? x->name : "the file");
	if (names[0] != '\0')
		append(msg, cap, "; not read, compressed: %s", names);
	return p->lost || names[0] != '\0';
}

static const char *
start_text(enum follow_start d)
{
	switch (d) {
	case FOLLOW_START_WAIT:
		return "missing, waiting for it";
	case FOLLOW_START_END:
		return "no state, starting at its end";
	case FOLLOW_START_BEGIN:
		return "starting at its beginning";
	case FOLLOW_START_PICK:
		return "resuming at the saved position";
	}
	return "";
}

/*
 * Starts reading from state s (NULL: none): the start decisions of
 * follow.c. Also how a failure is recovered from, with the last commit.
 */
static void
start(struct fl *f, const struct state *s, int quiet)
{
	struct follow_start_obs obs;
	struct follow_pick p;
	enum follow_start d;
	char msg[1536];
	int rc = 0, loses = 0, plain, here = 0;
	off_t surplus = 0;
	size_t n;

	/* The start is the moment its mark is on disk: a kill from then on
	 * until the first save leaves the mark, and the next start reads
	 * from the beginning rather than lose what came meanwhile. */
	if (!f->durable && state_mark(f->o->state_path) < 0) {
		fault(f, FOLLOWER_SAVE_FAILED, errno, f->o->state_path);
		return;
	}
	n = scan(f);
	memset(&obs, 0, sizeof(obs));
	obs.have_state = s != NULL && s->have_input;
	/* A state without input was waiting for the file: from 0; so is a
	 * start whose position was never saved. */
	obs.from_start = f->o->from_start || (s != NULL && !s->have_input) ||
	    f->unsaved_start;
	obs.path_exists = path_index(f, n) >= 0;
	d = follow_start_decide(&obs);
	sink_skip(f->out, 0);
	f->skip_here = 0;
	pipeline_replay_flush(f->p, -1);
	memset(&p, 0, sizeof(p));
	msg[0] = '\0';
	switch (d) {
	case FOLLOW_START_PICK:
		/* Only decided with obs.have_state, so s is not NULL; the
		 * analyzer cannot see into follow_start_decide(). */
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		f->have_prev = s->have_prev;
		f->prev_dev = s->prev_dev;
		f->prev_ino = s->prev_ino;
		f->prev_hash_len = s->prev_hash_len;
		f->prev_hash = s->prev_hash;
		observe(f, n, s->in_dev, s->in_ino, s->pos, s->hash,
		    s->hash_len, 1);
		follow_pick(f->files, n, 0, &p);
		if (p.at < 0) {
			close_input(f);
		} else if (p.resume) {
			rc = open_input(f, (size_t)p.at, s->pos);
			if (rc == 0) {
				surplus = output_surplus(f, s, &here);
				/* Changed options: nothing to match, none
				 * skipped. */
				if (!options_changed(f, s, surplus)) {
					sink_skip(f->out,
					    s->out_skip + surplus);
					f->skip_here = here ? surplus : 0;
				}
				pipeline_replay_flush(f->p, s->flush_at);
				if (s->have_stamp)
					pipeline_resume(f->p, &s->stamp,
					    s->pos);
			}
		} else if ((rc = open_input(f, (size_t)p.at, 0)) == 0) {
			note_prev(f, (size_t)p.at);
		}
		loses = pick_text(f, &p, s, msg, sizeof(msg));
		break;
	case FOLLOW_START_END:
	case FOLLOW_START_BEGIN:
		rc = open_path(f, n, d == FOLLOW_START_END ? -1 : 0);
		break;
	case FOLLOW_START_WAIT:
		close_input(f);
		break;
	}
	if (rc < 0) {
		fault(f, FOLLOWER_OPEN_FAILED, errno, f->o->path);
		return;
	}
	/* Nothing is read before the starting position is on disk: a crash
	 * after reading would otherwise lose all since the start. save()
	 * has told why it failed. */
	if (save(f, -1) != 0) {
		if (!f->durable) {
			close_input(f);
			hold(f);
			return;
		}
		/* The output is written only once the state on disk names
		 * it (see the head). */
		if (!f->fault && !out_named(f))
			hold(f);
	}
	if (d != FOLLOW_START_PICK)
		snprintf(msg, sizeof(msg), "%s", start_text(d));
	if (d == FOLLOW_START_BEGIN && f->unsaved_start)
		snprintf(msg, sizeof(msg),
		    "an earlier start was not saved (killed before its first"
		    " save), starting at its beginning");
	if (sink_skipping(f->out) > 0) {
		size_t len = strlen(msg);

		snprintf(msg + len, sizeof(msg) - len,
		    "; %jd bytes of its output are already written, not"
		    " repeated",
		    (intmax_t)sink_skipping(f->out));
	}
	/* Entries that cannot be read are told of always (a recovery starts
	 * from a commit past the last loss told); a missing file once, by
	 * the first round. */
	plain = d == FOLLOW_START_PICK && p.resume && !p.content &&
	    f->files[p.at].is_path;
	if (loses)
		report(f, FOLLOWER_LOST, 0, msg);
	else if (f->fd >= 0 &&
	    (!quiet || !plain || sink_skipping(f->out) > 0)) {
		report(f, FOLLOWER_START, 0, msg);
	}
}

/*
 * Reads the input to its end, or READ_SLICE bytes of a long backlog, so
 * that signals are seen while catching up: OUTCOME_PROGRESS if bytes
 * came, _IDLE if none, _READ_ERROR or _WRITE_ERROR.
 */
static enum outcome
read_input(struct fl *f)
{
	off_t first = pipeline_read_offset(f->p);
	enum outcome got = OUTCOME_IDLE;

	for (;;) {
		enum outcome took = pipeline_take(f->p, 0);
		const char *p;
		off_t before;
		ssize_t n;

		if (took == OUTCOME_WRITE_ERROR)
			return took;
		if (took == OUTCOME_PROGRESS)
			f->dirty = 1;
		before = pipeline_read_offset(f->p);
		if (before - first >= READ_SLICE)
			return OUTCOME_PROGRESS;
		n = pipeline_fill(f->p, &p);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return OUTCOME_READ_ERROR;
		if (n == 0)
			return got;
		/* Truncated (and regrown) since the bytes before were read:
		 * these are not the bytes after them. Unread, the next round
		 * sees the truncation. */
		if (tail_changed(f, before)) {
			pipeline_unread(f->p, (size_t)n);
			return OUTCOME_PROGRESS;
		}
		note_bytes(f, p, (size_t)n);
		got = OUTCOME_PROGRESS;
		f->last_growth = host_now_ms();
	}
}

/* The file is being left: its last line counts even without newline. */
static enum outcome
read_to_end(struct fl *f)
{
	enum outcome rc = read_input(f);

	if (rc == OUTCOME_READ_ERROR || rc == OUTCOME_WRITE_ERROR)
		return rc;
	rc = pipeline_take(f->p, 1);
	if (rc == OUTCOME_PROGRESS)
		f->dirty = 1;
	return rc == OUTCOME_WRITE_ERROR ? rc : OUTCOME_IDLE;
}

/*
 * Writes out what is buffered; a failure starts the recovery, except a
 * reader gone away (EPIPE), which ends follow mode as it ends pipe mode.
 */
static int
flush_out(struct fl *f)
{
	int e;

	if (sink_flush(f->out) < 0) {
		e = sink_error(f->out) != 0 ? sink_error(f->out) : errno;
		if (e == EPIPE) {
			f->out_gone = 1;
		} else if (e == ESTALE) {
			/* The path names another file (rotated): nothing was
			 * written. From the last commit again, into the file
			 * the path names, at once. */
			f->want_reopen = 1;
			f->quiet_retry = 1;
			f->fault = 1;
			f->retry_at = host_now_ms();
		} else
			fault(f, FOLLOWER_WRITE_FAILED, e, sink_name(f->out));
		return -1;
	}
	return 0;
}

/* Leaves the input, read to its end, for the next file: the oldest
 * rotated file newer than it, or the path (follow_pick()). */
static void
switch_input(struct fl *f)
{
	struct follow_pick p;
	char names[512], msg[1024];
	enum outcome rc = read_to_end(f);
	size_t n;

	if (rc == OUTCOME_READ_ERROR) {
		fault(f, FOLLOWER_READ_FAILED, errno, f->name);
		return;
	}
	pipeline_end(f->p);
	if (flush_out(f) < 0)
		return;
	/* Left only once its end is committed on disk (see the head). */
	if (barrier(f) < 0)
		return;
	/* The open file is read to its end: it is the saved file, at 0 as
	 * far as its bytes go (its identity is sure while it is open). */
	n = scan(f);
	observe(f, n, f->dev, f->ino, 0, state_hash("", 0), 0, 0);
	follow_pick(f->files, n, 1, &p);
	list_names(f, p.skip_from, p.skip_to, names, sizeof(names));
	if (names[0] != '\0') {
		snprintf(msg, sizeof(msg),
		    "%s: rotated files compressed before they were read, their"
		    " entries are lost: %s",
		    f->o->path, names);
		report(f, FOLLOWER_LOST, 0, msg);
	}
	close_input(f);
	if (p.at < 0) {
		/* Nothing newer yet: the next rounds open the path. */
	} else if (open_input(f, (size_t)p.at, 0) < 0) {
		/* Gone again, or unreadable: the next rounds open the path
		 * when they can. */
		if (errno != ENOENT)
			fault(f, FOLLOWER_OPEN_FAILED, errno, f->o->path);
	} else {
		note_prev(f, (size_t)p.at);
		report(f, FOLLOWER_ROTATED, 0, f->name);
	}
	save(f, -1);
}

/*
 * The input was truncated (or rewritten) under the read offset. If
 * another file beside it holds the bytes read so far (copytruncate's
 * copy), the read goes on there, the unfinished last line included;
 * then, that copy left as a rotated file, on to the path from 0.
 * Without one, the unfinished last line is taken as it is (as a rename
 * does) and the file is read from 0.
 */
static void
truncate_input(struct fl *f)
{
	struct follow_pick p;
	char msg[1024];
	size_t n = scan(f);
	off_t off = pipeline_read_offset(f->p);
	int fd;

	if (f->tail_len > 0) {
		observe(f, n, f->dev, f->ino, off,
		    state_hash(f->tail, f->tail_len), f->tail_len, 1);
		follow_pick(f->files, n, 0, &p);
		if (p.at >= 0 && p.resume && !f->files[p.at].is_saved &&
		    (fd = open_file(f, &f->files[p.at])) >= 0) {
			if (lseek(fd, off, SEEK_SET) == off) {
				close(f->fd);
				f->fd = fd;
				f->dev = f->files[p.at].dev;
				f->ino = f->files[p.at].ino;
				file_path(f, &f->files[p.at], f->name,
				    sizeof(f->name));
				pipeline_switch(f->p, fd, f->dev, f->ino);
				f->moved_at = 0;
				f->last_growth = host_now_ms();
				f->seen_size = -1;
				follow_watch_file(&f->w, f->name);
				snprintf(msg, sizeof(msg),
				    "%s (what was not read yet is in its copy %s,"
				    " read first)",
				    f->o->path, f->files[p.at].name);
				report(f, FOLLOWER_TRUNCATED, 0, msg);
				return;
			}
			close(fd);
		}
	}
	if (pipeline_take(f->p, 1) == OUTCOME_PROGRESS)
		f->dirty = 1;
	pipeline_end(f->p);
	if (flush_out(f) < 0)
		return;
	if (lseek(f->fd, 0, SEEK_SET) < 0) {
		fault(f, FOLLOWER_READ_FAILED, errno, f->name);
		return;
	}
	pipeline_input(f->p, f->fd, 0, f->dev, f->ino);
	f->tail_len = 0;
	f->seen_size = -1;
	report(f, FOLLOWER_TRUNCATED, 0, f->name);
	/* The bytes read are gone: as when an input is left, nothing of
	 * the new ones is read before this start is on disk (barrier; the
	 * start from it, too, holds while its save fails). */
	if (barrier(f) < 0)
		f->durable = 0;
}

/*
 * Before the output is left while a replay still skips bytes in it: a
 * line it ends without is not to be completed in the next file, but
 * written there whole; the skip is shortened by that part.
 */
static void
leave_output(struct fl *f)
{
	off_t skip = sink_skipping(f->out), here, torn;

	here = skip < f->skip_here ? skip : f->skip_here;
	if (here > 0 && (torn = sink_torn_tail(f->out, here)) > 0)
		sink_skip(f->out, skip - torn);
	f->skip_here = 0;
}

/*
 * Output renamed, deleted, or SIGHUP: commit, reopen, commit; each commit
 * on disk before going on (see the head), else held and retried.
 */
static void
reopen_output(struct fl *f)
{
	if (flush_out(f) < 0 || barrier(f) < 0)
		return;
	leave_output(f);
	if (sink_reopen(f->out) < 0) {
		fault(f, FOLLOWER_REOPEN_FAILED, errno, sink_name(f->out));
		return;
	}
	if (!out_named(f))
		barrier(f);
}

/* One round: look at the file and the path, and act. 1 if it moved. */
static int
round_once(struct fl *f, int64_t now)
{
	struct follow_obs obs;
	struct stat sb, pb;
	int rc;

	memset(&obs, 0, sizeof(obs));
	obs.grace = FOLLOW_GRACE_MS;
	obs.have_fd = f->fd >= 0;
	if (obs.have_fd) {
		if (fstat(f->fd, &sb) < 0) {
			fault(f, FOLLOWER_READ_FAILED, errno, f->o->path);
			return 0;
		}
		obs.fd_size = sb.st_size;
		obs.read_off = pipeline_read_offset(f->p);
		/* The bytes are compared again only when the file changed:
		 * an idle tick costs no read. */
		if (obs.fd_size >= obs.read_off &&
		    (sb.st_size != f->seen_size ||
		        sb.st_mtim.tv_sec != f->seen_mtime.tv_sec ||
		        sb.st_mtim.tv_nsec != f->seen_mtime.tv_nsec)) {
			obs.tail_changed = tail_changed(f, obs.read_off);
			if (!obs.tail_changed && obs.fd_size == obs.read_off) {
				f->seen_size = sb.st_size;
				f->seen_mtime = sb.st_mtim;
			}
		}
	}
	rc = stat(f->o->path, &pb);
	obs.path_exists = rc == 0 && S_ISREG(pb.st_mode);
	/* A FIFO, a directory...: said once, never opened. */
	if (rc == 0 && !obs.path_exists && !f->told_odd)
		report(f, FOLLOWER_NOT_REGULAR, 0, f->o->path);
	f->told_odd = rc == 0 && !obs.path_exists;
	obs.path_same = obs.have_fd && obs.path_exists && pb.st_dev == f->dev &&
	    pb.st_ino == f->ino;
	f->path_seen = obs.path_exists;
	if (obs.have_fd && !obs.path_same && f->moved_at == 0)
		f->moved_at = now;
	if (obs.path_same)
		f->moved_at = 0;
	obs.still_for =
	    now - (f->moved_at > f->last_growth ? f->moved_at : f->last_growth);

	switch (follow_decide(&obs)) {
	case FOLLOW_OPEN:
		if (open_path(f, scan(f), 0) < 0) {
			if (errno != ENOENT)
				fault(f, FOLLOWER_OPEN_FAILED, errno,
				    f->o->path);
			return 0;
		}
		if (f->told_waiting)
			report(f, FOLLOWER_APPEARED, 0, f->o->path);
		f->told_waiting = 0;
		/* A state that names no input has a restart read the path
		 * from 0, skipping nothing: nothing is read of it before the
		 * commit naming it is on disk (as after a truncation). */
		if (barrier(f) < 0)
			f->durable = 0;
		return 1;
	case FOLLOW_READ:
		switch (read_input(f)) {
		case OUTCOME_READ_ERROR:
			fault(f, FOLLOWER_READ_FAILED, errno, f->o->path);
			return 0;
		case OUTCOME_WRITE_ERROR:
			flush_out(f);
			return 0;
		case OUTCOME_PROGRESS:
			return 1;
		default:
			return 0;
		}
	case FOLLOW_TRUNCATED:
		truncate_input(f);
		return 1;
	case FOLLOW_SWITCH:
		switch_input(f);
		return 1;
	case FOLLOW_IDLE:
		if (!obs.have_fd && !f->told_waiting && !f->told_odd) {
			report(f, FOLLOWER_WAITING, 0, f->o->path);
			f->told_waiting = 1;
		}
		return 0;
	case FOLLOW_DRAIN:
		return 0;
	}
	return 0;
}

/*
 * The pending entry leaves now; first its offset is committed, as the
 * write-ahead record of this flush. If the state file cannot be written
 * the entry leaves all the same (it is due, and a state file that cannot
 * be written is reported): a replay from the older saved state then
 * differs only if a continuation line came after this flush, which it
 * would join to the entry instead of writing apart.
 */
static void
flush_pending(struct fl *f)
{
	if (pipeline_deadline(f->p) == INT64_MAX)
		return; /* nothing pending, or its last line unfinished */
	if (save(f, pipeline_taken(f->p)) < 0)
		return;
	pipeline_flush(f->p);
	if (flush_out(f) == 0)
		save(f, -1);
}

/*
 * Starts again from the last commit, after a failure, or after the
 * output was found rotated before a write: then reopened first, once the
 * commit is on disk, so that the rotated file's surplus is counted.
 */
static void
recover(struct fl *f)
{
	int quiet = f->quiet_retry;

	sink_clear(f->out);
	pipeline_discard(f->p);
	close_input(f);
	f->fault = 0;
	f->quiet_retry = 0;
	if (f->want_reopen) {
		if (f->have_commit && !f->commit_saved && write_commit(f) < 0) {
			hold(f);
			return;
		}
		if (sink_reopen(f->out) < 0) {
			fault(f, FOLLOWER_REOPEN_FAILED, errno,
			    sink_name(f->out));
			return;
		}
		f->want_reopen = 0;
	}
	if (f->have_commit)
		start(f, &f->commit, 1);
	else
		start(f, f->have_loaded ? &f->loaded : NULL, 1);
	if (!quiet)
		f->recovering = !f->fault;
}

static int64_t
earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Blocks until an event, a signal or the nearest deadline. */
static void
wait_events(struct fl *f, int64_t now)
{
	struct pollfd pfd = {.fd = f->w.fd, .events = POLLIN};
	int64_t until = f->next_tick, ms;
	struct timespec ts;

	if (f->fault)
		until = earliest(until, f->retry_at);
	if (!f->fault)
		until = earliest(until, pipeline_deadline(f->p));
	if (!f->fault && f->dirty)
		until = earliest(until, f->last_save + SAVE_INTERVAL_MS);
	if (!f->fault && f->fd >= 0 && f->moved_at != 0 && f->path_seen)
		until = earliest(until,
		    (f->moved_at > f->last_growth ? f->moved_at
		                                  : f->last_growth) +
		        FOLLOW_GRACE_MS);
	ms = until - now;
	if (ms < 0)
		ms = 0;
	if (ppoll(f->w.fd >= 0 ? &pfd : NULL, f->w.fd >= 0 ? 1 : 0,
	        clock_wait_time(&ts, ms), f->o->sig->mask) > 0)
		follow_watch_drain(&f->w);
}

/* SIGTERM/SIGINT: the pending entry and the state, then return. */
static void
finish(struct fl *f)
{
	if (f->fault || flush_out(f) < 0)
		return; /* the last commit stands */
	flush_pending(f);
	if (!f->fault)
		save(f, -1);
}

int
follower_run(struct pipeline *p, const struct sink *out,
    const struct follower_opts *o)
{
	struct fl f;
	struct stat sb;
	enum state_status st;
	int e, unsaved = 0;

	memset(&f, 0, sizeof(f));
	f.o = o;
	f.p = p;
	f.out = out;
	f.fd = -1;
	f.backoff = BACKOFF_MIN_MS;
	f.durable = o->state_path == NULL;
	/* A link the user gave is followed; one planted later (the path
	 * replaced by a link to another file) is not. */
	f.path_link = lstat(o->path, &sb) == 0 && S_ISLNK(sb.st_mode);
	f.files = calloc(FOLLOW_MAX_FILES + 1, sizeof(*f.files));
	if (f.files == NULL)
		return -1;
	if (follow_watch_open(&f.w, o->path, !o->no_inotify) < 0) {
		free(f.files);
		return -1;
	}
	/* A missing directory is watched once it is there. */
	if (!o->no_inotify &&
	    (f.w.fd < 0 || (f.w.wd_dir < 0 && errno != ENOENT)))
		report(&f, FOLLOWER_NO_INOTIFY, errno, f.w.dir);

	if (o->state_path != NULL) {
		st = state_load(o->state_path, &f.loaded);
		e = errno;
		if (st == STATE_ABSENT) {
			/* A first run killed within its first save: a whole
			 * state there is its start; a mark alone says only
			 * that it started. */
			enum state_status u =
			    state_load_unsaved(o->state_path, &f.loaded);

			if (u == STATE_OK)
				unsaved = 1;
			else if (u != STATE_ABSENT)
				f.unsaved_start = 1;
		}
		f.have_loaded = st == STATE_OK || unsaved;
		/* A start found in the temporary file is not durable: the
		 * next save empties that file before it writes, so nothing is
		 * read until a save is whole. */
		f.durable = f.durable || st == STATE_OK;
		if (st == STATE_ERROR) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s: %s", o->state_path,
			    strerror(e));
			report(&f, FOLLOWER_STATE_REJECTED, 0, msg);
		} else if (st != STATE_OK && st != STATE_ABSENT) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s: %s", o->state_path,
			    state_status_text(st));
			report(&f, FOLLOWER_STATE_REJECTED, 0, msg);
		}
	}
	if (f.have_loaded) {
		f.disk = f.loaded;
		f.have_disk = 1;
	}
	/* Each write batch first checks that the path names the file. */
	sink_guard(f.out, 1);
	start(&f, f.have_loaded ? &f.loaded : NULL, 0);

	for (;;) {
		int64_t now = host_now_ms();

		if (*o->sig->stop || f.out_gone)
			break;
		if (o->sig->hup != NULL && *o->sig->hup) {
			*o->sig->hup = 0;
			if (!f.fault) {
				reopen_output(&f);
			} else {
				/* Perhaps the cure (a new output, space
				 * made): nothing buffered counts, retry now. */
				f.want_reopen = 1;
				f.retry_at = now;
			}
		}
		if (f.fault) {
			if (now >= f.retry_at)
				recover(&f);
			if (f.fault) {
				wait_events(&f, now);
				continue;
			}
		}
		if (round_once(&f, now) && !f.fault) {
			/* A long burst still commits about once a second. */
			if (now - f.last_save >= SAVE_INTERVAL_MS &&
			    flush_out(&f) == 0)
				save(&f, -1);
			/* More may be there: no wait, but let a pending
			 * signal in. */
			ppoll(NULL, 0, &(struct timespec){0, 0}, o->sig->mask);
			continue;
		}
		if (f.fault || flush_out(&f) < 0)
			continue;
		if (f.recovering) {
			/* Caught up with everything written: working. */
			f.recovering = 0;
			f.backoff = BACKOFF_MIN_MS;
			report(&f, FOLLOWER_RECOVERED, 0, o->path);
		}
		now = host_now_ms();
		if (pipeline_due(p, now))
			flush_pending(&f);
		if (!f.fault && f.dirty &&
		    now - f.last_save >= SAVE_INTERVAL_MS)
			save(&f, -1);
		if (now >= f.next_tick) {
			f.next_tick = now + FOLLOW_TICK_MS;
			/* A directory that was missing may be there now. */
			if (f.w.fd >= 0 && f.w.wd_dir < 0)
				follow_watch_drain(&f.w);
			if (!f.fault && sink_moved(f.out))
				reopen_output(&f);
		}
		if (f.fault)
			continue;
		wait_events(&f, host_now_ms());
	}
	finish(&f);
	sink_guard(f.out, 0);
	close_input(&f);
	follow_watch_close(&f.w);
	free(f.files);
	return f.out_gone ? 1 : 0;
}
