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

#include "follow.h"
#include "state.h"

/* What was seen: the state file, the followed FILE and the output. */
struct status_obs {
	enum state_status loaded; /* state_load's answer */
	int load_errno;           /* with STATE_ERROR */
	struct state s;           /* valid with STATE_OK */
	time_t saved_at;          /* the state file's mtime */
	/* The input, as follow mode's start would see it. */
	struct follow_start_obs start;
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
	enum follow_start start; /* where follow mode would start now */
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
