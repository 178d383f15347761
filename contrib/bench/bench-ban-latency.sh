#!/bin/bash
#
# bench-ban-latency.sh - attack line appended -> ban, from the file and
# from the journal, with the shipped defaults beside the old ones in one
# run; and the follower's CPU while a neighbour file is busy
#
# usage: bench-ban-latency.sh KERIO2SYSLOG [OLD-KERIO2SYSLOG]
#
# Root only (it runs its own systemd-journald in a private mount namespace,
# tests/journal/lib.sh, and a real fail2ban-server in it). One Kerio
# security.log is followed four times, each read by its own jail:
#   file     kerio2syslog --follow ... --output FILE, defaults, read by the
#            shipped file jail (backend auto: pyinotify where installed);
#   journal  kerio2syslog --follow ... --output journal, defaults, read by
#            the shipped journal jail (backend systemd);
#   and the same two the old way: OLD-KERIO2SYSLOG (a build from before,
#   e.g. main: its own defaults), or without it KERIO2SYSLOG with the old
#   default --flush-timeout 1000; the old file jail on backend polling,
#   as it was shipped. The old ones write under the tag kerioold.
# Each round appends maxretry failures of a new address at once and
# takes the time from the append until each jail has banned it (a
# recording action; polled every 5 ms), and until it found the last
# failure (fail2ban.log's time). The last failure of a burst leaves on
# the flush timeout (no next stamp closes it), so both include it.
# Median, minimum and maximum of ROUNDS rounds.
#
# Then the follower's CPU (utime + stime from /proc/PID/stat) and its
# wake-ups (voluntary context switches) while a neighbour file in the
# followed file's directory is written 100, 1000 and 10,000 times a
# second for NEIGHBOUR_SECS seconds each, for each binary.
#
# A benchmark that prints figures, not a test.
#
# Environment: ROUNDS (default 10), NEIGHBOUR_SECS (default 10).
HERE=$(cd "$(dirname "$0")" && pwd)
K2S=$(realpath -e "$1") || exit 64
OLD=${2:+$(realpath -e "$2")}
OLD_ARGS=()
if [ -z "$OLD" ]; then
	OLD=$K2S
	OLD_ARGS=(--flush-timeout 1000)
fi
ROUNDS=${ROUNDS:-10}
NEIGHBOUR_SECS=${NEIGHBOUR_SECS:-10}
HERE_TESTS=$HERE/../../tests/journal
# lib.sh wants HERE to be its own directory.
HERE=$HERE_TESTS
. "$HERE/lib.sh"
jd_init
need fail2ban-server fail2ban-client
jail_maxretry

if ! jd_start; then
	echo "journald did not start" >&2
	exit 1
fi

etc=$T/etc
f2b_setup_record "$etc" "$FILTER" "$JAIL" || { echo "setup failed" >&2; exit 1; }
JAIL_JOURNAL=$HERE/../../contrib/fail2ban/jail.d/kerio2syslog-journal.conf
cp "$JAIL_JOURNAL" "$etc/jail.d/"
same='port = %(kerio2syslog/port)s
maxretry = %(kerio2syslog/maxretry)s
findtime = %(kerio2syslog/findtime)s
bantime = %(kerio2syslog/bantime)s
usedns = no
action = record
ignoreself = false'
cat >>"$etc/jail.d/zz-test.local" <<EOT

[kerio2syslog-journal]
enabled = true
action = record
ignoreself = false

[kerio2syslog-old]
enabled = true
filter = kerio2syslog[tag=kerioold]
backend = polling
logpath = $etc/keriosecurity-old.log
$same

[kerio2syslog-journal-old]
enabled = true
filter = kerio2syslog[logformat=journal, tag=kerioold]
backend = systemd
journalmatch = _UID=0 SYSLOG_IDENTIFIER=kerioold KERIO2SYSLOG=1 KERIO2SYSLOG_LATE=0
$same
EOT
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
: >"$etc/keriosecurity.log"
: >"$etc/keriosecurity-old.log"

# follow NAME BINARY TAG OUTPUT ARGS...: a follower from the end of the
# log as it is now, in journald's namespace.
PIDS=
follow()
{
	local name=$1 bin=$2 tag=$3 out=$4
	shift 4
	(TZ=$KERIO_TZ exec nsenter -t "$JD_PID" -m -- "$bin" --follow "$LOG" \
	    --state "$T/$name.state" --format rfc3339 --hostname mail \
	    --tag "$tag" --output "$out" "$@") 2>"$T/$name.err" &
	PIDS="$PIDS $!"
}
follow file "$K2S" kerio "$etc/keriosecurity.log"
follow journal "$K2S" kerio journal
follow file-old "$OLD" kerioold "$etc/keriosecurity-old.log" "${OLD_ARGS[@]}"
follow journal-old "$OLD" kerioold journal "${OLD_ARGS[@]}"
CLEANUP="kill $PIDS 2>/dev/null; $CLEANUP"

if ! f2b_start "$etc" nsenter -t "$JD_PID" -m --; then
	echo "fail2ban-server did not come up" >&2
	exit 1
fi
CLEANUP="f2b_stop; $CLEANUP"
grep -o "Jail '[^']*' uses [a-z]*\|Initiated '[a-z]*' backend" \
    "$etc/fail2ban.log" | sort | uniq -c | sed 's/^/  fail2ban: /'

