#!/bin/bash
# CI's package step: builds the .deb and the .rpm from a copy of the tree,
# runs lintian (no error, no warning), compares the two file lists, then
# installs the .deb, smoke-tests the installed files, runs fail2ban beside
# it, upgrades, removes and purges it (lifecycle.sh, smoke.sh), and runs
# the service under a real systemd in a sandbox (service.sh); installs and
# erases the .rpm with rpm in a sandbox (rpm-install.sh).
#
# usage: ci-part.sh [--real]
#   --real  CI: build with the README's package command (read from
#           README.md, so the two cannot drift apart; it installs the build
#           dependencies and writes out/), and install on this machine,
#           which is thrown away after.  Without it: build.sh into a
#           temporary directory, and the install runs in sandbox.sh, a
#           throwaway copy of this machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
real=
if [ "${1:-}" = --real ]; then
	real=1
fi
start=$SECONDS
step() { printf '\n--- %s (%ds)\n' "$*" "$((SECONDS - start))"; }

if [ -n "$real" ]; then
	step "the README's package command"
	cmd=$(awk '/<!-- package-command -->/ { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		want && inside { print }' "$top/README.md")
	[ -n "$cmd" ] || { echo "no package command in README.md"; exit 1; }
	echo "$cmd"
	(cd "$top" && bash -euo pipefail -c "$cmd")
	out=$top/out
else
	step "build the .deb and the .rpm"
	out=$(mktemp -d -t k2s-packages.XXXXXX)
	trap 'rm -rf "$out"' EXIT
	bash "$here/build.sh" "$out"
fi
v=$(sed -n 's/^project(kerio2syslog VERSION \([0-9.]*\).*/\1/p' \
    "$top/CMakeLists.txt")
deb=$(ls "$out"/kerio2syslog_"$v"_*.deb)
rpm=$(ls "$out"/kerio2syslog-"$v"-*.rpm)

step "lintian"
lintian --fail-on error,warning --info --display-experimental \
    --tag-display-limit 0 "$out"/kerio2syslog*.deb 2>&1 |
    grep -v '^running with root privileges' || true
lintian --fail-on error,warning "$out"/kerio2syslog*.deb >/dev/null 2>&1

step "the .deb's files and the .rpm's"
bash "$here/compare-lists.sh" "$deb" "$rpm"

step "install, smoke test, fail2ban, upgrade, remove, purge"
if [ -n "$real" ]; then
	K2S_DISPOSABLE=ci bash "$here/lifecycle.sh" "$deb"
else
	bash "$here/sandbox.sh" "$out" bash "$here/lifecycle.sh" "$deb"
fi
# Runs a test; 77 (skipped: no sandbox here) is noted, not fatal.
may_skip() {
	local rc=0
	"$@" || rc=$?
	case $rc in
	0) ;;
	77) echo "note: skipped, no sandbox (namespaces, overlayfs) here" ;;
	*) exit "$rc" ;;
	esac
}

step "the service under systemd (in a throwaway copy of this machine)"
may_skip bash "$here/service.sh" "$deb"

step "the .rpm installed and erased with rpm (in a throwaway copy)"
may_skip bash "$here/sandbox.sh" "$out" bash "$here/rpm-install.sh" "$rpm"
step "done"
