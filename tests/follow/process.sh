#!/bin/bash
# Process tests of follow mode: a real follower driven through rotation,
# truncation, a missing file, SIGSTOP, kill -9, output rotation and the
# real logrotate. Every entry carries a sequence number; each test asserts
# that each number is written exactly once and in order.
#
# usage: process.sh KERIO2SYSLOG [SCENARIO...]   (default: all)
# Prints "N passed, M failed" last; exits 1 if any failed.
# K2S_FOLLOW_ARGS (environment): options every follower started gets,
# split at blanks; K2S_FOLLOW_ARGS=--no-inotify runs it all on the stat
# ticks alone (ctest's NAME_noinotify twins; see tests/follow/lib.sh).
set -u

BIN=${1:?usage: process.sh KERIO2SYSLOG [SCENARIO...]}
shift
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ALL="rename copytruncate missing sigstop_regrow kill9_burst
kill9_stale_state kill9_after_flush stopped_rotation output_hup output_moved
logrotate full_disk unreadable bad_state"
SCENARIOS=${*:-$ALL}
HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=tests/follow/lib.sh
. "$HERE/lib.sh"

lib_top follow

start() { # start NAME ARGS...: a follower of $D/in.log into $D/out.log
	"$BIN" "${FOLLOW_ARGS[@]}" --follow "$D/in.log" --output "$D/out.log" \
	    --state "$D/state" --flush-timeout 100 -H testhost -v "$@" \
	    2>>"$D/stderr" &
	PID=$!
	PIDS+=("$PID")
	echo "$PID" >"$D/pid"
}

stop() { # stop: SIGTERM, and the follower must die by it
	local rc
	kill -TERM "$PID"
	wait "$PID"
	rc=$?
	[ "$rc" -eq 143 ] || { echo "  exit status $rc, want 143"; return 1; }
}

# Waits for the follower to have set up its watches and state.
started() {
	wait_until 10 test -s "$D/state"
}

check() { # check COMMAND...
	if "$@"; then
		return 0
	fi
	echo "  failed: $*"
	return 1
}

t_rename() {
	gen 1 50 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 50 "$D/out.log" || return 1
	# The writer keeps its descriptor across the rename, as Kerio does
	# until it reopens: what it writes there must not be lost.
	exec 3>>"$D/in.log"
	mv "$D/in.log" "$D/in.log.1"
	gen 51 60 >&3
	gen 61 100 >"$D/in.log"
	gen 101 120 >>"$D/in.log"
	exec 3>&-
	check wait_until 15 have 120 "$D/out.log" || return 1
	stop && check exactly 120 "$D/out.log"
}

t_copytruncate() {
	gen 1 50 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 50 "$D/out.log" || return 1
	cp "$D/in.log" "$D/in.log.1"
	: >"$D/in.log"
	check wait_until 10 grep -q truncated "$D/stderr" || return 1
	gen 51 70 >>"$D/in.log"
	check wait_until 10 have 70 "$D/out.log" || return 1
	stop && check exactly 70 "$D/out.log"
}

t_missing() {
	start || return 1
	check wait_until 10 grep -q 'waiting for it' "$D/stderr" || return 1
	sleep 1.2 # a few stat ticks: the message must not repeat
	gen 1 30 >"$D/in.log"
	check wait_until 10 have 30 "$D/out.log" || return 1
	check test "$(grep -c 'waiting for it' "$D/stderr")" -eq 1 || return 1
	stop && check exactly 30 "$D/out.log"
}

t_sigstop_regrow() {
	gen 1 50 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 50 "$D/out.log" || return 1
	kill -STOP "$PID"
	# Truncated and regrown past the old offset before the follower
	# runs again: only the bytes before the offset tell.
	gen 51 200 >"$D/in.log"
	kill -CONT "$PID"
	check wait_until 10 have 200 "$D/out.log" || return 1
	stop && check exactly 200 "$D/out.log"
}

t_kill9_burst() {
	local n=20000 i
	: >"$D/in.log"
	start && started || return 1
	(
		for ((i = 1; i <= n; i += 250)); do
			gen "$i" $((i + 249)) >>"$D/in.log"
			sleep 0.01
		done
	) &
	local writer=$!
	PIDS+=("$writer")
	# Killed mid burst, again and again, and started at once each time.
	for i in 1 2 3 4 5; do
		sleep 0.$((2 + RANDOM % 5))
		kill -KILL "$PID"
		wait "$PID" 2>/dev/null
		start
	done
	wait "$writer"
	check wait_until 30 have "$n" "$D/out.log" || return 1
	echo "  restarts that found output past the commit:" \
	    "$(grep -c "already written" "$D/stderr")"
	stop && check exactly "$n" "$D/out.log"
}

# stale_state N M: 1..N written and saved, then N+1..M written, and the
# state of the moment after N put back, the follower dead: the crash
# between writing the output and saving the state, made certain.
stale_state() {
	local n=$1 m=$2
	gen 1 "$n" >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have "$n" "$D/out.log" || return 1
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	cp "$D/state" "$D/state.old"
	start || return 1
	gen $((n + 1)) "$m" >>"$D/in.log"
	check wait_until 30 have "$m" "$D/out.log" || return 1
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	mv "$D/state.old" "$D/state"
}

# The crash between writing the output and saving the state, made
# certain: the state of an earlier moment is put back before the restart.
t_kill9_stale_state() {
	# The output holds 21..60 past the size the old state names: with
	# the old state put back, the restart must find that surplus.
	stale_state 20 60 || return 1
	gen 61 80 >>"$D/in.log"
	start || return 1
	check wait_until 10 have 80 "$D/out.log" || return 1
	stop || return 1
	check grep -q 'already written, not repeated' "$D/stderr" &&
	    check exactly 80 "$D/out.log"
}

t_kill9_after_flush() {
	gen 1 10 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 10 "$D/out.log" || return 1
	# The last entry left on the flush timeout; its late continuation
	# line must become an entry of its own after a restart too.
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	printf '    late continuation of entry ten\n' >>"$D/in.log"
	start || return 1
	check wait_until 10 grep -q 'testhost kerio: .*late continuation' \
	    "$D/out.log" || return 1
	gen 11 20 >>"$D/in.log"
	check wait_until 10 have 20 "$D/out.log" || return 1
	stop || return 1
	check test "$(grep -c 'late continuation' "$D/out.log")" -eq 1 &&
	    check grep -q '10:00:10 testhost kerio: .*late continuation' \
	        "$D/out.log" &&
	    check exactly 20 "$D/out.log"
}

t_stopped_rotation() {
	gen 1 30 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 30 "$D/out.log" || return 1
	stop || return 1
	# While the service is down: more in the old file, then rotation.
	gen 31 40 >>"$D/in.log"
	mv "$D/in.log" "$D/in.log.1"
	gen 41 60 >"$D/in.log"
	start || return 1
	check wait_until 15 have 60 "$D/out.log" || return 1
	stop && check exactly 60 "$D/out.log"
}

t_output_hup() {
	gen 1 30 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 30 "$D/out.log" || return 1
	mv "$D/out.log" "$D/out.log.1"
	gen 31 40 >>"$D/in.log"
	kill -HUP "$PID"
	check wait_until 10 test -e "$D/out.log" || return 1
	gen 41 60 >>"$D/in.log"
	check wait_until 10 have 60 "$D/out.log.1" "$D/out.log" || return 1
	stop || return 1
	check exactly 60 "$D/out.log.1" "$D/out.log" &&
	    check grep -q 'seq=0000060' "$D/out.log" &&
	    check test "$(stat -c %a "$D/out.log")" = 640
}

t_output_moved() {
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	mv "$D/out.log" "$D/out.log.1"
	# No signal: the stat tick notices the rename by itself.
	check wait_until 10 test -e "$D/out.log" || return 1
	gen 21 40 >>"$D/in.log"
	check wait_until 10 have 40 "$D/out.log.1" "$D/out.log" || return 1
	stop && check exactly 40 "$D/out.log.1" "$D/out.log" &&
	    check grep -q 'seq=0000040' "$D/out.log"
}

reported() { # reported N TEXT: stderr has TEXT N times or more
	[ "$(grep -c "$2" "$D/stderr")" -ge "$1" ]
}

# A full disk (/dev/full): reported, retried with back-off, and the
# saved position stays where the output really is; SIGHUP after the cure
# (here the output's link now names a file with room) retries at once.
t_full_disk() {
	gen 1 20 >"$D/in.log"
	ln -s /dev/full "$D/out.link"
	start --from-start --output "$D/out.link" && started || return 1
	check wait_until 10 grep -q 'cannot write .*out.link' "$D/stderr" ||
	    return 1
	# Retried: after 1 s, then 2 s.
	check wait_until 10 reported 3 'cannot write' || return 1
	check test "$(grep -c 'working again' "$D/stderr")" -eq 0 || return 1
	check test "$(awk '$1 == "input" { print $5 }' "$D/state")" = 0 ||
	    return 1
	ln -sfn out.log "$D/out.link"
	kill -HUP "$PID"
	check wait_until 10 have 20 "$D/out.log" || return 1
	check wait_until 10 reported 1 'working again' || return 1
	stop && check exactly 20 "$D/out.log"
}

# An input that cannot be read: reported, retried with back-off, read
# once it can be. As root the follower runs as nobody, to be refused.
t_unreadable() {
	local as=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null ||
		    { echo "  setpriv missing"; return 1; }
		chmod 0711 "$TOP"
		chown nobody "$D"
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	fi
	gen 1 20 >"$D/in.log"
	chmod 000 "$D/in.log"
	"${as[@]}" "$BIN" "${FOLLOW_ARGS[@]}" --follow "$D/in.log" \
	    --output "$D/out.log" --state "$D/state" --flush-timeout 100 -v \
	    --from-start \
	    2>>"$D/stderr" &
	PID=$!
	PIDS+=("$PID")
	check wait_until 10 reported 2 'cannot open .*in.log: Permission' ||
	    return 1
	check test ! -s "$D/out.log" || return 1
	chmod 644 "$D/in.log"
	check wait_until 15 have 20 "$D/out.log" || return 1
	check wait_until 10 reported 1 'working again' || return 1
	stop && check exactly 20 "$D/out.log"
}

