# Shared helpers for the package tests; sourced, not run (bash).
#
# Each check ends in ok or not_ok; finish prints "N passed, M failed" and
# exits non-zero on any failure.  TOP is the top of the source tree.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export LC_ALL=C
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	printf 'ok     %s\n' "$*"
}

not_ok() {
	failed=$((failed + 1))
	printf 'FAILED %s\n' "$*"
}

# check NAME EXPECTED ACTUAL: returns 1 when they differ.
check() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '  expected: %s\n  got:      %s\n' "$2" "$3" |
		    sed 's/^/    /'
		return 1
	fi
}

# check_diff NAME FILE_EXPECTED FILE_ACTUAL: the two files are equal.
check_diff() {
	if diff -u "$2" "$3" >"$2.diff"; then
		ok "$1"
	else
		not_ok "$1:"
		sed 's/^/    /' "$2.diff"
	fi
}

finish() {
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
	exit
}

# The project's version, from CMakeLists.txt's project(VERSION).
project_version() {
	sed -n 's/^project(kerio2syslog VERSION \([0-9.]*\).*/\1/p' \
	    "$TOP/CMakeLists.txt"
}

# wait_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds
# or SECONDS have passed; returns its last status.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}