JAILS="kerio2syslog kerio2syslog-journal kerio2syslog-old kerio2syslog-journal-old"
fail() { echo "$(kerio) Failed SMTP login from $1 with SASL method PLAIN."; }
found() { [ "$(grep -c "\] Found $1 " "$etc/fail2ban.log")" -ge 4 ]; }
# Warm-up: one failure, until every jail has found it (every path live).
fail 203.0.113.250 >>"$LOG"
if ! wait_until 60 found 203.0.113.250; then
	echo "the warm-up failure was not found by every jail within 60 s:" >&2
	grep 'Found' "$etc/fail2ban.log" >&2
	cat "$T"/*.err >&2
	exit 1
fi

# One round: append the burst, then poll the bans until every jail has
# banned (at most 30 s): "BAN-MS... FOUND-MS..." in the order of JAILS
# ("-" if one did not). found: when each jail found the burst's last
# failure (fail2ban.log).
poll()
{
	"$JD_PY" - "$etc/bans" "$etc/fail2ban.log" "$1" "$2" "$maxretry" \
	    $JAILS <<'EOT'
import datetime, re, sys, time
bans, log, ip, t0, n = sys.argv[1], sys.argv[2], sys.argv[3], \
    int(sys.argv[4]), int(sys.argv[5])
jails = sys.argv[6:]
ban = dict.fromkeys(jails, "-")
end = time.time() + 30
while time.time() < end and "-" in ban.values():
	with open(bans) as f:
		for line in f:
			name, _, got = line.strip().partition(" ")
			if got == ip and ban.get(name) == "-":
				ban[name] = "%d" % ((time.time_ns() - t0) // 1000000)
	time.sleep(0.005)
found = {j: [] for j in jails}
pat = re.compile(r"^(\S+ \S+) .*\[(\S+)\] Found " + re.escape(ip) + " ")
with open(log) as f:
	for line in f:
		m = pat.match(line)
		if m and m.group(2) in found:
			t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f")
			found[m.group(2)].append(t.timestamp())
def ms(v):
	return "%d" % (v[n - 1] * 1000 - t0 / 1e6) if len(v) >= n else "-"
print(*[ban[j] for j in jails], *[ms(found[j]) for j in jails])
EOT
}

printf '%-5s %-14s %s\n' round address \
    "ban ms (file journal file-old journal-old), then found ms"
: >"$T/results"
for r in $(seq 1 "$ROUNDS"); do
	ip=203.0.113.$r
	burst=
	for _ in $(seq 1 "$maxretry"); do
		burst="$burst$(fail "$ip")"$'\n'
	done
	t0=$(date +%s%N)
	printf '%s' "$burst" >>"$LOG"
	res=$(poll "$ip" "$t0")
	printf '%-5s %-14s %s\n' "$r" "$ip" "$res"
	echo "$res" >>"$T/results"
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
if [ "$OLD" = "$K2S" ]; then
	old="$(basename "$K2S") --flush-timeout 1000"
else
	old=$OLD
fi
echo "append -> ban:"
echo "  file,    shipped (defaults, backend auto):   $(cut -d' ' -f1 "$T/results" | stats)"
echo "  journal, shipped (defaults, backend systemd): $(cut -d' ' -f2 "$T/results" | stats)"
echo "  file,    old ($old, backend polling): $(cut -d' ' -f3 "$T/results" | stats)"
echo "  journal, old ($old, backend systemd): $(cut -d' ' -f4 "$T/results" | stats)"
echo "append -> the last failure found:"
echo "  file,    shipped: $(cut -d' ' -f5 "$T/results" | stats)"
echo "  journal, shipped: $(cut -d' ' -f6 "$T/results" | stats)"
echo "  file,    old:     $(cut -d' ' -f7 "$T/results" | stats)"
echo "  journal, old:     $(cut -d' ' -f8 "$T/results" | stats)"
f2b_stop
eval "kill $PIDS 2>/dev/null"

# The follower's CPU and wake-ups with a busy neighbour: per binary, a
# follower of an idle file, another file of its directory written RATE
# times a second.
neighbour_cpu()
{
	local bin=$1 rate=$2 d pid c0 c1 hz
	d=$(mktemp -d "$T/cpu.XXXXXX")
	echo "$(kerio) Found virus in mail from <a@example.com> to <b@example.com>: EICAR" \
	    >"$d/security.log"
	"$bin" --follow "$d/security.log" --output "$d/out.log" \
	    --state "$d/state" -H mail 2>/dev/null &
	pid=$!
	wait_until 10 test -s "$d/state"
	read -r -a c0 <<<"$(proc_cost "$pid")"
	"$NEIGHBOUR" "$d/mail.log" "$rate" "$NEIGHBOUR_SECS"
	read -r -a c1 <<<"$(proc_cost "$pid")"
	kill "$pid"
	wait "$pid" 2>/dev/null
	hz=$(getconf CLK_TCK)
	awk -v t=$((c1[0] - c0[0])) -v w=$((c1[1] - c0[1])) -v hz="$hz" \
	    -v s="$NEIGHBOUR_SECS" -v l="$(wc -l <"$d/mail.log")" \
	    'BEGIN { printf "%5.1f%% CPU, %6d wake-ups/s (neighbour %d lines/s)\n", 100 * t / hz / s, w / s, l / s }'
	rm -rf "$d"
}
echo "follower with a busy neighbour, $NEIGHBOUR_SECS s each:"
for rate in 100 1000 10000; do
	echo "  $rate writes/s, shipped: $(neighbour_cpu "$K2S" "$rate")"
	[ "$OLD" != "$K2S" ] &&
	    echo "  $rate writes/s, old:     $(neighbour_cpu "$OLD" "$rate")"
done
exit 0
