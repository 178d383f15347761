#!/bin/bash
# kerio2syslog --follow --output journal, exactly once: a writer appends N
# numbered entries to a Kerio log (some wrapped onto a second line) and
# rotates it by renaming (security.log -> .1 -> .2) every ROTATE entries,
# while the follower (with a state file) is killed with SIGKILL at random
# moments and started again; then the journal must hold every entry once,
# in order, with KERIO2SYSLOG_SEQ 1..N.  Skipped (77) while the binary
# has no --output journal (it would write a file named "journal").
#
# usage: follow.sh path/to/kerio2syslog
K2S=$(realpath -e "$1") || exit 64
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init

N=${JD_N:-1500}
ROTATE=${JD_ROTATE:-400}

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi
mkdir -p "$T/probe"
# (cd in the namespace: entering it sets the directory to its root.)
jd_run sh -c 'cd "$1" && exec "$2" --output journal /dev/null' sh \
    "$T/probe" "$K2S" >/dev/null 2>&1
if [ -e "$T/probe/journal" ]; then
	echo "SKIPPED: $K2S has no --output journal yet" >&2
	exit 77
fi

D=$T/kerio
mkdir -p "$D" "$T/state"
LOG=$D/security.log
ST=$T/state/follow.state
: >"$LOG"

# The writer: entries 1..N, a few milliseconds apart, every 13th wrapped,
# a rename rotation every ROTATE entries.
writer()
{
	local i stamp
	for i in $(seq 1 "$N"); do
		stamp=$(TZ=$KERIO_TZ date '+[%d/%b/%Y %H:%M:%S]')
		if [ $((i % 13)) -eq 0 ]; then
			printf '%s Failed SMTP login from 192.0.2.%d, entry %d,\nwrapped.\n' \
			    "$stamp" $((i % 250 + 1)) "$i" >>"$LOG"
		else
			printf '%s Failed SMTP login from 192.0.2.%d, entry %d.\n' \
			    "$stamp" $((i % 250 + 1)) "$i" >>"$LOG"
		fi
		if [ $((i % ROTATE)) -eq 0 ]; then
			[ -e "$LOG.1" ] && mv "$LOG.1" "$LOG.2"
			mv "$LOG" "$LOG.1"
			: >"$LOG"
		fi
		[ $((i % 20)) -eq 0 ] && sleep 0.02
	done
	return 0
}
writer &
WRITER=$!
CLEANUP="kill $WRITER 2>/dev/null; $CLEANUP"

follower()
{
	(TZ=$KERIO_TZ exec nsenter -t "$JD_PID" -m -- "$K2S" --follow "$LOG" \
	    --state "$ST" --format rfc3339 --hostname mail --output journal \
	    "$@") 2>>"$T/follower.err" &
	FOLLOWER=$!
}

kills=0
follower --from-start
while kill -0 "$WRITER" 2>/dev/null; do
	sleep "0.$(printf '%03d' $((RANDOM % 700 + 100)))"
	kill -9 "$FOLLOWER" 2>/dev/null && kills=$((kills + 1))
	wait "$FOLLOWER" 2>/dev/null
	follower
done
wait "$WRITER" || not_ok "the writer failed"
ok "$kills kills with SIGKILL while $N entries were written and rotated"

I="KERIO2SYSLOG_INSTANCE=$ST"
if ! wait_until 120 jd_has "$N" "$I" KERIO2SYSLOG=1; then
	not_ok "only $(jd_count "$I" KERIO2SYSLOG=1) of $N records within 120 s"
fi
kill "$FOLLOWER"
wait "$FOLLOWER"
jd_field MESSAGE "$I" KERIO2SYSLOG=1 |
    sed -n 's/.*, entry \([0-9]*\)[.,].*/\1/p' >"$T/got"
seq 1 "$N" >"$T/want"
got=$(wc -l <"$T/got")
lost=$(comm -23 <(sort "$T/want") <(sort -u "$T/got") | wc -l)
dup=$((got - $(sort -u "$T/got" | wc -l)))
if cmp -s "$T/want" "$T/got"; then
	ok "$N entries in the journal, each once, in order"
else
	not_ok "entries: records $got, lost $lost, duplicated $dup;" \
	    "$(diff "$T/want" "$T/got" | head -4 | xargs)"
fi
jd_field KERIO2SYSLOG_SEQ "$I" KERIO2SYSLOG=1 >"$T/seq"
if cmp -s "$T/want" "$T/seq"; then
	ok "KERIO2SYSLOG_SEQ 1..$N"
else
	not_ok "KERIO2SYSLOG_SEQ: $(diff "$T/want" "$T/seq" | head -4 | xargs)"
fi
# What the restarts said (skips of records sent after a commit).

check "wrapped entries joined" "$((N / 13))" \
    "$(jd_field MESSAGE "$I" KERIO2SYSLOG=1 | grep -c 'wrapped\.$')"
echo "follow: entries $N, kills $kills, records $got, lost $lost," \
    "duplicated $dup"
f2b_finish
