/*
 * journal_send: journald's native protocol (journal_send.h). Each field
 * is "NAME=value\n", or, when the value holds a newline, "NAME\n", its
 * length as 64 bits little-endian, the value and "\n". A record too large
 * for one datagram goes in a sealed memfd(2) whose descriptor is the
 * datagram, as sd_journal_sendv(3) does.
 */
#include "journal_send.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The socket's send buffer asked for: a record of this size in one
 * datagram, where the system allows it (as libsystemd asks). */
#define SEND_BUFFER (8 * 1024 * 1024)

static int
connect_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(path);
	int fd, size = SEND_BUFFER, e;

	if (n >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, n + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The record's pieces, pointing into iov and into the lengths. */
struct wire {
	struct iovec v[JOURNAL_SEND_FIELDS * 5];
	uint8_t len[JOURNAL_SEND_FIELDS][8];
	int n;
};

static void
piece(struct wire *w, const void *p, size_t len)
{
	w->v[w->n].iov_base = (void *)p;
	w->v[w->n].iov_len = len;
	w->n++;
}

static void
serialize(const struct iovec *iov, int n, struct wire *w)
{
	w->n = 0;
	for (int i = 0; i < n; i++) {
		const char *f = iov[i].iov_base, *eq;
		size_t len = iov[i].iov_len, name, vlen;

		eq = memchr(f, '=', len);
		if (eq == NULL ||
		    memchr(eq, '\n', len - (size_t)(eq - f)) == NULL) {
			piece(w, f, len);
			piece(w, "\n", 1);
			continue;
		}
		name = (size_t)(eq - f);
		vlen = len - name - 1;
		for (int k = 0; k < 8; k++)
			w->len[i][k] = (uint8_t)((uint64_t)vlen >> (8 * k));
		piece(w, f, name);
		piece(w, "\n", 1);
		piece(w, w->len[i], 8);
		piece(w, eq + 1, vlen);
		piece(w, "\n", 1);
	}
}

/* The record in a sealed memfd, sent as its descriptor. */
static int
send_memfd(int fd, const struct wire *w)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr mh = {.msg_control = &ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;
	int mfd, r = -1, e;

	mfd = memfd_create("journal-data", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd < 0)
		return -1;
	for (int i = 0; i < w->n; i++) {
		const char *p = w->v[i].iov_base;
		size_t left = w->v[i].iov_len;

		while (left > 0) {
			ssize_t k = write(mfd, p, left);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				goto out;
			p += k;
			left -= (size_t)k;
		}
	}
	if (fcntl(mfd, F_ADD_SEALS,
	        F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		goto out;
	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &mfd, sizeof(int));
	r = sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
out:
	e = errno;
	close(mfd);
	errno = e;
	return r;
}

/* One try on *fd, connected first if it is -1. */
static int
send_once(int *fd, const char *path, const struct wire *w)
{
	struct msghdr mh = {.msg_iov = (struct iovec *)w->v,
	    .msg_iovlen = (size_t)w->n};

	if (*fd < 0 && (*fd = connect_socket(path)) < 0)
		return -1;
	if (sendmsg(*fd, &mh, MSG_NOSIGNAL) >= 0)
		return 0;
	if ((errno == EMSGSIZE || errno == ENOBUFS) && send_memfd(*fd, w) == 0)
		return 0;
	journal_send_close(fd);
	return -1;
}

int
journal_send(int *fd, const char *path, const struct iovec *iov, int n)
{
	struct wire w;
	int fresh = *fd < 0;

	if (path == NULL)
		path = JOURNAL_SEND_SOCKET;
	if (n > JOURNAL_SEND_FIELDS) {
		errno = E2BIG;
		return -1;
	}
	serialize(iov, n, &w);
	if (send_once(fd, path, &w) == 0)
		return 0;
	/* The socket connected to a journald that is gone (restarted): once
	 * more, to the socket its name has now. */
	if (!fresh && (errno == ECONNREFUSED || errno == ENOTCONN))
		return send_once(fd, path, &w);
	return -1;
}

void
journal_send_close(int *fd)
{
	int e = errno;

	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	errno = e;
}
