#!/bin/bash
# Central detection across servers: two servers forward kerio2syslog's
# output over RELP to a central rsyslogd (contrib/rsyslog, loopback port
# 20540), which writes one file per server; on the central host one
# CrowdSec (local API on port 20541 and agent in one process, the shipped
# collection) reads those files.  An attacker fails 3 logins on each
# server: 6 in all, over kerio2syslog/kerio-bf's capacity of 5, which
# neither server reaches alone; it is banned centrally, from events of both
# servers.  A second client with 3 + 2 failures (5 in all) is not.
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

{
	kerio_line "Failed SMTP login from $ATTACKER with SASL method LOGIN."
	kerio_line "SMTP: User admin doesn't exist. Attempt from IP address $ATTACKER."
	kerio_line "Failed IMAP login from $ATTACKER, user admin, invalid password"
	kerio_line "Failed SMTP login from $BELOW with SASL method LOGIN."
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
# The client with 5 failures in all stays below the threshold; its lines
# were read (the central files hold them) before this is asked.
below_read()
{
	[ "$(cat "$T"/central/remote/server-*/kerio.log | grep -c " $BELOW")" -eq 5 ]
}
wait_until 20 below_read || not_ok "the central files miss $BELOW's lines"
check "decisions on the central host (the attacker only)" "$ATTACKER" \
    "$(cs_decisions "$T/cs")"
echo "note: cross-server detection: 3 + 3 failures from $ATTACKER on two servers banned centrally; 3 + 2 from $BELOW not"

f2b_finish
