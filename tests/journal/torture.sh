#!/bin/bash
# Exactly once into the journal across kill -9: a writer of N entries
# through the journal sink (sink-driver: the sink's struct sink_ops, and a
# commit as follow mode takes one: input position and the sink's size,
# its count of records) is killed with SIGKILL at random moments and
# started again from its commit, ROUNDS times or until it is done; then
# journalctl must show every entry once, in order, and the sequence
# numbers 1..N.  Also a start after a clean end writes nothing again.
#
# usage: torture.sh path/to/kerio2syslog path/to/sink-driver
K2S=$1
DRIVER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init driver

N=${JD_N:-3000}
ROUNDS=${JD_ROUNDS:-25}

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi

# N entries, numbered, some wrapped onto a second line.
now=$(date +%s)
stamp=$(TZ=$KERIO_TZ date -d "@$now" '+[%d/%b/%Y %H:%M:%S]')
awk -v n="$N" -v s="$stamp" 'BEGIN {
	for (i = 1; i <= n; i++) {
		printf "%s Failed SMTP login from 192.0.2.%d, entry %d.\n", s, i % 250 + 1, i
		if (i % 17 == 0)
			printf "wrapped part of entry %d\n", i
	}
}' >"$T/kerio.log"
TZ=$KERIO_TZ "$K2S" --format rfc3339 --hostname mail "$T/kerio.log" \
    >"$T/converted" 2>"$T/converted.err" ||
    not_ok "kerio2syslog: $(cat "$T/converted.err")"
check "converted entries" "$N" "$(wc -l <"$T/converted")"

ID=$T/state/torture.state
mkdir -p "$T/state"
I="KERIO2SYSLOG_INSTANCE=$ID"
run() { TZ=$KERIO_TZ jd_run "$DRIVER" -s "$T/state/commit" -i "$ID" "$@" \
	"$T/converted"; }

kills=0 done=0 round=0
while [ "$round" -lt "$ROUNDS" ]; do
	round=$((round + 1))
	# exec, twice, so that $! is the driver itself (nsenter execs it).
	(TZ=$KERIO_TZ exec nsenter -t "$JD_PID" -m -- "$DRIVER" \
	    -s "$T/state/commit" -i "$ID" -d 300 "$T/converted") \
	    >>"$T/driver.out" 2>&1 &
	pid=$!
	# 20-400 ms, then SIGKILL.
	sleep "0.$(printf '%03d' $((RANDOM % 380 + 20)))"
	if kill -9 "$pid" 2>/dev/null; then
		kills=$((kills + 1))
	fi
	if wait "$pid"; then
		done=1
		break
	fi
	# Nothing of it may live on into the next round.
	pgrep -f -- "-i $ID " >/dev/null &&
	    not_ok "a killed writer still runs: $(pgrep -af -- "-i $ID ")"
done
# To the end, unkilled.
if [ "$done" -eq 0 ] && ! run >>"$T/driver.out" 2>&1; then
	not_ok "the last run failed: $(tail -3 "$T/driver.out")"
fi
ok "$kills kills with SIGKILL, then a run to the end"
# The replay's skip is what is under test: some kill must have fallen
# between records sent and their commit saved.
skips=$(grep -c '^skip ' "$T/driver.out")
skipped=$(sed -n 's/^skip //p' "$T/driver.out" | awk "{ s += \$0 } END { print s + 0 }")
if [ "$skips" -gt 0 ]; then
	ok "$skips restarts skipped records sent after their commit" \
	    "($skipped in all)"
else
	not_ok "no restart had records to skip: the kills missed the window"
fi
grep -Ev '^(count|skip) [0-9]+$' "$T/driver.out" | grep . >"$T/driver.err" &&
    not_ok "the driver said: $(head -3 "$T/driver.err")"

wait_until 60 jd_has "$N" "$I" KERIO2SYSLOG=1 ||
    not_ok "fewer than $N records within 60 s"
cut -d' ' -f4- "$T/converted" >"$T/want"
jd_field MESSAGE "$I" KERIO2SYSLOG=1 >"$T/got"
got=$(wc -l <"$T/got")
lost=$(sort "$T/want" | comm -23 - <(sort -u "$T/got") | wc -l)
dup=$(($(wc -l <"$T/got") - $(sort -u "$T/got" | wc -l)))
if cmp -s "$T/want" "$T/got"; then
	ok "$N entries in the journal, each once, in order" \
	    "(records $got, lost $lost, duplicated $dup)"
else
	not_ok "records $got of $N, lost $lost, duplicated $dup;" \
	    "first difference: $(diff "$T/want" "$T/got" | head -3 | xargs)"
fi
seq 1 "$N" >"$T/seq.want"
jd_field KERIO2SYSLOG_SEQ "$I" KERIO2SYSLOG=1 >"$T/seq.got"
if cmp -s "$T/seq.want" "$T/seq.got"; then
	ok "KERIO2SYSLOG_SEQ 1..$N"
else
	not_ok "KERIO2SYSLOG_SEQ differs: $(diff "$T/seq.want" "$T/seq.got" |
	    head -3 | xargs)"
fi

# Done: a start from the final commit writes nothing.
run >"$T/again.out" 2>&1 || not_ok "a start after the end failed"
check "a start after the end: its count" "count $N" "$(cat "$T/again.out")"
check "records after it" "$N" "$(jd_count "$I" KERIO2SYSLOG=1)"
echo "torture: entries $N, kills $kills, restarts that skipped $skips" \
    "($skipped records), records $got, lost $lost, duplicated $dup"
f2b_finish
