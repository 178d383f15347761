#!/bin/bash
# The shipped fail2ban filter against crafted Kerio lines (data/injection.log):
# recipients, senders, user names and reasons that imitate other messages or
# carry foreign addresses, raw control bytes, wrapped continuations.  Read by
# the real fail2ban-regex as Kerio's own lines (LF and CRLF) and through
# kerio2syslog in both formats: only the real client is ever found, at its
# time, with exact counts, and no foreign address shows up anywhere.  Then
# the same lines, restamped to the last minutes, through a real
# fail2ban-server's jail: the same hosts, each once.
#
# usage: injection.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init

run_corpus injection "$HERE/data/injection.log"

d=$T/injection
foreign='^(192\.0\.2\.|198\.51\.100\.|2001:db8:bad:)'
runs=("$d/got.native" "$d/got.native-crlf" "$d"/*.got)
found=$(cat "${runs[@]}" | grep -E "$foreign" | sort -u)
if [ -z "$found" ]; then
	ok "no foreign address in any of the ${#runs[@]} runs"
else
	not_ok "foreign addresses found: ${found//$'\n'/, }"
fi

# The same, read by a real fail2ban-server (what a jail does may differ from
# what fail2ban-regex reports): the corpus restamped to the last minutes,
# with a last entry for a sentinel, appended to the jail's log once the
# jail runs; once fail2ban has found the sentinel it has read every line
# before it.  The failures it found are exactly the expected hosts, each
# once.  Kerio's own lines go to a jail with the filter's default logtype.
need fail2ban-server fail2ban-client
SENTINEL=203.0.113.254

# restamp IN OUT: IN's lines with their Kerio stamp moved to the last
# minutes (one second apart, in order), and a sentinel entry last.  So are
# the syslog stamps that start continuation lines, as an attacker would
# forge them: fail2ban-server ignores a failure older than findtime.
restamp()
{
	local base=$(($(date +%s) - 240)) i=0 line at
	while IFS= read -r line; do
		at=@$((base + i))
		if [[ $line =~ ^\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}\ [0-9:]{8}\] ]]; then
			i=$((i + 1))
			line=$(TZ=$KERIO_TZ date -d "@$((base + i))" '+[%d/%b/%Y %H:%M:%S]')${line:22}
		elif [[ $line =~ ^[A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9:]{8}\  ]]; then
			line=$(TZ=$KERIO_TZ date -d "$at" '+%b %e %H:%M:%S')${line:15}
		elif [[ $line =~ ^([0-9-]{10}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2}))\  ]]; then
			line=$(date -u -d "$at" '+%Y-%m-%dT%H:%M:%SZ')${line:${#BASH_REMATCH[1]}}
		fi
		printf '%s\n' "$line"
	done <"$1" >"$2"
	printf '%s Failed SMTP login from %s with SASL method LOGIN.\n' \
	    "$(TZ=$KERIO_TZ date -d "@$((base + i + 1))" '+[%d/%b/%Y %H:%M:%S]')" \
	    "$SENTINEL" >>"$2"
}

# server NAME LOG WANT [FILTER]: fail2ban-server's jail (with FILTER, e.g.
# "kerio2syslog", the filter's default) reads LOG; the hosts it found are WANT
# and the sentinel.
server()
{
	local name=$1 etc=$T/server-$1 found
	if ! f2b_setup_record "$etc" "$FILTER" "$JAIL"; then
		not_ok "server $name: setup failed"
		return
	fi
	[ -z "$4" ] || printf 'filter = %s\n' "$4" >>"$etc/jail.d/zz-test.local"
	if ! TZ=$KERIO_TZ f2b_start "$etc"; then
		not_ok "server $name: the jail did not come up within 60 s"
		return
	fi
	cat "$2" >>"$etc/keriosecurity.log"
	sentinel() { grep -q "\[kerio2syslog\] Found $SENTINEL " "$etc/fail2ban.log"; }
	wait_until 60 sentinel || not_ok "server $name: sentinel not found within 60 s"
	f2b_stop
	found=$(sed -n 's/.*\[kerio2syslog\] Found \([^ ]*\) .*/\1/p' \
	    "$etc/fail2ban.log" | grep -vx "$SENTINEL" | sort)
	if [ "$found" = "$(sort "$3")" ]; then
		ok "server $name: $(wc -l <"$3") failures found, each expected host once"
	else
		not_ok "server $name: found hosts differ (- expected, + found):"
		diff <(sort "$3") <(printf '%s\n' "$found" | sed '/^$/d') | grep '^[<>]'
	fi
	if grep -q ERROR "$etc/fail2ban.log"; then
		not_ok "server $name: fail2ban logged errors: $(grep ERROR "$etc/fail2ban.log" | head -3)"
	fi
}

restamp "$d/raw.log" "$d/now-raw.log"
restamp "$d/native.log" "$d/now-native.log"
awk '$2 != "-" { print $2 }' "$d/entries" >"$d/want.server"
awk '$3 != "-" && $3 != "skip" { print $3 }' "$d/entries" \
    >"$d/want.server-native"
for fmt in bsd rfc3339; do
	if convert "$KERIO_TZ" "$fmt" "$d/now-raw.log" "$d/now-$fmt.log"; then
		server "$fmt" "$d/now-$fmt.log" "$d/want.server"
	else
		not_ok "server $fmt: kerio2syslog failed"
	fi
done
server native "$d/now-native.log" "$d/want.server-native" \
    kerio2syslog

# For the record (not a check): what the stock filter.d/kerio.conf makes of
# the same Kerio lines.
if fail2ban-regex -r /dev/null kerio >/dev/null 2>&1; then
	regex "$KERIO_TZ" "$d/raw.log" "$d/stock" kerio
	echo "note: the stock filter on these lines finds $(wc -l <"$d/stock") hosts, $(grep -cE "$foreign" "$d/stock") of them foreign"
fi

f2b_finish
