/*
 * commit: follow mode, exactly once. This is the one place the argument
 * is written: definitions, then rules C1..C29 (one claim each, then its
 * why), then which function keeps each rule and which test fails without
 * it. Code that keeps a rule cites it as (C4); the other files of follow
 * mode point here.
 *
 * DEFINITIONS. Each symbol, its field of struct state (state.h), and the
 * key of the state file's line that holds it (state.c).
 *  P  the input position: the file (in: device, inode, and the hash of
 *     the hash_len bytes before pos) and pos, the offset of the first
 *     byte whose entry is not yet in the output. Key "input".
 *  O  an output file: out_dev, out_ino (have_out 0: standard output or
 *     the journal, no file). Key "output".
 *  S  a size of O: out_size. Key "output".
 *  K  a count of bytes owed to an output file older than O: out_skip.
 *     Key "skip" (version 2).
 *  F  the write-ahead record of a timeout flush: flush_at, an input
 *     offset, -1 if none. Key "flush".
 *  T  the stamp of the entry last opened: have_stamp, stamp. Key "stamp".
 *  H  a hash of the options that shape the output bytes (format, host
 *     name, tag, --max-entry, --match, --exclude, --late-after):
 *     have_options, options. Key "options" (version 2).
 *  W  the wall time, Unix ms, by which format.c judges an entry late:
 *     have_wall, wall. Key "wall" (version 3; absent in a state of a
 *     version that marked nothing: then nothing is late until a W is
 *     saved).
 *  R  the file read before P's file (the newest older one when that was
 *     opened): have_prev, prev (its identity and the hash of its first
 *     bytes; hash_len 0: identity only). Key "prev" (version 2, absent
 *     if none).
 *  V  the files seen: have_seen, seen[n_seen], each as prev. Keys "seen"
 *     and "file" (version 3; absent: not known).
 *  M  the mark: the state's temporary file (path".tmp"), made before
 *     anything else is written; its modification time is the start's.
 *  D  durable: a commit to read on from is on disk (struct commit's
 *     durable; 1 when no state is kept).
 * A commit is (P, O, S, K) with F, T, H, W, R and V. It says: every
 * entry before P is in the output files, and converting the input from P
 * produces first K bytes that are in an output file older than O, then
 * the bytes O holds past S, then bytes no file holds yet. The commit on
 * disk is the state file's; the last commit is the one taken last, saved
 * or not.
 *
 * THE COMMIT
 * C1  The state file holds one whole commit, the old one or the new.
 *     Why: it is replaced by rename(2) of a synced temporary file, and a
 *     file cut short or damaged fails its checksum and is not believed.
 * C2  A commit is taken only when the output buffer is empty and without
 *     error. P is then the start of the pending entry, or, when none is
 *     pending, the end of the lines read; O the open output; S its size
 *     (fstat) less the part of a replay's skip still to come that lies
 *     in O; K the rest of that skip, which lies in an older file (the
 *     output was rotated while a replay still skipped). Neither is
 *     negative. Why: every entry emitted before P is then in a file.
 * C3  A restart converts again from P and drops K plus (O's size now -
 *     S) bytes instead of writing them; when O was rotated away, its
 *     size is read from the file with O's inode in the output's
 *     directory. Why: the crash between writing and saving is the normal
 *     case of the scheme; a line kill -9 cut short is completed by the
 *     rest of its bytes.
 * C4  A line that a rotated O ends without (a write cut short by a full
 *     disk) is not counted: the replay writes it whole to the new file,
 *     and its fragment stays in the rotated one. The same when the
 *     output is left while a replay still skips bytes in it. Why: a line
 *     torn across two files reaches fail2ban as two wrong lines.
 *
 * A DETERMINISTIC REPLAY. Dropping by count (C3) is exact because the
 * conversion from P is a function of the input's bytes and of F, T, H
 * and W, and of where an input ended (rotation, truncation), which a
 * replay meets as the live run did (C19..C25).
 * C5  A flush of an entry by the timeout, before its next line, is
 *     preceded by a saved commit whose F names its offset, and a replay
 *     flushes there again. A replay's F is saved again with each commit
 *     until the replay has passed it. Why: a second crash still obeys
 *     it.
 * C6  When F cannot be saved, the entry leaves all the same. Why: it is
 *     due, and fail2ban is to see it; the cost is that a crash before the
 *     next save followed by a late continuation line of that entry joins
 *     the two in the replay.
 * C7  A commit where no entry is pending but one was emitted by the
 *     flush timeout (or at exit) keeps that entry's stamp as T. Why: a
 *     continuation line arriving later becomes an entry of its own under
 *     the same stamp, after a restart as without one; the offset alone
 *     would make that line an orphan: lost.
 * C8  When H differs at a restart, the follower says so and drops
 *     nothing. Why: bytes in another form cannot be matched; what was
 *     written after the last save, if anything, is written again in the
 *     new form (after a clean stop there is nothing).
 * C9  Every entry converted after the commit on disk is judged by its W
 *     (at start and after every save). Why: a replay from that commit,
 *     which reads that W, makes the same bytes. The wall clock is read
 *     at the commits only.
 * C10 A commit records the W in force, but the clock's time when nothing
 *     is left to skip; it is in force once on disk. Why: a replay's
 *     surplus is made again with the W it was made with.
 * C11 After a failed save, W is the state file's as a restart reads it
 *     (the rename may be done), and so is the last commit's. Why: a
 *     recovery without restart starts from the last commit.
 * C12 Before entries are converted, W is renewed by a save once it is
 *     more than COMMIT_WALL_AGE_MS old, or ahead of the clock; also
 *     where a replay's surplus ends (the pipeline stops there). Why: an
 *     entry is judged at most about a second early, and nothing past the
 *     surplus is judged by the W of the run replayed. While saves fail,
 *     a try is made once a second, and entries are judged by the W of
 *     the last whole save.
 * C13 The journal's size is a count of records, one per entry whatever
 *     its MESSAGE. Why: a MESSAGE judged otherwise (late or not) does not
 *     move its replay's count.
 *
 * DURABILITY
 * C14 A failed save leaves the commit on disk true, provided that
 *     nothing is written to an output file the state on disk does not
 *     name, and that the input's bytes read since that commit can be
 *     read again from its P. Why: what was written since is past its S
 *     in its O. The commit in memory moves all the same (a recovery
 *     without restart starts from it); elsewhere than at the barriers
 *     (C15) a failed save only makes the replay after a crash longer,
 *     C6 excepted.
 * C15 The barriers: the commit is on disk before the output is reopened
 *     and again before anything is written to the new file; before an
 *     input is left; before a truncated file is read again (without a
 *     copy, from 0); before the path is read once it is there after a
 *     time without input. Where such a save fails, the follower holds,
 *     reading and writing nothing, reports it and retries from the last
 *     commit with back-off. Why: the two provisos of C14.
 * C16 A start from a commit that is not on disk (not D: a first start, a
 *     start found in the state's temporary file, the start after the
 *     barrier of a truncation or of the path opened) holds, reading
 *     nothing, until its save is whole. Why: as C15; a start found in
 *     the temporary file is not on disk, since the next save empties
 *     that file before it writes the new state.
 *
 * THE OUTPUT OVER TIME
 * C17 Each write batch first checks that the output's path names the
 *     open file; if not, nothing is written, and the follower starts
 *     again from the last commit into the file the path names, once that
 *     commit is on disk. SIGHUP and the once-a-second check reopen the
 *     same way when idle. Why: logrotate renames the output and creates
 *     a new file, and what is written to the renamed file is lost to
 *     fail2ban; the bytes written to it since the commit are the
 *     replay's surplus (C3).
 * C18 Failures (an unreadable input, a full disk) discard what is in
 *     memory and start again from the last commit after a back-off. Why:
 *     it is the restart of C3 without the restart.
 *
 * THE INPUT OVER TIME. The input is the path and its rotated files in
 * the path's directory, in the order of their names (rotation.h: NAME.1,
 * NAME.2 ... the higher the older, or dated names, the later the newer).
 * C19 Files are read one at a time, oldest first, each left only once
 *     read to its end (and still for the grace), each commit naming the
 *     file read in P. Why: a file is only ever renamed along that order,
 *     or compressed (a new file with a compression suffix, never read),
 *     or deleted, the oldest first; so a restart anywhere in that chain
 *     goes on where it stopped. Live, the file left is the open one,
 *     found by its inode among the names.
 * C20 At start, P's file is the one with its identity and its bytes;
 *     else the newest with those bytes; it is read on from pos, and after
 *     it every readable file newer than it from 0, then the path. Why:
 *     the same bytes come under a new identity (a restore, rsync, cp and
 *     mv, a device renumbered at boot; or the copy copytruncate made of
 *     the file, which at the path is now shorter or other bytes).
 * C21 A file not in V, other than P's, was made since P's file was
 *     opened: a copy (copytruncate's) of it or of a newer one, holding
 *     bytes no commit covers. Once P's file is done, such a copy named
 *     older than it and than R is read first, oldest first, from 0, R
 *     recorded as the file just left, then the files newer than R. Why:
 *     a name alone does not place a copy: copytruncate may copy the path
 *     to a name older than the file read (by hand, or a rotation while
 *     stopped). V holds the files older than P's file when it was
 *     opened and those the commit it was opened after had seen. An older
 *     state does not say: names alone, as before.
 * C22 At pos 0, the files older than P's file made since that commit
 *     (not in V; in a version 2 state, those newer than R) are read
 *     first, oldest first, from 0, as P's file found by content would
 *     be. Why: an offset of 0 has no bytes before it, and the file found
 *     by its identity may since have been copied and truncated
 *     (copytruncate, while stopped, or live before a byte of it was
 *     read): those files are such copies, holding its bytes from 0. This
 *     needs V or R (a version 2 state) and, live, R still there.
 * C23 What cannot be read is proven so, and told in one message naming
 *     it: a compressed file passed over, or P's file found nowhere
 *     (deleted, compressed, or rewritten in place); the files newer than
 *     it are then those newer than R, or all if R is gone too. Why: the
 *     oldest go first, so what is newer than R was not read.
 * C24 A rotated name is never read through a symbolic link, nor if it is
 *     not a regular file; at most ROTATION_MAX_FILES rotated files, the
 *     newest, are looked at. Why: no file outside the directory comes
 *     into the output.
 * C25 A truncation under the read offset (size below it, or other bytes
 *     before it) is checked once a round and after every read(2) of it;
 *     the bytes of a read after which the bytes before it changed are
 *     dropped unread (a truncation and regrowth between two reads of a
 *     round). The read then goes on in a file beside it that holds the
 *     same bytes before the offset (copytruncate's copy, the unfinished
 *     last line included), then the path from 0; without one, the
 *     unfinished last line is taken as it is, as at a rename, and the
 *     file is read from 0 once that start is on disk (C15). Why: the
 *     copy holds the bytes of the commit, so a restart finds them there
 *     by content (C20), and nothing is left until the copy is read to
 *     its end.
 *
 * THE START
 * C26 The start is the moment M is on disk, before the input is looked
 *     at; nothing is read before the starting position is saved, and a
 *     failed first save is reported and retried. Why: a first run killed
 *     within its first save leaves M, whole (its position) or not.
 * C27 M not whole keeps the start's modification time: a save empties
 *     it but keeps that time, and a later start leaves it as it is. The
 *     next start reads from 0 the oldest file written since, wherever it
 *     was rotated to, then the newer ones. Why: nothing appended since
 *     the start is lost, what came before may be read, and nothing was
 *     written yet.
 * C28 A whole start found in M is read on from only once a save of it is
 *     whole (C16).
 *
 * THE LISTING
 * C29 The input's directory is read until two reads in a row list the
 *     same rotated names of the same files (at most ROTATION_SCAN_READS
 *     reads); C19..C25 decide on that listing. Why: readdir(3) while a
 *     rotation renames NAME.k to NAME.k+1 may miss a file renamed during
 *     the read. A file missed when V is recorded is not in V, so it is
 *     taken for a copy made since (C21, C22) and its old entries are
 *     written again; a file missed when the next one is picked is passed
 *     over.
 *
 * ASSUMPTIONS. One follower per state file (state_lock, held for the
 * process's life: a second one exits). Nothing else writes to the output
 * files. A rotated output file keeps its inode and stays in the output's
 * directory until the commit after the reopen is on disk (at once,
 * normally; logrotate's delaycompress). Rotated input files stay in the
 * input's directory, under the names above; a file made there under a
 * rotated name is a copy of the path (copytruncate's). The input's
 * files and M take their times from one clock (one machine). A rename
 * between the check of a batch and its write(2) puts that batch in the
 * renamed file. A copytruncate'd input loses what was written between
 * the copy and the truncation, as with any reader, and a copy compressed
 * at once loses what it held unread.
 *
 * WHO KEEPS EACH RULE, and the test that fails without it (NAME: a
 * scenario of tests/follow/process.sh; test_*: a unit test).
 *  C1  state_save, state_parse      test_state_damaged_byte_rejected,
 *                                   test_state_torn_at_every_length
 *  C2  commit_take (take_input,     test_commit_take_saves,
 *      take_output)                 test_commit_take_splits_skip
 *  C3  commit_replay_skip, surplus  test_commit_replay_skip,
 *                                   test_commit_replay_skip_rotated,
 *                                   fault_sweep
 *  C4  surplus, commit_leave_span,  test_commit_replay_skip_rotated,
 *      commit_left                  test_commit_replay_skip,
 *                                   enospc_half_line, hup_while_skipping
 *  C5  take_input (replay_at),      flush_at_two_crashes,
 *      follow.c flush_pending       test_pipeline_replay_flush
 *  C6  follow.c flush_pending       (none: a loss accepted, not kept)
 *  C7  take_input (T)               test_commit_take_saves,
 *                                   test_pipeline_position_stamp_resume
 *  C8  commit_replay_skip           options_changed,
 *                                   test_commit_replay_skip
 *  C9  follow.c judge_by_commit     late_replay
 *  C10 take_output, write_last      test_commit_wall, late_replay,
 *                                   test_state_wall_round_trip
 *  C11 write_last                   test_commit_wall (a save that fails
 *                                   after its rename: none)
 *  C12 commit_wall_due, take        late_replay,
 *      (follow_input.c),            test_pipeline_take_stops_where_skip_ends
 *      pipeline_take
 *  C13 sink_journal.c               late-replay.sh (tests/journal)
 *  C14 write_last                   save_failed_then_rotate
 *  C15 commit_out_named; follow.c   test_commit_out_named,
 *      reopen_output, recover,      save_failed_then_rotate,
 *      round_once, fl_barrier;      truncate_save_failed,
 *      follow_input.c fl_switch,    appears_save_failed
 *      fl_truncate, the start's
 *      save
 *  C16 commit_load, write_last,     test_commit_durable,
 *      commit_barrier               test_commit_barrier_durable,
 *                                   test_commit_load,
 *                                   unsaved_start_save_fails
 *  C17 sink_guard, follow.c         hup_storm, output_hup,
 *      reopen_output,               test_follow_mode_move_goes_back
 *      follow_mode_moved
 *  C18 follow.c recover,            test_follow_backoff_pinned_clock,
 *      follow_backoff,              test_follow_mode_failure_recovers,
 *      follow_mode_fail             full_disk
 *  C19 rotation_order, fl_switch    two_rotations_stopped,
 *                                   two_rotations_paused
 *  C20 rotation_pick (find_saved)   test_rotation_pick,
 *                                   renumbered_identity,
 *                                   copytruncate_stopped
 *  C21 rotation_pick (pick_next),   test_rotation_pick,
 *      watch_note_prev              test_watch_copy_named_older,
 *                                   copy_named_older_stopped
 *  C22 rotation_pick (pick_at_     test_rotation_pick,
 *      zero), watch_find_copy_      copytruncate_at_zero_stopped,
 *      at_zero                      copytruncate_before_read
 *  C23 rotation_pick (pick_next),   test_rotation_pick,
 *      rotation_pick_text           test_rotation_pick_text,
 *                                   deleted_not_rotated
 *  C24 rotation_scan,               test_rotation_scan, planted_link,
 *      watch_open_file              test_watch_not_regular
 *  C25 follow_input.c fl_truncate   truncate_regrow_round,
 *                                   truncate_unfinished,
 *                                   test_watch_copy_after_truncation
 *  C26 commit_mark, state_mark      crash_before_first_save,
 *                                   mark_on_disk
 *  C27 state.c open_tmp,            first_start_killed_then_rotated,
 *      state_mark_time,             test_state_mark_time,
 *      rotation_since               test_rotation_since
 *  C28 commit_load                  test_commit_durable
 *  C29 rotation_scan                test_rotation_scan_while_renamed
 */