# A foreign or torn state file is refused with a clear message, not
# half believed.
t_bad_state() {
	gen 1 10 >"$D/in.log"
	echo '{"offset": 5}' >"$D/state"
	start --from-start || return 1
	check wait_until 10 have 10 "$D/out.log" || return 1
	check grep -q "state file .*: not a kerio2syslog state file" \
	    "$D/stderr" || return 1
	stop || return 1
	head -c 60 "$D/state" >"$D/state.torn" && mv "$D/state.torn" "$D/state"
	gen 11 20 >>"$D/in.log"
	start --from-start || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	check grep -q "state file .*: damaged or cut short" "$D/stderr" ||
	    return 1
	stop || return 1
	# Refused, the state is not used: --from-start reads all again.
	check test "$(seqs "$D/out.log" | wc -l)" -eq 30
}

# --- Issue 8, the input side: holes 1-5 and 14 ----------------------------

# run_from K N FILES...: K..N each once, in order, and nothing else.
run_from() {
	local k=$1 n=$2
	shift 2
	seqs "$@" | awk -v k="$k" -v n="$n" '
		{ if ($1 + 0 != k + c++) { printf "  entry %d is seq %d, want %d\n", c, $1, k + c - 1; bad = 1; exit } }
		END { if (!bad && c != n - k + 1) { printf "  %d entries, want %d\n", c, n - k + 1; bad = 1 }
		      exit bad }'
}

# restart_exactly N FILES...: a follower started again reads on until
# entry N is in FILES, and once stopped, 1..N are there each once.
restart_exactly() {
	local n=$1
	shift
	start || return 1
	check wait_until 15 have "$n" "$@" || return 1
	stop && check exactly "$n" "$@"
}

# has N FILES...: entry N is there (the entries before it may not be).
has() {
	local n=$1
	shift
	seqs "$@" | grep -q "^0*$n\$"
}

# The strace scenarios count the follower's own system calls: a wrapper
# (valgrind-ctest.sh runs the program through one) makes other calls.
traceable() {
	command -v strace >/dev/null || { echo "  strace missing"; return 1; }
	[ "$(head -c 4 "$BIN" | od -An -c | tr -d ' ')" = '177ELF' ] && return 0
	echo "  skipped: $BIN is not the program itself (a wrapper)"
	return 2
}

# dies_by_strace SYSCALL [N]: the first run, with no state, killed by
# SIGKILL at its Nth (first) SYSCALL; waits until it is dead.
dies_by_strace() {
	# In a subshell, so that bash does not tell of the kill.
	(strace -f -o /dev/null -e trace="$1" \
	    -e inject="$1":signal=SIGKILL:when="${2:-1}" "$BIN" \
	    "${FOLLOW_ARGS[@]}" --follow "$D/in.log" \
	    --output "$D/out.log" --state "$D/state" --flush-timeout 100 \
	    -H testhost -v 2>>"$D/stderr"; true) 2>/dev/null &
	local tracer=$!
	PIDS+=("$tracer")
	check wait_until 20 eval "! kill -0 $tracer 2>/dev/null" || return 1
	wait "$tracer" 2>/dev/null
	return 0
}

# Hole 14: the first run killed before its first save is on disk, at
# its first write(2), fsync(2) (the mark's directory), second fsync(2)
# (the first save's) or first rename(2). What was in the file before it
# started may be read (its start was not recorded: from the beginning),
# but nothing appended since may be lost or repeated.
t_crash_before_first_save() {
	traceable
	case $? in 1) return 1 ;; 2) return 0 ;; esac
	local sc n base=$D
	for sc in ${CRASH_SYSCALLS:-write fsync fsync:2 rename}; do
		n=${sc#*:}
		[ "$n" = "$sc" ] && n=1
		D=$base/${sc/:/_}
		mkdir -p "$D"
		gen 1 20 >"$D/in.log"
		dies_by_strace "${sc%%:*}" "$n" || return 1
		# Appended after the first run started, before the restart.
		gen 21 60 >>"$D/in.log"
		start || return 1
		check wait_until 15 has 60 "$D/out.log" || { D=$base; return 1; }
		stop || { D=$base; return 1; }
		cat "$D/stderr" >>"$base/stderr"
		if [ "$sc" = write ] || [ "$sc" = fsync ]; then
			# The kill came before any byte of the start was
			# saved: read from the beginning, and said so.
			check run_from 1 60 "$D/out.log" &&
			    check grep -q 'earlier start was not saved' "$D/stderr" ||
			    { D=$base; return 1; }
		else
			check run_from 21 60 "$D/out.log" || { D=$base; return 1; }
		fi
	done
	D=$base
	# A state file whose directory is missing: its lock cannot be
	# taken, so nothing starts (exit 73, named), nothing is read or
	# written; once the directory is there, a start begins at the end.
	gen 1 20 >"$D/in.log"
	local rc=0
	"$BIN" "${FOLLOW_ARGS[@]}" --follow "$D/in.log" --output "$D/out.log" \
	    --state "$D/nodir/state" -H testhost 2>"$D/nodir.err" || rc=$?
	check test "$rc" -eq 73 || return 1
	check grep -q "cannot lock state file: .*nodir/state.lock" \
	    "$D/nodir.err" || return 1
	check test ! -s "$D/out.log" || return 1
	mkdir "$D/nodir"
	start --state "$D/nodir/state" || return 1
	check wait_until 10 test -s "$D/nodir/state" || return 1
	gen 31 40 >>"$D/in.log"
	check wait_until 10 has 40 "$D/out.log" || return 1
	stop && check run_from 31 40 "$D/out.log"
}

# A first run killed at its first rename(2) leaves its whole start in the
# state's temporary file, and a second run starts from it. The second
# run's save empties that file before it writes: while its saves fail, it
# must read and write nothing (that file is no saved state any more), or a
# kill then has the next run read everything again from the beginning.
t_unsaved_start_save_fails() {
	traceable
	case $? in 1) return 1 ;; 2) return 0 ;; esac
	gen 1 20 >"$D/in.log"
	dies_by_strace rename || return 1
	check grep -q '^kerio2syslog-state ' "$D/state.tmp" || return 1
	gen 21 40 >>"$D/in.log"
	# Every write(2) to the temporary file fails, as on a full disk.
	start_traced -P "$D/state.tmp" -e trace=write \
	    -e inject=write:error=ENOSPC -- || return 1
	# Two failed saves: a second or more after the start.
	check wait_until 20 eval \
	    '[ "$(grep -c "cannot save state" "$D/stderr")" -ge 2 ]' ||
	    return 1
	kill -KILL "$PID"
	{ wait "$TRACER"; } 2>/dev/null
	gen 41 60 >>"$D/in.log"
	restart_exactly 60 "$D/out.log"
}

# saves_fail: a directory where the state's temporary file goes, so that
# every save fails. killed_while_saves_fail: once a save failed and the
# follower had its turn to read and write (it must not), killed by -9;
# then saves can succeed again.
saves_fail() {
	mkdir "$D/state.tmp"
}

killed_while_saves_fail() {
	check wait_until 10 grep -q 'cannot save state' "$D/stderr" ||
	    return 1
	sleep 1.5
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	rmdir "$D/state.tmp"
}

# A truncation with no copy beside it ends the bytes read: the commit at
# the new start must be on disk before the file is read again, as when an
# input is left, or a crash while saves fail repeats what was read since
# (the saved position is found nowhere, and the file is read from 0).
t_truncate_save_failed() {
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	saves_fail
	kill -STOP "$PID"
	: >"$D/in.log"
	gen 21 40 >>"$D/in.log"
	kill -CONT "$PID"
	killed_while_saves_fail || return 1
	restart_exactly 40 "$D/out.log"
}

# The start is the moment its mark is on disk (C26 at the head of
# commit.c): the state's directory is synced after the mark is made and
# before the input is opened, so that a power cut there keeps it.
t_mark_on_disk() {
	traceable
	case $? in 1) return 1 ;; 2) return 0 ;; esac
	gen 1 20 >"$D/in.log"
	STRACE_LOG=$D/trace start_traced -y -e trace=openat,fsync -- ||
	    return 1
	check wait_until 10 test -s "$D/state" || return 1
	kill -TERM "$PID"
	{ wait "$TRACER"; } 2>/dev/null
	check awk -v d="<$D>" -v t="$D/state.tmp\"" -v i="$D/in.log\"" '
		index($0, t) && /O_CREAT/ && !mark { mark = 1; next }
		mark && /fsync\(/ && index($0, d ")") { synced = 1 }
		mark && index($0, i) { exit !synced }
		END { if (!mark) exit 1 }' "$D/trace"
}

# A start while the input is missing saves a state that names no input
# (the next start reads the file from 0, skipping nothing): the file,
# once there, is read only after the commit naming it is on disk, or a
# crash while saves fail repeats what was read of it.
t_appears_save_failed() {
	start || return 1
	check wait_until 10 grep -qs '^input 0 ' "$D/state" || return 1
	saves_fail
	gen 1 20 >"$D/in.log"
	killed_while_saves_fail || return 1
	restart_exactly 20 "$D/out.log"
}

