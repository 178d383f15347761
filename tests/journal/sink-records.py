#!/usr/bin/python3
"""Write journal records shaped as kerio2syslog's journal sink will write
them (the proposed record format, until the sink exists), one per entry.

usage: sink-records.py MODE INPUT INSTANCE < CONVERTED

INPUT is the Kerio log, one line per entry; CONVERTED is kerio2syslog
--format rfc3339 run on it ("STAMP HOST TAG: MESSAGE"), line for line.
MODE is "sink" (the proposed rule: KERIO2SYSLOG_LATE=1 when the entry's
Kerio time is more than LATE_AFTER seconds old when written) or "naive"
(every entry written as new, with the Kerio time also offered in the
fields a client might hope journald or fail2ban would honour).
"""
import datetime
import os
import sys

from systemd import journal

# fail2ban 1.0.2 takes a line's date only while it is within 60 s of now
# (filter.py, processLine); older is "late".
LATE_AFTER = 60

mode, path, instance = sys.argv[1:4]
st = os.stat(path)
offset = 0
with open(path, "rb") as kerio:
    for raw, line in zip(kerio, sys.stdin):
        offset += len(raw)
        stamp, _host, rest = line.rstrip("\n").split(" ", 2)
        tag, message = rest.split(": ", 1)
        when = datetime.datetime.fromisoformat(stamp)
        age = datetime.datetime.now(datetime.timezone.utc) - when
        late = mode == "sink" and age.total_seconds() > LATE_AFTER
        fields = [
            "MESSAGE=" + message,
            "SYSLOG_IDENTIFIER=" + tag,
            "SYSLOG_FACILITY=10",
            "PRIORITY=5",
            "KERIO_TIME=" + stamp,
            "KERIO_INPUT=" + path,
            "KERIO2SYSLOG=1",
            "KERIO2SYSLOG_INSTANCE=" + instance,
            "KERIO2SYSLOG_POS=%d:%d:%d" % (st.st_dev, st.st_ino, offset),
            "KERIO2SYSLOG_LATE=%d" % late,
        ]
        if mode == "naive":
            usec = int(when.timestamp() * 1000000)
            fields += [
                "SYSLOG_TIMESTAMP=" + when.strftime("%b %d %H:%M:%S "),
                "_SOURCE_REALTIME_TIMESTAMP=%d" % usec,
            ]
        journal.sendv(*fields)
