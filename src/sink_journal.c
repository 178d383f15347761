/*
 * sink_journal: the systemd journal as a sink.
 *
 * One record per entry, sent on a socket of the sink's own, connected to
 * journald's native socket (journal_send.c: one datagram, whole or not
 * at all). A record journald's socket did not take (the socket missing,
 * nobody listening on it) is an error: it is not counted, the sink fails
 * as a file that cannot be written fails, and follow mode holds and
 * starts again from its last commit (follow.c). Its fields:
 *   MESSAGE                the line's message part (escaped as in a file)
 *   SYSLOG_IDENTIFIER      the tag
 *   SYSLOG_FACILITY=10     authpriv: a security log
 *   PRIORITY=5             notice, as logger(1) writes by default
 *   KERIO_TIME             the entry's Kerio stamp, RFC 3339 with offset
 *   KERIO_INPUT            the input path as given
 *   KERIO2SYSLOG=1         our mark (forgeable: the jail pins _UID too)
 *   KERIO2SYSLOG_INSTANCE  the writer (follow mode: its state file)
 *   KERIO2SYSLOG_POS       DEV:INO:OFFSET of the entry's first input line
 *   KERIO2SYSLOG_SEQ       this record's number among the instance's
 *   KERIO2SYSLOG_LATE      1 if the entry is late (format.c's rule, the
 *                          one of every route; its MESSAGE then starts
 *                          with the same mark as a file's line), else 0:
 *                          fail2ban dates a journal record by its arrival
 *                          (it cannot be told another time: journald
 *                          replaces a client's _SOURCE_REALTIME_TIMESTAMP),
 *                          so the journal jail takes only KERIO2SYSLOG_LATE=0
 * The last three are left out without an instance (file mode).
 *
 * Exactly once. The journal cannot be truncated or rewritten, but follow
 * mode's commit needs of its output only an identity and a size that
 * grows by what is written, and a skip that drops what a replay writes
 * again (commit.c's argument, written once there). To the commit this
 * sink is an append-only file of records: its identity is a fixed mark
 * for "the journal, this instance" (dev JOURNAL_DEV, ino a hash of the
 * instance), its size the count of records the instance has in the
 * journal, which is the sequence number of the last one, and skip(n)
 * drops the next n records. A commit saves the count S; a restart
 * replays from the commit's input position and drops (count now - S)
 * records, as it drops bytes past S for a file. The count "now" is read
 * back at open, and it must include every record sent before the crash:
 * journald takes the datagrams of one socket in order, so the sink first
 * sends a marker record with a fresh nonce (KERIO2SYSLOG_OPEN, without
 * KERIO2SYSLOG=1, so no jail reads it), waits (bounded) until it can read
 * the marker back, and only then reads the last record of the instance:
 * every record sent before the marker is in the journal by then. Only
 * records of our own _UID count: any local user can write a record with
 * our instance and a huge sequence number, which would make a restart
 * drop real entries. A replay writes records identical to the ones it
 * drops (same input, same commit), so what is dropped is what is there.
 *
 * What this does not cover: records journald itself loses (its rate
 * limit; journald killed with datagrams still queued on its socket;
 * vacuuming that removes the last record of ours: the count read is then
 * lower than S, the commit sees a shrunk output and drops nothing, so
 * entries after S are written again).
 */
#include "sink_journal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION

#include "journal_read.h"
#include "journal_send.h"
#include "libsd.h"

/* The identity's device: "KJ" (0x4b4a), no real device number's shape. */
#define JOURNAL_DEV ((dev_t)0x4b4a4b4a4b4aULL)

struct sink_journal {
	char *buf;       /* SINK_JOURNAL_ROOM bytes of room, then the line */
	size_t len, cap; /* of the line */
	uint64_t count;  /* records of the instance in the journal */
	off_t skip;      /* records still to drop */
	int err;
	int sock;       /* connected to journald (journal_send), or -1 */
	char *socket;   /* journald's socket, NULL: JOURNAL_SEND_SOCKET */
	char *ident;    /* "SYSLOG_IDENTIFIER=tag" */
	char *instance; /* "KERIO2SYSLOG_INSTANCE=..." or NULL */
	char *input;    /* "KERIO_INPUT=..." */
	ino_t mark;     /* identity's inode: the instance's hash */
	struct stamp_renderer r;
};

static char *
field(const char *name, const char *value)
{
	size_t a = strlen(name), b = strlen(value);
	char *s = malloc(a + b + 1);

	if (s != NULL)
		snprintf(s, a + b + 1, "%s%s", name, value);
	return s;
}

static void
put(struct sink_journal_record *rec, const char *s, size_t len)
{
	/* journal_send only reads the fields: iov_base is not const. */
	rec->iov[rec->n].iov_base = (void *)s;
	rec->iov[rec->n].iov_len = len;
	rec->n++;
}

#define PUT_LIT(rec, s) put(rec, s, sizeof(s) - 1)

static void
put_str(struct sink_journal_record *rec, const char *s)
{
	put(rec, s, strlen(s));
}

