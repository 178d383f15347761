#!/bin/bash
# Faults: every failure is reported with the name of what failed and the
# documented exit status (sysexits), and a signal loses nothing the
# program already accepted.
#
# usage: tests/hardening/faults.sh PATH/TO/kerio2syslog
#
# Root ignores mode bits, so the tests that need them (unreadable input,
# read-only directory) run without CAP_DAC_OVERRIDE and
# CAP_DAC_READ_SEARCH through setpriv(1); a read-only file system is a
# read-only bind mount in a private mount namespace (unshare(1)).
#
# "Input vanishes while reading" means, on Linux: a file deleted while
# open still reads to its end (nothing to report, all converted); the
# writer of an input pipe dying mid-line ends the input (the partial line
# is still a line); a FILE gone before it is opened is a missing input
# (66); and a read that fails (EIO, from /proc/self/mem, whose first page
# is never mapped) is an I/O error (74) named with the input.
set -u
BIN=${1:?usage: faults.sh PATH/TO/kerio2syslog}
. "$(dirname "$0")/lib.sh"

printf '[17/Jun/2011 17:00:45] first entry\n' >"$T/a.log"
printf '[17/Jun/2011 17:00:46] second entry\n' >"$T/b.log"
A='Jun 17 17:00:45 h kerio: first entry'
B='Jun 17 17:00:46 h kerio: second entry'
printf '%s\n' "$A" >"$T/out.a"

# k2s ARGS...: runs the program (bounded), stdout to $T/out, stderr to
# $T/err, status in $rc. Here, as in every run below, the late mark is
# off (--late-after 0): the stamps are old, the lines written out.
k2s() {
	timeout 30 "$BIN" -H h --late-after 0 "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

has_err() {
	grep -q -F -- "$1" "$T/err"
}

out_is() {
	printf '%s\n' "$@" | cmp -s - "$T/out"
}

# --- output faults ---------------------------------------------------

timeout 30 "$BIN" -H h --late-after 0 "$T/a.log" >/dev/full 2>"$T/err"
rc=$?
check "stdout on a full disk: exit 74" [ "$rc" -eq 74 ]
check "stdout on a full disk: says so" \
    has_err 'write to standard output: No space left on device'

k2s -o /dev/full "$T/a.log"
check "--output on a full disk: exit 74" [ "$rc" -eq 74 ]
check "--output on a full disk: names it" \
    has_err '/dev/full: No space left on device'

k2s -o "$T/no/such/dir/out.log" "$T/a.log"
check "output directory missing: exit 73" [ "$rc" -eq 73 ]
check "output directory missing: names it" \
    has_err "$T/no/such/dir/out.log: No such file or directory"

mkdir "$T/ro"
chmod 0555 "$T/ro"
as_plain_user "$BIN" -H h --late-after 0 -o "$T/ro/out.log" "$T/a.log" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 200 ]; then
	echo "# skipped: read-only directory as root needs setpriv(1)"
else
	check "output directory read-only (mode 0555): exit 73" [ "$rc" -eq 73 ]
	check "output directory read-only: names it" \
	    has_err "$T/ro/out.log: Permission denied"
fi

mkdir "$T/rofs"
if unshare -rm true 2>/dev/null; then
	unshare -rm sh -c 'mount --bind -o ro "$1" "$1" && exec "$2" -H h --late-after 0 \
	    -o "$1/out.log" "$3"' sh "$T/rofs" "$BIN" "$T/a.log" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	check "output on a read-only file system: exit 73" [ "$rc" -eq 73 ]
	check "output on a read-only file system: names it" \
	    has_err "$T/rofs/out.log: Read-only file system"
else
	echo "# skipped: read-only file system needs unshare(1) with user" \
	    "namespaces"
fi

# A reader that goes away is no error: the program ends quietly.
yes '[17/Jun/2011 17:00:45] an entry for a reader that leaves' |
    head -n 200000 | timeout 30 "$BIN" -H h --late-after 0 2>"$T/err" | head -n 1 >"$T/out"
rc=${PIPESTATUS[2]}
check "closed output pipe: exit 0" [ "$rc" -eq 0 ]
check "closed output pipe: no message" [ ! -s "$T/err" ]

# --- input faults ----------------------------------------------------

k2s "$T/a.log" "$T" "$T/b.log"
check "input is a directory: exit 66" [ "$rc" -eq 66 ]
check "input is a directory: names it" has_err "$T: is a directory"
check "input is a directory: the others converted" out_is "$A" "$B"

k2s <"$T"
check "standard input is a directory: exit 66" [ "$rc" -eq 66 ]
check "standard input is a directory: says so" \
    has_err '(standard input): is a directory'

