/*
 * commit: follow mode, exactly once. This is the one place the argument
 * is written; the other files of follow mode point here.
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
 * Taking one (commit_take). Only when the output buffer is empty, so
 * that every entry emitted is in a file. P is the start of the pending
 * entry, or, when none is pending, the end of the lines read. O is the
 * open output, S its size (fstat) less the part of a replay's skip
 * still to come that lies in O, K the rest of that skip, which lies in
 * an older file (the output was rotated while a replay still skipped).
 * Neither is negative.
 *
 * A restart (commit_replay_skip) converts again from P and drops K
 * plus (O's size now - S) bytes instead of writing them; O's size is read
 * from the file with O's inode in the output's directory when O was
 * rotated away. That is the crash between writing and saving, the normal
 * case of the scheme; a line kill -9 cut short is completed by the rest
 * of its bytes. But a line that a rotated O ends without (a write cut
 * short by a full disk) is not counted: the replay writes it whole to the
 * new file, and its fragment stays in the rotated one, instead of a line
 * torn across two files. The same when the output is left while a replay
 * still skips bytes in it (commit_leave_span).
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
 *    --max-entry, --match, --exclude, --late-after), as a hash. When
 *    they differ at a restart, the follower says so and drops nothing:
 *    what was written after the last save, if anything, is written again
 *    in the new form (after a clean stop there is nothing);
 *  - W, the wall time by which format.c judges an entry late (see "The
 *    time judged by"): the wall clock is read at the commits only.
 *
 * The time judged by. W is the commit's key "wall", Unix ms, absent in a
 * state of a version that marked nothing (then nothing is late until a
 * W is saved). The rules:
 *  1. every entry converted after the commit on disk is judged by its W
 *     (follow.c: judge_by_commit, after every save and at start), so a
 *     replay from it, which reads that W, makes the same bytes;
 *  2. a commit records the W in force, but now when nothing is left to
 *     skip (commit_take); it is in force once on disk (write_last): a
 *     replay's surplus is made again with the W it was made with;
 *  3. after a failed save W is the state file's as a restart reads it
 *     (the rename may be done), and so is the last commit's, from which
 *     a recovery without restart starts;
 *  4. before entries are converted (follow_input.c: take) W is renewed
 *     by a save once it is more than COMMIT_WALL_AGE_MS old, or ahead of
 *     the clock (commit_wall_due): an entry is judged at most about a
 *     second early. Also where a replay's surplus ends (pipeline_take
 *     stops there), so that nothing past it is judged by the W of the
 *     run replayed. While saves fail, a try is made once a second, and
 *     entries are judged by the W of the last whole save.
 * The journal's size is a count of records, one per entry whatever its
 * MESSAGE: a MESSAGE judged otherwise would not move its replay's count.
 * Tests: rules 1 and 2, late_replay (tests/follow/process.sh: torn and
 * repeated lines without them) and test_commit_wall; 3, test_commit_wall;
 * 4, late_replay (the entries after the surplus) and
 * test_pipeline_take_stops_where_skip_ends; the journal, late-replay.sh
 * (tests/journal); the key, test_state_wall_round_trip.
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
 * before anything is written to the new file (follow.c: reopen_output,
 * recover; follow_input.c: the start's save; commit_out_named), before
 * an input is left (fl_switch), before a truncated file is read again
 * (fl_truncate) and before the path is read once it is there
 * (round_once): where such a save fails, the follower holds, reading and
 * writing nothing, reports it and retries from the last commit with
 * back-off (fl_barrier, follow_backoff); the start from a
 * commit that is not on disk (durable: a first start, a start found in
 * the state's temporary file, the start after the barrier of a
 * truncation or of the path opened) holds likewise until its save is
 * whole. Elsewhere a failed save only makes the replay after a crash
 * longer, with one exception: when the write-ahead record of a timeout
 * flush cannot be saved, the entry leaves all the same (it is due, and
 * fail2ban is to see it), and a crash before the next save followed by a
 * late continuation line of that entry would join the two in the replay
 * (follow.c: flush_pending).
 *
 * The output over time. logrotate renames the output and creates a new
 * file; what is written to the renamed file is lost to fail2ban. So each
 * write batch first checks that the output's path names the open file
 * (sink_guard); if not, nothing is written, and the follower starts
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
 * the path's directory, in the order of their names (rotation.h: NAME.1,
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
 * A name alone does not place a copy: copytruncate may copy the path to
 * a name older than the file read (by hand, or a rotation while
 * stopped). So the commit also records the files seen (a version 3
 * state): those older than the input when it was opened, and those the
 * commit it was opened after had seen (watch_note_prev). A file that is not
 * among them, other than the saved one, was made since: a copy of the
 * saved file or of a newer one, holding bytes no commit covers. Once the
 * saved file is done, such a copy named older than it and the file read
 * before it is read first, oldest first, from 0, the file read before it
 * recorded as the file just left, and then the files newer than that
 * one (rotation_pick). An older state does not say: names alone, as
 * before.
 *
 * An offset of 0 has no bytes before it: the saved file found by its
 * identity may since have been copied and truncated (copytruncate, while
 * stopped, or live before a byte of it was read). The files older than
 * it made since that commit (not among the files seen; in a version 2
 * state, those newer than the file read before it, the newest older file
 * when it was opened) are such copies, holding its bytes from 0, and are
 * read first, oldest first, from 0, as the saved file found by content
 * would be (rotation_pick, unproven; watch_find_copy_at_zero live). This
 * needs the files seen or the file read before to be known (a version 2
 * state) and, live, the latter still there.
 *
 * What cannot be read is proven so, and told in one message naming it:
 * a compressed file passed over, or a saved file found nowhere (deleted,
 * compressed, or rewritten in place); then the files newer than it are
 * those newer than the file read before it, which the commit also
 * records (its identity and first bytes), or all, if that one is gone
 * too (the oldest go first). A rotated name is never read through a
 * symbolic link, nor if it is not a regular file: no file outside the
 * directory comes into the output. At most ROTATION_MAX_FILES rotated
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
 * its first save leaves the mark, whole (its position) or not. Not
 * whole, its modification time is the start's: a save empties it but
 * keeps that time (state_mark_time), and a later start leaves it as it
 * is. The next start then reads from 0 the oldest file written since,
 * wherever it was rotated to, then the newer ones (rotation_since):
 * nothing appended since the start is lost, what came before may be
 * read, and nothing was written yet. A whole start found there is read
 * on from only once a save of it is whole, since a save empties that
 * file before it writes the new state.
 *
 * Assumptions. One follower per state file (state_lock, held for the
 * process's life: a second one exits). Nothing else writes to the output
 * files. A rotated output file keeps its inode and stays in the output's
 * directory until the commit after the reopen is on disk (at once,
 * normally; logrotate's delaycompress). Rotated input files stay in the
 * input's directory, under the names above; a file made there under a
 * rotated name is a copy of the path (copytruncate's). The input's
 * files and the state's temporary file take their times from one clock
 * (one machine). A rename between the check
 * of a batch and its write(2) puts that batch in the renamed file. A
 * copytruncate'd input loses what was written between the copy and the
 * truncation, as with any reader, and a copy compressed at once loses
 * what it held unread.
 */
