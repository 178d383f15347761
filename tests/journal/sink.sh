#!/bin/bash
# The journal sink's records in a real systemd-journald (lib.sh): Kerio
# entries go through kerio2syslog --format rfc3339, then through the sink
# (sink-driver, which writes through its struct sink_ops): one record per
# entry, with the message part of the line byte for byte, the tag, the
# facility and priority, Kerio's time, the input, the instance, a sequence
# 1..N in order, the late mark (an hour-old entry late, a new one not),
# and root's _UID.  Then the reconciliation: a second start of the same
# instance reads the count N back, and neither records of the instance
# forged by a local user (a huge KERIO2SYSLOG_SEQ) nor the marker records
# change it; a start without the marker coming back fails, bounded.
#
# usage: sink.sh path/to/kerio2syslog path/to/sink-driver
K2S=$1
DRIVER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init driver

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi

ID=$T/state/kerio2syslog.state
mkdir -p "$T/state"
now=$(date +%s)
k() { TZ=$KERIO_TZ date -d "@$1" '+[%d/%b/%Y %H:%M:%S]'; }
{
	echo "$(k $((now - 3600))) Failed SMTP login from 192.0.2.1 with SASL method PLAIN."
	printf '%s caf\303\251 <a@b> "q" \\ %%s\001end\n' "$(k $((now - 61)))"
	echo "$(k "$now") IMAP: User x doesn't exist. Attempt from IP address 192.0.2.2."
	echo "continued, joined to the entry before"
	echo "$(k "$now") Failed POP3 login from 192.0.2.3, user y."
} >"$T/kerio.log"
N=4
TZ=$KERIO_TZ "$K2S" --format rfc3339 --hostname mail "$T/kerio.log" \
    >"$T/converted" 2>"$T/converted.err" ||
    not_ok "kerio2syslog: $(cat "$T/converted.err")"
check "converted entries" "$N" "$(wc -l <"$T/converted")"

if TZ=$KERIO_TZ jd_run "$DRIVER" -s "$T/state/commit" -i "$ID" \
    "$T/converted" >"$T/driver.out" 2>&1; then
	ok "the sink wrote $N entries"
else
	not_ok "sink-driver failed: $(cat "$T/driver.out")"
fi
wait_until 30 jd_has "$N" KERIO2SYSLOG_INSTANCE="$ID" ||
    not_ok "the records did not come back within 30 s"
I="KERIO2SYSLOG_INSTANCE=$ID"
check "records of the instance" "$N" "$(jd_count "$I" KERIO2SYSLOG=1)"
cut -d' ' -f4- "$T/converted" >"$T/want.msg"
jd_field MESSAGE "$I" KERIO2SYSLOG=1 >"$T/got.msg"
if cmp -s "$T/want.msg" "$T/got.msg"; then
	ok "MESSAGE: the message part of each line, byte for byte"
else
	not_ok "MESSAGE differs: $(diff "$T/want.msg" "$T/got.msg" | head -5)"
fi
cut -d' ' -f1 "$T/converted" | xargs >"$T/want.time"
check "KERIO_TIME: the lines' RFC 3339 stamps" "$(cat "$T/want.time")" \
    "$(jd_field KERIO_TIME "$I" KERIO2SYSLOG=1 | xargs)"
f() { jd_field "$1" "$I" KERIO2SYSLOG=1 | sort -u | xargs; }
check "SYSLOG_IDENTIFIER" kerio "$(f SYSLOG_IDENTIFIER)"
check "SYSLOG_FACILITY" 10 "$(f SYSLOG_FACILITY)"
check "PRIORITY" 5 "$(f PRIORITY)"
check "KERIO_INPUT" "$T/converted" "$(f KERIO_INPUT)"
check "_UID" 0 "$(f _UID)"
check "KERIO2SYSLOG_SEQ" "1 2 3 4" \
    "$(jd_field KERIO2SYSLOG_SEQ "$I" KERIO2SYSLOG=1 | xargs)"
check "KERIO2SYSLOG_LATE (an hour, 61 s, 0 s, 0 s old)" "1 1 0 0" \
    "$(jd_field KERIO2SYSLOG_LATE "$I" KERIO2SYSLOG=1 | xargs)"
dev=$(stat -c %d "$T/converted")
ino=$(stat -c %i "$T/converted")
pos=$(jd_field KERIO2SYSLOG_POS "$I" KERIO2SYSLOG=1 | head -1)
check "KERIO2SYSLOG_POS of the first" "$dev:$ino:0" "$pos"
check "the marker record: no KERIO2SYSLOG mark" "- 7" \
    "$(jd_field KERIO2SYSLOG "$I" PRIORITY=7) 7"
