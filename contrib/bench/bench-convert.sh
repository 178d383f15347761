#!/bin/bash
#
# bench-convert.sh - time kerio2syslog against the classic Perl filter and cat
#
# usage: bench-convert.sh [kerio2syslog-binary]
#
# Without an argument, builds kerio2syslog (Release) into $BUILD_DIR, by
# default build-bench at the top of the source tree.  Generates a synthetic
# Kerio security.log with gen-kerio-log in a temporary directory ($TMPDIR
# is honoured), then times, in the same run:
#
#	cat FILE >/dev/null
#	kerio2syslog -H bench FILE >/dev/null
#	perl classic-filter.pl FILE >/dev/null
#	CLASSIC_FLUSH=1 perl classic-filter.pl FILE >/dev/null
#
# after warming the page cache and running each tool once.  The timed runs
# are interleaved (one of each tool per round, the order rotating) so that
# a noisy neighbour slows all tools alike; best and median wall-clock times
# are reported, and the ratios are computed from those same runs.  Peak RSS
# comes from GNU time (Debian package "time"), for kerio2syslog on the full
# input and on one ten times smaller, to show it does not grow with input.
# Finally it checks that kerio2syslog writes one line per entry and exactly
# the conversion gen-kerio-log predicts.
#
# Environment:
#	ENTRIES		entries in the generated log (default 1000000)
#	RUNS		timed runs of each tool (default 5)
#	SEED		generator seed (default 1)
#	BUILD_DIR	where to build when no binary is given
#	GNU_TIME	GNU time binary (default: "time" found in PATH)
#
# Prints figures; the targets are reported, not enforced.  Exits 1 only if
# a tool fails or the output check fails.

set -eu -o pipefail
export LC_ALL=C

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

entries=${ENTRIES:-1000000}
runs=${RUNS:-5}
seed=${SEED:-1}

die()
{
	echo "$prog: $*" >&2
	exit 1
}

note()
{
	echo "$prog: $*" >&2
}

