#!/bin/bash
# The central rsyslog (contrib/rsyslog) killed (-9) and stopped while the
# senders send: what each sender sent is counted at the central host.  As
# relp.sh runs it (two senders, one central, loopback port 20570).
#
# A burst of N numbered entries per server, in three parts:
#   1. written while all is well: every line reaches the central files;
#   2. written slowly (20 a second); once half the burst is at the central
#      host, its rsyslogd is killed (-9) and started again;
#   3. written at once; once the central host has the whole burst in its
#      disk queue or its files, its rsyslogd is stopped (TERM) and started
#      again.
# Every entry then arrives in the central per-host file, byte for byte as
# kerio2syslog wrote it and in order: the central disk queue keeps what
# imrelp acknowledged.  A kill may double lines, never lose one (the
# central snippet says why): the lines doubled are counted and printed,
# and must stay within DOUBLED_MAX per server for this one kill: twice
# the most measured (contrib/bench/bench-rsyslog-kill.sh, 20 kills at 100
# entries a second per server: at most 36 lines of one server doubled in
# all 20, at most 23 by one kill); the stop doubles none.  (The full log
# disk: diskfull.sh.)
#
# usage: outage.sh path/to/kerio2syslog cache-dir
. "$(dirname "$0")/lib.sh"
several_init "$@"
rsyslog_init

PORT=20570
N=${SEVERAL_OUTAGE_N:-300}   # entries per server
DEADLINE=60                  # seconds for every step
DOUBLED_MAX=72               # lines doubled per server, at most

REMOTE=$T/central/remote

relp_start "$PORT"

bg_start writer_a "$T/a/writer.out" burst_writer a slow
bg_start writer_b "$T/b/writer.out" burst_writer b slow

CENTRAL=$REMOTE/server-HOST/kerio.log
QUEUE=$T/central/work/kerio2syslog-remote.0*

burst_step "part 1 at the central host" burst_in $((N / 3)) "$CENTRAL"
touch "$T/two"
burst_step "half of part 2 at the central host" burst_in $((N / 2)) "$CENTRAL"
kill -KILL "$central"
wait "$central" 2>/dev/null
PIDS=${PIDS/ $central/}
rsyslog_start central "$T/central" "$T/central/rsyslog.conf"
wait_until 20 port_open "$PORT" ||
    { not_ok "central rsyslogd does not listen after kill -9"; f2b_finish; }
ok "central rsyslogd killed (-9) at entry $N / 2 and started again"
touch "$T/three"
burst_step "the burst in the central host's queue" burst_in "$N" "$QUEUE" "$CENTRAL"
bg_stop "$central"
rsyslog_start central "$T/central" "$T/central/rsyslog.conf"
wait_until 20 port_open "$PORT" ||
    { not_ok "central rsyslogd does not listen after a stop"; f2b_finish; }
ok "central rsyslogd stopped with the burst queued and started again"
burst_step "every entry at the central host" burst_in "$N" "$CENTRAL"
wait "$writer_a" "$writer_b"
# The queue drained: nothing more will be written.
drained()
{
	! ls "$T"/central/work/kerio2syslog-remote.0* >/dev/null 2>&1
}
wait_until "$DEADLINE" drained ||
    not_ok "the central queue did not drain: $(ls "$T/central/work")"

total_dup=0
total_unique=0
for h in a b; do
	got=$REMOTE/server-$h/kerio.log
	burst_seqs "$h" "$got" >"$T/$h.seqs"
	lines=$(wc -l <"$got")
	unique=$(sort -u "$T/$h.seqs" | wc -l)
	total_dup=$((total_dup + lines - unique))
	total_unique=$((total_unique + unique))
	check "server $h: sent $N, received distinct (lines $lines)" "$N" "$unique"
	if ((lines - unique <= DOUBLED_MAX)); then
		ok "server $h: $((lines - unique)) lines doubled (at most $DOUBLED_MAX)"
	else
		not_ok "server $h: $((lines - unique)) lines doubled, more than $DOUBLED_MAX"
	fi
	# Whole lines, each a first copy in order, byte for byte.
	awk '!seen[$0]++' "$got" >"$T/$h.dedup"
	if cmp -s "$T/$h/keriosecurity.log" "$T/$h.dedup"; then
		ok "server $h: the central file holds kerio2syslog's lines byte for byte, in order"
	else
		not_ok "server $h: the central file differs from kerio2syslog's output: $(diff "$T/$h/keriosecurity.log" "$T/$h.dedup" | head -4)"
	fi
done
# A line the central host wrote but had not acknowledged, or had not yet
# marked done in its queue, when it was killed comes again: RELP and the
# disk queue resend rather than lose.
echo "note: central killed and stopped: sent $((2 * N)), received $total_unique distinct, $total_dup twice"

f2b_finish
