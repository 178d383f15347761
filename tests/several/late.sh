#!/bin/bash
# A late backlog in CrowdSec's live mode: the real crowdsec agent (with its
# local API, loopback port 20550) follows a file of kerio2syslog's lines
# with the shipped acquisition and collection, as on a server.
#
# Live mode counts a line when it arrives, not at its own time: its
# buckets leak on the wall clock (only replay mode, -dsn, leaks on the
# lines' stamps).  So a backlog that kerio2syslog catches up after an hour
# down, 8 failures of one client spread over that hour (one every 7.5
# minutes: no bucket overflows on their own times), arrives as a burst and
# overflows kerio-bf.  kerio2syslog marks such an entry "[late] " after
# its tag, and the parser takes no line with the mark.  The test writes
# three things to the followed file, in order:
#   - the backlog with the mark: no decision;
#   - the same backlog of another client without the mark (what the lines
#     were before the mark): its decision or none is printed as a note,
#     the trap the mark avoids;
#   - a fresh burst of 6 failures of a third client: a decision; once it
#     is there, the agent has read every line before it.
#
# usage: late.sh path/to/kerio2syslog cache-dir
. "$(dirname "$0")/lib.sh"
several_init "$@"
cs_package

PORT=20550
LATE=198.51.100.21
UNMARKED=198.51.100.22
FRESH=198.51.100.23
BAN_WAIT=60   # seconds the fresh burst's decision may take at most

cs_config "$T/cs" "$PORT"
cs_register "$T/cs"
: >"$T/keriosecurity.log"
cs_acquire "$T/cs" "$T/keriosecurity.log"
bg_start agent "$T/cs/agent.out" "$CROWDSEC" -c "$T/cs/config.yaml" -no-capi
wait_until 60 has_open "$agent" "$T/keriosecurity.log" ||
    { not_ok "crowdsec did not open the file: $(tail -3 "$T/cs/log/crowdsec.log")"; f2b_finish; }

# line AGO MARK MESSAGE: one of kerio2syslog's rfc3339 lines, dated AGO
# seconds ago, with MARK ("[late] " or nothing) after the tag.
line()
{
	printf '%s mail kerio: %s%s\n' \
	    "$(date -d "@$(($(date +%s) - $1))" '+%Y-%m-%dT%H:%M:%S%:z')" \
	    "$2" "$3"
}
# backlog MARK ADDRESS: 8 failures over the last hour, oldest first.
backlog()
{
	local i
	for ((i = 8; i >= 1; i--)); do
		line $((i * 450)) "$1" "Failed SMTP login from $2 with SASL method LOGIN."
	done
}
{
	backlog '[late] ' "$LATE"
	backlog '' "$UNMARKED"
	for i in 1 2 3 4 5 6; do
		line 0 '' "Failed IMAP login from $FRESH, user admin, invalid password"
	done
} >>"$T/keriosecurity.log"

decided()
{
	cs_decisions "$T/cs" | grep -x -- "$1" >/dev/null
}
if wait_until "$BAN_WAIT" decided "$FRESH"; then
	ok "a fresh burst of 6 failures: decision on $FRESH"
else
	not_ok "no decision on the fresh burst ($FRESH) within $BAN_WAIT s: $(tail -3 "$T/cs/log/crowdsec.log")"
fi
decisions=$(cs_decisions "$T/cs" | tr '\n' ' ')
if decided "$LATE"; then
	not_ok "the late backlog (8 failures marked [late] over an hour) drew a decision: $decisions"
else
	ok "the late backlog (8 failures marked [late] over an hour) drew no decision"
fi
if decided "$UNMARKED"; then
	echo "note: live mode counts by arrival: the same backlog without the mark drew a decision"
else
	echo "note: the same backlog without the mark drew no decision"
fi

f2b_finish
