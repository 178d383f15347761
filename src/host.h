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
 * Writes the host name up to its first dot into buf (size len, NUL
 * terminated); "localhost" if it has none. Returns 0, or -1 with errno.
 */
int host_short_name(char *buf, size_t len);

#endif
