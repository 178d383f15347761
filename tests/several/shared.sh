#!/bin/bash
# Shared decisions: one real CrowdSec local API (crowdsec -no-cs, loopback
# port 20510) and two agents (their own local API disabled in their
# configuration), one per "server", each reading its own kerio2syslog
# output with the shipped collection, and one bouncer key per server.
# kerio2syslog follows each server's Kerio log.  An attacker fails 6
# logins on server A only (kerio2syslog/kerio-bf holds 5); server B's
# bouncer key sees the ban through the API, and the time from the burst
# written on A to the ban visible with B's key is measured.  An innocent
# with 3 failures on B is banned nowhere.
#
# usage: shared.sh path/to/kerio2syslog cache-dir
. "$(dirname "$0")/lib.sh"
several_init "$@"
cs_package
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 69; }

PORT=20510
ATTACKER=203.0.113.66
INNOCENT=203.0.113.77
BAN_WAIT=60   # seconds the ban may take at most

# The local API, alone.
cs_config "$T/lapi" "$PORT"
cs_register "$T/lapi"
bg_start lapi "$T/lapi/out" "$CROWDSEC" -c "$T/lapi/config.yaml" -no-cs -no-capi
wait_until 30 port_open "$PORT" ||
    { not_ok "the local API does not listen: $(tail -3 "$T/lapi/log/crowdsec_api.log" 2>/dev/null)"; f2b_finish; }
declare -A KEY
for h in a b; do
	KEY[$h]=$("$CSCLI" -c "$T/lapi/config.yaml" bouncers add "bouncer-$h" -o raw 2>>"$T/lapi/bouncers.err")
	[ -n "${KEY[$h]}" ] || { not_ok "no bouncer key for $h: $(cat "$T/lapi/bouncers.err")"; f2b_finish; }
done

# One agent and one kerio2syslog per server.
for h in a b; do
	d=$T/server-$h
	cs_agent_config "$d" "$T/lapi" ||
	    { not_ok "agent $h: cannot register: $(cat "$d/log/register.log")"; f2b_finish; }
	: >"$d/security.log"
	: >"$d/keriosecurity.log"
	cs_acquire "$d" "$d/keriosecurity.log"
	bg_start "agent_$h" "$d/agent.out" "$CROWDSEC" -c "$d/config.yaml" -no-capi
	bg_start "k2s_$h" "$d/k2s.out" "$K2S" --follow "$d/security.log" \
	    --from-start --state "$d/state" --output "$d/keriosecurity.log" \
	    --format rfc3339 --hostname "server-$h"
done
# An agent reads a file from its end: wait until it holds the (still
# empty) file open, from then on it reads every line appended.
for h in a b; do
	pid_var=agent_$h
	wait_until 60 has_open "${!pid_var}" "$T/server-$h/keriosecurity.log" ||
	    { not_ok "agent $h did not open its file: $(tail -3 "$T/server-$h/log/crowdsec.log")"; f2b_finish; }
done

kerio_line()
{
	printf '[%s] %s\n' "$(date '+%d/%b/%Y %H:%M:%S')" "$1"
}
{
	kerio_line "Failed SMTP login from $INNOCENT with SASL method LOGIN."
	kerio_line "Failed IMAP login from $INNOCENT, user anna, invalid password"
	kerio_line "HTTP/WebMail: Invalid password for user anna. Attempt from IP address $INNOCENT."
} >>"$T/server-b/security.log"
{
	kerio_line "Failed SMTP login from $ATTACKER with SASL method LOGIN."
	kerio_line "Failed SMTP login from $ATTACKER with SASL method PLAIN."
	kerio_line "SMTP: User admin doesn't exist. Attempt from IP address $ATTACKER."
	kerio_line "Failed IMAP login from $ATTACKER, user admin, invalid password"
	kerio_line "Failed POP3 login from $ATTACKER, user root, invalid password"
	kerio_line "HTTP/WebMail: Invalid password for user admin. Attempt from IP address $ATTACKER."
} >>"$T/server-a/security.log"
burst=$(now_ms)

b_sees_attacker()
{
	bouncer_decisions "$PORT" "${KEY[b]}" | grep -qx "$ATTACKER"
}
if wait_until "$BAN_WAIT" b_sees_attacker; then
	ms=$(($(now_ms) - burst))
	ok "server B's bouncer key sees the ban of $ATTACKER (burst on A only)"
	echo "note: decision-sharing time: $ms ms from the burst written on A to the ban visible with B's key (kerio2syslog's flush timeout is 1000 ms of it)"
else
	not_ok "server B's bouncer key sees no ban of $ATTACKER within $BAN_WAIT s: $(bouncer_decisions "$PORT" "${KEY[b]}")"
fi
check "server A's bouncer key sees the same decisions" \
    "$(bouncer_decisions "$PORT" "${KEY[b]}")" \
    "$(bouncer_decisions "$PORT" "${KEY[a]}")"
# The innocent's three lines reached agent B (so its absence means something).
b_read_innocent()
{
	[ "$(grep -c "$INNOCENT" "$T/server-b/keriosecurity.log")" -eq 3 ]
}
wait_until 10 b_read_innocent ||
    not_ok "kerio2syslog on B did not write the innocent's 3 lines"
check "decisions in the local API (the attacker only)" "$ATTACKER" \
    "$(cs_decisions "$T/lapi")"
alert=$("$CSCLI" -c "$T/lapi/config.yaml" alerts list -o json 2>/dev/null |
    python3 -c 'import json, sys
print(" ".join(sorted("%s@%s" % (a["scenario"], a["machine_id"]) for a in json.load(sys.stdin) or [])))')
check "the alert: scenario and the agent that raised it" \
    "kerio2syslog/kerio-bf@server-a" "$alert"

f2b_finish
