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

# writer HOST: N numbered entries, a third at a time: the second third
# waits for $T/two, the last for $T/three.
writer()
{
	local h=$1 i stamp
	stamp=$(date '+%d/%b/%Y %H:%M:%S')
	for ((i = 1; i <= N; i++)); do
		if ((i == N / 3 + 1)); then
			wait_until 120 test -e "$T/two" || return 1
		elif ((i == 2 * N / 3 + 1)); then
			wait_until 120 test -e "$T/three" || return 1
		fi
		printf '[%s] SMTP: User seq-%s-%06d doesn'"'"'t exist. Attempt from IP address 203.0.113.8.\n' \
		    "$stamp" "$h" "$i"
	done >>"$T/$h/security.log"
}
bg_start writer_a "$T/a/writer.out" writer a
bg_start writer_b "$T/b/writer.out" writer b

seqs()
{
	sed -n "s/.* User seq-$1-\([0-9]*\) doesn't exist.*/\1/p" "$2"
}
# at_central I: entry I of both servers is in the central files.
at_central()
{
	local h
	for h in a b; do
		grep -q "seq-$h-$(printf %06d "$1") " \
		    "$REMOTE/server-$h/kerio.log" 2>/dev/null || return 1
	done
}
# sent I: both senders' kerio2syslog wrote entry I.
sent()
{
	local h
	for h in a b; do
		grep -q "seq-$h-$(printf %06d "$1") " \
		    "$T/$h/keriosecurity.log" 2>/dev/null || return 1
	done
}
step()
{
	local what=$1
	shift
	wait_until "$DEADLINE" "$@" && return 0
	not_ok "$what: not within $DEADLINE s"
	local h
	for h in a b; do
		echo "# server $h: $(wc -l <"$T/$h/keriosecurity.log") written, $(cat "$REMOTE/server-$h/kerio.log" 2>/dev/null | wc -l) at the central host"
	done
	ls -l "$T/central/work" | sed 's/^/# /'
	grep -v "session broken" "$T/central/rsyslogd.out" | sort | uniq -c | sort -rn | head -8 | sed 's/^/# /'
	f2b_finish
}

step "part 1 at the central host" at_central $((N / 3))
dd if=/dev/zero of="$REMOTE/filler" bs=4k 2>/dev/null
df -k "$REMOTE" | awk 'NR == 2 { exit $4 != 0 }' ||
    not_ok "the filler leaves room on the tmpfs: $(df -k "$REMOTE" | tail -1)"
touch "$T/two"
step "part 2 written by both senders' kerio2syslog" sent $((2 * N / 3))
# Part 2 reaches the central host's disk queue (on another file system)
# and stays there while the log disk is full.
queued()
{
	local h
	for h in a b; do
		cat "$T"/central/work/kerio2syslog-remote.0* 2>/dev/null |
		    grep -q "seq-$h-$(printf %06d $((2 * N / 3))) " || return 1
	done
}
step "part 2 in the central host's queue" queued
if at_central $((2 * N / 3)); then
	not_ok "part 2 written at the central host with its log disk full"
fi
rm -f "$REMOTE/filler"
ok "the central log disk full for part 2, then freed"
touch "$T/three"
wait "$writer_a" "$writer_b"
step "part 3 at the central host" at_central "$N"
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
	seqs "$h" "$got" >"$T/$h.seqs"
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
