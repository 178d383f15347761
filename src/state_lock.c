/*
 * state_lock: one follower per state file, for the process's life
 * (state.h: state_lock). The lock is the file's, not its name's: a
 * symbolic link to a state file, or a path through a linked directory,
 * names the same lock. It outlives its file's deletion: the holder looks
 * at its name every tick and makes it again (state_lock_keep), and a
 * newcomer that had to make it beside an existing state file waits
 * longer than that before taking it (state_lock), so the holder, if one
 * runs, takes the new file first and the newcomer is refused.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/*
 * The process holding the flock(2) of file sb, from the kernel's list
 * (/proc/locks: "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE ..."); 0 if
 * none is listed, -1 if the list cannot be read. Nothing is written to
 * the lock file: a write there would come before the start's mark
 * (commit.c, C26), and a kill at it would lose what a first run was started
 * for.
 */
static long
lock_holder(const struct stat *sb)
{
	char line[256], want[64];
	long pid = 0;
	FILE *fp;

	snprintf(want, sizeof(want), "%02x:%02x:%ju", major(sb->st_dev),
	    minor(sb->st_dev), (uintmax_t)sb->st_ino);
	fp = fopen("/proc/locks", "re");
	if (fp == NULL)
		return -1;
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

/* Symbolic links followed to the state file, at most (as the kernel). */
#define LINKS_MAX 40

/*
 * Where path leads through its symbolic links, even to a file not made
 * yet: its directory resolved, then its last component, into buf.
 */
static int
resolve(const char *path, char *buf, size_t cap)
{
	char cur[PATH_MAX], dir[PATH_MAX], target[PATH_MAX], *slash;
	const char *base;
	struct stat sb;
	ssize_t n;

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int links = 0;; links++) {
		slash = strrchr(cur, '/');
		base = slash != NULL ? slash + 1 : cur;
		if (slash == cur)
			snprintf(dir, sizeof(dir), "/");
		else if (slash != NULL)
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - cur),
			    cur);
		else
			snprintf(dir, sizeof(dir), ".");
		if (lstat(cur, &sb) < 0 || !S_ISLNK(sb.st_mode))
			break;
		if (links == LINKS_MAX) {
			errno = ELOOP;
			return -1;
		}
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0)
			return -1;
		target[n] = '\0';
		if (target[0] == '/')
			snprintf(cur, sizeof(cur), "%s", target);
		else if (snprintf(cur, sizeof(cur), "%s/%s", dir, target) >=
		    (int)sizeof(cur)) {
			errno = ENAMETOOLONG;
			return -1;
		}
	}
	if (*base == '\0' || realpath(dir, target) == NULL) {
		if (*base == '\0')
			errno = EISDIR;
		return -1;
	}
	if (snprintf(buf, cap, "%s/%s", strcmp(target, "/") == 0 ? "" : target,
	        base) >= (int)cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
state_lock_name(const char *path, char *buf, size_t cap)
{
	char res[PATH_MAX];

	if (resolve(path, res, sizeof(res)) < 0)
		return -1;
	if (snprintf(buf, cap, "%s.lock", res) >= (int)cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* 1 if name is the file open at fd. */
static int
names(const char *name, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && lstat(name, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

#define LOCK_FLAGS (O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)

/* flock(2), exclusive, not waiting; EINTR retried. */
static int
take(int fd)
{
	int r;

	while ((r = flock(fd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	return r;
}

/* Closes fd, which another process has locked: EWOULDBLOCK, *holder. */
static int
held_by_other(int fd, long *holder)
{
	struct stat sb;
	long pid = fstat(fd, &sb) == 0 ? lock_holder(&sb) : 0;

	*holder = pid > 0 ? pid : 0;
	close(fd);
	errno = EWOULDBLOCK;
	return -1;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
state_lock(const char *path, int wait_ms, long *holder)
{
	char lock[PATH_MAX + 8];
	struct stat sb;
	int fd, made, e;

	*holder = 0;
	if (state_lock_name(path, lock, sizeof(lock)) < 0)
		return -1;
	/* A few rounds: the name may be deleted or replaced in between. */
	for (int round = 0; round < 8; round++) {
		fd = open(lock, LOCK_FLAGS | O_CREAT | O_EXCL, 0600);
		made = fd >= 0;
		if (fd < 0 && errno == EEXIST)
			fd = open(lock, LOCK_FLAGS);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		if (made && wait_ms > 0 && stat(path, &sb) == 0)
			sleep_ms(wait_ms);
		if (take(fd) < 0) {
			if (errno == EWOULDBLOCK)
				return held_by_other(fd, holder);
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (names(lock, fd))
			return fd;
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

int
state_lock_keep(int *fd, const char *path, long *holder)
{
	char lock[PATH_MAX + 8];
	int nfd;

	*holder = 0;
	if (state_lock_name(path, lock, sizeof(lock)) < 0 || names(lock, *fd))
		return 0;
	nfd = open(lock, LOCK_FLAGS | O_CREAT, 0600);
	if (nfd < 0)
		return 0; /* tried again at the next look */
	if (take(nfd) < 0) {
		if (errno == EWOULDBLOCK)
			return held_by_other(nfd, holder);
		close(nfd);
		return 0;
	}
	if (!names(lock, nfd)) {
		close(nfd);
		return 0;
	}
	close(*fd);
	*fd = nfd;
	return 0;
}

int
state_lock_held(const char *path, long *holder)
{
	char lock[PATH_MAX + 8];
	struct stat sb;
	long pid;
	int fd, r;

	*holder = 0;
	if (state_lock_name(path, lock, sizeof(lock)) < 0)
		return -1;
	if (lstat(lock, &sb) < 0)
		return errno == ENOENT ? 0 : -1;
	if ((pid = lock_holder(&sb)) >= 0) {
		*holder = pid;
		return pid > 0;
	}
	/* The kernel's list unreadable: a shared lock taken and dropped at
	 * once tells (a follower starting in that instant is refused). */
	fd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	while ((r = flock(fd, LOCK_SH | LOCK_NB)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		r = errno == EWOULDBLOCK ? 1 : -1;
		close(fd);
		return r;
	}
	close(fd);
	return 0;
}
