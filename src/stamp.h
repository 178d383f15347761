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
 * What a local wall-clock time (TZ) names. A change of offset backwards
 * repeats the local times it spans (two instants each), a change forwards
 * skips them (none): "one rule, one place" for every caller that turns a
 * Kerio stamp into an instant.
 */
enum stamp_local {
	STAMP_LOCAL_ONE,      /* one instant */
	STAMP_LOCAL_REPEATED, /* two: the change backwards repeats it */
	STAMP_LOCAL_SKIPPED,  /* none: the change forwards skips it */
};

struct stamp_instants {
	int64_t first, last; /* Unix seconds, the earliest and the latest */
	/*
	 * The offset (seconds east of UTC) a stamp is written with: the only
	 * one, else the one in force before the change (the first occurrence
	 * of a repeated time; a skipped time read as if the change had not
	 * come yet).
	 */
	long offset;
};

/*
 * What the zone said of one day, so that stamp_instants does not ask the
 * C library for every second of a large log: when the offset is the same
 * at its first and last second, and neither is repeated, it holds for the
 * whole day (no zone changes twice and back within one day).
 */
struct stamp_zone {
	long day_key;
	int day_fixed;
	long day_offset;
};

/*
 * A renderer remembers the last stamp it rendered, so a run of entries
 * within one second costs one memcmp, and the zone's day for rfc3339.
 */
struct stamp_renderer {
	enum stamp_format format;
	char text[STAMP_TEXT_MAX];
	size_t text_len;
	struct stamp_zone zone;
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

/* Prepares a zone's day cache (the zone is TZ, as the C library has it). */
void stamp_zone_init(struct stamp_zone *z);

/*
 * The instants st, a local time in TZ, can name, into *in, and whether
 * there are one, two or none (then *in holds the two it would name by the
 * offsets before and after the change). z caches the zone's day (NULL:
 * none). Never relies on mktime(3)'s guess for an ambiguous time.
 */
enum stamp_local stamp_instants(struct stamp_zone *z, const struct stamp *st,
    struct stamp_instants *in);

/*
 * The late rule: 1 if every instant st can name (both of a repeated time,
 * both readings of a skipped one) is more than after_ms older than now_ms
 * (Unix milliseconds); 0 if not, and always 0 for an after_ms of 0.
 */
int stamp_late(struct stamp_zone *z, const struct stamp *st, int64_t now_ms,
    int64_t after_ms);

#endif
