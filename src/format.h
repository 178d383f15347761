/*
 * format: the message of an entry made safe for a one-line log.
 */
#ifndef KERIO2SYSLOG_FORMAT_H
#define KERIO2SYSLOG_FORMAT_H

#include <stddef.h>
#include <sys/types.h>

#include "stamp.h"

struct entry;
struct sink;
struct format;

/* The most bytes one input byte can become. */
#define FORMAT_EXPANSION 4

/*
 * Escapes the n bytes at src into dst, which has room for cap bytes:
 * control bytes (0x00-0x1f, 0x7f) and the bytes of U+0085, U+2028 and
 * U+2029 become '#' and three octal digits, as rsyslog writes them.
 * Stops where the next character would not fit; *used gets the bytes of
 * src consumed. Returns the bytes written to dst.
 */
size_t format_escape(char *dst, size_t cap, const char *src, size_t n,
    size_t *used);

/*
 * Length of the leading run of s (n bytes) with no byte that
 * format_escape might change: no control byte (so no LF or CR), no lead
 * byte of U+0085, U+2028 or U+2029. The reader splits lines with it, so
 * that each byte is scanned once for both jobs.
 */
size_t format_plain_run(const char *s, size_t n);

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
