/*
 * watch_files: which file holds what (watch.h): the rotated files of the
 * input's directory, the observe step that tells which holds the saved
 * bytes, the file read before, the copies copytruncate made. Why the
 * files are read in this order: the head of commit.c.
 */
#include "watch.h"
#include "watch_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

size_t
watch_scan(struct watch *w)
{
	int n = rotation_scan(w->dir, w->path, w->path_link, w->files,
	    ROTATION_MAX_FILES + 1);

	return n < 0 ? 0 : (size_t)n;
}

const struct rotation_file *
watch_file(const struct watch *w, size_t i)
{
	return &w->files[i];
}

long
watch_path_index(const struct watch *w, size_t n)
{
	return n > 0 && w->files[n - 1].is_path ? (long)n - 1 : -1;
}

/* 1 if x holds the bytes before pos that hash to (h, len): the rule. */
static int
bytes_fit(const struct watch *w, const struct rotation_file *x, off_t pos,
    uint64_t h, size_t len)
{
	int fd, ok;

	if (x->size < pos || (fd = watch_open_file(w, x)) < 0)
		return 0;
	ok = watch_fits(fd, x->size, pos, h, len);
	close(fd);
	return ok;
}

/* 1 if x is the file f: its identity, and its first bytes if it had any. */
static int
same_file(const struct watch *w, const struct rotation_file *x,
    const struct state_file *f)
{
	if (x->dev != f->dev || x->ino != f->ino)
		return 0;
	return f->hash_len == 0 ||
	    bytes_fit(w, x, (off_t)f->hash_len, f->hash, f->hash_len);
}

/* 1 if x is among the files the commit had seen. */
static int
was_seen(const struct watch *w, const struct rotation_file *x)
{
	for (size_t k = 0; k < w->n_seen; k++)
		if (same_file(w, x, &w->seen[k]))
			return 1;
	return 0;
}

/* x as a commit records it: its identity and the hash of its first bytes
 * (none if it cannot be read: then its identity alone). */
static void
file_id(const struct watch *w, const struct rotation_file *x,
    struct state_file *f)
{
	off_t len = x->size < STATE_HASH_SPAN ? x->size : STATE_HASH_SPAN;
	int fd;

	f->dev = x->dev;
	f->ino = x->ino;
	f->hash_len = 0;
	f->hash = 0;
	if ((fd = watch_open_file(w, x)) >= 0) {
		if (state_hash_fd(fd, len, &f->hash, &f->hash_len) < 0)
			f->hash_len = 0;
		close(fd);
	}
}

void
watch_observe(struct watch *w, size_t n, dev_t dev, ino_t ino, off_t pos,
    uint64_t h, size_t len, int by_content)
{
	for (size_t i = 0; i < n; i++) {
		struct rotation_file *x = &w->files[i];

		x->is_saved = x->dev == dev && x->ino == ino;
		x->fits = 0;
		if (!x->age.compressed &&
		    (x->is_saved || (by_content && len > 0)))
			x->fits = bytes_fit(w, x, pos, h, len);
		x->is_prev = 0;
		if (w->have_prev && w->prev.hash_len == 0)
			x->is_prev =
			    x->dev == w->prev.dev && x->ino == w->prev.ino;
		else if (w->have_prev)
			x->is_prev = bytes_fit(w, x, (off_t)w->prev.hash_len,
			    w->prev.hash, w->prev.hash_len);
		x->made_since = w->have_seen && !was_seen(w, x);
	}
}

void
watch_observe_open(struct watch *w, size_t n)
{
	/* Its identity is sure while it is open: at 0 as far as its bytes
	 * go. */
	watch_observe(w, n, w->dev, w->ino, 0, state_hash("", 0), 0, 0);
}

void
watch_pick(const struct watch *w, size_t n, int done, int unproven,
    struct rotation_pick *p)
{
	rotation_pick(w->files, n, done, unproven, w->have_seen, p);
}

