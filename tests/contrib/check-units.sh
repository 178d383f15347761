#!/bin/sh
# Checks what contrib/ installs beside the binary: the systemd unit (and the
# path unit that starts it) must pass
# "systemd-analyze verify" without a word and keep its offline security
# exposure at or below MAX_EXPOSURE, alone and with the drop-in example for a
# Kerio store elsewhere, whose sandbox paths must follow its --follow file; the
# logrotate file must parse, rotate by renaming with the promised owner and
# mode, and reload the service only when it is active, never failing the
# rotation when systemd is absent.
#
# usage: check-units.sh BINARY
#
# BINARY replaces the program's path in a copy of the unit (the unit's source
# has a placeholder the build fills in), because verify insists that
# ExecStart= names an existing executable.  The log path in the
# logrotate file is moved into a temporary directory, and systemctl is a stub,
# so nothing on the machine is touched.

set -u

MAX_EXPOSURE=2.0
UNIT_BIN=@CMAKE_INSTALL_FULL_BINDIR@/kerio2syslog
DROPIN_BIN=/usr/bin/kerio2syslog
KERIO_LOGS=/opt/kerio/mailserver/store/logs
LOG=/var/log/keriosecurity.log

if [ $# -ne 1 ]; then
	echo "usage: $0 BINARY" >&2
	exit 64
fi
bin=$1

here=$(cd "$(dirname "$0")" && pwd) || exit 1
top=$(cd "$here/../.." && pwd) || exit 1
unit_src=$top/contrib/systemd/kerio2syslog.service.in
dropin_src=$top/contrib/systemd/kerio-store.conf.example
path_src=$top/contrib/systemd/kerio2syslog.path
lr_src=$top/contrib/logrotate.d/kerio2syslog

pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "ok: $*"
}
ko() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}
note() {
	echo "note: $*"
}
indent() {
	sed 's/^/    /'
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Replaces every occurrence of $2 in file $1 by $3, writing to $4; the strings
# go through the environment so that no character in them is special.
subst() {
	FROM=$2 TO=$3 awk '{
		out = ""
		while ((i = index($0, ENVIRON["FROM"])) > 0) {
			out = out substr($0, 1, i - 1) ENVIRON["TO"]
			$0 = substr($0, i + length(ENVIRON["FROM"]))
		}
		print out $0
	}' "$1" >"$4"
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# --- systemd unit -----------------------------------------------------------

unit_dir=$tmp/unit
dropin_unit_dir=$tmp/unit-dropin
unit=$unit_dir/kerio2syslog.service
mkdir "$unit_dir"

case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
unit_ready=0
if [ ! -f "$unit_src" ]; then
	ko "unit: $unit_src is missing"
elif ! grep -q "^ExecStart=$UNIT_BIN " "$unit_src"; then
	ko "unit: ExecStart= does not start with $UNIT_BIN"
elif ! [ -f "$bin" ] || ! [ -x "$bin" ]; then
	ko "unit: $bin is not an executable file"
elif printf '%s' "$bin" | grep -q '[[:space:]"\\%$;]'; then
	ko "unit: cannot quote binary path for systemd: $bin"
else
	subst "$unit_src" "ExecStart=$UNIT_BIN " "ExecStart=$bin " "$unit"
	unit_ready=1
fi

# The values of key $2 in unit file $1, one a line ("" for a reset).
values() {
	sed -n "s/^$2=//p" "$1"
}
# The directory of the --follow FILE in an ExecStart= line.
follow_dir() {
	sed -n 's/.* --follow \([^ ]*\)\/security\.log .*/\1/p'
}

if [ $unit_ready -eq 1 ]; then
	exec_line=$(values "$unit_src" ExecStart)
	case " $exec_line " in
	*" --format rfc3339 "*)
		ok "unit: writes RFC 3339 stamps (--format rfc3339)" ;;
	*)	ko "unit: ExecStart= lacks --format rfc3339: $exec_line" ;;
	esac
	dir=$(printf '%s\n' "$exec_line" | follow_dir)
	if [ "$dir" = "$KERIO_LOGS" ] &&
	    [ "$(values "$unit_src" ConditionPathIsDirectory)" = "$dir" ] &&
	    values "$unit_src" BindReadOnlyPaths | grep -qx "$dir"; then
		ok "unit: starts only when $dir exists, and mounts it"
	else
		ko "unit: --follow directory '$dir', the condition and the" \
		    "read-only mount disagree"
	fi
	if [ "$(values "$path_src" PathExists)" = "$KERIO_LOGS" ] &&
	    [ "$(values "$path_src" Unit)" = kerio2syslog.service ]; then
		ok "path unit: starts the service when $KERIO_LOGS appears"
	else
		ko "path unit: PathExists= is not $KERIO_LOGS, or Unit= not" \
		    "kerio2syslog.service"
	fi
	cp "$path_src" "$unit_dir/"
