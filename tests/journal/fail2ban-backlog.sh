#!/bin/bash
# fail2ban from the journal judges findtime by Kerio's time, not by the
# time a record arrives.  A real fail2ban-server runs the shipped jails
# (the README's install, the journal jail beside, a recording action) in
# the mount namespace of a private systemd-journald (lib.sh).  Kerio lines
# go through kerio2syslog (--format rfc3339, for the message and Kerio's
# time) and become journal records shaped as the journal sink will write
# them (sink-records.py), all written at once, as a backlog is replayed
# after downtime:
#   spread   five failures over an hour of Kerio time: nobody is banned,
#            the last one alone is counted;
#   forged   five recent failures with every field of ours, written by a
#            local user (nobody): not counted;
#   burst    five failures within the last minute: banned, each counted
#            once.
# And what the shipped jail is for (fail2ban 1.0.2's behaviour, pinned so
# that a change in fail2ban is noticed):
#   naive    the spread written as new, with Kerio's time offered as
#            SYSLOG_TIMESTAMP and _SOURCE_REALTIME_TIMESTAMP: journald
#            keeps its own receive time, fail2ban dates every record by
#            its arrival, and bans (jail kerio2syslog-journal-naive, the
#            shipped jail without the late mark in the journalmatch);
#   stamped  the same with Kerio's RFC 3339 stamp at the head of MESSAGE
#            and a jail whose date pattern finds it: fail2ban never asks
#            the date pattern of a journal record, and bans;
#   file     the spread converted without the late mark (--late-after 0)
#            to a file that the shipped file jail polls: fail2ban dates a
#            line that is more than 60 s old as now, and bans as well;
# and what the mark does there:
#   marked   the same converted with the mark: the four lines over 60 s
#            old count nothing, nobody is banned.
#
# The spread and the burst are written by the journal sink itself
# (sink-driver) where it is built, else by sink-records.py; either takes
# kerio2syslog's decision, its late mark; naive and stamped are converted
# without it.
#
# usage: fail2ban-backlog.sh path/to/kerio2syslog [path/to/sink-driver]
K2S=$1
DRIVER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init
need fail2ban-server fail2ban-client

BAN_WAIT=60  # seconds a ban may take at most (it takes about one)
INPUT=/opt/kerio/mailserver/store/logs/security.log
jail_maxretry

SPREAD=192.0.2.11
FORGED=192.0.2.12
BURST=192.0.2.13
NAIVE=192.0.2.14
FILE=192.0.2.15
STAMPED=192.0.2.16
MARKED=192.0.2.17

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi

etc=$T/etc
if ! f2b_setup_record "$etc" "$FILTER" "$JAIL"; then
	not_ok "setup (the README's install commands) failed"
	f2b_finish
fi
# The shipped journal jail as it is, beside the file jail; and copies
# without the late mark, each for the records of one instance MODE-PID.
cp "$JAIL_JOURNAL" "$etc/jail.d/" || not_ok "no $JAIL_JOURNAL"
match=$(filter_journalmatch)
# jail NAME [FILTER]: the section for jail NAME, with the recording
# action; with FILTER, a copy of the shipped one for the records of instance
# NAME-PID, without the late mark.
jail()
{
	printf '\n[kerio2syslog-journal%s]\nenabled = true\n' "${1:+-$1}"
	printf 'action = record\nignoreself = false\n'
	[ -n "$2" ] || return 0
	printf 'filter = %s\nbackend = systemd\n' "$2"
	printf 'journalmatch = %s\n' \
	    "${match% KERIO2SYSLOG_LATE=0} KERIO2SYSLOG_INSTANCE=$1-$$"
	printf '%s = %%(kerio2syslog/%s)s\n' maxretry maxretry findtime findtime
}
{
	jail ''
	jail naive "$(sed -n 's/^filter *= *//p' "$JAIL_JOURNAL")"
	jail stamped kerio-stamped
} >>"$etc/jail.d/zz-test.local"
cat >"$etc/filter.d/kerio-stamped.conf" <<'EOT'
[Definition]
failregex = ^\S+ kerio(?:\[\d+\])?:\s+(?:\S+\s+)?Failed SMTP login from <ADDR> with
datepattern = %%Y-%%m-%%dT%%H:%%M:%%S%%z
EOT
case $match in
*KERIO2SYSLOG_LATE=0) ;;
*) not_ok "the shipped journalmatch lacks KERIO2SYSLOG_LATE=0: $match" ;;
esac

# The file jail reaches the end of a file with content and is then in
# operation (an empty file would keep it reading as after a restart).
virus="Found virus in mail from <a@example.com> to <b@example.com>: EICAR"
echo "[$(TZ=$KERIO_TZ date '+%d/%b/%Y %H:%M:%S')] $virus" |
    TZ=$KERIO_TZ "$K2S" --format rfc3339 --hostname mail \
    >"$etc/keriosecurity.log"

