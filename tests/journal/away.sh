#!/bin/bash
# kerio2syslog --follow --output journal while journald is away: stopped and
# its socket removed (missing: a client's send finds no file), then a socket
# file that nobody listens on (refusing), then journald started again.
# Entries written meanwhile must not be counted as sent: the follower says
# the journal cannot be written, holds, and once journald is back the
# journal holds every entry once, in order (KERIO2SYSLOG_SEQ 1..N).  Before
# the sink owned its socket, sd_journal_sendv dropped the records sent
# while the socket was missing and said nothing.  Then --status -o journal
# reads the journal's count back as the commit does: ok while the follower
# runs, not running once it stopped.
#
# usage: away.sh path/to/kerio2syslog
K2S=$(realpath -e "$1") || exit 64
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi
SOCK=$JD_ROOT/run/journal/socket
LOG=$T/security.log
ST=$T/state
ERR=$T/follower.err
: >"$LOG"

# append FIRST LAST: entries FIRST..LAST, now, one write.
append()
{
	local stamp i
	stamp=$(date '+[%d/%b/%Y %H:%M:%S]')
	for ((i = $1; i <= $2; i++)); do
		printf '%s Failed SMTP login from 192.0.2.%d, entry %d.\n' \
		    "$stamp" $((i % 250 + 1)) "$i"
	done >>"$LOG"
}

# ours: the follower's records (its instance is its state file).
ours()
{
	jd_count KERIO2SYSLOG=1 "KERIO2SYSLOG_INSTANCE=$ST"
}

has_ours() { [ "$(ours)" -ge "$1" ]; }

# said TEXT: the follower said it could not write the journal, and why.
said() { grep -q "cannot write the journal: $1" "$ERR"; }

# refusing_socket PATH: a socket file at PATH that nobody listens on.
refusing_socket()
{
	"$JD_PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.close()
' "$1"
}

nsenter -t "$JD_PID" -m -- "$K2S" --follow "$LOG" --state "$ST" \
    --format rfc3339 --hostname mail --output journal --max-entry 6000000 \
    2>"$ERR" &
FOLLOWER=$!
CLEANUP="kill $FOLLOWER 2>/dev/null; $CLEANUP"
wait_until 30 test -s "$ST" || not_ok "the follower saved no state"
append 1 10
wait_until 30 has_ours 10 || not_ok "the first 10 entries did not arrive"

# Missing: journald stopped, its socket gone; 10 entries written meanwhile.
jd_stop
rm -f "$SOCK"
append 11 20
if wait_until 20 said "No such file or directory"; then
	ok "journald's socket missing: the follower says so"
else
	not_ok "journald's socket missing: nothing said"
fi
# Refusing: a dead socket file in its place, 10 more.
refusing_socket "$SOCK"
append 21 30
if wait_until 40 said "Connection refused"; then
	ok "journald's socket refusing: the follower says so"
else
	not_ok "journald's socket refusing: nothing said"
fi
rm -f "$SOCK"
# journald again, on the same files (the follower stays in the namespace
# of the first: the same directories are mounted there).
if ! jd_start; then
	not_ok "journald did not start again"
	f2b_finish
fi
# The back-off doubles up to 30 s: within 60 s it has tried again.
wait_until 60 has_ours 30
seqs=$(jd_field KERIO2SYSLOG_SEQ KERIO2SYSLOG=1 "KERIO2SYSLOG_INSTANCE=$ST" |
    tr '\n' ' ')
entries=$(jd_field MESSAGE KERIO2SYSLOG=1 "KERIO2SYSLOG_INSTANCE=$ST" |
    sed -n 's/.*entry \([0-9]*\)\.$/\1/p' | tr '\n' ' ')
want=$(seq -s ' ' 1 30)
echo "# written 30, in the journal $(ours): entries $entries" >&2
if [ "$seqs" = "$want " ] && [ "$entries" = "$want " ]; then
	ok "every entry once, in order, once journald is back"
else
	not_ok "entries in the journal: $entries; KERIO2SYSLOG_SEQ: $seqs"
fi
# A record larger than a datagram can be (5 MB: the socket's send buffer
# is at most net.core.wmem_max, a few MB) goes whole, in a memfd.
big=$(head -c 5000000 /dev/zero | tr '\0' x)
printf '%s Failed SMTP login from 192.0.2.1, %s.\n' \
    "$(date '+[%d/%b/%Y %H:%M:%S]')" "$big" >>"$LOG"
if wait_until 30 has_ours 31 &&
    [ "$(journalctl -D "$JD_DIR" -q -a -o cat KERIO2SYSLOG_SEQ=31 \
        "KERIO2SYSLOG_INSTANCE=$ST" | wc -c)" -gt 5000000 ]; then
	ok "a record of 5 MB arrives whole"
else
	not_ok "a record of 5 MB: $(ours) records"
fi
# --status -o journal: the journal as the commit reads it back.
jd_run "$K2S" --status --state "$ST" -o journal "$LOG" >"$T/status" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^status: *ok' "$T/status" &&
    grep -q '^output: *journal (.*), 31 records committed, 31 now$' \
        "$T/status"; then
	ok "--status -o journal: ok, 31 records"
else
	not_ok "--status -o journal: exit $rc"
	sed 's/^/#   /' "$T/status" >&2
fi
kill "$FOLLOWER"
wait "$FOLLOWER"
jd_run "$K2S" --status --state "$ST" -o journal "$LOG" >"$T/status" 2>&1
rc=$?
if [ "$rc" -eq 3 ] && grep -q '^status: *not running' "$T/status"; then
	ok "--status -o journal, the follower stopped: not running"
else
	not_ok "--status -o journal, the follower stopped: exit $rc"
	sed 's/^/#   /' "$T/status" >&2
fi
echo "# the follower said:" >&2
sed 's/^/#   /' "$ERR" >&2
f2b_finish
