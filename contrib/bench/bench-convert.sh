#!/bin/bash
#
# bench-convert.sh - time kerio2syslog against the classic Perl filter and cat
#
# usage: bench-convert.sh [[NAME=]kerio2syslog-binary ...]
#
# Without an argument, builds kerio2syslog (Release) into $BUILD_DIR, by
# default build-bench at the top of the source tree.  With BASE_REF set
# (a git revision of this tree, such as main), builds that revision too,
# from "git archive" into the temporary directory, and times it beside
# the tree: a change is measured before and after in the same run.  Given
# binaries are timed side by side instead, each named NAME (default: its
# path); the first is the one the others are compared with.
#
# Generates a synthetic Kerio security.log with gen-kerio-log in a
# temporary directory ($TMPDIR is honoured), then times, in the same run:
#
#	cat FILE >/dev/null
#	kerio2syslog -H bench FILE >/dev/null	(each binary)
#	perl classic-filter.pl FILE >/dev/null
#	CLASSIC_FLUSH=1 perl classic-filter.pl FILE >/dev/null
#
# after warming the page cache and running each tool once.  The timed runs
# are interleaved (one of each tool per round, the order rotating) so that
# a noisy neighbour slows all tools alike; best and median wall-clock times
# are reported, and the ratios to cat are computed from those same runs.
# Peak RSS comes from GNU time (Debian package "time"), for kerio2syslog on
# the full input and on one ten times smaller, to show it does not grow
# with input.  Finally it checks that each kerio2syslog writes one line
# per entry and exactly the conversion gen-kerio-log predicts.
#
# Environment:
#	ENTRIES		entries in the generated log (default 1000000)
#	RUNS		timed runs of each tool (default 5)
#	SEED		generator seed (default 1)
#	BUILD_DIR	where to build when no binary is given
#	BASE_REF	a git revision to build and time beside the tree
#	GNU_TIME	GNU time binary (default: "time" found in PATH)
#
# Prints figures; the targets are reported, not enforced.  Exits 1 only if
# a tool fails or an output check fails.

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

gnutime=${GNU_TIME:-$(type -P time || true)}
if [ -z "$gnutime" ] || ! "$gnutime" -f %M -o /dev/null true 2>/dev/null
then
	die "GNU time is needed for peak RSS (Debian package \"time\")"
fi
command -v perl >/dev/null || die "perl is needed"

tmp=$(mktemp -d -t k2s-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Builds the Release binary of source tree $1 in $2.
build()
{
	cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release >&2
	cmake --build "$2" --parallel 2 --target kerio2syslog >&2
}

names=()
bins=()
if [ $# -eq 0 ]; then
	if [ -n "${BASE_REF:-}" ]; then
		note "building $BASE_REF in $tmp/base"
		mkdir "$tmp/base"
		git -C "$top" archive "$BASE_REF" | tar -x -C "$tmp/base" ||
		    die "$BASE_REF: cannot export it with git archive"
		build "$tmp/base" "$tmp/base/build"
		names+=("$BASE_REF")
		bins+=("$tmp/base/build/kerio2syslog")
	fi
	b=${BUILD_DIR:-$top/build-bench}
	note "building kerio2syslog in $b"
	build "$top" "$b"
	names+=(tree)
	bins+=("$b/kerio2syslog")
else
	for a in "$@"; do
		case $a in
		*=*) names+=("${a%%=*}") bins+=("${a#*=}") ;;
		*) names+=("$a") bins+=("$a") ;;
		esac
	done
