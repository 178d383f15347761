/*
 * follow_text: every follow event in words, in one place (follow.h).
 * The loop and its parts report facts; the administrator reads these
 * sentences, and the tests grep them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "follow.h"

/* The failures retried, and how each begins. */
static const struct {
	enum follow_event ev;
	const char *what;
} retried[FOLLOW_RETRIED] = {
    {FOLLOW_OPEN_FAILED, "cannot open"},
    {FOLLOW_READ_FAILED, "cannot read"},
    {FOLLOW_WRITE_FAILED, "cannot write"},
    {FOLLOW_REOPEN_FAILED, "cannot reopen"},
    {FOLLOW_SAVE_FAILED, "cannot save state to"},
};

int
follow_retried(enum follow_event ev)
{
	for (int i = 0; i < FOLLOW_RETRIED; i++)
		if (retried[i].ev == ev)
			return i;
	return -1;
}

static void put(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends to buf, cut, never overrun, when it is full. */
static void
put(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

/* Where a start reads, and what of its output is not repeated. */
static void
start_text(const struct follow_note *n, char *buf, size_t cap)
{
	if (n->start.d == ROTATION_START_PICK)
		put(buf, cap, "%s", n->pick != NULL ? n->pick : "");
	else if (n->start.why == FOLLOW_START_UNSAVED)
		put(buf, cap,
		    "an earlier start was not saved (killed before its first"
		    " save), starting at the beginning of %s",
		    n->begun != NULL ? n->begun : "it");
	else
		put(buf, cap, "%s", rotation_start_text(n->start.d));
	if (n->skipping > 0)
		put(buf, cap,
		    "; %jd bytes of its output are already written, not"
		    " repeated",
		    (intmax_t)n->skipping);
}

const char *
follow_text(const struct follow_note *n, const struct follow_names *nm,
    const char *why, const char *quiet, char *buf, size_t cap)
{
	int i = follow_retried(n->ev);

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	if (i >= 0) {
		put(buf, cap, "%s %s: %s; retrying%s", retried[i].what, n->name,
		    why, quiet);
		return buf;
	}
	switch (n->ev) {
	case FOLLOW_WAITING:
		put(buf, cap, "%s: no such file, waiting for it", n->name);
		break;
	case FOLLOW_NOT_REGULAR:
		put(buf, cap,
		    "%s: not a regular file (%s); waiting for a regular file",
		    n->name, why);
		break;
	case FOLLOW_APPEARED:
		put(buf, cap, "%s: there now, reading it from its start",
		    n->name);
		break;
	case FOLLOW_STATE_REJECTED:
		put(buf, cap, "state file %s; not used", n->name);
		break;
	/* An administrator sees what is followed, into what, and each
	 * switch of file, without -v. */
	case FOLLOW_START:
		put(buf, cap, "following %s (", nm->path);
		start_text(n, buf, cap);
		put(buf, cap, ") into %s", nm->out);
		break;
	case FOLLOW_ROTATED:
		put(buf, cap,
		    "%s: rotated, reading the new file from its start into %s",
		    n->name, nm->out);
		break;
	case FOLLOW_TRUNCATED:
		put(buf, cap, "%s", n->name);
		if (n->copy != NULL && n->before_read)
			put(buf, cap,
			    " (copied and truncated before it was read: its"
			    " copy %s is read first)",
			    n->copy);
		else if (n->copy != NULL)
			put(buf, cap,
			    " (what was not read yet is in its copy %s, read"
			    " first)",
			    n->copy);
		put(buf, cap, ": truncated, reading from its start into %s",
		    nm->out);
		break;
	case FOLLOW_RECOVERED:
		put(buf, cap, "%s: working again", n->name);
		break;
	case FOLLOW_OPTIONS_CHANGED:
		put(buf, cap,
		    "the options that shape the output (format, host name,"
		    " tag, --max-entry, --match, --exclude) changed since the"
		    " state was saved; resuming at its position: %s",
		    n->name);
		break;
	case FOLLOW_LOST:
		start_text(n, buf, cap);
		break;
	case FOLLOW_LOST_COMPRESSED:
		put(buf, cap,
		    "%s: rotated files compressed before they were read, their"
		    " entries are lost: %s",
		    n->name, n->copy);
		break;
	case FOLLOW_LOCK_LOST:
		put(buf, cap,
		    "state file %s is now in use by process %ld (its lock file"
		    " was deleted and made again); stopping",
		    nm->state, n->holder);
		break;
	case FOLLOW_NO_INOTIFY:
		put(buf, cap,
		    "inotify on %s unavailable, checking once a second: %s",
		    n->name, why);
		break;
	case FOLLOW_OPEN_FAILED:
	case FOLLOW_READ_FAILED:
	case FOLLOW_WRITE_FAILED:
	case FOLLOW_REOPEN_FAILED:
	case FOLLOW_SAVE_FAILED:
		break; /* retried: above */
	}
	return buf;
}