t0=$(date +%s)
# fail2ban-server itself (nsenter execs it), in journald's namespace.
if f2b_start "$etc" nsenter -t "$JD_PID" -m --; then
	ok "fail2ban-server $F2B_PID runs the shipped jails on the journal"
else
	not_ok "the jails did not come up within 60 s"
	f2b_finish
fi
in_operation()
{
	[ "$(grep -c "\[kerio2syslog-journal[a-z-]*\] Jail is in operation now" \
	    "$etc/fail2ban.log")" -eq 3 ]
}
wait_until 60 in_operation ||
    not_ok "the journal jails did not reach operation mode within 60 s"

# kerio LINES...: Kerio's own lines for LINES ("SECONDS-AGO MESSAGE"), at
# their times in Kerio's zone, written to $T/kerio.log.
kerio()
{
	local now ago msg
	now=$(date +%s)
	: >"$T/kerio.log"
	for line; do
		ago=${line%% *}
		msg=${line#* }
		printf '%s %s\n' \
		    "$(TZ=$KERIO_TZ date -d "@$((now - ago))" '+[%d/%b/%Y %H:%M:%S]')" \
		    "$msg" >>"$T/kerio.log"
	done
}
fail() { echo "$1 Failed SMTP login from $2 with SASL method PLAIN."; }
# five IP: five failures of IP, over an hour (spread) or a minute.
spread() { kerio "$(fail 3600 "$1")" "$(fail 2700 "$1")" \
	"$(fail 1800 "$1")" "$(fail 900 "$1")" "$(fail 0 "$1")"; }
burst() { kerio "$(fail 40 "$1")" "$(fail 30 "$1")" "$(fail 20 "$1")" \
	"$(fail 10 "$1")" "$(fail 0 "$1")"; }

# send MODE: $T/kerio.log through kerio2syslog, then into the journal as
# kerio2syslog instance MODE-PID.
send()
{
	local late=60
	[ "$1" = sink ] || late=0
	cp "$T/kerio.log" "$T/input.log"
	if ! TZ=$KERIO_TZ "$K2S" --format rfc3339 --hostname mail \
	    --late-after "$late" "$T/input.log" >"$T/converted" \
	    2>"$T/converted.err"; then
		not_ok "kerio2syslog failed: $(cat "$T/converted.err")"
		return
	fi
	if [ "$1" = sink ] && [ -n "$DRIVER" ]; then
		TZ=$KERIO_TZ jd_run "$DRIVER" -i "$1-$$" "$T/converted" ||
		    not_ok "sink-driver failed"
		return
	fi
	jd_run "$JD_PY" "$HERE/sink-records.py" "$1" "$T/input.log" \
	    "$1-$$" <"$T/converted" || not_ok "sink-records.py $1 failed"
}

# The backlog, written at once; the burst last, so that once it is
# banned, fail2ban has read everything before it.
spread "$SPREAD"
send sink
msg() { fail 0 "$1" | cut -d' ' -f2-; }
wait_until 30 jd_has 5 KERIO2SYSLOG_INSTANCE="sink-$$" ||
    not_ok "spread: the records did not come back"
check "spread: late marks (four over 60 s old)" "1 1 1 1 0" \
    "$(jd_field KERIO2SYSLOG_LATE KERIO2SYSLOG_INSTANCE="sink-$$" | xargs)"
check "spread: the mark in MESSAGE of the late ones" 4 \
    "$(jd_field MESSAGE KERIO2SYSLOG_INSTANCE="sink-$$" |
    grep -c "^\[late\] $(msg "$SPREAD")\$")"
burst "$FORGED"
while IFS= read -r line; do
	printf '%s\n' "MESSAGE=${line#*] }" SYSLOG_IDENTIFIER=kerio \
	    KERIO2SYSLOG=1 KERIO2SYSLOG_LATE=0 |
	    jd_run setpriv --reuid=65534 --regid=65534 --clear-groups \
	    logger --journald || not_ok "logger --journald as nobody"
done <"$T/kerio.log"
spread "$NAIVE"
send naive
spread "$STAMPED"
send stamped
spread "$FILE"
TZ=$KERIO_TZ "$K2S" --format rfc3339 --hostname mail --late-after 0 \
    "$T/kerio.log" >>"$etc/keriosecurity.log" ||
    not_ok "kerio2syslog on the file failed"
spread "$MARKED"
TZ=$KERIO_TZ "$K2S" --format rfc3339 --hostname mail "$T/kerio.log" \
    >>"$etc/keriosecurity.log" || not_ok "kerio2syslog on the file failed"
burst "$BURST"
send sink

banned() { grep -qx -- "$1" "$etc/bans"; }
# found JAIL IP: how many failures of IP the jail counted.
found() { grep -c "\[$1\] Found $2 " "$etc/fail2ban.log"; }

