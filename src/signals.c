/*
 * signals: the handlers and the flags they set, for the whole program.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

volatile sig_atomic_t signals_stop, signals_hup;

/*
 * SIGTERM and SIGINT are never blocked, and no handler restarts a system
 * call: a write(2) to a stalled pipe or an open(2) returns EINTR. A stop
 * that lands between the check of signals_stop and the call that blocks
 * is caught by SIGALRM, armed here and then every second until the end, so
 * no blocking call outlives a stop by more than a second (output.c gives
 * a stalled output up on the second interruption without progress).
 * SIGHUP stays blocked except inside ppoll(2).
 */
static void
on_signal(int sig)
{
	if (sig == SIGHUP) {
		signals_hup = 1;
		return;
	}
	if (!signals_stop)
		alarm(1);
	signals_stop = sig;
}

static void
on_alarm(int sig)
{
	(void)sig;
	if (signals_stop)
		alarm(1);
}

void
signals_setup(sigset_t *wait_mask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: see on_signal */
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* SIGHUP: blocked but inside ppoll(2), so that none slips past a
	 * check; it waits while a write or open blocks. */
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGHUP);
	sigdelset(wait_mask, SIGALRM);
}

void
signals_die(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	exit(128 + sig);
}