# A FIFO planted where the state's temporary file goes (the first
# start's mark, the save's temporary file) never holds a first start: it
# is removed and the mark made anew, as a link there is.
t_state_tmp_fifo() {
	mkfifo "$D/state.tmp" || return 1
	gen 1 20 >"$D/in.log"
	start || return 1
	check wait_until 10 test -s "$D/state" || return 1
	gen 21 30 >>"$D/in.log"
	check wait_until 10 have 30 "$D/out.log" || return 1
	stop && check test -f "$D/state" && check exactly 30 "$D/out.log"
}

# first_run N: entries 1..N, read from the start by a follower that is
# then stopped: a state to restart from.
first_run() {
	gen 1 "$1" >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have "$1" "$D/out.log" || return 1
	stop
}

# rotate_twice: 31..40 appended to the file read, then two rotations:
# it becomes in.log.2, 41..50 in in.log.1, 51..60 in the new in.log.
rotate_twice() {
	gen 31 40 >>"$D/in.log"
	mv "$D/in.log" "$D/in.log.1"
	gen 41 50 >"$D/in.log"
	mv "$D/in.log.1" "$D/in.log.2"
	mv "$D/in.log" "$D/in.log.1"
	gen 51 60 >"$D/in.log"
}

# two_runs A B C D FILE: FILE holds A..B then C..D, each once, in order.
two_runs() {
	local n=$(($2 - $1 + 1))
	check run_from "$1" "$2" <(seqs "$5" | head -n "$n" | sed 's/^/seq=/') &&
	    check run_from "$3" "$4" <(seqs "$5" | tail -n +$((n + 1)) |
	        sed 's/^/seq=/')
}

# Hole 1: two rotations while stopped: the middle file is read too, each
# file from where it stopped, oldest first. Then a rotated file compressed
# before it was finished: named as unreadable, the rest read.
t_two_rotations_stopped() {
	first_run 30 || return 1
	rotate_twice
	start || return 1
	check wait_until 15 have 60 "$D/out.log" || return 1
	stop && check exactly 60 "$D/out.log" || return 1
	# Compressed at once (no delaycompress), unfinished: 61..70 cannot
	# be read, and the message says so and names the file.
	gen 61 70 >>"$D/in.log"
	mv "$D/in.log.2" "$D/in.log.3"
	mv "$D/in.log.1" "$D/in.log.2"
	mv "$D/in.log" "$D/in.log.1"
	gzip "$D/in.log.1"
	gen 71 80 >"$D/in.log"
	start || return 1
	check wait_until 15 has 80 "$D/out.log" || return 1
	stop || return 1
	check grep -q 'not read here.*compressed: in.log.1.gz' "$D/stderr" &&
	    two_runs 1 60 71 80 "$D/out.log"
}

# Hole 1, live: two rotations while the follower is stopped (SIGSTOP,
# as a slow output or a long pause would): the middle file is not skipped.
t_two_rotations_paused() {
	first_run 30 || return 1
	start && started || return 1
	kill -STOP "$PID"
	rotate_twice
	kill -CONT "$PID"
	check wait_until 15 have 60 "$D/out.log" || return 1
	gen 61 70 >>"$D/in.log"
	check wait_until 15 have 70 "$D/out.log" || return 1
	stop && check exactly 70 "$D/out.log"
}

# Hole 2: copytruncate while stopped: the unread entries are in the copy.
t_copytruncate_stopped() {
	first_run 30 || return 1
	gen 31 40 >>"$D/in.log"
	cp "$D/in.log" "$D/in.log.1"
	: >"$D/in.log"
	gen 41 60 >>"$D/in.log"
	start || return 1
	check wait_until 15 have 60 "$D/out.log" || return 1
	stop && check exactly 60 "$D/out.log"
}

# Two rotations while the path is not made again (stress seed 32045): the
# file read is renamed twice over and the path is missing; the newer
# rotated file is read without waiting for the path to come back.
t_rotated_path_missing() {
	gen 1 10 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 10 "$D/out.log" || return 1
	mv "$D/in.log" "$D/in.log.1"
	gen 11 20 >"$D/in.log"
	mv "$D/in.log.1" "$D/in.log.2"
	mv "$D/in.log" "$D/in.log.1"
	check wait_until 15 have 20 "$D/out.log" || return 1
	gen 21 30 >"$D/in.log"
	check wait_until 15 have 30 "$D/out.log" || return 1
	stop && check exactly 30 "$D/out.log"
}

# at_zero_of_new_file: 1..30 read, in.log renamed to in.log.1 and made
# again empty; a follower started from that state has left in.log.1 for
# the new in.log, where it holds offset 0 (its commit says so).
at_zero_of_new_file() {
	first_run 30 || return 1
	mv "$D/in.log" "$D/in.log.1"
	: >"$D/in.log"
	start && started || return 1
	check wait_until 10 grep -q 'reading the new file' "$D/stderr"
}

# copytruncate_shifted: copytruncate as logrotate does it: the rotated
# files move one up (.1 to .2 ...), the copy is the new .1.
copytruncate_shifted() {
	local k=1
	while [ -e "$D/in.log.$k" ]; do k=$((k + 1)); done
	while [ "$k" -gt 1 ]; do
		mv "$D/in.log.$((k - 1))" "$D/in.log.$k"
		k=$((k - 1))
	done
	cp "$D/in.log" "$D/in.log.1" && : >"$D/in.log"
}

# A commit at offset 0 proves nothing by its bytes. A follower holding
# the path at 0 (nothing of it read yet: stopped here, or between two
# stat ticks) when copytruncate runs, twice, must read the copies first,
# oldest first, then the path; an older rotated file that was there
# before (the file read before) is not read again.
t_copytruncate_before_read() {
	at_zero_of_new_file || return 1
	kill -STOP "$PID"
	gen 31 40 >>"$D/in.log"
	copytruncate_shifted
	gen 41 50 >>"$D/in.log"
	copytruncate_shifted
	gen 51 60 >>"$D/in.log"
	kill -CONT "$PID"
	check wait_until 15 have 60 "$D/out.log" || return 1
	stop && check exactly 60 "$D/out.log"
}

# The same while the follower is down, its commit at offset 0 of the
# path (stress seeds 91959, 431048): the restart reads the copies first.
t_copytruncate_at_zero_stopped() {
	at_zero_of_new_file || return 1
	stop || return 1
	gen 31 40 >>"$D/in.log"
	copytruncate_shifted
	gen 41 50 >>"$D/in.log"
	start || return 1
	check wait_until 15 have 50 "$D/out.log" || return 1
	stop && check exactly 50 "$D/out.log"
}

# A copy made since the commit, named older than the file it names: that
# file renamed to in.log.1 while the follower is down, then the new file
# copied to in.log.2 and truncated (copytruncate by hand; the fault sweep
# does it so). Its entries come after in.log.1's and before the path's,
# whatever its name says.
t_copy_named_older_stopped() {
	first_run 30 || return 1
	gen 31 40 >>"$D/in.log"
	mv "$D/in.log" "$D/in.log.1"
	gen 41 50 >"$D/in.log"
	cp "$D/in.log" "$D/in.log.2"
	: >"$D/in.log"
	gen 51 60 >>"$D/in.log"
	start || return 1
	check wait_until 15 have 60 "$D/out.log" || return 1
	stop && check exactly 60 "$D/out.log"
}

# A first run killed before its first save (at its first write(2), the
# save's, or its first fsync(2), the mark's), then the input rotated
# while it is down: the restart reads the file rotated from its
# beginning, then the new one; nothing appended since the start is lost.
t_first_start_killed_then_rotated() {
	traceable
	case $? in 1) return 1 ;; 2) return 0 ;; esac
	local sc base=$D
	for sc in write fsync; do
		D=$base/$sc
		mkdir -p "$D"
		gen 1 20 >"$D/in.log"
		dies_by_strace "$sc" 1 || { D=$base; return 1; }
		gen 21 40 >>"$D/in.log"
		mv "$D/in.log" "$D/in.log.1"
		gen 41 60 >"$D/in.log"
		start || { D=$base; return 1; }
		check wait_until 15 has 60 "$D/out.log" || { D=$base; return 1; }
		stop || { D=$base; return 1; }
		cat "$D/stderr" >>"$base/stderr"
		check run_from 1 60 "$D/out.log" &&
		    check grep -q 'not saved.*beginning of in.log.1' \
		        "$D/stderr" || { D=$base; return 1; }
	done
	D=$base
}

# Hole 3: the same bytes under a new identity (restore, rsync, cp + mv; a
# device renumbered at boot looks the same): recognised by content, the
# rotated file too. Simulated with cp + mv, which gives a new inode.
t_renumbered_identity() {
	first_run 30 || return 1
	gen 31 40 >>"$D/in.log"
	cp "$D/in.log" "$D/copy" && mv "$D/copy" "$D/in.log"
	start || return 1
	check wait_until 15 have 40 "$D/out.log" || return 1
	stop || return 1
	check exactly 40 "$D/out.log" || return 1
	# Rotated, then both files copied back under new identities.
	gen 41 50 >>"$D/in.log"
	mv "$D/in.log" "$D/in.log.1"
	gen 51 60 >"$D/in.log"
	cp "$D/in.log.1" "$D/copy" && mv "$D/copy" "$D/in.log.1"
	cp "$D/in.log" "$D/copy" && mv "$D/copy" "$D/in.log"
	start || return 1
	check wait_until 15 have 60 "$D/out.log" || return 1
	stop && check exactly 60 "$D/out.log"
}

