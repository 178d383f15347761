/*
 * sink_file: the file and standard output sink, output.c's buffered
 * writer behind struct sink_ops. Each operation is a cast of the
 * output_* call it names.
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

static const char *
op_path(void *impl)
{
	return output_path(impl);
}

static const struct sink_ops output_ops = {
    .reserve = op_reserve,
    .commit = op_commit,
    .flush = op_flush,
    .reopen = op_reopen,
    .close = op_close,
    .identity = op_identity,
    .pending = op_pending,
    .error = op_error,
    .clear = op_clear,
    .skip = op_skip,
    .skipping = op_skipping,
    .moved = op_moved,
    .guard = op_guard,
    .torn_tail = op_torn_tail,
    .name = op_name,
    .path = op_path,
};

void
output_sink(struct output *o, struct sink *s)
{
	s->ops = &output_ops;
	s->impl = o;
}
