#!/bin/bash
#
# bench-ban-latency.sh - attack line appended -> ban, from the journal and
# from the file, side by side in one run
#
# usage: bench-ban-latency.sh KERIO2SYSLOG-BINARY [SINK-DRIVER]
#
# Root only (it runs its own systemd-journald in a private mount namespace,
# tests/journal/lib.sh, and a real fail2ban-server in it). One Kerio
# security.log is followed twice:
#   file     kerio2syslog --follow ... --output FILE, read by the shipped
#            file jail (backend polling);
#   journal  kerio2syslog --follow ... --output journal, read by the shipped
#            journal jail (backend systemd). Until --output journal is
#            wired, the follower's standard output is piped into
#            SINK-DRIVER (the build's tests/sink-driver), which writes each
#            line through the journal sink as it comes: the same
#            conversion, the same flush timeout, the same records.
# Each round appends maxretry failures of a new address at once and
# takes the time from the append until each jail has banned it (a
# recording action; polled every 5 ms), and until it found the last
# failure (fail2ban.log's time). The last failure of a burst
# leaves on the flush timeout (no next stamp closes it), so both include
# that (1 s by default). Median, minimum and maximum of ROUNDS rounds.
# A benchmark that prints figures, not a test.
#
# Environment: ROUNDS (default 10).
HERE=$(cd "$(dirname "$0")" && pwd)
K2S=$(realpath -e "$1") || exit 64
DRIVER=${2:+$(realpath -e "$2")}
ROUNDS=${ROUNDS:-10}
HERE_TESTS=$HERE/../../tests/journal
# lib.sh wants HERE to be its own directory.
HERE=$HERE_TESTS
. "$HERE/lib.sh"
jd_init
need fail2ban-server fail2ban-client mkfifo
jail_maxretry

if ! jd_start; then
	echo "journald did not start" >&2
	exit 1
fi
# --output journal, or a file named "journal" (not wired yet)?
mkdir -p "$T/probe"
# (cd in the namespace: entering it sets the directory to its root.)
jd_run sh -c 'cd "$1" && exec "$2" --output journal /dev/null' sh \
    "$T/probe" "$K2S" >/dev/null 2>&1
if [ ! -e "$T/probe/journal" ]; then
	DRIVER=
elif [ ! -x "$DRIVER" ]; then
	echo "$K2S has no --output journal: give SINK-DRIVER" >&2
	exit 64
fi

etc=$T/etc
f2b_setup_record "$etc" "$FILTER" "$JAIL" || { echo "setup failed" >&2; exit 1; }
JAIL_JOURNAL=$HERE/../../contrib/fail2ban/jail.d/kerio2syslog-journal.conf
cp "$JAIL_JOURNAL" "$etc/jail.d/"
printf '\n[kerio2syslog-journal]\nenabled = true\n%s\n%s\n' \
    'action = record' 'ignoreself = false' >>"$etc/jail.d/zz-test.local"
# Which jail banned, too.
cat >"$etc/action.d/record.conf" <<EOT
[Definition]
actionstart =
actionstop =
actioncheck =
actionban = echo <name> <ip> >> $etc/bans
actionunban =
EOT

LOG=$T/security.log
kerio() { TZ=$KERIO_TZ date '+[%d/%b/%Y %H:%M:%S]'; }
echo "$(kerio) Found virus in mail from <a@example.com> to <b@example.com>: EICAR" \
    >"$LOG"
TZ=$KERIO_TZ "$K2S" --format rfc3339 --hostname mail "$LOG" \
    >"$etc/keriosecurity.log"

# The two followers, both from the end of the log as it is now.
TZ=$KERIO_TZ "$K2S" --follow "$LOG" --state "$T/file.state" \
    --format rfc3339 --hostname mail --output "$etc/keriosecurity.log" \
    2>"$T/file.err" &
FILE_PID=$!
if [ -z "$DRIVER" ]; then
	(TZ=$KERIO_TZ exec nsenter -t "$JD_PID" -m -- "$K2S" --follow "$LOG" \
	    --state "$T/journal.state" --format rfc3339 --hostname mail \
	    --output journal) 2>"$T/journal.err" &
	JOURNAL_PIDS=$!
