#!/bin/bash
#
# bench-rsyslog-kill.sh - the central rsyslog (contrib/rsyslog) killed (-9)
# again and again while two senders send: sent, received, doubled
#
# usage: bench-rsyslog-kill.sh KERIO2SYSLOG [KILLS [RATE]]
#
# As tests/several/outage.sh runs it (two servers, each kerio2syslog
# --follow, rsyslog imfile + omrelp; one central rsyslog, imrelp, the
# shipped central snippet), with the machine's loopback port 20590 (as
# root, a network namespace of its own). Each server's Kerio log gets
# RATE entries a second (default 100) while the central rsyslogd is
# killed KILLS times (default 20), each time once it has written new
# lines since it started, and started again. Then the writers stop, the
# queues drain, and for each server the script prints the entries sent,
# the distinct ones received, the lines doubled, and whether each first
# copy is kerio2syslog's line, byte for byte and in order.
#
# SIGNAL=TERM stops it instead (a restart), each time.
# CENTRAL_EXTRA, SENDER_EXTRA: a sed expression applied to the central
# (the senders') snippet after the test's own, to try a setting.

K2S=${1:?usage: $0 KERIO2SYSLOG [KILLS [RATE]]}
K2S=$(realpath "$K2S")
KILLS=${2:-20}
RATE=${3:-100}
SIGNAL=${SIGNAL:-KILL}
if [ "$(id -u)" -eq 0 ] && [ -z "${K2S_SEVERAL_NETNS:-}" ]; then
	K2S_SEVERAL_NETNS=1 exec unshare -n -- bash -c \
	    'ip link set lo up && exec "$@"' sh "$0" "$K2S" "$KILLS" "$RATE"
fi
CACHE=$(mktemp -d -t k2s-bench-cache.XXXXXX)
# shellcheck source=../../tests/several/lib.sh
. "$(dirname "$0")/../../tests/several/lib.sh"
several_init "$K2S" "$CACHE"
CLEANUP="several_stop_all; rm -rf '$CACHE'"
rsyslog_init

PORT=20590
REMOTE=$T/central/remote
relp_start "$PORT"
# extra VAR HOST PIDVAR: HOST's rsyslogd restarted with its snippet
# edited by the sed expression in VAR, if set.
extra()
{
	local pid=${!3}
	[ -n "${!1:-}" ] || return 0
	bg_stop "$pid"
	sed -i -e "${!1}" "$T/$2/snippet.conf"
	rsyslogd -N1 -f "$T/$2/rsyslog.conf" >/dev/null 2>&1 ||
	    { echo "$1: rsyslogd -N1 fails" >&2; exit 1; }
	rsyslog_start "$3" "$T/$2" "$T/$2/rsyslog.conf"
}
extra CENTRAL_EXTRA central central
extra SENDER_EXTRA a sender_a
extra SENDER_EXTRA b sender_b
wait_until 20 port_open "$PORT" || exit 1

writer()
{
	local h=$1 i=0 stamp
	stamp=$(date '+%d/%b/%Y %H:%M:%S')
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		printf '[%s] SMTP: User seq-%s-%06d doesn'"'"'t exist. Attempt from IP address 203.0.113.8.\n' \
		    "$stamp" "$h" "$i" >>"$T/$h/security.log"
		((i % 10 == 0)) && sleep "$(awk -v r="$RATE" 'BEGIN { print 10 / r }')"
	done
	echo "$i" >"$T/$h/sent"
}
bg_start writer_a "$T/a/writer.out" writer a
bg_start writer_b "$T/b/writer.out" writer b

central_lines()
{
	cat "$REMOTE"/*/kerio.log 2>/dev/null | wc -l
}
more_than()
{
	[ "$(central_lines)" -gt "$1" ]
}
for ((k = 1; k <= KILLS; k++)); do
	before=$(central_lines)
	wait_until 60 more_than "$((before + RATE / 2))" ||
	    { echo "no progress before kill $k" >&2; exit 1; }
	kill -"$SIGNAL" "$central"
	wait "$central" 2>/dev/null
	PIDS=${PIDS/ $central/}
	rsyslog_start central "$T/central" "$T/central/rsyslog.conf"
	wait_until 20 port_open "$PORT" ||
	    { echo "central does not listen after kill $k" >&2; exit 1; }
done
touch "$T/stop"
wait "$writer_a" "$writer_b"
all_there()
{
	local h
	for h in a b; do
		[ "$(wc -l <"$T/$h/keriosecurity.log")" -ge "$(cat "$T/$h/sent")" ] ||
		    return 1
		[ "$(sort -u "$REMOTE/server-$h/kerio.log" | wc -l)" -ge \
		    "$(cat "$T/$h/sent")" ] || return 1
	done
}
# settled: no line written at the central host for 2 s.
settled()
{
	local n
	n=$(central_lines)
	sleep 2
	[ "$(central_lines)" -eq "$n" ]
}
wait_until 120 all_there || {
	echo "# not all arrived within 120 s" >&2
	ls -l "$T"/central/work "$T"/a/work "$T"/b/work >&2
}
wait_until 60 settled
printf '%d x SIG%s, %d entries a second per server%s\n' "$KILLS" "$SIGNAL" "$RATE" \
    "${CENTRAL_EXTRA:+, central: $CENTRAL_EXTRA}${SENDER_EXTRA:+, senders: $SENDER_EXTRA}"
status=0
for h in a b; do
	got=$REMOTE/server-$h/kerio.log
	lines=$(wc -l <"$got")
	unique=$(sort -u "$got" | wc -l)
	awk '!seen[$0]++' "$got" >"$T/$h.dedup"
	if cmp -s "$T/$h/keriosecurity.log" "$T/$h.dedup"; then
		same="byte for byte, in order"
	else
		same="DIFFERS from kerio2syslog's output"
		status=1
	fi
	printf 'server %s: sent %d, received %d distinct, %d doubled; %s\n' \
	    "$h" "$(cat "$T/$h/sent")" "$unique" "$((lines - unique))" "$same"
	# The doubled lines in runs of consecutive numbers, and the missing.
	sed -n 's/.*seq-[ab]-\([0-9]*\) .*/\1/p' "$got" | sort | uniq -d |
	    awk '{ n = $1 + 0 } n != last + 1 { if (last) print "  doubled " first "-" last; first = n } { last = n }
		END { if (last) print "  doubled " first "-" last }'
	comm -23 <(seq -f %06g "$(cat "$T/$h/sent")" | sort) \
	    <(sed -n 's/.*seq-[ab]-\([0-9]*\) .*/\1/p' "$got" | sort -u) |
	    sed 's/^/  missing /' | head -5
done
exit $status
