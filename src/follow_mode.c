/*
 * follow_mode: follow mode's control state and its transitions
 * (follow_mode.h lists them).
 */
#include "follow_mode.h"

#include "follow.h"

void
follow_mode_init(struct follow_mode *m)
{
	*m = (struct follow_mode){.id = FOLLOW_MODE_RUNNING,
	    .back = FOLLOW_MODE_RUNNING,
	    .backoff = FOLLOW_BACKOFF_MIN_MS};
}

enum follow_mode_id
follow_mode_id(const struct follow_mode *m)
{
	return m->id;
}

int
follow_mode_held(const struct follow_mode *m)
{
	return m->id == FOLLOW_MODE_HELD;
}

int64_t
follow_mode_retry_at(const struct follow_mode *m)
{
	return m->id == FOLLOW_MODE_HELD ? m->retry_at : INT64_MAX;
}

int
follow_mode_reopen(const struct follow_mode *m)
{
	return m->id == FOLLOW_MODE_HELD && m->reopen;
}

/* GONE and LOCK_LOST end the loop: no transition leaves them. */
static int
ended(const struct follow_mode *m)
{
	return m->id == FOLLOW_MODE_GONE || m->id == FOLLOW_MODE_LOCK_LOST;
}

void
follow_mode_fail(struct follow_mode *m, const struct clock *clock)
{
	if (ended(m))
		return;
	m->id = FOLLOW_MODE_HELD;
	m->why = FOLLOW_HOLD_FAILED;
	m->retry_at = follow_backoff(clock, &m->backoff);
}

void
follow_mode_moved(struct follow_mode *m, const struct clock *clock, int reopen)
{
	if (ended(m))
		return;
	if (m->id != FOLLOW_MODE_HELD)
		m->back = m->id;
	m->id = FOLLOW_MODE_HELD;
	m->why = FOLLOW_HOLD_MOVED;
	m->retry_at = clock_now(clock);
	m->reopen = m->reopen || reopen;
}

void
follow_mode_hangup(struct follow_mode *m, int64_t now)
{
	if (m->id != FOLLOW_MODE_HELD)
		return;
	m->reopen = 1;
	m->retry_at = now;
}

void
follow_mode_reopened(struct follow_mode *m)
{
	m->reopen = 0;
}

void
follow_mode_resume(struct follow_mode *m)
{
	if (m->id != FOLLOW_MODE_HELD)
		return;
	m->id = m->why == FOLLOW_HOLD_MOVED ? m->back : FOLLOW_MODE_RECOVERING;
}

int
follow_mode_caught_up(struct follow_mode *m)
{
	if (m->id != FOLLOW_MODE_RECOVERING)
		return 0;
	m->id = FOLLOW_MODE_RUNNING;
	m->backoff = FOLLOW_BACKOFF_MIN_MS;
	return 1;
}

void
follow_mode_gone(struct follow_mode *m)
{
	if (!ended(m))
		m->id = FOLLOW_MODE_GONE;
}

void
follow_mode_lock_lost(struct follow_mode *m)
{
	m->id = FOLLOW_MODE_LOCK_LOST;
}

int
follow_mode_missing(struct follow_mode *m)
{
	if (m->told_missing)
		return 0;
	m->told_missing = 1;
	return 1;
}

int
follow_mode_appeared(struct follow_mode *m)
{
	int told = m->told_missing;

	m->told_missing = 0;
	return told;
}
