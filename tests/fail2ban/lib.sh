# Shared helpers for the fail2ban tests; sourced, not run.
#
# The caller sets K2S (the kerio2syslog binary) and HERE (its own directory)
# and calls f2b_init.  Each check ends in ok or not_ok (tests/lib.sh, with
# wait_until, need and need_root); f2b_finish prints "N passed, M failed"
# and exits non-zero on any failure.

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

FILTER=$HERE/../../contrib/fail2ban/filter.d/kerio.conf
JAIL=$HERE/../../contrib/fail2ban/jail.d/kerio2syslog.conf
JAIL_JOURNAL=$HERE/../../contrib/fail2ban/jail.d/kerio2syslog-journal.conf
# The filter as it reads Kerio's own security.log: its default (regex below
# has it read kerio2syslog's output, as the shipped jail does).
FILTER_KERIO=$FILTER
# The zone Kerio's stamps are read in, and the host name kerio2syslog writes.
KERIO_TZ=Europe/Prague
HOSTNAME_OPT=mail
export LC_ALL=C

# filter_journalmatch: the shipped filter's journalmatch, for its default tag.
filter_journalmatch()
{
	local tag
	tag=$(sed -n 's/^tag *= *//p' "$FILTER")
	sed -n "s/^journalmatch *= *//; T; s/<tag>/$tag/g; p" "$FILTER"
}

# check NAME EXPECTED ACTUAL
check()
{
	if [ "$2" = "$3" ]; then
		ok "$1 ($3)"
	else
		not_ok "$1: expected $2, got $3"
	fi
}

# f2b_finish: the tally, and the test ends: status 1 if any check failed.
f2b_finish()
{
	tally
	exit
}

# jail_maxretry: the shipped jail's maxretry, or the test ends failed.
jail_maxretry()
{
	maxretry=$(sed -n 's/^maxretry *= *\([0-9]*\).*/\1/p' "$JAIL")
	[ -n "$maxretry" ] || { not_ok "no maxretry in the shipped jail"; f2b_finish; }
}

