/*
 * run: the modes the options dispatch to. Each sets up the signals and
 * the output, wires the modules, and turns their results into messages
 * and exit statuses.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "host.h"
#include "follow.h"
#include "pipeline.h"
#include "run.h"
#include "signals.h"
#include "sink.h"
#include "sinks.h"
#include "state.h"
#include "status.h"

struct follow_diag {
	struct follow_names names; /* what is followed, into what, --state */
	const struct clock *clock;
	/* Failures repeat while retried: limited apart. */
	struct diag_limit retry[FOLLOW_RETRIED];
};

/* What both modes set up: the output, its sink, the pipeline into it. */
struct run {
	struct sinks *out; /* what --output names (sinks.c's table) */
	struct sink sink;
	struct pipeline *p;
	struct diag_input diag;
	sigset_t wait_mask;
	struct pipeline_signals sig;
};

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
stalled_note(const struct sink *out, const char *more)
{
	warnx("output stalled: %zu bytes not written (%s took none for a"
	      " second after the signal)%s",
	    sink_pending(out), sink_name(out), more);
}

static void write_failed(const struct sink *out, int e)
    __attribute__((noreturn));

/* A write failed with e: the exit that says so. */
static void
write_failed(const struct sink *out, int e)
{
	if (e == EPIPE)
		exit(EX_OK); /* the reader went away: nothing more to do */
	if (e == EINTR && signals_stop) {
		stalled_note(out, "");
		signals_die(signals_stop);
	}
	if (e == ELOOP) /* reopened: a link under the name now */
		errx(EX_CANTCREAT, "%s: %s", sink_name(out), open_problem(e));
	errno = e;
	err(EX_IOERR, "write to %s", sink_name(out));
}

static void
summary(const struct pipeline *p)
{
	struct pipeline_counts n;

	pipeline_counts(p, &n);
	fprintf(stderr,
	    "kerio2syslog: %" PRIu64 " lines, %" PRIu64 " entries, %" PRIu64
	    " written, %" PRIu64 " excluded, %" PRIu64 " joined lines, %" PRIu64
	    " orphans, %" PRIu64 " cut entries, %" PRIu64
	    " bad stamps, %" PRIu64 " dropped lines, %" PRIu64
	    " late continuations\n",
	    n.lines, n.entries, n.written, n.excluded, n.joined, n.orphans,
	    n.cut, n.bad, n.dropped, n.resumed);
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

/* The input's diagnostics, worded and limited by diag.c. */
static void
on_event(void *ctx, enum pipeline_event ev, uint64_t line, uint64_t count)
{
	char text[512];

	if (diag_input_text(ctx, ev, line, count, text, sizeof(text)) > 0)
		warnx("%s", text);
}

/* Follow mode's events, worded by follow_text, limited here. */
static void
on_follow(void *ctx, const struct follow_note *n)
{
	struct follow_diag *fd = ctx;
	const char *why = strerror(n->err);
	int i = follow_retried(n->ev);
	char q[64], text[8192];
	uint64_t quiet = 0;
	struct stat sb;

	if (n->ev == FOLLOW_NOT_REGULAR)
		why = stat(n->name, &sb) == 0 ? file_kind(sb.st_mode) : "gone";
	else if (n->ev == FOLLOW_REOPEN_FAILED)
		why = open_problem(n->err);
	/* A stalled output while stopping: said on the way out. */
	if (n->ev == FOLLOW_WRITE_FAILED && n->err == EINTR && signals_stop)
		return;
	if (i >= 0 &&
	    !diag_limit_pass(&fd->retry[i], clock_now(fd->clock), &quiet))
		return;
	warnx("%s",
	    follow_text(n, &fd->names, why,
	        diag_quiet_text(quiet, q, sizeof(q)), text, sizeof(text)));
}

void
run_check_follow(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) < 0 || S_ISREG(sb.st_mode))
		return;
	warnx("%s: not a regular file (%s); --follow reads a regular file",
	    path, file_kind(sb.st_mode));
	exit(EX_NOINPUT);
}

/*
 * The sink --output names (sinks.c). In follow mode with a state file a
 * sink whose records name their writer (the journal) is given the state
 * file's absolute path, so that a restart counts what this follower
 * wrote (sink_journal.c says why that makes it exactly once).
 */
