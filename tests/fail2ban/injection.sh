#!/bin/bash
# The shipped fail2ban filter against crafted Kerio lines (data/injection.log):
# recipients, senders, user names and reasons that imitate other messages or
# carry foreign addresses, raw control bytes, wrapped continuations.  Read by
# the real fail2ban-regex as Kerio's own lines (LF and CRLF) and through
# kerio2syslog in both formats: only the real client is ever found, at its
# time, with exact counts, and no foreign address shows up anywhere.
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

# For the record (not a check): what the stock filter.d/kerio.conf makes of
# the same Kerio lines.
if fail2ban-regex -r /dev/null kerio >/dev/null 2>&1; then
	regex "$KERIO_TZ" "$d/raw.log" "$d/stock" kerio
	echo "note: the stock filter on these lines finds $(wc -l <"$d/stock") hosts, $(grep -cE "$foreign" "$d/stock") of them foreign"
fi

f2b_finish