check "the commit saved" "$N $N" "$(cat "$T/state/commit")"
check "the count read back at the first start" "count 0" "$(cat "$T/driver.out")"

# A local user forges a record of the instance with a huge sequence.
printf '%s\n' MESSAGE=forged SYSLOG_IDENTIFIER=kerio KERIO2SYSLOG=1 "$I" \
    KERIO2SYSLOG_SEQ=1000000 |
    jd_run setpriv --reuid=65534 --regid=65534 --clear-groups \
    logger --journald || not_ok "logger --journald as nobody"
wait_until 30 jd_has 1 MESSAGE=forged || not_ok "the forged record did not come"
# The same instance starts again, its commit at the end: the count it
# reads back must be N, so it skips nothing and writes nothing.
rm -f "$T/state/commit"
printf '%s 0\n' 0 >"$T/state/commit"
if TZ=$KERIO_TZ jd_run "$DRIVER" -s "$T/state/commit" -i "$ID" \
    "$T/converted" >"$T/driver2.out" 2>&1; then
	ok "a second start of the instance"
else
	not_ok "sink-driver failed: $(cat "$T/driver2.out")"
fi
check "the count read back (nothing forged counted)" "count $N
skip $N" \
    "$(cat "$T/driver2.out")"
# Commit (line 0, size 0) with N records there: all N skipped.
check "the commit after it" "$N $N" "$(cat "$T/state/commit")"
check "records of root's instance after the restart" "$N" \
    "$(jd_count "$I" KERIO2SYSLOG=1 _UID=0)"

# journald stopped: the marker cannot come back; the start fails
# within its bound instead of guessing a count.
jd_stop_keep() { kill -STOP "$JD_PID"; }
jd_stop_keep
start=$(date +%s)
if TZ=$KERIO_TZ jd_run timeout 60 "$DRIVER" -s "$T/state/other" \
    -i "$T/other" "$T/converted" >"$T/driver3.out" 2>&1; then
	not_ok "a start with journald stopped succeeded"
else
	took=$(($(date +%s) - start))
	if grep -q 'timed out' "$T/driver3.out" && [ "$took" -lt 30 ]; then
		ok "journald stopped: the start fails in ${took} s:" \
		    "$(cat "$T/driver3.out")"
	else
		not_ok "journald stopped: ${took} s, $(cat "$T/driver3.out")"
	fi
fi
kill -CONT "$JD_PID"
[ -e "$T/state/other" ] && not_ok "a commit was saved without a count"

# Records still queued on journald's socket when the writer restarts
# (journald stopped; N records and a marker fit in the kernel's queue of
# 10), its commit saved before the first (line 0, size 0): the count must
# wait for them, through the marker, not read 0 and write them again.
Q=$T/queued
cp "$T/converted" "$Q.in"
echo '0 0' >"$Q.commit"
kill -STOP "$JD_PID"
TZ=$KERIO_TZ jd_run "$DRIVER" -i "$Q" "$Q.in" >"$Q.out1" 2>&1 ||
    not_ok "writing to a stopped journald failed: $(cat "$Q.out1")"
TZ=$KERIO_TZ jd_run "$DRIVER" -s "$Q.commit" -i "$Q" "$Q.in" >"$Q.out2" 2>&1 &
pid=$!
sleep 2
if kill -0 "$pid" 2>/dev/null; then
	ok "a restart waits while its marker is queued behind the records"
else
	not_ok "a restart did not wait for its marker: $(cat "$Q.out2")"
fi
kill -CONT "$JD_PID"
wait "$pid" || not_ok "the restart failed: $(cat "$Q.out2")"
check "the count read back includes the queued records" "count $N
skip $N" "$(cat "$Q.out2")"
wait_until 30 jd_has "$N" KERIO2SYSLOG_INSTANCE="$Q" KERIO2SYSLOG=1 ||
    not_ok "the queued records did not come back"
# Anything written again would be sent before the restart ended.
jd_send MESSAGE=after JD_AFTER="$Q"
wait_until 30 jd_has 1 JD_AFTER="$Q" || not_ok "the probe did not come back"
check "records of the instance: each once" "1 2 3 4" \
    "$(jd_field KERIO2SYSLOG_SEQ KERIO2SYSLOG_INSTANCE="$Q" KERIO2SYSLOG=1 |
    xargs)"
f2b_finish
