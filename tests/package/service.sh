#!/bin/bash
# The installed service under a real systemd: in a throwaway copy of this
# machine (sandbox.sh) systemd runs as PID 1, the .deb is installed, and
#  - without Kerio's log directory the service stays inactive ("start
#    condition failed"), not failed, and is not restarted;
#  - with it, the service starts in its sandbox, says on start what it
#    follows into what, converts new entries with RFC 3339 stamps, survives
#    a logrotate of its output and a rotation of Kerio's log (one journal
#    line), and --status reports it caught up (exit 0);
#  - the drop-in example moves it to a store under /srv, sandbox included;
#  - purge stops it and removes the unit.
# Entries carry sequence numbers; each must be written once, in order.
#
# usage: service.sh DEB
# Exits 77 (skipped) where the sandbox or systemd cannot run.
set -u
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
deb=$(cd "$(dirname "${1:?usage: $0 DEB}")" && pwd)/$(basename "$1")
command -v nsenter >/dev/null || { echo "nsenter missing" >&2; exit 77; }
T=$(mktemp -d -t k2s-service.XXXXXX) || exit 73
P=
S=
cleanup() {
	[ -n "$P" ] && kill -KILL "$P" 2>/dev/null
	[ -n "$S" ] && wait "$S" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# systemd as PID 1 in the sandbox; $P is its process here.
cp "$deb" "$T/"
bash "$here/sandbox.sh" "$T" /usr/bin/env container=k2s-sandbox \
    /lib/systemd/systemd --system --unit=multi-user.target \
    >"$T/systemd.log" 2>&1 &
S=$!
child() {
	ps -o pid= --ppid "$1" | head -n 1 | tr -d ' '
}
# sandbox.sh -> unshare -> systemd.
find_p1() {
	local u
	u=$(child "$S") && [ -n "$u" ] && P=$(child "$u") && [ -n "$P" ] &&
	    [ "$(cat "/proc/$P/comm" 2>/dev/null)" = systemd ]
}
sb() {
	nsenter -t "$P" -m -p -n -r -w "$@"
}
booted() {
	case $(sb systemctl is-system-running 2>/dev/null) in
	running | degraded) return 0 ;;
	esac
	return 1
}
if ! wait_until 30 find_p1 || ! wait_until 60 booted; then
	echo "systemd did not boot in the sandbox; skipped:"
	tail -n 20 "$T/systemd.log"
	exit 77
fi
ok "systemd runs as PID 1 in the sandbox ($(sb systemctl is-system-running))"

KERIO=/opt/kerio/mailserver/store/logs
OUT=/var/log/keriosecurity.log
STATE=/var/lib/kerio2syslog/state
prop() {
	sb systemctl show -P "$1" kerio2syslog.service
}
# entry N [DIR]: appends Kerio entry N to DIR/security.log.
entry() {
	sb sh -c "printf '[27/Nov/2026 10:00:%02d] Failed SMTP login from 192.0.2.%d with SASL method LOGIN. seq=%d\n' \
	    $(($1 % 60)) $1 $1 >>${2:-$KERIO}/security.log"
}
in_out() {
	sb sh -c "cat $OUT* 2>/dev/null" | grep -q "seq=$1\$"
}
journal_has() {
	sb journalctl -q -u kerio2syslog.service -o cat 2>/dev/null |
	    grep -qF "$1"
}

# A policy-rc.d copied from this machine would keep the package from
# starting the service; this copy of the machine has none.
sb rm -f /usr/sbin/policy-rc.d
sb apt-get install -y -q "$T/$(basename "$deb")" >"$T/apt.log" 2>&1
check "apt-get install under systemd" 0 $?
check "enabled" enabled "$(sb systemctl is-enabled kerio2syslog.service)"

# No Kerio: off with a clear status, never restarted.
sb systemctl start kerio2syslog.service
check "started without Kerio's log directory: inactive, condition unmet" \
    "inactive no 0" \
    "$(prop ActiveState) $(prop ConditionResult) $(prop NRestarts)"
