#!/bin/bash
# Bounded memory on hostile input: whatever arrives, kerio2syslog keeps
# its peak RSS under 16 MiB, finishes, and writes only well-formed lines.
# The big inputs are made on the fly and streamed through a pipe.
#
# usage: tests/hardening/memory.sh PATH/TO/kerio2syslog
# Needs GNU time (/usr/bin/time, package "time") for the peak RSS.
set -u
BIN=${1:?usage: memory.sh PATH/TO/kerio2syslog}
. "$(dirname "$0")/lib.sh"

LIMIT_KB=16384
GNU_TIME=${GNU_TIME:-/usr/bin/time}
STAMP='[17/Jun/2011 17:00:45]'

# ASan's shadow memory and quarantine alone take some 15 MiB: a
# sanitizer build is held to a looser bound, the real one to 16 MiB.
if LC_ALL=C grep -q -a __asan_init "$BIN"; then
	LIMIT_KB=65536
	echo "# sanitizer build: peak RSS bound raised to $LIMIT_KB KiB"
fi

if ! "$GNU_TIME" -f %M -o /dev/null true 2>/dev/null; then
	not_ok "GNU time is available: install the package 'time'"
	finish
	exit
fi

# run NAME GENERATOR [OPTIONS...]: GENERATOR's output piped into the
# program; its stdout lands in $T/out, stderr in $T/err, the exit status
# in $rc and the peak RSS (KiB) in $rss. The late mark is off (old stamps,
# lines written out).
run() {
	local name=$1 gen=$2
	shift 2
	"$gen" | timeout 120 "$GNU_TIME" -f %M -o "$T/rss" "$BIN" -H h --late-after 0 "$@" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	rss=$(tail -n 1 "$T/rss" 2>/dev/null)
	echo "# $name: exit $rc, peak RSS ${rss:-?} KiB," \
	    "$(wc -l <"$T/out") lines out"
	check "$name: finishes with status 0" [ "$rc" -eq 0 ]
	check "$name: peak RSS ${rss:-?} KiB < $LIMIT_KB KiB" \
	    [ "${rss:-999999}" -lt "$LIMIT_KB" ]
	check "$name: only well-formed lines" [ "$(malformed "$T/out")" -eq 0 ]
}

gen_long_line() {
	printf '%s ' "$STAMP"
	head -c 64M /dev/zero | tr '\0' a
}
run "64 MiB line without LF" gen_long_line
check "64 MiB line: one line" [ "$(wc -l <"$T/out")" -eq 1 ]
check "64 MiB line: cut at 16384 bytes" \
    [ "$(longest "$T/out")" -eq $((25 + 16384)) ]
check "64 MiB line: the cut is reported" grep -q 'cut' "$T/err"

gen_random() {
	head -c 20M /dev/urandom
}
run "20 MiB of random bytes" gen_random

# Random bytes again, each line made an entry, so every byte value goes
# through the escaping and the cap.
head -c 20M /dev/urandom | LC_ALL=C sed "s|^|$STAMP |" >"$T/rand.log"
gen_random_entries() {
	cat "$T/rand.log"
}
run "20 MiB of random entries" gen_random_entries
in_lines=$(LC_ALL=C grep -a -c '' "$T/rand.log")
check "random entries: one line per entry ($in_lines)" \
    [ "$(wc -l <"$T/out")" -eq "$in_lines" ]
check "random entries: no line beyond the cap" \
    [ "$(longest "$T/out")" -le $((25 + 4 * 16384)) ]
rm -f "$T/rand.log"

gen_orphans() {
	yes 'no stamp on this line: an orphan' | head -n 1000000
}
run "a million orphan lines" gen_orphans
check "orphans: nothing written" [ ! -s "$T/out" ]
check "orphans: one message with the count" \
    [ "$(grep -c '1000000 lines before the first entry' "$T/err")" -eq 1 ]

gen_wrapped() {
	printf '%s start of a wrapped entry\n' "$STAMP"
	yes '    a continuation line of the same entry' | head -n 1000000
	printf '[17/Jun/2011 17:00:46] next entry\n'
}
run "a million-line wrapped entry" gen_wrapped
check "wrapped: two entries" [ "$(wc -l <"$T/out")" -eq 2 ]
check "wrapped: the first cut at 16384 bytes" \
    [ "$(longest "$T/out")" -eq $((25 + 16384)) ]
check "wrapped: the next entry is intact" \
    grep -q '^Jun 17 17:00:46 h kerio: next entry$' "$T/out"
check "wrapped: one cut reported" [ "$(grep -c 'cut' "$T/err")" -eq 1 ]

gen_entries() {
	yes "$STAMP Failed SMTP login from 192.0.2.1 with SASL method PLAIN." |
	    head -n 1000000
}
run "a million entries" gen_entries
check "entries: all written" [ "$(wc -l <"$T/out")" -eq 1000000 ]

finish
