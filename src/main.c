/*
 * kerio2syslog: Kerio Connect's security log to syslog-style lines.
 *
 * main parses options, sets up signals, wires the modules together and
 * turns their results into messages and exit codes; nothing else.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "output.h"
#include "pipeline.h"
#include "follower.h"
#include "escape.h"
#include "host.h"
#include "output.h"
#include "reader.h"
#include "select.h"
#include "status.h"
#include "state.h"

#ifndef K2S_VERSION
#define K2S_VERSION "unknown"
#endif

#define MAX_ENTRY_LIMIT (16 * 1024 * 1024)
#define FLUSH_TIMEOUT_LIMIT (24 * 3600 * 1000)
/* Diagnostics that can repeat: a burst, then one a minute. */
#define DIAG_BURST 5
#define DIAG_INTERVAL_MS 60000

enum {
	OPT_FORMAT = 256,
	OPT_MAX_ENTRY,
	OPT_FLUSH_TIMEOUT,
	OPT_FOLLOW,
	OPT_STATE,
	OPT_FROM_START,
	OPT_NO_INOTIFY,
	OPT_STATUS,
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"hostname", required_argument, NULL, 'H'},
    {"tag", required_argument, NULL, 't'},
    {"match", required_argument, NULL, 'm'},
    {"exclude", required_argument, NULL, 'x'},
    {"max-entry", required_argument, NULL, OPT_MAX_ENTRY},
    {"flush-timeout", required_argument, NULL, OPT_FLUSH_TIMEOUT},
    {"follow", required_argument, NULL, OPT_FOLLOW},
    {"state", required_argument, NULL, OPT_STATE},
    {"from-start", no_argument, NULL, OPT_FROM_START},
    {"no-inotify", no_argument, NULL, OPT_NO_INOTIFY},
    {"status", no_argument, NULL, OPT_STATUS},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

struct limiter {
	unsigned told;
	int64_t last;
	uint64_t quiet;
};

struct diag {
	const char *name;
	struct limiter bad, cut;
};

/* Follow mode: failures repeat while retried, so they are limited. */
struct follow_diag {
	int verbose;
	const char *path, *out; /* what is followed, and into what */
	struct limiter open, read, write, reopen, save;
};

static volatile sig_atomic_t got_stop, got_hup;

/*
 * SIGTERM and SIGINT are never blocked, and no handler restarts a system
 * call: a write(2) to a stalled pipe or an open(2) returns EINTR. A stop
 * that lands between the check of got_stop and the call that blocks is
 * caught by SIGALRM, armed here and then every second until the end, so
 * no blocking call outlives a stop by more than a second (output.c gives
 * a stalled output up on the second interruption without progress).
 * SIGHUP stays blocked except inside ppoll(2).
 */
static void
on_signal(int sig)
{
	if (sig == SIGHUP) {
		got_hup = 1;
		return;
	}
	if (!got_stop)
		alarm(1);
	got_stop = sig;
}

static void
on_alarm(int sig)
{
	(void)sig;
	if (got_stop)
		alarm(1);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: kerio2syslog [options] [FILE...]\n"
	    "       kerio2syslog --follow FILE [--state FILE] [--from-start]"
	    " [options]\n"
	    "       kerio2syslog --status --state FILE [-o OUTPUT]"
	    " [--follow] FILE\n"
	    "\n"
	    "Converts Kerio Connect's security.log to syslog-style lines.\n"
	    "\n"
	    "  -o, --output FILE        append to FILE, not standard output\n"
	    "      --format bsd|rfc3339 stamp format (default bsd)\n"
	    "  -H, --hostname NAME      host field (default: short host name)\n"
	    "  -t, --tag TAG            tag (default kerio)\n"
	    "  -m, --match RE           write only entries matching a RE"
	    " (PCRE2, repeatable)\n"
	    "  -x, --exclude RE         drop entries matching RE (PCRE2,"
	    " repeatable)\n"
	    "      --max-entry BYTES    cut longer messages (default 16384)\n"
	    "      --flush-timeout MS   write a pending entry after MS ms"
	    " (default 1000)\n"
	    "      --follow FILE        follow FILE by name, like tail -F\n"
	    "      --state FILE         follow mode: where the position is"
	    " kept\n"
	    "      --from-start         follow mode without state: read FILE"
	    " from its start\n"
	    "      --no-inotify         follow mode: look at FILE once a"
	    " second only\n"
	    "      --status             report follow mode's state: input,"
	    " position, bytes\n"
	    "                           behind, last entry, output\n"
	    "  -v, --verbose            print counters on exit\n"
	    "  -h, --help               print this help\n"
	    "  -V, --version            print the version\n"
	    "\n"
	    "Exit status: 0 done; 64 usage; 66 an input missing; 73 output not"
	    " created;\n"
	    "74 read or write error; 75 the state file is in use; 78 bad host"
	    " name or TZ.\n"
	    "--status: 0 the state fits the files, 1 they moved on (rotated,"
	    " truncated,\n"
	    "missing), 65 bad state file, 66 none.\n"
	    "The manual says all of it: man kerio2syslog.\n");
}