# Hole 4: a truncation while a last line is unfinished. With the copy
# there (copytruncate, the writer finished the line before the copy), the
# line is completed from the copy; without one it is taken as it is, as a
# rename does, never dropped.
t_truncate_unfinished() {
	gen 1 10 >"$D/in.log"
	printf '[26/Nov/2026 10:00:11] seq=0000011 Failed SMTP login' \
	    >>"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 10 "$D/out.log" || return 1
	kill -STOP "$PID"
	printf ' from 192.0.2.11\n' >>"$D/in.log"
	gen 12 15 >>"$D/in.log"
	cp "$D/in.log" "$D/in.log.1"
	: >"$D/in.log"
	gen 16 20 >>"$D/in.log"
	kill -CONT "$PID"
	check wait_until 15 have 20 "$D/out.log" || return 1
	check grep -q 'seq=0000011 Failed SMTP login from 192.0.2.11$' \
	    "$D/out.log" || return 1
	# No copy: the unfinished line is taken as it is.
	printf '[26/Nov/2026 10:00:21] seq=0000021 Failed SMTP' >>"$D/in.log"
	check wait_until 10 grep -q 'seq=0000020' "$D/out.log" || return 1
	# The follower reads the unfinished line (no sign of it in the
	# output): its descriptor's offset says so.
	check wait_until 10 read_to_end "$D/in.log" || return 1
	kill -STOP "$PID"
	: >"$D/in.log"
	gen 22 30 >>"$D/in.log"
	kill -CONT "$PID"
	check wait_until 15 have 30 "$D/out.log" || return 1
	stop || return 1
	check grep -q 'seq=0000021 Failed SMTP$' "$D/out.log" &&
	    check exactly 30 "$D/out.log"
}

# read_to_end FILE: the follower (PID) has read FILE to its end: its
# descriptor open on FILE is at FILE's size (it reads with read(2)).
read_to_end() {
	local fd size
	size=$(stat -c %s "$1") || return 1
	for fd in /proc/"$PID"/fd/*; do
		[ "$(readlink "$fd")" = "$1" ] || continue
		[ "$(awk '$1 == "pos:" { print $2 }' \
		    "/proc/$PID/fdinfo/${fd##*/}")" = "$size" ] && return 0
	done
	return 1
}

# Hole 5: truncated (copytruncate) and regrown past the read offset
# between two reads of one round. strace, attached once the follower
# runs, slows each read down, so that the truncation falls between two.
t_truncate_regrow_round() {
	traceable
	case $? in 1) return 1 ;; 2) return 0 ;; esac
	: >"$D/in.log"
	gen 50001 100000 >"$D/new"
	start --from-start && started || return 1
	strace -o /dev/null -p "$PID" -e trace=read \
	    -e inject=read:delay_exit=150000:when=1..40 2>/dev/null &
	local tracer=$!
	PIDS+=("$tracer")
	check wait_until 10 eval \
	    '! grep -q "^TracerPid:[[:space:]]*0$" "/proc/$PID/status"' ||
	    return 1
	gen 1 40000 >>"$D/in.log"
	# The output buffer is written every 128 KiB: the round is under way.
	check wait_until 20 test -s "$D/out.log" || return 1
	has 40000 "$D/out.log" && { echo "  round over too soon"; return 1; }
	cp "$D/in.log" "$D/in.log.1"
	cat "$D/new" >"$D/in.log"
	check wait_until 60 eval 'tail -n 1 "$D/out.log" | grep -q seq=0100000' ||
	    return 1
	# strace detaches on SIGINT; then the follower stops as always.
	kill -INT "$tracer"
	wait "$tracer"
	stop && two_runs 1 40000 50001 100000 "$D/out.log"
}

# Hole 1 with dated names (logrotate's dateext): the later, the newer.
t_dated_rotations() {
	first_run 30 || return 1
	gen 31 40 >>"$D/in.log"
	mv "$D/in.log" "$D/in.log-20261125"
	gen 41 50 >"$D/in.log"
	mv "$D/in.log" "$D/in.log-20261126"
	gen 51 60 >"$D/in.log"
	start || return 1
	check wait_until 15 have 60 "$D/out.log" || return 1
	stop && check exactly 60 "$D/out.log"
}

# The file deleted (not rotated) and made again: the older rotated file
# beside it, never read before, is not read now either (it is older
# than the file read before; the commit records which that was).
t_deleted_not_rotated() {
	printf '[26/Nov/2026 09:00:00] seq=9999999 older, never to be read\n' \
	    >"$D/in.log.1"
	first_run 10 || return 1
	start && started || return 1
	rm "$D/in.log"
	gen 11 20 >"$D/in.log"
	check wait_until 15 have 20 "$D/out.log" || return 1
	stop || return 1
	# While stopped: deleted and made again; its rest is told as lost.
	rm "$D/in.log"
	gen 21 30 >"$D/in.log"
	start || return 1
	check wait_until 15 have 30 "$D/out.log" || return 1
	stop || return 1
	check grep -q 'saved position .* is in no file' "$D/stderr" &&
	    check exactly 30 "$D/out.log"
}

# Hole 3 for real: the file system of the input mounted again from
# another loop device, so that the device number changes and the inodes
# stay. Run in a mount namespace of its own (root, unshare and loop
# devices needed; skipped without them), which takes the mounts along
# when it ends.
t_renumbered_device() {
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null ||
	    ! command -v mkfs.ext4 >/dev/null ||
	    ! unshare -m true 2>/dev/null; then
		echo "  skipped: needs root, unshare and mkfs.ext4"
		return 0
	fi
	K2S_IN_NS=1 unshare -m --propagation private \
	    "$HERE/process.sh" "$BIN" renumbered_device_ns >"$D/inner" 2>&1
	local rc=$?
	sed 's/^/  /' "$D/inner" | grep -v '^  ok - '
	return $rc
}

t_renumbered_device_ns() {
	[ -n "${K2S_IN_NS:-}" ] || { echo "  run by renumbered_device"; return 1; }
	local rc
	renumbered_device_body
	rc=$?
	D=${D%/a}
	if [ -n "$PID" ]; then
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	umount "$D/a" "$D/b" 2>/dev/null
	return $rc
}

renumbered_device_body() {
	local top=$D i
	for i in a b; do
		truncate -s 16M "$top/$i.img" &&
		    mkfs.ext4 -q -F "$top/$i.img" >/dev/null 2>&1 &&
		    mkdir "$top/$i" || return 1
	done
	if ! mount -o loop "$top/a.img" "$top/a" 2>/dev/null; then
		echo "  skipped: no loop mount here"
		return 0
	fi
	local dev1 dev2
	dev1=$(stat -c %d "$top/a")
	D=$top/a
	first_run 30 || { D=$top; return 1; }
	gen 31 40 >>"$D/in.log"
	D=$top
	umount "$top/a" || return 1
	# Another loop device taken first: the next mount gets a new one.
	mount -o loop "$top/b.img" "$top/b" && mount -o loop "$top/a.img" \
	    "$top/a" || return 1
	dev2=$(stat -c %d "$top/a")
	check test "$dev1" != "$dev2" || return 1
	D=$top/a
	start || { D=$top; return 1; }
	check wait_until 15 have 40 "$D/out.log" || { D=$top; return 1; }
	stop && check grep -q 'under another device or inode' "$D/stderr" &&
	    check exactly 40 "$D/out.log"
	i=$?
	cp "$D/stderr" "$top/stderr"
	D=$top
	return $i
}

# An attacker plants links and a FIFO as rotated names: nothing outside
# the directory comes into the output, nothing blocks, nothing is lost.
t_planted_link() {
	mkdir -p "$D/elsewhere"
	printf '[26/Nov/2026 10:00:00] seq=9999999 SECRET\n' >"$D/elsewhere/secret"
	first_run 10 || return 1
	gen 11 20 >>"$D/in.log"
	mv "$D/in.log" "$D/in.log.3"
	ln -s elsewhere/secret "$D/in.log.2"
	mkfifo "$D/in.log.1"
	gen 21 30 >"$D/in.log"
	start || return 1
	check wait_until 15 have 30 "$D/out.log" || return 1
	gen 31 40 >>"$D/in.log"
	mv "$D/in.log" "$D/in.log.0"
	ln -sfn elsewhere/secret "$D/in.log"
	ln -sfn ../elsewhere/secret "$D/in.log.1x"
	sleep 1.5
	rm "$D/in.log"
	gen 41 50 >"$D/in.log"
	check wait_until 15 have 50 "$D/out.log" || return 1
	stop || return 1
	check test "$(grep -c SECRET "$D/out.log")" -eq 0 &&
	    check exactly 50 "$D/out.log"
}

# A logrotate configuration for $D/out.log: the shipped one if there is
# one (its path, owner and reload adapted), else our own with create.
logrotate_conf() {
	if [ -f "$LOGROTATE_FILE" ]; then
		shipped_logrotate "$D/out.log" "kill -HUP \$(cat $D/pid)"
	else
		cat <<-CONF
		$D/out.log {
			rotate 8
			missingok
			notifempty
			create 0640
			postrotate
				kill -HUP \$(cat $D/pid)
			endscript
		}
		CONF
	fi
}

t_logrotate() {
	command -v logrotate >/dev/null || { echo "  logrotate missing"; return 1; }
	logrotate_conf >"$D/logrotate.conf"
	gen 1 30 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 30 "$D/out.log" || return 1
	local round
	for round in 1 2 3; do
		gen $((round * 30 + 1)) $((round * 30 + 15)) >>"$D/in.log"
		logrotate -s "$D/logrotate.state" -f "$D/logrotate.conf" \
		    2>>"$D/stderr" || { echo "  logrotate failed"; cat "$D/stderr"; return 1; }
		gen $((round * 30 + 16)) $((round * 30 + 30)) >>"$D/in.log"
		check wait_until 10 have $((round * 30 + 30)) \
		    "$D"/out.log.* "$D/out.log" || return 1
	done
	stop || return 1
	# Oldest first: out.log.3[.gz], out.log.2[.gz], out.log.1, out.log.
	local files=() i
	for i in 9 8 7 6 5 4 3 2 1; do
		for f in "$D/out.log.$i" "$D/out.log.$i.gz"; do
			[ -e "$f" ] && files+=("$f")
		done
	done
	check exactly 120 "${files[@]}" "$D/out.log" &&
	    check test "$(ls "$D"/out.log.* | wc -l)" -eq 3
}

