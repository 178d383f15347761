/*
 * clock: the time as the loops see it, passed in, so that tests pin it.
 */
#ifndef KERIO2SYSLOG_CLOCK_H
#define KERIO2SYSLOG_CLOCK_H

#include <stdint.h>
#include <time.h>

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

/*
 * A wait of ms milliseconds as ppoll(2) takes it: NULL (no limit) for a
 * negative ms, else ts filled.
 */
static inline struct timespec *
clock_wait_time(struct timespec *ts, int64_t ms)
{
	if (ms < 0)
		return NULL;
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000;
	return ts;
}

#endif
