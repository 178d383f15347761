#!/bin/bash
# The central host's log disk full while the senders send, then freed:
# what each sender sent is counted at the central host.  As outage.sh
# runs it (two senders, one central, loopback port 20580), but the
# central's /var/log/remote is a small tmpfs of its own (root only: a
# private mount namespace).
#
# A burst of N numbered entries per server, in three parts:
#   1. written while there is room: every line reaches the central files;
#   2. written once the tmpfs is filled to the last byte (a filler file),
#      and given time to reach the central host;
#   3. written once the filler is gone.
# Part 2 waits in the central disk queue (another file system) while the
# writer cannot append it; once there is room, every entry is in the
# central per-host file exactly once, byte for byte and in order.  (With
# omfile, as the snippet was, 74 and 81 of part 2's 100 lines per server
# went to action.errorfile and 22 and 15 were lost without a trace.)
#
# usage: diskfull.sh path/to/kerio2syslog cache-dir
. "$(dirname "$0")/../lib.sh"
need_root "mount a tmpfs in a private mount namespace"
if [ -z "${K2S_SEVERAL_MNTNS:-}" ]; then
	K2S_SEVERAL_MNTNS=1 exec unshare -m --propagation private -- "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
several_init "$@"
rsyslog_init

PORT=20580
N=${SEVERAL_DISKFULL_N:-300}  # entries per server
DEADLINE=60                   # seconds for every step

REMOTE=$T/central/remote
mkdir -p "$REMOTE"
mount -t tmpfs -o size=1m tmpfs "$REMOTE" ||
    { not_ok "mount a tmpfs on the central's log directory"; f2b_finish; }
CLEANUP="several_stop_all; umount '$REMOTE'"

relp_start "$PORT"

bg_start writer_a "$T/a/writer.out" burst_writer a
bg_start writer_b "$T/b/writer.out" burst_writer b

CENTRAL=$REMOTE/server-HOST/kerio.log
QUEUE=$T/central/work/kerio2syslog-remote.0*

burst_step "part 1 at the central host" burst_in $((N / 3)) "$CENTRAL"
dd if=/dev/zero of="$REMOTE/filler" bs=4k 2>/dev/null
df -k "$REMOTE" | awk 'NR == 2 { exit $4 != 0 }' ||
    not_ok "the filler leaves room on the tmpfs: $(df -k "$REMOTE" | tail -1)"
touch "$T/two"
burst_step "part 2 written by both senders' kerio2syslog" burst_in $((2 * N / 3)) "$T/HOST/keriosecurity.log"
# Part 2 reaches the central host's disk queue (on another file system)
# and stays there while the log disk is full.
burst_step "part 2 in the central host's queue" burst_in $((2 * N / 3)) "$QUEUE"
if burst_in $((2 * N / 3)) "$CENTRAL"; then
	not_ok "part 2 written at the central host with its log disk full"
fi
rm -f "$REMOTE/filler"
ok "the central log disk full for part 2, then freed"
touch "$T/three"
wait "$writer_a" "$writer_b"
burst_step "part 3 at the central host" burst_in "$N" "$CENTRAL"
settled()
{
	local n
	n=$(cat "$REMOTE"/*/kerio.log | wc -l)
	sleep 1
	[ "$(cat "$REMOTE"/*/kerio.log | wc -l)" -eq "$n" ]
}
wait_until "$DEADLINE" settled

total=0
for h in a b; do
	got=$REMOTE/server-$h/kerio.log
	burst_seqs "$h" "$got" >"$T/$h.seqs"
	lines=$(wc -l <"$got")
	unique=$(sort -u "$T/$h.seqs" | wc -l)
	total=$((total + unique))
	check "server $h: sent $N, received distinct" "$N" "$unique"
	check "server $h: lines doubled" 0 $((lines - unique))
	if cmp -s "$T/$h/keriosecurity.log" "$got"; then
		ok "server $h: the central file holds kerio2syslog's lines byte for byte, in order"
	else
		not_ok "server $h: the central file differs from kerio2syslog's output: $(diff "$T/$h/keriosecurity.log" "$got" | head -4)"
	fi
done
echo "note: central log disk full: sent $((2 * N)), received $total"
f2b_finish
