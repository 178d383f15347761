#!/bin/bash
# Central rsyslog over RELP (contrib/rsyslog), with real rsyslogd processes
# in the foreground, each with its own configuration, pid file and work
# directory (no imuxsock, no imklog): two senders and one central on
# loopback port 20530.  On each "server", kerio2syslog follows a Kerio
# security.log and writes its output file, which that server's rsyslogd
# reads with imfile and forwards with omrelp, as the shipped sender snippet
# says.  A burst of numbered entries is written on both servers; in the
# middle of it the central rsyslogd is stopped and started again, and
# server A's output is rotated (renamed, kerio2syslog reopens on SIGHUP).
# Every entry arrives in the central per-host file, first copies in order
# and byte for byte what kerio2syslog wrote; duplicates are counted and
# reported (RELP resends what was not acknowledged).
#
# usage: relp.sh path/to/kerio2syslog cache-dir
K2S=$1
CACHE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
several_init
for tool in rsyslogd flock; do
	command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 69; }
done
for m in imfile omrelp imrelp; do
	if [ ! -f "/usr/lib/x86_64-linux-gnu/rsyslog/$m.so" ] &&
	    ! find /usr/lib -name "$m.so" -path '*rsyslog*' | grep -q .; then
		echo "rsyslog module $m is missing (packages rsyslog, rsyslog-relp)" >&2
		exit 69
	fi
done

PORT=20530
N=${SEVERAL_RELP_N:-3000}   # entries per server
DEADLINE=90                 # seconds for every entry to arrive

# central_conf DIR: the shipped central snippet, pointed at DIR and PORT.
central_conf()
{
	local dir=$1
	mkdir -p "$dir/work" "$dir/remote"
	sed -e "s|port=\"2514\"|port=\"$PORT\"|" \
	    -e "s|/var/log/remote/|$dir/remote/|" \
	    "$CONTRIB/rsyslog/kerio2syslog-central.conf" >"$dir/snippet.conf"
	printf 'global(workDirectory="%s/work")\ninclude(file="%s/snippet.conf")\n' \
	    "$dir" "$dir" >"$dir/rsyslog.conf"
}

# sender_conf DIR: the shipped sender snippet, reading DIR/keriosecurity.log
# and sending to 127.0.0.1:PORT.
sender_conf()
{
	local dir=$1
	mkdir -p "$dir/work"
	sed -e "s|/var/log/keriosecurity.log|$dir/keriosecurity.log|" \
	    -e 's|target="central.example.net"|target="127.0.0.1"|' \
	    -e "s|port=\"2514\"|port=\"$PORT\"|" \
	    "$CONTRIB/rsyslog/kerio2syslog-sender.conf" >"$dir/snippet.conf"
	printf 'global(workDirectory="%s/work")\ninclude(file="%s/snippet.conf")\n' \
	    "$dir" "$dir" >"$dir/rsyslog.conf"
}

for c in "$CONTRIB/rsyslog/kerio2syslog-central.conf" \
    "$CONTRIB/rsyslog/kerio2syslog-sender.conf"; do
	grep -q 'port="2514"' "$c" ||
	    { not_ok "$c: no port=\"2514\" to point at the test's port"; f2b_finish; }
done

central_conf "$T/central"
for h in a b; do
	sender_conf "$T/$h"
	rsyslogd -N1 -f "$T/$h/rsyslog.conf" >"$T/$h/check.out" 2>&1 ||
	    not_ok "sender config: $(grep -v '^rsyslogd: version' "$T/$h/check.out" | head -3)"
done
rsyslogd -N1 -f "$T/central/rsyslog.conf" >"$T/central/check.out" 2>&1 ||
    not_ok "central config: $(grep -v '^rsyslogd: version' "$T/central/check.out" | head -3)"
[ "$failed" -eq 0 ] || f2b_finish

rsyslog_start central "$T/central" "$T/central/rsyslog.conf"
wait_until 20 port_open "$PORT" || { not_ok "central rsyslogd does not listen"; f2b_finish; }
for h in a b; do
	: >"$T/$h/security.log"
	rsyslog_start "sender_$h" "$T/$h" "$T/$h/rsyslog.conf"
	bg_start "k2s_$h" "$T/$h/k2s.out" "$K2S" --follow "$T/$h/security.log" \
	    --from-start --state "$T/$h/state" --output "$T/$h/keriosecurity.log" \
	    --format rfc3339 --hostname "server-$h"
