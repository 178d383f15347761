/*
 * status: follow mode's state as an administrator reads it (status.h).
 * Where reading would start is follow mode's own decision: the start
 * decision and the pick among the same files (follow_start_decide,
 * watch_pick_start), so "resumes" here is what a start would do.
 */
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "commit.h"
#include "follow.h"
#include "watch.h"

int64_t
status_stall_ms(int flush_timeout)
{
	return (int64_t)flush_timeout + ROTATION_TICK_MS + COMMIT_INTERVAL_MS +
	    STATUS_STALL_MARGIN_MS;
}

static int64_t
ms_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/* FILE and its rotated files, and where a start would read: as follow
 * mode's start (fl_start) decides it. */
static void
observe_input(struct status_obs *o, const char *path, const struct clock *c)
{
	struct follow_start_obs so = {0};
	struct watch *w = watch_new(path, 0, c);
	char name[PATH_MAX];
	struct stat sb;
	size_t n;

	if (w == NULL)
		return;
	o->have_path = 1;
	n = watch_scan(w);
	/* The follower's own rule, for a start without --from-start from
	 * the state saved. */
	so.s = o->loaded == STATE_OK ? &o->s : NULL;
	so.path_exists = watch_path_index(w, n) >= 0;
	o->start = follow_start_decide(&so).d;
	if (o->start == ROTATION_START_PICK)
		watch_pick_start(w, n, &o->s, &o->pick);
	o->n = n;
	for (size_t i = 0; i < n; i++) {
		o->files[i] = *watch_file(w, i);
		snprintf(name, sizeof(name), "%s/%s", watch_dir(w),
		    o->files[i].name);
		if (o->files[i].is_path)
			snprintf(name, sizeof(name), "%s", path);
		if (stat(name, &sb) == 0 && ms_of(&sb.st_mtim) > o->input_ms)
			o->input_ms = ms_of(&sb.st_mtim);
	}
	snprintf(o->dir, sizeof(o->dir), "%s", watch_dir(w));
	watch_free(w);
}

void
status_observe(const char *state_path, const char *path, const char *out_path,
    int out_journal, const struct clock *wall, struct status_obs *o)
{
	struct stat sb;

	memset(o, 0, sizeof(*o));
	o->now_ms = clock_now(wall);
	o->loaded = state_load(state_path, &o->s);
	o->load_errno = o->loaded == STATE_ERROR ? errno : 0;
	if (o->loaded == STATE_OK && stat(state_path, &sb) == 0)
		o->saved_ms = ms_of(&sb.st_mtim);
	o->running = state_lock_held(state_path, &o->holder);
	if (state_lock_name(state_path, o->lock, sizeof(o->lock)) < 0)
		snprintf(o->lock, sizeof(o->lock), "%s.lock", state_path);
	if (path != NULL)
		observe_input(o, path, wall);
	o->out_journal = out_journal;
	if (out_path != NULL || out_journal) {
		o->have_out_path = 1;
		if (!out_journal && stat(out_path, &sb) == 0) {
			o->out_exists = 1;
			o->out.dev = sb.st_dev;
			o->out.ino = sb.st_ino;
			o->out.size = sb.st_size;
		}
	}
}

void
status_observe_journal(struct status_obs *o, const struct sink_id *id, int err)
{
	o->out_errno = err;
	o->out_exists = err == 0;
	if (err == 0)
		o->out = *id;
}

void
status_first_look(struct status_obs *o, const struct status_obs *first)
{
	o->first_ms = first->now_ms;
	o->first_saved_ms = first->saved_ms;
}

/* The bytes a start reads up to the end of FILE: the rest of the file it
 * starts in and every readable file after it; -1 if it waits. */
static off_t
behind(const struct status_obs *o)
{
	off_t sum = 0;

	switch (o->start) {
	case ROTATION_START_WAIT:
		return -1;
	case ROTATION_START_END:
		return 0;
	case ROTATION_START_BEGIN:
		return o->n > 0 ? o->files[o->n - 1].size : -1;
	case ROTATION_START_PICK:
		break;
	}
	if (o->pick.at < 0)
		return -1;
	for (size_t i = (size_t)o->pick.at; i < o->n; i++)
		if (!o->files[i].age.compressed)
			sum += o->files[i].size;
	return o->pick.resume ? sum - o->s.pos : sum;
}

/* 1 if a start resumes at the saved position in FILE itself. */
static int
resumes_in_path(const struct status_obs *o)
{
	return o->have_path && o->start == ROTATION_START_PICK &&
	    o->pick.at >= 0 && o->pick.resume && o->files[o->pick.at].is_path;
}

void
status_decide(const struct status_obs *o, int64_t stall_ms,
    struct status_report *r)
{
	int64_t still;

