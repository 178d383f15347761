#!/bin/bash
# Randomized stress of follow mode: a seeded random schedule of kill -9,
# SIGSTOP/SIGCONT, input rotation by rename and by copytruncate, two
# rotations in a row, output rotation with and without SIGHUP, long and
# wrapped entries (some of exactly --max-entry bytes), appends in bursts
# and drips, and entries written by the flush timeout whose continuation
# comes later. Every entry must be written exactly once, whole and in
# order, across the output and its rotated copies (what fail2ban reads).
#
# usage: stress.sh [--entries N] [--seed S]... [--keep] KERIO2SYSLOG
#
# Runs the schedule once per seed (default: seed 1 and one random seed,
# 3000 entries each: the ctest follow_stress); prints for each seed the
# entries, lost, duplicated, torn, out of order, and the entries written
# to an output's rotated copy after its rotation (misplaced: fail2ban no
# longer reads that file), then the first differences with the schedule
# around them. The schedule depends on the seed only, so a failure is
# repeated by `stress.sh --seed S --entries N`; timing still varies from
# run to run. copytruncate is done as logrotate does it, with the writer
# paused between the copy and the truncation, so that any loss is ours.
# Exits 1 if any run was not exact.
# K2S_FOLLOW_ARGS (environment): options every follower started gets,
# split at blanks; K2S_FOLLOW_ARGS=--no-inotify runs it all on the stat
# ticks alone (ctest's NAME_noinotify twins; see tests/follow/lib.sh).

# The functions given to wait_until as words look unreachable to shellcheck.
# shellcheck disable=SC2317
set -u

TOTAL=3000
KEEP=
SEEDS=()
while [ $# -gt 1 ]; do
	case $1 in
	--entries) TOTAL=$2; shift ;;
	--seed) SEEDS+=("$2"); shift ;;
	--keep) KEEP=1 ;;
	*) break ;;
	esac
	shift
done
BIN=${1:?usage: stress.sh [--entries N] [--seed S]... [--keep] KERIO2SYSLOG}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/follow/lib.sh
. "$HERE/lib.sh"
[ "${#SEEDS[@]}" -gt 0 ] || SEEDS=(1 $(((RANDOM << 15 | RANDOM) % 1000000 + 2)))

MAX=2048
FLUSH_MS=300
ARGS=(--max-entry "$MAX")

lib_top stress

# note TEXT: the schedule, for the report.
note() {
	printf 'seq %d: %s\n' "$n" "$*" >>"$D/schedule"
}

# append K: the next K entries (not past TOTAL) in one write, or to the
# descriptor given as $2.
append() {
	local k=$1 last
	last=$((n + k - 1))
	[ "$last" -gt "$TOTAL" ] && last=$TOTAL
	[ "$last" -lt "$n" ] && return 0
	entries "$n" "$last" "$MAX" >"$D/chunk"
	if [ -n "${2:-}" ]; then
		cat "$D/chunk" >&"$2"
	else
		cat "$D/chunk" >>"$D/in/in.log"
	fi
	n=$((last + 1))
}

drip() {
	local k=$1 i
	for ((i = 0; i < k; i++)); do
		append 1
		sleep "0.0$((RANDOM % 6))"
	done
}

# restart: a follower again; a state it refuses is kept for the report.
restart() {
	local starts refused
	starts=$(grep -c ': following ' "$D/stderr")
	refused=$(grep -c 'not used' "$D/stderr")
	[ -e "$D/state" ] && cp "$D/state" "$D/state.before"
	WRAP=()
	fl_start
	wait_until 10 said_more "$starts" ': following ' ||
	    echo "seq $n: no start message" >>"$D/notes"
	if said_more "$refused" 'not used'; then
		cp "$D/state.before" "$D/state.refused.$n"
		echo "seq $n: state refused, kept as state.refused.$n" >>"$D/notes"
	fi
}

# said_more N TEXT: the follower said TEXT more than N times.
said_more() {
	[ "$(grep -c "$2" "$D/stderr")" -gt "$1" ]
}

kill9() {
	fl_signal KILL
	fl_wait
}

# shift_rotated: as logrotate, in.log.N becomes in.log.N+1, the oldest
# first, so that in.log.1 is free for the newest (the follower takes the
# higher number for the older file).
shift_rotated() {
	local k
	INROT=$((INROT + 1))
	for ((k = INROT - 1; k >= 1; k--)); do
		[ -e "$D/in/in.log.$k" ] &&
		    mv "$D/in/in.log.$k" "$D/in/in.log.$((k + 1))"
	done
}

rotate_rename() {
	shift_rotated
	exec 4>>"$D/in/in.log"
	mv "$D/in/in.log" "$D/in/in.log.1"
	# The writer still has the old file open, and writes a little.
	append $((RANDOM % 5)) 4
	exec 4>&-
	append $((1 + RANDOM % 20))
}

copytruncate() {
	shift_rotated
	cp "$D/in/in.log" "$D/in/in.log.1"
	: >"$D/in/in.log"
	append $((1 + RANDOM % 20))
}

# rotate_output hup|quiet: as logrotate with missingok: not when the
# follower has not made the output again since the last rotation.
rotate_output() {
	local k
	[ -e "$D/out/out.log" ] || { note "(no output to rotate)"; return 0; }
	k=$((++OUTROT))
	mv "$D/out/out.log" "$D/out/out.log.$k"
	echo "$k $((n - 1))" >>"$D/outrot"
	[ "$1" = hup ] && fl_signal HUP
	return 0
}

