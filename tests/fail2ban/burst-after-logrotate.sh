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
f2b_init fail2ban-server fail2ban-client logrotate

jail_maxretry

# The configuration: the shipped filter and jail installed the README's way
# into a copy of the distribution's, with a recording action; the jail
# reads $etc/keriosecurity.log.
f2b_prepare f2b_setup_record
OUT=$etc/keriosecurity.log
: >"$T/security.log"

# The shipped logrotate file for our output; SIGNAL 1 keeps its
# postrotate (as kill -HUP of the follower), 0 drops it.
logrotate_conf() {
	if [ "$1" -eq 1 ]; then
		shipped_logrotate "$OUT" "kill -HUP $K2S_PID"
	else
		shipped_logrotate "$OUT"
	fi
}

in_output() { [ "$(grep -c -- "from $1 " "$OUT")" -ge "$2" ]; }

# One zone for Kerio, the converter and fail2ban, as on one server.
f2b_up env TZ="$KERIO_TZ"

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
	echo "$(kerio_stamp) Failed SMTP login from $witness with SASL method LOGIN." \
	    >>"$T/security.log"
	if ! wait_until 30 f2b_found "$witness"; then
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
		echo "$(kerio_stamp) Failed SMTP login from $bad with SASL method TRY-$i." \
		    >>"$T/security.log"
	done
	t0=$(date +%s%N)
	if wait_until "$BAN_WAIT" f2b_banned "$bad"; then
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
f2b_no_errors
# Its start line is information (printed without -v); anything else is a
# complaint.
grep -v ': following .* into ' "$T/k2s.err" >"$T/k2s.complaints"
if grep -q . "$T/k2s.complaints"; then
	not_ok "kerio2syslog complained: $(head -3 "$T/k2s.complaints")"
else
	ok "kerio2syslog quiet but for its start line"
fi
f2b_stop_all
f2b_finish
