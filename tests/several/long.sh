#!/bin/bash
# Long entries through the central rsyslog over RELP (contrib/rsyslog), as
# relp.sh runs it (two senders, one central, loopback port 20560): on
# server A, 5 failures with 9 KB user names (past rsyslog's default 8 KiB
# maxMessageSize) and one as long as kerio2syslog's default --max-entry
# whose user name is tabs, each escaped to 4 bytes (a 64 KiB line).  The
# central per-host file holds each line whole, byte for byte as
# kerio2syslog wrote it, ending with Kerio's "Attempt from IP address H.".
#
# usage: long.sh path/to/kerio2syslog cache-dir
. "$(dirname "$0")/lib.sh"
several_init "$@"
rsyslog_init

PORT=20560
ADDR=203.0.113.9
N=6   # entries written

relp_start "$PORT"

stamp=$(date '+%d/%b/%Y %H:%M:%S')
{
	for i in 1 2 3 4 5; do
		printf '[%s] SMTP: User long%d-%s doesn'"'"'t exist. Attempt from IP address %s.\n' \
		    "$stamp" "$i" "$(head -c 9000 /dev/zero | tr '\0' x)" "$ADDR"
	done
	printf '[%s] SMTP: User tabs-%s doesn'"'"'t exist. Attempt from IP address %s.\n' \
	    "$stamp" "$(head -c 16000 /dev/zero | tr '\0' '\t')" "$ADDR"
} >>"$T/a/security.log"

got=$T/central/remote/server-a/kerio.log
arrived()
{
	[ -f "$got" ] && [ "$(wc -l <"$got")" -ge "$N" ]
}
wait_until 60 arrived ||
    not_ok "the central host got $(cat "$got" 2>/dev/null | wc -l) of $N lines within 60 s"
check "lines kerio2syslog wrote on A" "$N" "$(wc -l <"$T/a/keriosecurity.log")"
check "lines at the central host" "$N" "$(wc -l <"$got" 2>/dev/null)"
check "lines at the central host that end with Kerio's address" "$N" \
    "$(grep -c "Attempt from IP address $ADDR\.\$" "$got")"
if cmp -s "$T/a/keriosecurity.log" "$got"; then
	ok "the central file holds kerio2syslog's lines byte for byte (longest $(awk '{ if (length > m) m = length } END { print m }' "$got") bytes)"
else
	not_ok "the central file differs from kerio2syslog's output: $(cmp "$T/a/keriosecurity.log" "$got")"
fi
grep -q 'too long\|truncat' "$T"/*/rsyslogd.out &&
    not_ok "rsyslogd reported a cut: $(grep -h 'too long\|truncat' "$T"/*/rsyslogd.out | head -2)"

f2b_finish
