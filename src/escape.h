/*
 * escape: the message of an entry made safe for a one-line log. The
 * reader uses the same rule to mark plain lines as it splits them.
 */
#ifndef KERIO2SYSLOG_ESCAPE_H
#define KERIO2SYSLOG_ESCAPE_H

#include <stddef.h>

/* The most bytes one input byte can become. */
#define ESCAPE_EXPANSION 4

/*
 * Escapes the n bytes at src into dst, which has room for cap bytes:
 * control bytes (0x00-0x1f, 0x7f) and the bytes of U+0085, U+2028 and
 * U+2029 become '#' and three octal digits, as rsyslog writes them.
 * Stops where the next character would not fit; *used gets the bytes of
 * src consumed. Returns the bytes written to dst.
 */
size_t escape_bytes(char *dst, size_t cap, const char *src, size_t n,
    size_t *used);

/*
 * Length of the leading run of s (n bytes) with no byte that
 * escape_bytes might change: no control byte (so no LF or CR), no lead
 * byte of U+0085, U+2028 or U+2029. The reader splits lines with it, so
 * that each byte is scanned once for both jobs.
 */
size_t escape_plain_run(const char *s, size_t n);

#endif
