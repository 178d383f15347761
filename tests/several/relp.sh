#!/bin/bash
# Central rsyslog over RELP (contrib/rsyslog), with real rsyslogd processes
# in the foreground, each with its own configuration, pid file and work
# directory (no imuxsock, no imklog): two senders and one central on
# loopback port 20530.  On each "server", kerio2syslog follows a Kerio
# security.log and writes its output file, which that server's rsyslogd
# reads with imfile and forwards with omrelp, as the shipped sender snippet
# says.  A burst of numbered entries is written on both servers; in the
# middle of it the central rsyslogd is stopped, and started again after
# half the burst was written and server A's output was rotated while it
# was down (renamed, kerio2syslog reopens on SIGHUP).
# Every entry arrives in the central per-host file, first copies in order
# and byte for byte what kerio2syslog wrote; duplicates are counted and
# reported (RELP resends what was not acknowledged).
#
# usage: relp.sh path/to/kerio2syslog cache-dir
. "$(dirname "$0")/lib.sh"
several_init "$@"
rsyslog_init

PORT=20530
N=${SEVERAL_RELP_N:-3000}   # entries per server
DEADLINE=90                 # seconds for every entry to arrive

relp_start "$PORT"

# The burst: N numbered Kerio entries per server, in chunks of 50; the
# second half waits for $T/go, which the test creates while the central
# host is down, so that the restart falls in the middle of the burst
# however slow the machine is.
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
		if ((i == N / 2)); then
			wait_until 120 test -e "$T/go" || return 1
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

# Mid-burst: once a quarter of A's entries reached the central host, it
# stops; the second half of the burst is written while it is down, and A's
# output is rotated when kerio2syslog has written three quarters of it;
# then the central host starts again.
if wait_until 60 central_has a $((N / 4)); then
	mid=$(count "$T/central/remote/server-a/kerio.log")
	bg_stop "$central"
	touch "$T/go"
	if wait_until 60 output_has a $((3 * N / 4)); then
		mv "$T/a/keriosecurity.log" "$T/a/keriosecurity.log.1"
		kill -HUP "$k2s_a"
		ok "central stopped at $mid of $N entries from A; A's output rotated at $(count "$T/a/keriosecurity.log.1") lines while it was down"
	else
		not_ok "kerio2syslog on A did not write three quarters of the burst"
	fi
	rsyslog_start central "$T/central" "$T/central/rsyslog.conf"
else
	not_ok "no quarter of A's entries reached the central host within 60 s"
	touch "$T/go"
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