done

# The burst: N numbered Kerio entries per server, in chunks of 50.
writer()
{
	local h=$1 i stamp
	stamp=$(date '+%d/%b/%Y %H:%M:%S')
	for ((i = 1; i <= N; i++)); do
		printf '[%s] SMTP: User seq-%s-%06d doesn'"'"'t exist. Attempt from IP address 203.0.113.7.\n' \
		    "$stamp" "$h" "$i"
		if ((i % 50 == 0)); then
			sleep 0.05
		fi
	done >>"$T/$h/security.log"
}
bg_start writer_a "$T/a/writer.out" writer a
bg_start writer_b "$T/b/writer.out" writer b

# count FILE: lines in FILE (0 when it does not exist yet).
count()
{
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}
central_has()
{
	[ "$(count "$T/central/remote/server-$1/kerio.log")" -ge "$2" ]
}
output_has()
{
	[ "$(count "$T/$1/keriosecurity.log")" -ge "$2" ]
}

# Mid-burst: the central rsyslogd stops and starts again once a quarter of
# A's entries arrived; A's output rotates at half the burst.
if wait_until 60 central_has a $((N / 4)); then
	mid=$(count "$T/central/remote/server-a/kerio.log")
	kill -0 "$writer_a" 2>/dev/null && burst=running || burst=over
	bg_stop "$central"
	sleep 1
	rsyslog_start central "$T/central" "$T/central/rsyslog.conf"
	check "central restarted while the burst was running (at $mid of $N entries from A)" running "$burst"
else
	not_ok "no quarter of A's entries reached the central host within 60 s"
fi
if wait_until 60 output_has a $((N / 2)); then
	mv "$T/a/keriosecurity.log" "$T/a/keriosecurity.log.1"
	kill -HUP "$k2s_a"
	ok "A's output rotated at $(count "$T/a/keriosecurity.log.1") lines"
else
	not_ok "A's output never reached half the burst"
fi
wait "$writer_a" "$writer_b"

# seqs HOST FILE: the entries' numbers in FILE, in its order.
seqs()
{
	sed -n "s/.* User seq-$1-\([0-9]*\) doesn't exist.*/\1/p" "$2"
}
all_arrived()
{
	local h
	for h in a b; do
		[ "$(seqs "$h" "$T/central/remote/server-$h/kerio.log" | sort -u | wc -l)" -eq "$N" ] ||
		    return 1
	done
}
start=$(now_ms)
wait_until "$DEADLINE" all_arrived
echo "note: the last entries arrived $(($(now_ms) - start)) ms after the burst ended"

total_dup=0
for h in a b; do
	got=$T/central/remote/server-$h/kerio.log
	if [ ! -f "$got" ]; then
		not_ok "server $h: no central file"
		continue
	fi
	seqs "$h" "$got" >"$T/$h.seqs"
	lines=$(wc -l <"$got")
	unique=$(sort -u "$T/$h.seqs" | wc -l)
	dup=$((lines - unique))
	total_dup=$((total_dup + dup))
	check "server $h: entries received (sent $N, lines $lines, duplicates $dup)" \
	    "$N" "$unique"
	# First copies, in order: exactly 1..N.
	awk '!seen[$0]++' "$T/$h.seqs" >"$T/$h.first"
	if seq -f '%06g' 1 "$N" | cmp -s - "$T/$h.first"; then
		ok "server $h: first copies are 1..$N in order"
	else
		not_ok "server $h: first copies are not 1..$N in order"
	fi
	# Byte for byte what kerio2syslog wrote (rotated file first).
	cat "$T/$h"/keriosecurity.log.1 "$T/$h/keriosecurity.log" 2>/dev/null \
	    >"$T/$h.sent"
	awk '!seen[$0]++' "$got" >"$T/$h.dedup"
	if cmp -s "$T/$h.sent" "$T/$h.dedup"; then
		ok "server $h: the central file holds kerio2syslog's lines byte for byte"
	else
		not_ok "server $h: the central file differs from kerio2syslog's output: $(diff "$T/$h.sent" "$T/$h.dedup" | head -4)"
	fi
done
echo "note: RELP restart result: sent $((2 * N)), received $((2 * N)) distinct, $total_dup duplicate(s)"

f2b_finish