# --- Holes 6-13 of issue 8: the commit and the output side ---

# start_traced STRACE_OPTION... -- ARGS...: a follower under strace's
# fault injection (for example -P FILE -e trace=read,openat -e
# inject=read:signal=KILL:when=2: SIGKILL at its second read(2) of FILE),
# in the background; PID is then the follower's, TRACER strace's.
start_traced() {
	local opts=() tracer
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	command -v strace >/dev/null || { echo "  strace missing"; return 1; }
	strace -f -qq -o "${STRACE_LOG:-/dev/null}" "${opts[@]}" \
	    "$BIN" "${FOLLOW_ARGS[@]}" --follow "$D/in.log" \
	    --output "$D/out.log" --state "$D/state" --flush-timeout 100 \
	    -H testhost -v "$@" \
	    2>>"$D/stderr" &
	tracer=$!
	PIDS+=("$tracer")
	# A follower killed at once may be gone before it is seen.
	wait_until 10 eval "pgrep -P $tracer >/dev/null ||
	    ! kill -0 $tracer 2>/dev/null" || return 1
	PID=$(pgrep -P "$tracer")
	PIDS+=("$PID")
	TRACER=$tracer
}

# start_faulted SIGNAL SYSCALL FILE N ARGS...: SIGNAL at the Nth SYSCALL
# on FILE. KILL: a crash at a chosen point; STOP: frozen there.
start_faulted() {
	local sig=$1 call=$2 file=$3 n=$4
	shift 4
	start_traced -P "$file" -e trace="$call",openat \
	    -e inject="$call":signal="$sig":when="$n" -- "$@"
}

# start_killed SYSCALL FILE N ARGS...: killed by SIGKILL at the Nth
# SYSCALL on FILE, and waited for.
start_killed() {
	start_faulted KILL "$@" || return 1
	{ wait "$TRACER"; } 2>/dev/null
	return 0
}

# frozen: the follower is stopped (by start_faulted STOP).
frozen() {
	[ "$(awk '{ print $3 }' "/proc/$PID/stat" 2>/dev/null)" = t ] ||
	    [ "$(awk '{ print $3 }' "/proc/$PID/stat" 2>/dev/null)" = T ]
}

# gen_year YEAR FIRST LAST: as gen, in another year.
gen_year() {
	gen "$2" "$3" | sed "s#/2026 #/$1 #"
}

# Hole 6: a second follower of the same state file is refused at once
# with a clear message (exit 75), and the first goes on alone.
t_two_instances() {
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	second_refused "$D/state" 20
}

# second_refused STATE N: a second follower, started as start with the
# state file named STATE, is refused (exit 75, saying which process holds
# the state file), and the first one ($PID), which has written entries 1
# to N, goes on alone: no entry is written twice.
second_refused() {
	local first=$PID second rc state=$1 n=$2
	"$BIN" "${FOLLOW_ARGS[@]}" --follow "$D/in.log" --output "$D/out.log" \
	    --state "$state" --flush-timeout 100 -H testhost -v \
	    2>>"$D/stderr" &
	second=$!
	PIDS+=("$second")
	if ! wait_until 10 eval "! kill -0 $second 2>/dev/null"; then
		echo "  the second follower runs beside the first"
		kill -TERM "$second"
		wait "$second"
		return 1
	fi
	wait "$second"
	rc=$?
	check test "$rc" -eq 75 || { echo "  second exit status $rc"; return 1; }
	check grep -q "state file .* is in use by process $first" \
	    "$D/stderr" || return 1
	gen $((n + 1)) $((n + 20)) >>"$D/in.log"
	check wait_until 10 have $((n + 20)) "$D/out.log" || return 1
	stop && check exactly $((n + 20)) "$D/out.log"
}

# Issue 18: a second follower given a symbolic link to the running one's
# state file is refused: the lock is the state file's, not its name's.
t_two_instances_symlink() {
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	ln -s state "$D/link"
	second_refused "$D/link" 20
}

# Issue 18: the lock survives its file deleted while a follower runs: a
# second follower started at once, and another a while later, are
# refused.
t_lock_deleted() {
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	rm "$D/state.lock"
	second_refused "$D/state" 20 || return 1
	# Deleted a while before the second starts: the first makes it again.
	local k
	k=$(grep -c "resuming at the saved position" "$D/stderr")
	start || return 1
	check wait_until 10 eval '[ "$(grep -c "resuming at the saved position" \
	    "$D/stderr")" -gt "$k" ]' || return 1
	rm "$D/state.lock"
	check wait_until 10 test -e "$D/state.lock" || return 1
	second_refused "$D/state" 40
}

# Issue 18: the lock file deleted while its follower is stopped, and taken
# by a second one: the first, continued, sees it and stops at once (exit
# 75, naming the second) without writing; the second goes on alone.
t_lock_taken() {
	local first second rc
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	first=$PID
	kill -STOP "$first"
	rm "$D/state.lock"
	start || return 1
	second=$PID
	# It waits 2.5 s before taking the lock file it made, then runs.
	check wait_until 10 eval '[ "$(grep -c "resuming at the saved position" \
	    "$D/stderr")" -ge 1 ]' || { kill -CONT "$first"; return 1; }
	kill -CONT "$first"
	check wait_until 10 eval "! kill -0 $first 2>/dev/null" || return 1
	wait "$first"
	rc=$?
	check test "$rc" -eq 75 || { echo "  first exit status $rc"; return 1; }
	check grep -q "state file .* is now in use by process $second" \
	    "$D/stderr" || return 1
	gen 21 40 >>"$D/in.log"
	check wait_until 10 have 24 "$D/out.log" || return 1
	stop && check exactly 40 "$D/out.log"
}

# status_is RC WORD: --status exits RC and its verdict starts with WORD.
status_is() {
	"$BIN" --status --state "$D/state" -o "$D/out.log" "$D/in.log" \
	    >"$D/status.out" 2>&1
	local rc=$?
	[ "$rc" -eq "$1" ] && grep -q "^status: *$2" "$D/status.out"
}

# state_older SECONDS: the state file was last saved more than SECONDS ago.
state_older() {
	[ $(($(date +%s) - $(stat -c %Y "$D/state"))) -gt "$1" ]
}

# Issue 18: --status tells a running follower (ok, 0) from a stopped one
# with bytes unread (stalled, 2, once the bound has passed) and from none
# (not running, 3); bytes just written to a follower idle for long are
# not "stalled": it reads them within the bound.
t_status_truth() {
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	check status_is 0 ok || { cat "$D/status.out"; return 1; }
	# Idle past the bound (7.1 s: --status's flush timeout, 0.1 s, a tick,
	# a commit interval and 5 s), then new bytes: still ok.
	check wait_until 20 state_older 9 || return 1
	gen 21 40 >>"$D/in.log"
	check status_is 0 ok || { cat "$D/status.out"; return 1; }
	check wait_until 10 have 40 "$D/out.log" || return 1
	kill -STOP "$PID"
	gen 41 2000 >>"$D/in.log"
	check wait_until 30 status_is 2 stalled || {
		cat "$D/status.out"
		kill -CONT "$PID"
		return 1
	}
	kill -CONT "$PID"
	check wait_until 20 have 2000 "$D/out.log" || return 1
	check status_is 0 ok || { cat "$D/status.out"; return 1; }
	stop || return 1
	check status_is 3 "not running" || { cat "$D/status.out"; return 1; }
	check exactly 2000 "$D/out.log"
}

# Hole 6: the state's temporary file is never followed through a link
# planted beside the state: the file it names stays as it was.
t_state_tmp_symlink() {
	echo precious >"$D/victim"
	ln -s "$D/victim" "$D/state.tmp"
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	stop || return 1
	check test "$(cat "$D/victim")" = precious &&
	    check test ! -L "$D/state" &&
	    check grep -q '^kerio2syslog-state ' "$D/state" &&
	    check exactly 20 "$D/out.log"
}

# Hole 7: while the state cannot be saved, the output is not reopened
# (nor written after its rotation): a crash then repeats nothing.
t_save_failed_then_rotate() {
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	# A directory where the temporary file goes: every save fails.
	mkdir "$D/state.tmp"
	gen 21 40 >>"$D/in.log"
	check wait_until 10 have 24 "$D/out.log" || return 1
	check wait_until 10 grep -q 'cannot save state' "$D/stderr" || return 1
	mv "$D/out.log" "$D/out.log.1"
	kill -HUP "$PID"
	gen 41 60 >>"$D/in.log"
	sleep 1.5 # the follower's turn to reopen and write (it must not)
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	rmdir "$D/state.tmp"
	start || return 1
	check wait_until 15 have 60 "$D/out.log.1" "$D/out.log" || return 1
	stop && check exactly 60 "$D/out.log.1" "$D/out.log"
}

# Hole 8: restarted after the output was rotated, killed while the replay
# still skips: the state saved then must hold no negative size, and the
# next restart must take it and lose nothing.
t_negative_out_size() {
	# The crash came before the save of 21..40; the output was rotated.
	stale_state 20 40 || return 1
	mv "$D/out.log" "$D/out.log.1"
	start_killed read "$D/in.log" 1 || return 1
	check test "$(awk '$1 == "output" { print ($5 < 0) }' "$D/state")" = 0 ||
	    return 1
	gen 41 60 >>"$D/in.log"
	start || return 1
	check wait_until 15 have 60 "$D/out.log.1" "$D/out.log" || return 1
	stop || return 1
	check test "$(grep -c 'not used' "$D/stderr")" -eq 0 &&
	    check exactly 60 "$D/out.log.1" "$D/out.log"
}

