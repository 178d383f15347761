#!/bin/bash
# Central detection across servers: two servers forward kerio2syslog's
# output over RELP to a central rsyslogd (contrib/rsyslog, loopback port
# 20540), which writes one file per server.  On the central host both
# detectors read those files: one CrowdSec (local API on port 20541 and
# agent in one process, the shipped collection) and one fail2ban-server
# (the shipped filter and jail, logpath the per-host files, an action that
# records bans).  An attacker fails 3 logins on each server: 6 in all, more
# than either threshold (CrowdSec's kerio-bf holds 5, the jail bans at 5),
# which neither server reaches alone; both detectors catch it, CrowdSec
# from events of both servers.  A client with 2 + 2 failures is caught by
# neither.
#
# usage: central.sh path/to/kerio2syslog cache-dir
. "$(dirname "$0")/lib.sh"
several_init "$@"
rsyslog_init
cs_package

RELP_PORT=20540
LAPI_PORT=20541
ATTACKER=203.0.113.91
BELOW=203.0.113.92
BAN_WAIT=60

relp_start "$RELP_PORT"

kerio_line()
{
	printf '[%s] %s\n' "$(date '+%d/%b/%Y %H:%M:%S')" "$1"
}
# A first line from each server makes its central file (rsyslog creates
# it); CrowdSec, started next, follows the files that match its pattern.
for h in a b; do
	kerio_line "Found virus in mail from <a@example.net> to <b@example.com>: EICAR-Test-File" \
	    >>"$T/$h/security.log"
done
central_file()
{
	[ -s "$T/central/remote/server-$1/kerio.log" ]
}
for h in a b; do
	wait_until 30 central_file "$h" ||
	    { not_ok "no central file for server-$h"; f2b_finish; }
done

cs_config "$T/cs" "$LAPI_PORT"
cs_register "$T/cs"
cs_acquire "$T/cs" "$T/central/remote/*/kerio.log"
bg_start crowdsec "$T/cs/out" "$CROWDSEC" -c "$T/cs/config.yaml" -no-capi
for h in a b; do
	wait_until 60 has_open "$crowdsec" "$T/central/remote/server-$h/kerio.log" ||
	    { not_ok "central crowdsec did not open server-$h's file: $(tail -3 "$T/cs/log/crowdsec.log")"; f2b_finish; }
done

# fail2ban: the shipped filter and jail under their installed names, a
# local override for the per-host files and the recording action.
etc=$T/f2b
mkdir -p "$etc/filter.d" "$etc/jail.d" "$etc/action.d"
cp "$FILTER" "$etc/filter.d/kerio2syslog.conf"
cp "$JAIL" "$etc/jail.d/kerio2syslog.conf"
printf '[Definition]\nloglevel = INFO\nlogtarget = %s\n' "$T/fail2ban.log" \
    >"$etc/fail2ban.conf"
printf '[DEFAULT]\nignoreself = false\n' >"$etc/jail.conf"
printf '[Definition]\nactionban = echo <ip> >> %s\n' "$T/bans" \
    >"$etc/action.d/record.conf"
printf '[kerio2syslog]\nlogpath = %s\naction = record\n' \
    "$T/central/remote/*/kerio.log" >"$etc/jail.d/zz-central.local"
: >"$T/bans"
bg_start f2b "$T/f2b.out" fail2ban-server -f -x -c "$etc" \
    -s "$T/fail2ban.sock" -p "$T/fail2ban.pid"
jail_files()
{
	[ "$(fail2ban-client -c "$etc" -s "$T/fail2ban.sock" status kerio2syslog 2>/dev/null |
	    grep -o 'server-[ab]/kerio.log' | sort -u | wc -l)" -eq 2 ]
}
wait_until 60 jail_files ||
    { not_ok "the fail2ban jail does not watch both central files: $(tail -3 "$T/fail2ban.log")"; f2b_finish; }

