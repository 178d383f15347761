/*
 * stamp: Kerio's "[dd/Mon/yyyy HH:MM:SS]" stamps in, syslog stamps out.
 */
#ifndef KERIO2SYSLOG_STAMP_H
#define KERIO2SYSLOG_STAMP_H

#include <stddef.h>
#include <stdint.h>

/* Length of "[17/Jun/2011 17:00:45]". */
#define STAMP_KERIO_LEN 22
/* Longest rendered stamp: "2011-06-17T17:00:45+02:00" plus slack. */
#define STAMP_TEXT_MAX 40

enum stamp_result {
	STAMP_NONE,  /* the line does not start like a stamp */
	STAMP_BAD,   /* shaped like a stamp, but no real date or time */
	STAMP_VALID, /* a valid stamp; the fields are filled in */
};

enum stamp_format {
	STAMP_BSD,     /* RFC 3164: "Jun  7 17:00:45" */
	STAMP_RFC3339, /* "2011-06-07T17:00:45+02:00" */
};

struct stamp {
	int year, mon, mday; /* mon is 1-12 */
	int hour, min, sec;  /* sec may be 60 (leap second) */
};

/*
 * A renderer remembers the last stamp it rendered, so a run of entries
 * within one second costs one memcmp, and the local-time offset of the
 * last day it saw, so rfc3339 does not call mktime(3) per second.
 */
struct stamp_renderer {
	enum stamp_format format;
	char text[STAMP_TEXT_MAX];
	size_t text_len;
	/* rfc3339: offset valid for the whole of day_key, if day_fixed. */
	long day_key;
	int day_fixed;
	long day_offset;
};

/* The years a stamp may carry: what four digits write, but year 0. */
#define STAMP_YEAR_MIN 1
#define STAMP_YEAR_MAX 9999

/*
 * 1 if st is a date and time stamp_parse() accepts (the one rule, also
 * for a stamp read back from elsewhere, such as the state file), else 0.
 */
int stamp_valid(const struct stamp *st);

/*
 * Parses a Kerio stamp at the start of the len bytes at p. On STAMP_VALID
 * the stamp fills *st and occupies the first STAMP_KERIO_LEN bytes.
 */
enum stamp_result stamp_parse(const char *p, size_t len, struct stamp *st);

/* One number for a stamp: equal keys, equal stamps; later, larger. */
int64_t stamp_key(const struct stamp *st);

/* Prepares a renderer for one format. */
void stamp_renderer_init(struct stamp_renderer *r, enum stamp_format format);

/*
 * Renders st into the renderer's text and returns it; *len gets its length.
 * rfc3339 uses the local time zone (TZ) in force at that wall-clock time.
 */
const char *stamp_render(struct stamp_renderer *r, const struct stamp *st,
    size_t *len);

/* Sets *off to the UTC offset in seconds that local time had at st. */
void stamp_utc_offset(const struct stamp *st, long *off);

#endif
