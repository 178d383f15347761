/*
 * follow_text: every follow event in words, in one place (follow.h): one
 * table, a sentence an event. The loop and its parts report facts; the
 * administrator reads these sentences, and the tests grep them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "follow.h"

/* The facts a sentence puts between its fixed words. */
enum part {
	NOTHING,
	NAME,   /* n->name */
	WHY,    /* why n->err, or what the file is */
	PATH,   /* the followed FILE */
	OUT,    /* the output */
	STATE,  /* --state */
	COPY,   /* n->copy */
	HOLDER, /* n->holder */
	COPIED, /* a truncation's copy read first, if any */
	START,  /* where a start reads, and what it does not repeat */
};

/* A sentence: t[0] p[0] t[1] p[1] t[2] p[2] t[3]. */
struct words {
	enum follow_event ev;
	int retried; /* a failure retried, limited apart (follow_retried) */
	const char *t[4];
	enum part p[3];
};

static const struct words words[] = {
    {FOLLOW_WAITING, 0, {"", ": no such file, waiting for it", "", ""},
        {NAME, NOTHING, NOTHING}},
    {FOLLOW_NOT_REGULAR, 0,
        {"", ": not a regular file (", "); waiting for a regular file", ""},
        {NAME, WHY, NOTHING}},
    {FOLLOW_APPEARED, 0, {"", ": there now, reading it from its start", "", ""},
        {NAME, NOTHING, NOTHING}},
    {FOLLOW_STATE_REJECTED, 0, {"state file ", "; not used", "", ""},
        {NAME, NOTHING, NOTHING}},
    /* An administrator sees what is followed, into what, and each
     * switch of file, without -v. */
    {FOLLOW_START, 0, {"following ", " (", ") into ", ""}, {PATH, START, OUT}},
    {FOLLOW_ROTATED, 0,
        {"", ": rotated, reading the new file from its start into ", "", ""},
        {NAME, OUT, NOTHING}},
    {FOLLOW_TRUNCATED, 0,
        {"", "", ": truncated, reading from its start into ", ""},
        {NAME, COPIED, OUT}},
    {FOLLOW_OPEN_FAILED, 1, {"cannot open ", ": ", "; retrying", ""},
        {NAME, WHY, NOTHING}},
    {FOLLOW_READ_FAILED, 1, {"cannot read ", ": ", "; retrying", ""},
        {NAME, WHY, NOTHING}},
    {FOLLOW_WRITE_FAILED, 1, {"cannot write ", ": ", "; retrying", ""},
        {NAME, WHY, NOTHING}},
    {FOLLOW_REOPEN_FAILED, 1, {"cannot reopen ", ": ", "; retrying", ""},
        {NAME, WHY, NOTHING}},
    {FOLLOW_SAVE_FAILED, 1, {"cannot save state to ", ": ", "; retrying", ""},
        {NAME, WHY, NOTHING}},
    {FOLLOW_RECOVERED, 0, {"", ": working again", "", ""},
        {NAME, NOTHING, NOTHING}},
    {FOLLOW_NO_INOTIFY, 0,
        {"inotify on ", " unavailable, checking once a second: ", "", ""},
        {NAME, WHY, NOTHING}},
    {FOLLOW_OPTIONS_CHANGED, 0,
        {"the options that shape the output (format, host name, tag,"
         " --max-entry, --match, --exclude) changed since the state was"
         " saved; resuming at its position: ",
            "", "", ""},
        {NAME, NOTHING, NOTHING}},
    {FOLLOW_LOST, 0, {"", "", "", ""}, {START, NOTHING, NOTHING}},
    {FOLLOW_LOST_COMPRESSED, 0,
        {"",
            ": rotated files compressed before they were read, their"
            " entries are lost: ",
            "", ""},
        {NAME, COPY, NOTHING}},
    {FOLLOW_LOCK_LOST, 0,
        {"state file ", " is now in use by process ",
            " (its lock file was deleted and made again); stopping", ""},
        {STATE, HOLDER, NOTHING}},
};

#define N_WORDS (sizeof(words) / sizeof(words[0]))

int
follow_retried(enum follow_event ev)
{
	int i = 0;

	for (size_t w = 0; w < N_WORDS; w++) {
		if (words[w].ev == ev)
			return words[w].retried ? i : -1;
		i += words[w].retried;
	}
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

static void
part(enum part p, const struct follow_note *n, const struct follow_names *nm,
    const char *why, char *buf, size_t cap)
{
	switch (p) {
	case NOTHING:
		break;
	case NAME:
		put(buf, cap, "%s", n->name);
		break;
	case WHY:
		put(buf, cap, "%s", why);
		break;
	case PATH:
		put(buf, cap, "%s", nm->path);
		break;
	case OUT:
		put(buf, cap, "%s", nm->out);
		break;
	case STATE:
		put(buf, cap, "%s", nm->state);
		break;
	case COPY:
		put(buf, cap, "%s", n->copy);
		break;
	case HOLDER:
		put(buf, cap, "%ld", n->holder);
		break;
	case COPIED:
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
		break;
	case START:
		start_text(n, buf, cap);
		break;
	}
}

const char *
follow_text(const struct follow_note *n, const struct follow_names *nm,
    const char *why, const char *quiet, char *buf, size_t cap)
{
	const struct words *w = NULL;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < N_WORDS && w == NULL; i++)
		if (words[i].ev == n->ev)
			w = &words[i];
	if (w == NULL)
		return buf;
	for (int i = 0; i < 3; i++) {
		put(buf, cap, "%s", w->t[i]);
		part(w->p[i], n, nm, why, buf, cap);
	}
	put(buf, cap, "%s%s", w->t[3], w->retried ? quiet : "");
	return buf;
}
