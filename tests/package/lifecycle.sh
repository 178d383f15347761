#!/bin/bash
# The .deb's life on a machine where fail2ban already runs a jail of its
# own (Debian's stock sshd jail): install with apt-get, reload fail2ban and
# find both jails up; an attack from a test address is banned (and in the
# firewall when the jail's ban action is nftables); an upgrade keeps the
# administrator's .local overrides; remove keeps the configuration and the
# output log; purge removes the configuration and the state and leaves
# nothing of the package but the output log.
#
# It installs for real, so it runs only on a disposable machine: in CI, or
# in tests/package/sandbox.sh (which sets K2S_DISPOSABLE).
#
# usage: lifecycle.sh DEB   (kerio2syslog_VERSION_ARCH.deb)
set -u
. "$(dirname "$0")/lib.sh"
deb=$(cd "$(dirname "${1:?usage: $0 DEB}")" && pwd)/$(basename "$1")
if [ -z "${K2S_DISPOSABLE:-}" ]; then
	echo "lifecycle.sh installs and purges the package for real: run it" \
	    "in CI or under tests/package/sandbox.sh (K2S_DISPOSABLE unset)" >&2
	exit 77
fi
if dpkg -s kerio2syslog >/dev/null 2>&1; then
	echo "kerio2syslog is installed already; this test needs a machine" \
	    "without it" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
T=$(mktemp -d -t k2s-life.XXXXXX) || exit 73
SOCK=$T/f2b.sock
LOG=/var/log/keriosecurity.log
ADDR=192.0.2.66
made_auth=
f2b() {
	fail2ban-client -s "$SOCK" -p "$T/f2b.pid" "$@"
}
cleanup() {
	f2b stop >/dev/null 2>&1
	dpkg -s kerio2syslog >/dev/null 2>&1 &&
	    apt-get purge -y -q kerio2syslog >/dev/null 2>&1
	rm -f /etc/fail2ban/jail.d/kerio2syslog.local \
	    /etc/fail2ban/filter.d/kerio2syslog.local
	[ -n "$made_auth" ] && rm -f /var/log/auth.log
	[ -n "${made_log:-}" ] && rm -f "$LOG"*
	rm -rf "$T"
}
trap cleanup EXIT

# What the package may leave: a list of everything under these trees,
# before the install and after the purge.
snapshot() {
	find /etc /lib/systemd /usr /var/lib -xdev \
	    -not -path '/var/lib/dpkg/*' -not -path '/var/lib/apt/*' \
	    -not -path '/var/lib/fail2ban/*' -not -path '/var/lib/man-db/*' \
	    -not -path '/var/lib/systemd/deb-systemd-helper-*' \
	    -not -path '/etc/ld.so.cache' 2>/dev/null | sort
}
[ -e "$LOG" ] || made_log=1
snapshot >"$T/before"

# fail2ban, already running its own jail.
if [ ! -e /var/log/auth.log ]; then
	made_auth=1
	: >/var/log/auth.log
fi
f2b -x start >"$T/f2b.out" 2>&1
check "fail2ban-server starts with Debian's jails" \
    "Jail list:	sshd" "$(f2b status | sed -n 's/^`- //p')"

# Install, as the README says.
apt-get install -y -q "$deb" >"$T/apt.out" 2>&1
check "apt-get install ./kerio2syslog_*.deb" 0 $?
v=$(dpkg-deb -f "$deb" Version)
check "the package is installed" "install ok installed $v" \
    "$(dpkg-query -W -f '${Status} ${Version}' kerio2syslog)"
check "the output log is created root:adm 0640" "640 root adm" \
    "$(stat -c '%a %U %G' "$LOG")"
check "the unit is enabled (multi-user.target.wants)" \
    /lib/systemd/system/kerio2syslog.service \
    "$(readlink /etc/systemd/system/multi-user.target.wants/kerio2syslog.service)"
check "the conffiles are registered" 5 \
    "$(dpkg-query -W -f '${Conffiles}\n' kerio2syslog | grep -c '^ /etc/')"

bash "$(dirname "$0")/smoke.sh" | sed 's/^/smoke: /'
check "the installed files pass smoke.sh" 0 "${PIPESTATUS[0]}"

f2b reload >"$T/reload.out" 2>&1
check "fail2ban reloads with our jail" 0 $?
check "both jails are up" "Jail list:	kerio2syslog, sshd" \
    "$(f2b status | sed -n 's/^`- //p')"

