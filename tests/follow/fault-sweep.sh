#!/bin/bash
# Fault sweep of follow mode: the follower is killed (SIGKILL, injected by
# strace) at its Nth write, rename, fsync/fdatasync or openat, restarted,
# and must still write every entry exactly once, whole and in order,
# across the output and its rotated copies (what fail2ban reads).
#
# usage: fault-sweep.sh [--long] [--syscalls "write rename fsync openat"]
#                       [--only N] [--keep] KERIO2SYSLOG
#
# One run of the scenario, with sequence-numbered entries 1..85:
#   start with no state on an empty input; as soon as the follower says
#   it started, a burst (1-20); an entry written by the flush timeout
#   whose continuation comes later (21); input rotated by rename, the
#   writer still appending to the old file (31-35); output rotated by
#   rename + SIGHUP; input copytruncate'd (the writer paused); output
#   rotated by rename without a signal; another late continuation (76);
#   SIGTERM; then more input (81-85) and a plain restart from the state
#   left, which must resume there.
# The follower dies at the Nth call of the syscall (strace -e inject=
# SYSCALL:signal=SIGKILL:when=N; the count is per syscall name, so "fsync"
# means the Nth fsync or the Nth fdatasync) and is restarted at once; for
# every third N the restart is killed too, at its (N/3+1)th call. For an
# odd N a follower found dead is left down through the next step (the
# rotations then happen while it is down), for an even N it is restarted
# at once. A run where N is past the calls made is a clean run.
#
# The short sweep (ctest follow_fault_sweep) tries N = 1, 2, 3 and then
# every STRIDE-th N of each syscall (STRIDE: the clean run's count / 3);
# --long tries every N from 1 to the clean run's count + 2. Prints per
# syscall the N tried, how many runs were exact, and the runs (and
# entries) lost, duplicated and torn; then each failing run with the
# command that repeats it. Exits 1 if any run was not exact.
# K2S_FOLLOW_ARGS (environment): options every follower started gets,
# split at blanks; K2S_FOLLOW_ARGS=--no-inotify runs it all on the stat
# ticks alone (ctest's NAME_noinotify twins; see tests/follow/lib.sh).
# The functions given to wait_until as words look unreachable to shellcheck.
# shellcheck disable=SC2317
set -u

LONG=0
KEEP=
ONLY=
SYSCALLS="write rename fsync openat"
while [ $# -gt 1 ]; do
	case $1 in
	--long) LONG=1 ;;
	--keep) KEEP=1 ;;
	--only) ONLY=$2; shift ;;
	--syscalls) SYSCALLS=$2; shift ;;
	*) break ;;
	esac
	shift
done
BIN=${1:?usage: fault-sweep.sh [--long] [--syscalls LIST] [--only N] [--keep] KERIO2SYSLOG}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/follow/lib.sh
. "$HERE/lib.sh"

command -v strace >/dev/null || { echo "strace missing: apt-get install strace"; exit 1; }

lib_top sweep

# The syscalls strace counts for each name of the sweep.
syscall_set() {
	case $1 in
	write) echo write ;;
	rename) echo rename,renameat,renameat2 ;;
	fsync) echo fsync,fdatasync ;;
	openat) echo openat,open ;;
	*) return 1 ;;
	esac
}

# restart: the follower died: start it again (killed again at the
# AGAIN-th call for the first restart of a run that asks for it).
restart() {
	fl_wait
	if [ "$STATUS" -eq 137 ]; then
		kills=$((kills + 1))
	else
		echo "follower ended with status $STATUS" >>"$D/notes"
	fi
	WRAP=()
	if [ "$AGAIN" -gt 0 ] && [ "$restarts" -eq 0 ]; then
		WRAP=(strace -o /dev/null -qq -e trace="$SET"
		    -e inject="$SET":signal=SIGKILL:when="$AGAIN" --)
	fi
	restarts=$((restarts + 1))
	fl_start
}

# up: the follower runs (restarted if it died).
up() {
	fl_alive || restart
	return 0
}

# caught_up SEQ: entry SEQ is written. A follower that died is started
# again at once for an even N (or with EAGER set); for an odd N it is
# left down through the next step (a rotation, say), and started again
# by the wait after it.
caught_up() {
	if fl_alive; then
		got "$1"
		return
	fi
	if [ $((N % 2)) -eq 1 ] && [ -z "$EAGER" ] && [ "$SKIPPED" -eq 0 ]; then
		SKIPPED=1
		echo "down through the step after seq $1" >>"$D/log"
		return 0
	fi
	SKIPPED=0
	restart
	return 1
}

