# shellcheck shell=bash
# The helpers every shell test shares, written once: a bounded wait, the
# tally of checks, the tools a test needs, the end of a process tree, the
# README's code blocks, and the shipped logrotate file adapted to a test's
# output. Sourced by bash, not run. What only one group of tests needs is
# in that group's lib.sh (tests/follow, tests/fail2ban, tests/hardening,
# tests/package), which sources this one; tests/several and tests/journal
# source fail2ban's.

# The checks passed and failed so far (see ok, not_ok and tally).
passed=0
failed=0

# ok TEXT...: a check passed. not_ok TEXT...: one failed. Each prints one
# line, "ok - TEXT" or "not ok - TEXT".
ok() {
	passed=$((passed + 1))
	printf 'ok - %s\n' "$*"
}

not_ok() {
	failed=$((failed + 1))
	printf 'not ok - %s\n' "$*"
}

# tally: prints "N passed, M failed"; the status is 0 when none failed.
tally() {
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
}

# wait_until SECONDS COMMAND...: runs COMMAND every 50 ms until it
# succeeds (status 0) or SECONDS (whole seconds) have passed since the
# call (status 1). The deadline is read from the microsecond clock, so a
# wait is never shorter than asked, however late in a second it starts.
wait_until() {
	local end now
	now=${EPOCHREALTIME//[.,]/}
	end=$((now + $1 * 1000000))
	shift
	until "$@"; do
		now=${EPOCHREALTIME//[.,]/}
		[ "$now" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# need TOOL...: exits 69 (EX_UNAVAILABLE), naming the first TOOL missing,
# unless every TOOL is installed.
need() {
	local tool
	for tool; do
		command -v "$tool" >/dev/null ||
		    { echo "$tool is missing" >&2; exit 69; }
	done
}

# need_root WHY: exits 77 (ctest's skip, where a test asks for it) unless
# run as root.
need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$0 needs root ($1)" >&2
		exit 77
	fi
}

# kill_tree ID: kills the children of ID (as they are now), then ID. An
# empty ID (a process that was gone before its id was read) is none.
kill_tree() {
	local c
	[ -n "$1" ] || return 0
	for c in $(pgrep -P "$1"); do
		kill_tree "$c"
	done
	kill -CONT "$1" 2>/dev/null
	kill -KILL "$1" 2>/dev/null
}

# proc_cost ID: the CPU time process ID has used (utime + stime, clock
# ticks: getconf CLK_TCK a second) and how often it went to sleep
# (voluntary context switches: its wake-ups), as "TICKS SWITCHES".
proc_cost() {
	local stat f
	stat=$(cat "/proc/$1/stat") || return 1
	read -r -a f <<<"${stat##*) }"
	echo "$((f[11] + f[12]))" \
	    "$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status")"
}

# NEIGHBOUR: another program's log written beside a followed file
# (NEIGHBOUR FILE RATE SECS; see the script).
NEIGHBOUR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/follow/neighbour.py

# readme_block MARK: the code block that follows the line <!-- MARK --> in
# the README, as written there.
readme_block() {
	awk -v mark="<!-- $1 -->" '$0 == mark { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		want && inside { print }' \
	    "$(dirname "${BASH_SOURCE[0]}")/../README.md"
}

LOGROTATE_FILE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." &&
    pwd)/contrib/logrotate.d/kerio2syslog

# shipped_logrotate OUT [RELOAD]: the shipped logrotate file
# (contrib/logrotate.d/kerio2syslog) made to rotate OUT as the user the
# test runs as (its su line dropped, create 0640), its reload (systemctl)
# replaced by the shell command RELOAD (no | & or \ in it), or its
# postrotate script dropped when RELOAD is empty or not given. Status 1,
# said on stderr, when the file is missing.
shipped_logrotate() {
	local reload
	[ -f "$LOGROTATE_FILE" ] ||
	    { echo "no $LOGROTATE_FILE" >&2; return 1; }
	if [ -n "${2:-}" ]; then
		reload="s|^\([[:space:]]*\)systemctl.*|\1$2|"
	else
		reload='/^[[:space:]]*postrotate/,/^[[:space:]]*endscript/d'
	fi
	sed -e "s|^/[^ ]*keriosecurity.log|$1|" \
	    -e 's|^\([[:space:]]*create\).*|\1 0640|' \
	    -e "$reload" \
	    -e '/^[[:space:]]*su /d' "$LOGROTATE_FILE"
}
