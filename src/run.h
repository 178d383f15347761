/*
 * run: the program's modes once the options are parsed: pipe and file
 * mode, follow mode and --status. These print and exit as main would:
 * they are the program's, not the library's.
 */
#ifndef KERIO2SYSLOG_RUN_H
#define KERIO2SYSLOG_RUN_H

#include "options.h"

/*
 * --follow reads a regular file: something else under the name ends the
 * program (EX_NOINPUT); a missing file is waited for later.
 */
void run_check_follow(const char *path);

/*
 * Pipe and file mode: converts o->files in turn, or standard input if
 * none, into o->output with host as the host field. Returns the exit
 * status: 0, or EX_NOINPUT when an input could not be read at all; a
 * read error midway, a write error or a stop signal end the program.
 */
int run_files(const struct options *o, const char *host);

/*
 * Follow mode: runs until SIGTERM or SIGINT, then dies by that signal
 * once the pending entry is written and the state saved; exits 0 when
 * the reader of standard output went away.
 */
void run_follow(const struct options *o, const char *host)
    __attribute__((noreturn));

/* --status: prints what the state says of the files; the exit status. */
int run_status(const struct options *o);

#endif
