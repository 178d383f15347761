/*
 * A clock a unit test moves by hand: its time is the int64_t its ctx
 * points at, e.g. static const struct clock c = {unit_clock_read, &ms}.
 */
#ifndef KERIO2SYSLOG_UNIT_CLOCK_H
#define KERIO2SYSLOG_UNIT_CLOCK_H

#include <stdint.h>

#include "clock.h"

static inline int64_t
unit_clock_read(void *ctx)
{
	return *(const int64_t *)ctx;
}

#endif