static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "kerio2syslog: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'kerio2syslog --help' for more.\n");
	exit(EX_USAGE);
}

static long
number(const char *arg, const char *opt, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr,
		    "kerio2syslog: %s: '%s' is not a number from %ld to %ld\n",
		    opt, arg, lo, hi);
		exit(EX_USAGE);
	}
	return v;
}

/* A host name or tag must stay one field of the output line. */
static void
check_field(const char *what, const char *s, int colon_ok)
{
	const char *why = host_field_problem(s, colon_ok);

	if (why != NULL)
		usage_error("%s %s: it must be 1 to 255 bytes of printable"
		            " ASCII without blanks%s",
		    what, why, colon_ok ? "" : " nor ':'");
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

static int
limited(struct limiter *l, uint64_t *quiet)
{
	int64_t now = host_now_ms();

	if (l->told < DIAG_BURST || now - l->last >= DIAG_INTERVAL_MS) {
		l->told++;
		l->last = now;
		*quiet = l->quiet;
		l->quiet = 0;
		return 0;
	}
	l->quiet++;
	return 1;
}

/* " (N more not reported)" after a quiet spell, else "". */
static const char *
suppressed(uint64_t quiet)
{
	static char buf[64];

	if (quiet == 0)
		return "";
	snprintf(buf, sizeof(buf), " (%" PRIu64 " before not reported)", quiet);
	return buf;
}

static void
on_event(void *ctx, enum pipeline_event ev, uint64_t line, uint64_t count)
{
	struct diag *d = ctx;
	uint64_t quiet;

	switch (ev) {
	case PIPELINE_ORPHANS:
		warnx("%s:%" PRIu64 ": %" PRIu64 " line%s before the first"
		      " entry not written",
		    d->name, line, count, count == 1 ? "" : "s");
		break;
	case PIPELINE_BAD_STAMP:
		if (!limited(&d->bad, &quiet))
			warnx("%s:%" PRIu64 ": malformed stamp, line joined to"
			      " the entry before it%s",
			    d->name, line, suppressed(quiet));
		break;
	case PIPELINE_CUT:
		if (!limited(&d->cut, &quiet))
			warnx("%s:%" PRIu64 ": entry longer than %" PRIu64
			      " bytes cut%s",
			    d->name, line, count, suppressed(quiet));
		break;
	}
}

static void
setup_signals(sigset_t *wait_mask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: see on_signal */
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* SIGHUP: blocked but inside ppoll(2), so that none slips past a
	 * check; it waits while a write or open blocks. */
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGHUP);
	sigdelset(wait_mask, SIGALRM);
}

/* Dies by the signal that stopped us, as an unhandled one would. */
static void
die_by_signal(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	exit(128 + sig);
}

/* Why the output cannot be opened: a link is said as such. */
static const char *
open_problem(int e)
{
	if (e == ELOOP)
		return "a symbolic link, not followed (name the file itself)";
	return strerror(e);
}

/* A stop found the output stalled (see output_stop_on): say what is lost. */
static void
stalled_note(const struct sink *o, const char *more)
{
	warnx("output stalled: %zu bytes not written (%s took none for a"
	      " second after the signal)%s",
	    sink_pending(o), sink_name(o), more);
}

static void
write_failed(const struct sink *o, int e)
{
	if (e == EPIPE)
		exit(EX_OK); /* the reader went away: nothing more to do */
	if (e == EINTR && got_stop) {
		stalled_note(o, "");
		die_by_signal(got_stop);
	}
	if (e == ELOOP) /* reopened: a link under the name now */
		errx(EX_CANTCREAT, "%s: %s", sink_name(o), open_problem(e));
	errno = e;
	err(EX_IOERR, "write to %s", sink_name(o));
}

static void
summary(const struct pipeline *c)
{
	struct pipeline_counts cn;
	const struct pipeline_counts *n = &cn;

	pipeline_counts(c, &cn);
	fprintf(stderr,
	    "kerio2syslog: %" PRIu64 " lines, %" PRIu64 " entries, %" PRIu64
	    " written, %" PRIu64 " excluded, %" PRIu64 " joined lines, %" PRIu64
	    " orphans, %" PRIu64 " cut entries, %" PRIu64
	    " bad stamps, %" PRIu64 " dropped lines, %" PRIu64
	    " late continuations\n",
	    n->lines, n->entries, n->written, n->excluded, n->joined,
	    n->orphans, n->cut, n->bad, n->dropped, n->resumed);
}