# Hole 8: a SIGHUP (output rotated) while a replay still skips: the
# replay of a backlog longer than one read slice (8 MiB) sees signals
# between slices.
t_hup_while_skipping() {
	local n=120000
	stale_state 20 "$n" || return 1
	# Stopped at its first read of the input (reads 1 and 2 load the
	# state), the output rotated, SIGHUP; killed at the save after the
	# one that follows the reopen (rename 1 starts, 2 and 3 surround
	# the reopen): the state on disk is the one saved while skipping.
	start_traced -P "$D/in.log" -P "$D/state" -P "$D/state.tmp" \
	    -e trace=read,rename,openat \
	    -e inject=read:signal=STOP:when=3 \
	    -e inject=rename:signal=KILL:when=4 -- || return 1
	check wait_until 10 frozen || return 1
	mv "$D/out.log" "$D/out.log.1"
	kill -HUP "$PID"
	kill -CONT "$PID"
	check wait_until 90 eval "! kill -0 $PID 2>/dev/null" || return 1
	{ wait "$TRACER"; } 2>/dev/null
	check test "$(awk '$1 == "output" { print ($5 < 0) }' "$D/state")" = 0 ||
	    return 1
	gen $((n + 1)) $((n + 20)) >>"$D/in.log"
	gen $((n + 21)) $((n + 40)) >>"$D/in.log"
	start || return 1
	check wait_until 15 have $((n + 40)) "$D/out.log.1" "$D/out.log" ||
	    return 1
	stop || return 1
	check test "$(grep -c 'not used' "$D/stderr")" -eq 0 &&
	    check exactly $((n + 40)) "$D/out.log.1" "$D/out.log"
}

# Hole 9: the write-ahead record of a timeout flush survives the first
# save after a restart: a second crash before the replay reaches it still
# writes the entry apart from its late continuation line.
t_flush_at_two_crashes() {
	gen 1 10 >"$D/in.log"
	# Killed at the write of entry 10 by the flush timeout, after its
	# write-ahead record was saved (the write of 1..9 is the first).
	start_killed write "$D/out.log" 2 --from-start || return 1
	check grep -q '^flush [0-9]' "$D/state" || return 1
	check test "$(awk '$1 == "flush" { print $2 }' "$D/state")" -ge 0 ||
	    return 1
	printf '    late continuation of entry ten\n' >>"$D/in.log"
	gen 11 20 >>"$D/in.log"
	# Killed again at its first read: after the save that opens a start.
	start_killed read "$D/in.log" 1 || return 1
	start || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	stop || return 1
	# Apart, under entry ten's stamp (joined, it would follow seq 10).
	check test "$(grep -c '10:00:10 testhost kerio: \[continued\] late continuation' \
	    "$D/out.log")" -eq 1 &&
	    check exactly 20 "$D/out.log"
}

# Hole 10: a stamp with a year the parser accepts (here 999) is saved in
# the state and taken back: the restart resumes, it does not refuse.
t_year_range() {
	gen_year 0999 1 10 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 10 "$D/out.log" || return 1
	stop || return 1
	gen_year 0999 11 20 >>"$D/in.log"
	start || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	stop || return 1
	check test "$(grep -c 'not used' "$D/stderr")" -eq 0 &&
	    check exactly 20 "$D/out.log"
}

# Hole 11: writing to standard output, a reader that goes away ends
# follow mode with status 0, as the manual says.
t_stdout_epipe() {
	local rc
	gen 1 10 >"$D/in.log"
	mkfifo "$D/pipe"
	"$BIN" "${FOLLOW_ARGS[@]}" --follow "$D/in.log" --state "$D/state" \
	    --from-start --flush-timeout 100 -H testhost 2>>"$D/stderr" >"$D/pipe" &
	PID=$!
	PIDS+=("$PID")
	head -n 5 <"$D/pipe" >"$D/out.log"
	gen 11 30 >>"$D/in.log"
	check wait_until 10 eval "! kill -0 $PID 2>/dev/null" || return 1
	wait "$PID"
	rc=$?
	PID=
	check test "$rc" -eq 0 || { echo "  exit status $rc"; return 1; }
	check test "$(grep -c 'working again' "$D/stderr")" -eq 0 &&
	    check exactly 5 "$D/out.log"
}

# saved_at_end: the state on disk holds the position at the end of
# $D/in.log (every entry read so far is committed).
saved_at_end() {
	[ "$(awk '$1 == "input" { print $5 }' "$D/state" 2>/dev/null)" = \
	    "$(stat -c %s "$D/in.log")" ]
}

# stdout_crash INTO: a follower writing to standard output, redirected by
# INTO ("pipe": a pipe into cat >>out.log; "file": >>out.log), killed -9
# with entries 21..40 written after the last save (every save fails);
# then restarted with the state saved after 20, until it wrote them again
# or not. The manual's exactly once and at least once for that output.
stdout_crash() {
	local run
	gen 1 20 >"$D/in.log"
	for run in 1 2; do
		if [ "$1" = pipe ]; then
			rm -f "$D/pipe"
			mkfifo "$D/pipe"
			cat "$D/pipe" >>"$D/out.log" &
			PIDS+=("$!")
			exec 4>"$D/pipe"
		else
			exec 4>>"$D/out.log"
		fi
		"$BIN" "${FOLLOW_ARGS[@]}" --follow "$D/in.log" --state "$D/state" \
		    --from-start --flush-timeout 100 -H testhost 2>>"$D/stderr" >&4 &
		PID=$!
		PIDS+=("$PID")
		exec 4>&-
		[ "$run" = 2 ] && return 0
		check wait_until 10 have 20 "$D/out.log" || return 1
		check wait_until 10 saved_at_end || return 1
		# A directory where the temporary file goes: every save fails.
		mkdir "$D/state.tmp"
		gen 21 40 >>"$D/in.log"
		check wait_until 10 have 40 "$D/out.log" || return 1
		check wait_until 10 grep -q 'cannot save state' "$D/stderr" ||
		    return 1
		kill -KILL "$PID"
		wait "$PID" 2>/dev/null
		rmdir "$D/state.tmp"
	done
}

# Standard output on a pipe has no identity to measure: after a crash,
# what was written after the last save is written again (at least once).
t_stdout_pipe_at_least_once() {
	stdout_crash pipe || return 1
	check wait_until 15 eval '[ "$(seqs "$D/out.log" | wc -l)" -ge 60 ]' ||
	    return 1
	stop || return 1
	wait
	check test "$(seqs "$D/out.log" | tr '\n' ' ')" = \
	    "$( (seq -f %07g 1 40; seq -f %07g 21 40) | tr '\n' ' ')"
}

# Standard output redirected to a regular file (>>) has the file's
# identity and size: a restart drops what it writes again (exactly once).
t_stdout_file_exactly_once() {
	stdout_crash file || return 1
	check wait_until 15 grep -q 'following' "$D/stderr" || return 1
	gen 41 50 >>"$D/in.log"
	check wait_until 15 have 50 "$D/out.log" || return 1
	stop && check exactly 50 "$D/out.log"
}

# The options that shape the bytes are recorded in the state: changed
# after a clean stop, the restart says so and goes on exactly; changed
# after a crash, it says how many bytes it cannot match, and cuts no line.
t_options_changed() {
	gen 1 20 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 20 "$D/out.log" || return 1
	stop || return 1
	gen 21 40 >>"$D/in.log"
	start -t kerio2 || return 1
	check wait_until 10 have 40 "$D/out.log" || return 1
	check wait_until 10 grep -q 'changed since the state was saved.*nothing was written after it' \
	    "$D/stderr" || return 1
	check test "$(grep -c 'testhost kerio2: ' "$D/out.log")" -eq 20 ||
	    return 1
	check exactly 40 "$D/out.log" || return 1
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	cp "$D/state" "$D/state.old"
	start -t kerio2 || return 1
	gen 41 60 >>"$D/in.log"
	check wait_until 10 have 60 "$D/out.log" || return 1
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	mv "$D/state.old" "$D/state"
	start -t kerio3 || return 1
	check wait_until 10 grep -q 'changed since the state was saved.*bytes written after the last save are not matched' \
	    "$D/stderr" || return 1
	gen 61 70 >>"$D/in.log"
	check wait_until 10 have 70 "$D/out.log" || return 1
	stop || return 1
	# 41..60 again, under the new tag; no line cut.
	check test "$(grep -c 'testhost kerio3: ' "$D/out.log")" -eq 30 &&
	    check test "$(grep -vc '^Nov 26 10:[0-9:]* testhost kerio[23]*: ' "$D/out.log")" -eq 0
}

# whole FILES...: every line is a whole converted entry (none torn).
whole() {
	! cat "$@" | grep -Evq '^Nov 26 [0-9:]{8} testhost kerio: seq=[0-9]{7} Failed SMTP login from 192\.0\.2\.[0-9]+( with user name "user[0-9]+")?$'
}

