/*
 * fuzz_convert: the whole path of pipe and file mode (reader, joiner,
 * select, format, output) on a memory file, in both stamp formats, with
 * small buffers and a small cap chosen from a hash of the input.
 *
 * Checked on the output: every line is "STAMP HOST TAG: MSG" with a
 * well-formed stamp of the format, MSG holds no raw control byte nor the
 * bytes of U+0085, U+2028, U+2029, MSG is no longer than the cap allows,
 * the output ends with a LF, and there is one line per entry written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "pipeline.h"
#include "select.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOST "fuzzhost"
#define TAG "kerio"

static struct select *sel;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];
	long at;

	(void)argc;
	(void)argv;
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	sel = select_new();
	if (sel == NULL ||
	    select_add(sel, 1, "^Found virus|\\x00", err, sizeof(err), &at) < 0)
		abort();
	return 0;
}

static uint32_t
fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 'd' takes a digit, 's' a space or a digit, anything else itself. */
static int
fits(char pat, char c)
{
	if (pat == 'd')
		return is_digit(c);
	if (pat == 's')
		return is_digit(c) || c == ' ';
	return c == pat;
}

/* Checks text against a pattern: 'd' a digit, 's' a space or a digit. */
static int
shaped(const char *text, const char *pat)
{
	for (size_t i = 0; pat[i] != '\0'; i++) {
		if (!fits(pat[i], text[i]))
			return 0;
	}
	return 1;
}

/* Length of the stamp at the start of line (len bytes), 0 if malformed. */
static size_t
stamp_ok(const char *line, size_t len, enum stamp_format f)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	if (f == STAMP_BSD) {
		if (len < 15 || !shaped(line + 3, " sd dd:dd:dd"))
			return 0;
		for (size_t m = 0; m < 36; m += 3) {
			if (memcmp(line, months + m, 3) == 0)
				return 15;
		}
		return 0;
	}
	if (len < 25 || !shaped(line, "dddd-dd-ddTdd:dd:dd") ||
	    (line[19] != '+' && line[19] != '-') || !shaped(line + 20, "dd:dd"))
		return 0;
	return 25;
}

/*
 * The fewest input bytes msg can stand for: each "#ooo" may be one
 * escaped byte (a '#' in the input is written as it is).
 */
static size_t
raw_min(const char *msg, size_t n)
{
	size_t raw = 0;

	for (size_t i = 0; i < n; raw++) {
		if (msg[i] == '#' && n - i >= 4 && msg[i + 1] >= '0' &&
		    msg[i + 1] <= '3' && msg[i + 2] >= '0' &&
		    msg[i + 2] <= '7' && msg[i + 3] >= '0' && msg[i + 3] <= '7')
			i += 4;
		else
			i++;
	}
	return raw;
}

static void
check_output(const char *out, size_t n, enum stamp_format f, size_t max,
    uint64_t written)
{
	static const char head[] = " " HOST " " TAG ": ";
	uint64_t lines = 0;

	if (n > 0 && out[n - 1] != '\n')
		abort();
	while (n > 0) {
		const char *nl = memchr(out, '\n', n);
		size_t len = (size_t)(nl - out), s;
		const unsigned char *m;
		size_t mlen;

		lines++;
		s = stamp_ok(out, len, f);
		if (s == 0 || len - s < sizeof(head) - 1 ||
		    memcmp(out + s, head, sizeof(head) - 1) != 0)
			abort();
		m = (const unsigned char *)out + s + sizeof(head) - 1;
		mlen = len - s - (sizeof(head) - 1);
		for (size_t i = 0; i < mlen; i++) {
			if (m[i] < 0x20 || m[i] == 0x7f)
				abort();
			if (m[i] == 0xc2 && i + 1 < mlen && m[i + 1] == 0x85)
				abort();
			if (m[i] == 0xe2 && i + 2 < mlen && m[i + 1] == 0x80 &&
			    (m[i + 2] == 0xa8 || m[i + 2] == 0xa9))
				abort();
		}
		if (raw_min((const char *)m, mlen) > max)
			abort();
		out += len + 1;
		n -= len + 1;
	}
	if (lines != written)
		abort();
}

static void
run(const uint8_t *data, size_t size, enum stamp_format f, uint32_t h)
{
	volatile sig_atomic_t stop = 0;
	struct pipeline_signals sig = {&stop, NULL, NULL};
	struct pipeline_opts co = {
	    .format = f,
	    .host = HOST,
	    .tag = TAG,
	    .max_entry = (h & 3) == 0 ? 16384 : 1 + (h >> 2) % 150,
	    .sel = (h >> 10) % 4 == 0 ? sel : NULL,
	    .flush_timeout = 1000,
	    .read_cap = 64 + (h >> 20) % 300,
	};
	struct pipeline_counts n;
	struct pipeline *c;
	struct output *o;
	struct sink s;
	struct stat sb;
	char path[64];
	char *got;
	int in, out;

	in = memfd_create("fuzz_in", MFD_CLOEXEC);
	out = memfd_create("fuzz_out", MFD_CLOEXEC);
	if (in < 0 || out < 0)
		abort();
	if (size > 0 && write(in, data, size) != (ssize_t)size)
		abort();
	if (lseek(in, 0, SEEK_SET) != 0)
		abort();
	/* The real output_open, on the memory file. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", out);
	if ((o = output_new(path, 0)) == NULL)
		abort();
	output_sink(o, &s);
	if ((c = pipeline_new(&co, &s)) == NULL)
		abort();
	pipeline_input(c, in, 0, 0, 0);
	if (pipeline_run(c, &sig) != OUTCOME_EOF)
		abort();
	if (sink_close(&s) < 0 || fstat(out, &sb) < 0)
		abort();
	pipeline_counts(c, &n);
	got = malloc((size_t)sb.st_size + 1);
	if (got == NULL ||
	    pread(out, got, (size_t)sb.st_size, 0) != (ssize_t)sb.st_size)
		abort();
	check_output(got, (size_t)sb.st_size, f, co.max_entry, n.written);
	if (n.written + n.excluded != n.entries)
		abort();
	free(got);
	output_free(o);
	pipeline_free(c);
	close(in);
	close(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t h = fnv1a(data, size);

	run(data, size, STAMP_BSD, h);
	run(data, size, STAMP_RFC3339, h);
	return 0;
}
