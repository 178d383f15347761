/*
 * What the unit tests of follow mode's parts share: a temporary
 * directory for the group (dir, made by unit_setup, removed by
 * unit_teardown) and a file written whole.
 */
#ifndef KERIO2SYSLOG_UNIT_FILES_H
#define KERIO2SYSLOG_UNIT_FILES_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/k2s-test-XXXXXX";

static inline int
unit_setup(void **unused)
{
	(void)unused;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static inline int
unit_teardown(void **unused)
{
	char cmd[300];

	(void)unused;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes text as the whole of the file at p. */
static inline void
unit_put(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

#endif