else
	mkfifo "$T/pipe"
	(TZ=$KERIO_TZ exec nsenter -t "$JD_PID" -m -- "$DRIVER" -i bench-$$ - \
	    <"$T/pipe") 2>"$T/driver.err" &
	JOURNAL_PIDS=$!
	(TZ=$KERIO_TZ exec "$K2S" --follow "$LOG" --format rfc3339 \
	    --hostname mail >"$T/pipe") 2>"$T/journal.err" &
	JOURNAL_PIDS="$JOURNAL_PIDS $!"
fi
CLEANUP="kill $FILE_PID $JOURNAL_PIDS 2>/dev/null; $CLEANUP"

if ! f2b_start "$etc" nsenter -t "$JD_PID" -m --; then
	echo "fail2ban-server did not come up" >&2
	exit 1
fi
CLEANUP="f2b_stop; $CLEANUP"

fail() { echo "$(kerio) Failed SMTP login from $1 with SASL method PLAIN."; }
found() { [ "$(grep -c "\] Found $1 " "$etc/fail2ban.log")" -ge 2 ]; }
# Warm-up: one failure, until both jails have found it (both paths live).
fail 203.0.113.250 >>"$LOG"
if ! wait_until 60 found 203.0.113.250; then
	echo "the warm-up failure was not found by both jails within 60 s:" >&2
	grep 'Found' "$etc/fail2ban.log" >&2
	cat "$T"/*.err >&2
	exit 1
fi

# One round: append the burst, then poll the bans until both jails have
# banned (at most 30 s): "file MS journal MS" ("-" if one did not).
# found: when each jail found the burst's last failure (fail2ban.log).
poll()
{
	"$JD_PY" - "$etc/bans" "$etc/fail2ban.log" "$1" "$2" "$maxretry" <<'EOT'
import datetime, re, sys, time
bans, log, ip, t0, n = sys.argv[1], sys.argv[2], sys.argv[3], \
    int(sys.argv[4]), int(sys.argv[5])
jails = ("kerio2syslog", "kerio2syslog-journal")
ban = dict.fromkeys(jails, "-")
end = time.time() + 30
while time.time() < end and "-" in ban.values():
	with open(bans) as f:
		for line in f:
			name, _, got = line.strip().partition(" ")
			if got == ip and ban.get(name) == "-":
				ban[name] = "%d" % ((time.time_ns() - t0) // 1000000)
	time.sleep(0.005)
found = dict.fromkeys(jails, [])
pat = re.compile(r"^(\S+ \S+) .*\[(\S+)\] Found " + re.escape(ip) + " ")
with open(log) as f:
	for line in f:
		m = pat.match(line)
		if m and m.group(2) in found:
			t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f")
			found[m.group(2)] = found[m.group(2)] + [t.timestamp()]
def ms(v):
	return "%d" % (v[n - 1] * 1000 - t0 / 1e6) if len(v) >= n else "-"
print(ban[jails[0]], ban[jails[1]], ms(found[jails[0]]), ms(found[jails[1]]))
EOT
}

printf '%-6s %-14s %8s %8s %10s %10s\n' round address file_ban \
    journal_ban file_found journal_found
: >"$T/results"
for r in $(seq 1 "$ROUNDS"); do
	ip=203.0.113.$r
	burst=
	for _ in $(seq 1 "$maxretry"); do
		burst="$burst$(fail "$ip")"$'\n'
	done
	t0=$(date +%s%N)
	printf '%s' "$burst" >>"$LOG"
	# shellcheck disable=SC2046 # four words
	set -- $(poll "$ip" "$t0")
	printf '%-6s %-14s %8s %8s %10s %10s\n' "$r" "$ip" "$@"
	echo "$*" >>"$T/results"
done

stats()
{
	sort -n | awk '$1 != "-" { v[n++] = $1 }
	END {
		if (n == 0) { print "no bans"; exit }
		m = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
		printf "median %d ms, min %d ms, max %d ms (%d of '"$ROUNDS"')\n", m, v[0], v[n - 1], n
	}'
}
echo "append -> ban, ms:"
echo "  file    (polling):  $(cut -d' ' -f1 "$T/results" | stats)"
echo "  journal (systemd):  $(cut -d' ' -f2 "$T/results" | stats)"
echo "append -> the last failure found, ms:"
echo "  file    (polling):  $(cut -d' ' -f3 "$T/results" | stats)"
echo "  journal (systemd):  $(cut -d' ' -f4 "$T/results" | stats)"
[ -n "$DRIVER" ] && echo "(journal records written by $(basename "$DRIVER")" \
    "from the follower's standard output)"
exit 0
