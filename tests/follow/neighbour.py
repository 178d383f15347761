#!/usr/bin/python3
"""neighbour.py FILE RATE SECS: another program's log beside a followed
file, as Kerio writes mail.log and debug.log beside security.log: one
line appended to FILE (made if missing) RATE times a second, each its
own write(2), for SECS seconds; then it exits."""
import os
import sys
import time

fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
rate, secs = float(sys.argv[2]), float(sys.argv[3])
t0 = time.monotonic()
end, n = t0 + secs, 0
while time.monotonic() < end:
    while n < (time.monotonic() - t0) * rate:
        os.write(fd, b"[01/Jan/2026 00:00:00] neighbour line\n")
        n += 1
    time.sleep(0.0005)