k2s "$T/a.log" "$T/missing.log" "$T/b.log"
check "input missing: exit 66" [ "$rc" -eq 66 ]
check "input missing: names it" \
    has_err "$T/missing.log: No such file or directory"
check "input missing: the others converted" out_is "$A" "$B"

cp "$T/a.log" "$T/secret.log"
chmod 0000 "$T/secret.log"
as_plain_user "$BIN" -H h --late-after 0 "$T/secret.log" "$T/b.log" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 200 ]; then
	echo "# skipped: unreadable input as root needs setpriv(1)"
else
	check "input unreadable: exit 66" [ "$rc" -eq 66 ]
	check "input unreadable: names it" \
	    has_err "$T/secret.log: Permission denied"
	check "input unreadable: the others converted" out_is "$B"
fi

k2s "$T/a.log" /proc/self/mem "$T/b.log"
check "read error: exit 74" [ "$rc" -eq 74 ]
check "read error: names the input" \
    has_err 'read /proc/self/mem: Input/output error'
check "read error: what was read before is written" out_is "$A"

# Deleted while open: Linux keeps the file until it is closed.
cp "$T/a.log" "$T/gone.log"
exec 7<"$T/gone.log"
rm "$T/gone.log"
k2s <&7
exec 7<&-
check "input deleted while open: exit 0, all converted" \
    eval '[ "$rc" -eq 0 ] && out_is "$A"'

# The writer of the input pipe dies in the middle of a line.
{
	printf '[17/Jun/2011 17:00:45] first entry\n[17/Jun/2011 17:00:46] se'
	kill -KILL $BASHPID
} | k2s
check "input pipe writer killed mid-line: exit 0" [ "$rc" -eq 0 ]
check "input pipe writer killed mid-line: the partial line kept" \
    out_is "$A" 'Jun 17 17:00:46 h kerio: se'

# --- closed standard descriptors -----------------------------------------

# Started with stderr closed, the output file must not become descriptor
# 2 and take the diagnostics (here: an orphan line) among its lines.
printf 'an orphan\n[17/Jun/2011 17:00:45] first entry\n' >"$T/orphan.log"
timeout 30 "$BIN" -H h --late-after 0 -o "$T/o2.log" "$T/orphan.log" 2>&-
rc=$?
check "stderr closed: exit 0" [ "$rc" -eq 0 ]
check "stderr closed: the output holds only the entry" \
    cmp -s "$T/o2.log" "$T/out.a"
timeout 30 "$BIN" -H h --late-after 0 -o "$T/o0.log" <&- 2>"$T/err"
rc=$?
check "stdin closed: exit 74" [ "$rc" -eq 74 ]
check "stdin closed: says so" \
    has_err 'read (standard input): Bad file descriptor'
check "stdin closed: the output file is left alone" [ ! -s "$T/o0.log" ]

# --- signals -----------------------------------------------------------

# in_write PID: the process sleeps in a write to a full pipe (wchan, or
# where that is hidden, the system call it is in: 1 is write on x86-64).
in_write() {
	grep -q pipe_write "/proc/$1/wchan" 2>/dev/null ||
	    { [ "$(uname -m)" = x86_64 ] &&
		grep -q '^1 ' "/proc/$1/syscall" 2>/dev/null; }
}

# An input of 40 KiB (one pipe's worth, read in one go) whose control
# bytes make 160 KiB of output: more than the output pipe holds, so the
# program blocks in write(2). SIGTERM arrives then; the reader drains the
# pipe afterwards. Everything read must be written, and the pending last
# entry too (its flush timeout is far away).
for i in $(seq 1 40); do
	printf '[17/Jun/2011 17:00:45] entry %03d ' "$i"
	head -c 990 /dev/zero | tr '\0' '\001'
	printf '\n'
done >"$T/ctl.log"
"$BIN" -H h --late-after 0 <"$T/ctl.log" >"$T/expected" 2>/dev/null
mkfifo "$T/in" "$T/outfifo"
{
	cat "$T/ctl.log"
	exec sleep 60
} >"$T/in" &
writer=$!
started="$started $writer"
"$BIN" -H h --late-after 0 --flush-timeout 600000 <"$T/in" >"$T/outfifo" 2>"$T/err" &
prog=$!
started="$started $prog"
exec 8<"$T/outfifo"
if wait_until 10 in_write "$prog"; then
	kill -TERM "$prog"
	cat <&8 >"$T/out"
	wait "$prog"
	rc=$?
	check "SIGTERM during a blocked write: dies by SIGTERM" \
	    [ "$rc" -eq $((128 + 15)) ]
	check "SIGTERM during a blocked write: all accepted entries written" \
	    cmp -s "$T/expected" "$T/out"
else
	not_ok "SIGTERM during a blocked write:" \
	    "the program never blocked in write(2)"
fi
exec 8<&-
kill "$writer" 2>/dev/null

finish
