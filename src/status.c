/*
 * status: follow mode's state as an administrator reads it. Where reading
 * goes on is summarised by status_start_decide() (see status.h): the
 * follower's own rule (rotation_pick) finds more, so "resumes" here is
 * exact, and "moved" may still resume exactly.
 */
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "watch.h"

/* 1 if the file at path holds the bytes the state saw before its
 * position (watch_fits: follow mode's rule); its size into *size. */
static int
fits_saved(const char *path, const struct state *s, off_t *size)
{
	struct stat sb;
	int fd, ok = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb) == 0) {
		*size = sb.st_size;
		ok = watch_fits(fd, sb.st_size, s->pos, s->hash, s->hash_len);
	}
	close(fd);
	return ok;
}

enum status_start
status_start_decide(const struct status_start_obs *o)
{
	if (o->have_state) {
		if (o->path_exists && o->path_is_saved)
			return o->path_fits ? STATUS_START_RESUME
			                    : STATUS_START_TRUNCATED;
		if (o->found_rotated && o->rotated_fits)
			return STATUS_START_ROTATED;
		return o->path_exists ? STATUS_START_BEGIN : STATUS_START_WAIT;
	}
	if (!o->path_exists)
		return STATUS_START_WAIT;
	return o->from_start ? STATUS_START_BEGIN : STATUS_START_END;
}

void
status_observe(const char *state_path, const char *path, const char *out_path,
    struct status_obs *o)
{
	struct status_start_obs *so = &o->start;
	struct stat sb;
	char dir[4096];

	memset(o, 0, sizeof(*o));
	o->loaded = state_load(state_path, &o->s);
	o->load_errno = o->loaded == STATE_ERROR ? errno : 0;
	if (o->loaded == STATE_OK && stat(state_path, &sb) == 0)
		o->saved_at = sb.st_mtime;
	so->have_state = o->loaded == STATE_OK && o->s.have_input;
	/* As the follower: a state saved while waiting for FILE reads it
	 * from its start. */
	so->from_start = o->loaded == STATE_OK && !o->s.have_input;
	if (path != NULL && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		so->path_exists = 1;
		o->path_dev = sb.st_dev;
		o->path_ino = sb.st_ino;
		o->path_size = sb.st_size;
	}
	if (so->have_state && path != NULL && so->path_exists &&
	    o->path_dev == o->s.in_dev && o->path_ino == o->s.in_ino) {
		so->path_is_saved = 1;
		so->path_fits = fits_saved(path, &o->s, &o->path_size);
	} else if (so->have_state && path != NULL &&
	    rotation_dirname(path, dir, sizeof(dir)) == 0 &&
	    rotation_find(dir, o->s.in_dev, o->s.in_ino, o->rotated,
	        sizeof(o->rotated)) == 1) {
		so->found_rotated = 1;
		so->rotated_fits =
		    fits_saved(o->rotated, &o->s, &o->rotated_size);
	}
	if (out_path != NULL) {
		o->have_out_path = 1;
		if (stat(out_path, &sb) == 0) {
			o->out_exists = 1;
			o->out_dev = sb.st_dev;
			o->out_ino = sb.st_ino;
			o->out_size = sb.st_size;
		}
	}
}

