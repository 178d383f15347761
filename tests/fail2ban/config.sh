#!/bin/bash
# The shipped jail and filter, installed by the README's own install steps
# into a copy of the distribution's fail2ban configuration: the package's
# files stay as they were, fail2ban-client --test accepts the result, the
# dumped jail has the shipped settings, and the filter answers by its
# installed name.
#
# usage: config.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init
command -v fail2ban-client >/dev/null || { echo "fail2ban-client is missing" >&2; exit 69; }

DISTRO=/etc/fail2ban
README=$HERE/../../README.md
if [ ! -f "$DISTRO/jail.conf" ] || [ ! -f "$DISTRO/filter.d/kerio.conf" ]; then
	echo "the fail2ban package's configuration is not in $DISTRO" >&2
	exit 69
fi

# A copy of the distribution's configuration, without its jail.d (Debian
# enables sshd there, which has nothing to do with us).
etc=$T/etc
cp -a "$DISTRO" "$etc"
rm -f "$etc"/jail.d/*
(cd "$etc" && find . -type f -exec sha256sum {} +) | sort >"$T/before"

# The install commands of the README's fail2ban section, with the
# configuration directory moved.
awk '/^## Using it with fail2ban/ { in_f2b = 1; next }
	/^## / { in_f2b = 0 }
	in_f2b && /^install / { print }' "$README" >"$T/install.sh"
check "install commands in the README" 2 "$(wc -l <"$T/install.sh")"
if (cd "$HERE/../.." && sed "s|$DISTRO/|$etc/|g" "$T/install.sh" | sh -e); then
	ok "the README's install commands ran"
else
	not_ok "the README's install commands failed"
fi
(cd "$etc" && find . -type f -exec sha256sum {} +) | sort >"$T/after"
check "files changed or added by the install" \
    "./filter.d/kerio2syslog.conf ./jail.d/kerio2syslog.conf" \
    "$(comm -13 "$T/before" "$T/after" | awk '{ print $2 }' | sort | xargs)"
check "package files overwritten or removed by the install" "" \
    "$(comm -23 "$T/before" "$T/after" | awk '{ print $2 }' | xargs)"
cmp -s "$FILTER" "$etc/filter.d/kerio2syslog.conf" &&
    cmp -s "$JAIL" "$etc/jail.d/kerio2syslog.conf"
check "installed files are the shipped ones" 0 $?

# The jail as fail2ban understands it (the dump does not need the log file).
if fail2ban-client -c "$etc" -d >"$T/dump" 2>"$T/dump.err"; then
	ok "fail2ban-client -d reads the installed configuration"
else
	not_ok "fail2ban-client -d failed: $(grep ERROR "$T/dump.err")"
fi
setting()
{
	sed -n "s/^\['set', 'kerio2syslog', '$1', \(.*\)\]$/\1/p" "$T/dump"
}
check "jail kerio2syslog added with backend" "['add', 'kerio2syslog', 'polling']" \
    "$(grep "^\['add', 'kerio2syslog'" "$T/dump")"
check "usedns (never resolve a name)" "'no'" "$(setting usedns)"
check "maxretry" 5 "$(setting maxretry)"
check "findtime" "'10m'" "$(setting findtime)"
check "bantime" "'1h'" "$(setting bantime)"
check "logencoding" "'utf-8'" "$(setting logencoding)"
check "failregex rules" 14 "$(grep "'addfailregex'" "$T/dump" | grep -oE "['\"]\^" | wc -l)"
check "date patterns" 4 $(($(setting datepattern | grep -o '\\n' | wc -l) + 1))
check "ban action (nftables, as Debian 12 ships)" \
    "['set', 'kerio2syslog', 'addaction', 'nftables-multiport']" \
    "$(grep "^\['set', 'kerio2syslog', 'addaction'" "$T/dump")"
check "ports in the ban action" "25,465,587,143,993,110,995,80,443,4040" \
    "$(grep -o "\['port', '[^']*'\]" "$T/dump" | sed "s/.*, '\(.*\)'\]/\1/")"
check "log file (missing here) reported" 1 \
    "$(grep -c 'Have not found any log file for kerio2syslog jail' "$T/dump.err")"

# fail2ban-client --test: the shipped jail and filter, with only the log file
# pointed at one that exists on this machine.
: >"$T/keriosecurity.log"
printf '[kerio2syslog]\nlogpath = %s\n' "$T/keriosecurity.log" \
    >"$etc/jail.d/zz-test.local"
out=$(fail2ban-client -c "$etc" --test 2>"$T/test.err")
rc=$?
check "fail2ban-client --test" "0 OK: configuration test is successful" "$rc $out"
if grep -q ERROR "$T/test.err"; then
	not_ok "fail2ban-client --test logged errors: $(grep ERROR "$T/test.err")"
fi

# By its installed name, the filter reads kerio2syslog's output, and the
# stock filter of the package is still the stock one.
printf '%s\n' '[18/May/2017 07:25:15] Failed SMTP login from 203.0.113.9 with SASL method CRAM-MD5.' \
    >"$T/kerio.log"
convert "$KERIO_TZ" rfc3339 "$T/kerio.log" "$T/out.log"
check "fail2ban-regex -c ... kerio2syslog" "203.0.113.9 $(epoch "$KERIO_TZ" 2017-05-18T07:25:15)" \
    "$(TZ=$KERIO_TZ fail2ban-regex -c "$etc" -r -o '<ip> <time>' "$T/out.log" kerio2syslog 2>/dev/null)"
check "fail2ban-regex -c ... kerio (the stock filter)" "" \
    "$(fail2ban-regex -c "$etc" -r -o '<ip>' "$T/out.log" kerio 2>/dev/null)"

f2b_finish