/* What a file that is not a regular one is, for a message. */
static const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a file";
}

static void
on_follow(void *ctx, enum follower_event ev, int e, const char *detail)
{
	struct follow_diag *fd = ctx;
	struct limiter *l = NULL;
	const char *what = "";
	uint64_t quiet;

	switch (ev) {
	case FOLLOWER_WAITING:
		warnx("%s: no such file, waiting for it", detail);
		return;
	case FOLLOWER_NOT_REGULAR: {
		struct stat sb;

		warnx("%s: not a regular file (%s); waiting for a regular file",
		    detail,
		    stat(detail, &sb) == 0 ? file_kind(sb.st_mode) : "gone");
		return;
	}
	case FOLLOWER_APPEARED:
		warnx("%s: there now, reading it from its start", detail);
		return;
	case FOLLOWER_STATE_REJECTED:
		warnx("state file %s; not used", detail);
		return;
	/* An administrator sees what is followed, into what, and each
	 * switch of file, without -v. */
	case FOLLOWER_START:
		warnx("following %s (%s) into %s", fd->path, detail, fd->out);
		return;
	case FOLLOWER_ROTATED:
		warnx("%s: rotated, reading the new file from its start into"
		      " %s",
		    detail, fd->out);
		return;
	case FOLLOWER_TRUNCATED:
		warnx("%s: truncated, reading from its start into %s", detail,
		    fd->out);
		return;
	case FOLLOWER_RECOVERED:
		warnx("%s: working again", detail);
		return;
	case FOLLOWER_OPTIONS_CHANGED:
		warnx("the options that shape the output (format, host name,"
		      " tag, --max-entry, --match, --exclude) changed since"
		      " the state was saved; resuming at its position: %s",
		    detail);
		return;
	case FOLLOWER_LOST:
		warnx("%s", detail);
		return;
	case FOLLOWER_NO_INOTIFY:
		errno = e;
		warn("inotify on %s unavailable, checking once a second",
		    detail);
		return;
	case FOLLOWER_OPEN_FAILED:
		l = &fd->open;
		what = "cannot open";
		break;
	case FOLLOWER_READ_FAILED:
		l = &fd->read;
		what = "cannot read";
		break;
	case FOLLOWER_WRITE_FAILED:
		if (e == EINTR && got_stop)
			return; /* a stalled output: said on the way out */
		l = &fd->write;
		what = "cannot write";
		break;
	case FOLLOWER_REOPEN_FAILED:
		l = &fd->reopen;
		what = "cannot reopen";
		break;
	case FOLLOWER_SAVE_FAILED:
		l = &fd->save;
		what = "cannot save state to";
		break;
	}
	if (l != NULL && !limited(l, &quiet))
		warnx("%s %s: %s; retrying%s", what, detail,
		    ev == FOLLOWER_REOPEN_FAILED ? open_problem(e)
		                                 : strerror(e),
		    suppressed(quiet));
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

/*
 * --follow reads a regular file. Something else under the name is
 * refused before the follower starts (open(2) of a FIFO would wait for a
 * writer, a directory has no lines); a missing file is waited for.
 */
static void
check_follow_path(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) < 0 || S_ISREG(sb.st_mode))
		return;
	warnx("%s: not a regular file (%s); --follow reads a regular file",
	    path, file_kind(sb.st_mode));
	exit(EX_NOINPUT);
}

/*
 * A hash of the options that shape the output bytes, kept in the state
 * so that a restart can tell they changed; sel is the hash of the
 * --match and --exclude patterns in order.
 */
static uint64_t
options_hash(const struct pipeline_opts *co, uint64_t sel)
{
	char num[64];
	int n;
	uint64_t h;

	n = snprintf(num, sizeof(num), "%d %zu", (int)co->format,
	    co->max_entry);
	h = state_hash_more(sel, num, n > 0 ? (size_t)n + 1 : 0);
	h = state_hash_more(h, co->host, strlen(co->host) + 1);
	return state_hash_more(h, co->tag, strlen(co->tag) + 1);
}

/*
 * Follow mode: runs until SIGTERM or SIGINT, then dies by that signal
 * once the pending entry is written and the state saved; exits 0 when
 * the reader of standard output went away.
 */
