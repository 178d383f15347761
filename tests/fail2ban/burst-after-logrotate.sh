#!/bin/bash
# A burst of failures right after the output was rotated reaches fail2ban
# (issue 8, hole 12). A real fail2ban-server runs the shipped jail and
# filter on the file a real kerio2syslog --follow writes; the real
# logrotate rotates it with the shipped contrib/logrotate.d file (its path
# and owner adapted), once without its postrotate signal and once with it
# (kill -HUP, what systemctl reload sends). Right after logrotate returns,
# maxretry failures of one attacker go to Kerio's log: the attacker must
# be banned, and every one of its lines must be in the file fail2ban reads
# (none in keriosecurity.log.1), each once.
#
# usage: burst-after-logrotate.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init
for tool in fail2ban-server fail2ban-client logrotate; do
	command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 69; }
done
LOGROTATE_FILE=$HERE/../../contrib/logrotate.d/kerio2syslog

BAN_WAIT=30 # seconds the ban may take at most (it takes about two)
maxretry=$(sed -n 's/^maxretry *= *\([0-9]*\).*/\1/p' "$JAIL")
[ -n "$maxretry" ] || { not_ok "no maxretry in the shipped jail"; f2b_finish; }

etc=$T/etc
mkdir -p "$etc/filter.d" "$etc/jail.d" "$etc/action.d"
cp "$FILTER" "$etc/filter.d/kerio2syslog.conf"
cp "$JAIL" "$etc/jail.d/kerio2syslog.conf"
cat >"$etc/fail2ban.conf" <<EOF
[Definition]
loglevel = INFO
logtarget = $T/fail2ban.log
socket = $T/fail2ban.sock
pidfile = $T/fail2ban.pid
dbfile = $T/fail2ban.sqlite3
syslogsocket = auto
EOF
cat >"$etc/jail.conf" <<EOF
[DEFAULT]
ignoreself = false
EOF
cat >"$etc/action.d/record.conf" <<EOF
[Definition]
actionstart =
actionstop =
actioncheck =
actionban = echo <ip> >> $T/bans
actionunban = echo unban <ip> >> $T/bans
EOF
cat >"$etc/jail.d/zz-test.local" <<EOF
[kerio2syslog]
logpath = $T/keriosecurity.log
action = record
EOF
: >"$T/bans"
: >"$T/security.log"
: >"$T/keriosecurity.log"

client() {
	fail2ban-client -c "$etc" -s "$T/fail2ban.sock" "$@"
}
dead() { ! kill -0 "$1" 2>/dev/null; }

server_pid=
k2s_pid=
stop_all() {
	if [ -n "$k2s_pid" ]; then
		kill "$k2s_pid" 2>/dev/null
		wait "$k2s_pid" 2>/dev/null
	fi
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		client stop >/dev/null 2>&1
		wait_until 15 dead "$server_pid" || kill -9 "$server_pid"
		wait "$server_pid" 2>/dev/null
	fi
	k2s_pid='' server_pid=''
}
CLEANUP=stop_all

# The shipped logrotate file for our output; SIGNAL 1 keeps its
# postrotate (as kill -HUP of the follower), 0 drops it.
logrotate_conf() {
	local signal=$1
	[ -f "$LOGROTATE_FILE" ] || { echo "no $LOGROTATE_FILE" >&2; return 1; }
	if [ "$signal" -eq 1 ]; then
		sed -e "s|^/[^ ]*keriosecurity.log|$T/keriosecurity.log|" \
		    -e 's|^\([[:space:]]*create\).*|\1 0640|' \
		    -e "s|^\([[:space:]]*\)systemctl.*|\1kill -HUP $k2s_pid|" \
		    -e '/^[[:space:]]*su /d' "$LOGROTATE_FILE"
	else
		sed -e "s|^/[^ ]*keriosecurity.log|$T/keriosecurity.log|" \
		    -e 's|^\([[:space:]]*create\).*|\1 0640|' \
		    -e '/^[[:space:]]*postrotate/,/^[[:space:]]*endscript/d' \
		    -e '/^[[:space:]]*su /d' "$LOGROTATE_FILE"
	fi
}