#include "commit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "rotation.h"

struct commit {
	struct commit_opts o;
	struct state last; /* the last commit (saved or not) */
	int have_last;
	int last_saved;    /* ... and it is the one on disk */
	struct state disk; /* the commit on disk (loaded or saved) */
	int have_disk;
	struct state loaded; /* the state file as found at start */
	int have_loaded;
	int unsaved_start;         /* an earlier start left only its mark */
	struct timespec mark_time; /* ... made then */
	int durable;     /* a commit to read on from is on disk (or there
	                    is no state): until then, nothing is read */
	off_t skip_here; /* of the output's skip, the bytes past the commit's
	                    size in the open output (the rest: an older one) */
	int64_t last_save;
	int dirty;        /* read or written since the last commit... */
	int64_t dirty_at; /* ... first at this time */
	int have_wall;    /* W: the commit on disk's (the time judged by) */
	int64_t wall;
};

struct commit *
commit_new(const struct commit_opts *o)
{
	struct commit *cm = calloc(1, sizeof(*cm));

	if (cm == NULL)
		return NULL;
	cm->o = *o;
	cm->durable = o->state_path == NULL;
	return cm;
}

void
commit_free(struct commit *cm)
{
	free(cm);
}

int
commit_load(struct commit *cm, char *why, size_t cap)
{
	const char *path = cm->o.state_path;
	enum state_status st;
	int e, unsaved = 0, rejected = 0;

	why[0] = '\0';
	if (path == NULL)
		return 0;
	st = state_load(path, &cm->loaded);
	e = errno;
	if (st == STATE_ABSENT) {
		/* A first run killed within its first save: a whole state
		 * there is its start; a mark alone says only that it
		 * started. */
		enum state_status u = state_load_unsaved(path, &cm->loaded);

		if (u == STATE_OK)
			unsaved = 1;
		else if (u != STATE_ABSENT)
			cm->unsaved_start = 1;
		if (cm->unsaved_start &&
		    state_mark_time(path, &cm->mark_time) < 0)
			memset(&cm->mark_time, 0, sizeof(cm->mark_time));
	}
	cm->have_loaded = st == STATE_OK || unsaved;
	/* A start found in the temporary file is not durable: the next
	 * save empties that file before it writes, so nothing is read
	 * until a save is whole. */
	cm->durable = cm->durable || st == STATE_OK;
	if (st == STATE_ERROR) {
		snprintf(why, cap, "%s: %s", path, strerror(e));
		rejected = 1;
	} else if (st != STATE_OK && st != STATE_ABSENT) {
		snprintf(why, cap, "%s: %s", path, state_status_text(st));
		rejected = 1;
	}
	if (cm->have_loaded) {
		cm->disk = cm->loaded;
		cm->have_disk = 1;
		cm->have_wall = cm->loaded.have_wall;
		cm->wall = cm->loaded.wall;
	}
	return rejected;
}