static void
open_sink(struct run *r, const struct options *o)
{
	static char instance[PATH_MAX + 1];
	enum sinks_kind kind = sinks_kind(o->output);
	struct sinks_opts so = {
	    .name = o->output,
	    .tag = o->tag,
	    .stop = &signals_stop,
	};

	if (sinks_missing(kind) != NULL)
		errx(EX_UNAVAILABLE, "--output %s: built without %s", o->output,
		    sinks_missing(kind));
	if (sinks_named(kind) && o->follow != NULL && o->state != NULL) {
		if (host_absolute_path(o->state, instance, sizeof(instance)) <
		    0)
			err(EX_OSERR, "%s", o->state);
		so.instance = instance;
	}
	if ((r->out = sinks_open(&so, &r->sink)) != NULL)
		return;
	if (kind == SINKS_JOURNAL)
		err(EX_UNAVAILABLE, "the journal");
	if (signals_stop)
		signals_die(signals_stop);
	errx(EX_CANTCREAT, "%s: %s", o->output, open_problem(errno));
}

/*
 * What this follower wrote before, read back from the sink (the journal's
 * count of its records) once the state file is locked: a dying instance
 * writes no more after it.
 */
static void
reconcile_sink(struct run *r)
{
	if (sinks_reconcile(r->out) < 0)
		err(EX_UNAVAILABLE,
		    "%s: cannot read back this follower's records",
		    sink_name(&r->sink));
}

/*
 * Signals, then the output (open(2) of a FIFO waits for its reader,
 * while a stop may come), then the pipeline writing to it.
 */
static void
start(struct run *r, const struct options *o, const char *host,
    const char *input)
{
	struct pipeline_opts po = {
	    .format = o->format,
	    .host = host,
	    .tag = o->tag,
	    .max_entry = o->max_entry,
	    .sel = o->sel,
	    .flush_timeout = o->flush_timeout,
	    .clock = &clock_system,
	    .late_ms = (int64_t)o->late_after * 1000,
	    .wall = &clock_wall,
	    .event = on_event,
	    .ctx = &r->diag,
	};

	signals_setup(&r->wait_mask);
	r->sig = (struct pipeline_signals){&signals_stop, &signals_hup,
	    &r->wait_mask};
	open_sink(r, o);
	diag_input_init(&r->diag, &clock_system, input);
	r->p = pipeline_new(&po, &r->sink);
	if (r->p == NULL)
		err(EX_OSERR, "pipeline");
}

/* Tells the sink (the journal names it) which input follows. */
static void
name_input(struct run *r, const char *path)
{
	if (sinks_input(r->out, path) < 0)
		err(EX_OSERR, "%s", sink_name(&r->sink));
}

/* Closes the sink and frees what start() made. */
static void
finish(struct run *r)
{
	if (sink_close(&r->sink) < 0)
		write_failed(&r->sink, errno);
	sinks_free(r->out);
	pipeline_free(r->p);
}

/*
 * Converts one input. Returns 0, or EX_NOINPUT when it could not be read
 * at all; read errors midway and write errors end the program.
 */
