/*
 * fuzz_stamp: stamp_parse on any bytes, and both renderers on every stamp
 * it accepts. A valid stamp must be exactly "[dd/Mon/yyyy HH:MM:SS]" with
 * a real date, and must render to a well-formed syslog stamp.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stamp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 'd' takes a digit, 's' a space or a digit, anything else itself. */
static int
fits(char pat, char c)
{
	if (pat == 'd')
		return is_digit(c);
	if (pat == 's')
		return is_digit(c) || c == ' ';
	return c == pat;
}

/* Checks text against a pattern: 'd' a digit, 's' a space or a digit. */
static int
shaped(const char *text, size_t len, const char *pat)
{
	if (len != strlen(pat))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!fits(pat[i], text[i]))
			return 0;
	}
	return 1;
}

/* Days in a month, by the Gregorian rule, written apart from stamp.c. */
static int
days_in(int y, int m)
{
	if (m == 2)
		return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28;
	return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* A zone with DST, written out so no tzdata is needed. */
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct stamp_renderer r;
	struct stamp st;
	enum stamp_result res;
	char again[STAMP_KERIO_LEN + 1];
	const char *text;
	size_t len;

	res = stamp_parse(p, size, &st);
	if (res == STAMP_NONE) {
		/* Not even shaped like a stamp: '[', a digit, '/' or a
		 * second digit and '/'. */
		if (size >= 4 && p[0] == '[' && is_digit(p[1]) &&
		    (p[2] == '/' || (is_digit(p[2]) && p[3] == '/')))
			abort();
		return 0;
	}
	if (res != STAMP_VALID)
		return 0;
	if (size < STAMP_KERIO_LEN || st.mon < 1 || st.mon > 12 ||
	    st.mday < 1 || st.mday > 31 || st.hour < 0 || st.hour > 23 ||
	    st.min < 0 || st.min > 59 || st.sec < 0 || st.sec > 60 ||
	    st.year < 1 || st.year > 9999)
		abort();
	if (st.mday > days_in(st.year, st.mon))
		abort();
	/* The stamp written back must be the bytes that were parsed. */
	snprintf(again, sizeof(again), "[%02d/%s/%04d %02d:%02d:%02d]", st.mday,
	    months[st.mon - 1], st.year, st.hour, st.min, st.sec);
	if (memcmp(again, p, STAMP_KERIO_LEN) != 0)
		abort();

	stamp_renderer_init(&r, STAMP_BSD);
	text = stamp_render(&r, &st, &len);
	if (len != 15 || memcmp(text, months[st.mon - 1], 3) != 0 ||
	    !shaped(text + 3, len - 3, " sd dd:dd:dd"))
		abort();
	stamp_renderer_init(&r, STAMP_RFC3339);
	text = stamp_render(&r, &st, &len);
	if (len != 25 || !shaped(text, 19, "dddd-dd-ddTdd:dd:dd") ||
	    (text[19] != '+' && text[19] != '-') ||
	    !shaped(text + 20, 5, "dd:dd"))
		abort();
	/* Rendered twice (the cached path), the text is the same. */
	if (stamp_render(&r, &st, &len) != text || len != 25)
		abort();
	return 0;
}
