#!/bin/sh
# Builds the libFuzzer targets in a build tree of their own (clang, ASan,
# UBSan) and runs each for SECONDS seconds, from the seed corpus in
# tests/fuzz/corpus and the golden inputs tests/data/*.log. Prints
# libFuzzer's final figures per target; exits non-zero on any finding.
#
# usage: tests/fuzz/run-fuzzers.sh SECONDS [BUILD_DIR]
# A finding is left as crash-*/leak-*/timeout-*/oom-* in the current
# directory: turn it into a regression test (tests/hardening/).
set -u

secs=${1:?usage: run-fuzzers.sh SECONDS [BUILD_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${2:-$top/build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)

work=$(mktemp -d "${TMPDIR:-/tmp}/k2s-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

if ! { CC=clang cmake -S "$top" -B "$build" -DENABLE_FUZZING=ON \
    -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    cmake --build "$build" -j "$jobs" --target fuzz_stamp fuzz_joiner \
	fuzz_convert fuzz_state; } >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log"
	echo "run-fuzzers.sh: the fuzz build failed"
	exit 1
fi

failed=0
for what in stamp joiner convert state; do
	corpus=$work/$what
	mkdir -p "$corpus"
	if [ "$what" = stamp ] || [ "$what" = state ]; then
		cp "$here/corpus/$what/"* "$corpus/"
	else
		cp "$here/corpus/log/"* "$corpus/"
		for f in "$top"/tests/data/*.log; do
			[ -f "$f" ] && cp "$f" "$corpus/data-$(basename "$f")"
		done
	fi
	# -max_len: long enough for wrapped entries, pieces and cuts.
	"$build/tests/fuzz/fuzz_$what" -max_total_time="$secs" \
	    -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 "$corpus" >"$work/$what.log" 2>&1
	rc=$?
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$what.log" |
	    tail -n 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$work/$what.log")
	printf 'fuzz_%s: %s runs in %ss; %s\n' "$what" "${runs:-?}" "$secs" \
	    "$(printf '%s' "$done_line" | sed 's/^#[0-9]*[[:space:]]*//')"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz_$what: FAILED (exit $rc)"
		tail -n 40 "$work/$what.log"
		failed=1
	fi
done
exit "$failed"
