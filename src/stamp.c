/*
 * stamp: parsing Kerio's stamps and rendering syslog stamps.
 *
 * A line "looks like" a stamp when it starts with '[', one or two digits
 * and '/': that is how a damaged Kerio stamp still reads, while Kerio's
 * other bracketed fields ("[4522610688]") do not. Anything that looks like
 * a stamp but is not exactly "[dd/Mon/yyyy HH:MM:SS]" with a real date and
 * time is STAMP_BAD, so the caller can count it.
 */
#include "stamp.h"

#include <string.h>
#include <time.h>

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* 1-12 for "Jan".."Dec" (case as Kerio writes it), else 0. */
static int
month_number(const char *p)
{
	uint32_t want = (uint32_t)(unsigned char)p[0] << 16 |
	    (uint32_t)(unsigned char)p[1] << 8 | (unsigned char)p[2];

	for (int i = 0; i < 12; i++) {
		const char *m = months[i];

		if (want ==
		    ((uint32_t)(unsigned char)m[0] << 16 |
		        (uint32_t)(unsigned char)m[1] << 8 |
		        (unsigned char)m[2]))
			return i + 1;
	}
	return 0;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads n digits at p; returns -1 if any is not a digit. */
static int
digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int64_t
stamp_key(const struct stamp *st)
{
	return ((((int64_t)st->year * 13 + st->mon) * 32 + st->mday) * 24 +
	           st->hour) *
	    3660 +
	    st->min * 61 + st->sec;
}

int
stamp_valid(const struct stamp *st)
{
	return st->year >= STAMP_YEAR_MIN && st->year <= STAMP_YEAR_MAX &&
	    st->mon >= 1 && st->mon <= 12 && st->mday >= 1 &&
	    st->mday <= days_in_month(st->year, st->mon) && st->hour >= 0 &&
	    st->hour <= 23 && st->min >= 0 && st->min <= 59 && st->sec >= 0 &&
	    st->sec <= 60;
}

enum stamp_result
stamp_parse(const char *p, size_t len, struct stamp *st)
{
	int mon = 0;

	if (len < 3 || p[0] != '[' || !is_digit(p[1]))
		return STAMP_NONE;
	if (p[2] != '/' && !(is_digit(p[2]) && len > 3 && p[3] == '/'))
		return STAMP_NONE;

	if (len < STAMP_KERIO_LEN || p[3] != '/' || p[7] != '/' ||
	    p[12] != ' ' || p[15] != ':' || p[18] != ':' || p[21] != ']')
		return STAMP_BAD;
	mon = month_number(p + 4);
	st->mday = digits(p + 1, 2);
	st->year = digits(p + 8, 4);
	st->hour = digits(p + 13, 2);
	st->min = digits(p + 16, 2);
	st->sec = digits(p + 19, 2);
	st->mon = mon;
	return stamp_valid(st) ? STAMP_VALID : STAMP_BAD;
}

void
stamp_renderer_init(struct stamp_renderer *r, enum stamp_format format)
{
	memset(r, 0, sizeof(*r));
	r->format = format;
	r->day_key = -1;
}

static char *
put2(char *q, int v)
{
	q[0] = (char)('0' + v / 10);
	q[1] = (char)('0' + v % 10);
	return q + 2;
}

static void
fill_tm(struct tm *tm, const struct stamp *st)
{
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = st->year - 1900;
	tm->tm_mon = st->mon - 1;
	tm->tm_mday = st->mday;
	tm->tm_hour = st->hour;
	tm->tm_min = st->min;
	tm->tm_sec = st->sec;
	tm->tm_isdst = -1;
}

/*
 * The offset is the difference between the wall-clock time read as UTC
 * and the instant mktime(3) takes it for, so the rendered stamp always
 * names that very instant, also in the hour a DST change skips or repeats.
 */
void
stamp_utc_offset(const struct stamp *st, long *off)
{
	struct tm local, utc;
	time_t t, u;

	fill_tm(&local, st);
	fill_tm(&utc, st);
	utc.tm_isdst = 0;
	t = mktime(&local);
	u = timegm(&utc);
	*off = (long)(u - t);
}

/*
 * mktime(3) is far too slow to call for every second of a large log, so
 * the offset is looked up once per day: when it is the same at the first
 * and the last second of the day, no DST change happens that day (no zone
 * changes twice and back within one day), and it serves every stamp of it.
 */
static long
rfc3339_offset(struct stamp_renderer *r, const struct stamp *st)
{
	long key = (long)st->year * 10000 + st->mon * 100 + st->mday;
	long off;

	if (key != r->day_key) {
		struct stamp first = *st, last = *st;
		long a, b;

		first.hour = first.min = first.sec = 0;
		last.hour = 23;
		last.min = last.sec = 59;
		stamp_utc_offset(&first, &a);
		stamp_utc_offset(&last, &b);
		r->day_key = key;
		r->day_fixed = a == b;
		r->day_offset = a;
	}
	if (r->day_fixed)
		return r->day_offset;
	stamp_utc_offset(st, &off);
	return off;
}

static size_t
render_bsd(char *q0, const struct stamp *st)
{
	char *q = q0;

	memcpy(q, months[st->mon - 1], 3);
	q[3] = ' ';
	q[4] = st->mday < 10 ? ' ' : (char)('0' + st->mday / 10);
	q[5] = (char)('0' + st->mday % 10);
	q[6] = ' ';
	q = put2(q + 7, st->hour);
	*q++ = ':';
	q = put2(q, st->min);
	*q++ = ':';
	q = put2(q, st->sec);
	return (size_t)(q - q0);
}

static size_t
render_rfc3339(struct stamp_renderer *r, char *q0, const struct stamp *st)
{
	long off = rfc3339_offset(r, st);
	char *q = q0;
	char sign = '+';

	q = put2(q, st->year / 100);
	q = put2(q, st->year % 100);
	*q++ = '-';
	q = put2(q, st->mon);
	*q++ = '-';
	q = put2(q, st->mday);
	*q++ = 'T';
	q = put2(q, st->hour);
	*q++ = ':';
	q = put2(q, st->min);
	*q++ = ':';
	q = put2(q, st->sec);
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	*q++ = sign;
	/* Zones never stray past +-24 h; keep two digits whatever happens. */
	q = put2(q, (int)(off / 3600 % 100));
	*q++ = ':';
	q = put2(q, (int)(off / 60 % 60));
	return (size_t)(q - q0);
}

const char *
stamp_render(struct stamp_renderer *r, const struct stamp *st, size_t *len)
{
	/* No cache here: format.c renders a stamp once per distinct one. */
	if (r->format == STAMP_RFC3339)
		r->text_len = render_rfc3339(r, r->text, st);
	else
		r->text_len = render_bsd(r->text, st);
	*len = r->text_len;
	return r->text;
}
