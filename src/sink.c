/*
 * sink: the calls through the core and the durable extension. A sink
 * without the extension answers as one that cannot be told apart from
 * another: no identity, nothing to skip, never moved, never torn.
 */
#include "sink.h"

char *
sink_reserve(const struct sink *s, size_t n)
{
	return s->ops->reserve(s->impl, n);
}

void
sink_commit(const struct sink *s, size_t n, const struct sink_entry *e)
{
	s->ops->commit(s->impl, n, e);
}

int
sink_flush(const struct sink *s)
{
	return s->ops->flush(s->impl);
}

int
sink_close(const struct sink *s)
{
	return s->ops->close(s->impl);
}

int
sink_error(const struct sink *s)
{
	return s->ops->error(s->impl);
}

const char *
sink_name(const struct sink *s)
{
	return s->ops->name(s->impl);
}

size_t
sink_pending(const struct sink *s)
{
	return s->ops->pending(s->impl);
}

void
sink_clear(const struct sink *s)
{
	s->ops->clear(s->impl);
}

int
sink_identity(const struct sink *s, struct sink_id *id)
{
	return s->durable != NULL ? s->durable->identity(s->impl, id) : 0;
}

void
sink_skip(const struct sink *s, off_t n)
{
	if (s->durable != NULL)
		s->durable->skip(s->impl, n);
}

off_t
sink_skipping(const struct sink *s)
{
	return s->durable != NULL ? s->durable->skipping(s->impl) : 0;
}

off_t
sink_skip_owed(const struct sink *s)
{
	off_t skip = sink_skipping(s), held = (off_t)sink_pending(s);

	return skip > held ? skip - held : 0;
}

int
sink_reopen(const struct sink *s)
{
	return s->durable != NULL ? s->durable->reopen(s->impl) : sink_flush(s);
}

int
sink_moved(const struct sink *s)
{
	return s->durable != NULL ? s->durable->moved(s->impl) : 0;
}

void
sink_guard(const struct sink *s, int on)
{
	if (s->durable != NULL)
		s->durable->guard(s->impl, on);
}

off_t
sink_torn_tail(const struct sink *s, off_t within)
{
	return s->durable != NULL ? s->durable->torn_tail(s->impl, within) : 0;
}

off_t
sink_rotated(const struct sink *s, const struct sink_id *was, off_t *torn)
{
	*torn = 0;
	return s->durable != NULL ? s->durable->rotated(s->impl, was, torn)
	                          : -1;
}