# f2b_init [TOOL...]: the test's start: K2S checked, the tools every
# fail2ban test uses and each TOOL there (or exit 69, see need), $T made,
# and the cleanup set for the exit.
f2b_init()
{
	if [ -z "$K2S" ] || [ ! -x "$K2S" ]; then
		echo "usage: $0 path/to/kerio2syslog" >&2
		exit 64
	fi
	for tool in fail2ban-regex date sort comm; do
		if ! command -v "$tool" >/dev/null; then
			echo "$tool is missing (Debian package fail2ban / coreutils)" >&2
			exit 69
		fi
	done
	need "$@"
	T=$(mktemp -d -t k2s-f2b.XXXXXX) || exit 73
	trap 'f2b_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# Callers may add to CLEANUP (commands run at exit, before $T goes).
CLEANUP=
f2b_cleanup()
{
	local rc=$?
	eval "$CLEANUP"
	rm -rf "$T"
	return $rc
}

declare -A MONTH=([Jan]=01 [Feb]=02 [Mar]=03 [Apr]=04 [May]=05 [Jun]=06
	[Jul]=07 [Aug]=08 [Sep]=09 [Oct]=10 [Nov]=11 [Dec]=12)

# parse_corpus FILE DIR: write DIR/raw.log (the entries' lines, decoded with
# printf %b), DIR/native.log (the same without the entries whose native is
# "skip") and DIR/entries (one line per entry: time host native
# continuation-count, "-" for no host).  A malformed corpus is an error.
parse_corpus()
{
	local file=$1 dir=$2 line no=0 in_entry=0 want_stamp=0
	local time host native match cont=0 iso
	: >"$dir/raw.log"
	: >"$dir/native.log"
	: >"$dir/entries"
	flush_entry()
	{
		[ "$in_entry" -eq 1 ] || return 0
		if [ "$want_stamp" -eq 1 ]; then
			echo "$file:$no: entry without lines" >&2
			return 1
		fi
		printf '%s %s %s %s\n' "$time" "$host" "$native" "$cont" \
		    >>"$dir/entries"
	}
	while IFS= read -r line || [ -n "$line" ]; do
		no=$((no + 1))
		case $line in
		'# failJSON:'*)
			flush_entry || return 1
			time=$(sed -n 's/.*"time": *"\([^"]*\)".*/\1/p' <<<"$line")
			match=$(sed -n 's/.*"match": *\([a-z]*\).*/\1/p' <<<"$line")
			host=$(sed -n 's/.*"host": *"\([^"]*\)".*/\1/p' <<<"$line")
			native=$(sed -n 's/.*"native": *"\([^"]*\)".*/\1/p' <<<"$line")
			case $match in
			true) [ -n "$host" ] || { echo "$file:$no: no host" >&2; return 1; } ;;
			false) host=- ;;
			*) echo "$file:$no: bad match" >&2; return 1 ;;
			esac
			[ -n "$native" ] || native=$host
			[ "$native" = none ] && native=-
			if [ -z "$time" ]; then
				echo "$file:$no: no time" >&2
				return 1
			fi
			in_entry=1 want_stamp=1 cont=0
			;;
		'#'* | '')
			flush_entry || return 1
			in_entry=0
			;;
		*)
			if [ "$in_entry" -ne 1 ]; then
				echo "$file:$no: line outside an entry" >&2
				return 1
			fi
			if [ "$want_stamp" -eq 1 ]; then
				# The annotation's time must be the line's own stamp.
				if [[ $line =~ ^\[([0-9]{2})/([A-Z][a-z]{2})/([0-9]{4})\ ([0-9:]{8})\] ]]; then
					iso=${BASH_REMATCH[3]}-${MONTH[${BASH_REMATCH[2]}]}-${BASH_REMATCH[1]}T${BASH_REMATCH[4]}
				else
					iso=
				fi
				if [ "$iso" != "$time" ]; then
					echo "$file:$no: stamp is not \"$time\"" >&2
					return 1
				fi
				want_stamp=0
			else
				cont=$((cont + 1))
			fi
			printf '%b\n' "$line" >>"$dir/raw.log"
			[ "$native" = skip ] ||
			    printf '%b\n' "$line" >>"$dir/native.log"
			;;
		esac
	done <"$file"
	flush_entry
}

# epoch ZONE ISO: the local time ISO in ZONE as seconds since the epoch.
epoch()
{
	TZ=$1 date -d "$2" +%s
}

# bsd_epoch ZONE ISO: what fail2ban makes of ISO written without its year:
# this year, or last year when that is more than a day ahead.
bsd_epoch()
{
	local year e
	year=$(TZ=$1 date +%Y)
	e=$(epoch "$1" "$year-${2#*-}")
	if [ "$e" -gt $(($(date +%s) + 86400)) ]; then
		e=$(epoch "$1" "$((year - 1))-${2#*-}")
	fi
	echo "$e"
}

# expect DIR KIND ZONE: the sorted "host seconds" pairs the filter must
# report for DIR/entries; KIND is native (the native column, Kerio's stamp
# read in ZONE), bsd (host column, year-less stamp in ZONE) or rfc3339
# (host column, stamp written in ZONE with its offset).
expect()
{
	local dir=$1 kind=$2 zone=$3 time host native cont h
	while read -r time host native cont; do
		case $kind in
		native) h=${native/#skip/-} ;;
		*) h=$host ;;
		esac
		[ "$h" != - ] || continue
		case $kind in
		bsd) printf '%s %s\n' "$h" "$(bsd_epoch "$zone" "$time")" ;;
		*) printf '%s %s\n' "$h" "$(epoch "$zone" "$time")" ;;
		esac
	done <"$dir/entries" | sort
}

# regex ZONE LOG OUT [FILTER]: run fail2ban-regex with the shipped filter
# reading kerio2syslog's output (logtype=syslog), or with FILTER, on LOG in
# ZONE.  OUT gets the sorted "host seconds" pairs it reports, OUT.stats its
# "Lines:" summary, OUT.err anything it logged at ERROR level.
regex()
{
	local zone=$1 log=$2 out=$3 filter=${4:-$FILTER[logtype=syslog]}
	TZ=$zone fail2ban-regex -r -o '<ip> <time>' "$log" "$filter" \
	    2>"$out.stderr" | sed 's/\.0$//' | sort >"$out"
	TZ=$zone fail2ban-regex -r "$log" "$filter" 2>>"$out.stderr" |
	    sed -n 's/^Lines: //p' >"$out.stats"
	grep -E 'ERROR|Traceback' "$out.stderr" >"$out.err"
}