sleep 7 # RestartSec= is 5 s: a restart loop would show by now
check "7 s later: still inactive, not failed, not restarted" \
    "inactive success 0" \
    "$(prop ActiveState) $(prop Result) $(prop NRestarts)"
sb systemctl status --no-pager kerio2syslog.service >"$T/status" 2>&1
check "systemctl status names the condition" 1 \
    "$(grep -c "ConditionPathIsDirectory=$KERIO was not met" "$T/status")"

# Kerio there: it runs, in its sandbox.
sb mkdir -p "$KERIO"
entry 1
sb systemctl start kerio2syslog.service
running() {
	[ "$(prop SubState)" = running ]
}
wait_until 20 running
check "started with Kerio's log directory: active (running)" \
    "active running" "$(prop ActiveState) $(prop SubState)"
wait_until 20 journal_has "following $KERIO/security.log (no state, starting at its end) into $OUT"
check "the journal's start line" 0 $?
entry 2
entry 3
wait_until 20 in_out 3
check "new entries are written, with RFC 3339 stamps" 2 \
    "$(sb cat "$OUT" | grep -cE '^2026-11-27T10:00:0[23][+-][0-9]{2}:[0-9]{2} ')"
status_ok() {
	sb kerio2syslog --status --state "$STATE" -o "$OUT" \
	    "$KERIO/security.log" >"$T/k2s-status" 2>&1 &&
	    grep -q '^behind: *0 bytes$' "$T/k2s-status"
}
wait_until 20 status_ok
check "kerio2syslog --status: exit 0, nothing behind" 0 $? ||
    sed 's/^/    /' "$T/k2s-status"

# logrotate renames the output and reloads the service.
sb logrotate -f /etc/logrotate.d/kerio2syslog >"$T/lr.log" 2>&1
check "logrotate -f" 0 $?
check "the new output is root:adm 0640" "640 root adm" \
    "$(sb stat -c '%a %U %G' "$OUT")"
entry 4
wait_until 20 in_out 4
check "after logrotate the entry is in the new output" 1 \
    "$(sb cat "$OUT" | grep -c 'seq=4$')"

# Kerio rotates its log: one journal line.
dump_journal() {
	sb journalctl -q -u kerio2syslog.service -o cat | sed 's/^/    /'
}
sb mv "$KERIO/security.log" "$KERIO/security.log.1"
entry 5
wait_until 20 in_out 5
wait_until 20 journal_has "$KERIO/security.log: rotated, reading the new file from its start into $OUT"
check "the journal's rotation line" 0 $? || dump_journal

# The drop-in example: the store under /srv.
SRV=/srv/kerio/store/logs
sb mkdir -p "$SRV" /etc/systemd/system/kerio2syslog.service.d
sb cp /usr/share/doc/kerio2syslog/kerio-store.conf.example \
    /etc/systemd/system/kerio2syslog.service.d/store.conf
sb mv "$KERIO" "$T/kerio-gone"
entry 6 "$SRV"
sb systemctl daemon-reload
sb systemctl restart kerio2syslog.service
wait_until 20 running
entry 7 "$SRV"
wait_until 20 in_out 7
check "with the drop-in it follows $SRV (condition and mounts moved)" \
    "active running" "$(prop ActiveState) $(prop SubState)" || dump_journal

sb systemctl stop kerio2syslog.service
check "each entry once, in order (6: its file was new to the service)" \
    "2 3 4 5 6 7" \
    "$(sb sh -c "cat $OUT.1 $OUT" | sed -n 's/.*seq=\([0-9]*\)$/\1/p' | xargs)"
score=$(sb systemd-analyze security --no-pager kerio2syslog.service 2>&1 |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "note: systemd-analyze security (online): exposure $score"

sb apt-get purge -y -q kerio2syslog >"$T/apt.log" 2>&1
check "purge under systemd" 0 $?
check "the unit is gone" "not-found" "$(prop LoadState)"
finish
