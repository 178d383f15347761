#!/bin/bash
# Runs COMMAND as root in a throwaway copy of this machine, so that a test
# can install, upgrade, remove and purge the package, start fail2ban and
# touch the firewall without changing the machine or racing other tests:
# private mount, network and process namespaces, an overlay of / whose
# writes land in a temporary directory, made the root (pivot_root).  When COMMAND ends,
# the copy, its processes and its firewall rules are gone.
#
# usage: sandbox.sh DIR COMMAND [ARG...]
#   DIR is bound at the same path inside the copy (the source tree, the
#   package directory), read-write; COMMAND runs there. The source tree
#   this script is in is bound read-only, so its tests run from there.
# Exits 77 (skipped) when namespaces or overlayfs are not available.
set -eu
dir=$(cd "${1:?usage: $0 DIR COMMAND...}" && pwd)
shift
[ "$(id -u)" -eq 0 ] || { echo "sandbox: needs root" >&2; exit 77; }
T=$(mktemp -d -t k2s-sandbox.XXXXXX)
trap 'umount -R "$T/m" 2>/dev/null || true; rm -rf "$T"' EXIT
mkdir "$T/u" "$T/w" "$T/m"
# The source tree (the test scripts and what they read) is bound too,
# read-only: it may live under /tmp, which is new and empty in the copy.
K2S_SANDBOX_SCRIPTS=$(cd "$(dirname "$0")/../.." && pwd)
export K2S_SANDBOX_T=$T K2S_SANDBOX_DIR=$dir K2S_SANDBOX_SCRIPTS
unshare --mount --net --pid --fork --propagation private bash -c '
	set -eu
	m=$K2S_SANDBOX_T/m
	mount -t overlay overlay \
	    -o "lowerdir=/,upperdir=$K2S_SANDBOX_T/u,workdir=$K2S_SANDBOX_T/w" \
	    "$m" || exit 77
	mount -t proc proc "$m/proc"
	mount --rbind /dev "$m/dev"
	mount --rbind /sys "$m/sys"
	mount -t tmpfs tmpfs "$m/run"
	mount -t tmpfs tmpfs "$m/tmp"
	# The tree first: DIR may be inside it, and stays writable.
	mkdir -p "$m$K2S_SANDBOX_SCRIPTS"
	mount --bind -o ro "$K2S_SANDBOX_SCRIPTS" "$m$K2S_SANDBOX_SCRIPTS"
	mkdir -p "$m$K2S_SANDBOX_DIR"
	mount --bind "$K2S_SANDBOX_DIR" "$m$K2S_SANDBOX_DIR"
	ip link set lo up 2>/dev/null || true
	# pivot_root, not chroot: a chrooted process may not create user
	# namespaces, which the service (PrivateUsers=yes) needs.
	mkdir -p "$m/.sandbox-old-root"
	cd "$m"
	pivot_root . .sandbox-old-root
	umount -l /.sandbox-old-root
	exec /usr/bin/env -C "$K2S_SANDBOX_DIR" K2S_DISPOSABLE=sandbox "$@"
' sandbox "$@"
