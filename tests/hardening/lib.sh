# shellcheck shell=bash
# Shared by the hardening tests: temporary files removed on exit, and the
# check that output lines are well-formed; the counters and the bounded
# wait are tests/lib.sh's. Sourced by bash scripts that set BIN first.

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/k2s-hard.XXXXXX") || exit 1
# Processes a test started in the background, killed by id on exit.
started=""

cleanup() {
	for p in $started; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	# A read-only directory must be made writable again to be removed.
	chmod -R u+w "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# check NAME CONDITION-COMMAND... : ok when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name (failed: $*)"
	fi
}

# Prints the number of lines of FILE that are not a well-formed
# "STAMP h kerio: MSG" line (bsd stamp, MSG without control bytes nor the
# bytes of U+0085, U+2028, U+2029), plus 1 if FILE does not end with LF.
malformed() {
	local bad nel last
	bad=$(LC_ALL=C grep -a -c -v -E '^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] h kerio: [^[:cntrl:]]*$' "$1")
	nel=$(LC_ALL=C grep -a -c -P '\xc2\x85|\xe2\x80[\xa8\xa9]' "$1")
	last=0
	if [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' ')" != 0a ]; then
		last=1
	fi
	echo $((bad + nel + last))
}

# Longest line of FILE in bytes.
longest() {
	LC_ALL=C awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$1"
}

# Runs "$@" with the permission checks root normally skips: as root,
# without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (so mode bits count);
# as anybody else, as it is. Returns 200 if that is not possible.
as_plain_user() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
		return
	fi
	command -v setpriv >/dev/null 2>&1 || return 200
	setpriv --inh-caps=-dac_override,-dac_read_search \
	    --bounding-set=-dac_override,-dac_read_search -- "$@"
}

finish() {
	tally
}
