#!/bin/bash
# The shipped jail and filter, installed by the README's own install steps
# into a copy of the distribution's configuration: the package's files
# stay as they were, the dumped jail has the shipped settings, the README's
# check of this jail alone passes where a plain fail2ban-client --test
# fails (a stock Debian 12: Debian's sshd jail has no log file), with the
# file jail or the journal jail enabled, the README's dry run finds every attack in the corpus, and the filter answers
# by its installed name.
#
# usage: config.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init fail2ban-client

if [ ! -f "$DISTRO/jail.conf" ] || [ ! -f "$DISTRO/filter.d/kerio.conf" ]; then
	echo "the fail2ban package's configuration is not in $DISTRO" >&2
	exit 69
fi

# A copy of the distribution's configuration, as on a stock Debian 12:
# Debian enables its sshd jail in jail.d, and without rsyslog that jail has
# no log file (made so here, whatever this machine has, by a jail.d file
# that is a symbolic link, as files put there by other tools may be).
etc=$T/etc
f2b_stock "$etc"
printf '[sshd]\nenabled = true\nbackend = polling\nlogpath = %s\n' \
    "$T/no-auth.log" >"$T/stock-sshd.local"
ln -s "$T/stock-sshd.local" "$etc/jail.d/zz-stock-sshd.local"
(cd "$etc" && find . -type f -exec sha256sum {} +) | sort >"$T/before"

# The install commands of the README's fail2ban section, with the
# configuration directory moved.
readme_install_commands >"$T/install.sh"
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

check "the shipped jail's log file" /var/log/keriosecurity.log \
    "$(sed -n 's/^logpath *= *//p' "$JAIL")"