	memset(r, 0, sizeof(*r));
	r->behind = -1;
	r->stall_ms = stall_ms;
	switch (o->loaded) {
	case STATE_OK:
		break;
	case STATE_ABSENT:
		r->verdict = STATUS_NO_STATE;
		return;
	case STATE_FOREIGN:
	case STATE_TORN:
		r->verdict = STATUS_BAD;
		return;
	case STATE_ERROR:
		r->verdict = STATUS_ERROR;
		return;
	}
	if (o->have_path)
		r->behind = behind(o);
	/* The journal unread: not judged. */
	if (o->have_out_path && o->s.have_out && o->out_errno == 0)
		r->out_moved = !o->out_exists || o->out.dev != o->s.out_dev ||
		    o->out.ino != o->s.out_ino || o->out.size < o->s.out_size;
	if (!o->s.have_input)
		r->verdict = STATUS_WAITING;
	else if (resumes_in_path(o) && !r->out_moved)
		r->verdict = STATUS_RESUMES;
	else
		r->verdict = STATUS_MOVED;
	if (o->running == 0) {
		r->verdict = STATUS_NOT_RUNNING;
		return;
	}
	still = o->now_ms - o->saved_ms;
	r->still_ms = still;
	if (r->behind <= 0 || still <= stall_ms)
		return;
	/* Bytes wait and the position is old. Stalled if those bytes have
	 * waited the bound too: all older than it, or already there at a
	 * first look a bound ago, the position unmoved since. */
	if (o->now_ms - o->input_ms > stall_ms ||
	    (o->first_ms != 0 && o->first_saved_ms == o->saved_ms &&
	        o->now_ms - o->first_ms >= stall_ms))
		r->verdict = STATUS_STALLED;
	else if (o->first_ms == 0)
		r->again_ms = stall_ms;
}

int
status_exit(enum status_verdict v)
{
	switch (v) {
	case STATUS_RESUMES:
		return 0;
	case STATUS_MOVED:
	case STATUS_WAITING:
		return 1;
	case STATUS_STALLED:
		return 2;
	case STATUS_NOT_RUNNING:
		return 3;
	case STATUS_NO_STATE:
		return EX_NOINPUT;
	case STATUS_BAD:
		return EX_DATAERR;
	case STATUS_ERROR:
		break;
	}
	return EX_IOERR;
}

/* Appends to a text that is cut, never overrun, when it is full. */
struct text {
	char *buf;
	size_t cap, len;
};

static void put(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < t->cap - t->len ? (size_t)n
		                                      : t->cap - t->len - 1;
}

static void
verdict_text(struct text *t, const struct status_obs *o,
    const struct status_report *r)
{
	switch (r->verdict) {
	case STATUS_RESUMES:
		put(t, "ok: the state fits the input and the output");
		return;
	case STATUS_MOVED:
		break;
	case STATUS_WAITING:
		put(t,
		    "waiting: the state was saved while the input was"
		    " missing; it is read from its start");
		return;
	case STATUS_STALLED:
		put(t,
		    "stalled: %jd bytes wait unread and the position has not"
		    " moved for %jd s (follow mode needs %jd s at most)",
		    (intmax_t)r->behind, (intmax_t)(r->still_ms / 1000),
		    (intmax_t)(r->stall_ms / 1000));
		return;
	case STATUS_NOT_RUNNING:
		put(t, "not running: no process holds the state file's lock %s",
		    o->lock);
		return;
	case STATUS_NO_STATE:
		put(t, "no state file: follow mode has not saved one yet");
		return;
	case STATUS_BAD:
		put(t,
		    "the state file is not usable; follow mode will not"
		    " use it");
		return;
	case STATUS_ERROR:
		put(t, "the state file cannot be read");
		return;
	}
	if (r->out_moved && resumes_in_path(o))
		put(t,
		    "moved: the output is not the file saved, or is"
		    " shorter");
	else if (o->start == ROTATION_START_WAIT || o->pick.at < 0)
		put(t, "moved: the input is missing");
	else if (o->pick.resume)
		put(t,
		    "moved: the input was rotated since the state was"
		    " saved; the old file is finished first");
	else
		put(t,
		    "moved: the input is not the file saved, or was"
		    " truncated or rewritten; it is read from its start");
}

static void
file_line(struct text *t, const char *what, const char *path, int known,
    dev_t dev, ino_t ino)
{
	put(t, "%-11s %s", what, path != NULL ? path : "(not given)");
	if (known)
		put(t, " (device %ju, inode %ju)", (uintmax_t)dev,
		    (uintmax_t)ino);
	put(t, "\n");
}

/* Where a start would read, in follow mode's words. */
static void
start_line(struct text *t, const struct status_obs *o, const char *path)
{
	char msg[1536];

	if (!o->have_path)
		return;
	if (o->start == ROTATION_START_PICK)
		rotation_pick_text(o->files, &o->pick, path, o->dir, o->s.pos,
		    msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "%s", rotation_start_text(o->start));
	put(t, "%-11s %s\n", "start:", msg);
}

