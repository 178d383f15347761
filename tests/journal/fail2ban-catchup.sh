#!/bin/bash
# A follower that catches up after downtime bans nobody for failures
# spread over the hour it was down, on either route, and a fresh burst
# right after still bans.  A real fail2ban-server runs the shipped file
# jail and the shipped journal jail (the README's install, a recording
# action), in the mount namespace of a private systemd-journald (lib.sh);
# two real kerio2syslog --follow (--format rfc3339, one into the file the
# file jail reads, one --output journal) follow one Kerio log, each with
# its state file:
#   1. a witness failure goes through both, so both jails are in
#      operation (fail2ban then dates a line more than 60 s from now as
#      now, a record always by its arrival);
#   2. both followers stop; meanwhile the client SPREAD fails five times
#      over an hour (never more than two in ten minutes);
#   3. both start again and catch up: SPREAD's four failures older than a
#      minute are marked late ("[late] " in the line, KERIO2SYSLOG_LATE=1
#      and the mark in MESSAGE), the fifth is not;
#   4. BURST fails five times at once: banned by both jails, and by then
#      both have read SPREAD's lines: SPREAD is banned by neither, each
#      jail counted its one fresh failure.
#
# usage: fail2ban-catchup.sh path/to/kerio2syslog
K2S=$(realpath -e "$1") || exit 64
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init
need fail2ban-server fail2ban-client

BAN_WAIT=60 # seconds a ban may take at most (it takes a few)
jail_maxretry

WITNESS=192.0.2.30
SPREAD=192.0.2.31
BURST=192.0.2.32
LOG=$T/security.log
: >"$LOG"

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi
etc=$T/etc
OUT=$etc/keriosecurity.log
if ! f2b_setup_record "$etc" "$FILTER" "$JAIL"; then
	not_ok "setup (the README's install commands) failed"
	f2b_finish
fi
cp "$HERE/../../contrib/fail2ban/jail.d/kerio2syslog-journal.conf" \
    "$etc/jail.d/" || not_ok "no shipped journal jail"
printf '\n[kerio2syslog-journal]\nenabled = true\naction = record\n%s\n' \
    'ignoreself = false' >>"$etc/jail.d/zz-test.local"

FILE_PID=
JOURNAL_PID=
# start: both followers, resuming from their state files.
start()
{
	TZ=$KERIO_TZ "$K2S" --follow "$LOG" --from-start --state "$T/file.state" \
	    --format rfc3339 --hostname mail --output "$OUT" \
	    2>>"$T/file.err" &
	FILE_PID=$!
	(TZ=$KERIO_TZ exec nsenter -t "$JD_PID" -m -- "$K2S" --follow "$LOG" \
	    --from-start --state "$T/journal.state" --format rfc3339 \
	    --hostname mail --output journal) 2>>"$T/journal.err" &
	JOURNAL_PID=$!
}
# stop: both followers end by SIGTERM (saving their state) and are reaped.
stop()
{
	local p
	for p in $FILE_PID $JOURNAL_PID; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	FILE_PID=
	JOURNAL_PID=
}
CLEANUP="stop; $CLEANUP"

# fail AGO IP [WHAT]: Kerio's line of a failure of IP, AGO seconds ago.
fail()
{
	printf '%s Failed SMTP login from %s with SASL method %s.\n' \
	    "$(TZ=$KERIO_TZ date -d "@$(($(date +%s) - $1))" \
	    '+[%d/%b/%Y %H:%M:%S]')" "$2" "${3:-PLAIN}" >>"$LOG"
}
# in_file N IP: the file holds N lines of IP; in_journal N IP: the
# journal N records.
in_file() { [ "$(grep -c -- "from $2 " "$OUT")" -eq "$1" ]; }
in_journal()
{
	[ "$(journalctl -D "$JD_DIR" -q -o cat KERIO2SYSLOG=1 |
	    grep -c -- "from $2 ")" -eq "$1" ]
}
# banned JAIL IP, found JAIL IP: fail2ban's log says JAIL banned IP, and
# how many failures of IP it found.
banned() { grep -q "\[$1\] Ban $2\$" "$etc/fail2ban.log"; }
found() { grep -c "\[$1\] Found $2 " "$etc/fail2ban.log"; }
# in_operation JAIL: the journal jail says so; the file jail is once it
# has read a line at the file's end (it says nothing).
in_operation()
{
	[ "$1" = kerio2syslog ] ||
	    grep -q "\[$1\] Jail is in operation now" "$etc/fail2ban.log"
}

# 1. Both jails up and in operation, the witness read through both.
if f2b_start "$etc" nsenter -t "$JD_PID" -m --; then
	ok "fail2ban-server $F2B_PID runs the file jail and the journal jail"
else
	not_ok "the jails did not come up within 60 s"
	f2b_finish
fi
start
fail 0 "$WITNESS"
for jail in kerio2syslog kerio2syslog-journal; do
	wait_until 60 eval '[ "$(found '"$jail"' "$WITNESS")" -ge 1 ]' &&
	    wait_until 60 in_operation "$jail" ||
	    not_ok "$jail: the witness not read, or not in operation, in 60 s"
done

# 2. Down for an hour, while SPREAD fails five times.
stop
for ago in 3600 2700 1800 900 0; do
	fail "$ago" "$SPREAD"
done

# 3. Caught up.
start
wait_until 30 in_file 5 "$SPREAD" ||
    not_ok "file: SPREAD's lines not written within 30 s"
wait_until 30 in_journal 5 "$SPREAD" ||
    not_ok "journal: SPREAD's records not written within 30 s"
check "file: SPREAD's four old lines marked late, the fresh one not" \
    "4 1" "$(grep -c -- 'kerio: \[late\] Failed SMTP login from '"$SPREAD " \
    "$OUT") $(grep -c -- 'kerio: Failed SMTP login from '"$SPREAD " "$OUT")"
check "journal: SPREAD's late marks" "1 1 1 1 0" \
    "$(jd_field KERIO2SYSLOG_LATE KERIO2SYSLOG=1 | tail -5 | xargs)"
check "journal: the mark in MESSAGE too" 4 \
    "$(journalctl -D "$JD_DIR" -q -o cat KERIO2SYSLOG_LATE=1 |
    grep -c -- "^\[late\] Failed SMTP login from $SPREAD ")"

# 4. A fresh burst, right after the catch-up.
for i in 1 2 3 4 5; do
	fail 0 "$BURST" "TRY-$i"
done
for jail in kerio2syslog kerio2syslog-journal; do
	if wait_until "$BAN_WAIT" banned "$jail" "$BURST"; then
		ok "$jail: the burst after the catch-up banned $BURST"
	else
		not_ok "$jail: $BURST not banned within $BAN_WAIT s"
	fi
	check "$jail: the burst's failures counted" 5 "$(found "$jail" "$BURST")"
	banned "$jail" "$SPREAD" &&
	    not_ok "$jail: $SPREAD banned for failures spread over an hour" ||
	    ok "$jail: five failures over an hour, caught up, ban nobody"
	check "$jail: SPREAD's failures counted (the fresh one)" 1 \
	    "$(found "$jail" "$SPREAD")"
done
stop
f2b_no_errors
grep -v ': following .* into ' "$T/file.err" "$T/journal.err" \
    >"$T/complaints"
if grep -q . "$T/complaints"; then
	not_ok "kerio2syslog complained: $(head -3 "$T/complaints")"
else
	ok "kerio2syslog quiet but for its start lines"
fi
f2b_stop
f2b_finish