# act NAME: one step of the schedule, noted in it.
act() {
	case $1 in
	burst)
		note "burst"
		append $((20 + RANDOM % 280)) ;;
	drip)
		note "drip"
		drip $((5 + RANDOM % 20)) ;;
	rename)
		note "rotation by rename"
		rotate_rename ;;
	copytruncate)
		note "copytruncate"
		copytruncate ;;
	two)
		note "two rotations in a row"
		rotate_rename
		rotate_rename ;;
	hup)
		note "output rotation and SIGHUP"
		rotate_output hup ;;
	quiet)
		note "output rotation, no signal"
		rotate_output quiet ;;
	kill)
		note "kill -9, restart"
		kill9
		restart ;;
	down)
		note "kill -9, then while down:"
		kill9
		disturb
		disturb
		note "restart"
		restart ;;
	stop)
		note "SIGSTOP, then while stopped:"
		fl_signal STOP
		disturb
		sleep "0.$((RANDOM % 5))"
		if [ $((RANDOM % 4)) -eq 0 ]; then
			note "kill -9 while stopped, restart"
			kill9
			restart
		else
			note "SIGCONT"
			fl_signal CONT
		fi ;;
	late)
		note "entry written by the flush timeout, continued late"
		late "$n" >>"$D/in/in.log"
		wait_until 15 got "$n" ||
		    echo "seq $n: not written by the flush timeout" >>"$D/notes"
		late_tail "$n" >>"$D/in/in.log"
		n=$((n + 1)) ;;
	pause)
		note "pause"
		sleep "0.$((RANDOM % 8))" ;;
	esac
}

# The schedule's steps, each as often as it is named (in 100).
STEPS=()
for s in burst:30 drip:8 kill:8 down:6 stop:8 rename:7 copytruncate:6 \
    two:4 hup:6 quiet:5 late:7 pause:5; do
	for ((i = 0; i < ${s#*:}; i++)); do
		STEPS+=("${s%:*}")
	done
done
# What is also done while the follower is stopped or down.
DISTURB=(burst rename copytruncate two hup quiet)

disturb() {
	act "${DISTURB[RANDOM % ${#DISTURB[@]}]}"
}

caught_up() {
	got $((n - 1))
}

# run SEED: one schedule; prints the verdict.
run() {
	local seed=$1 t0=$SECONDS
	RANDOM=$seed
	D=$TOP/seed-$seed
	mkdir -p "$D/in" "$D/out"
	: >"$D/in/in.log"
	: >"$D/expect"
	: >"$D/stderr"
	: >"$D/schedule"
	: >"$D/outrot"
	n=1 INROT=0 OUTROT=0
	restart
	while [ "$n" -le "$TOTAL" ]; do
		act "${STEPS[RANDOM % ${#STEPS[@]}]}"
		fl_alive || { echo "seq $n: the follower died" >>"$D/notes"; restart; }
	done
	wait_until 60 caught_up ||
	    echo "waited in vain for seq $((n - 1))" >>"$D/notes"
	fl_signal TERM
	fl_wait
	[ "$STATUS" -eq 143 ] ||
	    echo "SIGTERM: ended with status $STATUS" >>"$D/notes"
	# The state left by SIGTERM: a restart resumes there.
	TOTAL=$((TOTAL + 5))
	append 5
	restart
	wait_until 15 caught_up ||
	    echo "after the last restart, waited in vain for seq $((n - 1))" >>"$D/notes"
	fl_signal TERM
	fl_wait
	TOTAL=$((TOTAL - 5))

	mapfile -t files < <(outputs)
	verify "${files[@]}" >"$D/verdict"
	MISPLACED=0
	local k last m
	while read -r k last; do
		m=$(misplaced "$D/out/out.log.$k" "$last")
		MISPLACED=$((MISPLACED + m))
		[ "$m" -eq 0 ] ||
		    echo "misplaced: $m entries in out.log.$k after its rotation at seq $last" >>"$D/notes"
	done <"$D/outrot"
	printf 'seed %d: %s, misplaced %d (%d s; %d kill -9, %d SIGSTOP, %d input rotations, %d output rotations)\n' \
	    "$seed" "$(tail -n 1 "$D/verdict")" "$MISPLACED" $((SECONDS - t0)) \
	    "$(grep -c 'kill -9' "$D/schedule")" "$(grep -c SIGSTOP "$D/schedule")" \
	    "$INROT" "$OUTROT"
	if ! tail -n 1 "$D/verdict" | grep -q 'lost 0, duplicated 0, torn 0, out of order 0$' ||
	    [ -s "$D/notes" ]; then
		report
		return 1
	fi
	[ -n "$KEEP" ] || rm -rf "$D"
}

# The first differences, what the run noted, and the schedule around the
# first entry that went wrong.
report() {
	local first
	head -n -1 "$D/verdict"
	[ -s "$D/notes" ] && sed -n '1,10p' "$D/notes" | sed 's/^/  /'
	grep -v -e ': following ' -e ' lines, ' -e ': rotated, reading' \
	    -e ': truncated, reading' "$D/stderr" | sort | uniq -c |
	    sed 's/^ */  stderr (times): /' | head -n 6
	first=$(sed -n 's/.*first difference at entry [0-9]*: [a-z]*=//p' "$D/verdict")
	if [ -n "$first" ]; then
		echo "  schedule before seq $((10#$first)):"
		awk -v s=$((10#$first)) '$2 + 0 <= s' "$D/schedule" | tail -n 6 |
		    sed 's/^/    /'
	fi
	echo "  again: ${K2S_FOLLOW_ARGS:+K2S_FOLLOW_ARGS='$K2S_FOLLOW_ARGS' }$0 --seed $seed --entries $TOTAL $BIN"
}

status=0
for seed in "${SEEDS[@]}"; do
	run "$seed" || status=1
done
[ "$status" -eq 0 ] || echo "FAILED: entries lost, repeated, torn or misplaced"
exit "$status"
