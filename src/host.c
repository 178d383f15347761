#include "host.h"

#include "clock.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t
host_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
system_now_ms(void *ctx)
{
	(void)ctx;
	return host_now_ms();
}

const struct clock clock_system = {system_now_ms, NULL};

int
host_short_name(char *buf, size_t len)
{
	char *dot;

	if (len == 0 || gethostname(buf, len) < 0)
		return -1;
	buf[len - 1] = '\0';
	dot = strchr(buf, '.');
	if (dot != NULL)
		*dot = '\0';
	if (buf[0] == '\0') {
		strncpy(buf, "localhost", len - 1);
		buf[len - 1] = '\0';
	}
	return 0;
}

const char *
host_field_problem(const char *s, int colon_ok)
{
	size_t n = strlen(s);

	if (n == 0)
		return "is empty";
	if (n > 255)
		return "has more than 255 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ')
			return "has a blank";
		if (c < ' ' || c == 0x7f)
			return "has a control byte";
		if (c > 0x7f)
			return "has a byte outside ASCII";
		if (c == ':' && !colon_ok)
			return "has a ':'";
	}
	return NULL;
}

/* 1 if s starts as a POSIX TZ rule: a zone name, then an offset. */
static int
posix_rule(const char *s)
{
	size_t n = 0;

	if (*s == '<') {
		const char *end = strchr(s, '>');

		if (end == NULL)
			return 0;
		s = end + 1;
	} else {
		while (isalpha((unsigned char)s[n]))
			n++;
		if (n < 3)
			return 0;
		s += n;
	}
	if (*s == '+' || *s == '-')
		s++;
	return isdigit((unsigned char)*s);
}

const char *
host_zone_file(const char *tz, const char *tzdir, char *buf, size_t len)
{
	static const char *const utc[] = {"UTC", "UCT", "GMT", "Universal",
	    "Zulu", "Etc/UTC", "Etc/UCT", "Etc/GMT", "Etc/Universal",
	    "Etc/Zulu"};

	if (tz == NULL || *tz == '\0')
		return NULL;
	if (*tz == ':')
		tz++;
	if (*tz == '\0' || posix_rule(tz))
		return NULL;
	for (size_t i = 0; i < sizeof(utc) / sizeof(utc[0]); i++) {
		if (strcmp(tz, utc[i]) == 0)
			return NULL;
	}
	if (tzdir == NULL || *tzdir == '\0')
		tzdir = "/usr/share/zoneinfo";
	if (*tz == '/')
		snprintf(buf, len, "%s", tz);
	else
		snprintf(buf, len, "%s/%s", tzdir, tz);
	return buf;
}

int
host_zone_check(const char *path)
{
	char magic[4];
	ssize_t n;
	int e, fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	do
		n = read(fd, magic, sizeof(magic));
	while (n < 0 && errno == EINTR);
	e = n < 0 ? errno : EINVAL;
	close(fd);
	if (n == (ssize_t)sizeof(magic) && memcmp(magic, "TZif", 4) == 0)
		return 0;
	errno = e;
	return -1;
}