# Hole 13: the output's file system fills up in the middle of a write
# batch (a short write, then ENOSPC): the half line is completed exactly
# once when space returns. A small tmpfs in a mount namespace of its own
# (unshare -m); the follower, in it, sees the same tmpfs.
t_enospc_half_line() {
	local rc
	if [ -z "${K2S_IN_NS:-}" ]; then
		command -v unshare >/dev/null ||
		    { echo "  unshare missing"; return 1; }
		if ! unshare -m --propagation private true 2>/dev/null; then
			echo "  skipped: a tmpfs needs mount rights (root)"
			return 0
		fi
		K2S_IN_NS=1 TMPDIR=$D unshare -m --propagation private \
		    "$HERE/process.sh" "$BIN" enospc_half_line >"$D/ns.out" 2>&1
		rc=$?
		grep -v '^ok - \|passed, ' "$D/ns.out"
		return $rc
	fi
	mkdir "$D/fs" && mount -t tmpfs -o size=64k tmpfs "$D/fs" ||
	    { echo "  cannot mount a tmpfs"; return 1; }
	enospc_half_line_in "$D/fs"
	rc=$?
	[ -z "$PID" ] || { kill -KILL "$PID"; wait "$PID"; } 2>/dev/null
	PID=
	umount -l "$D/fs"
	return $rc
}

enospc_half_line_in() {
	# 15 of its 16 pages taken: one page for the output.
	dd if=/dev/zero of="$D/fs/fill" bs=4096 count=15 2>/dev/null
	gen 1 100 >"$D/in.log"
	start --from-start --output "$D/fs/out.log" && started || return 1
	check wait_until 10 grep -q 'cannot write .*out.log: No space' \
	    "$D/stderr" || return 1
	check test "$(stat -c %s "$D/fs/out.log")" -eq 4096 || return 1
	check test "$(tail -c 1 "$D/fs/out.log" | od -An -c | tr -d ' ')" != '\n' ||
	    return 1
	rm "$D/fs/fill"
	check wait_until 15 have 100 "$D/fs/out.log" || return 1
	gen 101 120 >>"$D/in.log"
	check wait_until 10 have 120 "$D/fs/out.log" || return 1
	stop || return 1
	check whole "$D/fs/out.log" && check exactly 120 "$D/fs/out.log" ||
	    return 1
	# Again with the state on the full file system too, killed while
	# full, started again full, then space made and SIGHUP.
	local used
	cp "$D/state" "$D/fs/state"
	used=$(du -B4096 -s "$D/fs" | cut -f1)
	dd if=/dev/zero of="$D/fs/fill" bs=4096 count=$((16 - used)) \
	    2>/dev/null
	gen 121 300 >>"$D/in.log"
	start --output "$D/fs/out.log" --state "$D/fs/state" || return 1
	check wait_until 10 reported 2 'cannot write .*out.log: No space' ||
	    return 1
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	start --output "$D/fs/out.log" --state "$D/fs/state" || return 1
	check wait_until 10 reported 3 'cannot write .*out.log: No space' ||
	    return 1
	rm "$D/fs/fill"
	kill -HUP "$PID"
	check wait_until 15 have 300 "$D/fs/out.log" || return 1
	stop || return 1
	check whole "$D/fs/out.log" && check exactly 300 "$D/fs/out.log" ||
	    return 1
	# Again, and the full output rotated (as logrotate would) before the
	# SIGHUP: the torn line stays in the rotated file, and is written
	# whole to the new one, never completed across the two.
	mv "$D/fs/state" "$D/state"
	used=$(du -B4096 -s "$D/fs" | cut -f1)
	dd if=/dev/zero of="$D/fs/fill" bs=4096 count=$((16 - used)) \
	    2>/dev/null
	gen 301 500 >>"$D/in.log"
	local before
	before=$(grep -c 'cannot write' "$D/stderr")
	start --output "$D/fs/out.log" || return 1
	check wait_until 10 reported $((before + 1)) \
	    'cannot write .*out.log: No space' || return 1
	check test "$(tail -c 1 "$D/fs/out.log" | od -An -c | tr -d ' ')" != '\n' ||
	    return 1
	mv "$D/fs/out.log" "$D/fs/out.log.1"
	rm "$D/fs/fill"
	kill -HUP "$PID"
	check wait_until 15 have 500 "$D/fs/out.log.1" "$D/fs/out.log" ||
	    return 1
	stop || return 1
	grep -E '^Nov 26 .*(192\.0\.2\.[0-9]+|"user[0-9]+")$' "$D/fs/out.log.1" \
	    >"$D/whole.1"
	check whole "$D/fs/out.log" &&
	    check exactly 500 "$D/whole.1" "$D/fs/out.log"
}

# dead_or_have N FILES...: the follower is dead, or 1..N are there.
dead_or_have() {
	local n=$1
	shift
	! kill -0 "$PID" 2>/dev/null || have "$n" "$@"
}

# revive: a follower killed by the sweep is started again. Killed before
# its first save, it had read and written nothing: it starts from the
# beginning (a start without state is issue 8's hole 14, not this test).
revive() {
	kill -0 "$PID" 2>/dev/null && return 0
	wait_until 10 eval "! kill -0 $TRACER 2>/dev/null" || return 1
	{ wait "$TRACER"; } 2>/dev/null
	ALIVE=0
	if [ -e "$D/state" ]; then
		start || return 1
	else
		start --from-start || return 1
	fi
	# Running the program, not still the shell forked for it.
	wait_until 10 execed
}

# execed: PID runs the program (a signal before that hits the shell).
execed() {
	[ "$(readlink "/proc/$PID/exe")" = "$(readlink -f "$BIN")" ]
}

# sweep_stop: stops the follower, the traced one too; one killed by the
# sweep while it stopped is started again and stopped.
sweep_stop() {
	local rc
	[ "$ALIVE" -eq 1 ] || { stop; return; }
	kill -TERM "$PID"
	wait_until 10 eval "! kill -0 $TRACER 2>/dev/null" ||
	    { echo "  the traced follower did not stop"; return 1; }
	{ wait "$TRACER"; } 2>/dev/null
	rc=$?
	[ "$rc" -eq 143 ] && return 0
	[ "$rc" -eq 137 ] || { echo "  exit status $rc, want 143"; return 1; }
	revive && stop
}

# One run of the sweep: SIGKILL at the Nth CALL of the follower, in a run
# that reads, writes by the flush timeout, has its output rotated (with
# SIGHUP) and its input rotated; killed, it is started again at once.
# Every entry once, in order, over the output files.
sweep_once() {
	local call=$1 n=$2 saved=$D rc=1
	D=$D/$call.$n
	mkdir "$D" || { D=$saved; return 1; }
	ALIVE=1
	gen 1 30 >"$D/in.log"
	start_traced -e trace="$call" -e inject="$call":signal=KILL:when="$n" \
	    -- --from-start &&
	    wait_until 10 dead_or_have 30 "$D/out.log" && revive &&
	    check wait_until 10 have 30 "$D/out.log" &&
	    mv "$D/out.log" "$D/out.log.1" &&
	    { kill -HUP "$PID" 2>/dev/null || :; } &&
	    gen 31 40 >>"$D/in.log" &&
	    wait_until 10 dead_or_have 40 "$D/out.log.1" "$D/out.log" && revive &&
	    check wait_until 10 have 40 "$D/out.log.1" "$D/out.log" &&
	    mv "$D/in.log" "$D/in.log.1" && gen 41 50 >"$D/in.log" &&
	    wait_until 10 dead_or_have 50 "$D/out.log.1" "$D/out.log" && revive &&
	    check wait_until 10 have 50 "$D/out.log.1" "$D/out.log" &&
	    sweep_stop && check exactly 50 "$D/out.log.1" "$D/out.log" && rc=0
	[ "$rc" -eq 0 ] || echo "  killed at $call $n (see $D/stderr)"
	D=$saved
	return $rc
}

# The fault sweep: SIGKILL at the Nth write, rename, fsync and openat,
# N from 1 up to SWEEP_MAX (default 4: CI) or until a run is not killed;
# SWEEP_MAX=1000 sweeps a whole run (a few minutes); SWEEP_CALLS and
# SWEEP_FROM narrow it.
t_fault_sweep() {
	local call n
	for call in ${SWEEP_CALLS:-write rename fsync openat}; do
		for ((n = ${SWEEP_FROM:-1}; n <= ${SWEEP_MAX:-4}; n++)); do
			sweep_once "$call" "$n" || return 1
			[ "$ALIVE" -eq 0 ] || break
		done
		echo "  $call: killed at each of the first $((n - 1 - ALIVE)) calls"
	done
}

# SIGHUP storms while entries arrive and the output is rotated.
t_hup_storm() {
	local i
	: >"$D/in.log"
	start && started || return 1
	(
		for ((i = 1; i <= 3000; i += 100)); do
			gen "$i" $((i + 99)) >>"$D/in.log"
			sleep 0.02
		done
	) &
	local writer=$!
	PIDS+=("$writer")
	for i in $(seq 1 150); do
		kill -HUP "$PID"
		[ $((i % 50)) -eq 0 ] && mv "$D/out.log" "$D/out.log.$((i / 50))"
		sleep 0.005
	done
	wait "$writer"
	check wait_until 20 have 3000 "$D"/out.log.[0-9] "$D/out.log" ||
	    return 1
	stop && check exactly 3000 "$D/out.log.1" "$D/out.log.2" \
	    "$D/out.log.3" "$D/out.log"
}

# neighbour RATE SECS: $D/mail.log written beside the input (the
# script NEIGHBOUR) in the background, its id in NEIGHBOUR_PID.
neighbour() {
	"$NEIGHBOUR" "$D/mail.log" "$1" "$2" &
	NEIGHBOUR_PID=$!
	PIDS+=("$NEIGHBOUR_PID")
}

