#!/bin/bash
# What an administrator sees: without -v, one line when follow mode starts
# (what is followed, how, into what) and one on each rotation; --status
# reads the state file and reports the input, position, bytes behind, last
# entry and output, with its documented exit status; --help names the
# manual and the exit codes.
#
# usage: operate.sh BINARY
set -u
. "$(dirname "$0")/lib.sh"
bin=${1:?usage: $0 BINARY}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
T=$(mktemp -d -t k2s-operate.XXXXXX) || exit 73
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$T"' EXIT
in=$T/security.log
out=$T/keriosecurity.log
st=$T/state

# entry N: a Kerio line with sequence number N (26 bytes + digits).
entry() {
	printf '[27/Nov/2026 09:00:%02d] Failed SMTP login from 192.0.2.%d seq=%d\n' \
	    "$(($1 % 60))" "$1" "$1"
}
lines() {
	grep -c "$2" "$1" 2>/dev/null
}
status() {
	"$bin" --status --state "$st" -o "$out" "$@" >"$T/status" 2>&1
}
field() {
	sed -n "s/^$1: *//p" "$T/status"
}

entry 1 >"$in"
"$bin" --follow "$in" --output "$out" --state "$st" --from-start \
    --flush-timeout 100 -H mail 2>"$T/stderr" &
PID=$!
wait_until 20 grep -qs seq=1 "$out" && wait_until 20 test -s "$st"
check "the first entry is written" 1 "$(lines "$out" seq=1)"
check "one start line, without -v" \
    "kerio2syslog: following $in (starting at its beginning) into $out" \
    "$(cat "$T/stderr")"

# Rotation: rename, a new file; one line says so.
mv "$in" "$in.1"
entry 2 >"$in"
wait_until 20 grep -qs seq=2 "$out"
wait_until 20 grep -qs rotated "$T/stderr"
check "one rotation line" \
    "kerio2syslog: $in: rotated, reading the new file from its start into $out" \
    "$(sed -n 2,\$p "$T/stderr")"
kill -TERM "$PID"
wait "$PID"
PID=
check "entries 1 and 2, each once" "seq=1 seq=2" \
    "$(grep -o 'seq=[0-9]*' "$out" | xargs)"

# Stopped at the end of the file: not running; would resume there, nothing
# behind.
status "$in"
check "--status after a clean stop: exit 3" 3 $?
size=$(stat -c %s "$in")
check "status line" "not running: no process holds the state file's lock $st.lock" \
    "$(field status)"
check "follower line" "not running" "$(field follower)"
check "start line" "resuming at the saved position" "$(field start)"
check "input line" \
    "$in (device $(stat -c %d "$in"), inode $(stat -c %i "$in"))" \
    "$(field input)"
check "position line" "$size of $size bytes" "$(field position)"
check "behind line" "0 bytes" "$(field behind)"
check "last entry line" "2026-11-27 09:00:02 (Kerio's clock)" \
    "$(field 'last entry')"
osize=$(stat -c %s "$out")
check "output line" \
    "$out (device $(stat -c %d "$out"), inode $(stat -c %i "$out")), $osize bytes committed, $osize now" \
    "$(field output)"
check "state line names the file and when it was saved" 1 \
    "$(field state | grep -c "^$st, saved [0-9-]* [0-9:]* [+-][0-9]*$")"

# Kerio wrote on while the service was stopped.
entry 3 >>"$in"
status --follow "$in"
check "--status --follow FILE, 1 entry behind: exit 3" 3 $?
check "behind by one entry" "$(entry 3 | wc -c) bytes" "$(field behind)"

# Rotated while stopped: the saved file under its new name, finished
# first.
mv "$in" "$in.2"
entry 4 >"$in"
status "$in"
check "--status after a rotation while stopped: exit 3" 3 $?
check "start says rotated" 1 "$(field start | grep -c '^rotated while stopped, finishing security.log.2 ')"
check "position names the rotated file" 1 "$(field position | grep -c " of $in.2, the saved file")"

# Missing and damaged state files, usage errors.
status --state "$T/none" "$in"
check "--status without a state file: exit 66" 66 $?
echo garbage >"$T/bad"
status --state "$T/bad" "$in"
check "--status with a damaged state file: exit 65" 65 $?
status
check "--status without FILE: exit 64" 64 $?
"$bin" --status "$in" >/dev/null 2>&1
check "--status without --state: exit 64" 64 $?

"$bin" --help >"$T/help"
check "--help names the manual" 1 "$(grep -c 'man kerio2syslog' "$T/help")"
check "--help gives the exit codes" 1 "$(grep -c '^Exit status: 0 ' "$T/help")"
finish
