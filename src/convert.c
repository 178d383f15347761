/*
 * convert: the path of one byte in pipe and file mode.
 */
#include "convert.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "host.h"

static void
emit_cb(void *ctx, const struct entry *e)
{
	converter_entry(ctx, e);
}

static void
event_cb(void *ctx, enum joiner_event ev, uint64_t line, uint64_t count)
{
	struct converter *c = ctx;

	if (c->event != NULL)
		c->event(c->event_ctx, ev, line, count);
}

int
converter_init(struct converter *c, const struct convert_opts *o,
    struct output *out,
    void (*event)(void *, enum joiner_event, uint64_t, uint64_t), void *ctx)
{
	size_t hl = strlen(o->host), tl = strlen(o->tag);

	memset(c, 0, sizeof(*c));
	c->head_len = hl + tl + 4;
	if (c->head_len + STAMP_TEXT_MAX + 1 > out->cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	c->head = malloc(c->head_len + 1);
	c->line_head = malloc(STAMP_TEXT_MAX + c->head_len);
	if (c->head == NULL || c->line_head == NULL) {
		free(c->head);
		free(c->line_head);
		return -1;
	}
	c->line_head_key = -1;
	snprintf(c->head, c->head_len + 1, " %s %s: ", o->host, o->tag);
	if (joiner_init(&c->j, o->max_entry, emit_cb, event_cb, c) < 0) {
		free(c->head);
		free(c->line_head);
		return -1;
	}
	c->event = event;
	c->event_ctx = ctx;
	stamp_renderer_init(&c->sr, o->format);
	c->sel = o->sel != NULL && !select_is_empty(o->sel) ? o->sel : NULL;
	c->out = out;
	c->flush_timeout = o->flush_timeout;
	return 0;
}

void
converter_free(struct converter *c)
{
	joiner_free(&c->j);
	free(c->head);
	free(c->line_head);
	c->head = c->line_head = NULL;
}

/* The stamp and " HOST TAG: " of e, rendered once per distinct stamp. */
static void
line_head(struct converter *c, const struct entry *e)
{
	int64_t key = stamp_key(&e->stamp);
	const char *stamp;
	size_t slen;

	if (key == c->line_head_key)
		return;
	stamp = stamp_render(&c->sr, &e->stamp, &slen);
	memcpy(c->line_head, stamp, slen);
	memcpy(c->line_head + slen, c->head, c->head_len);
	c->line_head_len = slen + c->head_len;
	c->line_head_key = key;
}

void
converter_entry(struct converter *c, const struct entry *e)
{
	const char *msg = e->msg;
	size_t hl, left = e->len;
	char *q;

	if (c->sel != NULL && !select_wants(c->sel, e->msg, e->len)) {
		c->excluded++;
		return;
	}
	line_head(c, e);
	hl = c->line_head_len;
	if (hl + left * FORMAT_EXPANSION + 1 <= c->out->cap) {
		/* The common case: the whole line in one reservation. */
		size_t used, made;

		q = output_reserve(c->out, hl + left * FORMAT_EXPANSION + 1);
		if (q == NULL)
			return;
		memcpy(q, c->line_head, hl);
		made = hl;
		if (e->plain) {
			memcpy(q + made, msg, left);
			made += left;
		} else {
			made += format_escape(q + made, left * FORMAT_EXPANSION,
			    msg, left, &used);
		}
		q[made++] = '\n';
		output_commit(c->out, made);
		c->written++;
		return;
	}
	if (output_write(c->out, c->line_head, hl) < 0)
		return;
	/* Escape straight into the output buffer, a chunk at a time. */
	while (left > 0) {
		size_t want = left * FORMAT_EXPANSION, used, made;

		if (want > c->out->cap)
			want = c->out->cap;
		q = output_reserve(c->out, want);
		if (q == NULL)
			return;
		made = format_escape(q, want, msg, left, &used);
		output_commit(c->out, made);
		msg += used;
		left -= used;
	}
	q = output_reserve(c->out, 1);
	if (q == NULL)
		return;
	*q = '\n';
	output_commit(c->out, 1);
	c->written++;
}

int
converter_flush(struct converter *c)
{
	while (output_flush(c->out) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (output_wait(c->out) < 0)
			return -1;
	}
	return 0;
}

static struct timespec *
to_timespec(struct timespec *ts, int64_t ms)
{
	if (ms < 0)
		return NULL;
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000;
	return ts;
}

/*
 * Waits until the input is readable, the pending entry's deadline, or a
 * signal. Returns 1 when it is time to read, 0 to go round again, -1 on
 * error (errno).
 */
static int
wait_input(struct converter *c, struct reader *r,
    const struct convert_signals *sig, int64_t last_line)
{
	struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
	struct timespec ts;
	int64_t wait = -1;
	int rc;

	rc = ppoll(&pfd, 1, to_timespec(&ts, 0), sig->mask);
	if (rc != 0)
		return rc > 0 ? 1 : (errno == EINTR ? 0 : -1);
	/* The input would block: what has been converted leaves now. */
	if (converter_flush(c) < 0)
		return -2;
	if (joiner_pending(&c->j) && !c->j.in_line) {
		wait = last_line + c->flush_timeout - host_now_ms();
		if (wait <= 0) {
			joiner_flush(&c->j);
			return converter_flush(c) < 0 ? -2 : 0;
		}
	}
	rc = ppoll(&pfd, 1, to_timespec(&ts, wait), sig->mask);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	return rc > 0;
}

enum convert_status
convert_stream(struct converter *c, struct reader *r,
    const struct convert_signals *sig)
{
	int64_t last_line = host_now_ms();
	struct line l;

	for (;;) {
		int got = 0, rc;
		ssize_t n;

		while (reader_next(r, &l, r->eof)) {
			joiner_push(&c->j, &l);
			got = 1;
		}
		if (c->out->err != 0)
			return CONVERT_WRITE_ERROR;
		if (got)
			last_line = host_now_ms();
		if (r->eof) {
			joiner_end(&c->j);
			if (converter_flush(c) < 0)
				return CONVERT_WRITE_ERROR;
			return CONVERT_EOF;
		}
		rc = wait_input(c, r, sig, last_line);
		if (*sig->stop)
			return CONVERT_STOPPED;
		if (sig->hup != NULL && *sig->hup) {
			*sig->hup = 0;
			if (output_reopen(c->out) < 0)
				return CONVERT_WRITE_ERROR;
		}
		if (rc == -2)
			return CONVERT_WRITE_ERROR;
		if (rc < 0)
			return CONVERT_READ_ERROR;
		if (rc == 0)
			continue;
		joiner_keep(&c->j);
		n = reader_fill(r);
		if (n < 0 && errno != EINTR && errno != EAGAIN &&
		    errno != EWOULDBLOCK)
			return CONVERT_READ_ERROR;
	}
}
