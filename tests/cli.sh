#!/usr/bin/env bash
# Process tests of the command line: options, exit codes, messages,
# pipes, the flush timeout and signals. Bounded waits only.
# usage: cli.sh BINARY DATADIR
set -u
bin=$1 data=$2
pass=0 fail=0
export TZ=Europe/Prague LC_ALL=C
tmp=$(mktemp -d) || exit 1
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	exec 3>&- 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect() { # name, condition...
	local name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}
# wait_until SECONDS COMMAND...: polls every 20 ms until COMMAND succeeds.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.02
	done
}
run() { # runs the binary, keeps status, stdout and stderr
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
}
has() { grep -q -- "$1" "$2"; }
lines() { [ "$(wc -l <"$2" 2>/dev/null)" -eq "$1" ] 2>/dev/null; }

entry='[17/Jun/2011 17:00:45] Failed SMTP login from 192.0.2.1 with SASL method PLAIN.'
want='Jun 17 17:00:45 mailhost kerio: Failed SMTP login from 192.0.2.1 with SASL method PLAIN.'

# --help, --version
run --help
expect "--help exits 0" [ "$status" -eq 0 ]
expect "--help lists options" has '--flush-timeout MS' "$tmp/out"
run --version
expect "--version" has '^kerio2syslog [0-9]' "$tmp/out"

# Usage errors: 64 and a one-line reason.
for args in "--bogus" "--format iso" "--max-entry 0" "--max-entry 12x" \
    "--flush-timeout -1" "--tag a:b" "--state s" "--from-start" \
    "--follow a b"; do
	# shellcheck disable=SC2086
	run $args </dev/null
	expect "usage error for '$args' exits 64" [ "$status" -eq 64 ]
	expect "usage error for '$args' says why" test -s "$tmp/err"
done
run --hostname 'two words' </dev/null
expect "blank in host name: 64" [ "$status" -eq 64 ]

# A bad pattern names the pattern and the offset of the error.
run --match 'ab(c' </dev/null
expect "bad --match exits 64" [ "$status" -eq 64 ]
expect "bad --match names pattern and offset" \
    has "bad pattern 'ab(c' at offset 4" "$tmp/err"
run --exclude '[z-a]' </dev/null
expect "bad --exclude exits 64" [ "$status" -eq 64 ]

# A missing FILE: named, the others still converted, exit 66.
printf '%s\n' "$entry" >"$tmp/a.log"
printf '[17/Jun/2011 17:00:46] b\n' >"$tmp/b.log"
run -H mailhost "$tmp/a.log" "$tmp/missing.log" "$tmp/b.log"
expect "missing input exits 66" [ "$status" -eq 66 ]
expect "missing input named" has "missing.log: No such file" "$tmp/err"
expect "other inputs converted" lines 2 "$tmp/out"
run -H mailhost "$tmp"
expect "directory input exits 66" [ "$status" -eq 66 ]
expect "directory input named" has "$tmp: is a directory" "$tmp/err"

# Each FILE on its own: an entry never continues into the next file.
printf 'continued?\n[17/Jun/2011 17:00:47] c\n' >"$tmp/c.log"
run -H mailhost "$tmp/a.log" "$tmp/c.log"
expect "files are separate" lines 2 "$tmp/out"
expect "orphan in second file reported" \
    has "c.log:1: 1 line before the first entry not written" "$tmp/err"
# "-" is standard input, between files.
"$bin" -H mailhost "$tmp/a.log" - "$tmp/b.log" <"$tmp/c.log" >"$tmp/out" 2>&1
expect "- reads standard input" lines 4 "$tmp/out"

# Output errors: 73 when it cannot be opened, 74 when a write fails.
run -o "$tmp/no/such/dir/out.log" "$tmp/a.log"
expect "unopenable output exits 73" [ "$status" -eq 73 ]
expect "unopenable output named" has "no/such/dir/out.log" "$tmp/err"
run -o /dev/full "$tmp/a.log"
expect "full disk exits 74" [ "$status" -eq 74 ]
expect "full disk says so" has "No space left on device" "$tmp/err"
# A closed pipe ends quietly.
for i in $(seq 1 3000); do printf '%s\n' "$entry"; done >"$tmp/big.log"
for i in 1 2 3 4 5 6 7 8; do cat "$tmp/big.log"; done >"$tmp/bigger.log"
"$bin" "$tmp/bigger.log" 2>"$tmp/err" | head -1 >/dev/null
expect "EPIPE exits 0" [ "${PIPESTATUS[0]}" -eq 0 ]
expect "EPIPE is quiet" [ ! -s "$tmp/err" ]

