/*
 * fuzz_state: the follower's state file. Any bytes go to state_parse as
 * they are (torn, foreign, damaged files); then the same bytes, taken as
 * the body, get a correct checksum line, so the fuzzer reaches the field
 * parsing. A state that parses must come back the same through
 * state_format and state_parse.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const struct state *a, const struct state *b)
{
	return a->have_input == b->have_input && a->in.dev == b->in.dev &&
	    a->in.ino == b->in.ino && a->pos == b->pos &&
	    a->in.hash_len == b->in.hash_len && a->in.hash == b->in.hash &&
	    a->flush_at == b->flush_at && a->have_stamp == b->have_stamp &&
	    a->stamp.year == b->stamp.year && a->stamp.mon == b->stamp.mon &&
	    a->stamp.mday == b->stamp.mday && a->stamp.hour == b->stamp.hour &&
	    a->stamp.min == b->stamp.min && a->stamp.sec == b->stamp.sec &&
	    a->have_out == b->have_out && a->out_dev == b->out_dev &&
	    a->out_ino == b->out_ino && a->out_size == b->out_size &&
	    a->out_skip == b->out_skip && a->have_options == b->have_options &&
	    a->options == b->options;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s, again;
	char *text, out[4096];
	size_t n;
	int m;

	/* As they are, in a buffer of exactly their size. */
	(void)state_parse((const char *)data, size, &s);

	text = malloc(size + 32);
	if (text == NULL)
		abort();
	if (size > 0)
		memcpy(text, data, size);
	m = snprintf(text + size, 32, "sum %016" PRIx64 "\n",
	    state_hash(data, size));
	if (m < 0 || m >= 32)
		abort();
	if (state_parse(text, size + (size_t)m, &s) == STATE_OK) {
		n = state_format(&s, out, sizeof(out));
		if (n == 0 || state_parse(out, n, &again) != STATE_OK ||
		    !same(&s, &again))
			abort();
	}
	free(text);
	return 0;
}
