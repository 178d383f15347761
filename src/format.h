/*
 * format: the message of an entry made safe for a one-line log.
 */
#ifndef KERIO2SYSLOG_FORMAT_H
#define KERIO2SYSLOG_FORMAT_H

#include <stddef.h>

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

#endif
