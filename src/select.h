/*
 * select: which entries are written, by PCRE2 --match and --exclude.
 */
#ifndef KERIO2SYSLOG_SELECT_H
#define KERIO2SYSLOG_SELECT_H

#include <stddef.h>

struct select;

/* Returns an empty selection (writes everything), or NULL with errno. */
struct select *select_new(void);

void select_free(struct select *s);

/*
 * Compiles pattern (JIT where available) as a --match (exclude 0) or an
 * --exclude (exclude 1). On a bad pattern returns -1 and fills err (at
 * most errlen bytes) with PCRE2's message and *offset with the offset of
 * the error in the pattern. On memory exhaustion returns -1, *offset -1.
 */
int select_add(struct select *s, int exclude, const char *pattern, char *err,
    size_t errlen, long *offset);

/*
 * 1 if the message (len bytes, unescaped) is to be written: it matches
 * some --match, or there is none, and no --exclude.
 */
int select_wants(struct select *s, const char *msg, size_t len);

/* 1 if no pattern was added: every entry is written. */
int select_is_empty(const struct select *s);

#endif
