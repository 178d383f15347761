/*
 * host: the one place that reads the clock and the host name, so that
 * tests can pin both.
 */
#ifndef KERIO2SYSLOG_HOST_H
#define KERIO2SYSLOG_HOST_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds on a monotonic clock. */
int64_t host_now_ms(void);

/*
 * path made absolute against the working directory (not resolved: the
 * file need not exist yet) into buf. 0, or -1 with errno.
 */
int host_absolute_path(const char *path, char *buf, size_t cap);

/*
 * Writes the host name up to its first dot into buf (size len, NUL
 * terminated); "localhost" if it has none. Returns 0, or -1 with errno.
 */
int host_short_name(char *buf, size_t len);

/*
 * The rule for a field of the output line (the host name, the tag): 1 to
 * 255 bytes of printable ASCII without blanks, and no ':' unless
 * colon_ok, so that the field stays one field and no control byte
 * reaches the output. Returns NULL if s obeys it, else the reason ("has
 * a blank", ...).
 */
const char *host_field_problem(const char *s, int colon_ok);

/*
 * The zone file a TZ value names, as the C library looks it up, into buf
 * (len bytes): tz less a leading ':', under tzdir ($TZDIR; NULL or empty:
 * /usr/share/zoneinfo) unless absolute. NULL when tz names no file to
 * check: unset, empty, a POSIX rule ("CET-1CEST"), or UTC under one of
 * its names, which is what the C library falls back to anyway.
 */
const char *host_zone_file(const char *tz, const char *tzdir, char *buf,
    size_t len);

/*
 * 0 if path is a time zone file (TZif) that can be read, else -1 with
 * errno (EINVAL: not a TZif file).
 */
int host_zone_check(const char *path);

#endif
