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
# Only in this shell: a child forked for a background command runs the
# trap too if a signal meant for the program reaches it before exec(2).
# Only jobs still known: an ended one's pid may belong to anyone now.
cleanup() {
	[ "$BASHPID" = "$$" ] || return
	for p in $(jobs -p); do kill -9 "$p" 2>/dev/null; done
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
# is_bin PID: PID runs the program (or the valgrind that runs it), no
# longer a shell forked to start it: a signal that reaches that shell
# before exec(2) runs its traps.
is_bin() {
	case $(readlink "/proc/$1/exe") in
	"" | */bash | */dash | */sh) return 1 ;;
	esac
}
# in_call PID ARG: PID sleeps in a system call whose first argument is
# ARG: 0x1 for write(2) to standard output (ppoll's is a pointer), -100
# (AT_FDCWD) for openat(2).
in_call() {
	local nr a1 rest
	is_bin "$1" || return 1
	read -r nr a1 rest <"/proc/$1/syscall" 2>/dev/null || return 1
	[ "$nr" != running ] || return 1
	case $2 in
	0x1) [ "$a1" = 0x1 ] ;;
	-100) [ "$a1" = 0xffffff9c ] || [ "$a1" = 0xffffffffffffff9c ] ;;
	esac
}
not_running() { ! kill -0 "$1" 2>/dev/null; }
lines() { [ "$({ wc -l <"$2"; } 2>/dev/null)" -eq "$1" ] 2>/dev/null; }

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

# Every usage error is reported one way: "kerio2syslog: REASON", then
# where to look, on two lines; nothing on standard output.
one_way() { # name, expected reason
	expect "$1: exits 64 (status $status)" [ "$status" -eq 64 ]
	expect "$1: nothing on standard output" [ ! -s "$tmp/out" ]
	expect "$1: the reason, one way" \
	    [ "$(head -1 "$tmp/err")" = "kerio2syslog: $2" ]
	expect "$1: then --help" [ "$(sed -n '2p;3q' "$tmp/err")" = \
	    "Try 'kerio2syslog --help' for more." ]
	expect "$1: two lines" lines 2 "$tmp/err"
}
while IFS='|' read -r args reason; do
	# shellcheck disable=SC2086
	run $args </dev/null
	one_way "usage error '$args'" "$reason"
