# A real systemd-journald for the tests, isolated from the machine's own;
# sourced, not run.  The caller sets K2S and HERE, as for
# tests/fail2ban/lib.sh (sourced here: ok, check, wait_until, $T and CLEANUP
# come from there), and calls jd_init.
#
# journald runs as a plain process (no systemd as PID 1), as root, in a
# private mount namespace (unshare -m, private propagation) in which
#   /run/systemd                 is $JD_ROOT/run  (its sockets),
#   /run/log                     is $JD_ROOT/log  (files; Storage=volatile),
#   /etc/systemd/journald.conf   is $JD_ROOT/journald.conf,
# and, where they exist, /etc/systemd/journald.conf.d and /var/log/journal
# are hidden under empty tmpfs mounts, so no setting or file of the
# machine's journal is read or written.  Clients find journald at the fixed
# paths (/run/systemd/journal/socket, /dev/log): every writer, and a
# fail2ban-server that reads the journal, runs in that namespace through
# jd_run.  The files stay readable from outside: journalctl -D "$JD_DIR".
#
# jd_init; jd_start; jd_send FIELD=VALUE...; jd_has N MATCH...;
# jd_field FIELD MATCH...; jd_stop (also run at exit through CLEANUP).

. "$HERE/../fail2ban/lib.sh"

JD_BIN=/lib/systemd/systemd-journald
# Debian's interpreter, which has python3-systemd (a python3 earlier in PATH
# may not).
JD_PY=/usr/bin/python3
JD_PID=
JD_ROOT=
JD_DIR=

# jd_init [driver]: f2b_init, then exit 69 when a package is missing, 77
# (skipped, loudly) when this machine cannot run a private journald at all;
# with "driver", exit 64 unless DRIVER is the build's sink-driver.
jd_init()
{
	if [ "${1:-}" = driver ] && [ ! -x "$DRIVER" ]; then
		echo "usage: $0 path/to/kerio2syslog path/to/sink-driver" >&2
		exit 64
	fi
	f2b_init
	need unshare nsenter journalctl logger setpriv
	if [ ! -x "$JD_BIN" ]; then
		echo "$JD_BIN is missing (Debian package systemd)" >&2
		exit 69
	fi
	if ! "$JD_PY" -c 'import systemd.journal' 2>/dev/null; then
		echo "$JD_PY cannot import systemd.journal" \
		    "(Debian package python3-systemd)" >&2
		exit 69
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIPPED: $0 needs root to run its own systemd-journald" \
		    "in a private mount namespace" >&2
		exit 77
	fi
	if ! unshare -m --propagation private true 2>"$T/unshare.err"; then
		echo "SKIPPED: $0: unshare -m fails here ($(cat "$T/unshare.err"));" \
		    "this machine cannot run a private journald" >&2
		exit 77
	fi
}

# jd_socket_up: journald's native socket is bound.
jd_socket_up() { [ -S "$JD_ROOT/run/journal/socket" ]; }

# jd_start: journald in its namespace as JD_PID, its files in JD_DIR; waits
# until a probe record sent to its socket can be read back.
jd_start()
{
	JD_ROOT=$T/journald
	JD_DIR=$JD_ROOT/log/journal
	mkdir -p "$JD_ROOT/run" "$JD_ROOT/log" || return 1
	# No rate limit, so a flood test loses nothing to it; nothing
	# forwarded anywhere, no kernel or audit messages read.
	cat >"$JD_ROOT/journald.conf" <<EOT
[Journal]
Storage=volatile
RuntimeMaxUse=256M
RateLimitIntervalSec=0
RateLimitBurst=0
ReadKMsg=no
Audit=no
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
EOT
	local hide=
	[ -d /etc/systemd/journald.conf.d ] &&
	    hide="$hide mount -t tmpfs none /etc/systemd/journald.conf.d &&"
	[ -d /var/log/journal ] &&
	    hide="$hide mount -t tmpfs none /var/log/journal &&"
	# unshare and sh exec, so $! is journald itself.
	unshare -m --propagation private sh -ec "
		mount --bind '$JD_ROOT/run' /run/systemd
		mount --bind '$JD_ROOT/log' /run/log
		mount --bind '$JD_ROOT/journald.conf' /etc/systemd/journald.conf
		$hide true
		exec '$JD_BIN'" >"$JD_ROOT/journald.out" 2>&1 &
	JD_PID=$!
	CLEANUP="jd_stop; $CLEANUP"
	if ! wait_until 30 jd_socket_up; then
		echo "journald did not bind its socket within 30 s:" >&2
		cat "$JD_ROOT/journald.out" >&2
		jd_stop
		return 1
	fi
	jd_send MESSAGE=probe JD_PROBE=1 || return 1
	if ! wait_until 30 jd_has 1 JD_PROBE=1; then
		echo "the probe record did not come back within 30 s" >&2
		jd_stop
		return 1
	fi
}

# jd_run COMMAND...: COMMAND in journald's mount namespace.
jd_run()
{
	nsenter -t "$JD_PID" -m -- "$@"
}

# jd_send FIELD=VALUE...: one record through the native protocol
# (python3-systemd's journal.sendv, so any field, any bytes but NUL).
jd_send()
{
	jd_run "$JD_PY" -c \
	    'import sys; from systemd import journal; journal.sendv(*sys.argv[1:])' \
	    "$@"
}

# jd_send_many: one record per line of standard input, each line a record's
# FIELD=VALUE pairs separated by tabs, through one process (fast).
jd_send_many()
{
	jd_run "$JD_PY" -c '
import sys
from systemd import journal
for line in sys.stdin:
	journal.sendv(*line.rstrip("\n").split("\t"))
'
}

# jd_logger [OPTION...]: logger --journald, reading FIELD=VALUE lines (one
# record) from standard input.
jd_logger()
{
	jd_run logger --journald "$@"
}

# jd_count MATCH...: the number of records matching journalctl's MATCHes.
jd_count()
{
	journalctl -D "$JD_DIR" -q -o export "$@" 2>/dev/null |
	    grep -c '^__CURSOR='
}

# jd_has N MATCH...: at least N records match.
jd_has()
{
	local n=$1
	shift
	[ "$(jd_count "$@")" -ge "$n" ]
}

# jd_field FIELD MATCH...: FIELD of each matching record, one per line, in
# journal order ("-" where the record has no FIELD).
jd_field()
{
	local field=$1
	shift
	journalctl -D "$JD_DIR" -q -o json --output-fields="$field" "$@" |
	    "$JD_PY" -c '
import json, sys
for line in sys.stdin:
	v = json.loads(line).get(sys.argv[1], "-")
	print(v if isinstance(v, str) else repr(v))
' "$field"
}

jd_stop()
{
	if [ -n "$JD_PID" ] && kill -0 "$JD_PID" 2>/dev/null; then
		kill "$JD_PID"
		wait_until 15 f2b_dead "$JD_PID" || kill -9 "$JD_PID"
		wait "$JD_PID" 2>/dev/null
	fi
	JD_PID=
}
