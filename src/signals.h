/*
 * signals: the program's handlers for SIGTERM, SIGINT, SIGHUP, SIGALRM
 * and SIGPIPE, and the flags they set. The loops see the flags through
 * the pointers they are given (struct pipeline_signals).
 */
#ifndef KERIO2SYSLOG_SIGNALS_H
#define KERIO2SYSLOG_SIGNALS_H

#include <signal.h>

/* The stop signal's number once one came (0 before); 1 after SIGHUP. */
extern volatile sig_atomic_t signals_stop, signals_hup;

/*
 * Installs the handlers and blocks SIGHUP; *wait_mask is the mask for
 * ppoll(2), under which SIGHUP, SIGTERM, SIGINT and SIGALRM come in.
 */
void signals_setup(sigset_t *wait_mask);

/* Dies by sig, as an unhandled one would. */
void signals_die(int sig) __attribute__((noreturn));

#endif
