#include "host.h"

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