#include "commit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sink.h"

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
	int have_wall;    /* W: the commit on disk's (C9, C10) */
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
	 * until a save is whole (C16, C28). */
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
	 * from the beginning rather than lose what came meanwhile (C26). */
	if (cm->durable)
		return 0;
	return state_mark(cm->o.state_path);
}

/*
 * Makes the last commit the state on disk. 0, or -1 with errno. W
 * becomes the last commit's once it is on disk; if the save failed, it
 * is that of the state file as a restart would read it, and so is the
 * last commit's (C10, C11). The commit in memory moves all the same
 * (C14).
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

/*
 * The input's side of the commit at pt into *s (C2, C5, C7): P with the
 * hash of the bytes before it, T, R and V. -1 if the input shrank under
 * P (the next round sees it).
 */
static int
take_input(struct state *s, const struct commit_point *pt)
{
	/* A replay's write-ahead record stands until the replay has
	 * flushed there: a second crash before that must flush there too
	 * (C5). */
	s->flush_at = pt->flush_at >= 0 ? pt->flush_at : pt->replay_at;
	if (pt->fd < 0)
		return 0;
	s->have_input = 1;
	s->in.dev = pt->dev;
	s->in.ino = pt->ino;
	s->pos = pt->pos;
	if (state_hash_fd(pt->fd, s->pos, &s->in.hash, &s->in.hash_len) < 0)
		return -1;
	s->have_stamp = pt->have_stamp;
	if (pt->have_stamp)
		s->stamp = pt->stamp;
	s->have_prev = pt->prev.have_prev;
	s->prev = pt->prev.prev;
	s->have_seen = pt->prev.have_seen;
	s->n_seen = pt->prev.n_seen;
	memcpy(s->seen, pt->prev.seen, s->n_seen * sizeof(s->seen[0]));
	return 0;
}