fi

# The drop-in example: resets what it moves, and moves all of it, so that
# the sandbox shows the new directory; its command is the unit's with only
# the directory changed, so the two cannot drift apart.
if [ $unit_ready -eq 1 ] && [ -f "$dropin_src" ]; then
	d_exec=$(values "$dropin_src" ExecStart | grep .)
	d_dir=$(printf '%s\n' "$d_exec" | follow_dir)
	want=$(printf '%s\n' "$exec_line" |
	    sed "s|^$UNIT_BIN |$DROPIN_BIN |; s|$KERIO_LOGS/|$d_dir/|")
	resets=0
	for k in ExecStart ConditionPathIsDirectory BindReadOnlyPaths; do
		values "$dropin_src" "$k" | head -n 1 | grep -qx '' &&
		    resets=$((resets + 1))
	done
	top_dir=/${d_dir#/}
	top_dir=/$(printf '%s' "${top_dir#/}" | cut -d/ -f1)
	if [ -z "$d_dir" ] || [ "$d_dir" = "$KERIO_LOGS" ]; then
		ko "drop-in: no other --follow directory: $d_exec"
	elif [ "$d_exec" != "$want" ]; then
		ko "drop-in: ExecStart= is not the unit's with the directory" \
		    "moved:"
		printf 'have %s\nwant %s\n' "$d_exec" "$want" | indent
	elif [ $resets -ne 3 ]; then
		ko "drop-in: ExecStart=, ConditionPathIsDirectory= and" \
		    "BindReadOnlyPaths= must each be reset first"
	elif [ "$(values "$dropin_src" ConditionPathIsDirectory | grep .)" != \
	    "$d_dir" ] ||
	    ! values "$dropin_src" BindReadOnlyPaths | grep -qx "$d_dir" ||
	    ! values "$dropin_src" RequiresMountsFor | grep -qx "$d_dir" ||
	    ! values "$dropin_src" TemporaryFileSystem |
	    grep -qx "$top_dir:ro" ||
	    grep -q "$KERIO_LOGS" "$dropin_src"; then
		ko "drop-in: the condition, mounts and hidden $top_dir do not" \
		    "all follow $d_dir"
	elif [ "$(values "$dropin_src" BindPaths)" != \
	    "$(values "$unit_src" BindPaths)" ]; then
		# Resetting BindReadOnlyPaths= empties BindPaths= too.
		ko "drop-in: BindPaths= must repeat the unit's after the" \
		    "reset (one list in systemd)"
	else
		ok "drop-in: command, condition and sandbox follow $d_dir"
	fi
	mkdir -p "$dropin_unit_dir/kerio2syslog.service.d"
	cp "$unit" "$dropin_unit_dir/"
	subst "$dropin_src" "ExecStart=$DROPIN_BIN " "ExecStart=$bin " \
	    "$dropin_unit_dir/kerio2syslog.service.d/store.conf"
elif [ $unit_ready -eq 1 ]; then
	ko "drop-in: $dropin_src is missing"
fi

# Runs verify (silent) and security (exposure at most MAX_EXPOSURE) on the
# unit in directory $1, with the drop-ins there; $2 names the case.
analyze_unit() {
	out=$(SYSTEMD_UNIT_PATH=$1: MANPATH=$tmp/man SYSTEMD_LOG_COLOR=0 \
	    systemd-analyze verify "$man_opt" "$1/kerio2syslog.service" \
	    $(ls "$1/kerio2syslog.path" 2>/dev/null) 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ -z "$out" ]; then
		ok "verify: systemd-analyze verify is silent$2"
	else
		ko "verify: exit $rc$2, output:"
		printf '%s\n' "$out" | indent
	fi

	out=$(SYSTEMD_UNIT_PATH=$1: SYSTEMD_COLORS=0 systemd-analyze security \
	    --offline=true --no-pager "$1/kerio2syslog.service" 2>&1)
	rc=$?
	score=$(printf '%s\n' "$out" |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -z "$score" ]; then
		ko "security: no exposure level (exit $rc$2), output:"
		printf '%s\n' "$out" | indent
	elif awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'
	then
		ok "security: exposure $score (at most $MAX_EXPOSURE)$2"
		printf '%s\n' "$out" | grep '✗' | indent
	else
		ko "security: exposure $score is above $MAX_EXPOSURE$2:"
		printf '%s\n' "$out" | grep '✗' | indent
	fi
}

if [ $unit_ready -eq 0 ]; then
	:
elif ! have systemd-analyze; then
	ko "verify: systemd-analyze not found (install systemd)"
	ko "security: systemd-analyze not found (install systemd)"
else
	# verify runs man(1) for Documentation=; point it at the page in the
	# source tree so the reference is checked before it is installed.
	man_opt=--man=no
	if [ -f "$top/man/kerio2syslog.1" ] && have man; then
		mkdir -p "$tmp/man/man1"
		cp "$top/man/kerio2syslog.1" "$tmp/man/man1/"
		man_opt=--man=yes
	else
		note "verify: man page or man(1) missing, Documentation= not checked"
	fi
	analyze_unit "$unit_dir" ""
	if [ -f "$dropin_unit_dir/kerio2syslog.service.d/store.conf" ]; then
		analyze_unit "$dropin_unit_dir" " with the drop-in"
	fi
fi

# --- logrotate --------------------------------------------------------------

logdir=$tmp/log
log=$logdir/keriosecurity.log
conf=$tmp/logrotate.conf
mkdir "$logdir"
chmod 0755 "$logdir"

# systemctl stub: records its arguments; "is-active" answers $STUB_ACTIVE.
mkdir "$tmp/bin"
cat >"$tmp/bin/systemctl" <<'EOF'
#!/bin/sh
echo "$*" >>"$STUB_CALLS"
case " $* " in
*" is-active "*) exit "$STUB_ACTIVE" ;;
*" reload "*) exit "$STUB_RELOAD" ;;
esac
exit 0
EOF
chmod 0755 "$tmp/bin/systemctl"

