#!/bin/bash
# Live in the repeated hour of an autumn change, by the real clock: a zone
# (a POSIX TZ rule, UTC+2 in summer, UTC+1 after) whose change back came
# 20 minutes ago, so that the local time now is in the second pass of the
# hour it repeats.  Two real kerio2syslog --follow (--format rfc3339), one
# into a file, one into a private journald (lib.sh), convert entries Kerio
# writes now, after one it wrote before the hour began (so that the C
# library's last answer was summer time, as live) and one it wrote five
# minutes ago:
#   - the fresh entries are not late (one of the instants their local time
#     names is now): no "[late] " in the file, KERIO2SYSLOG_LATE=0; before
#     the rule judged every instant, mktime(3) named the first pass, an
#     hour ago, and they were late;
#   - the older two are late on both routes (for the five-minute-old one,
#     both its instants are);
#   - the stamps carry the offset in force before the change (+02:00), in
#     the file and in KERIO_TIME alike.
# It prints the counts: "fresh entries marked late: FILE JOURNAL of N".
#
# usage: repeated-hour.sh path/to/kerio2syslog
K2S=$(realpath -e "$1") || exit 64
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init

FRESH=5
LOG=$T/security.log
OUT=$T/keriosecurity.log
: >"$LOG"
# The change back, 20 minutes ago, at its local (summer) time: day of the
# year as POSIX's Jn counts it (no 29 February) and time of day.
change=$(($(date +%s) - 1200 + 7200))
day=$(date -u -d "@$change" +%j)
day=$((10#$day))
year=$(date -u -d "@$change" +%Y)
if [ $((year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) -eq 1 ] &&
    [ "$day" -gt 59 ]; then
	day=$((day - 1))
fi
if [ "$day" -lt 2 ] || [ "$day" -gt 365 ]; then
	echo "SKIPPED: the change would fall on the first day of the year" >&2
	exit 77
fi
ZONE="XST-1XDT-2,J1/0,J$day/$(date -u -d "@$change" +%H:%M:%S)"
kerio_now() { TZ=$ZONE date -d "@$(($(date +%s) - $1))" '+[%d/%b/%Y %H:%M:%S]'; }
check "the zone repeats the local time now" "+0100 +0200" \
    "$(TZ=$ZONE date +%z) $(TZ=$ZONE date -d @$(($(date +%s) - 3600)) +%z)"

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi
TZ=$ZONE "$K2S" --follow "$LOG" --from-start --state "$T/file.state" \
    --format rfc3339 --hostname mail --output "$OUT" 2>"$T/file.err" &
FILE_PID=$!
(TZ=$ZONE exec nsenter -t "$JD_PID" -m -- "$K2S" --follow "$LOG" \
    --from-start --state "$T/journal.state" --format rfc3339 \
    --hostname mail --output journal) 2>"$T/journal.err" &
JOURNAL_PID=$!
CLEANUP="kill $FILE_PID $JOURNAL_PID 2>/dev/null;
    wait $FILE_PID $JOURNAL_PID 2>/dev/null; $CLEANUP"

echo "$(kerio_now 5100) Failed SMTP login from 192.0.2.40 with SASL method PRE." >>"$LOG"
echo "$(kerio_now 300) Failed SMTP login from 192.0.2.40 with SASL method OLD." >>"$LOG"
for i in $(seq "$FRESH"); do
	echo "$(kerio_now 0) Failed SMTP login from 192.0.2.41 with SASL method TRY-$i." >>"$LOG"
done
all=$((FRESH + 2))
lines() { [ "$(grep -c . "$OUT" 2>/dev/null)" -eq "$all" ]; }
records() { jd_has "$all" KERIO2SYSLOG=1; }
wait_until 30 lines || not_ok "file: not every entry written within 30 s"
wait_until 30 records || not_ok "journal: not every record written within 30 s"

file_late=$(grep -c 'kerio: \[late\] .* TRY-' "$OUT")
journal_late=$(jd_field KERIO2SYSLOG_LATE KERIO2SYSLOG=1 | tail -n "$FRESH" |
    grep -c 1)
echo "fresh entries marked late: $file_late (file) $journal_late (journal)" \
    "of $FRESH"
check "file: fresh entries in the repeated hour marked late" 0 "$file_late"
check "journal: fresh entries in the repeated hour marked late" 0 \
    "$journal_late"
check "file: the older two marked late" 2 \
    "$(grep -c 'kerio: \[late\] .* \(PRE\|OLD\)\.$' "$OUT")"
check "journal: the older two late" "1 1" \
    "$(jd_field KERIO2SYSLOG_LATE KERIO2SYSLOG=1 | head -2 | xargs)"
check "file: every stamp with the offset before the change" "$all" \
    "$(grep -c '^[0-9-]*T[0-9:]*+02:00 ' "$OUT")"
check "journal: every KERIO_TIME with the offset before the change" "$all" \
    "$(jd_field KERIO_TIME KERIO2SYSLOG=1 | grep -c '+02:00$')"
kill "$FILE_PID" "$JOURNAL_PID" 2>/dev/null
wait "$FILE_PID" "$JOURNAL_PID" 2>/dev/null
f2b_finish
