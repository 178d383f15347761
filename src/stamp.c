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
	stamp_zone_init(&r->zone);
}

static char *
put2(char *q, int v)
{
	q[0] = (char)('0' + v / 10);
	q[1] = (char)('0' + v % 10);
	return q + 2;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* st's wall-clock time read as if it were UTC, in seconds. */
static int64_t
as_utc(const struct stamp *st)
{
	return days_from_civil(st->year, st->mon, st->mday) * 86400 +
	    st->hour * 3600 + st->min * 60 + st->sec;
}

/* The offset east of UTC that TZ has at instant t. */
static long
offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

void
stamp_zone_init(struct stamp_zone *z)
{
	memset(z, 0, sizeof(*z));
	z->day_key = -1;
}

/*
 * Without mktime(3): its answer for a repeated time with tm_isdst -1
 * depends on the call before (glibc reuses its last guess), and a zone
 * may change its offset without a change of tm_isdst. A local time L
 * names the instant L - o for an offset o the zone has at that very
 * instant; the offsets it can have there are those in force a day before
 * L, at L and a day after (L read as UTC is within 26 hours of every
 * instant it names), so each is tried and kept if it holds there.
 */
static enum stamp_local
instants_of(const struct stamp *st, struct stamp_instants *in)
{
	int64_t l = as_utc(st);
	long before, after, tries[3];
	int64_t found[3];
	int n = 0;

	/* localtime_r(3), unlike mktime(3), need not read TZ itself; read
	 * here, not before, so that a run that never asks keeps the zone
	 * file out of memory. */
	tzset();
	before = offset_at(l - 86400);
	after = offset_at(l + 86400);
	tries[0] = before;
	tries[1] = offset_at(l);
	tries[2] = after;

	for (int i = 0; i < 3; i++)
		if (offset_at(l - tries[i]) == tries[i])
			found[n++] = l - tries[i];
	if (n == 0) {
		/* Skipped: read by the offsets before and after the change. */
		in->first = l - (before > after ? before : after);
		in->last = l - (before > after ? after : before);
		in->offset = before;
		return STAMP_LOCAL_SKIPPED;
	}
	in->first = in->last = found[0];
	for (int i = 1; i < n; i++) {
		if (found[i] < in->first)
			in->first = found[i];
		if (found[i] > in->last)
			in->last = found[i];
	}
	/* The earliest instant is the first occurrence: the offset before. */
	in->offset = (long)(l - in->first);
	return in->first == in->last ? STAMP_LOCAL_ONE : STAMP_LOCAL_REPEATED;
}

enum stamp_local
stamp_instants(struct stamp_zone *z, const struct stamp *st,
    struct stamp_instants *in)
{
	long key = (long)st->year * 10000 + st->mon * 100 + st->mday;

	if (z == NULL)
		return instants_of(st, in);
	if (key != z->day_key) {
		struct stamp first = *st, last = *st;
		struct stamp_instants a, b;
		enum stamp_local ka, kb;

		first.hour = first.min = first.sec = 0;
		last.hour = 23;
		last.min = last.sec = 59;
		ka = instants_of(&first, &a);
		kb = instants_of(&last, &b);
		z->day_key = key;
		z->day_fixed = ka == STAMP_LOCAL_ONE && kb == STAMP_LOCAL_ONE &&
		    a.offset == b.offset;
		z->day_offset = a.offset;
	}
	if (!z->day_fixed)
		return instants_of(st, in);
	in->offset = z->day_offset;
	in->first = in->last = as_utc(st) - z->day_offset;
	return STAMP_LOCAL_ONE;
}

int
stamp_late(struct stamp_zone *z, const struct stamp *st, int64_t now_ms,
    int64_t after_ms)
{
	struct stamp_instants in;

	if (after_ms <= 0)
		return 0;
	stamp_instants(z, st, &in);
	return now_ms - in.last * 1000 > after_ms;
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
	struct stamp_instants in;
	long off;
	char *q = q0;
	char sign = '+';

	stamp_instants(&r->zone, st, &in);
	off = in.offset;
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
