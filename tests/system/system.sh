#!/bin/bash
# The package as deployed: a clean Debian 12 (tree.sh) booted with systemd
# in a container, Debian's stock fail2ban with its default configuration,
# the .deb installed with apt, and the README's and the manual's own
# commands (read from README.md and man/kerio2syslog.1, so that they cannot
# drift apart from what is tested).  Each scenario boots a fresh overlay of
# the tree:
#  - file: the unit as shipped; fail2ban runs after the install; the
#    README's checks; its nft commands before the first ban (they fail, as
#    it says) and after; its test attack is banned by the file jail and the
#    address, and no other, is in nft list ruleset; --status on a running
#    and on a stopped service;
#  - journal: the manual's switch to the journal (drop-in, journal jail on,
#    file jail off); the same attack, banned by the journal jail;
#  - late: Kerio's log directory made after the install: the service
#    starts by itself (kerio2syslog.path);
#  - lifecycle: while a writer appends numbered entries, logrotate.service
#    runs, the service restarts, the package is upgraded to a rebuilt
#    higher version, the container reboots with entries written while it
#    is down: every entry is in the output exactly once; then apt remove,
#    apt purge, and what apt autoremove would take.
# It prints the figures it measures ("figure: ...").
#
# usage: system.sh DEB | DIR
#   DIR holds kerio2syslog_VERSION_*.deb, VERSION the project's
#   (tests/package/build.sh DIR deb makes it).
# Exits 77 (skipped) only without root or systemd-nspawn.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
deb=${1:?usage: $0 DEB | DIR}
if [ -d "$deb" ]; then
	set -- "$deb"/kerio2syslog_"$(project_version)"_*.deb
	[ -f "$1" ] || {
		echo "no kerio2syslog_$(project_version)_*.deb in $deb:" \
		    "tests/package/build.sh $deb deb builds it" >&2
		exit 1
	}
	deb=$1
fi
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
command -v systemd-nspawn >/dev/null ||
    { echo "systemd-nspawn missing (systemd-container)" >&2; exit 77; }
need mmdebstrap nsenter dpkg-buildpackage
start=$(now)

T=$(mktemp -d /var/tmp/k2s-system.XXXXXX) || exit 73
MOUNTS=
UPGRADE=
cleanup() {
	[ -n "$NSPAWN" ] && kill -KILL "$NSPAWN" 2>/dev/null &&
	    wait "$NSPAWN" 2>/dev/null
	[ -n "$UPGRADE" ] && kill_tree "$UPGRADE"
	local m
	for m in $MOUNTS; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	rm -rf "$T"
}
trap cleanup EXIT

