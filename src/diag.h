/*
 * diag: diagnostics that can repeat, limited (a burst, then one a
 * minute, saying how many were held back), and the texts of the input's
 * diagnostics. It decides and words; the caller prints.
 */
#ifndef KERIO2SYSLOG_DIAG_H
#define KERIO2SYSLOG_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "pipeline.h"

#define DIAG_BURST 5           /* said at once */
#define DIAG_INTERVAL_MS 60000 /* then one in this long */

/* One kind of diagnostic; the fields are diag.c's. */
struct diag_limit {
	unsigned told;
	int64_t last;
	uint64_t quiet;
};

/* The diagnostics of the input being read; the fields are diag.c's. */
struct diag_input {
	const char *name;
	const struct clock *clock;
	struct diag_limit bad, cut;
};

void diag_limit_init(struct diag_limit *l);

/*
 * Whether one more of l's kind is said at now: 1 for the first
 * DIAG_BURST and then once every DIAG_INTERVAL_MS, with *quiet the count
 * held back since the last one said; 0 when it is held back (counted).
 */
int diag_limit_pass(struct diag_limit *l, int64_t now, uint64_t *quiet);

/*
 * " (N before not reported)" into buf (len bytes) when quiet is not 0,
 * else "". Returns buf.
 */
const char *diag_quiet_text(uint64_t quiet, char *buf, size_t len);

/* Diagnostics of an input named name, limited by clock's time. */
void diag_input_init(struct diag_input *d, const struct clock *clock,
    const char *name);
/* The next input: its name; the limits go on across inputs. */
void diag_input_name(struct diag_input *d, const char *name);

/*
 * The message for ev at line (count: the lines, or the cap of a cut),
 * "NAME:LINE: ..." without the program's name, into buf (len bytes).
 * Returns its length, or 0 when the limiter holds it back.
 */
size_t diag_input_text(struct diag_input *d, enum pipeline_event ev,
    uint64_t line, uint64_t count, char *buf, size_t len);

#endif
