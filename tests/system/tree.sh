#!/bin/bash
# Prints the path of a clean Debian 12 tree to boot, built with mmdebstrap
# from the Debian archive this machine's apt sources name, and kept in a
# cache directory (K2S_SYSTEM_CACHE, by default
# /var/cache/kerio2syslog-tests) under a hash of what it is made of, so a
# second run finds it.  The tree is never written to: each boot runs on an
# overlay of it.
#
# It holds what Debian 12 installs by priority "important" (a server's
# base), systemd as init, Debian's stock fail2ban with nftables and the
# backends fail2ban recommends, logrotate, and what the package depends on
# or recommends, so that "apt install ./kerio2syslog_*.deb" inside, which
# has no network, finds every dependency installed.
#
# usage: tree.sh
set -euo pipefail
packages="systemd systemd-sysv dbus fail2ban nftables python3-systemd
python3-pyinotify logrotate libpcre2-8-0 libsystemd0 procps"
cache=${K2S_SYSTEM_CACHE:-/var/cache/kerio2syslog-tests}
# fail2ban and what it brings are marked as installed automatically, as
# when "apt install ./kerio2syslog_*.deb" brought them (the package
# recommends them), so that "apt autoremove -s" after a purge says what
# it would take on such a server.
hook='chroot "$1" apt-mark auto fail2ban python3-systemd python3-pyinotify >/dev/null'
# The recipe, hashed: a tree made by another is built anew.
key=$(echo "bookworm important $packages $hook" | sha256sum | cut -c1-16)
tree=$cache/bookworm-$key
if [ -x "$tree/sbin/init" ]; then
	echo "$tree"
	exit 0
fi
mkdir -p "$cache"
new=$(mktemp -d "$cache/new.XXXXXX")
trap 'rm -rf "$new"' EXIT
# The archive as apt knows it here: mmdebstrap reads apt's own files.
mirrors=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources; do
	[ -s "$f" ] && mirrors+=("$f")
done
mmdebstrap --variant=important --include="${packages//$'\n'/ }" \
    --customize-hook="$hook" \
    bookworm "$new/tree" "${mirrors[@]}" >&2
# A run beside this one may have put the same tree in place first.
mv -T "$new/tree" "$tree" 2>/dev/null || [ -x "$tree/sbin/init" ]
# Trees of other recipes are not used again.
for old in "$cache"/bookworm-*; do
	[ "$old" = "$tree" ] || rm -rf "$old"
done
echo "$tree"