const struct state *
commit_loaded(const struct commit *cm)
{
	return cm->have_loaded ? &cm->loaded : NULL;
}

const struct state *
commit_last(const struct commit *cm)
{
	return cm->have_last ? &cm->last : commit_loaded(cm);
}

int
commit_unsaved_start(const struct commit *cm, struct timespec *when)
{
	if (when != NULL)
		*when = cm->mark_time;
	return cm->unsaved_start;
}

int
commit_durable(const struct commit *cm)
{
	return cm->durable;
}

int
commit_mark(struct commit *cm)
{
	/* The start is the moment its mark is on disk: a kill from then on
	 * until the first save leaves the mark, and the next start reads
	 * from the beginning rather than lose what came meanwhile. */
	if (cm->durable)
		return 0;
	return state_mark(cm->o.state_path);
}

/*
 * Makes the last commit the state on disk. 0, or -1 with errno. W
 * becomes the last commit's once it is on disk; if the save failed, it
 * is that of the state file as a restart would read it, and so is the
 * last commit's (the time judged by, rules 2 and 3).
 */
static int
write_last(struct commit *cm)
{
	struct state d;
	int e;

	if (cm->o.state_path != NULL &&
	    state_save(cm->o.state_path, &cm->last) < 0) {
		e = errno;
		if (state_load(cm->o.state_path, &d) == STATE_OK) {
			cm->have_wall = d.have_wall;
			cm->wall = d.wall;
		}
		cm->last.have_wall = cm->have_wall;
		cm->last.wall = cm->wall;
		errno = e;
		return -1;
	}
	if (cm->o.state_path != NULL) {
		cm->disk = cm->last;
		cm->have_disk = 1;
	}
	cm->have_wall = cm->last.have_wall;
	cm->wall = cm->last.wall;
	cm->last_saved = 1;
	cm->durable = 1;
	return 0;
}

int
commit_take(struct commit *cm, const struct commit_point *pt)
{
	struct state s;
	off_t here;

	if (!pt->ready)
		return -1;
	/* Also when no commit can be taken: the next try is in a second,
	 * not at once. */
	cm->last_save = clock_now(cm->o.clock);
	memset(&s, 0, sizeof(s));
	/* A replay's write-ahead record stands until the replay has
	 * flushed there: a second crash before that must flush there too. */
	s.flush_at = pt->flush_at >= 0 ? pt->flush_at : pt->replay_at;
	if (pt->fd >= 0) {
		s.have_input = 1;
		s.in_dev = pt->dev;
		s.in_ino = pt->ino;
		s.pos = pt->pos;
		if (state_hash_fd(pt->fd, s.pos, &s.hash, &s.hash_len) < 0)
			return -1; /* shrunk under us: the next round sees it */
		s.have_stamp = pt->have_stamp;
		if (pt->have_stamp)
			s.stamp = pt->stamp;
		s.have_prev = pt->prev.have_prev;
		s.prev_dev = pt->prev.prev_dev;
		s.prev_ino = pt->prev.prev_ino;
		s.prev_hash_len = pt->prev.prev_hash_len;
		s.prev_hash = pt->prev.prev_hash;
		s.have_seen = pt->prev.have_seen;
		s.n_seen = pt->prev.n_seen;
		memcpy(s.seen, pt->prev.seen, s.n_seen * sizeof(s.seen[0]));
	}
	if (pt->out.have) {
		/* The skip still owed is dropped from the front: first the
		 * bytes in an older output, then those past the size here. */
		here = commit_leave_span(cm, pt->out.skip);
		if (here > pt->out.size)
			here = pt->out.size; /* cut by someone else */
		s.have_out = 1;
		s.out_dev = pt->out.dev;
		s.out_ino = pt->out.ino;
		s.out_size = pt->out.size - here;
		s.out_skip = pt->out.skip - here;
	}
	s.have_options = 1;
	s.options = cm->o.options;
	/* W moves only where nothing is left to skip: a replay from here
	 * makes the skipped bytes again, judged as they were (the time
	 * judged by, rule 2). */
	s.have_wall = cm->have_wall;
	s.wall = cm->wall;
	if (cm->o.judge && pt->out.skip == 0) {
		s.have_wall = 1;
		s.wall = pt->wall_now;
	}
	cm->last = s;
	cm->have_last = 1;
	cm->last_saved = 0;
	cm->dirty = 0;
	return write_last(cm) < 0 ? 1 : 0;
}