void
status_decide(const struct status_obs *o, struct status_report *r)
{
	const struct status_start_obs *so = &o->start;

	memset(r, 0, sizeof(*r));
	r->behind = -1;
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
	r->start = status_start_decide(so);
	switch (r->start) {
	case STATUS_START_RESUME:
		r->behind = o->path_size - o->s.pos;
		break;
	case STATUS_START_ROTATED:
		r->behind = o->rotated_size - o->s.pos +
		    (so->path_exists ? o->path_size : 0);
		break;
	case STATUS_START_BEGIN:
	case STATUS_START_TRUNCATED:
		r->behind = o->path_size;
		break;
	case STATUS_START_END:
	case STATUS_START_WAIT:
		break;
	}
	if (o->have_out_path && o->s.have_out)
		r->out_moved = !o->out_exists || o->out_dev != o->s.out_dev ||
		    o->out_ino != o->s.out_ino || o->out_size < o->s.out_size;
	if (!o->s.have_input)
		r->verdict = STATUS_WAITING;
	else if (r->start == STATUS_START_RESUME && !r->out_moved)
		r->verdict = STATUS_RESUMES;
	else
		r->verdict = STATUS_MOVED;
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

static const char *
verdict_text(const struct status_report *r)
{
	switch (r->verdict) {
	case STATUS_RESUMES:
		return "ok: the state fits the input and the output";
	case STATUS_MOVED:
		break;
	case STATUS_WAITING:
		return "waiting: the state was saved while the input was"
		       " missing; it is read from its start";
	case STATUS_NO_STATE:
		return "no state file: follow mode has not saved one yet";
	case STATUS_BAD:
		return "the state file is not usable; follow mode will not"
		       " use it";
	case STATUS_ERROR:
		return "the state file cannot be read";
	}
	switch (r->start) {
	case STATUS_START_ROTATED:
		return "moved: the input was rotated since the state was"
		       " saved; the old file is finished first";
	case STATUS_START_TRUNCATED:
		return "moved: the input was truncated or rewritten since the"
		       " state was saved; it is read from its start";
	case STATUS_START_BEGIN:
		return "moved: the input is another file than the one saved;"
		       " it is read from its start";
	case STATUS_START_WAIT:
		return "moved: the input is missing";
	case STATUS_START_RESUME:
	case STATUS_START_END:
		break;
	}
	return "moved: the output is not the file saved, or is shorter";
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

size_t
status_format(const struct status_obs *o, const struct status_report *r,
    const char *state_path, const char *path, const char *out_path, char *buf,
    size_t cap)
{
	struct text t = {buf, cap, 0};
	const struct state *s = &o->s;
	struct tm tm;
	char when[64];

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	put(&t, "%-11s %s\n", "status:", verdict_text(r));
	put(&t, "%-11s %s", "state:", state_path);
	if (o->loaded != STATE_OK) {
		put(&t, ": %s", state_status_text(o->loaded));
		if (o->loaded == STATE_ERROR)
			put(&t, " (%s)", strerror(o->load_errno));
		put(&t, "\n");
		return t.len;
	}
	if (localtime_r(&o->saved_at, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm) > 0)
		put(&t, ", saved %s", when);
	put(&t, "\n");
	if (!s->have_input) {
		file_line(&t, "input:", path, o->start.path_exists, o->path_dev,
		    o->path_ino);
		if (r->behind >= 0)
			put(&t, "%-11s %jd bytes\n",
			    "behind:", (intmax_t)r->behind);
	} else if (r->start == STATUS_START_ROTATED) {
		file_line(&t, "input:", path, o->start.path_exists, o->path_dev,
		    o->path_ino);
		put(&t,
		    "%-11s %jd of %jd bytes of %s, the saved file (device"
		    " %ju, inode %ju) under its new name\n",
		    "position:", (intmax_t)s->pos, (intmax_t)o->rotated_size,
		    o->rotated, (uintmax_t)s->in_dev, (uintmax_t)s->in_ino);
	} else {
		file_line(&t, "input:", path, o->start.path_exists, o->path_dev,
		    o->path_ino);
		put(&t, "%-11s %jd", "position:", (intmax_t)s->pos);
		if (r->start == STATUS_START_RESUME)
			put(&t, " of %jd bytes\n", (intmax_t)o->path_size);
		else
			put(&t, " in the saved file (device %ju, inode %ju)\n",
			    (uintmax_t)s->in_dev, (uintmax_t)s->in_ino);
	}
	if (s->have_input && r->behind >= 0)
		put(&t, "%-11s %jd bytes\n", "behind:", (intmax_t)r->behind);
	if (s->have_stamp)
		put(&t, "%-11s %04d-%02d-%02d %02d:%02d:%02d (Kerio's clock)\n",
		    "last entry:", s->stamp.year, s->stamp.mon, s->stamp.mday,
		    s->stamp.hour, s->stamp.min, s->stamp.sec);
	else
		put(&t, "%-11s none recorded\n", "last entry:");
	if (!s->have_out) {
		put(&t, "%-11s %s, none saved (standard output?)\n",
		    "output:", out_path != NULL ? out_path : "(not given)");
		return t.len;
	}
	put(&t, "%-11s %s (device %ju, inode %ju), %jd bytes committed",
	    "output:", out_path != NULL ? out_path : "(not given)",
	    (uintmax_t)s->out_dev, (uintmax_t)s->out_ino,
	    (intmax_t)s->out_size);
	if (o->out_exists && !r->out_moved)
		put(&t, ", %jd now", (intmax_t)o->out_size);
	else if (o->have_out_path && !o->out_exists)
		put(&t, "; missing now");
	else if (o->out_exists && o->out_dev == s->out_dev &&
	    o->out_ino == s->out_ino)
		put(&t, "; only %jd now", (intmax_t)o->out_size);
	else if (o->out_exists)
		put(&t, "; now another file (inode %ju, %jd bytes)",
		    (uintmax_t)o->out_ino, (intmax_t)o->out_size);
	put(&t, "\n");
	return t.len;
}