/* The output's side of the commit at pt into *s: O, S and K (C2), H
 * (C8), W (C10). */
static void
take_output(const struct commit *cm, struct state *s,
    const struct commit_point *pt)
{
	off_t here;

	if (pt->out.have) {
		/* The skip still owed is dropped from the front: first the
		 * bytes in an older output, then those past the size here. */
		here = commit_leave_span(cm, pt->out.skip);
		if (here > pt->out.size)
			here = pt->out.size; /* cut by someone else */
		s->have_out = 1;
		s->out_dev = pt->out.dev;
		s->out_ino = pt->out.ino;
		s->out_size = pt->out.size - here;
		s->out_skip = pt->out.skip - here;
	}
	s->have_options = 1;
	s->options = cm->o.options;
	/* W moves only where nothing is left to skip: a replay from here
	 * makes the skipped bytes again, judged as they were (C10). */
	s->have_wall = cm->have_wall;
	s->wall = cm->wall;
	if (cm->o.judge && pt->out.skip == 0) {
		s->have_wall = 1;
		s->wall = pt->wall_now;
	}
}

int
commit_take(struct commit *cm, const struct commit_point *pt)
{
	struct state s;

	/* Only with the output flushed and without error (C2). */
	if (!pt->ready)
		return -1;
	/* Also when no commit can be taken: the next try is in a second,
	 * not at once. */
	cm->last_save = clock_now(cm->o.clock);
	memset(&s, 0, sizeof(s));
	if (take_input(&s, pt) < 0)
		return -1;
	take_output(cm, &s, pt);
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

/* W renewed before it is a second old, or when ahead (C12). */
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

/* Nothing written to an output the commit on disk does not name (C15). */
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
 * open output, instead of being completed across the two files (C3,
 * C4).
 */
static off_t
surplus(const struct commit *cm, const struct state *s,
    const struct commit_out *o, int *here)
{
	struct sink_id was = {s->out_dev, s->out_ino, s->out_size};
	off_t size = o->size, torn = 0;

	*here = 0;
	if (!s->have_out || !o->have)
		return 0;
	*here = o->dev == s->out_dev && o->ino == s->out_ino;
	if (!*here) {
		/* Rotated away (logrotate) before the reopen was saved. */
		if (cm->o.out == NULL ||
		    (size = sink_rotated(cm->o.out, &was, &torn)) < 0)
			return 0;
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
	 * none (C8).
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

/* A line the output left ends without is written whole again (C4). */
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
