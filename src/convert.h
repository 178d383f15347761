/*
 * convert: entries to output lines, and the read loop of pipe and file
 * mode (reader -> joiner -> select -> format -> output).
 */
#ifndef KERIO2SYSLOG_CONVERT_H
#define KERIO2SYSLOG_CONVERT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "joiner.h"
#include "output.h"
#include "reader.h"
#include "select.h"
#include "stamp.h"

struct convert_opts {
	enum stamp_format format;
	const char *host;   /* host field, no blanks */
	const char *tag;    /* tag, no blanks */
	size_t max_entry;   /* cap on a message, bytes */
	struct select *sel; /* NULL or empty: write all */
	int flush_timeout;  /* ms a pending entry waits for a new line */
};

struct converter {
	struct joiner j;
	struct stamp_renderer sr;
	struct select *sel;
	struct output *out;
	char *head; /* " HOST TAG: " */
	size_t head_len;
	/* The rendered stamp and head of the last line, rebuilt when the
	 * stamp changes: one copy per line instead of two. */
	char *line_head;
	size_t line_head_len;
	int64_t line_head_key;
	int flush_timeout;
	void (*event)(void *, enum joiner_event, uint64_t, uint64_t);
	void *event_ctx;
	uint64_t written;  /* entries written */
	uint64_t excluded; /* entries not selected */
};

/*
 * Signals as the caller set them up: stop and hup are set by its
 * handlers. SIGHUP is blocked except inside ppoll(2) with mask, so none
 * is missed between a check and a wait; a stop interrupts any blocking
 * call (and the caller's timer catches one that lands before the call).
 */
struct convert_signals {
	volatile sig_atomic_t *stop;
	volatile sig_atomic_t *hup;
	const sigset_t *mask;
};

enum convert_status {
	CONVERT_EOF,         /* input ended, all written */
	CONVERT_STOPPED,     /* *stop was set; pending entry not written */
	CONVERT_READ_ERROR,  /* errno says why */
	CONVERT_WRITE_ERROR, /* out->err says why */
};

/*
 * Prepares c to write to out. event, if not NULL, receives the joiner's
 * diagnostics with ctx. Returns 0, or -1 with errno.
 */
int converter_init(struct converter *c, const struct convert_opts *o,
    struct output *out,
    void (*event)(void *, enum joiner_event, uint64_t, uint64_t), void *ctx);

void converter_free(struct converter *c);

/* Converts one entry now (select, format, buffer). */
void converter_entry(struct converter *c, const struct entry *e);

/*
 * Writes out buffered output, waiting while the descriptor would block.
 * Returns 0, or -1 with errno.
 */
int converter_flush(struct converter *c);

/*
 * Reads r to its end, converting as it goes; the pending entry leaves
 * after the flush timeout without a new line, output is flushed whenever
 * the input would block. At end of input the pending entry is written and
 * output flushed. On CONVERT_STOPPED the caller ends the input itself.
 */
enum convert_status convert_stream(struct converter *c, struct reader *r,
    const struct convert_signals *sig);

#endif
