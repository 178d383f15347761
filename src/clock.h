/*
 * clock: the time as the loops see it, passed in, so that tests pin it.
 */
#ifndef KERIO2SYSLOG_CLOCK_H
#define KERIO2SYSLOG_CLOCK_H

#include <stdint.h>

struct clock {
	int64_t (*now_ms)(void *ctx); /* monotonic milliseconds */
	void *ctx;
};

/* The system's monotonic clock (host.c reads it, nothing else does). */
extern const struct clock clock_system;

static inline int64_t
clock_now(const struct clock *c)
{
	return c->now_ms(c->ctx);
}

#endif