done <<'CASES'
--bogus|unrecognized option '--bogus'
-z|invalid option -- 'z'
-o|option requires an argument -- 'o'
--format|option '--format' requires an argument
--help=1|option '--help' doesn't allow an argument
--f x|option '--f' is ambiguous
--format iso|--format: 'iso' is neither bsd nor rfc3339
--tag a:b|--tag has a ':': it must be 1 to 255 bytes of printable ASCII without blanks nor ':'
--match ab(c|--match: bad pattern 'ab(c' at offset 4: missing closing parenthesis
--max-entry 0|--max-entry: '0' is not a number from 1 to 16777216
--flush-timeout 86400001|--flush-timeout: '86400001' is not a number from 0 to 86400000
--late-after -1|--late-after: '-1' is not a number from 0 to 86400
--late-after 86401|--late-after: '86401' is not a number from 0 to 86400
--late-after 1m|--late-after: '1m' is not a number from 0 to 86400
--no-inotify|--no-inotify needs --follow
--follow a b|--follow takes no other FILE ('b')
--status --state s|--status needs one FILE, the followed one
--status a|--status needs --state
CASES

# The late mark, by the real clock, from a file and from a pipe: an entry
# more than --late-after seconds old when written gets "[late] " before
# its message, a fresh one does not; --late-after 0 marks none, and a
# larger bound spares the old entry.
now=$(date +%s)
printf '%s\n%s\n' "$entry" \
    "$(date -d "@$now" '+[%d/%b/%Y %H:%M:%S]') Failed SMTP login" \
    >"$tmp/late.log"
printf '%s\n%s\n' "${want/kerio: /kerio: [late] }" \
    "$(date -d "@$now" '+%b %e %H:%M:%S') mailhost kerio: Failed SMTP login" \
    >"$tmp/late.want"
run -H mailhost "$tmp/late.log"
expect "late: the old entry marked, the fresh one not" \
    cmp -s "$tmp/out" "$tmp/late.want"
"$bin" -H mailhost <"$tmp/late.log" >"$tmp/out" 2>"$tmp/err"
expect "late: the same from a pipe" cmp -s "$tmp/out" "$tmp/late.want"
run -H mailhost --late-after 0 "$tmp/late.log"
expect "late: --late-after 0 marks nothing" \
    [ "$(grep -c 'kerio: \[late\] ' "$tmp/out")" -eq 0 ]
run -H mailhost --late-after 86400 "$tmp/late.log"
expect "late: the old entry is older than a day: marked" \
    [ "$(grep -c 'kerio: \[late\] ' "$tmp/out")" -eq 1 ]

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

# Repeated diagnostics are limited: a burst of five, then one a minute
# (the rest counted); each kind apart, every occurrence in the counters.
{
	printf '%s\n' "$entry"
	for i in $(seq 1 8); do printf '[17/Jun/2011 24:00:0%d] bad\n' "$i"; done
} >"$tmp/bad.log"
run -v -H mailhost --max-entry 20 "$tmp/bad.log"
expect "bad stamps: the first five said" \
    [ "$(grep -c 'malformed stamp' "$tmp/err")" -eq 5 ]
expect "bad stamps: the fifth is line 6" \
    has "bad.log:6: malformed stamp" "$tmp/err"
expect "bad stamps: all eight counted" has " 8 bad stamps" "$tmp/err"
expect "bad stamps: the cut said apart" \
    has "bad.log:1: entry longer than 20 bytes cut" "$tmp/err"

# --max-entry: cut, reported, the head and the entry's end kept.
{
	printf '[17/Jun/2011 17:00:45] %s\n' "$(printf 'x%.0s' $(seq 1 100))"
	printf 'continuation to keep\n[17/Jun/2011 17:00:46] next\n'
} >"$tmp/long.log"
run -H mailhost --late-after 0 --max-entry 40 "$tmp/long.log"
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
"$bin" -H mailhost --late-after 0 --flush-timeout 300 -o "$tmp/t1.log" \
    <"$tmp/fifo" &
pids+=($!)
exec 3>"$tmp/fifo"
printf '%s\n' "$entry" >&3
start=$(date +%s%N)
expect "pending entry written after the timeout" \
    wait_until 5 grep -sqxF "$want" "$tmp/t1.log"
ms=$((($(date +%s%N) - start) / 1000000))
expect "not long after the timeout (${ms} ms)" [ "$ms" -lt 2000 ]
exec 3>&-
wait "${pids[-1]}"
expect "exit 0 at end of pipe" [ $? -eq 0 ]

"$bin" -H mailhost --late-after 0 --flush-timeout 60000 -o "$tmp/t2.log" \
    <"$tmp/fifo" &
pids+=($!)
exec 3>"$tmp/fifo"
printf '%s\n%s\n' "$entry" '[17/Jun/2011 17:00:46] second' >&3
expect "complete entry flushed when input would block" \
    wait_until 5 grep -sqxF "$want" "$tmp/t2.log"
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

# --follow needs a regular file: a directory, a FIFO or a device is
# refused at once with the reason (66), not waited for as if missing.
mkfifo "$tmp/ff"
for what in "$tmp:a directory" "$tmp/ff:a FIFO" "/dev/null:a character device"; do
	path=${what%%:*} kind=${what#*:}
	timeout 10 "$bin" --follow "$path" >"$tmp/out" 2>"$tmp/err"
	status=$?
	expect "--follow $kind: exits 66 (status $status)" [ "$status" -eq 66 ]
	expect "--follow $kind: says why" \
	    has "$path: not a regular file ($kind)" "$tmp/err"
done
# A path that becomes a FIFO later is said to be one, once, and never
# opened (open(2) would wait for a writer).
"$bin" -H mailhost --follow "$tmp/later" -o "$tmp/later.out" 2>"$tmp/err" &
pids+=($!)
expect "--follow: missing file waited for" \
    wait_until 10 has "later: no such file, waiting for it" "$tmp/err"
mkfifo "$tmp/later"
expect "--follow: a FIFO later is named as such" \
    wait_until 10 has "later: not a regular file (a FIFO)" "$tmp/err"
kill -TERM "${pids[-1]}"
expect "--follow on a FIFO ends on SIGTERM" \
    wait_until 10 not_running "${pids[-1]}"
wait "${pids[-1]}"
expect "--follow on a FIFO: said once" \
    [ "$(grep -c 'not a regular file' "$tmp/err")" -eq 1 ]

# The system's host name obeys the rule of --hostname: one with a blank
# would hide every line from the filter, a control byte would reach the
# output raw. It is refused (78) with a message that shows it escaped.
if unshare -u true 2>/dev/null; then
	for h in 'two words' $'ctl\001byte'; do
		unshare -u sh -c 'printf %s "$1" >/proc/sys/kernel/hostname &&
		    exec "$2" "$3"' sh "$h" "$bin" "$tmp/a.log" \
		    >"$tmp/out" 2>"$tmp/err"
		status=$?
		expect "bad system host name: exits 78 (status $status)" \
		    [ "$status" -eq 78 ]
		expect "bad system host name: nothing written" \
		    [ ! -s "$tmp/out" ]
		expect "bad system host name: says so" \
		    has "system host name .* has a .*; set one with --hostname" \
		    "$tmp/err"
	done
	expect "bad system host name: shown escaped" has "'ctl#001byte'" "$tmp/err"
	unshare -u sh -c 'printf %s "$1" >/proc/sys/kernel/hostname &&
	    exec "$2" "$3"' sh 'good.example.org' "$bin" "$tmp/a.log" \
	    >"$tmp/out" 2>"$tmp/err"
	expect "good system host name: up to the first dot" \
	    has ' good kerio: ' "$tmp/out"
else
	echo "skipped: system host name tests need unshare -u (root)"
fi

# Signals while blocked. Numbered entries check that every one arrives
# once and in order where they arrive at all.
seq 1 30000 | sed 's|^|[17/Jun/2011 17:00:45] entry |' >"$tmp/seq.log"
in_order() { sed 's/.* entry //' "$1" | cmp -s - <(seq 1 30000); }
in_write() { in_call "$1" 0x1; }
has_fd() {
	is_bin "$1" && ls -l "/proc/$1/fd" 2>/dev/null | grep -qF -- "$2"
}
# ended PID SIG NAME: PID ends within 10 s, killed by SIG.
ended() {
	local st
	expect "$3: ends within 10 s" wait_until 10 not_running "$1"
	kill -9 "$1" 2>/dev/null
	wait "$1"
	st=$?
	expect "$3: dies by SIG$2 (status $st)" \
	    [ "$st" -eq $((128 + $(kill -l "$2"))) ]
}
# stalled_reader: a reader of FIFO $tmp/stall that never reads.
stalled_reader() {
	rm -f "$tmp/stall"
	mkfifo "$tmp/stall"
	sleep 600 <>"$tmp/stall" &
	sleeper=$!
	pids+=("$sleeper")
}

# A stalled output pipe: SIGTERM and SIGINT end the process within a
# second or two, saying how much output could not be written.
for sig in TERM INT; do
	for mode in convert follow; do
		name="$mode mode, stalled pipe, SIG$sig"
		stalled_reader
		if [ "$mode" = convert ]; then
			"$bin" -H mailhost "$tmp/seq.log" >"$tmp/stall" \
			    2>"$tmp/err" &
		else
			"$bin" -H mailhost --follow "$tmp/seq.log" --from-start \
			    --state "$tmp/state.$sig" >"$tmp/stall" 2>"$tmp/err" &
		fi
		p=$!
		pids+=("$p")
		expect "$name: blocked in write" wait_until 10 in_write "$p"
		kill "-$sig" "$p"
		ended "$p" "$sig" "$name"
		expect "$name: says what is not written" \
		    has "output stalled: [0-9]* bytes not written" "$tmp/err"
		kill "$sleeper"
		wait "$sleeper" 2>/dev/null
	done
done

# SIGHUP while the output is stalled is kept until the write is done,
# then acted on (standard output: nothing to reopen); nothing is lost.
for mode in convert follow; do
	name="$mode mode, stalled pipe, SIGHUP"
	rm -f "$tmp/stall" "$tmp/seq.out"
	mkfifo "$tmp/stall"
	# Read-write, so that opening it does not wait for the writer.
	cat <>"$tmp/stall" >"$tmp/seq.out" &
	reader=$!
	pids+=("$reader")
	wait_until 10 has_fd "$reader" "$tmp/stall"
	kill -STOP "$reader"
	if [ "$mode" = convert ]; then
		"$bin" -H mailhost "$tmp/seq.log" >"$tmp/stall" 2>"$tmp/err" &
	else
		"$bin" -H mailhost --follow "$tmp/seq.log" --from-start \
		    >"$tmp/stall" 2>"$tmp/err" &
	fi
	p=$!
	pids+=("$p")
	expect "$name: blocked in write" wait_until 10 in_write "$p"
	kill -HUP "$p"
	kill -CONT "$reader"
	expect "$name: everything arrives" \
	    wait_until 20 lines 30000 "$tmp/seq.out"
	if [ "$mode" = convert ]; then
		expect "$name: ends" wait_until 10 not_running "$p"
		wait "$p"
		expect "$name: exit 0 (status $?)" [ $? -eq 0 ]
	else
		expect "$name: still running" kill -0 "$p"
		kill -TERM "$p"
		ended "$p" TERM "$name, then SIGTERM"
	fi
	kill "$reader"
	wait "$reader" 2>/dev/null
	expect "$name: every entry once, in order" in_order "$tmp/seq.out"
done

# A FIFO input with no writer: opened without waiting, so that SIGTERM and
# SIGINT end the process and SIGHUP reopens the output while it waits.
# on_fifo OUT NAME: starts the program on a new FIFO $tmp/in.fifo, with
# --output OUT, as $p, and waits until it has the FIFO open.
on_fifo() {
	rm -f "$tmp/in.fifo"
	mkfifo "$tmp/in.fifo"
	"$bin" -H mailhost -o "$1" "$tmp/in.fifo" 2>"$tmp/err" &
	p=$!
	pids+=("$p")
	expect "$2: waits with the FIFO open" \
	    wait_until 10 has_fd "$p" "$tmp/in.fifo"
}
for sig in TERM INT HUP; do
	name="FIFO input without a writer, SIG$sig"
	rm -f "$tmp/c.out" "$tmp/c.out.1"
	on_fifo "$tmp/c.out" "$name"
	if [ "$sig" != HUP ]; then
		kill "-$sig" "$p"
		ended "$p" "$sig" "$name"
		continue
	fi
	mv "$tmp/c.out" "$tmp/c.out.1"
	kill -HUP "$p"
	expect "$name: output reopened" wait_until 10 test -e "$tmp/c.out"
	printf '%s\n' "$entry" >"$tmp/in.fifo"
	expect "$name: ends at the end of the input" \
	    wait_until 10 not_running "$p"
	wait "$p"
	expect "$name: exit 0 (status $?)" [ $? -eq 0 ]
	expect "$name: the entry in the new output" lines 1 "$tmp/c.out"
	expect "$name: nothing in the old one" lines 0 "$tmp/c.out.1"
done

# An --output FIFO without a reader: open(2) waits for one, with the
# handlers installed. SIGTERM and SIGINT end the process (nothing was
# read yet); SIGHUP is kept, and the output, once open, is reopened.
for sig in TERM INT HUP; do
	name="--output FIFO without a reader, SIG$sig"
	rm -f "$tmp/out.fifo"
	mkfifo "$tmp/out.fifo"
	"$bin" -H mailhost --late-after 0 -o "$tmp/out.fifo" "$tmp/a.log" \
	    2>"$tmp/err" &
	p=$!
	pids+=("$p")
	expect "$name: waits in open(2)" wait_until 10 in_call "$p" -100
	kill "-$sig" "$p"
	if [ "$sig" != HUP ]; then
		ended "$p" "$sig" "$name"
		continue
	fi
	cat "$tmp/out.fifo" >"$tmp/got" &
	pids+=($!)
	expect "$name: ends once read" wait_until 10 not_running "$p"
	wait "$p"
	expect "$name: exit 0 (status $?)" [ $? -eq 0 ]
	wait "${pids[-1]}"
	expect "$name: the entry written" grep -qxF "$want" "$tmp/got"
done

# TZ naming a zone file that is not there: the C library would take
# every stamp as UTC (+00:00) without a word. Refused (78), named.
for tz in Europe/Prag :Europe/Nowhere /etc/passwd; do
	TZ=$tz "$bin" -H mailhost "$tmp/a.log" >"$tmp/out" 2>"$tmp/err"
	status=$?
	expect "unknown TZ=$tz: exits 78 (status $status)" [ "$status" -eq 78 ]
	expect "unknown TZ=$tz: nothing written" [ ! -s "$tmp/out" ]
	expect "unknown TZ=$tz: says so" has "TZ '$tz': no time zone" "$tmp/err"
done
TZDIR=$tmp TZ=Europe/Prague "$bin" -H mailhost "$tmp/a.log" >"$tmp/out" \
    2>"$tmp/err"
expect "TZDIR without the zone: exits 78" [ $? -eq 78 ]
expect "TZDIR without the zone: names the file" \
    has "$tmp/Europe/Prague" "$tmp/err"
for tz in Europe/Prague :Europe/Prague CET-1CEST UTC ''; do
	TZ=$tz "$bin" -H mailhost "$tmp/a.log" >"$tmp/out" 2>"$tmp/err"
	expect "TZ='$tz' accepted (status $?)" lines 1 "$tmp/out"
done
TZ=Europe/Prague "$bin" -H mailhost --format rfc3339 "$tmp/a.log" >"$tmp/out"
expect "TZ=Europe/Prague: +02:00 in June" has '+02:00 mailhost' "$tmp/out"

# --output follows a symbolic link only where no one else could have
# planted it: in a directory others can write, a link would make us
# append to any file we may write.
ln -s "$tmp/target.ok" "$tmp/own.link"
run -H mailhost -o "$tmp/own.link" "$tmp/a.log"
expect "--output link in our own directory: followed" lines 1 "$tmp/target.ok"
mkdir "$tmp/sticky"
chmod 1777 "$tmp/sticky"
ln -s "$tmp/target.ok" "$tmp/sticky/ours.link"
run -H mailhost -o "$tmp/sticky/ours.link" "$tmp/a.log"
expect "--output our link in a sticky directory: followed" \
    lines 2 "$tmp/target.ok"
ln -s "$tmp/target.ok" "$tmp/sticky/theirs.link"
chown -h nobody "$tmp/sticky/theirs.link"
run -H mailhost -o "$tmp/sticky/theirs.link" "$tmp/a.log"
expect "--output another's link in a sticky directory: exits 73" \
    [ "$status" -eq 73 ]
expect "--output another's link in a sticky directory: not followed" \
    lines 2 "$tmp/target.ok"
mkdir "$tmp/shared"
chmod 0777 "$tmp/shared"
printf 'precious\n' >"$tmp/target"
ln -s "$tmp/target" "$tmp/shared/out.log"
run -H mailhost -o "$tmp/shared/out.log" "$tmp/a.log"
expect "--output symlink: exits 73 (status $status)" [ "$status" -eq 73 ]
expect "--output symlink: says so" \
    has "shared/out.log: a symbolic link, not followed" "$tmp/err"
expect "--output symlink: target untouched" lines 1 "$tmp/target"
# Planted between a rotation and the reopen (SIGHUP; follow mode by
# itself): not followed either.
on_fifo "$tmp/shared/h.log" "symlink at reopen"
mv "$tmp/shared/h.log" "$tmp/shared/h.log.1"
ln -s "$tmp/target" "$tmp/shared/h.log"
kill -HUP "$p"
expect "symlink at reopen: ends" wait_until 10 not_running "$p"
# Still running (it followed the link): show where an entry goes.
kill -0 "$p" 2>/dev/null && printf '%s\n' "$entry" >"$tmp/in.fifo"
wait "$p"
status=$?
expect "symlink at reopen: exits 73 (status $status)" [ "$status" -eq 73 ]
expect "symlink at reopen: says so" \
    has "shared/h.log: a symbolic link, not followed" "$tmp/err"
expect "symlink at reopen: target untouched" lines 1 "$tmp/target"
printf '%s\n' "$entry" >"$tmp/f.log"
"$bin" -H mailhost --follow "$tmp/f.log" --from-start \
    -o "$tmp/shared/f.out" 2>"$tmp/err" &
p=$!
pids+=("$p")
expect "follow, symlink at reopen: first entry" \
    wait_until 10 lines 1 "$tmp/shared/f.out"
mv "$tmp/shared/f.out" "$tmp/shared/f.out.1"
ln -s "$tmp/target" "$tmp/shared/f.out"
printf '%s\n' "$entry" >>"$tmp/f.log"
expect "follow, symlink at reopen: reported" \
    wait_until 10 has "shared/f.out: a symbolic link, not followed" "$tmp/err"
expect "follow, symlink at reopen: target untouched" lines 1 "$tmp/target"
rm "$tmp/shared/f.out"
expect "follow, symlink gone: the entry in a new file" \
    wait_until 40 lines 1 "$tmp/shared/f.out"
kill -TERM "$p"
ended "$p" TERM "follow, symlink at reopen"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