/* The field's name, put in front of the message part (no NUL). */
static const char msg_field[SINK_JOURNAL_ROOM] = {'M', 'E', 'S', 'S', 'A', 'G',
    'E', '='};

void
sink_journal_record(struct sink_journal *j, char *line, size_t len,
    const struct sink_entry *e, uint64_t seq, struct sink_journal_record *rec)
{
	size_t at = e->msg_at < len ? e->msg_at : len, tl;
	const char *t;
	int k;

	if (len > at && line[len - 1] == '\n')
		len--;
	memcpy(line + at - SINK_JOURNAL_ROOM, msg_field, sizeof(msg_field));
	rec->n = 0;
	put(rec, line + at - SINK_JOURNAL_ROOM, len - at + SINK_JOURNAL_ROOM);
	put_str(rec, j->ident);
	PUT_LIT(rec, "SYSLOG_FACILITY=10");
	PUT_LIT(rec, "PRIORITY=5");
	t = stamp_render(&j->r, e->stamp, &tl);
	k = snprintf(rec->time, sizeof(rec->time), "KERIO_TIME=%.*s", (int)tl,
	    t);
	put(rec, rec->time, (size_t)k);
	put_str(rec, j->input);
	PUT_LIT(rec, "KERIO2SYSLOG=1");
	if (j->instance == NULL)
		return;
	put_str(rec, j->instance);
	k = snprintf(rec->pos, sizeof(rec->pos), "KERIO2SYSLOG_POS=%ju:%ju:%jd",
	    (uintmax_t)e->dev, (uintmax_t)e->ino, (intmax_t)e->start);
	put(rec, rec->pos, (size_t)k);
	k = snprintf(rec->seq, sizeof(rec->seq), "KERIO2SYSLOG_SEQ=%" PRIu64,
	    seq);
	put(rec, rec->seq, (size_t)k);
	k = snprintf(rec->late, sizeof(rec->late), "KERIO2SYSLOG_LATE=%d",
	    e->late != 0);
	put(rec, rec->late, (size_t)k);
}

static char *
j_reserve(void *impl, size_t n)
{
	struct sink_journal *j = impl;
	size_t cap;
	char *b;

	if (j->err != 0) {
		errno = j->err;
		return NULL;
	}
	if (j->cap - j->len < n) {
		cap = j->cap * 2 > j->len + n ? j->cap * 2 : j->len + n;
		b = realloc(j->buf, SINK_JOURNAL_ROOM + cap);
		if (b == NULL) {
			j->err = errno;
			return NULL;
		}
		j->buf = b;
		j->cap = cap;
	}
	return j->buf + SINK_JOURNAL_ROOM + j->len;
}

static void
j_commit(void *impl, size_t n, const struct sink_entry *e)
{
	struct sink_journal *j = impl;
	struct sink_journal_record rec;

	j->len += n;
	if (e == NULL || j->err != 0)
		return;
	if (j->skip > 0) {
		j->skip--;
	} else {
		sink_journal_record(j, j->buf + SINK_JOURNAL_ROOM, j->len, e,
		    j->count + 1, &rec);
		if (journal_send(&j->sock, j->socket, rec.iov, rec.n) < 0)
			j->err = errno;
		else
			j->count++;
	}
	j->len = 0;
}

/* Records leave at commit: nothing is ever buffered. */
static int
j_flush(void *impl)
{
	struct sink_journal *j = impl;

	if (j->err != 0) {
		errno = j->err;
		return -1;
	}
	return 0;
}

static int
j_reopen(void *impl)
{
	return j_flush(impl);
}

static int
j_identity(void *impl, struct sink_id *id)
{
	struct sink_journal *j = impl;

	if (j->instance == NULL)
		return 0;
	id->dev = JOURNAL_DEV;
	id->ino = j->mark;
	id->size = (off_t)j->count;
	return 1;
}

static size_t
j_pending(void *impl)
{
	(void)impl;
	return 0;
}

static int
j_error(void *impl)
{
	return ((struct sink_journal *)impl)->err;
}

static void
j_clear(void *impl)
{
	struct sink_journal *j = impl;

	j->len = 0;
	j->err = 0;
}

static void
j_skip(void *impl, off_t n)
{
	((struct sink_journal *)impl)->skip = n;
}

static off_t
j_skipping(void *impl)
{
	return ((struct sink_journal *)impl)->skip;
}

static const char *
j_name(void *impl)
{
	(void)impl;
	return "the journal";
}

/* The journal has no name to move, cannot be torn, is never renamed. */
static int
j_moved(void *impl)
{
	(void)impl;
	return 0;
}

static void
j_guard(void *impl, int on)
{
	(void)impl;
	(void)on;
}

static off_t
j_torn_tail(void *impl, off_t within)
{
	(void)impl;
	(void)within;
	return 0;
}

static off_t
j_rotated(void *impl, const struct sink_id *was, off_t *torn)
{
	(void)impl;
	(void)was;
	*torn = 0;
	return -1;
}

static const struct sink_ops journal_ops = {
    .reserve = j_reserve,
    .commit = j_commit,
    .flush = j_flush,
    .close = j_flush,
    .error = j_error,
    .name = j_name,
    .pending = j_pending,
    .clear = j_clear,
};