if wait_until "$BAN_WAIT" banned "$BURST"; then
	ok "burst: five failures within a minute ban $BURST"
else
	not_ok "burst: $BURST not banned within $BAN_WAIT s"
fi
check "burst: failures counted" 5 "$(found kerio2syslog-journal "$BURST")"
check "spread: failures counted (the one under 60 s old)" 1 \
    "$(found kerio2syslog-journal "$SPREAD")"
banned "$SPREAD" && not_ok "spread: $SPREAD banned" ||
    ok "spread: five failures over an hour ban nobody"
check "forged: failures counted" 0 "$(found kerio2syslog-journal "$FORGED")"
banned "$FORGED" && not_ok "forged: $FORGED banned" ||
    ok "forged: records of a local user ban nobody"
check "forged: the records are there, with nobody's _UID" \
    "65534 65534 65534 65534 65534" \
    "$(jd_field _UID MESSAGE="$(msg "$FORGED")" | xargs)"

# arrival MODE IP: fail2ban dated the first, hour-old failure of IP that
# the jail kerio2syslog-journal-MODE found by its arrival, not by Kerio.
arrival()
{
	local first
	first=$(grep "\[kerio2syslog-journal-$1\] Found $2 " \
	    "$etc/fail2ban.log" | head -1 | sed 's/.* - //')
	if [ -n "$first" ] && [ "$(date -d "$first" +%s)" -ge "$t0" ]; then
		ok "$1: fail2ban dated the hour-old failure $first, by its arrival"
	else
		not_ok "$1: the hour-old failure is dated '$first', before the test"
	fi
}

# fail2ban 1.0.2 as it is: what the late mark and this jail are for.
if wait_until "$BAN_WAIT" banned "$NAIVE"; then
	ok "naive: without the late mark, fail2ban 1.0.2 bans" \
	    "a backlog spread over an hour"
else
	not_ok "naive: $NAIVE not banned: has fail2ban stopped dating" \
	    "journal records by their arrival?"
fi
check "naive: failures counted" 5 \
    "$(found kerio2syslog-journal-naive "$NAIVE")"
arrival naive "$NAIVE"
srt=$(jd_field _SOURCE_REALTIME_TIMESTAMP MESSAGE="$(msg "$NAIVE")" | sort -n |
    head -1)
if [ -n "$srt" ] && [ "${srt%??????}" -ge "$t0" ]; then
	ok "naive: journald replaced the _SOURCE_REALTIME_TIMESTAMP a client sent"
else
	not_ok "naive: _SOURCE_REALTIME_TIMESTAMP is '$srt', a client set it"
fi
# The date pattern works where fail2ban asks it: on the same line in a
# file.
line="mail kerio[1]: 2011-06-17T17:00:45+02:00 $(fail 0 "$STAMPED" |
    cut -d' ' -f2-)"
check "stamped: the date pattern on a file line" "$STAMPED 1308322845" \
    "$(fail2ban-regex -r -o '<ip> <time>' "$line" \
    "$etc/filter.d/kerio-stamped.conf" 2>/dev/null | sed 's/\.0$//')"
if wait_until "$BAN_WAIT" banned "$STAMPED"; then
	ok "stamped: a date pattern on Kerio's stamp in MESSAGE does not help:" \
	    "banned"
else
	not_ok "stamped: $STAMPED not banned: does fail2ban now read the" \
	    "date of a journal record with the date pattern?"
fi
arrival stamped "$STAMPED"
if wait_until "$BAN_WAIT" banned "$FILE"; then
	ok "file: fail2ban 1.0.2 bans a backlog spread over an hour" \
	    "from a file too (dated now, over 60 s old)"
else
	not_ok "file: $FILE not banned: has fail2ban stopped dating" \
	    "late lines as now?"
fi
check "file: failures counted" 5 "$(found kerio2syslog "$FILE")"
# MARKED's last line, the one under 60 s old, is the file's last: once
# the jail found it, it has read the others.
marked_read() { [ "$(found kerio2syslog "$MARKED")" -ge 1 ]; }
wait_until "$BAN_WAIT" marked_read ||
    not_ok "marked: the jail did not read $MARKED's lines"
check "marked: failures counted (the one under 60 s old)" 1 \
    "$(found kerio2syslog "$MARKED")"
banned "$MARKED" && not_ok "marked: $MARKED banned" ||
    ok "marked: five failures over an hour, marked late, ban nobody"
grep -q '\[kerio2syslog\] .*Treating such entries as if they just happened' \
    "$etc/fail2ban.log" &&
    ok "file: fail2ban says it treats late lines as just happened" ||
    not_ok "file: fail2ban did not say why it dated the late lines now"

f2b_stop
f2b_finish
