/*
 * kerio2syslog: Kerio Connect's security log to syslog-style lines.
 *
 * main parses the options, checks what the host gives (the standard
 * descriptors, the host name, the time zone), then dispatches to a mode
 * in run.c; nothing else.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "escape.h"
#include "host.h"
#include "options.h"
#include "run.h"

#ifndef K2S_VERSION
#define K2S_VERSION "unknown"
#endif

/*
 * A standard descriptor left closed by whoever started us would be taken
 * by the next open(2): the output file would become descriptor 2 and
 * receive our diagnostics among its lines. Each closed one is opened on
 * /dev/null, 0 and 1 the wrong way round, so reading standard input or
 * writing standard output still fails with EBADF and is reported.
 */
static void
open_standard_fds(void)
{
	static const int mode[3] = {O_WRONLY, O_RDONLY, O_WRONLY};

	for (int fd = 0; fd < 3; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		got = open("/dev/null", mode[fd] | O_NOCTTY);
		if (got != fd)
			_exit(EX_OSERR);
	}
}

/* Every usage error is said one way: the reason, then where to look. */
static void usage_error(const char *msg) __attribute__((noreturn));

static void
usage_error(const char *msg)
{
	fprintf(stderr,
	    "kerio2syslog: %s\n"
	    "Try 'kerio2syslog --help' for more.\n",
	    msg);
	exit(EX_USAGE);
}

/*
 * The system's host name, under the rule of --hostname: a blank would
 * hide every line from the filter, a control byte reach the output raw.
 * A name that breaks it is refused; it is shown escaped.
 */
static void
default_host(char *buf, size_t len)
{
	char shown[256 * ESCAPE_EXPANSION];
	const char *why;
	size_t used, n;

	if (host_short_name(buf, len) < 0)
		err(EX_OSERR, "gethostname");
	why = host_field_problem(buf, 1);
	if (why == NULL)
		return;
	n = escape_bytes(shown, sizeof(shown) - 1, buf, strlen(buf), &used);
	shown[n] = '\0';
	errx(EX_CONFIG, "the system host name '%s' %s; set one with --hostname",
	    shown, why);
}

/*
 * A TZ that names a zone file which is not there makes the C library
 * take every stamp as UTC, silently: hours off for fail2ban's findtime,
 * a wrong offset in rfc3339. Refused.
 */
static void
check_zone(void)
{
	const char *tz = getenv("TZ"), *path;
	char buf[4096];

	path = host_zone_file(tz, getenv("TZDIR"), buf, sizeof(buf));
	if (path == NULL || host_zone_check(path) == 0)
		return;
	errx(EX_CONFIG,
	    "TZ '%s': no time zone: %s: %s; the C library would take every"
	    " stamp as UTC (+00:00). Name a zone that exists, or TZ=UTC",
	    tz, path,
	    errno == EINVAL ? "not a time zone file" : strerror(errno));
}

int
main(int argc, char *argv[])
{
	struct options o;
	char msg[1024], hostbuf[256];
	const char *host;
	int status;

	open_standard_fds();
	if (parse_options(argc, argv, &o, msg, sizeof(msg)) < 0) {
		if (errno != EINVAL)
			err(EX_OSERR, "%s", msg);
		usage_error(msg);
	}
	switch (o.mode) {
	case OPTIONS_HELP:
		fputs(options_usage(), stdout);
		options_free(&o);
		return EX_OK;
	case OPTIONS_VERSION:
		printf("kerio2syslog %s\n", K2S_VERSION);
		options_free(&o);
		return EX_OK;
	case OPTIONS_STATUS:
		status = run_status(&o);
		options_free(&o);
		return status;
	case OPTIONS_FOLLOW:
		run_check_follow(o.follow);
		break;
	case OPTIONS_FILES:
		break;
	}
	check_zone();
	host = o.host;
	if (host == NULL) {
		default_host(hostbuf, sizeof(hostbuf));
		host = hostbuf;
	}
	if (o.mode == OPTIONS_FOLLOW)
		run_follow(&o, host);
	status = run_files(&o, host);
	options_free(&o);
	return status;
}
