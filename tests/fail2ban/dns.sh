#!/bin/bash
# No ban through DNS.  With Kerio's option to convert client addresses to
# host names, a DNS name stands where Kerio writes the client; whoever
# controls the client's reverse DNS chose it, and whoever owns the name
# chooses its address records.  A real fail2ban-server runs the shipped
# jail and filter, installed by the README's own commands into a copy of
# the distribution's configuration (so Debian's usedns = warn applies
# unless our jail overrides it), in a private mount and network namespace
# (unshare -mn, as root) whose /etc/hosts maps every attacker's name to an
# innocent address.  A burst of failures, every rule's message with a name
# in the address position, then maxretry failures of one real attacker by
# address, go through kerio2syslog: the attacker is banned (so fail2ban
# read the whole burst), nobody else is, fail2ban never reports a name, and
# the server never opens /etc/hosts, asks nscd or connects to a name server
# (no lookup made; traced with strace -f).  The test's override sets
# ignoreself = false: with it, fail2ban looks up the server's own names
# (its host name, localhost) at the first failure it finds, which is no
# client's name but would hide one in the trace (see f2b_setup_record).
#
# A control run first does the same with the filter's <ADDR> turned back
# into <HOST> and the jail's usedns line removed (the shipped files before
# this fix): there the innocent is banned and /etc/hosts is read, so the
# namespace really answers lookups and the checks above can fail.
#
# usage: dns.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init fail2ban-server fail2ban-client unshare strace mount
need_root "unshare -mn, mount --bind"

INNOCENT=203.0.113.250
INNOCENT6=2001:db8:1::250
ATTACKER=203.0.113.66
jail_maxretry

# Every rule's message, %H% where Kerio writes the client.
TEMPLATES=(
	'Attempt to deliver to unknown recipient <a@example.com>, from <b@example.net>, IP address %H%'
	'SMTP Spam attack detected from %H%, client closed connection before SMTP greeting'
	'IP address %H% found in DNS blacklist SpamCop, mail from <a@example.net> to <b@example.com> rejected'
	'Relay attempt from IP address %H%, mail from <a@example.net> to <b@example.org> rejected'
	"SMTP: User admin doesn't exist. Attempt from IP address %H%."
	'Client with IP address %H% has no reverse DNS entry, connection rejected before SMTP greeting'
	'Administration login into Web Administration from %H% failed: IP address not allowed'
	'Message from IP address %H%, sender <a@nowhere.invalid> rejected: sender domain does not exist'
	'Failed SMTP login from %H% with SASL method LOGIN.'
	'Failed IMAP login from %H%, user admin, invalid password'
	'Failed POP3 login from %H%, user admin, invalid password'
	'IMAP: Invalid password for user admin. Attempt from IP address %H%.'
	'SMTP: AntiHammering - IP address %H% will be blocked for 5 minutes, too many failed logins from this IP address.'
	'SMTP: AntiHammering: connection from IP address %H% is blocked'
)

# The attackers' names, all pointing at the innocent.
{
	printf '127.0.0.1 localhost\n::1 localhost\n'
	for i in "${!TEMPLATES[@]}"; do
		printf '%s client-%d.attacker.example\n' "$INNOCENT" "$i"
		printf '%s client6-%d.attacker.example\n' "$INNOCENT6" "$i"
	done
} >"$T/hosts"

CLEANUP=f2b_stop

# run NAME DIR: the server on DIR's configuration in its own namespaces,
# traced; the burst of names, then the attacker.  Leaves DIR/trace and
# DIR/bans.
run()
{
	local name=$1 etc=$2 i when
	if ! f2b_start "$etc" unshare -mn -- sh -c 'mount --bind "$1" /etc/hosts &&
	    shift && exec strace -f -qq -e trace=openat,open,connect,sendto,sendmsg \
	    -o "$@"' sh "$T/hosts" "$etc/trace"; then
		not_ok "$name: the jail did not come up within 60 s"
		return 1
	fi
	when=$(kerio_stamp)
	{
		for i in "${!TEMPLATES[@]}"; do
			echo "$when ${TEMPLATES[i]//%H%/client-$i.attacker.example}"
			echo "$when ${TEMPLATES[i]//%H%/client6-$i.attacker.example}"
		done
		for i in $(seq "$maxretry"); do
			echo "$when Failed SMTP login from $ATTACKER with SASL method PLAIN."
		done
	} >"$etc/kerio.log"
	f2b_feed "$name" "$etc/kerio.log"
	if wait_until 30 f2b_banned "$ATTACKER"; then
		ok "$name: the real attacker $ATTACKER banned after the burst"
	else
		not_ok "$name: attacker $ATTACKER not banned within 30 s"
		tail -20 "$etc/fail2ban.log"
	fi
	# fail2ban reads a file in order: the names came before the attacker.
	f2b_stop
}

