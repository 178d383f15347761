/*
 * format: an entry's line, "STAMP HOST TAG: MESSAGE".
 */
#ifndef KERIO2SYSLOG_FORMAT_H
#define KERIO2SYSLOG_FORMAT_H

#include <stddef.h>
#include <sys/types.h>

#include "clock.h"
#include "stamp.h"

struct entry;
struct sink;
struct format;

/*
 * What a late entry's line carries before its message: "STAMP HOST TAG:
 * [late] MESSAGE". The shipped filter and parsers take a message only
 * when it starts with Kerio's own words, so a late line counts nothing.
 */
#define FORMAT_LATE_MARK "[late] "
#define FORMAT_LATE_MARK_LEN (sizeof(FORMAT_LATE_MARK) - 1)

/* How a line maker judges "late" (stamp_late): never if after_ms is 0. */
struct format_late {
	const struct clock *wall; /* real time, Unix ms (NULL: clock_wall) */
	int64_t after_ms;
};

/*
 * A line maker: "STAMP HOST TAG: MESSAGE\n" in the stamp format given,
 * host and tag without blanks (checked by the caller), MESSAGE after
 * FORMAT_LATE_MARK for a late entry (late NULL: none is). NULL with
 * errno. The stamp and head are rendered once per distinct stamp.
 */
struct format *format_new(enum stamp_format fmt, const char *host,
    const char *tag, const struct format_late *late);
void format_free(struct format *f);

/*
 * From now on, entries are judged late at wall_ms (Unix ms) instead of by
 * the wall clock at each one; with have 0, none is late. Follow mode's
 * replay judges as the run it replays did (commit.c, C9).
 */
void format_judge_at(struct format *f, int have, int64_t wall_ms);

/*
 * Writes e's line to the sink, the message escaped, judged late or not at
 * the wall clock's time now; dev and ino name the input for the sink.
 * Returns 0, or -1 after a sink error.
 */
int format_entry(struct format *f, const struct entry *e, dev_t dev, ino_t ino,
    const struct sink *s);

#endif
