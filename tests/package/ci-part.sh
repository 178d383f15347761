#!/bin/bash
# CI's package step: builds the .deb and the .rpm from a copy of the tree,
# runs lintian (no error, no warning), compares the two file lists, then
# installs the .deb, smoke-tests the installed files, runs fail2ban beside
# it, upgrades, removes and purges it (lifecycle.sh, smoke.sh).
#
# usage: ci-part.sh [--real] [OUTDIR]
#   --real  install on this machine (CI's, which is thrown away after);
#           without it the install runs in tests/package/sandbox.sh, a
#           throwaway copy of this machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
real=
if [ "${1:-}" = --real ]; then
	real=1
	shift
fi
out=${1:-}
if [ -z "$out" ]; then
	out=$(mktemp -d -t k2s-packages.XXXXXX)
	trap 'rm -rf "$out"' EXIT
fi
start=$SECONDS
step() { printf '\n--- %s (%ds)\n' "$*" "$((SECONDS - start))"; }

step "build the .deb and the .rpm"
bash "$here/build.sh" "$out"
deb=$(ls "$out"/kerio2syslog_*_*.deb)
rpm=$(ls "$out"/kerio2syslog-*.rpm)

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
step "done"