said_start() {
	up
	grep -q ': following ' "$D/stderr"
}

# step SEQ: waits for entry SEQ; after one wait in vain, the others of
# the run are short (something is lost, the check will say what).
step() {
	if wait_until "$LIMIT" caught_up "$1"; then
		return 0
	fi
	echo "waited in vain for seq $1" >>"$D/notes"
	LIMIT=2
}

# rotate_output K: out.log becomes out.log.K, if it is there (logrotate's
# missingok): a follower killed since the last rotation has not made it.
rotate_output() {
	if [ -e "$D/out/out.log" ]; then
		mv "$D/out/out.log" "$D/out/out.log.$1"
	else
		echo "no out.log to rotate to out.log.$1" >>"$D/notes"
		return 1
	fi
}

# step_late SEQ: waits until the flush timeout wrote entry SEQ, whose
# continuation comes next; never with the follower down, or the
# continuation would rightly be joined to it.
step_late() {
	EAGER=1
	step "$1"
	EAGER=
}

# scenario SYSCALL N: one run, killed at the Nth call of SYSCALL; the
# verdict of verify goes to $D/verdict.
scenario() {
	SET=$(syscall_set "$1")
	D=$TOP/$1-$2
	N=$2
	scenario_traced
}

# scenario_traced: the run, with the syscalls SET traced (to $TRACE, if
# set) and the Nth of them killed; in directory $D.
scenario_traced() {
	mkdir -p "$D/in" "$D/out"
	: >"$D/in/in.log"
	: >"$D/expect"
	: >"$D/stderr"
	kills=0 restarts=0 AGAIN=0 LIMIT=10 SKIPPED=0 EAGER=
	[ $((N % 3)) -eq 0 ] && AGAIN=$((N / 3 + 1))
	WRAP=(strace -o "${TRACE:-/dev/null}" -qq -e trace="$SET"
	    -e inject="$SET":signal=SIGKILL:when="$N" --)
	fl_start
	wait_until 15 said_start || echo "never said it started" >>"$D/notes"

	entries 1 20 >>"$D/in/in.log"
	step 20
	# Written by the flush timeout, then continued.
	late 21 >>"$D/in/in.log"
	step_late 21
	late_tail 21 >>"$D/in/in.log"
	entries 22 30 >>"$D/in/in.log"
	step 30

	# Input rotated by rename; the writer appends to the old file
	# before it reopens.
	exec 3>>"$D/in/in.log"
	mv "$D/in/in.log" "$D/in/in.log.1"
	entries 31 35 >&3
	exec 3>&-
	entries 36 45 >>"$D/in/in.log"
	step 45

	# Output rotated, then SIGHUP (logrotate's create + postrotate).
	rotate_output 1 && fl_signal HUP
	entries 46 55 >>"$D/in/in.log"
	step 55

	# copytruncate, the writer paused meanwhile.
	cp "$D/in/in.log" "$D/in/in.log.2"
	: >"$D/in/in.log"
	entries 56 65 >>"$D/in/in.log"
	step 65

	# Output rotated without a signal: noticed by the follower itself.
	rotate_output 2
	entries 66 75 >>"$D/in/in.log"
	step 75
	late 76 >>"$D/in/in.log"
	step_late 76
	late_tail 76 >>"$D/in/in.log"
	entries 77 80 >>"$D/in/in.log"
	step 80

	EAGER=1
	step 80
	# Stopped; killed instead if the Nth call is in the exit.
	for _ in 1 2 3; do
		fl_signal TERM
		fl_wait
		[ "$STATUS" -eq 143 ] && break
		[ "$STATUS" -eq 137 ] && kills=$((kills + 1))
		WRAP=()
		fl_start
	done
	[ "$STATUS" -eq 143 ] ||
	    echo "SIGTERM: ended with status $STATUS" >>"$D/notes"

	# While stopped, more input; a plain restart resumes from the state.
	entries 81 85 >>"$D/in/in.log"
	WRAP=()
	AGAIN=0
	fl_start
	step 85
	fl_signal TERM
	fl_wait
	mapfile -t files < <(outputs)
	verify "${files[@]}" >"$D/verdict"
	# Entries appended after an output rotation belong in the new file:
	# fail2ban no longer reads the old one.
	local m1 m2
	m1=$(misplaced "$D/out/out.log.1" 45)
	m2=$(misplaced "$D/out/out.log.2" 65)
	MISPLACED=$((m1 + m2))
	[ "$MISPLACED" -eq 0 ] || echo "misplaced: $m1 entries in out.log.1" \
	    "after its rotation (rename + SIGHUP), $m2 in out.log.2 (rename" \
	    "only)" >>"$D/notes"
}