case $entries in '' | *[!0-9]*) die "ENTRIES must be a number" ;; esac
case $runs in '' | *[!0-9]*) die "RUNS must be a number" ;; esac
case $seed in '' | *[!0-9]*) die "SEED must be a number" ;; esac
[ "$entries" -ge 10 ] || die "ENTRIES must be at least 10"
[ "$runs" -ge 1 ] || die "RUNS must be at least 1"
[ $# -le 1 ] || die "usage: $prog [kerio2syslog-binary]"

gnutime=${GNU_TIME:-$(type -P time || true)}
if [ -z "$gnutime" ] || ! "$gnutime" -f %M -o /dev/null true 2>/dev/null
then
	die "GNU time is needed for peak RSS (Debian package \"time\")"
fi
command -v perl >/dev/null || die "perl is needed"

if [ $# -eq 1 ]; then
	bin=$1
else
	build=${BUILD_DIR:-$top/build-bench}
	note "building kerio2syslog in $build"
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
	cmake --build "$build" --parallel >&2
	bin=$build/kerio2syslog
fi
[ -x "$bin" ] || die "$bin: not an executable"
case $bin in */*) ;; *) bin=./$bin ;; esac

tmp=$(mktemp -d -t k2s-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

small=$((entries / 10))
log=$tmp/full.log
slog=$tmp/small.log
note "generating $entries entries (and $small for the RSS comparison)"
"$here/gen-kerio-log" -s "$seed" -e "$tmp/full.expected" "$entries" "$log"
"$here/gen-kerio-log" -s "$seed" "$small" "$slog"
bytes=$(wc -c <"$log")
lines=$(wc -l <"$log")

tools=(cat kerio2syslog perl perlflush)

# Sets argv to the command line of tool $1, without the input file.
tool_argv()
{
	case $1 in
	cat) argv=(cat) ;;
	kerio2syslog) argv=("$bin" -H bench) ;;
	perl) argv=(perl "$here/classic-filter.pl") ;;
	perlflush) argv=(env CLASSIC_FLUSH=1 perl "$here/classic-filter.pl") ;;
	esac
}

# Runs tool $1 on file $2 and appends its wall-clock microseconds to
# $tmp/us.$1.  EPOCHREALTIME avoids forking a clock between the two reads.
time_run()
{
	local t0 t1

	tool_argv "$1"
	t0=$EPOCHREALTIME
	"${argv[@]}" "$2" >/dev/null || die "$1 failed on $2"
	t1=$EPOCHREALTIME
	echo $((${t1/./} - ${t0/./})) >>"$tmp/us.$1"
}

# Prints the peak RSS in KiB of tool $1 on file $2, the largest of $3 runs.
peak_rss()
{
	local i kib max=0

	tool_argv "$1"
	for ((i = 0; i < $3; i++)); do
		"$gnutime" -f %M -o "$tmp/rss" "${argv[@]}" "$2" >/dev/null ||
		    die "$1 failed on $2"
		kib=$(tail -n 1 "$tmp/rss")
		[ "$kib" -gt "$max" ] && max=$kib
	done
	echo "$max"
}

# Prints "best median" in seconds for tool $1.
best_median()
{
	sort -n "$tmp/us.$1" | awk '{ t[NR] = $1 } END {
		m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
		printf "%.4f %.4f\n", t[1] / 1e6, m / 1e6
	}'
}

note "warming the page cache and each tool"
cat "$log" >/dev/null
cat "$log" >/dev/null
for t in "${tools[@]}"; do
	tool_argv "$t"
	"${argv[@]}" "$log" >/dev/null || die "$t failed on $log"
done

note "timing $runs interleaved runs of each tool"
for ((r = 0; r < runs; r++)); do
	for ((i = 0; i < ${#tools[@]}; i++)); do
		time_run "${tools[(r + i) % ${#tools[@]}]}" "$log"
	done
done

note "measuring peak RSS"
rss_cat=$(peak_rss cat "$log" 1)
rss_perl=$(peak_rss perl "$log" 1)
rss_small=$(peak_rss kerio2syslog "$slog" 3)
rss_full=$(peak_rss kerio2syslog "$log" 3)

note "checking the output"
status=0
"$bin" -H bench "$log" >"$tmp/out" || die "kerio2syslog failed on $log"
outlines=$(wc -l <"$tmp/out")
if [ "$outlines" -eq "$entries" ]; then
	count_check=ok
else
	count_check=FAILED
	status=1
fi
if cmp -s "$tmp/out" "$tmp/full.expected"; then
	same_check=ok
else
	same_check=FAILED
	status=1
	diffline=$({ cmp "$tmp/out" "$tmp/full.expected" 2>&1 || true; } |
	    sed -n 's/.*line \([0-9]*\).*/\1/p')
fi

read -r best_cat med_cat <<<"$(best_median cat)"
read -r best_k2s med_k2s <<<"$(best_median kerio2syslog)"
read -r best_perl med_perl <<<"$(best_median perl)"
read -r best_pf med_pf <<<"$(best_median perlflush)"

awk -v entries="$entries" -v lines="$lines" -v bytes="$bytes" \
    -v runs="$runs" -v small="$small" -v load="$(uptime)" \
    -v bc="$best_cat" -v mc="$med_cat" -v rc="$rss_cat" \
    -v bk="$best_k2s" -v mk="$med_k2s" -v rk="$rss_full" \
    -v bp="$best_perl" -v mp="$med_perl" -v rp="$rss_perl" \
    -v bf="$best_pf" -v mf="$med_pf" \
    -v rs="$rss_small" '
function row(name, best, med, rss) {
	printf "%-22s %8.4f %9.4f %10.1f %13d\n", name, best, med,
	    bytes / 1e6 / best, rss
}
function verdict(ok) {
	return ok ? "met" : "NOT met"
}
BEGIN {
	mb = bytes / 1e6
	sub(/.*load average: /, "", load)
	printf "kerio2syslog benchmark\n"
	printf "input: %d entries, %d wrapped (%.1f%%), %d lines, " \
	    "%d bytes (%.1f MB)\n", entries, lines - entries,
	    100 * (lines - entries) / entries, lines, bytes, mb
	printf "method: %d interleaved runs per tool, page cache warm, " \
	    "output to /dev/null; load average %s\n\n", runs, load
	printf "%-22s %8s %9s %10s %13s\n", "tool", "best s", "median s",
	    "MB/s best", "peak RSS KiB"
	row("cat", bc, mc, rc)
	row("kerio2syslog", bk, mk, rk)
	row("perl classic, buffered", bp, mp, rp)
	row("perl classic, flushed", bf, mf, rp)
	printf "\npeak RSS of kerio2syslog: %d KiB for %d entries, " \
	    "%d KiB for %d entries\n\n", rs, small, rk, entries
	printf "%-22s %8s %9s   %s\n", "ratio", "best", "median", "target"
	printf "%-22s %7.1fx %8.1fx   >= 35x: %s (as the original runs)\n",
	    "perl flushed / k2s", bf / bk, mf / mk, verdict(bf / bk >= 35)
	printf "%-22s %7.1fx %8.1fx   (block-buffered Perl, for reference)\n",
	    "perl buffered / k2s", bp / bk, mp / mk
	printf "%-22s %7.2fx %8.2fx   <= 3x: %s\n", "kerio2syslog / cat",
	    bk / bc, mk / mc, verdict(bk / bc <= 3)
	max = rk > rs ? rk : rs
	printf "%-22s %8d %9s   < 2048 KiB: %s\n", "peak RSS KiB", max, "",
	    verdict(max < 2048)
}'

echo
echo "check: kerio2syslog output lines $outlines," \
    "entries $entries: $count_check"
echo "check: kerio2syslog output = expected conversion: $same_check"
if [ "$same_check" != ok ] && [ -n "${diffline:-}" ]; then
	echo "  first difference at line $diffline:"
	echo "  got:      $(sed -n "${diffline}p" "$tmp/out" | cut -c 1-200)"
	echo "  expected: $(sed -n "${diffline}p" "$tmp/full.expected" |
	    cut -c 1-200)"
fi
exit $status
