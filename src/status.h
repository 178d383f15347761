/*
 * status: what --status tells an administrator about follow mode from its
 * state file and the files as they are now: the input, the position, how
 * far behind the input's end, the last entry's stamp, the output, and a
 * verdict with an exit status for scripts. The observing is separate from
 * the deciding, which is a pure function, and from the text.
 */
#ifndef KERIO2SYSLOG_STATUS_H
#define KERIO2SYSLOG_STATUS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "rotation.h"
#include "state.h"

/*
 * Where follow mode would go on, as status sees it: the saved file at the
 * path, or under a rotated name (found by device and inode), each with
 * the saved bytes before the position; else the input moved on. This is a
 * summary: the follower itself (rotation_pick) also finds the saved bytes
 * under another identity (a restore, a copytruncate copy) and reads every
 * rotated file in between, so a "moved" here may still resume exactly.
 */
struct status_start_obs {
	int have_state;    /* a state file that names an input was loaded */
	int from_start;    /* a state saved while waiting: from 0 */
	int path_exists;   /* the path names a regular file */
	int path_is_saved; /* ... the saved device and inode */
	int path_fits;     /* ... its size >= saved offset and the bytes
	                      before the offset hash as saved */
	int found_rotated; /* the saved inode is another name in the dir */
	int rotated_fits;  /* ... and fits the saved offset and hash */
};

enum status_start {
	STATUS_START_WAIT,      /* no path: waits for it */
	STATUS_START_END,       /* no state: from the end of the path */
	STATUS_START_BEGIN,     /* the path from 0 */
	STATUS_START_RESUME,    /* the path from the saved offset */
	STATUS_START_ROTATED,   /* the saved file under a rotated name first */
	STATUS_START_TRUNCATED, /* the saved file, shorter or changed */
};

/* Decides status_start from what was seen (a pure function). */
enum status_start status_start_decide(const struct status_start_obs *o);

/* What was seen: the state file, the followed FILE and the output. */
struct status_obs {
	enum state_status loaded; /* state_load's answer */
	int load_errno;           /* with STATE_ERROR */
	struct state s;           /* valid with STATE_OK */
	time_t saved_at;          /* the state file's mtime */
	/* The input, as follow mode's start would see it. */
	struct status_start_obs start;
	dev_t path_dev;
	ino_t path_ino;
	off_t path_size;    /* FILE's size, if it exists */
	off_t rotated_size; /* the saved file's size under its new name */
	char rotated[4096]; /* ... and that name */
	/* The output, if a path was given. */
	int have_out_path;
	int out_exists;
	dev_t out_dev;
	ino_t out_ino;
	off_t out_size;
};

enum status_verdict {
	STATUS_RESUMES,  /* the state fits FILE and the output: 0 */
	STATUS_MOVED,    /* FILE or the output moved on since the state was
	                    saved (rotated, truncated, missing): 1 */
	STATUS_WAITING,  /* the state was saved waiting for FILE: 1 */
	STATUS_NO_STATE, /* no state file: EX_NOINPUT */
	STATUS_BAD,      /* damaged or foreign state file: EX_DATAERR */
	STATUS_ERROR,    /* the state file cannot be read: EX_IOERR */
};

struct status_report {
	enum status_verdict verdict;
	enum status_start start; /* where follow mode would go on */
	off_t behind;            /* bytes of input past the position, or -1
	                            when unknown */
	int out_moved;           /* the output is not the saved one, or is
	                            shorter than the committed size */
};

/*
 * Observes state file state_path, followed file path (NULL: not given)
 * and output out_path (NULL: not given) into *o. Never fails: what cannot
 * be seen is recorded as missing.
 */
void status_observe(const char *state_path, const char *path,
    const char *out_path, struct status_obs *o);

/* Decides the verdict from what was observed. */
void status_decide(const struct status_obs *o, struct status_report *r);

/* The exit status for a verdict (0, 1 or a sysexits(3) value). */
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
