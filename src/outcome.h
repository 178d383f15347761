/*
 * outcome: what a loop's step came to, one type for every loop.
 */
#ifndef KERIO2SYSLOG_OUTCOME_H
#define KERIO2SYSLOG_OUTCOME_H

enum outcome {
	OUTCOME_IDLE,        /* nothing came: wait for more */
	OUTCOME_PROGRESS,    /* bytes came; more may be there */
	OUTCOME_EOF,         /* the input ended; all of it is converted */
	OUTCOME_STOPPED,     /* a stop signal; the pending entry not written */
	OUTCOME_READ_ERROR,  /* reading failed: errno says why */
	OUTCOME_WRITE_ERROR, /* writing failed: sink_error() says why */
};

#endif
