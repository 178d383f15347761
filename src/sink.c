/*
 * sink: the calls through the table. Optional operations a sink leaves
 * NULL do nothing: nothing to skip, never moved, never torn.
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
sink_reopen(const struct sink *s)
{
	return s->ops->reopen(s->impl);
}

int
sink_close(const struct sink *s)
{
	return s->ops->close(s->impl);
}

int
sink_identity(const struct sink *s, struct sink_id *id)
{
	return s->ops->identity(s->impl, id);
}

size_t
sink_pending(const struct sink *s)
{
	return s->ops->pending(s->impl);
}

int
sink_error(const struct sink *s)
{
	return s->ops->error(s->impl);
}

void
sink_clear(const struct sink *s)
{
	s->ops->clear(s->impl);
}

void
sink_skip(const struct sink *s, off_t n)
{
	if (s->ops->skip != NULL)
		s->ops->skip(s->impl, n);
}

off_t
sink_skipping(const struct sink *s)
{
	return s->ops->skipping != NULL ? s->ops->skipping(s->impl) : 0;
}

off_t
sink_skip_owed(const struct sink *s)
{
	off_t skip = sink_skipping(s), held = (off_t)sink_pending(s);

	return skip > held ? skip - held : 0;
}

int
sink_moved(const struct sink *s)
{
	return s->ops->moved != NULL ? s->ops->moved(s->impl) : 0;
}

void
sink_guard(const struct sink *s, int on)
{
	if (s->ops->guard != NULL)
		s->ops->guard(s->impl, on);
}

off_t
sink_torn_tail(const struct sink *s, off_t within)
{
	return s->ops->torn_tail != NULL ? s->ops->torn_tail(s->impl, within)
	                                 : 0;
}

const char *
sink_name(const struct sink *s)
{
	return s->ops->name(s->impl);
}

const char *
sink_path(const struct sink *s)
{
	return s->ops->path != NULL ? s->ops->path(s->impl) : NULL;
}
