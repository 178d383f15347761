#!/usr/bin/env bash
# Golden tests: every tests/data/NAME.log through kerio2syslog, in both
# formats, diffed with NAME.expected (bsd) and NAME.rfc3339.expected, with
# the time zone (Europe/Prague, or the one NAME.tz names) and host name
# pinned, and the late mark off (--late-after 0), as for a dry run. Each
# log is also converted from a pipe, byte by byte in small writes, which
# must not change a thing. And once with the mark on: every entry of these
# logs is more than a minute old whatever the clock says today, so every
# line is marked late.
# usage: golden.sh BINARY DATADIR
set -u
bin=$1 data=$2
pass=0 fail=0
export TZ=Europe/Prague LC_ALL=C
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

check() { # name, expected file, command...
	local name=$1 want=$2
	shift 2
	if "$@" >"$tmp/out" 2>"$tmp/err" && cmp -s "$tmp/out" "$want"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name"
		diff -u "$want" "$tmp/out" | head -20
		head -5 "$tmp/err"
	fi
}


n=0
for log in "$data"/*.log; do
	base=${log%.log}
	name=$(basename "$base")
	[ -f "$base.expected" ] || continue
	n=$((n + 1))
	TZ=Europe/Prague
	[ -f "$base.tz" ] && TZ=$(cat "$base.tz")
	check "$name bsd" "$base.expected" "$bin" -H mailhost --late-after 0 "$log"
	check "$name rfc3339" "$base.rfc3339.expected" \
	    "$bin" -H mailhost --late-after 0 --format rfc3339 "$log"
	sed 's/ kerio: / kerio: [late] /' "$base.rfc3339.expected" >"$tmp/late"
	check "$name late" "$tmp/late" "$bin" -H mailhost --format rfc3339 "$log"
	check "$name stdin" "$base.expected" \
	    sh -c '"$1" -H mailhost --late-after 0 < "$2"' sh "$bin" "$log"
	check "$name trickled pipe" "$base.expected" \
	    sh -c 'trickle() { python3 -c "
import os, sys, time
d = open(sys.argv[1], \"rb\").read()
for i in range(0, len(d), 7):
    os.write(1, d[i:i + 7])
    time.sleep(0.0005)
" "$1"; }; trickle "$2" | "$1" -H mailhost --late-after 0 --flush-timeout 5000' \
	    sh "$bin" "$log"
done
[ "$n" -ge 6 ] || { echo "FAIL: only $n golden logs found in $data"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
