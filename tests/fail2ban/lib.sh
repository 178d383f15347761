# Shared helpers for the fail2ban tests; sourced, not run.
#
# The caller sets K2S (the kerio2syslog binary) and HERE (its own directory)
# and calls f2b_init.  Each check ends in ok or not_ok; f2b_finish prints
# "N passed, M failed" and exits non-zero on any failure.

FILTER=$HERE/../../contrib/fail2ban/filter.d/kerio.conf
JAIL=$HERE/../../contrib/fail2ban/jail.d/kerio2syslog.conf
# The zone Kerio's stamps are read in, and the host name kerio2syslog writes.
KERIO_TZ=Europe/Prague
HOSTNAME_OPT=mail
export LC_ALL=C

passed=0
failed=0

ok()
{
	passed=$((passed + 1))
	printf 'ok     %s\n' "$*"
}

not_ok()
{
	failed=$((failed + 1))
	printf 'FAILED %s\n' "$*"
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

f2b_finish()
{
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
	exit
}

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

# wait_until SECONDS COMMAND...: poll COMMAND every 50 ms until it succeeds
# or the deadline passes; the status says which.
wait_until()
{
	local deadline=$(($(date +%s%N) + $1 * 1000000000))
	shift
	until "$@"; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

dead() { ! kill -0 "$1" 2>/dev/null; }

# The fail2ban-server of f2b_server_start: its configuration directory.
F2B_ETC=
F2B_PID=

# f2b_client ARGS...: fail2ban-client of that server.
f2b_client()
{
	fail2ban-client -c "$F2B_ETC" -s "$T/fail2ban.sock" "$@"
}

# f2b_server_start LOGPATH [ZONE]: a real fail2ban-server, in the
# foreground with its own config directory, socket, pid file and database
# under $T, running the shipped jail with the shipped filter on LOGPATH;
# its action records bans in $T/bans instead of touching the firewall.
# Runs in ZONE if given (the zone of the stamps it reads). Waits for the
# jail; F2B_PID is the server's process id. Ends in ok or not_ok (1).
f2b_server_start()
{
	local logpath=$1 zone=${2:-${TZ:-}} etc=$T/etc
	F2B_ETC=$etc
	mkdir -p "$etc/filter.d" "$etc/jail.d" "$etc/action.d"
	cp "$FILTER" "$etc/filter.d/kerio2syslog.conf"
	cp "$JAIL" "$etc/jail.d/kerio2syslog.conf"
	cat >"$etc/fail2ban.conf" <<-EOF
	[Definition]
	loglevel = INFO
	logtarget = $T/fail2ban.log
	socket = $T/fail2ban.sock
	pidfile = $T/fail2ban.pid
	dbfile = $T/fail2ban.sqlite3
	syslogsocket = auto
	EOF
	cat >"$etc/jail.conf" <<-EOF
	[DEFAULT]
	ignoreself = false
	EOF
	cat >"$etc/action.d/record.conf" <<-EOF
	[Definition]
	actionstart =
	actionstop =
	actioncheck =
	actionban = echo <ip> >> $T/bans
	actionunban = echo unban <ip> >> $T/bans
	EOF
	cat >"$etc/jail.d/zz-test.local" <<-EOF
	[kerio2syslog]
	logpath = $logpath
	action = record
	EOF
	: >"$T/bans"
	TZ=$zone fail2ban-server -f -x -c "$etc" -s "$T/fail2ban.sock" \
	    -p "$T/fail2ban.pid" >"$T/server.out" 2>&1 &
	F2B_PID=$!
	if wait_until 30 f2b_client status kerio2syslog >/dev/null 2>&1; then
		ok "fail2ban-server $F2B_PID runs the jail kerio2syslog"
		return 0
	fi
	not_ok "the jail did not come up within 30 s:"
	tail -n 20 "$T/fail2ban.log" "$T/server.out"
	return 1
}

# f2b_stop_all: kerio2syslog (K2S_PID, if set) and the server.
K2S_PID=
f2b_stop_all()
{
	if [ -n "$K2S_PID" ]; then
		kill "$K2S_PID" 2>/dev/null
		wait "$K2S_PID" 2>/dev/null
	fi
	K2S_PID=
	f2b_server_stop
}

# f2b_server_stop: fail2ban-client stop, SIGKILL if it lingers.
f2b_server_stop()
{
	if [ -n "$F2B_PID" ] && kill -0 "$F2B_PID" 2>/dev/null; then
		f2b_client stop >/dev/null 2>&1
		wait_until 15 dead "$F2B_PID" || kill -9 "$F2B_PID"
		wait "$F2B_PID" 2>/dev/null
	fi
	F2B_PID=
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

# regex ZONE LOG OUT [FILTER]: run fail2ban-regex with the shipped filter (or
# FILTER) on LOG in ZONE.  OUT gets the sorted "host seconds" pairs it
# reports, OUT.stats its "Lines:" summary, OUT.err anything it logged at
# ERROR level.
regex()
{
	local zone=$1 log=$2 out=$3 filter=${4:-$FILTER}
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
# name pinned.
convert()
{
	local zone=$1 format=$2 in=$3 out=$4
	shift 4
	TZ=$zone "$K2S" --hostname "$HOSTNAME_OPT" --format "$format" "$@" \
	    "$in" >"$out" 2>"$out.stderr"
}

# run_corpus NAME FILE: the whole matrix for one annotated corpus: native
# lines (LF and CRLF) and kerio2syslog's output in both formats, each read
# by fail2ban-regex with the shipped filter.  Leaves its files in $T/NAME.
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
	regex "$KERIO_TZ" "$d/native.log" "$d/got.native"
	verify "$name native LF" "$d/want.native" "$d/got.native" \
	    "$lines" "$(wc -l <"$d/want.native")"
	regex "$KERIO_TZ" "$d/native-crlf.log" "$d/got.native-crlf"
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
