#!/bin/bash
#
# bench-follow.sh - latency and idle cost of kerio2syslog --follow
#
# usage: bench-follow.sh KERIO2SYSLOG-BINARY
#
# Starts a follower (with a state file, as the service runs) on a file in
# a temporary directory ($TMPDIR is honoured) and measures:
#
#   - append-to-output latency: one entry is appended to the followed file
#     at a time, and the time until the output file has grown is taken
#     (polled every 0.2 ms). A single entry leaves on the flush timeout,
#     since no next stamp line follows it, so the latency is the timeout
#     plus the follower's own cost (reading, the write-ahead state save,
#     the write). Median and worst of APPENDS appends are printed.
#   - CPU time used while idle: the follower's on-CPU time
#     (/proc/PID/schedstat, nanoseconds) over IDLE seconds with no input.
#
# Targets: median within flush-timeout + 20 ms; idle CPU under 10 ms per
# 30 s. This is a benchmark that prints figures, not a test.
#
# Environment:
#	FLUSH_TIMEOUT	--flush-timeout in ms (default 100, the program's)
#	APPENDS		appends timed (default 100, at least 100 advised)
#	IDLE		seconds of idleness measured (default 30)
set -eu

BIN=${1:?usage: bench-follow.sh KERIO2SYSLOG-BINARY}
FLUSH_TIMEOUT=${FLUSH_TIMEOUT:-100}
APPENDS=${APPENDS:-100}
IDLE=${IDLE:-30}
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/k2s-bench-follow.XXXXXX")
PID=
cleanup() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT

: >"$DIR/security.log"
"$BIN" --follow "$DIR/security.log" --output "$DIR/out.log" \
    --state "$DIR/state" --flush-timeout "$FLUSH_TIMEOUT" -H bench \
    2>"$DIR/stderr" &
PID=$!
# Bounded wait for the follower's first commit.
for _ in $(seq 100); do
	[ -s "$DIR/state" ] && break
	sleep 0.05
done
[ -s "$DIR/state" ] || { echo "follower did not start" >&2; exit 1; }

echo "kerio2syslog --follow, flush timeout $FLUSH_TIMEOUT ms"
python3 - "$DIR/security.log" "$DIR/out.log" "$APPENDS" \
    "$FLUSH_TIMEOUT" <<'PY'
import os, statistics, sys, time

inp, out, n, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lat = []
with open(inp, "ab", buffering=0) as f:
    for i in range(n):
        before = os.stat(out).st_size if os.path.exists(out) else 0
        line = b"[26/Nov/2026 10:00:%02d] bench %06d Failed SMTP login from 192.0.2.1\n" % (i % 60, i)
        t0 = time.monotonic()
        f.write(line)
        deadline = t0 + timeout / 1000 + 5
        while True:
            try:
                if os.stat(out).st_size > before:
                    break
            except FileNotFoundError:
                pass
            if time.monotonic() > deadline:
                sys.exit("entry %d did not arrive within %.1f s" % (i, deadline - t0))
            time.sleep(0.0002)
        lat.append((time.monotonic() - t0) * 1000)
med, worst = statistics.median(lat), max(lat)
print("append-to-output latency over %d appends: median %.1f ms, worst %.1f ms"
      % (n, med, worst))
print("  median minus flush timeout: %.1f ms (target <= 20 ms)" % (med - timeout))
PY

# Let the periodic commit after the last append pass, then measure.
sleep 2
cpu() { awk '{print $1}' "/proc/$PID/schedstat"; }
c0=$(cpu)
sleep "$IDLE"
c1=$(cpu)
python3 -c "
import sys
ms = ($c1 - $c0) / 1e6
print('CPU while idle for $IDLE s: %.2f ms (%.2f ms per 30 s, target < 10)'
      % (ms, ms * 30 / $IDLE))
"
