/*
 * diag: a malformed line repeated a million times, or a follow-mode
 * failure retried every second, must not flood the log the administrator
 * reads: each kind is said DIAG_BURST times, then once a minute with the
 * count held back meanwhile.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

void
diag_limit_init(struct diag_limit *l)
{
	memset(l, 0, sizeof(*l));
}

int
diag_limit_pass(struct diag_limit *l, int64_t now, uint64_t *quiet)
{
	if (l->told < DIAG_BURST || now - l->last >= DIAG_INTERVAL_MS) {
		l->told++;
		l->last = now;
		*quiet = l->quiet;
		l->quiet = 0;
		return 1;
	}
	l->quiet++;
	return 0;
}

const char *
diag_quiet_text(uint64_t quiet, char *buf, size_t len)
{
	if (len == 0)
		return "";
	buf[0] = '\0';
	if (quiet != 0)
		snprintf(buf, len, " (%" PRIu64 " before not reported)", quiet);
	return buf;
}

void
diag_input_init(struct diag_input *d, const struct clock *clock,
    const char *name)
{
	d->name = name;
	d->clock = clock;
	diag_limit_init(&d->bad);
	diag_limit_init(&d->cut);
}

void
diag_input_name(struct diag_input *d, const char *name)
{
	d->name = name;
}

/* snprintf's count, clipped to what buf holds. */
static size_t
put(int n, size_t len)
{
	if (n < 0 || len == 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

size_t
diag_input_text(struct diag_input *d, enum pipeline_event ev, uint64_t line,
    uint64_t count, char *buf, size_t len)
{
	char q[64];
	uint64_t quiet;

	switch (ev) {
	case PIPELINE_ORPHANS:
		return put(snprintf(buf, len,
		               "%s:%" PRIu64 ": %" PRIu64 " line%s before the"
		               " first entry not written",
		               d->name, line, count, count == 1 ? "" : "s"),
		    len);
	case PIPELINE_BAD_STAMP:
		if (!diag_limit_pass(&d->bad, clock_now(d->clock), &quiet))
			return 0;
		return put(snprintf(buf, len,
		               "%s:%" PRIu64 ": malformed stamp, line joined"
		               " to the entry before it%s",
		               d->name, line,
		               diag_quiet_text(quiet, q, sizeof(q))),
		    len);
	case PIPELINE_CUT:
		if (!diag_limit_pass(&d->cut, clock_now(d->clock), &quiet))
			return 0;
		return put(snprintf(buf, len,
		               "%s:%" PRIu64 ": entry longer than %" PRIu64
		               " bytes cut%s",
		               d->name, line, count,
		               diag_quiet_text(quiet, q, sizeof(q))),
		    len);
	}
	return 0;
}