# --output appends, never truncates; mode 0640.
rm -f "$tmp/app.log"
(umask 0 && "$bin" -H mailhost -o "$tmp/app.log" "$tmp/a.log")
"$bin" -H mailhost --output "$tmp/app.log" "$tmp/a.log"
expect "--output appends" lines 2 "$tmp/app.log"
expect "--output mode 0640" [ "$(stat -c %a "$tmp/app.log")" = 640 ]

# Diagnostics and --verbose counters.
run -v -H mailhost "$data/orphans.log"
expect "orphans reported once with first line" \
    has "orphans.log:1: 2 lines before the first entry not written" "$tmp/err"
expect "bad stamp reported with line" \
    has "orphans.log:5: malformed stamp" "$tmp/err"
expect "--verbose counters" \
    has "8 lines, 2 entries, 2 written, 0 excluded, 3 joined lines, 2 orphans, 0 cut entries, 2 bad stamps" \
    "$tmp/err"

# --max-entry: cut, reported, the head and the entry's end kept.
{
	printf '[17/Jun/2011 17:00:45] %s\n' "$(printf 'x%.0s' $(seq 1 100))"
	printf 'continuation to keep\n[17/Jun/2011 17:00:46] next\n'
} >"$tmp/long.log"
run -H mailhost --max-entry 40 "$tmp/long.log"
expect "cut entry is 40 bytes" \
    [ "$(head -1 "$tmp/out" | sed 's/^.*kerio: //' | tr -d '\n' | wc -c)" -eq 40 ]
expect "cut entry keeps head, mark and end" \
    grep -q 'kerio: x\{23\} \[cut\] on to keep$' "$tmp/out"
expect "no part of the cut entry stands alone" lines 2 "$tmp/out"
expect "cut reported" has "long.log:1: entry longer than 40 bytes cut" "$tmp/err"

# Selection from the command line.
run -H mailhost -m '^Failed' -x 'POP3' "$data/sample.log"
expect "--match/--exclude select" lines 2 "$tmp/out"
expect "--exclude drops POP3" [ "$(grep -c POP3 "$tmp/out")" -eq 0 ]

# The flush timeout: the last entry of a burst leaves while the pipe is
# still open, and not before its time.
mkfifo "$tmp/fifo"
"$bin" -H mailhost --flush-timeout 300 -o "$tmp/t1.log" <"$tmp/fifo" &
pids+=($!)
exec 3>"$tmp/fifo"
printf '%s\n' "$entry" >&3
start=$(date +%s%N)
expect "pending entry written after the timeout" \
    wait_until 5 grep -qxF "$want" "$tmp/t1.log"
ms=$((($(date +%s%N) - start) / 1000000))
expect "not long after the timeout (${ms} ms)" [ "$ms" -lt 2000 ]
exec 3>&-
wait "${pids[-1]}"
expect "exit 0 at end of pipe" [ $? -eq 0 ]

"$bin" -H mailhost --flush-timeout 60000 -o "$tmp/t2.log" <"$tmp/fifo" &
pids+=($!)
exec 3>"$tmp/fifo"
printf '%s\n%s\n' "$entry" '[17/Jun/2011 17:00:46] second' >&3
expect "complete entry flushed when input would block" \
    wait_until 5 grep -qxF "$want" "$tmp/t2.log"
sleep 0.3
expect "pending entry held within the timeout" lines 1 "$tmp/t2.log"
# SIGTERM writes the pending entry out, then dies by the signal.
kill -TERM "${pids[-1]}"
wait "${pids[-1]}"
st=$?
exec 3>&-
expect "SIGTERM: dies by SIGTERM (status $st)" [ "$st" -eq 143 ]
expect "SIGTERM flushed the pending entry" lines 2 "$tmp/t2.log"

# SIGHUP reopens --output after it was renamed.
"$bin" -H mailhost --flush-timeout 100 -o "$tmp/h.log" <"$tmp/fifo" &
pids+=($!)
exec 3>"$tmp/fifo"
printf '%s\n' "$entry" >&3
expect "before rotation" wait_until 5 lines 1 "$tmp/h.log"
mv "$tmp/h.log" "$tmp/h.log.1"
kill -HUP "${pids[-1]}"
printf '%s\n' "$entry" >&3
expect "after SIGHUP, a new file" wait_until 5 lines 1 "$tmp/h.log"
exec 3>&-
wait "${pids[-1]}"
expect "rotated file keeps its line" lines 1 "$tmp/h.log.1"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
