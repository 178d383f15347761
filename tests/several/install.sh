#!/bin/bash
# cmake --install puts the CrowdSec collection and the rsyslog snippets
# under the documentation directory's examples/, byte for byte as in
# contrib/, and enables nothing: under etc/ only the files issue 11 puts
# there (logrotate, fail2ban filter and jail), nothing of CrowdSec or rsyslog.
#
# usage: install.sh path/to/kerio2syslog cache-dir build-dir
. "$(dirname "$0")/lib.sh"
several_init "$@"

if ! cmake --install "$BUILD" --prefix "$T/usr" >"$T/install.out" 2>&1; then
	not_ok "cmake --install failed: $(tail -3 "$T/install.out")"
	f2b_finish
fi
ex=$T/usr/share/doc/kerio2syslog/examples
for f in crowdsec/parsers/s00-raw/kerio2syslog/kerio-security-logs.yaml \
    crowdsec/parsers/s01-parse/kerio2syslog/kerio-logs.yaml \
    crowdsec/scenarios/kerio2syslog/kerio-bf.yaml \
    crowdsec/scenarios/kerio2syslog/kerio-smtp-abuse.yaml \
    crowdsec/collections/kerio2syslog/kerio.yaml \
    crowdsec/acquis.d/kerio2syslog.yaml \
    rsyslog/kerio2syslog-sender.conf \
    rsyslog/kerio2syslog-central.conf \
    rsyslog/kerio2syslog-central-write; do
	if cmp -s "$CONTRIB/$f" "$ex/$f"; then
		ok "installed: examples/$f"
	else
		not_ok "not installed, or not as in contrib/: examples/$f"
	fi
done
check "the collection's tests, hub copy and generator are not installed" "" \
    "$(find "$ex" -name .tests -o -name hub -o -name make-1.4.6)"
check "nothing of CrowdSec or rsyslog enabled under etc/" \
    "fail2ban/filter.d/kerio2syslog.conf
fail2ban/jail.d/kerio2syslog-journal.conf
fail2ban/jail.d/kerio2syslog.conf
logrotate.d/kerio2syslog" \
    "$(find "$T/usr" -path '*/etc/*' -type f | sed 's|.*/etc/||' | LC_ALL=C sort)"

f2b_finish