# The log file the jail reads, set where the README says settings go, and
# missing for now whatever this machine has in /var/log.
printf '[kerio2syslog]\nlogpath = %s\n' "$T/keriosecurity.log" >>"$etc/jail.local"

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
check "jail kerio2syslog added with backend" "['add', 'kerio2syslog', 'auto']" \
    "$(grep "^\['add', 'kerio2syslog'" "$T/dump")"
check "usedns (never resolve a name)" "'no'" "$(setting usedns)"
check "maxretry" 5 "$(setting maxretry)"
check "findtime" "'10m'" "$(setting findtime)"
check "bantime" "'1h'" "$(setting bantime)"
check "logencoding" "'utf-8'" "$(setting logencoding)"
rules=$(grep "^\['multi-set', 'kerio2syslog', 'addfailregex'" "$T/dump")
check "failregex rules" 14 "$(grep -oE "['\"]\^" <<<"$rules" | wc -l)"
check "rules taking an address in ASCII digits only" 14 \
    "$(grep -oF '(?a:<ADDR>)' <<<"$rules" | wc -l)"
# (kerio2syslog's output: bsd, rfc3339, and the one that takes a line
# without a stamp whole; Kerio's own stamp is for the default logtype.)
check "date patterns" 3 $(($(setting datepattern | grep -o '\\n' | wc -l) + 1))
check "ban action (nftables, as Debian 12 ships)" \
    "['set', 'kerio2syslog', 'addaction', 'nftables-multiport']" \
    "$(grep "^\['set', 'kerio2syslog', 'addaction'" "$T/dump")"
check "ports in the ban action" "25,465,587,143,993,110,995,80,443,4040,5222,5223,389,636,119,563" \
    "$(grep "^\['multi-set', 'kerio2syslog', 'action'" "$T/dump" |
    grep -o "\['port', '[^']*'\]" | sed "s/.*, '\(.*\)'\]/\1/")"
# firewalld: one setting, the same wherever a document gives it, naming
# ban actions fail2ban has.
top=$HERE/../..
fw=$(grep -ohE 'banaction(_allports)? = firewallcmd-[a-z-]*[a-z]' \
    "$top"/README.md "$top"/contrib/*/README.md "$JAIL" "$JAIL_JOURNAL" \
    "$top"/man/kerio2syslog.1 | sort -u)
check "the documents' firewalld setting" \
    "banaction = firewallcmd-rich-rules banaction_allports = firewallcmd-allports" \
    "$(echo $fw)"
for a in $(printf '%s\n' "$fw" | sed 's/.* = //'); do
	[ -f "$etc/action.d/$a.conf" ] || not_ok "no fail2ban action $a"
done
check "log file (missing) reported" 1 \
    "$(grep -c 'Have not found any log file for kerio2syslog jail' "$T/dump.err")"

: >"$T/keriosecurity.log"

# A plain fail2ban-client --test fails here, on the sshd jail.
# failed_on JAIL OUTPUT ERRFILE: whether a configuration test failed (no OK
# in its OUTPUT), naming JAIL in its errors.
failed_on()
{
	if [ "$2" = "${2%OK: configuration test is successful*}" ] &&
	    grep -q "Have not found any log file for $1 jail" "$3"; then
		echo "failed on $1"
	else
		echo "${2:-no output}; $(grep ERROR "$3" | head -1)"
	fi
}
out=$(fail2ban-client -c "$etc" --test 2>"$T/plain.err")
check "plain fail2ban-client --test" "failed on sshd" \
    "$(failed_on sshd "$out" "$T/plain.err")"

# check_jail: the README's check of this jail alone, as written, on $etc,
# with its temporary files in $T/tmp.  Sets out and rc; stderr goes to
# $T/check.err.
readme_block fail2ban-check | sed "s|$DISTRO/|$etc/|g" >"$T/check.sh"
check_jail()
{
	rm -rf "$T/tmp"
	mkdir "$T/tmp"
	out=$(TMPDIR=$T/tmp bash "$T/check.sh" 2>"$T/check.err")
	rc=$?
}
if [ -s "$T/check.sh" ]; then
	ok "the README's check: $(wc -l <"$T/check.sh") lines"
else
	not_ok "no check block (<!-- fail2ban-check -->) in the README"
fi
(cd "$etc" && find . -type f -exec sha256sum {} +) | sort >"$T/before-check"
check_jail
check "the README's check" "0 OK: configuration test is successful" "$rc $out"
if grep -q ERROR "$T/check.err"; then
	not_ok "the README's check logged errors: $(grep ERROR "$T/check.err")"
fi
check "the README's check left temporary files" "" "$(ls -A "$T/tmp")"
(cd "$etc" && find . -type f -exec sha256sum {} +) | sort >"$T/after-check"
cmp -s "$T/before-check" "$T/after-check"
check "the README's check left the configuration as it was" 0 $?
# ...and it does test our jail: without its log file, it fails.
rm "$T/keriosecurity.log"
check_jail
check "the README's check without the jail's log file" \
    "failed on kerio2syslog" "$(failed_on kerio2syslog "$out" "$T/check.err")"
: >"$T/keriosecurity.log"

# The journal jail, as the packages install it, enabled instead of the
# file jail as its head comment says: the README's check passes too.
cp "$JAIL_JOURNAL" "$etc/jail.d/" &&
    cp "$etc/jail.local" "$T/jail.local.file" &&
    printf '[kerio2syslog]\nlogpath = %s\nenabled = false\n[kerio2syslog-journal]\nenabled = true\n' \
    "$T/keriosecurity.log" >"$etc/jail.local"
check "jails enabled for the journal" "kerio2syslog-journal systemd" \
    "$(fail2ban-client -c "$etc" -d 2>/dev/null |
    sed -n "s/^\['add', '\(kerio2syslog[^']*\)', '\([a-z]*\)'\]$/\1 \2/p" | xargs)"
check_jail
check "the README's check, the journal jail enabled" \
    "0 OK: configuration test is successful" "$rc $out"
if grep -q ERROR "$T/check.err"; then
	not_ok "the README's check logged errors: $(grep ERROR "$T/check.err")"
fi
cp "$T/jail.local.file" "$etc/jail.local"
rm "$etc/jail.d/kerio2syslog-journal.conf"

# The README's dry run, as written, on the annotated corpus as Kerio's log:
# every attack is found, wrapped ones too (fail2ban-regex on Kerio's own
# lines misses those).
dry=$T/dry
mkdir -p "$dry"
if parse_corpus "$HERE/data/kerio.log" "$dry"; then
	attacks=$(awk '$2 != "-"' "$dry/entries" | wc -l)
	readme_block fail2ban-dry-run | sed "s|$DISTRO/|$etc/|g
	    s|/opt/kerio/mailserver/store/logs/security.log|$dry/raw.log|g" \
	    >"$dry/run.sh"
	check "the README's dry run: a conversion" 1 \
	    "$(grep -c '^kerio2syslog ' "$dry/run.sh")"
	kerio2syslog() { TZ=$KERIO_TZ "$K2S" --hostname "$HOSTNAME_OPT" "$@"; }
	export -f kerio2syslog
	export K2S KERIO_TZ HOSTNAME_OPT
	TMPDIR=$T/tmp bash "$dry/run.sh" >"$dry/out" 2>"$dry/err"
	check "the README's dry run finds every attack in the corpus" \
	    "$attacks matched" \
	    "$(sed -n 's/^Lines: .*, \([0-9]*\) matched,.*/\1 matched/p' "$dry/out")"
	check "the README's dry run left temporary files" "" "$(ls -A "$T/tmp")"
	native=$(fail2ban-regex -r "$dry/raw.log" "$FILTER_KERIO" 2>/dev/null |
	    sed -n 's/^Lines: .*, \([0-9]*\) matched,.*/\1/p')
	echo "note: fail2ban-regex on Kerio's own lines finds $native of the $attacks attacks"
else
	not_ok "corpus data/kerio.log is malformed"
fi

# By its installed name, the filter reads Kerio's own log, and with
# logtype=syslog kerio2syslog's output; the stock filter of the package is
# still the stock one.
printf '%s\n' '[18/May/2017 07:25:15] Failed SMTP login from 203.0.113.9 with SASL method CRAM-MD5.' \
    >"$T/kerio.log"
convert "$KERIO_TZ" rfc3339 "$T/kerio.log" "$T/out.log"
want="203.0.113.9 $(epoch "$KERIO_TZ" 2017-05-18T07:25:15)"
check "fail2ban-regex -c ... kerio2syslog on Kerio's log" "$want" \
    "$(TZ=$KERIO_TZ fail2ban-regex -c "$etc" -r -o '<ip> <time>' "$T/kerio.log" kerio2syslog 2>/dev/null |
    sed 's/\.0$//')"
check "fail2ban-regex -c ... 'kerio2syslog[logtype=syslog]'" "$want" \
    "$(TZ=$KERIO_TZ fail2ban-regex -c "$etc" -r -o '<ip> <time>' "$T/out.log" 'kerio2syslog[logtype=syslog]' 2>/dev/null)"
check "fail2ban-regex -c ... kerio (the stock filter)" "" \
    "$(fail2ban-regex -c "$etc" -r -o '<ip>' "$T/out.log" kerio 2>/dev/null)"

f2b_finish
