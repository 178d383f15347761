#!/bin/bash
# Failures the fault sweep and the stress found, each made certain: the
# follower is driven into the state the random run reached by chance.
# Every entry must be written once, whole and in order.
#
# usage: torture-cases.sh [--keep] KERIO2SYSLOG [CASE...]   (default: all)
#   skip_then_truncate    a restart owes an output skip (its state is
#                         older than the output); the input is
#                         copytruncate'd before the replay caught up: the
#                         skip, counted in bytes, must not eat the new
#                         file's entries (stress: 28 lost, one torn).
#   torn_across_rotation  kill -9 cut the last output line, then the
#                         output was rotated while the follower was down:
#                         the entry must be written whole to the new file,
#                         not the rest of its line at the head of it.
#   copytruncate_after_rename
#                         a rename rotation, later a copytruncate while
#                         caught up: nothing of the renamed file may be
#                         read again.
#   copytruncate_unsaved_at_zero
#                         the commit on disk names a new file at offset 0;
#                         copytruncate, kill -9 before the truncation's
#                         commit: the restart must not drop the output's
#                         surplus from the new entries (stress seed 91959:
#                         231 lost, one torn): the copies made since the
#                         commit are read first (rotation_pick, unproven).
# Needs strace (to hold the follower at a chosen point). Prints "ok - CASE"
# or "not ok - CASE" with the differences; exits 1 if any case failed.
# K2S_FOLLOW_ARGS (environment): options every follower started gets,
# split at blanks; K2S_FOLLOW_ARGS=--no-inotify runs it all on the stat
# ticks alone (ctest's NAME_noinotify twins; see tests/follow/lib.sh).

# The functions given to wait_until as words look unreachable to shellcheck.
# shellcheck disable=SC2317
set -u

KEEP=
[ "${1:-}" = --keep ] && { KEEP=1; shift; }
BIN=${1:?usage: torture-cases.sh [--keep] KERIO2SYSLOG [CASE...]}
shift
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/follow/lib.sh
. "$HERE/lib.sh"
CASES=${*:-skip_then_truncate torn_across_rotation copytruncate_after_rename
copytruncate_unsaved_at_zero}
lib_top cases

# caught_up SEQ: entry SEQ is written, and a little more time has passed
# (a state save is due each second).
caught_up() {
	wait_until 15 got "$1" && sleep 1.2
}

# first_run N: entries 1..N, read from the start by a first follower.
first_run() {
	entries 1 "$1" >>"$D/in/in.log"
	ARGS=(--from-start)
	fl_start
	ARGS=()
	caught_up "$1"
}

stop() {
	fl_signal TERM
	fl_wait
	[ "$STATUS" -eq 143 ] || echo "  exit status $STATUS, want 143"
}

t_skip_then_truncate() {
	first_run 20 || return 1
	fl_signal KILL
	fl_wait
	cp "$D/state" "$D/state.old"
	fl_start
	entries 21 100 >>"$D/in/in.log"
	caught_up 100 || return 1
	fl_signal KILL
	fl_wait
	mv "$D/state.old" "$D/state"
	# The restart owes a skip (80 entries past the old state). Each of
	# its writes is held for half a second: from the start message on, which
	# is followed by at least two more writes (its newline, the state)
	# before the first read, the input is copytruncate'd.
	WRAP=(strace -o /dev/null -qq -e trace=write
	    -e inject=write:delay_exit=500000:when=1+ --)
	fl_start
	WRAP=()
	wait_until 10 grep -q 'already written' "$D/stderr" || return 1
	cp "$D/in/in.log" "$D/in/in.log.1"
	: >"$D/in/in.log"
	entries 101 120 >>"$D/in/in.log"
	caught_up 120
	stop
	verify "$D/out/out.log"
}

t_torn_across_rotation() {
	first_run 20 || return 1
	stop
	entries 21 30 >>"$D/in/in.log"
	# What a write killed after its first bytes leaves past the state.
	head -n 21 "$D/expect" | tail -n 1 | head -c 8 >>"$D/out/out.log"
	mv "$D/out/out.log" "$D/out/out.log.1"
	fl_start
	caught_up 30
	stop
	verify "$D/out/out.log.1" "$D/out/out.log"
}

t_copytruncate_after_rename() {
	first_run 10 || return 1
	mv "$D/in/in.log" "$D/in/in.log.1"
	entries 11 20 >>"$D/in/in.log"
	caught_up 20 || return 1
	cp "$D/in/in.log" "$D/in/in.log.2"
	: >"$D/in/in.log"
	entries 21 30 >>"$D/in/in.log"
	caught_up 30
	stop
	verify "$D/out/out.log"
}

# The commit on disk names the new file of a rename rotation at its
# offset 0 (no bytes before it to check it by) while the output runs ahead
# of it (here the saves fail; in the stress, no save came in the second
# between); then the file is copytruncate'd and written again, and the
# follower killed before it commits the truncation. The restart finds the
# file at offset 0 as it was named, with other bytes there, and must not
# drop the output's surplus (entries now in the copy) from the new ones.
t_copytruncate_unsaved_at_zero() {
	first_run 10 || return 1
	mv "$D/in/in.log" "$D/in/in.log.1"
	: >"$D/in/in.log"
	wait_until 15 grep -q 'reading the new file from its start' \
	    "$D/stderr" || return 1
	sleep 1.2 # a save is due each second: the commit names in.log at 0
	mkdir "$D/state.tmp"
	entries 11 50 >>"$D/in/in.log"
	wait_until 15 got 50 || return 1
	mv "$D/in/in.log.1" "$D/in/in.log.2"
	cp "$D/in/in.log" "$D/in/in.log.1"
	: >"$D/in/in.log"
	entries 51 55 >>"$D/in/in.log"
	# Seen, and not read again before its commit is on disk.
	wait_until 15 grep -q 'truncated, reading from its start' \
	    "$D/stderr" || return 1
	fl_signal KILL
	fl_wait
	rmdir "$D/state.tmp"
	fl_start
	entries 56 100 >>"$D/in/in.log"
	caught_up 100
	stop
	verify "$D/out/out.log"
}

status=0
for c in $CASES; do
	D=$TOP/$c
	mkdir -p "$D/in" "$D/out"
	: >"$D/expect"
	if "t_$c" >"$D/verdict" 2>&1; then
		echo "ok - $c"
	else
		echo "not ok - $c"
		sed 's/^/  /' "$D/verdict"
		grep -v ' lines, ' "$D/stderr" 2>/dev/null | sed 's/^/  stderr: /' |
		    tail -n 8
		status=1
	fi
	[ -n "$PID" ] && fl_alive && { fl_signal CONT; fl_signal KILL; fl_wait; }
done
exit "$status"
