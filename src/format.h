/*
 * format: an entry's line, "STAMP HOST TAG: MESSAGE".
 */
#ifndef KERIO2SYSLOG_FORMAT_H
#define KERIO2SYSLOG_FORMAT_H

#include <stddef.h>
#include <sys/types.h>

#include "stamp.h"

struct entry;
struct sink;
struct format;

/*
 * A line maker: "STAMP HOST TAG: MESSAGE\n" in the stamp format given,
 * host and tag without blanks (checked by the caller). NULL with errno.
 * The stamp and head are rendered once per distinct stamp.
 */
struct format *format_new(enum stamp_format fmt, const char *host,
    const char *tag);
void format_free(struct format *f);

/*
 * Writes e's line to the sink, the message escaped; dev and ino name the
 * input for the sink. Returns 0, or -1 after a sink error.
 */
int format_entry(struct format *f, const struct entry *e, dev_t dev, ino_t ino,
    const struct sink *s);

#endif