# verify NAME EXPECTED-PAIRS OUT LINES MATCHED: the pairs fail2ban-regex
# reported are exactly the expected ones, and its summary has the counts.
verify()
{
	local name=$1 want=$2 out=$3 lines=$4 matched=$5
	if [ -s "$out.err" ]; then
		not_ok "$name: fail2ban-regex logged errors: $(head -3 "$out.err")"
	fi
	if diff -u "$want" "$out" >"$out.diff"; then
		ok "$name: $(wc -l <"$out") hosts found, each at its time"
	else
		not_ok "$name: hosts or times differ (- expected, + found):"
		sed -n '3,$p' "$out.diff" | grep '^[-+]'
	fi
	check "$name: summary" \
	    "$lines lines, 0 ignored, $matched matched, $((lines - matched)) missed" \
	    "$(cat "$out.stats")"
}

# convert ZONE FORMAT IN OUT [OPTIONS...]: kerio2syslog with zone and host
# name pinned, the late mark off (--late-after 0): the corpora are old
# logs, read as the README's dry run reads one.
convert()
{
	local zone=$1 format=$2 in=$3 out=$4
	shift 4
	TZ=$zone "$K2S" --hostname "$HOSTNAME_OPT" --format "$format" \
	    --late-after 0 "$@" "$in" >"$out" 2>"$out.stderr"
}