# lookups TRACE: what the resolver does, in an strace output: /etc/hosts
# opened, nscd asked, an IPv4 or IPv6 socket connected or sent to.
lookups()
{
	grep -E 'open(at)?\(.*"/etc/hosts"|connect\(.*(AF_INET|nscd)|send(to|msg)\(.*AF_INET' "$1"
}

# The control: the shipped files as they were before addresses only.
ctl=$T/control
sed 's/<ADDR>/<HOST>/g' "$FILTER" >"$T/filter-host.conf"
grep -v '^usedns' "$JAIL" >"$T/jail-dns.conf"
if f2b_setup_record "$ctl" "$T/filter-host.conf" "$T/jail-dns.conf"; then
	run control "$ctl"
	# Every line with a name is a rule's message: <HOST> takes them all.
	check "control: failures of the innocent found, one per line with a name" \
	    "$((2 * ${#TEMPLATES[@]}))" \
	    "$(grep -cE "\[kerio2syslog\] Found ($INNOCENT|$INNOCENT6) " "$ctl/fail2ban.log")"
	if grep -qx "$INNOCENT" "$ctl/bans"; then
		ok "control (<HOST>, usedns from Debian): the innocent $INNOCENT is banned through the names"
	else
		not_ok "control: the innocent was not banned; the namespace does not resolve the names, so this test proves nothing"
	fi
	if [ -n "$(lookups "$ctl/trace")" ]; then
		ok "control: the trace shows the lookups ($(lookups "$ctl/trace" | wc -l) calls)"
	else
		not_ok "control: no lookup in the trace; the trace proves nothing"
	fi
else
	not_ok "control: setup failed"
fi

# safe NAME FILTER JAIL: nobody but the attacker banned, no name in
# fail2ban's log, no lookup in the trace.
safe()
{
	local name=$1 etc=$T/$1
	if ! f2b_setup_record "$etc" "$2" "$3"; then
		not_ok "$name: setup failed"
		return
	fi
	run "$name" "$etc"
	check "$name: bans" "$ATTACKER" "$(xargs <"$etc/bans")"
	check "$name: failures fail2ban found" "$maxretry x $ATTACKER" \
	    "$(sed -n 's/.*\[kerio2syslog\] Found \([^ ]*\) .*/\1/p' \
	    "$etc/fail2ban.log" | uniq -c | awk '{ print $1 " x " $2 }' | xargs)"
	check "$name: names in fail2ban's log" "" \
	    "$(grep -o '[a-z0-9-]*\.attacker\.example' "$etc/fail2ban.log" | sort -u | xargs)"
	check "$name: lookups in the trace (/etc/hosts, nscd, name server)" "" \
	    "$(lookups "$etc/trace" | head -5)"
	check "$name: lines kerio2syslog wrote" "$((2 * ${#TEMPLATES[@]} + maxretry))" \
	    "$(wc -l <"$etc/keriosecurity.log")"
	if grep -q ERROR "$etc/fail2ban.log"; then
		not_ok "$name: fail2ban logged errors: $(grep ERROR "$etc/fail2ban.log" | head -3)"
	fi
}

# The shipped files; and the jail's usedns = no alone, under a filter that
# says <HOST> (as an administrator's own rule in a .local file may).
safe shipped "$FILTER" "$JAIL"
safe usedns-no-host "$T/filter-host.conf" "$JAIL"

f2b_finish