{
	kerio_line "Failed SMTP login from $ATTACKER with SASL method LOGIN."
	kerio_line "SMTP: User admin doesn't exist. Attempt from IP address $ATTACKER."
	kerio_line "Failed IMAP login from $ATTACKER, user admin, invalid password"
	kerio_line "Failed SMTP login from $BELOW with SASL method LOGIN."
	kerio_line "Failed SMTP login from $BELOW with SASL method LOGIN."
} >>"$T/a/security.log"
{
	kerio_line "Failed POP3 login from $ATTACKER, user root, invalid password"
	kerio_line "HTTP/WebMail: Invalid password for user admin. Attempt from IP address $ATTACKER."
	kerio_line "Failed SMTP login from $ATTACKER with SASL method PLAIN."
	kerio_line "Failed IMAP login from $BELOW, user anna, invalid password"
	kerio_line "Failed IMAP login from $BELOW, user anna, invalid password"
} >>"$T/b/security.log"
burst=$(now_ms)

banned()
{
	cs_decisions "$T/cs" | grep -qx "$ATTACKER"
}
if wait_until "$BAN_WAIT" banned; then
	ok "$ATTACKER (3 failures on each server) is banned centrally after $(($(now_ms) - burst)) ms"
else
	not_ok "$ATTACKER is not banned centrally within $BAN_WAIT s"
fi

# Each server's failures, as the central files hold them: 3 and 3.
for h in a b; do
	check "server-$h's central file: failures of $ATTACKER" 3 \
	    "$(grep -c "from.* $ATTACKER" "$T/central/remote/server-$h/kerio.log")"
done
# The alert is made of events from both servers (meta "machine" is the
# line's host field).
alert_ids=$("$CSCLI" -c "$T/cs/config.yaml" alerts list -o json 2>/dev/null |
    python3 -c 'import json, sys
ids = [a["id"] for a in json.load(sys.stdin) or [] if a["source"]["value"] == sys.argv[1]]
print(" ".join(str(i) for i in ids))' "$ATTACKER")
check "one alert for $ATTACKER" 1 "$(wc -w <<<"$alert_ids")"
if [ -n "$alert_ids" ]; then
	from=$("$CSCLI" -c "$T/cs/config.yaml" alerts inspect "$alert_ids" --details -o json 2>/dev/null |
	    python3 -c 'import json, sys
a = json.load(sys.stdin)
m = sorted({x["value"] for e in a.get("events") or [] for x in e.get("meta") or [] if x["key"] == "machine"})
print(len(a.get("events") or []), " ".join(m))')
	check "the alert's events and the servers they come from" \
	    "6 server-a server-b" "$from"
fi
# The client with 4 failures in all stays below both thresholds.
below_read()
{
	[ "$(cat "$T"/central/remote/server-*/kerio.log | grep -c " $BELOW")" -eq 4 ]
}
wait_until 20 below_read || not_ok "the central files miss $BELOW's lines"
check "decisions on the central host (the attacker only)" "$ATTACKER" \
    "$(cs_decisions "$T/cs")"

f2b_banned()
{
	grep -qx "$ATTACKER" "$T/bans"
}
if wait_until "$BAN_WAIT" f2b_banned; then
	ok "fail2ban on the central files bans $ATTACKER after $(($(now_ms) - burst)) ms"
else
	not_ok "fail2ban on the central files does not ban $ATTACKER within $BAN_WAIT s"
fi
# fail2ban logs each failure it finds: all of them read, and only the
# attacker banned.
f2b_found_all()
{
	[ "$(grep -c "\[kerio2syslog\] Found \($ATTACKER\|$BELOW\) " "$T/fail2ban.log")" -eq 10 ]
}
wait_until 30 f2b_found_all ||
    not_ok "fail2ban found $(grep -c '\[kerio2syslog\] Found ' "$T/fail2ban.log") failures, not 10"
check "fail2ban's bans (the attacker only)" "$ATTACKER" "$(sort -u "$T/bans")"
echo "note: cross-server detection: 3 + 3 failures from $ATTACKER on two servers banned centrally by CrowdSec and by fail2ban; 2 + 2 from $BELOW by neither"

f2b_finish
