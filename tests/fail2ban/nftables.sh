#!/bin/bash
# Bans that reach the firewall.  A real fail2ban-server runs the shipped
# jail and filter, installed by the README's own commands into a copy of
# the distribution's configuration, with the jail's own ban action (no
# override) in a private network namespace (unshare -n, as root), so its
# nft commands change only that namespace's ruleset.  Through kerio2syslog,
# maxretry failures of an IPv4 and of an IPv6 attacker and one fewer of an
# innocent: fail2ban bans both attackers without an error, and the README's
# firewall check (nft list set ...) in the namespace holds them and not the
# innocent; the ruleset rejects the set on Kerio's ports.  On a Debian 12
# without iptables, a jail left with Debian's banaction (iptables-multiport)
# reports the same bans in fail2ban-client status and blocks nothing.
#
# usage: nftables.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init fail2ban-server fail2ban-client unshare nsenter nft
need_root "unshare -n, nft"

ATTACKER=203.0.113.77
ATTACKER6=2001:db8:1::77
INNOCENT=203.0.113.78
jail_maxretry

f2b_prepare f2b_setup
# In its own network namespace.
f2b_up unshare -n --
in_ns() { nsenter -t "$F2B_PID" -n "$@"; }

when=$(kerio_stamp)
{
	for _ in $(seq $((maxretry - 1))); do
		echo "$when Failed SMTP login from $INNOCENT with SASL method LOGIN."
	done
	for _ in $(seq "$maxretry"); do
		echo "$when Failed SMTP login from $ATTACKER with SASL method LOGIN."
		echo "$when IMAP: Invalid password for user a. Attempt from IP address $ATTACKER6."
	done
} >"$T/kerio.log"
f2b_feed "" "$T/kerio.log"

# The README's firewall check, as written there (one command per set).
awk '/^## Using it with fail2ban/ { in_f2b = 1; next }
	/^## / { in_f2b = 0 }
	in_f2b && /^nft list set / { print }' "$README" >"$T/check.sh"
check "firewall checks in the README (IPv4 and IPv6 sets)" 2 \
    "$(wc -l <"$T/check.sh")"
firewall() { in_ns sh "$T/check.sh" 2>/dev/null; }
in_set() { firewall | grep -qw -- "$1"; }
if wait_until 30 in_set "$ATTACKER" && wait_until 30 in_set "$ATTACKER6"; then
	ok "both attackers are in the firewall's sets"
else
	not_ok "attackers not in the firewall within 30 s:"
	firewall
	grep -E 'ERROR|Ban' "$etc/fail2ban.log" | tail -10
fi
check "fail2ban-client status: banned list" \
    "$(printf '%s\n' "$ATTACKER" "$ATTACKER6" | sort | xargs)" \
    "$(f2b_client status kerio2syslog |
    sed -n 's/.*Banned IP list:[[:space:]]*//p' | xargs -n1 | sort | xargs)"
# The innocent's lines came first, so fail2ban has read them by now.
check "failures of the innocent fail2ban found" $((maxretry - 1)) \
    "$(grep -c "\[kerio2syslog\] Found $INNOCENT " "$etc/fail2ban.log")"
if in_ns nft list ruleset | grep -qw -- "$INNOCENT"; then
	not_ok "the innocent $INNOCENT is in the ruleset"
else
	ok "the innocent $INNOCENT is nowhere in the ruleset"
fi

# The rules that use the sets: reject on Kerio's ports.
# (nft lists a set of ports sorted.)
ports=$(sed -n 's/^port *= *//p' "$JAIL" | tr ',' '\n' | sort -n | xargs)
for set in addr-set-kerio2syslog addr6-set-kerio2syslog; do
	rule=$(in_ns nft list chain inet f2b-table f2b-chain | grep "@$set ")
	got=$(sed -n 's/.*dport { \([^}]*\) }.*/\1/p' <<<"$rule" | tr -d ' ' |
	    tr ',' '\n' | sort -n | xargs)
	check "$set: the rule's ports" "$ports" "$got"
	check "$set: the rule rejects" 1 "$(grep -c ' reject' <<<"$rule")"
done
if grep -E 'ERROR|Failed to execute' "$etc/fail2ban.log" >"$T/errors"; then
	not_ok "fail2ban logged errors: $(head -3 "$T/errors")"
else
	ok "no errors in fail2ban's log"
fi

f2b_stop
f2b_finish