# An attack from a test address, converted by the installed program.
stamp=$(LC_ALL=C date '+[%d/%b/%Y %H:%M:%S]')
for i in 1 2 3 4 5; do
	echo "$stamp Failed SMTP login from $ADDR with SASL method LOGIN."
done | /usr/bin/kerio2syslog --format rfc3339 >>"$LOG"
banned() {
	f2b status kerio2syslog | grep -q "Banned IP list:.*$ADDR"
}
wait_until 30 banned
check "the attack from $ADDR is banned" 0 $?
action=$(f2b get kerio2syslog actions 2>/dev/null | tail -n 1)
in_fw() { nft list ruleset 2>/dev/null | grep -q "$ADDR"; }
case $action in
*nftables*)
	if nft list ruleset >/dev/null 2>&1; then
		wait_until 10 in_fw
		check "$ADDR is in the firewall (nft list ruleset)" 0 $?
	else
		echo "note: nft cannot read the firewall here; not checked"
	fi
	;;
*)
	echo "note: ban action '$action' is not nftables; firewall not checked"
	;;
esac
f2b set kerio2syslog unbanip "$ADDR" >/dev/null 2>&1

# Upgrade to a rebuilt package with a higher version: the administrator's
# .local files stay, and so do their values and the output log.
printf '[kerio2syslog]\nmaxretry = 3\n' \
    >/etc/fail2ban/jail.d/kerio2syslog.local
printf '[Init]\n# ours\n' >/etc/fail2ban/filter.d/kerio2syslog.local
sha256sum /etc/fail2ban/*/kerio2syslog.local "$LOG" >"$T/kept"
dpkg-deb -R "$deb" "$T/next"
sed -i "s/^Version: .*/Version: $v+test1/" "$T/next/DEBIAN/control"
dpkg-deb -b "$T/next" "$T/kerio2syslog_$v+test1.deb" >/dev/null
apt-get install -y -q "$T/kerio2syslog_$v+test1.deb" >"$T/apt.out" 2>&1
check "upgrade to $v+test1" "install ok installed $v+test1" \
    "$(dpkg-query -W -f '${Status} ${Version}' kerio2syslog)"
sha256sum -c --quiet "$T/kept" >/dev/null 2>&1
check "the .local overrides and the output log are unchanged" 0 $?
f2b reload >/dev/null 2>&1
check "the override is in force after the upgrade" 3 \
    "$(f2b get kerio2syslog maxretry)"

# Remove: the program goes, the configuration and the output log stay.
apt-get remove -y -q kerio2syslog >"$T/apt.out" 2>&1
check "apt-get remove" "deinstall ok config-files" \
    "$(dpkg-query -W -f '${Status}' kerio2syslog)"
check "the program is gone" 1 "$([ -e /usr/bin/kerio2syslog ]; echo $?)"
left=0
for f in /etc/fail2ban/filter.d/kerio2syslog.conf \
    /etc/fail2ban/jail.d/kerio2syslog.conf \
    /etc/fail2ban/jail.d/kerio2syslog-journal.conf \
    /etc/fail2ban/jail.d/kerio2syslog-debian-sshd.conf \
    /etc/logrotate.d/kerio2syslog \
    /etc/fail2ban/jail.d/kerio2syslog.local "$LOG"; do
	[ -e "$f" ] && left=$((left + 1))
done
check "remove keeps the five conffiles, the override and the log" 7 "$left"

# Purge: the configuration and the state go; the output log stays.
mkdir -p /var/lib/kerio2syslog
echo "as the service would" >/var/lib/kerio2syslog/state
rm -f /etc/fail2ban/*/kerio2syslog.local
apt-get purge -y -q kerio2syslog >"$T/apt.out" 2>&1
check "apt-get purge" "" "$(dpkg-query -W -f '${Status}' kerio2syslog 2>/dev/null)"
snapshot >"$T/after"
check_diff "purge leaves nothing of the package in /etc /lib/systemd /usr /var/lib" \
    "$T/before" "$T/after"
check "the state directory is gone" 1 \
    "$([ -e /var/lib/kerio2syslog ]; echo $?)"
check "the output log stays" "640 root adm" "$(stat -c '%a %U %G' "$LOG")"
f2b reload >/dev/null 2>&1
check "fail2ban runs on with its own jail" "Jail list:	sshd" \
    "$(f2b status | sed -n 's/^`- //p')"
finish