# run_corpus NAME FILE: the whole matrix for one annotated corpus: native
# lines (LF and CRLF, the filter's default) and kerio2syslog's output in
# both formats, each read by fail2ban-regex with the shipped filter.
# Leaves its files in $T/NAME.
run_corpus()
{
	local name=$1 file=$2 d=$T/$1 entries lines
	mkdir -p "$d"
	if ! parse_corpus "$file" "$d"; then
		not_ok "$name: corpus $file is malformed"
		return
	fi
	sed 's/$/\r/' "$d/raw.log" >"$d/raw-crlf.log"
	sed 's/$/\r/' "$d/native.log" >"$d/native-crlf.log"
	entries=$(wc -l <"$d/entries")
	lines=$(wc -l <"$d/native.log")

	expect "$d" native "$KERIO_TZ" >"$d/want.native"
	expect "$d" bsd "$KERIO_TZ" >"$d/want.bsd"
	expect "$d" rfc3339 "$KERIO_TZ" >"$d/want.rfc"
	expect "$d" rfc3339 UTC >"$d/want.rfc-utc"
	if [ -n "$(cut -d' ' -f2 "$d/want.bsd" | sort | uniq -d)" ]; then
		not_ok "$name: two entries share a stamp; the corpus must not"
	fi

	# Kerio's own lines: a host only where a stamped line is complete.
	regex "$KERIO_TZ" "$d/native.log" "$d/got.native" "$FILTER_KERIO"
	verify "$name native LF" "$d/want.native" "$d/got.native" \
	    "$lines" "$(wc -l <"$d/want.native")"
	regex "$KERIO_TZ" "$d/native-crlf.log" "$d/got.native-crlf" \
	    "$FILTER_KERIO"
	verify "$name native CRLF" "$d/want.native" "$d/got.native-crlf" \
	    "$lines" "$(wc -l <"$d/want.native")"

	# Through kerio2syslog: one line per entry, every host at its time.
	local v zone fmt in f2bzone want
	for v in bsd:$KERIO_TZ:raw:$KERIO_TZ:bsd \
	    bsd:$KERIO_TZ:raw-crlf:$KERIO_TZ:bsd \
	    rfc3339:$KERIO_TZ:raw:America/New_York:rfc \
	    rfc3339:UTC:raw:$KERIO_TZ:rfc-utc \
	    rfc3339:$KERIO_TZ:raw-crlf:UTC:rfc; do
		IFS=: read -r fmt zone in f2bzone want <<<"$v"
		local tag="$name $fmt (written in $zone, read in $f2bzone) from $in"
		local out=$d/$fmt-${zone//\//_}-$in
		if ! convert "$zone" "$fmt" "$d/$in.log" "$out.log"; then
			not_ok "$tag: kerio2syslog failed"
			continue
		fi
		check "$tag: kerio2syslog lines" "$entries" "$(wc -l <"$out.log")"
		regex "$f2bzone" "$out.log" "$out.got"
		verify "$tag" "$d/want.$want" "$out.got" \
		    "$entries" "$(wc -l <"$d/want.$want")"
	done
}

DISTRO=/etc/fail2ban
README=$HERE/../../README.md

# readme_install_commands: the install commands of the README's fail2ban
# section, as written there.
readme_install_commands()
{
	awk '/^## Using it with fail2ban/ { in_f2b = 1; next }
		/^## / { in_f2b = 0 }
		in_f2b && /^install / { print }' "$README"
}

# f2b_stock DIR: a copy of the distribution's configuration in DIR as the
# fail2ban package ships it, whatever this machine added to it: without
# kerio2syslog's files (the package may be installed here) and without
# the administrator's *.local files.
f2b_stock()
{
	cp -a "$DISTRO" "$1" || return 1
	find "$1" \( -name 'kerio2syslog*' -o -name '*.local' \) -delete
}

# f2b_setup DIR FILTER JAIL: f2b_stock in DIR (without its jail.d: Debian
# enables sshd there), into which the
# README's install commands put FILTER and JAIL as the shipped files; then
# fail2ban's log, socket, pid file and database in DIR (fail2ban.local),
# and DIR/jail.d/zz-test.local pointing the jail at DIR/keriosecurity.log
# (the caller may add to it).
f2b_setup()
{
	local etc=$1 src=$1/src/contrib/fail2ban
	f2b_stock "$etc" || return 1
	rm -f "$etc"/jail.d/*
	mkdir -p "$src/filter.d" "$src/jail.d"
	cp "$2" "$src/filter.d/kerio.conf"
	cp "$3" "$src/jail.d/kerio2syslog.conf"
	readme_install_commands | sed "s|$DISTRO/|$etc/|g" |
	    (cd "$etc/src" && sh -e) || return 1
	cat >"$etc/fail2ban.local" <<EOT
[Definition]
loglevel = INFO
logtarget = $etc/fail2ban.log
socket = $etc/fail2ban.sock
pidfile = $etc/fail2ban.pid
dbfile = $etc/fail2ban.sqlite3
EOT
	printf '[kerio2syslog]\nlogpath = %s\n' "$etc/keriosecurity.log" \
	    >"$etc/jail.d/zz-test.local"
	: >"$etc/keriosecurity.log"
}

# f2b_setup_record DIR FILTER JAIL: f2b_setup, with an action that records
# bans in DIR/bans instead of touching the firewall, and no lookup of the
# server's own names (ignoreself = false: with it, fail2ban looks up its
# host name and localhost at the first failure it finds).
f2b_setup_record()
{
	local etc=$1
	f2b_setup "$@" || return 1
	cat >"$etc/action.d/record.conf" <<EOT
[Definition]
actionstart =
actionstop =
actioncheck =
actionban = echo <ip> >> $etc/bans
actionunban =
EOT
	printf 'action = record\nignoreself = false\n' \
	    >>"$etc/jail.d/zz-test.local"
	: >"$etc/bans"
}

# f2b_start DIR [WRAPPER...]: fail2ban-server in the foreground on DIR's
# configuration (see f2b_setup), started through WRAPPER (e.g. unshare -n),
# in the background as F2B_PID; waits until the jail kerio2syslog answers.
# f2b_stop stops it (f2b_init's cleanup does too, through CLEANUP).
F2B_PID=
F2B_ETC=
f2b_client()
{
	fail2ban-client -c "$F2B_ETC" -s "$F2B_ETC/fail2ban.sock" "$@"
}
f2b_dead() { ! kill -0 "$1" 2>/dev/null; }
f2b_start()
{
	F2B_ETC=$1
	shift
	"$@" fail2ban-server -f -x -c "$F2B_ETC" -s "$F2B_ETC/fail2ban.sock" \
	    -p "$F2B_ETC/fail2ban.pid" >"$F2B_ETC/server.out" 2>&1 &
	F2B_PID=$!
	# (The server's own status, not the jail's: asked before the jail
	# exists, the jail's status makes the server log an ERROR.)
	jail_up()
	{
		f2b_client status 2>/dev/null |
		    grep -q 'Jail list:.*\bkerio2syslog\b'
	}
	if ! wait_until 60 jail_up; then
		tail -20 "$F2B_ETC/fail2ban.log" "$F2B_ETC/server.out"
		f2b_stop
		return 1
	fi
}
f2b_stop()
{
	if [ -n "$F2B_PID" ] && kill -0 "$F2B_PID" 2>/dev/null; then
		f2b_client stop >/dev/null 2>&1
		wait_until 15 f2b_dead "$F2B_PID" || kill -9 "$F2B_PID"
		wait "$F2B_PID" 2>/dev/null
	fi
	F2B_PID=
}

# Seconds a ban may take at most (it takes about two).
BAN_WAIT=30

# f2b_prepare SETUP: etc, $T/etc, set up by SETUP (f2b_setup, or
# f2b_setup_record for bans recorded in $etc/bans) with the shipped filter
# and jail, or the test ends failed.
f2b_prepare()
{
	etc=$T/etc
	"$1" "$etc" "$FILTER" "$JAIL" && return 0
	not_ok "setup (the README's install commands) failed"
	f2b_finish
}

# f2b_up [WRAPPER...]: fail2ban-server on $etc (see f2b_prepare) started
# through WRAPPER, and f2b_stop_all the cleanup; ok when the jail answers,
# or the test ends failed.
f2b_up()
{
	CLEANUP=f2b_stop_all
	if f2b_start "$etc" "$@"; then
		ok "fail2ban-server $F2B_PID runs the jail kerio2syslog${1:+ (under $*)}"
	else
		not_ok "the jail did not come up within 60 s"
		f2b_finish
	fi
}

# K2S_PID: a kerio2syslog the test runs in the background, if any.
# f2b_stop_all ends it (SIGTERM, and reaped), then the server.
K2S_PID=
f2b_stop_all()
{
	if [ -n "$K2S_PID" ]; then
		kill "$K2S_PID" 2>/dev/null
		wait "$K2S_PID" 2>/dev/null
	fi
	K2S_PID=
	f2b_stop
}

# kerio_stamp: now as Kerio stamps its lines (in KERIO_TZ).
kerio_stamp()
{
	TZ=$KERIO_TZ date '+[%d/%b/%Y %H:%M:%S]'
}

# f2b_banned ADDRESS: the recording action (f2b_setup_record) banned it.
# f2b_found ADDRESS: fail2ban's log says the jail found a failure of it.
f2b_banned()
{
	grep -qx -- "$1" "$F2B_ETC/bans"
}
f2b_found()
{
	grep -q "\[kerio2syslog\] Found $1 " "$F2B_ETC/fail2ban.log"
}

# f2b_feed NAME KERIO_LOG: KERIO_LOG converted (rfc3339, in KERIO_TZ) and
# appended to the file the jail reads; not_ok (NAME: ...) if that fails.
f2b_feed()
{
	TZ=$KERIO_TZ "$K2S" --hostname "$HOSTNAME_OPT" --format rfc3339 \
	    "$2" >>"$F2B_ETC/keriosecurity.log" 2>"$2.err" ||
	    not_ok "${1:+$1: }kerio2syslog failed: $(cat "$2.err")"
}

# f2b_no_errors: ok when fail2ban's log has no ERROR, else not_ok and the
# first five.
f2b_no_errors()
{
	if grep -q ERROR "$F2B_ETC/fail2ban.log"; then
		not_ok "fail2ban logged errors:"
		grep ERROR "$F2B_ETC/fail2ban.log" | head -5
	else
		ok "no errors in fail2ban's log"
	fi
}