lr_ready=0
if [ ! -f "$lr_src" ]; then
	ko "logrotate: $lr_src is missing"
elif ! grep -q "^$LOG " "$lr_src"; then
	ko "logrotate: no stanza for $LOG"
elif grep -q '^[[:space:]]*copytruncate' "$lr_src"; then
	ko "logrotate: copytruncate would lose lines; rename and reload instead"
elif ! have logrotate; then
	ko "logrotate: logrotate not found (install logrotate)"
else
	subst "$lr_src" "$LOG" "$log" "$conf"
	chmod 0644 "$conf"
	lr_ready=1
fi

# Runs logrotate with the stub first on PATH; $1 is what is-active answers,
# $2 what reload answers, the rest are logrotate options.
run_lr() {
	active=$1
	reload=$2
	shift 2
	: >"$tmp/calls"
	PATH=$tmp/bin:$PATH STUB_CALLS=$tmp/calls STUB_ACTIVE=$active \
	    STUB_RELOAD=$reload logrotate -s "$tmp/lr.state" "$@" "$conf" \
	    >"$tmp/lr.out" 2>&1
}

if [ $lr_ready -eq 1 ]; then
	echo 'one line' >"$log"
	if run_lr 3 0 -d -f && ! grep -q '^error' "$tmp/lr.out" &&
	    grep -q "rotating pattern: $log" "$tmp/lr.out"; then
		ok "logrotate: -d parses the file"
	else
		ko "logrotate: -d failed:"
		indent <"$tmp/lr.out"
	fi
fi

# A real rotation needs root for "create ... root adm".
if [ $lr_ready -eq 0 ]; then
	:
elif [ "$(id -u)" -ne 0 ]; then
	note "logrotate: real rotation skipped, it needs root"
else
	# Service inactive (or no systemd): rotate, do not reload, succeed.
	echo 'first' >"$log"
	if ! run_lr 3 0 -f; then
		ko "logrotate: rotation failed with the service inactive:"
		indent <"$tmp/lr.out"
	elif ! grep -qx first "$log.1" 2>/dev/null; then
		ko "logrotate: $log.1 does not hold the old lines"
	elif [ -s "$log" ] ||
	    [ "$(stat -c '%a %U %G' "$log" 2>/dev/null)" != '640 root adm' ]
	then
		ko "logrotate: new log is not an empty 0640 root:adm file:" \
		    "$(stat -c '%a %U %G %s' "$log" 2>&1)"
	elif grep -q reload "$tmp/calls"; then
		ko "logrotate: reloaded an inactive service"
	elif ! grep -q 'is-active kerio2syslog.service' "$tmp/calls"; then
		ko "logrotate: postrotate did not ask whether the service is active"
	else
		ok "logrotate: rotates by rename, no reload when inactive"
	fi

	# Service active: reload it; a failed reload still rotates cleanly.
	echo 'second' >"$log"
	if ! run_lr 0 1 -f; then
		ko "logrotate: rotation failed with the service active:"
		indent <"$tmp/lr.out"
	elif ! grep -qx 'reload kerio2syslog.service' "$tmp/calls"; then
		ko "logrotate: service not reloaded:" "$(cat "$tmp/calls")"
	elif ! grep -qx second "$log.1" 2>/dev/null ||
	    ! [ -f "$log.2.gz" ] || ! [ -f "$log" ]; then
		ko "logrotate: expected $log, $log.1 and $log.2.gz:" \
		    "$(ls "$logdir")"
	else
		ok "logrotate: reloads when active, delays compression"
	fi
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
