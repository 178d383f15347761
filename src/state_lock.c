/*
 * state_lock: one follower per state file, for the process's life
 * (state.h: state_lock).
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/*
 * The process holding the flock(2) of fd's file, from the kernel's list
 * (/proc/locks: "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE ..."); 0 if it
 * cannot be told. Nothing is written to the lock file: a write there
 * would come before the start's mark (commit.c), and a kill at it would
 * lose what a first run was started for.
 */
static long
lock_holder(int fd)
{
	char line[256], want[64];
	struct stat sb;
	long pid = 0;
	FILE *fp;

	if (fstat(fd, &sb) < 0)
		return 0;
	snprintf(want, sizeof(want), "%02x:%02x:%ju", major(sb.st_dev),
	    minor(sb.st_dev), (uintmax_t)sb.st_ino);
	fp = fopen("/proc/locks", "re");
	if (fp == NULL)
		return 0;
	while (pid == 0 && fgets(line, sizeof(line), fp) != NULL) {
		/* "N: KIND MODE ACCESS PID ID ...": fields 1 and 4, 5. */
		char *field[6], *save = NULL, *end;
		int k = 0;

		for (char *w = strtok_r(line, " \t\n", &save);
		     w != NULL && k < 6; w = strtok_r(NULL, " \t\n", &save))
			field[k++] = w;
		if (k < 6 || strcmp(field[1], "FLOCK") != 0 ||
		    strcmp(field[5], want) != 0)
			continue;
		errno = 0;
		pid = strtol(field[4], &end, 10);
		if (errno != 0 || *end != '\0' || pid < 0)
			pid = 0;
	}
	fclose(fp);
	return pid;
}

int
state_lock(const char *path, long *holder)
{
	char lock[4096];
	int fd, e;

	*holder = 0;
	if (snprintf(lock, sizeof(lock), "%s.lock", path) >=
	    (int)sizeof(lock)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
	    0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		e = errno;
		if (e == EWOULDBLOCK)
			*holder = lock_holder(fd);
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