int
commit_barrier(struct commit *cm, const struct commit_point *pt)
{
	int rc = commit_take(cm, pt);

	if (rc != 0)
		cm->durable = 0;
	return rc;
}

int
commit_write(struct commit *cm)
{
	if (!cm->have_last || cm->last_saved)
		return 0;
	return write_last(cm);
}

int
commit_wall(const struct commit *cm, int64_t *ms)
{
	*ms = cm->wall;
	return cm->have_wall;
}

int
commit_wall_due(const struct commit *cm, int64_t wall_now, int64_t now)
{
	if (!cm->o.judge)
		return 0;
	if (cm->have_wall && wall_now >= cm->wall &&
	    wall_now - cm->wall <= COMMIT_WALL_AGE_MS)
		return 0;
	return cm->last_saved || commit_interval_passed(cm, now);
}

int
commit_out_named(const struct commit *cm, const struct commit_out *o)
{
	if (cm->o.state_path == NULL || !cm->have_disk)
		return 1;
	if (!cm->disk.have_out)
		return !o->have;
	return o->have && o->dev == cm->disk.out_dev &&
	    o->ino == cm->disk.out_ino;
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
surplus(const struct commit *cm, const struct state *s,
    const struct commit_out *o, int *here)
{
	char dir[4096], name[4096];
	off_t size = o->size, torn = 0;
	struct stat sb;
	int fd;

	*here = 0;
	if (!s->have_out || !o->have)
		return 0;
	*here = o->dev == s->out_dev && o->ino == s->out_ino;
	if (!*here) {
		/* Rotated away (logrotate) before the reopen was saved. */
		if (cm->o.out_path == NULL ||
		    rotation_dirname(cm->o.out_path, dir, sizeof(dir)) < 0 ||
		    rotation_find(dir, s->out_dev, s->out_ino, name,
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

off_t
commit_replay_skip(struct commit *cm, const struct state *s,
    const struct commit_out *o, int *changed, char *msg, size_t cap)
{
	int here = 0;
	off_t more = surplus(cm, s, o, &here);

	cm->skip_here = 0;
	*changed = 0;
	msg[0] = '\0';
	/*
	 * Options that shape the output bytes differ from those the state
	 * was saved with: the bytes past its size then cannot be matched,
	 * so none are skipped; what was written after the last save may
	 * appear again, in the new form. A state saved at a clean stop has
	 * none.
	 */
	if (s->have_options && s->options != cm->o.options) {
		*changed = 1;
		if (more + s->out_skip > 0)
			snprintf(msg, cap,
			    "%jd bytes written after the last save are not"
			    " matched; their entries may be written again",
			    (intmax_t)(more + s->out_skip));
		else
			snprintf(msg, cap, "nothing was written after it");
		return 0;
	}
	cm->skip_here = here ? more : 0;
	return s->out_skip + more;
}

void
commit_no_skip(struct commit *cm)
{
	cm->skip_here = 0;
}

off_t
commit_leave_span(const struct commit *cm, off_t skip)
{
	return skip < cm->skip_here ? skip : cm->skip_here;
}

off_t
commit_left(struct commit *cm, off_t skip, off_t torn)
{
	cm->skip_here = 0;
	return torn > 0 ? skip - torn : skip;
}

void
commit_dirty(struct commit *cm)
{
	if (!cm->dirty)
		cm->dirty_at = clock_now(cm->o.clock);
	cm->dirty = 1;
}

int
commit_interval_passed(const struct commit *cm, int64_t now)
{
	return now - cm->last_save >= COMMIT_INTERVAL_MS;
}

int
commit_due(const struct commit *cm, int64_t now)
{
	return now >= commit_deadline(cm);
}

int64_t
commit_deadline(const struct commit *cm)
{
	/* An interval after the last commit and after what came since: a
	 * commit just before a conversion (a W renewed) is not followed by
	 * another an interval later, ahead of the pending entry's flush. */
	if (!cm->dirty)
		return INT64_MAX;
	return (cm->dirty_at > cm->last_save ? cm->dirty_at : cm->last_save) +
	    COMMIT_INTERVAL_MS;
}
