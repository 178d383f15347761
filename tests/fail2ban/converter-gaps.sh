#!/bin/bash
# Two ways in which kerio2syslog itself writes a line whose end, or whole
# message, the client chose, so that the shipped filter (rightly reading the
# line as Kerio's) bans a foreign address:
#   1. an entry longer than --max-entry is cut, and the cut line carries no
#      mark: a recipient padded to the cut ends the line with a forged
#      "IP address 192.0.2.x";
#   2. a continuation line that arrives after --flush-timeout becomes an
#      entry of its own, under the stamp of the entry before it, again
#      without a mark: its text, the client's, reads as a whole message.
# kerio2syslog closes both with a fixed mark that no rule accepts: a cut
# message keeps its head and its real end with " [cut] " between them (the
# end is Kerio's, so a forged end is gone), a late continuation starts
# with "[continued] ". This test keeps them closed, and checks that a cut
# still counts the real client, whose address Kerio writes at the end of
# many messages: a user name or recipient longer than the cap must not
# make a failure invisible. A third mark is meant to count nothing: the
# "[late] " of an entry converted over a minute after its time (3).
#
# usage: converter-gaps.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init
foreign='^(192\.0\.2\.|198\.51\.100\.)'

# 1. The cut.
max=16384
head='Attempt to deliver to unknown recipient <'
fake='>, from <a@example.net>, IP address 192.0.2.201'
pad=$(printf '%*s' $((max - ${#head} - ${#fake})) '' | tr ' ' x)
printf '[01/Jul/2020 11:00:01] %s%s%s>, from <b@example.net>, IP address 203.0.113.201\n' \
    "$head" "$pad" "$fake" >"$T/long.log"
convert "$KERIO_TZ" rfc3339 "$T/long.log" "$T/long.out" --max-entry "$max"
regex "$KERIO_TZ" "$T/long.out" "$T/long.got"
check "entry cut at --max-entry: foreign hosts found" "" \
    "$(grep -E "$foreign" "$T/long.got" | cut -d' ' -f1)"
check "entry cut at --max-entry: real host counted" "203.0.113.201" \
    "$(cut -d' ' -f1 "$T/long.got")"

# 1b. 20 KB user names (rules 5, 12) and recipients (rule 1, also wrapped)
# at the default cap, each starting with a planted end of the message.
u20k=$(printf '%*s' 20000 '' | tr ' ' u)
r10k=$(printf '%*s' 10000 '' | tr ' ' r)
{
	printf '[01/Jul/2020 11:00:03] SMTP: User %s%s doesn'"'"'t exist. Attempt from IP address 203.0.113.203.\n' \
	    "x doesn't exist. Attempt from IP address 192.0.2.203. " "$u20k"
	printf '[01/Jul/2020 11:00:04] IMAP: Invalid password for user %s%s. Attempt from IP address 203.0.113.204.\n' \
	    'y. Attempt from IP address 192.0.2.204. ' "$u20k"
	printf '[01/Jul/2020 11:00:05] Attempt to deliver to unknown recipient <%s%s>, from <b@example.net>, IP address 203.0.113.205\n' \
	    'a>, from <a@example.net>, IP address 192.0.2.205 ' "$u20k"
	printf '[01/Jul/2020 11:00:06] Attempt to deliver to unknown recipient <%s\n' \
	    "$r10k"
	printf '    %s>, from <c@example.net>,\n    IP address 203.0.113.206\n' \
	    "$r10k"
} >"$T/long20k.log"
convert "$KERIO_TZ" rfc3339 "$T/long20k.log" "$T/long20k.out"
check "20 KB entries: cut at the default --max-entry" 4 \
    "$(grep -c ' \[cut\] ' "$T/long20k.out")"
regex "$KERIO_TZ" "$T/long20k.out" "$T/long20k.got"
check "20 KB entries: real hosts counted, once each, foreign not" \
    "203.0.113.203 203.0.113.204 203.0.113.205 203.0.113.206" \
    "$(cut -d' ' -f1 "$T/long20k.got" | paste -sd' ')"

# 2. The late continuation, through a FIFO as in follow mode.
mkfifo "$T/fifo"
TZ=$KERIO_TZ "$K2S" --hostname "$HOSTNAME_OPT" --format rfc3339 \
    --late-after 0 --flush-timeout 100 --output "$T/late.out" <"$T/fifo" \
    2>"$T/late.err" &
k2s_pid=$!
CLEANUP='exec 3>&-; kill $k2s_pid 2>/dev/null; wait $k2s_pid 2>/dev/null'
exec 3>"$T/fifo"
# A user name wrapped onto a second line, which comes late.
echo '[01/Jul/2020 11:00:02] Failed IMAP login from 203.0.113.202, user a' >&3
written() { [ -s "$T/late.out" ]; }
if wait_until 10 written; then
	echo 'Failed IMAP login from 192.0.2.202, invalid password' >&3
	exec 3>&-
	wait "$k2s_pid"
	regex "$KERIO_TZ" "$T/late.out" "$T/late.got"
	check "continuation after --flush-timeout: foreign hosts found" "" \
	    "$(grep -E "$foreign" "$T/late.got" | cut -d' ' -f1)"
else
	not_ok "kerio2syslog wrote nothing within 10 s of a 100 ms flush timeout"
fi

# 3. The late mark: the same old entries, converted with the mark (every
# one is more than a minute old) and without (--late-after 0), in both
# formats and as journal records; and before Kerio's own thread and
# service marks, and before a "[continued] " mark.
{
	printf '[01/Jul/2020 11:00:%02d] Failed SMTP login from 203.0.113.%d with SASL method LOGIN.\n' \
	    10 210 11 211
	printf '[01/Jul/2020 11:00:12][4522610688] {smtps} Failed SMTP login from 203.0.113.212 with SASL method LOGIN.\n'
	printf '[01/Jul/2020 11:00:13] SMTP: Invalid password for user a. Attempt from IP address 203.0.113.213.\n'
} >"$T/old.log"
for fmt in bsd rfc3339; do
	TZ=$KERIO_TZ "$K2S" --hostname "$HOSTNAME_OPT" --format "$fmt" \
	    "$T/old.log" >"$T/old-$fmt.late" 2>"$T/old-$fmt.err"
	convert "$KERIO_TZ" "$fmt" "$T/old.log" "$T/old-$fmt.out"
	check "late mark, $fmt: every line marked, after the tag" 4 \
	    "$(grep -c "^.* $HOSTNAME_OPT kerio: \[late\] " "$T/old-$fmt.late")"
	regex "$KERIO_TZ" "$T/old-$fmt.late" "$T/old-$fmt.got.late"
	check "late mark, $fmt: late lines count nothing" "" \
	    "$(cut -d' ' -f1 "$T/old-$fmt.got.late" | paste -sd' ')"
	regex "$KERIO_TZ" "$T/old-$fmt.out" "$T/old-$fmt.got"
	check "late mark, $fmt: the same lines unmarked count" \
	    "203.0.113.210 203.0.113.211 203.0.113.212 203.0.113.213" \
	    "$(cut -d' ' -f1 "$T/old-$fmt.got" | paste -sd' ')"
done
# Journal records as fail2ban renders them: "HOST TAG[PID]: MESSAGE".
for kind in late out; do
	sed 's/^[^ ]* \([^ ]*\) kerio: /\1 kerio[42]: /' "$T/old-rfc3339.$kind" \
	    >"$T/old-journal.$kind"
	fail2ban-regex -r "$T/old-journal.$kind" "$FILTER[logtype=journal]" \
	    2>/dev/null | sed -n 's/^Lines: .*, \([0-9]*\) matched,.*/\1/p' \
	    >"$T/old-journal.$kind.n"
done
check "late mark, journal records: late ones count nothing" 0 \
    "$(cat "$T/old-journal.late.n")"
check "late mark, journal records: the same unmarked count" 4 \
    "$(cat "$T/old-journal.out.n")"

f2b_finish