fi
for ((k = 0; k < ${#bins[@]}; k++)); do
	b=${bins[k]}
	[ -x "$b" ] || die "$b: not an executable"
	case $b in */*) ;; *) bins[k]=./$b ;; esac
	case ${names[k]} in
	'' | *[!A-Za-z0-9._/+-]*) die "${names[k]}: use letters, digits, ._/+-" ;;
	esac
done
# The generated log is old: a binary that marks late entries ("[late] ",
# --late-after) converts it as a dry run does, unmarked, so that every
# binary writes the same lines, checked below.
late=()
for ((k = 0; k < ${#bins[@]}; k++)); do
	late[k]=
	"${bins[k]}" --help 2>&1 | grep -q -- --late-after && late[k]=1
done

small=$((entries / 10))
log=$tmp/full.log
slog=$tmp/small.log
note "generating $entries entries (and $small for the RSS comparison)"
"$here/gen-kerio-log" -s "$seed" -e "$tmp/full.expected" "$entries" "$log"
"$here/gen-kerio-log" -s "$seed" "$small" "$slog"
bytes=$(wc -c <"$log")
lines=$(wc -l <"$log")

# The tools timed: cat, k2s0, k2s1... (the binaries), perl, perlflush.
tools=(cat)
for ((k = 0; k < ${#bins[@]}; k++)); do
	tools+=("k2s$k")
done
tools+=(perl perlflush)

# Sets argv to the command line of tool $1, without the input file.
tool_argv()
{
	case $1 in
	cat) argv=(cat) ;;
	k2s*)
		argv=("${bins[${1#k2s}]}" -H bench)
		[ -n "${late[${1#k2s}]}" ] && argv+=(--late-after 0)
		;;
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
: >"$tmp/table"
for ((k = 0; k < ${#bins[@]}; k++)); do
	rs=$(peak_rss "k2s$k" "$slog" 3)
	rf=$(peak_rss "k2s$k" "$log" 3)
	echo "k2s ${names[k]} $(best_median "k2s$k") $rf $rs" >>"$tmp/table"
done
echo "cat cat $(best_median cat) $rss_cat 0" >>"$tmp/table"
echo "perl buffered $(best_median perl) $rss_perl 0" >>"$tmp/table"
echo "perl flushed $(best_median perlflush) $rss_perl 0" >>"$tmp/table"

note "checking the output"
status=0
checks=
for ((k = 0; k < ${#bins[@]}; k++)); do
	tool_argv "k2s$k"
	"${argv[@]}" "$log" >"$tmp/out" ||
	    die "${names[k]} failed on $log"
	outlines=$(wc -l <"$tmp/out")
	if [ "$outlines" -eq "$entries" ]; then
		count_check=ok
	else
		count_check=FAILED
		status=1
	fi
	checks+="check: ${names[k]}: output lines $outlines, entries $entries:"
	checks+=" $count_check"$'\n'
	if cmp -s "$tmp/out" "$tmp/full.expected"; then
		checks+="check: ${names[k]}: output = expected conversion: ok"$'\n'
		continue
	fi
	status=1
	checks+="check: ${names[k]}: output = expected conversion: FAILED"$'\n'
	d=$({ cmp "$tmp/out" "$tmp/full.expected" 2>&1 || true; } |
	    sed -n 's/.*line \([0-9]*\).*/\1/p')
	[ -n "$d" ] || continue
	checks+="  first difference at line $d:"$'\n'
	checks+="  got:      $(sed -n "${d}p" "$tmp/out" | cut -c 1-200)"$'\n'
	checks+="  expected: $(sed -n "${d}p" "$tmp/full.expected" |
	    cut -c 1-200)"$'\n'
done

awk -v entries="$entries" -v lines="$lines" -v bytes="$bytes" \
    -v runs="$runs" -v small="$small" -v load="$(uptime)" '
# Rows: kind name best median rss rss_small.
{
	n++
	kind[n] = $1; name[n] = $2; best[n] = $3; med[n] = $4
	rss[n] = $5; rsmall[n] = $6
	if ($1 == "cat") c = n
	if ($1 == "perl" && $2 == "flushed") pf = n
	if ($1 == "perl" && $2 == "buffered") pb = n
	if ($1 == "k2s" && first == 0) first = n
}
function label(i) {
	if (kind[i] == "k2s")
		return "kerio2syslog " name[i]
	if (kind[i] == "perl")
		return "perl classic, " name[i]
	return "cat"
}
function row(i) {
	printf "%-" lw "s %8.4f %9.4f %10.1f %6.2fx %6.2fx %9d\n", label(i),
	    best[i], med[i], bytes / 1e6 / best[i], best[i] / best[c],
	    med[i] / med[c], rss[i]
}
function verdict(ok) {
	return ok ? "met" : "NOT met"
}
END {
	mb = bytes / 1e6
	sub(/.*load average: /, "", load)
	printf "kerio2syslog benchmark\n"
	printf "input: %d entries, %d wrapped (%.1f%%), %d lines, " \
	    "%d bytes (%.1f MB)\n", entries, lines - entries,
	    100 * (lines - entries) / entries, lines, bytes, mb
	printf "method: %d interleaved runs per tool, page cache warm, " \
	    "output to /dev/null; load average %s\n\n", runs, load
	lw = 26
	rw = 30
	for (i = 1; i <= n; i++) {
		if (length(label(i)) > lw)
			lw = length(label(i))
		if (length("perl buffered / " name[i]) > rw)
			rw = length("perl buffered / " name[i])
	}
	printf "%-" lw "s %8s %9s %10s %7s %7s %9s\n", "tool", "best s",
	    "median s", "MB/s best", "/cat", "/cat", "peak RSS"
	printf "%-" lw "s %8s %9s %10s %7s %7s %9s\n", "", "", "", "", "best",
	    "median", "KiB"
	row(c)
	for (i = 1; i <= n; i++)
		if (kind[i] == "k2s")
			row(i)
	row(pb)
	row(pf)
	printf "\n"
	for (i = 1; i <= n; i++) {
		if (kind[i] != "k2s")
			continue
		printf "peak RSS of %s: %d KiB for %d entries, %d KiB for " \
		    "%d entries\n", label(i), rsmall[i], small, rss[i], entries
	}
	printf "\n%-" rw "s %7s %8s   %s\n", "ratio", "best", "median", "target"
	for (i = 1; i <= n; i++) {
		if (kind[i] != "k2s")
			continue
		m = rss[i] > rsmall[i] ? rss[i] : rsmall[i]
		printf "%-" rw "s %6.2fx %7.2fx   <= 3x: %s\n",
		    name[i] " / cat", best[i] / best[c], med[i] / med[c],
		    verdict(best[i] / best[c] <= 3)
		printf "%-" rw "s %6.1fx %7.1fx   >= 35x: %s (as the original " \
		    "runs)\n", "perl flushed / " name[i], best[pf] / best[i],
		    med[pf] / med[i], verdict(best[pf] / best[i] >= 35)
		printf "%-" rw "s %6.1fx %7.1fx   (block-buffered Perl, for " \
		    "reference)\n", "perl buffered / " name[i],
		    best[pb] / best[i], med[pb] / med[i]
		printf "%-" rw "s %7d %8s   < 2048 KiB: %s\n",
		    "peak RSS KiB " name[i], m, "", verdict(m < 2048)
		if (i != first)
			printf "%-" rw "s %6.2fx %7.2fx   (below 1: faster)\n",
			    name[i] " / " name[first], best[i] / best[first],
			    med[i] / med[first]
	}
}' "$tmp/table"

echo
printf '%s' "$checks"
exit $status