# A neighbour written 10,000 times a second wakes the follower for
# nothing: it sleeps through it (a wake-up is a voluntary context
# switch: a few a second for the stat tick and the entries, where every
# write woke it before: thousands a second), its CPU stays near zero,
# and entries appended meanwhile arrive within the flush timeout (with
# the stat tick's second without inotify) and a margin.
t_busy_neighbour() {
	local secs=60 i c0 c1 t0 t1 ticks hz switches cpu wakes bound=2
	[ "${#FOLLOW_ARGS[@]}" -gt 0 ] && bound=3
	gen 1 10 >"$D/in.log"
	start --from-start && started || return 1
	check wait_until 10 have 10 "$D/out.log" || return 1
	neighbour 10000 "$secs"
	check wait_until 10 test -s "$D/mail.log" || return 1
	read -r -a c0 <<<"$(proc_cost "$PID")" || return 1
	t0=$(date +%s%N)
	for i in 11 12 13 14 15; do
		gen "$i" "$i" >>"$D/in.log"
		check wait_until "$bound" have "$i" "$D/out.log" || return 1
		sleep 0.5 # entries apart, the neighbour busy between them
	done
	read -r -a c1 <<<"$(proc_cost "$PID")"
	t1=$(date +%s%N)
	kill "$NEIGHBOUR_PID" 2>/dev/null ||
	    { echo "  the neighbour stopped before the end"; return 1; }
	wait "$NEIGHBOUR_PID" 2>/dev/null
	forget "$NEIGHBOUR_PID"
	hz=$(getconf CLK_TCK)
	ticks=$((c1[0] - c0[0]))
	switches=$((c1[1] - c0[1]))
	# Per second of the run: CPU in per cent of one core, wake-ups.
	cpu=$((ticks * 100 * 1000000000 / hz / (t1 - t0)))
	wakes=$((switches * 1000000000 / (t1 - t0)))
	echo "  follower: $cpu% CPU, $wakes wake-ups a second;" \
	    "neighbour: $(wc -l <"$D/mail.log") lines"
	check test "$cpu" -lt 20 && check test "$wakes" -lt 50 || return 1
	stop && check exactly 15 "$D/out.log"
}

# A program that writes a line to the input's directory for each system
# call of the follower (strace -o, here) must not hold it in a loop that
# reads the events its own reads cause: entries still arrive.
t_traced_into_dir() {
	gen 1 10 >"$D/in.log"
	STRACE_LOG=$D/trace start_traced -- --from-start || return 1
	check wait_until 10 have 10 "$D/out.log" || return 1
	gen 11 18 >>"$D/in.log"
	check wait_until 10 have 18 "$D/out.log" || return 1
	kill -TERM "$PID"
	{ wait "$TRACER"; } 2>/dev/null
	check exactly 18 "$D/out.log"
}

# write_gapped GAP_MS FIRST LAST: entries FIRST..LAST, each wrapped onto
# three lines written apart (one write(2) each, GAP_MS between them), and
# a pause between entries longer than the default flush timeout, so that
# each entry's end leaves by it. The gaps as written (a loaded machine
# holds the writer too) go to $D/gaps: "SEQ LONGEST-GAP-MS" a line.
write_gapped() {
	/usr/bin/python3 -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
gaps = open(sys.argv[2], "a")
gap, a, b = float(sys.argv[3]) / 1000, int(sys.argv[4]), int(sys.argv[5])
for i in range(a, b + 1):
	os.write(fd, b"[26/Nov/2026 10:00:%02d] seq=%07d Failed SMTP login\n"
	    % (i % 60, i))
	last, most = time.monotonic(), 0
	for part in (b"    from 192.0.2.1,", b"    user name \"u\""):
		if gap > 0:
			time.sleep(gap)
		os.write(fd, part + b"\n")
		now = time.monotonic()
		most, last = max(most, now - last), now
	gaps.write("%d %d\n" % (i, most * 1000))
	gaps.flush()
	time.sleep(0.2)
' "$D/in.log" "$D/gaps" "$@"
}

# split_early: the entries split off ("[continued]" after them) whose
# lines were written less than the default flush timeout apart; none.
split_early() {
	awk -v ms=100 'NR == FNR { gap[$1 + 0] = $2; next }
		match($0, /seq=[0-9]+/) { seq = substr($0, RSTART + 4, RLENGTH - 4) + 0 }
		/\[continued\]/ && gap[seq] < ms { printf " %d (%d ms)", seq, gap[seq] }
		END { print "" }' "$D/gaps" "$D/out.log"
}

# split_late FIRST: how many entries from FIRST on were split off.
split_late() {
	awk -v first="$1" '
		match($0, /seq=[0-9]+/) { seq = substr($0, RSTART + 4, RLENGTH - 4) + 0 }
		/\[continued\]/ && seq >= first && !done[seq]++ { n++ }
		END { print n + 0 }' "$D/out.log"
}

# The default --flush-timeout against an entry's lines written apart: 0,
# 1, 10 and 50 ms between them (a writer held by the scheduler) split
# none whose lines came less than the timeout apart as written; 500 ms
# between them, well past the default, splits (the test sees the default
# at work).
t_wrapped_gaps() {
	local gap first=1 early
	: >"$D/in.log"
	"$BIN" "${FOLLOW_ARGS[@]}" --follow "$D/in.log" --output "$D/out.log" \
	    --state "$D/state" -H testhost -v 2>>"$D/stderr" &
	PID=$!
	PIDS+=("$PID")
	started || return 1
	for gap in 0 1 10 50; do
		write_gapped "$gap" "$first" $((first + 5))
		first=$((first + 6))
	done
	check wait_until 10 have 24 "$D/out.log" || return 1
	early=$(split_early)
	[ -z "$early" ] || echo "  split, written within the timeout:$early"
	check test -z "$early" || return 1
	echo "  longest gap as written: $(sort -k2 -n "$D/gaps" | tail -n 1 |
	    cut -d' ' -f2) ms; entries split: $(grep -c -F '[continued]' \
	    "$D/out.log")"
	write_gapped 500 25 27
	check wait_until 10 have 27 "$D/out.log" || return 1
	stop || return 1
	check test "$(split_late 25)" -ge 1 && check exactly 27 "$D/out.log"
}

# --- Issue 18: the late mark and the replay ----------------------------

# gen_at EPOCH FIRST LAST: entries FIRST..LAST stamped at EPOCH (local
# time), one line each; the line each must become, with the late mark
# (late_line) and without it (fresh_line), is $D/lines.SEQ's two lines.
gen_at() {
	local t=$1 i kerio bsd msg
	kerio=$(LC_ALL=C date -d "@$t" '+%d/%b/%Y %H:%M:%S')
	bsd=$(LC_ALL=C date -d "@$t" '+%b %e %H:%M:%S')
	for ((i = $2; i <= $3; i++)); do
		msg=$(printf 'seq=%07d Failed SMTP login from 192.0.2.%d' \
		    "$i" $((i % 250)))
		printf '[%s] %s\n' "$kerio" "$msg"
		printf '%s %s kerio: %s\n%s %s kerio: [late] %s\n' "$bsd" \
		    "$HOST" "$msg" "$bsd" "$HOST" "$msg" >"$D/lines.$i"
	done
}

# expect_line SEQ fresh|late: the line entry SEQ must become, to $D/expect.
expect_line() {
	sed -n "$([ "$2" = fresh ] && echo 1 || echo 2)p" "$D/lines.$1" \
	    >>"$D/expect"
}

# Entries fresh when the first run wrote them, killed before it saved,
# are older than --late-after when the restart converts them again: the
# replay must give the bytes the first run wrote (a line marked late only
# then is 7 bytes longer, and the count of bytes dropped would end inside
# a line), while what was not converted yet is judged at the restart:
# late. The real clock: the entries are stamped a second ago, --late-after
# is 6 s, and the restart waits until they are 8 s old.
t_late_replay() {
	traceable
	case $? in 1) return 1 ;; 2) return 0 ;; esac
	local -x TZ=UTC
	local late=6 t0 i
	t0=$(date +%s)
	t0=$((t0 - 1))
	gen_at "$t0" 1 10 >"$D/in.log"
	# Killed at its second save, the write-ahead record of entry 10's
	# timeout flush: 1..9 are written, and the state on disk is the
	# start's.
	start_killed rename "$D/state.tmp" 2 --from-start \
	    --late-after "$late" || return 1
	cp "$D/out.log" "$D/out.first"
	check test -s "$D/out.first" || return 1
	# Written while the follower is down, stamped as the first ones.
	gen_at "$t0" 11 20 >>"$D/in.log"
	check wait_until 20 eval "[ \$(date +%s) -ge $((t0 + late + 2)) ]" ||
	    return 1
	ARGS=()
	start --late-after "$late" || return 1
	check wait_until 15 have 20 "$D/out.log" || return 1
	# Fresh entries after the catch-up: not late.
	gen_at "$(date +%s)" 21 30 >>"$D/in.log"
	check wait_until 15 have 30 "$D/out.log" || return 1
	stop || return 1
	# What the first run wrote, once and unchanged (fresh then); every
	# other entry up to 20 judged at the restart (late); 21..30 fresh.
	: >"$D/expect"
	for ((i = 1; i <= 30; i++)); do
		if [ "$i" -gt 20 ] ||
		    grep -q -F -x "$(sed -n 1p "$D/lines.$i")" "$D/out.first"; then
			expect_line "$i" fresh
		elif grep -q -F -x "$(sed -n 2p "$D/lines.$i")" "$D/out.first"; then
			echo "  the first run marked seq $i late (too slow?)"
			return 1
		else
			expect_line "$i" late
		fi
	done
	check cmp -s "$D/out.first" <(head -c "$(stat -c %s "$D/out.first")" \
	    "$D/out.log") || return 1
	check verify "$D/out.log"
}

for s in $SCENARIOS; do
	D=$TOP/$s
	mkdir -p "$D"
	PID=
	if "t_$s"; then
		ok "$s"
	else
		not_ok "$s"
		sed 's/^/  stderr: /' "$D/stderr" 2>/dev/null | tail -20
	fi
	if [ -n "$PID" ]; then
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
done
tally
