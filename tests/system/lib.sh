# shellcheck shell=bash
# Helpers of the booted-system test; sourced, not run.  A container is a
# clean Debian 12 tree (tree.sh) booted by systemd-nspawn on an overlay,
# so that the cached tree is never written and each scenario starts from
# it afresh.  Commands run inside through nsenter into the namespaces of
# the container's PID 1 (there is no machined here to ask).
#
# Each check ends in ok or not_ok (tests/package/lib.sh); figure prints a
# measured time.

. "$(dirname "${BASH_SOURCE[0]}")/../package/lib.sh"

# The container booted last: its directory, nspawn's process here and the
# container's PID 1 as seen from here.
C=
NSPAWN=
PID1=

# now: microseconds since the epoch.
now() {
	echo "${EPOCHREALTIME//[.,]/}"
}

# figure NAME START: prints NAME and the seconds since START (from now).
figure() {
	local us=$(($(now) - $2))
	printf 'figure: %s: %d.%02d s\n' "$1" $((us / 1000000)) \
	    $((us % 1000000 / 10000))
}

# ct COMMAND...: runs COMMAND in the container, as its root, from /root.
ct() {
	nsenter -t "$PID1" -m -u -i -n -p -C -r -w \
	    env -i -C /root PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	    LANG=C.UTF-8 TERM=dumb "$@"
}

# ct_sh SCRIPT: runs SCRIPT with bash -eu in the container.
ct_sh() {
	ct bash -euo pipefail -c "$1"
}

# The descendant of nspawn that is PID 1 in its own namespace.
find_pid1() {
	local p q
	for p in $(pgrep -P "$NSPAWN"); do
		for q in "$p" $(pgrep -P "$p"); do
			if [ "$(awk '/^NSpid:/ { print $NF }' \
			    "/proc/$q/status" 2>/dev/null)" = 1 ]; then
				PID1=$q
				return 0
			fi
		done
	done
	return 1
}

booted() {
	case $(ct systemctl is-system-running 2>/dev/null) in
	running | degraded) return 0 ;;
	esac
	return 1
}

# new_container NAME: an overlay of the tree in $T/NAME, not yet booted.
new_container() {
	C=$T/$1
	mkdir -p "$C/u" "$C/w" "$C/m"
	mount -t overlay overlay \
	    -o "lowerdir=$TREE,upperdir=$C/u,workdir=$C/w" "$C/m"
	MOUNTS="$C/m $MOUNTS"
	# The README's apt commands ask before they install; here nobody
	# answers.
	echo 'APT::Get::Assume-Yes "true";' \
	    >"$C/m/etc/apt/apt.conf.d/90kerio2syslog-test"
}

# boot: boots the container $C, and waits until systemd says it is up.
boot() {
	local t0
	t0=$(now)
	systemd-nspawn -q -D "$C/m" -b --private-network --register=no \
	    --keep-unit --console=passive >>"$C/console.log" 2>&1 </dev/null &
	NSPAWN=$!
	PID1=
	if ! wait_until 30 find_pid1 || ! wait_until 90 booted; then
		not_ok "the container booted"
		tail -n 30 "$C/console.log" | sed 's/^/    /'
		return 1
	fi
	figure "boot ($(ct systemctl is-system-running))" "$t0"
}

# halt [reboot|poweroff]: shuts the container down and waits for nspawn.
halt() {
	ct systemctl "${1:-poweroff}" >/dev/null 2>&1
	gone() { ! kill -0 "$NSPAWN" 2>/dev/null; }
	if ! wait_until 60 gone; then
		kill -KILL "$NSPAWN" 2>/dev/null
	fi
	wait "$NSPAWN" 2>/dev/null
	NSPAWN=
}

# The README's blocks: readme_block (tests/lib.sh).
# manual_block NAME: the literal display after the comment '.\" NAME' in
# the manual, with mdoc's escape of the backslash undone.
manual_block() {
	awk -v m=".\\\\\" $1" 'index($0, m) == 1 { want = 1; next }
		want && /^\.Bd/ { inside = 1; next }
		want && inside && /^\.Ed/ { exit }
		want && inside { gsub(/\\e/, "\\"); print }' \
	    "$TOP/man/kerio2syslog.1"
}