stamp() { TZ=$KERIO_TZ date '+[%d/%b/%Y %H:%M:%S]'; }
banned() { grep -qx -- "$1" "$T/bans"; }
found() { grep -q "\[kerio2syslog\] Found $1 " "$T/fail2ban.log"; }
in_output() { [ "$(grep -c -- "from $1 " "$T/keriosecurity.log")" -ge "$2" ]; }

# One zone for Kerio, the converter and fail2ban, as on one server.
TZ=$KERIO_TZ fail2ban-server -f -x -c "$etc" -s "$T/fail2ban.sock" -p "$T/fail2ban.pid" \
    >"$T/server.out" 2>&1 &
server_pid=$!
jail_up() { client status kerio2syslog >/dev/null 2>&1; }
if wait_until 30 jail_up; then
	ok "fail2ban-server $server_pid runs the jail kerio2syslog"
else
	not_ok "the jail did not come up within 30 s:"
	tail -n 20 "$T/fail2ban.log" "$T/server.out"
	f2b_finish
fi

TZ=$KERIO_TZ "$K2S" --follow "$T/security.log" --from-start \
    --output "$T/keriosecurity.log" --state "$T/state" \
    --hostname "$HOSTNAME_OPT" 2>"$T/k2s.err" &
k2s_pid=$!

# round SIGNAL WITNESS ATTACKER: the output holds a line fail2ban has
# read (WITNESS's one failure); logrotate -f; at once maxretry failures
# of ATTACKER.
round() {
	local signal=$1 witness=$2 bad=$3 name i t0 t1 in_new in_old
	name=$([ "$signal" -eq 1 ] && echo "with" || echo "without")
	name="logrotate -f $name the postrotate signal"
	echo "$(stamp) Failed SMTP login from $witness with SASL method LOGIN." \
	    >>"$T/security.log"
	if ! wait_until 30 found "$witness"; then
		not_ok "$name: fail2ban never read the witness $witness"
		return
	fi
	logrotate_conf "$signal" >"$T/logrotate.conf" || {
		not_ok "$name: no logrotate file"
		return
	}
	if ! logrotate -s "$T/logrotate.state" -f "$T/logrotate.conf" \
	    2>"$T/logrotate.err"; then
		not_ok "$name: logrotate failed: $(cat "$T/logrotate.err")"
		return
	fi
	for i in $(seq "$maxretry"); do
		echo "$(stamp) Failed SMTP login from $bad with SASL method TRY-$i." \
		    >>"$T/security.log"
	done
	t0=$(date +%s%N)
	if wait_until "$BAN_WAIT" banned "$bad"; then
		t1=$(date +%s%N)
		ok "$name: attacker $bad banned $(((t1 - t0) / 1000000)) ms after its last line"
	else
		not_ok "$name: attacker $bad not banned within $BAN_WAIT s"
		tail -5 "$T/fail2ban.log"
	fi
	wait_until 10 in_output "$bad" "$maxretry"
	in_new=$(grep -c -- "from $bad " "$T/keriosecurity.log")
	in_old=$(zcat -f "$T"/keriosecurity.log.[0-9]* 2>/dev/null |
	    grep -c -- "from $bad ")
	check "$name: the attacker's lines in the file fail2ban reads" \
	    "$maxretry" "$in_new"
	check "$name: the attacker's lines in the rotated file" 0 "$in_old"
	check "$name: each try once, in order" "$(seq -s ' ' "$maxretry")" \
	    "$(grep -o -- "from $bad .*TRY-[0-9]*" "$T/keriosecurity.log" |
	        sed 's/.*TRY-//' | xargs)"
}

round 0 203.0.113.10 203.0.113.11
round 1 203.0.113.20 203.0.113.21

check "rotated files" 2 "$(ls "$T"/keriosecurity.log.* | wc -l)"
check "each witness once over all files" 2 \
    "$(zcat -f "$T"/keriosecurity.log* | grep -c -- 'from 203.0.113.[12]0 ')"
if grep -q ERROR "$T/fail2ban.log"; then
	not_ok "fail2ban logged errors:"
	grep ERROR "$T/fail2ban.log" | head -5
else
	ok "no errors in fail2ban's log"
fi
if grep -q . "$T/k2s.err"; then
	not_ok "kerio2syslog complained: $(head -3 "$T/k2s.err")"
else
	ok "kerio2syslog quiet"
fi
stop_all
f2b_finish
