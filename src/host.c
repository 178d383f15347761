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