static void
follow_file(struct pipeline *c, const struct sink *out, const char *path,
    const char *state, int from_start, int no_inotify, int verbose,
    uint64_t options, const struct pipeline_signals *sig)
{
	struct follow_diag fd;
	struct follower_opts fo;
	long holder;
	int rc;

	/* One follower per state file, for its whole life: two would both
	 * write every entry. The lock is released by the exit. */
	if (state != NULL && state_lock(state, &holder) < 0) {
		if (errno == EWOULDBLOCK && holder > 0)
			errx(EX_TEMPFAIL,
			    "state file %s is in use by process %ld (%s.lock)",
			    state, holder, state);
		if (errno == EWOULDBLOCK)
			errx(EX_TEMPFAIL, "state file %s is in use (%s.lock)",
			    state, state);
		err(EX_CANTCREAT, "cannot lock state file: %s.lock", state);
	}
	memset(&fd, 0, sizeof(fd));
	fd.verbose = verbose;
	fd.path = path;
	fd.out = sink_name(out);
	memset(&fo, 0, sizeof(fo));
	fo.path = path;
	fo.state_path = state;
	fo.from_start = from_start;
	fo.no_inotify = no_inotify;
	fo.options = options;
	fo.sig = sig;
	fo.report = on_follow;
	fo.ctx = &fd;
	rc = follower_run(c, out, &fo);
	if (rc < 0)
		err(EX_OSERR, "follow %s", path);
	if (verbose)
		summary(c);
	if (sink_error(out) == EINTR)
		stalled_note(out,
		    state != NULL ? "; the state was not moved past them" : "");
	if (rc == 1)
		exit(EX_OK); /* the reader went away, as in pipe mode */
	die_by_signal(got_stop);
}

/* --status: prints what the state says of the files; the exit status. */
static int
show_status(const char *state, const char *path, const char *out)
{
	struct status_obs o;
	struct status_report r;
	char text[8192];
	size_t n;

	status_observe(state, path, out, &o);
	status_decide(&o, &r);
	n = status_format(&o, &r, state, path, out, text, sizeof(text));
	if (fwrite(text, 1, n, stdout) != n || fflush(stdout) != 0)
		err(EX_IOERR, "standard output");
	return status_exit(r.verdict);
}

/*
 * Converts one input. Returns 0, or EX_NOINPUT when it could not be read
 * at all; read errors midway and write errors end the program.
 */
static int
convert_one(struct pipeline *c, const struct sink *out, const char *path,
    struct diag *d, const struct pipeline_signals *sig)
{
	int fd = STDIN_FILENO;
	enum outcome st;
	struct stat sb;

	d->name = path;
	if (strcmp(path, "-") == 0) {
		d->name = "(standard input)";
	} else {
		/* A FIFO without a writer would block open(2), deaf to
		 * signals: opened at once, it is waited for in ppoll(2). */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			warn("%s", path);
			return EX_NOINPUT;
		}
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
			warn("%s", path);
			close(fd);
			return EX_NOINPUT;
		}
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		warnx("%s: is a directory", d->name);
		if (fd != STDIN_FILENO)
			close(fd);
		return EX_NOINPUT;
	}
	pipeline_input(c, fd, 0, 0, 0);
	st = pipeline_run(c, sig);
	if (st == OUTCOME_READ_ERROR) {
		int e = errno;

		pipeline_end(c);
		sink_flush(out);
		errno = e;
		err(EX_IOERR, "read %s", d->name);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (st == OUTCOME_WRITE_ERROR)
		write_failed(out, sink_error(out));
	if (st == OUTCOME_STOPPED) {
		pipeline_end(c);
		if (sink_flush(out) < 0)
			write_failed(out, sink_error(out));
		die_by_signal(got_stop);
	}
	return 0;
}

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

