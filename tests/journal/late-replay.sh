#!/bin/bash
# The journal route through the crash that tears a file's replay when an
# entry grows late between its write and the restart (tests/follow's
# late_replay): a real kerio2syslog --follow --output journal, into a
# private journald (lib.sh), killed by strace at its second save of the
# state (the write-ahead record of the tenth entry's timeout flush), after
# the first nine were sent fresh; entries 11..20 written while it is
# down, stamped as the first ten; the restart once all are older than
# --late-after (6 s, by the real clock), then ten fresh entries.  The
# journal's replay drops a count of records, one per entry whatever its
# MESSAGE, so it was exact before W was saved too; what this proves is
# that the restart sends each entry once, the first nine as they were
# (KERIO2SYSLOG_LATE=0), every later one up to 20 judged at the restart
# (1, and the mark in MESSAGE), and 21..30 fresh (0).
#
# usage: late-replay.sh path/to/kerio2syslog
K2S=$(realpath -e "$1") || exit 64
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init
need strace

LATE=6
LOG=$T/security.log
STATE=$T/journal.state
export TZ=UTC

# gen_at EPOCH FIRST LAST: entries FIRST..LAST stamped at EPOCH.
gen_at()
{
	local i kerio
	kerio=$(LC_ALL=C date -d "@$1" '+[%d/%b/%Y %H:%M:%S]')
	for ((i = $2; i <= $3; i++)); do
		printf '%s seq=%07d Failed SMTP login from 192.0.2.%d\n' \
		    "$kerio" "$i" $((i % 250))
	done >>"$LOG"
}
# follower [WRAPPER...]: a follower of LOG into the journal, in journald's
# namespace, behind WRAPPER; PID the process to wait for.
follower()
{
	(exec nsenter -t "$JD_PID" -m -- "$@" "$K2S" --follow "$LOG" \
	    --state "$STATE" --from-start --flush-timeout 100 \
	    --late-after "$LATE" --output journal) 2>>"$T/k2s.err" &
	PID=$!
}
# seqs: the sequence numbers sent, in journal order.
seqs()
{
	journalctl -D "$JD_DIR" -q -o cat KERIO2SYSLOG=1 |
	    grep -o 'seq=[0-9]*' | cut -d= -f2 | sed 's/^0*//'
}
# have N: entry N was sent.
have() { seqs | grep -qx "$1"; }

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi
PID=
CLEANUP="[ -n \"\$PID\" ] && kill -9 \$PID 2>/dev/null; $CLEANUP"

t0=$(($(date +%s) - 1))
gen_at "$t0" 1 10
follower strace -f -qq -o /dev/null -P "$STATE.tmp" -e trace=rename \
    -e inject=rename:signal=KILL:when=2
wait_until 20 eval "! kill -0 $PID 2>/dev/null" ||
    not_ok "the first run was not killed at its second save"
wait "$PID" 2>/dev/null
first=$(seqs | xargs)
check "the first run sent 1..9, fresh, and was killed before its save" \
    "1 2 3 4 5 6 7 8 9 / 0 0 0 0 0 0 0 0 0" \
    "$first / $(jd_field KERIO2SYSLOG_LATE KERIO2SYSLOG=1 | xargs)"
gen_at "$t0" 11 20
wait_until 20 eval "[ \$(date +%s) -ge $((t0 + LATE + 2)) ]"
follower
wait_until 20 have 20 || not_ok "entries 11..20 not sent within 20 s"
gen_at "$(date +%s)" 21 30
wait_until 20 have 30 || not_ok "entries 21..30 not sent within 20 s"
kill "$PID"
wait "$PID" 2>/dev/null
PID=
check "each entry once, in order" "$(seq 1 30 | xargs)" "$(seqs | xargs)"
check "late: the first nine as sent, then the restart's judgement" \
    "0 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 0" \
    "$(jd_field KERIO2SYSLOG_LATE KERIO2SYSLOG=1 | xargs)"
check "the mark in MESSAGE of the late ones" 11 \
    "$(journalctl -D "$JD_DIR" -q -o cat KERIO2SYSLOG_LATE=1 |
    grep -c '^\[late\] seq=')"
jd_stop
f2b_finish
