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
need fail2ban-server fail2ban-client logrotate
LOGROTATE_FILE=$HERE/../../contrib/logrotate.d/kerio2syslog

BAN_WAIT=30 # seconds the ban may take at most (it takes about two)
jail_maxretry

# The configuration: the shipped filter and jail installed the README's way
# into a copy of the distribution's, with a recording action; the jail
# reads $etc/keriosecurity.log.
etc=$T/etc
if ! f2b_setup_record "$etc" "$FILTER" "$JAIL"; then
	not_ok "setup (the README's install commands) failed"
	f2b_finish
fi
OUT=$etc/keriosecurity.log
: >"$T/security.log"

K2S_PID=
stop_all()
{
	if [ -n "$K2S_PID" ]; then
		kill "$K2S_PID" 2>/dev/null
		wait "$K2S_PID" 2>/dev/null
	fi
	K2S_PID=
	f2b_stop
}
CLEANUP=stop_all

# The shipped logrotate file for our output; SIGNAL 1 keeps its
# postrotate (as kill -HUP of the follower), 0 drops it.
logrotate_conf() {
	local signal=$1
	[ -f "$LOGROTATE_FILE" ] || { echo "no $LOGROTATE_FILE" >&2; return 1; }
	if [ "$signal" -eq 1 ]; then
		sed -e "s|^/[^ ]*keriosecurity.log|$OUT|" \
		    -e 's|^\([[:space:]]*create\).*|\1 0640|' \
		    -e "s|^\([[:space:]]*\)systemctl.*|\1kill -HUP $K2S_PID|" \
		    -e '/^[[:space:]]*su /d' "$LOGROTATE_FILE"
	else
		sed -e "s|^/[^ ]*keriosecurity.log|$OUT|" \
		    -e 's|^\([[:space:]]*create\).*|\1 0640|' \
		    -e '/^[[:space:]]*postrotate/,/^[[:space:]]*endscript/d' \
		    -e '/^[[:space:]]*su /d' "$LOGROTATE_FILE"
	fi
}

stamp() { TZ=$KERIO_TZ date '+[%d/%b/%Y %H:%M:%S]'; }
banned() { grep -qx -- "$1" "$etc/bans"; }
found() { grep -q "\[kerio2syslog\] Found $1 " "$etc/fail2ban.log"; }
in_output() { [ "$(grep -c -- "from $1 " "$OUT")" -ge "$2" ]; }

# One zone for Kerio, the converter and fail2ban, as on one server.
if f2b_start "$etc" env TZ="$KERIO_TZ"; then
	ok "fail2ban-server $F2B_PID runs the jail kerio2syslog"
else
	not_ok "the jail did not come up within 60 s"
	f2b_finish
fi

TZ=$KERIO_TZ "$K2S" --follow "$T/security.log" --from-start \
    --output "$OUT" --state "$T/state" \
    --hostname "$HOSTNAME_OPT" 2>"$T/k2s.err" &
K2S_PID=$!

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
		tail -5 "$etc/fail2ban.log"
	fi
	wait_until 10 in_output "$bad" "$maxretry"
	in_new=$(grep -c -- "from $bad " "$OUT")
	in_old=$(zcat -f "$OUT".[0-9]* 2>/dev/null |
	    grep -c -- "from $bad ")
	check "$name: the attacker's lines in the file fail2ban reads" \
	    "$maxretry" "$in_new"
	check "$name: the attacker's lines in the rotated file" 0 "$in_old"
	check "$name: each try once, in order" "$(seq -s ' ' "$maxretry")" \
	    "$(grep -o -- "from $bad .*TRY-[0-9]*" "$OUT" |
	        sed 's/.*TRY-//' | xargs)"
}

round 0 203.0.113.10 203.0.113.11
round 1 203.0.113.20 203.0.113.21

check "rotated files" 2 "$(ls "$OUT".* | wc -l)"
check "each witness once over all files" 2 \
    "$(zcat -f "$OUT"* | grep -c -- 'from 203.0.113.[12]0 ')"
if grep -q ERROR "$etc/fail2ban.log"; then
	not_ok "fail2ban logged errors:"
	grep ERROR "$etc/fail2ban.log" | head -5
else
	ok "no errors in fail2ban's log"
fi
# Its start line is information (printed without -v); anything else is a
# complaint.
grep -v ': following .* into ' "$T/k2s.err" >"$T/k2s.complaints"
if grep -q . "$T/k2s.complaints"; then
	not_ok "kerio2syslog complained: $(head -3 "$T/k2s.complaints")"
else
	ok "kerio2syslog quiet but for its start line"
fi
stop_all
f2b_finish