int
main(int argc, char *argv[])
{
	struct pipeline_opts co = {
	    .format = STAMP_BSD,
	    .tag = "kerio",
	    .max_entry = PIPELINE_DEFAULT_MAX_ENTRY,
	    .flush_timeout = 1000,
	};
	const char *out_path = NULL, *follow = NULL, *state = NULL;
	int verbose = 0, from_start = 0, no_inotify = 0, status = 0, show = 0;
	int ch;
	uint64_t sel_hash = 0;
	char hostbuf[256];
	struct pipeline *conv;
	struct output *o;
	struct sink out;
	struct diag d;
	sigset_t wait_mask;
	struct pipeline_signals sig = {&got_stop, &got_hup, &wait_mask};

	open_standard_fds();
	co.sel = select_new();
	if (co.sel == NULL)
		err(EX_OSERR, "select_new");
	while ((ch = getopt_long(argc, argv, "o:H:t:m:x:vhV", long_opts,
	            NULL)) != -1) {
		char msg[256];
		long at;

		switch (ch) {
		case 'o':
			out_path = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "bsd") == 0)
				co.format = STAMP_BSD;
			else if (strcmp(optarg, "rfc3339") == 0)
				co.format = STAMP_RFC3339;
			else
				usage_error("--format: '%s' is neither bsd nor"
				            " rfc3339",
				    optarg);
			break;
		case 'H':
			co.host = optarg;
			check_field("--hostname", optarg, 1);
			break;
		case 't':
			co.tag = optarg;
			check_field("--tag", optarg, 0);
			break;
		case 'm':
		case 'x':
			if (select_add(co.sel, ch == 'x', optarg, msg,
			        sizeof(msg), &at) < 0) {
				if (at < 0)
					err(EX_OSERR, "pattern '%s'", optarg);
				fprintf(stderr,
				    "kerio2syslog: %s: bad pattern '%s' at"
				    " offset %ld: %s\n",
				    ch == 'm' ? "--match" : "--exclude", optarg,
				    at, msg);
				exit(EX_USAGE);
			}
			sel_hash =
			    state_hash_more(sel_hash, ch == 'x' ? "x" : "m", 1);
			sel_hash = state_hash_more(sel_hash, optarg,
			    strlen(optarg) + 1);
			break;
		case OPT_MAX_ENTRY:
			co.max_entry = (size_t)number(optarg, "--max-entry", 1,
			    MAX_ENTRY_LIMIT);
			break;
		case OPT_FLUSH_TIMEOUT:
			co.flush_timeout = (int)number(optarg,
			    "--flush-timeout", 0, FLUSH_TIMEOUT_LIMIT);
			break;
		case OPT_FOLLOW:
			follow = optarg;
			break;
		case OPT_STATE:
			state = optarg;
			break;
		case OPT_FROM_START:
			from_start = 1;
			break;
		case OPT_NO_INOTIFY:
			no_inotify = 1;
			break;
		case OPT_STATUS:
			show = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			select_free(co.sel);
			return EX_OK;
		case 'V':
			printf("kerio2syslog %s\n", K2S_VERSION);
			select_free(co.sel);
			return EX_OK;
		default:
			fprintf(stderr,
			    "Try 'kerio2syslog --help' for more.\n");
			select_free(co.sel);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (show) {
		select_free(co.sel);
		if (state == NULL)
			usage_error("--status needs --state");
		if ((follow == NULL) == (argc != 1))
			usage_error("--status needs one FILE, the followed"
			            " one");
		return show_status(state, follow != NULL ? follow : argv[0],
		    out_path != NULL && strcmp(out_path, "-") != 0 ? out_path
		                                                   : NULL);
	}
	if (follow == NULL && (state != NULL || from_start || no_inotify))
		usage_error("%s needs --follow",
		    state != NULL    ? "--state"
		        : from_start ? "--from-start"
		                     : "--no-inotify");
	if (follow != NULL && argc > 0)
		usage_error("--follow takes no other FILE ('%s')", argv[0]);
	if (follow != NULL)
		check_follow_path(follow);
	check_zone();
	if (co.host == NULL) {
		default_host(hostbuf, sizeof(hostbuf));
		co.host = hostbuf;
	}

	/* Before the output: open(2) of a FIFO waits for its reader. */
	setup_signals(&wait_mask);
	if ((o = output_new(out_path, 0)) == NULL) {
		if (got_stop)
			die_by_signal(got_stop);
		errx(EX_CANTCREAT, "%s: %s", out_path, open_problem(errno));
	}
	output_stop_on(o, &got_stop);
	output_sink(o, &out);
	memset(&d, 0, sizeof(d));
	co.event = on_event;
	co.ctx = &d;
	if ((conv = pipeline_new(&co, &out)) == NULL)
		err(EX_OSERR, "pipeline");

	if (follow != NULL) {
		d.name = follow;
		follow_file(conv, &out, follow, state, from_start, no_inotify,
		    verbose, options_hash(&co, sel_hash), &sig);
	}
	if (argc == 0) {
		status = convert_one(conv, &out, "-", &d, &sig);
	} else {
		for (int i = 0; i < argc; i++) {
			if (convert_one(conv, &out, argv[i], &d, &sig) != 0)
				status = EX_NOINPUT;
		}
	}
	if (verbose)
		summary(conv);
	if (sink_close(&out) < 0)
		write_failed(&out, errno);
	output_free(o);
	pipeline_free(conv);
	select_free(co.sel);
	return status;
}
