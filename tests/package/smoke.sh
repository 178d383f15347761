#!/bin/bash
# The installed package works where a user finds it: the program and its
# version, the manual for man(1), the unit for systemd-analyze verify, the
# logrotate file, fail2ban-client --test with the installed filter and
# jail (alone: Debian's stock sshd jail fails --test where there is no auth
# log), and the installed filter, by its name, on a sample converted by the
# installed program.
#
# usage: smoke.sh   (kerio2syslog installed from the package)
set -u
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d -t k2s-smoke.XXXXXX) || exit 73
trap 'rm -rf "$T"' EXIT
unit=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
unit=${unit:-/lib/systemd/system}/kerio2syslog.service

check "kerio2syslog --version" "kerio2syslog $(project_version)" \
    "$(kerio2syslog --version 2>&1)"
check "the program is /usr/bin/kerio2syslog" /usr/bin/kerio2syslog \
    "$(command -v kerio2syslog)"
check "man -w kerio2syslog" /usr/share/man/man1/kerio2syslog.1.gz \
    "$(man -w kerio2syslog 2>&1)"
check "the unit runs the installed program" 1 \
    "$(grep -c '^ExecStart=/usr/bin/kerio2syslog --format rfc3339 ' "$unit")"
out=$(SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$unit" 2>&1)
check "systemd-analyze verify on the installed unit (silent)" "0 " \
    "$? $out"
logrotate -d /etc/logrotate.d/kerio2syslog >"$T/lr" 2>&1
check "logrotate -d reads the installed file" "0 0" \
    "$? $(grep -c '^error' "$T/lr")"

# fail2ban's configuration with the installed jail as its only jail.
cp -a /etc/fail2ban "$T/etc"
find "$T/etc/jail.d" -type f ! -name kerio2syslog.conf -delete
check "the installed jail and filter are the copy's" 0 \
    "$(cmp -s /etc/fail2ban/jail.d/kerio2syslog.conf \
    "$T/etc/jail.d/kerio2syslog.conf" &&
    cmp -s /etc/fail2ban/filter.d/kerio2syslog.conf \
    "$T/etc/filter.d/kerio2syslog.conf"; echo $?)"
check "fail2ban-client --test" "OK: configuration test is successful" \
    "$(fail2ban-client -c "$T/etc" --test 2>"$T/f2b.err")"

# tests/data/sample.log's attacks, by the installed filter's name, reading
# kerio2syslog's output as the installed jail has it (a dry run on an old
# log: --late-after 0, as the README's, else every line is marked late).
TZ=Europe/Prague kerio2syslog --format rfc3339 --late-after 0 -H mail \
    "$TOP/tests/data/sample.log" >"$T/sample.log"
fail2ban-regex -o '<ip>' "$T/sample.log" 'kerio2syslog[logtype=syslog]' \
    2>"$T/regex.err" |
    sort >"$T/hosts"
sort >"$T/want" <<'HOSTS'
121.22.157.181
122.9.7.1
185.140.108.26
190.6.25.114
192.168.36.139
198.51.100.4
200.90.149.178
2001:db8::7
202.169.236.195
203.0.113.10
203.0.113.10
203.0.113.9
212.92.127.112
5.188.10.50
78.41.204.132
91.200.12.7
HOSTS
check_diff "fail2ban-regex ... 'kerio2syslog[logtype=syslog]' finds the sample's 16 attacks" \
    "$T/want" "$T/hosts"
finish