# counts: one run with no kill, every syscall of the sweep traced; sets
# CLEAN[name] to the calls of the first follower (up to its SIGTERM).
declare -A CLEAN
counts() {
	local sc all=
	for sc in $SYSCALLS; do
		all=$all${all:+,}$(syscall_set "$sc")
	done
	# A run that kills at a call never made: SET is what is traced.
	D=$TOP/clean N=65535 SET=$all
	TRACE=$TOP/trace scenario_traced
	for sc in $SYSCALLS; do
		CLEAN[$sc]=$(grep -c -E "^($(syscall_set "$sc" | tr , '|'))\(" \
		    "$TOP/trace")
	done
	if ! tail -n 1 "$D/verdict" | grep -q 'out of order 0$' ||
	    [ -s "$D/notes" ]; then
		echo "the run without kills was not exact:"
		show
	fi
	rm -rf "$D"
}

# field NAME: the number after NAME in $D/verdict.
field() {
	sed -n "s/.*$1 \([0-9]*\).*/\1/p" "$D/verdict"
}

# show: what went wrong in the run in $D.
show() {
	{
		head -n -1 "$D/verdict" | grep -v 'first difference' | head -n 6
		grep 'first difference' "$D/verdict"
		cat "$D/notes" 2>/dev/null
		grep -v -e ': following ' -e ' lines, ' -e ': rotated, reading' \
		    -e ': truncated, reading' "$D/stderr" | sort | uniq -c |
		    sed 's/^ */stderr (times): /' | head -n 4
	} | sed 's/^/    /'
}

status=0
for sc in $SYSCALLS; do
	syscall_set "$sc" >/dev/null ||
	    { echo "unknown syscall $sc (write rename fsync openat)"; exit 64; }
done
[ -n "$ONLY" ] || counts
for sc in $SYSCALLS; do
	clean=${CLEAN[$sc]:-?}
	if [ -n "$ONLY" ]; then
		list=$ONLY
	elif [ "$LONG" -eq 1 ]; then
		list=$(seq 1 $((clean + 2)))
	else
		list=$(printf '%s\n' 1 3 $(((clean + 1) / 2)) | sort -nu)
	fi
	tried=0 exact=0 rl=0 rd=0 rt=0 ro=0 rm=0 el=0 ed=0 et=0 em=0 killed=0
	for n in $list; do
		scenario "$sc" "$n"
		tried=$((tried + 1))
		killed=$((killed + kills))
		if tail -n 1 "$D/verdict" | grep -q 'lost 0, duplicated 0, torn 0, out of order 0$' &&
		    [ ! -s "$D/notes" ]; then
			exact=$((exact + 1))
			[ -n "$KEEP" ] || rm -rf "$D"
			continue
		fi
		status=1
		l=$(field lost) u=$(field duplicated) t=$(field torn)
		o=$(field order)
		[ "${l:-0}" -gt 0 ] && rl=$((rl + 1)) el=$((el + l))
		[ "${u:-0}" -gt 0 ] && rd=$((rd + 1)) ed=$((ed + u))
		[ "${t:-0}" -gt 0 ] && rt=$((rt + 1)) et=$((et + t))
		[ "${o:-0}" -gt 0 ] && ro=$((ro + 1))
		[ "$MISPLACED" -gt 0 ] && rm=$((rm + 1)) em=$((em + MISPLACED))
		echo "not exact: $sc N=$n (killed $kills times): $(tail -n 1 "$D/verdict")"
		show
		echo "    again: ${K2S_FOLLOW_ARGS:+K2S_FOLLOW_ARGS='$K2S_FOLLOW_ARGS' }$0 --syscalls $sc --only $n $BIN"
	done
	printf '%-6s clean run %s calls; N tried %d, exact %d, kills %d;' \
	    "$sc" "$clean" "$tried" "$exact" "$killed"
	printf ' lost in %d (%d entries), duplicated in %d (%d), torn in %d (%d),' \
	    "$rl" "$el" "$rd" "$ed" "$rt" "$et"
	printf ' out of order in %d, misplaced in %d (%d)\n' "$ro" "$rm" "$em"
done
[ "$status" -eq 0 ] ||
    echo "FAILED: some runs lost, repeated, tore or misplaced entries"
exit "$status"