static void
follower_line(struct text *t, const struct status_obs *o)
{
	if (o->running == 1 && o->holder > 0)
		put(t, "%-11s running (process %ld)\n", "follower:", o->holder);
	else if (o->running == 1)
		put(t, "%-11s running\n", "follower:");
	else if (o->running == 0)
		put(t, "%-11s not running\n", "follower:");
	else
		put(t, "%-11s cannot tell (%s)\n", "follower:", o->lock);
}

static void
position_line(struct text *t, const struct status_obs *o)
{
	const struct state *s = &o->s;
	const struct rotation_file *x =
	    o->start == ROTATION_START_PICK && o->pick.at >= 0 && o->pick.resume
	    ? &o->files[o->pick.at]
	    : NULL;

	if (!s->have_input)
		return;
	if (x != NULL && x->is_path)
		put(t, "%-11s %jd of %jd bytes\n",
		    "position:", (intmax_t)s->pos, (intmax_t)x->size);
	else if (x != NULL)
		put(t,
		    "%-11s %jd of %jd bytes of %s/%s, the saved file (device"
		    " %ju, inode %ju) under its new name\n",
		    "position:", (intmax_t)s->pos, (intmax_t)x->size, o->dir,
		    x->name, (uintmax_t)s->in.dev, (uintmax_t)s->in.ino);
	else
		put(t, "%-11s %jd in the saved file (device %ju, inode %ju)\n",
		    "position:", (intmax_t)s->pos, (uintmax_t)s->in.dev,
		    (uintmax_t)s->in.ino);
}

static void
output_line(struct text *t, const struct status_obs *o,
    const struct status_report *r, const char *out_path)
{
	const struct state *s = &o->s;
	const char *unit = o->out_journal ? "records" : "bytes";

	if (!s->have_out) {
		put(t, "%-11s %s, none saved (standard output?)\n",
		    "output:", out_path != NULL ? out_path : "(not given)");
		return;
	}
	put(t, "%-11s %s (device %ju, inode %ju), %jd %s committed",
	    "output:", out_path != NULL ? out_path : "(not given)",
	    (uintmax_t)s->out_dev, (uintmax_t)s->out_ino, (intmax_t)s->out_size,
	    unit);
	if (o->out_errno != 0)
		put(t, "; cannot be read now (%s)", strerror(o->out_errno));
	else if (o->out_exists && !r->out_moved)
		put(t, ", %jd now", (intmax_t)o->out.size);
	else if (o->have_out_path && !o->out_exists)
		put(t, "; missing now");
	else if (o->out_exists && o->out.dev == s->out_dev &&
	    o->out.ino == s->out_ino)
		put(t, "; only %jd now", (intmax_t)o->out.size);
	else if (o->out_exists)
		put(t, "; now another (inode %ju, %jd %s)",
		    (uintmax_t)o->out.ino, (intmax_t)o->out.size, unit);
	put(t, "\n");
}

size_t
status_format(const struct status_obs *o, const struct status_report *r,
    const char *state_path, const char *path, const char *out_path, char *buf,
    size_t cap)
{
	struct text t = {buf, cap, 0};
	const struct state *s = &o->s;
	const struct rotation_file *p =
	    o->n > 0 && o->files[o->n - 1].is_path ? &o->files[o->n - 1] : NULL;
	time_t saved = (time_t)(o->saved_ms / 1000);
	struct tm tm;
	char when[64];

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	put(&t, "%-11s ", "status:");
	verdict_text(&t, o, r);
	put(&t, "\n");
	follower_line(&t, o);
	put(&t, "%-11s %s", "state:", state_path);
	if (o->loaded != STATE_OK) {
		put(&t, ": %s", state_status_text(o->loaded));
		if (o->loaded == STATE_ERROR)
			put(&t, " (%s)", strerror(o->load_errno));
		put(&t, "\n");
		return t.len;
	}
	if (localtime_r(&saved, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm) > 0)
		put(&t, ", saved %s", when);
	put(&t, "\n");
	file_line(&t, "input:", path, p != NULL, p != NULL ? p->dev : 0,
	    p != NULL ? p->ino : 0);
	position_line(&t, o);
	start_line(&t, o, path);
	if (r->behind >= 0)
		put(&t, "%-11s %jd bytes\n", "behind:", (intmax_t)r->behind);
	if (s->have_stamp)
		put(&t, "%-11s %04d-%02d-%02d %02d:%02d:%02d (Kerio's clock)\n",
		    "last entry:", s->stamp.year, s->stamp.mon, s->stamp.mday,
		    s->stamp.hour, s->stamp.min, s->stamp.sec);
	else
		put(&t, "%-11s none recorded\n", "last entry:");
	output_line(&t, o, r, out_path);
	return t.len;
}