static int
convert_one(struct run *r, const char *path)
{
	const char *name = path;
	int fd = STDIN_FILENO;
	enum outcome st;
	struct stat sb;

	if (strcmp(path, "-") == 0) {
		name = "(standard input)";
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
	diag_input_name(&r->diag, name);
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		warnx("%s: is a directory", name);
		if (fd != STDIN_FILENO)
			close(fd);
		return EX_NOINPUT;
	}
	name_input(r, name);
	pipeline_input(r->p, fd, 0, 0, 0);
	st = pipeline_run(r->p, &r->sig);
	if (st == OUTCOME_READ_ERROR) {
		int e = errno;

		pipeline_end(r->p);
		sink_flush(&r->sink);
		errno = e;
		err(EX_IOERR, "read %s", name);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (st == OUTCOME_WRITE_ERROR)
		write_failed(&r->sink, sink_error(&r->sink));
	if (st == OUTCOME_STOPPED) {
		pipeline_end(r->p);
		if (sink_flush(&r->sink) < 0)
			write_failed(&r->sink, sink_error(&r->sink));
		signals_die(signals_stop);
	}
	return 0;
}

int
run_files(const struct options *o, const char *host)
{
	static char *const standard_input[] = {(char *)"-"};
	char *const *files = o->nfiles > 0 ? o->files : standard_input;
	int n = o->nfiles > 0 ? o->nfiles : 1;
	int status = 0;
	struct run r;

	start(&r, o, host, files[0]);
	for (int i = 0; i < n; i++) {
		if (convert_one(&r, files[i]) != 0)
			status = EX_NOINPUT;
	}
	if (o->verbose)
		summary(r.p);
	finish(&r);
	return status;
}

/*
 * The one call into follow mode's loop: 0 when stopped, 1 when the reader
 * of the output went away, -1 with errno if it could not start.
 */
static int
follow(struct run *r, const struct options *o, const char *host,
    struct follow_diag *fd, int *lock_fd)
{
	struct follow_opts fo = {
	    .path = o->follow,
	    .state_path = o->state,
	    .from_start = o->from_start,
	    .no_inotify = o->no_inotify,
	    .options = options_hash(o, host),
	    .sig = &r->sig,
	    .judge = o->late_after > 0,
	    .wall = &clock_wall,
	    .report = on_follow,
	    .ctx = fd,
	    .lock_fd = o->state != NULL ? lock_fd : NULL,
	};

	return follow_run(r->p, &r->sink, &fo);
}

void
run_follow(const struct options *o, const char *host)
{
	struct follow_diag fd = {.names = {.path = o->follow,
	                             .state = o->state},
	    .clock = &clock_system};
	char lock[PATH_MAX + 8];
	struct run r;
	long holder;
	int rc, lock_fd = -1;

	for (size_t i = 0; i < sizeof(fd.retry) / sizeof(fd.retry[0]); i++)
		diag_limit_init(&fd.retry[i]);
	start(&r, o, host, o->follow);
	/* One follower per state file, for its whole life: two would both
	 * write every entry. The lock is released by the exit. */
	if (o->state != NULL &&
	    (lock_fd = state_lock(o->state, FOLLOW_LOCK_WAIT_MS, &holder)) <
	        0) {
		int e = errno;

		if (state_lock_name(o->state, lock, sizeof(lock)) < 0)
			snprintf(lock, sizeof(lock), "%s.lock", o->state);
		errno = e;
		if (errno == EWOULDBLOCK && holder > 0)
			errx(EX_TEMPFAIL,
			    "state file %s is in use by process %ld (%s)",
			    o->state, holder, lock);
		if (errno == EWOULDBLOCK)
			errx(EX_TEMPFAIL, "state file %s is in use (%s)",
			    o->state, lock);
		err(EX_CANTCREAT, "cannot lock state file: %s", lock);
	}
	reconcile_sink(&r);
	name_input(&r, o->follow);
	fd.names.out = sink_name(&r.sink);
	rc = follow(&r, o, host, &fd, &lock_fd);
	if (rc < 0)
		err(EX_OSERR, "follow %s", o->follow);
	if (rc == 2)
		exit(EX_TEMPFAIL); /* another follower took the state file */
	if (o->verbose)
		summary(r.p);
	if (sink_error(&r.sink) == EINTR)
		stalled_note(&r.sink,
		    o->state != NULL ? "; the state was not moved past them"
		                     : "");
	if (rc == 1)
		exit(EX_OK); /* the reader went away, as in pipe mode */
	signals_die(signals_stop);
}

/* The journal's identity and size for the follower of o->state, as its
 * commit reads them back. */
static void
status_journal(const struct options *o, struct status_obs *obs)
{
	enum sinks_kind kind = sinks_kind(o->output);
	char instance[PATH_MAX + 1];
	struct sink_id id;

	if (sinks_missing(kind) != NULL)
		status_observe_journal(obs, NULL, ENOTSUP);
	else if (host_absolute_path(o->state, instance, sizeof(instance)) < 0 ||
	    sinks_identity_of(kind, instance, &id) < 0)
		status_observe_journal(obs, NULL, errno);
	else
		status_observe_journal(obs, &id, 0);
}

/* One look at the state, its lock, FILE and the output, decided. */
static void
status_look(const struct options *o, const char *out, int journal,
    const struct status_obs *first, struct status_obs *obs,
    struct status_report *rep)
{
	status_observe(o->state, o->follow, out, journal, &clock_wall, obs);
	if (journal)
		status_journal(o, obs);
	if (first != NULL)
		status_first_look(obs, first);
	status_decide(obs, status_stall_ms(o->flush_timeout), rep);
}

int
run_status(const struct options *o)
{
	enum sinks_kind kind = sinks_kind(o->output);
	int journal = sinks_named(kind);
	const char *out = kind != SINKS_STDOUT ? o->output : NULL;
	static struct status_obs obs, again;
	struct status_report rep;
	char text[8192];
	size_t n;

	status_look(o, journal ? NULL : out, journal, NULL, &obs, &rep);
	if (rep.again_ms > 0) {
		/* Bytes wait and the position is old, but the bytes may be
		 * new: a follower that runs has read them a bound later. */
		struct timespec ts = {(time_t)(rep.again_ms / 1000),
		    (long)(rep.again_ms % 1000) * 1000000};

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		status_look(o, journal ? NULL : out, journal, &obs, &again,
		    &rep);
		obs = again;
	}
	n = status_format(&obs, &rep, o->state, o->follow, out, text,
	    sizeof(text));
	if (fwrite(text, 1, n, stdout) != n || fflush(stdout) != 0)
		err(EX_IOERR, "standard output");
	return status_exit(rep.verdict);
}
