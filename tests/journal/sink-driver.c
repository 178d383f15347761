/*
 * sink-driver: writes lines to the journal through the journal sink's
 * struct sink_ops and struct sink_durable, with a commit as follow mode
 * takes one, until kerio2syslog's --output journal is wired (then the
 * tests can run the binary instead).
 *
 * usage: sink-driver [-s STATE] [-d USEC] [-i INSTANCE] [-t TAG] FILE
 *
 * FILE holds kerio2syslog --format rfc3339 output ("STAMP HOST TAG:
 * MESSAGE", one entry a line), converted in the zone TZ names; each line
 * becomes one record, its Kerio time read back from the stamp. With -s,
 * the driver commits as follow mode does: after a few lines (1 to 7, at
 * random), the input position (a line number) and the sink's size, less
 * what it still has to skip, are saved in STATE (written aside, then
 * renamed); a start with STATE replays from the line saved and skips the
 * surplus, the sink's size now less the size saved. kill -9 it anywhere:
 * every line is in the journal once, in order. -d sleeps USEC after each
 * line. FILE "-" is standard input, a line written as soon as it comes
 * (contrib/bench/bench-ban-latency.sh pipes a follower into it). With -s, "count N" on standard output: the instance's records
 * found in the journal at the start, then "skip K" if it skips K > 0.
 * Exit 0 at the end of FILE, 1 on a failure (said on stderr).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "sink_journal.h"

/* The saved commit: the next line to write and the sink's size. */
static int
load(const char *path, long *line, off_t *size)
{
	FILE *f = fopen(path, "r");
	intmax_t s;
	int ok;

	if (f == NULL) {
		if (errno != ENOENT)
			err(1, "%s", path);
		*line = 0;
		*size = 0;
		return 0;
	}
	ok = fscanf(f, "%ld %jd", line, &s) == 2;
	fclose(f);
	if (!ok)
		errx(1, "%s: not a commit", path);
	*size = (off_t)s;
	return 1;
}

static void
save(const char *path, long line, off_t size)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		err(1, "%s", tmp);
	fprintf(f, "%ld %jd\n", line, (intmax_t)size);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		err(1, "%s", path);
}

static void
commit(const struct sink *s, const char *state, long line)
{
	struct sink_id id;

	if (s->ops->flush(s->impl) < 0)
		err(1, "flush");
	if (s->durable->identity(s->impl, &id) != 1)
		errx(1, "the journal sink has no identity");
	save(state, line, id.size - s->durable->skipping(s->impl));
}

/* The stamp and message of one converted line; -1 if malformed. */
static int
parse(const char *l, size_t len, struct stamp *st, size_t *msg_at)
{
	const char *p, *end = l + len;

	if (len < 20 ||
	    sscanf(l, "%4d-%2d-%2dT%2d:%2d:%2d", &st->year, &st->mon, &st->mday,
	        &st->hour, &st->min, &st->sec) != 6)
		return -1;
	/* After the stamp and the host, the tag ends at ": ". */
	if ((p = memchr(l, ' ', len)) == NULL ||
	    (p = memchr(p + 1, ' ', (size_t)(end - p - 1))) == NULL)
		return -1;
	for (p++; p + 1 < end; p++)
		if (p[0] == ':' && p[1] == ' ') {
			*msg_at = (size_t)(p + 2 - l);
			return 0;
		}
	return -1;
}

int
main(int argc, char **argv)
{
	struct sink_journal_opts o = {
	    .tag = "kerio",
	    .clock = &clock_system,
	};
	const char *state = NULL, *path;
	struct sink_journal *j;
	struct sink s;
	struct stamp st;
	struct sink_entry e;
	struct stat sb;
	char *line = NULL, *p;
	size_t cap = 0, half;
	ssize_t len;
	long at = 0, n = 0, next = 0;
	off_t saved = 0, off = 0;
	useconds_t delay = 0;
	FILE *in;
	int c;

	while ((c = getopt(argc, argv, "d:i:s:t:")) != -1) {
		switch (c) {
		case 'd':
			delay = (useconds_t)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			o.instance = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 't':
			o.tag = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc || (state != NULL && o.instance == NULL))
		errx(2,
		    "usage: sink-driver [-s STATE -i INSTANCE] [-d USEC]"
		    " [-t TAG] FILE");
	path = argv[optind];
	in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (in == NULL || fstat(fileno(in), &sb) < 0)
		err(1, "%s", path);
	if (!S_ISREG(sb.st_mode))
		sb.st_dev = sb.st_ino = 0;
	srand((unsigned)getpid());
	o.reconcile = state != NULL;
	if ((j = sink_journal_open(&o)) == NULL)
		err(1, "the journal");
	if (sink_journal_input(j, path) < 0)
		err(1, "sink_journal_input");
	sink_journal_sink(j, &s);
	if (state != NULL)
		printf("count %" PRIu64 "\n", sink_journal_count(j));
	if (state != NULL && load(state, &at, &saved) &&
	    (off_t)sink_journal_count(j) > saved) {
		printf("skip %jd\n", (intmax_t)sink_journal_count(j) - saved);
		s.durable->skip(s.impl, (off_t)sink_journal_count(j) - saved);
	}
	/* Said before a kill can come. */
	fflush(stdout);
	while ((len = getline(&line, &cap, in)) > 0) {
		e.start = off;
		off += len;
		if (n++ < at)
			continue;
		if (parse(line, (size_t)len, &st, &e.msg_at) < 0)
			errx(1, "%s:%ld: not a converted line", path, n);
		e.stamp = &st;
		/* Late as kerio2syslog judged it: its mark (format.h). */
		e.late = (size_t)len - e.msg_at >= FORMAT_LATE_MARK_LEN &&
		    memcmp(line + e.msg_at, FORMAT_LATE_MARK,
		        FORMAT_LATE_MARK_LEN) == 0;
		e.dev = sb.st_dev;
		e.ino = sb.st_ino;
		/* Every third line in two pieces, as a cut entry arrives. */
		half = n % 3 == 0 ? (size_t)len / 2 : 0;
		if (half > 0) {
			if ((p = s.ops->reserve(s.impl, half)) == NULL)
				err(1, "reserve");
			memcpy(p, line, half);
			s.ops->commit(s.impl, half, NULL);
		}
		if ((p = s.ops->reserve(s.impl, (size_t)len - half)) == NULL)
			err(1, "reserve");
		memcpy(p, line + half, (size_t)len - half);
		s.ops->commit(s.impl, (size_t)len - half, &e);
		if (s.ops->error(s.impl) != 0) {
			errno = s.ops->error(s.impl);
			err(1, "%s:%ld: the journal", path, n);
		}
		if (state != NULL && n >= next) {
			commit(&s, state, n);
			next = n + 1 + rand() % 7;
		}
		if (delay > 0)
			usleep(delay);
	}
	if (ferror(in))
		err(1, "%s", path);
	if (state != NULL)
		commit(&s, state, n);
	if (s.ops->close(s.impl) < 0)
		err(1, "the journal");
	sink_journal_free(j);
	free(line);
	if (in != stdin)
		fclose(in);
	return 0;
}