void
watch_pick_start(struct watch *w, size_t n, const struct state *s,
    struct rotation_pick *p)
{
	watch_set_prev(w, s);
	watch_observe(w, n, s->in.dev, s->in.ino, s->pos, s->in.hash,
	    s->in.hash_len, 1);
	/* A state of version 2 or later (with options) records the file
	 * read before, version 3 the files seen: at offset 0 they tell the
	 * copies made since. */
	watch_pick(w, n, 0, s->in.hash_len == 0 && s->have_options, p);
}

void
watch_note_prev(struct watch *w, size_t n, size_t at, long prev_at)
{
	struct state_file seen[STATE_SEEN_MAX];
	size_t m = 0;

	memset(seen, 0, sizeof(seen));
	w->have_prev = prev_at >= 0;
	w->prev_sure = 1;
	if (prev_at >= 0)
		file_id(w, &w->files[prev_at], &w->prev);
	/* Those named older were read or passed over (rotation_pick), and
	 * so were those seen before (a copy named older is read before
	 * them); a file made later is not among them. */
	for (size_t i = 0; i < n && m < STATE_SEEN_MAX; i++)
		if (i < at ||
		    (i > at && w->have_seen && was_seen(w, &w->files[i])))
			file_id(w, &w->files[i], &seen[m++]);
	w->have_seen = 1;
	w->n_seen = m;
	memcpy(w->seen, seen, m * sizeof(seen[0]));
}

void
watch_get_prev(const struct watch *w, struct state *s)
{
	s->have_prev = w->have_prev;
	s->prev = w->prev;
	s->have_seen = w->have_seen;
	s->n_seen = w->n_seen;
	memcpy(s->seen, w->seen, w->n_seen * sizeof(w->seen[0]));
}

void
watch_set_prev(struct watch *w, const struct state *s)
{
	w->have_prev = s->have_prev;
	w->prev_sure = s->have_options;
	w->prev = s->prev;
	w->have_seen = s->have_seen;
	w->n_seen = s->have_seen ? s->n_seen : 0;
	memcpy(w->seen, s->seen, w->n_seen * sizeof(w->seen[0]));
}

long
watch_find_copy_at_zero(struct watch *w, size_t n)
{
	struct rotation_pick p;
	int prev_seen = 0;

	if (!w->prev_sure)
		return -1;
	watch_observe(w, n, w->dev, w->ino, 0, state_hash("", 0), 0, 0);
	for (size_t i = 0; i < n; i++)
		prev_seen |= w->files[i].is_prev;
	/* The file read before gone too: which are copies is not known,
	 * unless the files seen say. */
	if (w->have_prev && !prev_seen && !w->have_seen)
		return -1;
	rotation_pick(w->files, n, 0, 1, w->have_seen, &p);
	return p.at >= 0 && p.content ? p.at : -1;
}

long
watch_find_copy(struct watch *w, size_t n, off_t off)
{
	struct rotation_pick p;

	if (recent_len(&w->tail) == 0)
		return -1;
	watch_observe(w, n, w->dev, w->ino, off, recent_hash(&w->tail),
	    recent_len(&w->tail), 1);
	rotation_pick(w->files, n, 0, 0, w->have_seen, &p);
	if (p.at >= 0 && p.resume && !w->files[p.at].is_saved)
		return p.at;
	return -1;
}

/* 1 if the open file is among the rotated names and a readable one newer
 * than it is there: it was rotated (twice, the path not made again yet). */
int
watch_newer_exists(struct watch *w)
{
	size_t n = watch_scan(w);
	long at = -1;

	for (size_t i = 0; i < n; i++)
		if (w->files[i].dev == w->dev && w->files[i].ino == w->ino)
			at = (long)i;
	for (size_t i = (size_t)(at + 1); at >= 0 && i < n; i++)
		if (!w->files[i].age.compressed)
			return 1;
	return 0;
}
