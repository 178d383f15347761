/*
 * status: what --status tells an administrator about follow mode from its
 * state file, its lock and the files as they are now: whether a follower
 * runs, where it would start (decided by follow mode's own rule), how far
 * behind the input's end it is, the last entry's stamp, the output, and
 * a verdict with an exit status for scripts. The observing is separate
 * from the deciding, which is a pure function, and from the text.
 */
#ifndef KERIO2SYSLOG_STATUS_H
#define KERIO2SYSLOG_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "rotation.h"
#include "sink.h"
#include "state.h"

/*
 * A running follower is stalled when bytes wait unread and its position
 * has not moved for longer than the time it needs to read, flush and
 * commit them: the flush timeout, a stat tick (ROTATION_TICK_MS), a
 * commit interval (COMMIT_INTERVAL_MS), and this margin, ms.
 */
#define STATUS_STALL_MARGIN_MS 5000

/* The bound for a flush timeout of flush_timeout ms (the sum above). */
int64_t status_stall_ms(int flush_timeout);

/* What was seen: the state file, its lock, the followed FILE, the output. */
struct status_obs {
	enum state_status loaded; /* state_load's answer */
	int load_errno;           /* with STATE_ERROR */
	struct state s;           /* valid with STATE_OK */
	int64_t now_ms;           /* the wall clock at the look */
	int64_t saved_ms;         /* the state file's modification time */
	int running;              /* a process holds the lock: 1, 0, or -1
	                             (cannot be told) */
	long holder;              /* ... its process id, 0 if unknown */
	char lock[4096 + 8];      /* the lock file's name */
	/* FILE and its rotated files as follow mode's start sees them, and
	 * its decision (follow_start_decide, then watch_pick_start). */
	int have_path;
	enum rotation_start start;
	struct rotation_pick pick; /* with ROTATION_START_PICK */
	struct rotation_file files[ROTATION_MAX_FILES + 1];
	size_t n;         /* oldest first, FILE itself last */
	char dir[4096];   /* FILE's directory */
	int64_t input_ms; /* the newest modification time of them */
	/* A look before this one (status_first_look), or 0. */
	int64_t first_ms, first_saved_ms;
	/* The output, if named: a file, or the journal (its identity and
	 * size as the commit reads them back). */
	int have_out_path;
	int out_journal;
	int out_exists;
	int out_errno; /* the journal could not be read: why */
	struct sink_id out;
};

enum status_verdict {
	STATUS_RESUMES,     /* the state fits FILE and the output: 0 */
	STATUS_MOVED,       /* FILE or the output moved on since the state
	                       was saved (rotated, truncated, missing): 1 */
	STATUS_WAITING,     /* the state was saved waiting for FILE: 1 */
	STATUS_STALLED,     /* a follower runs, bytes wait unread and its
	                       position stood still past the bound: 2 */
	STATUS_NOT_RUNNING, /* no process holds the state file's lock: 3 */
	STATUS_NO_STATE,    /* no state file: EX_NOINPUT */
	STATUS_BAD,         /* damaged or foreign state file: EX_DATAERR */
	STATUS_ERROR,       /* the state file cannot be read: EX_IOERR */
};

struct status_report {
	enum status_verdict verdict;
	off_t behind;     /* bytes of input past the position, or -1 when
	                     unknown */
	int out_moved;    /* the output is not the saved one, or is
	                     shorter than the committed size */
	int64_t stall_ms; /* the bound applied */
	int64_t still_ms; /* how long the position has stood still */
	/* Not yet decided between running and stalled: bytes wait, the
	 * position is old, but the bytes may be younger than the bound.
	 * Look again (status_first_look) after this many ms; 0: decided. */
	int64_t again_ms;
};

/*
 * Observes state file state_path, its lock, followed file path (NULL: not
 * given) and output out_path (NULL: not given; out_journal: the journal,
 * whose identity the caller puts in with status_observe_journal) into *o,
 * at wall's now. Never fails: what cannot be seen is recorded as missing.
 */
void status_observe(const char *state_path, const char *path,
    const char *out_path, int out_journal, const struct clock *wall,
    struct status_obs *o);

/* The journal's identity and size for the commit (sink_journal), or err
 * if it could not be read (0 with id). */
void status_observe_journal(struct status_obs *o, const struct sink_id *id,
    int err);

/* o, a second look, records what the first one saw of the position. */
void status_first_look(struct status_obs *o, const struct status_obs *first);

/* Decides the verdict from what was observed, with the bound stall_ms. */
void status_decide(const struct status_obs *o, int64_t stall_ms,
    struct status_report *r);

/* The exit status for a verdict (0 to 3, or a sysexits(3) value). */
int status_exit(enum status_verdict v);

/*
 * Renders the report as lines of text ("name: value") into buf (cap
 * bytes), naming the files by the paths given (NULL: by device and
 * inode). Returns the length; the text is cut, NUL-terminated, if it does
 * not fit.
 */
size_t status_format(const struct status_obs *o, const struct status_report *r,
    const char *state_path, const char *path, const char *out_path, char *buf,
    size_t cap);

#endif
