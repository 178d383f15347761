/*
 * sink_file: the file and standard output sink, output.c's buffered
 * writer behind struct sink_ops and struct sink_durable. Each operation
 * is a cast of the output_* call it names. Standard output has the
 * extension too: redirected to a regular file it has an identity and is
 * exactly once; on a pipe it has none, and is written at least once.
 */
#include "output.h"

static char *
op_reserve(void *impl, size_t n)
{
	return output_reserve(impl, n);
}

static void
op_commit(void *impl, size_t n, const struct sink_entry *e)
{
	(void)e;
	output_commit(impl, n);
}

static int
op_flush(void *impl)
{
	return output_flush_all(impl);
}

static int
op_reopen(void *impl)
{
	return output_reopen(impl);
}

static int
op_close(void *impl)
{
	return output_close(impl);
}

static int
op_identity(void *impl, struct sink_id *id)
{
	return output_identity(impl, &id->dev, &id->ino, &id->size);
}

static size_t
op_pending(void *impl)
{
	return output_pending(impl);
}

static int
op_error(void *impl)
{
	return output_error(impl);
}

static void
op_clear(void *impl)
{
	output_clear(impl);
}

static void
op_skip(void *impl, off_t n)
{
	output_skip(impl, n);
}

static off_t
op_skipping(void *impl)
{
	return output_skipping(impl);
}

static int
op_moved(void *impl)
{
	return output_moved(impl);
}

static void
op_guard(void *impl, int on)
{
	output_guard(impl, on);
}

static off_t
op_torn_tail(void *impl, off_t within)
{
	return output_open_torn_tail(impl, within);
}

static const char *
op_name(void *impl)
{
	return output_name(impl);
}

static off_t
op_rotated(void *impl, const struct sink_id *was, off_t *torn)
{
	return output_rotated(impl, was->dev, was->ino, was->size, torn);
}

static const struct sink_ops output_ops = {
    .reserve = op_reserve,
    .commit = op_commit,
    .flush = op_flush,
    .close = op_close,
    .error = op_error,
    .name = op_name,
    .pending = op_pending,
    .clear = op_clear,
};

static const struct sink_durable output_durable = {
    .identity = op_identity,
    .skip = op_skip,
    .skipping = op_skipping,
    .reopen = op_reopen,
    .moved = op_moved,
    .guard = op_guard,
    .torn_tail = op_torn_tail,
    .rotated = op_rotated,
};

void
output_sink(struct output *o, struct sink *s)
{
	s->ops = &output_ops;
	s->durable = &output_durable;
	s->impl = o;
}
