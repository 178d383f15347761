/*
 * select: patterns work on bytes, not UTF-8 characters, because Kerio
 * logs whatever bytes a client sent and an invalid sequence must neither
 * fail a match nor hide an entry.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "select.h"

#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

struct pattern_list {
	pcre2_code **code;
	size_t n;
};

struct select {
	struct pattern_list match, exclude;
	pcre2_match_data *md;
};

struct select *
select_new(void)
{
	return calloc(1, sizeof(struct select));
}

static void
list_free(struct pattern_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		pcre2_code_free(l->code[i]);
	free(l->code);
	l->code = NULL;
	l->n = 0;
}

void
select_free(struct select *s)
{
	if (s == NULL)
		return;
	list_free(&s->match);
	list_free(&s->exclude);
	pcre2_match_data_free(s->md);
	free(s);
}

int
select_add(struct select *s, int exclude, const char *pattern, char *err,
    size_t errlen, long *offset)
{
	struct pattern_list *l = exclude ? &s->exclude : &s->match;
	pcre2_code **grown;
	pcre2_code *code;
	PCRE2_SIZE at;
	int rc;

	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &rc,
	    &at, NULL);
	if (code == NULL) {
		if (errlen > 0)
			pcre2_get_error_message(rc, (PCRE2_UCHAR *)err, errlen);
		*offset = (long)at;
		errno = EINVAL;
		return -1;
	}
	/* Without JIT (some architectures) the interpreter does the work. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	/* An array of pointers: sizeof(*grown) is meant to be a pointer's.
	 * NOLINTNEXTLINE(bugprone-sizeof-expression) */
	grown = realloc(l->code, (l->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		pcre2_code_free(code);
		*offset = -1;
		return -1;
	}
	l->code = grown;
	l->code[l->n++] = code;
	if (s->md == NULL) {
		s->md = pcre2_match_data_create(1, NULL);
		if (s->md == NULL) {
			*offset = -1;
			return -1;
		}
	}
	return 0;
}

static int
any_matches(struct select *s, const struct pattern_list *l, const char *msg,
    size_t len)
{
	for (size_t i = 0; i < l->n; i++) {
		if (pcre2_match(l->code[i], (PCRE2_SPTR)msg, len, 0, 0, s->md,
		        NULL) >= 0)
			return 1;
	}
	return 0;
}

int
select_wants(struct select *s, const char *msg, size_t len)
{
	if (s->match.n > 0 && !any_matches(s, &s->match, msg, len))
		return 0;
	return !any_matches(s, &s->exclude, msg, len);
}

int
select_is_empty(const struct select *s)
{
	return s->match.n == 0 && s->exclude.n == 0;
}