static const struct sink_durable journal_durable = {
    .identity = j_identity,
    .skip = j_skip,
    .skipping = j_skipping,
    .reopen = j_reopen,
    .moved = j_moved,
    .guard = j_guard,
    .torn_tail = j_torn_tail,
    .rotated = j_rotated,
};

void
sink_journal_sink(struct sink_journal *j, struct sink *s)
{
	s->ops = &journal_ops;
	s->durable = &journal_durable;
	s->impl = j;
}

int
sink_journal_input(struct sink_journal *j, const char *path)
{
	char *s = field("KERIO_INPUT=", path);

	if (s == NULL)
		return -1;
	free(j->input);
	j->input = s;
	return 0;
}

uint64_t
sink_journal_count(const struct sink_journal *j)
{
	return j->count;
}

/* FNV-1a, 64 bits: the instance's mark. */
static ino_t
hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (ino_t)h;
}

/* The last record's count of instance field inst, of our own _UID, once
 * marker is read back (NULL: what is there now). */
static int
read_count(const char *inst, const char *marker, const struct clock *clock,
    int wait_ms, uint64_t *count)
{
	const char *matches[3];
	char uid[32];

	snprintf(uid, sizeof(uid), "_UID=%ju", (uintmax_t)geteuid());
	matches[0] = inst;
	matches[1] = "KERIO2SYSLOG=1";
	matches[2] = uid;
	return journal_read_count(marker, matches, 3, "KERIO2SYSLOG_SEQ",
	    clock != NULL ? clock : &clock_system,
	    wait_ms > 0 ? wait_ms : SINK_JOURNAL_WAIT_MS, count);
}

int
sink_journal_identity_of(const char *instance, struct sink_id *id)
{
	uint64_t count;
	char *inst = field("KERIO2SYSLOG_INSTANCE=", instance);
	int r;

	if (inst == NULL)
		return -1;
	r = read_count(inst, NULL, NULL, 0, &count);
	free(inst);
	if (r < 0)
		return -1;
	id->dev = JOURNAL_DEV;
	id->ino = hash(instance);
	id->size = (off_t)count;
	return 0;
}

int
sink_journal_reconcile(struct sink_journal *j, const struct clock *clock,
    int wait_ms)
{
	unsigned char rnd[12];
	char nonce[64];
	struct iovec iov[5];
	size_t i;
	int r;

	if (j->instance == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	r = snprintf(nonce, sizeof(nonce), "KERIO2SYSLOG_OPEN=%jd-",
	    (intmax_t)getpid());
	for (i = 0; i < sizeof(rnd); i++)
		r += snprintf(nonce + r, sizeof(nonce) - (size_t)r, "%02x",
		    rnd[i]);
	iov[0].iov_base = (char *)"MESSAGE=journal sink opened";
	iov[0].iov_len = strlen(iov[0].iov_base);
	iov[1].iov_base = j->ident;
	iov[1].iov_len = strlen(j->ident);
	iov[2].iov_base = (char *)"PRIORITY=7";
	iov[2].iov_len = strlen(iov[2].iov_base);
	iov[3].iov_base = j->instance;
	iov[3].iov_len = strlen(j->instance);
	iov[4].iov_base = nonce;
	iov[4].iov_len = (size_t)r;
	if (journal_send(&j->sock, j->socket, iov, 5) < 0)
		return -1;
	return read_count(j->instance, nonce, clock, wait_ms, &j->count);
}

struct sink_journal *
sink_journal_open(const struct sink_journal_opts *o)
{
	struct sink_journal *j = calloc(1, sizeof(*j));
	int e;

	if (o->tag == NULL) {
		free(j);
		errno = EINVAL;
		return NULL;
	}
	if (libsd_load() < 0) {
		free(j);
		return NULL;
	}
	if (j == NULL)
		return NULL;
	j->sock = -1;
	stamp_renderer_init(&j->r, STAMP_RFC3339);
	j->cap = 4096;
	j->buf = malloc(SINK_JOURNAL_ROOM + j->cap);
	j->ident = field("SYSLOG_IDENTIFIER=", o->tag);
	j->input = field("KERIO_INPUT=", "-");
	if (o->socket != NULL && (j->socket = strdup(o->socket)) == NULL)
		goto fail;
	if (o->instance != NULL) {
		j->instance = field("KERIO2SYSLOG_INSTANCE=", o->instance);
		j->mark = hash(o->instance);
	}
	if (j->buf == NULL || j->ident == NULL || j->input == NULL ||
	    (o->instance != NULL && j->instance == NULL))
		goto fail;
	if (o->reconcile && sink_journal_reconcile(j, o->clock, o->wait_ms) < 0)
		goto fail;
	return j;
fail:
	e = errno;
	sink_journal_free(j);
	errno = e;
	return NULL;
}

void
sink_journal_free(struct sink_journal *j)
{
	if (j == NULL)
		return;
	journal_send_close(&j->sock);
	free(j->buf);
	free(j->ident);
	free(j->instance);
	free(j->input);
	free(j->socket);
	free(j);
}