# The upgrade: the package rebuilt from a copy of this tree with a higher
# version in debian/changelog, in the background while the Debian tree is
# made and the first scenarios run.
v=$(dpkg-deb -f "$deb" Version)
v2=$v+systest1
mkdir "$T/src" "$T/up"
tar -C "$TOP" --exclude-vcs --exclude='./build*' --exclude=./out \
    --exclude=./obj-* -cf - . | tar -C "$T/src" -xf -
{
	printf 'kerio2syslog (%s) unstable; urgency=medium\n\n' "$v2"
	printf '  * Rebuilt by tests/system for its upgrade.\n\n'
	printf ' -- The kerio2syslog developers <kerio2syslog@example.org>  %s\n\n' \
	    "$(LC_ALL=C date -R)"
	cat "$TOP/debian/changelog"
} >"$T/src/debian/changelog"
(cd "$T/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b \
    >"$T/up/build.log" 2>&1 && cp "$T"/kerio2syslog_"$v2"_*.deb "$T/up/") &
UPGRADE=$!

t=$(now)
TREE=$("$here/tree.sh") || { echo "no Debian 12 tree" >&2; exit 1; }
figure "the Debian 12 tree ($TREE)" "$t"

KERIO=/opt/kerio/mailserver/store/logs
OUT=/var/log/keriosecurity.log
STATE=/var/lib/kerio2syslog/state
ATTACKER=192.0.2.66

# install_deb FILE: puts FILE in /root/out of the container and runs the
# README's apt command on it.
install_deb() {
	local cmd
	mkdir -p "$C/m/root/out"
	cp "$1" "$C/m/root/out/"
	cmd=$(readme_block install-command | grep '^apt install ')
	ct_sh "${cmd%%./out/*}./out/$(basename "$1")" >"$C/apt.log" 2>&1
}
active() {
	ct systemctl is-active "$@" 2>/dev/null
}
running() {
	[ "$(ct systemctl show -P SubState kerio2syslog.service)" = running ]
}
banned() {
	ct fail2ban-client status "$1" 2>/dev/null |
	    grep -q "Banned IP list:.*$ATTACKER"
}
# fail2ban lists a ban before its action has added the address to the
# jail's nft set: the set is waited for, not looked at once.
in_set() {
	ct nft list set inet f2b-table "addr-set-$1" 2>/dev/null |
	    grep -q "elements = { $ATTACKER"
}
jails() {
	ct fail2ban-client status 2>/dev/null | sed -n 's/^`- Jail list:\t//p'
}
# The addresses in any nftables set (IPv4), one a line.
nft_addresses() {
	ct nft list ruleset | sed -n '/elements = /,/}/p' |
	    grep -oE '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+' | sort -u | xargs
}
dump() {
	sed 's/^/    /' "$@"
}
# nft_commands: runs the README's nft commands one by one into
# $C/sets.out and prints the exit status of each.
nft_commands() {
	local cmd
	: >"$C/sets.out"
	readme_block fail2ban-sets | sed 's/ *#.*//' | while read -r cmd; do
		ct_sh "$cmd" </dev/null >>"$C/sets.out" 2>&1
		printf '%s\n' $?
	done | xargs
}
# kerio_entry TEXT: Kerio writes an entry, stamped now.
kerio_entry() {
	ct sh -c "echo '[$(LC_ALL=C date '+%d/%b/%Y %H:%M:%S')] $1' \
	    >>$KERIO/security.log"
}
# fresh NAME: a container booted afresh, Kerio's (empty) log there, the
# package installed as the README says.
fresh() {
	new_container "$1" && boot || exit 1
	ct mkdir -p "$KERIO"
	ct touch "$KERIO/security.log"
	install_deb "$deb"
	check "apt install ./out/$(basename "$deb")" 0 $? || dump "$C/apt.log"
}

echo "== file: the unit as shipped, the README's commands"
# fresh, with a look at fail2ban before the install and the clock.
new_container file && boot || exit 1
echo "note: before the package, stock fail2ban is $(active fail2ban)"
ct mkdir -p "$KERIO"
ct touch "$KERIO/security.log"
t_install=$(now)
install_deb "$deb"
check "apt install ./out/$(basename "$deb")" 0 $? || dump "$C/apt.log"
figure "apt install" "$t_install"
check "fail2ban runs after the install" active "$(active fail2ban)" ||
    ct journalctl -q -u fail2ban --no-pager | tail -n 5 | sed 's/^/    /'
check "the service and its path unit are active" "active active" \
    "$(active kerio2syslog.service kerio2syslog.path | xargs)"
ct_sh "$(readme_block install-check)" >"$C/check.out" 2>&1
check "the README's check: exit 0 (--status on the running service)" 0 $? ||
    dump "$C/check.out"
check "... and systemctl status says active (running)" 1 \
    "$(grep -c 'Active: active (running)' "$C/check.out")"
ct_sh "$(readme_block fail2ban-check)" >"$C/f2b-check.out" 2>&1
check "the README's fail2ban check" 1 \
    "$(grep -c 'OK: configuration test is successful' "$C/f2b-check.out")" ||
    dump "$C/f2b-check.out"
ct systemctl reload fail2ban
check "systemctl reload fail2ban (the README's)" 0 $?
check "fail2ban's jails" "kerio2syslog, sshd" "$(jails)"
check "before the first ban: nft list ruleset works, the sets are not there" \
    "0 1 1 2" "$(nft_commands) $(grep -c 'No such file or directory' \
    "$C/sets.out")"
t_attack=$(now)
ct_sh "$(readme_block test-attack)"
wait_until 30 banned kerio2syslog
check "the README's test attack is banned (file jail)" 0 $?
figure "attack -> ban, file route" "$t_attack"
figure "apt install -> first ban (with the README's checks between)" \
    "$t_install"
wait_until 10 in_set kerio2syslog
check "after it the ruleset and the IPv4 set hold $ATTACKER (no IPv6 set)" \
    "0 0 1 2" \
    "$(nft_commands) $(grep -c "elements = { $ATTACKER" "$C/sets.out")" ||
    dump "$C/sets.out"
check "nft list ruleset has $ATTACKER and no other address" "$ATTACKER" \
    "$(nft_addresses)"
# Stopped (the path unit too, or it starts the service again).
ct systemctl stop kerio2syslog.path kerio2syslog.service
kerio_entry "while stopped"
ct kerio2syslog --status --state "$STATE" -o "$OUT" "$KERIO/security.log" \
    >"$C/status.out" 2>&1
check "--status on the stopped service: not running (exit 3), the entry behind" \
    "3 inactive" "$? $(active kerio2syslog.service)" || dump "$C/status.out"
check "... it says so" 1 "$(grep -c '^status: *not running' "$C/status.out")"
check "... it says how far behind" 1 \
    "$(grep -cE '^behind: +[1-9][0-9]* bytes' "$C/status.out")"
halt

echo "== journal: the manual's switch"
fresh journal
ct_sh "$(manual_block journal-switch)" >"$C/switch.out" 2>&1
check "the manual's switch to the journal" 0 $? || dump "$C/switch.out"
following() {
	ct journalctl -q -u kerio2syslog.service -o cat |
	    grep -q "^kerio2syslog: following .* into .*journal"
}
wait_until 20 following
check "the service follows into the journal" "0 running" \
    "$? $(ct systemctl show -P SubState kerio2syslog.service)" ||
    ct journalctl -q -u kerio2syslog.service -o cat | tail -n 5 |
    sed 's/^/    /'
check "fail2ban's jails" "kerio2syslog-journal, sshd" "$(jails)"
t_attack=$(now)
ct_sh "$(readme_block test-attack)"
wait_until 30 banned kerio2syslog-journal
check "the README's test attack is banned (journal jail)" 0 $?
figure "attack -> ban, journal route" "$t_attack"
wait_until 10 in_set kerio2syslog-journal
check "the journal jail's set (the manual's name) holds $ATTACKER" 0 $?
check "nft list ruleset has $ATTACKER and no other address" "$ATTACKER" \
    "$(nft_addresses)"
check "the service was never restarted" 0 \
    "$(ct systemctl show -P NRestarts kerio2syslog.service)"
halt

echo "== late: Kerio's log directory made after the install"
new_container late && boot || exit 1
install_deb "$deb"
check "apt install" 0 $? || dump "$C/apt.log"
check "without it the service is inactive" inactive \
    "$(active kerio2syslog.service)"
t=$(now)
ct mkdir -p "$KERIO"
wait_until 20 running
check "the directory made: the service starts by itself" 0 $?
figure "directory made -> service running" "$t"
kerio_entry "late seq=1"
late_out() { ct grep -q 'late seq=1$' "$OUT"; }
wait_until 20 late_out
check "its first entry is converted" 0 $?
halt

echo "== lifecycle: logrotate, restart, upgrade, reboot; remove, purge"
fresh lifecycle
# The output's weekly rotation falls due now.
ct sh -c "printf 'logrotate state -- version 2\n\"$OUT\" 2020-1-1-0:0:0\n' \
    >/var/lib/logrotate/status"
# writer FIRST LAST: appends entries FIRST..LAST, numbered, about 50 a
# second, in the background; WRITER is its process here.
writer() {
	ct bash -c 'for ((i = $1; i <= $2; i++)); do
		printf "[%s] Test entry seq=%d\n" \
		    "$(LC_ALL=C date "+%d/%b/%Y %H:%M:%S")" $i
		sleep 0.02
	done >>'"$KERIO"'/security.log' writer "$1" "$2" &
	WRITER=$!
}
seqs() {
	ct sh -c "zcat -f $OUT*" | sed -n 's/.* seq=\([0-9]*\)$/\1/p'
}
has() {
	seqs | grep -qx "$1"
}
writer 1 600
wait_until 30 has 50
ct systemctl start logrotate.service
check "logrotate.service rotated the output" "0 yes" \
    "$? $(ct test -s "$OUT.1" && echo yes)"
wait_until 30 has 200
ct systemctl restart kerio2syslog.service
check "systemctl restart kerio2syslog" 0 $?
wait_until 30 has 350
t=$(now)
wait "$UPGRADE"
check "the upgrade package is rebuilt" 0 $? || tail -n 20 "$T/up/build.log"
UPGRADE=
figure "waited for the rebuild" "$t"
install_deb "$T"/up/kerio2syslog_"$v2"_*.deb
check "apt install of $v2 while Kerio writes" "0 $v2" \
    "$? $(ct dpkg-query -W -f '${Version}' kerio2syslog)" ||
    dump "$C/apt.log"
wait "$WRITER"
wait_until 30 has 600
# Reboot; entries 601-650 are written while the container is down.
halt reboot
for ((i = 601; i <= 650; i++)); do
	printf '[%s] Test entry seq=%d\n' \
	    "$(LC_ALL=C date '+%d/%b/%Y %H:%M:%S')" $i
done >>"$C/m$KERIO/security.log"
boot || exit 1
writer 651 800
wait "$WRITER"
wait_until 30 has 800
seqs | sort -n | uniq -c >"$C/counts"
lost=$((800 - $(wc -l <"$C/counts")))
repeated=$(awk '$1 > 1 { n += $1 - 1 } END { print n + 0 }' "$C/counts")
echo "figure: entries lost $lost, repeated $repeated (of 800)"
check "every entry exactly once across logrotate, restart, upgrade, reboot" \
    "0 0 1 800" "$lost $repeated $(head -n 1 "$C/counts" | awk '{ print $2 }') $(tail -n 1 "$C/counts" | awk '{ print $2 }')"

ct apt remove kerio2syslog >"$C/apt.log" 2>&1
check "apt remove" "0 deinstall ok config-files" \
    "$? $(ct dpkg-query -W -f '${Status}' kerio2syslog)"
check "after remove: fail2ban runs" active "$(active fail2ban)"
ct apt purge kerio2syslog >"$C/apt.log" 2>&1
check "apt purge" "0 " \
    "$? $(ct dpkg-query -W -f '${Status}' kerio2syslog 2>/dev/null)"
check "purge: the state and the /etc files are gone, the log stays" \
    "0 yes" "$(ct sh -c "ls -d /var/lib/kerio2syslog /etc/fail2ban/*/kerio2syslog* \
    /etc/logrotate.d/kerio2syslog 2>/dev/null | wc -l") $(ct test -f "$OUT" && echo yes)"
echo "note: apt autoremove would then take: $(ct apt-get -s autoremove |
    sed -n 's/^Remv \([^ ]*\).*/\1/p' | xargs)"
# Purge removed the sshd drop-in: Debian's stock configuration is back.
# fail2ban reports a failed start after systemctl restart returns.
ct systemctl restart fail2ban
settled() {
	[ "$(active fail2ban)" = failed ] ||
	    ct fail2ban-client ping >/dev/null 2>&1
}
wait_until 20 settled
echo "note: after the purge, fail2ban restarted is $(active fail2ban)"
halt

figure "the system test" "$start"
finish
