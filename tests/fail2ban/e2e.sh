#!/bin/bash
# End to end: a real fail2ban-server, in the foreground with its own config
# directory (a copy of the distribution's, with the shipped files installed
# by the README's commands), socket, pid file and database under a
# temporary directory, runs the shipped jail with the shipped filter on a
# file that kerio2syslog appends to.  The action records bans in a file instead of touching the
# firewall.  Kerio lines for one attacker (maxretry of them) and for one
# innocent (one fewer) go through kerio2syslog: the attacker is banned
# within a bounded wait, the innocent is not.  Done once for each output
# format; prints the time from the last attack line written to the ban.
#
# usage: e2e.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init fail2ban-server fail2ban-client mkfifo

jail_maxretry

# The configuration: the shipped filter and jail installed the README's way
# into a copy of the distribution's, with a recording action.
f2b_prepare f2b_setup_record
f2b_up
stop_all()
{
	exec 3>&- 2>/dev/null
	f2b_stop_all
}
CLEANUP=stop_all

# round FORMAT ATTACKER INNOCENT: one kerio2syslog process, fed through a
# FIFO as Kerio would write, with the converter's default flush timeout.
round()
{
	local fmt=$1 bad=$2 good=$3 i t0 t1
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	TZ=$KERIO_TZ "$K2S" --format "$fmt" --hostname "$HOSTNAME_OPT" \
	    --output "$etc/keriosecurity.log" <"$T/fifo" 2>"$T/k2s-$fmt.err" &
	K2S_PID=$!
	exec 3>"$T/fifo"
	for i in $(seq $((maxretry - 1))); do
		echo "$(kerio_stamp) Failed SMTP login from $good with SASL method LOGIN." >&3
	done
	local lines=(
		"Failed SMTP login from $bad with SASL method PLAIN."
		"Attempt to deliver to unknown recipient <a$i@example.com>, from <$good>, IP address $bad"
		"SMTP: User admin doesn't exist. Attempt from IP address $bad."
		"Failed IMAP login from $bad, user admin, invalid password"
		"HTTP/WebMail: Invalid password for user $good. Attempt from IP address $bad."
		"SMTP: AntiHammering - IP address $bad will be blocked for 5 minutes, too many failed logins from this IP address."
	)
	for i in $(seq 0 $((maxretry - 1))); do
		echo "$(kerio_stamp) ${lines[i % ${#lines[@]}]}" >&3
	done
	t0=$(date +%s%N)
	if wait_until "$BAN_WAIT" f2b_banned "$bad"; then
		t1=$(date +%s%N)
		ok "$fmt: attacker $bad banned $(((t1 - t0) / 1000000)) ms after its last line was written"
		echo "ban latency ($fmt): $(((t1 - t0) / 1000000)) ms"
	else
		not_ok "$fmt: attacker $bad not banned within $BAN_WAIT s"
		tail -20 "$etc/fail2ban.log"
	fi
	# The innocent's lines came first, so fail2ban has read them by now.
	if f2b_found "$good"; then
		ok "$fmt: fail2ban read the innocent's $((maxretry - 1)) failures"
	else
		not_ok "$fmt: fail2ban never saw the innocent $good"
	fi
	if f2b_banned "$good"; then
		not_ok "$fmt: innocent $good banned"
	else
		ok "$fmt: innocent $good not banned"
	fi
	exec 3>&-
	if wait_until 10 f2b_dead "$K2S_PID"; then
		wait "$K2S_PID"
		check "$fmt: kerio2syslog exit status at end of input" 0 $?
	else
		not_ok "$fmt: kerio2syslog still running after end of input"
	fi
	K2S_PID=
}

round bsd 203.0.113.201 203.0.113.200
round rfc3339 2001:db8:1::201 2001:db8:1::200

status=$(f2b_client status kerio2syslog)
check "fail2ban-client status: currently banned" 2 \
    "$(sed -n 's/.*Currently banned:[[:space:]]*//p' <<<"$status")"
check "fail2ban-client status: banned list" \
    "203.0.113.201 2001:db8:1::201" \
    "$(sed -n 's/.*Banned IP list:[[:space:]]*//p' <<<"$status" | xargs)"
check "bans recorded" "203.0.113.201 2001:db8:1::201" "$(xargs <"$etc/bans")"
check "lines written by kerio2syslog" $((4 * maxretry - 2)) \
    "$(wc -l <"$etc/keriosecurity.log")"
f2b_no_errors

pid=$F2B_PID
stop_all
if f2b_dead "$pid" && [ ! -S "$etc/fail2ban.sock" ]; then
	ok "fail2ban-server stopped, socket removed"
else
	not_ok "fail2ban-server still there after stop"
fi
f2b_finish
