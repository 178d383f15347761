#!/usr/bin/python3
"""Write journal records shaped as kerio2syslog's journal sink writes
them (src/sink_journal.c, whose head is the reference), one per entry: for
a build without libsystemd, and for the records the sink never writes
(modes naive and stamped, for fail2ban-backlog.sh).  The sink's own
records come from sink-driver.c where it is built.

usage: sink-records.py MODE INPUT INSTANCE < CONVERTED

INPUT is the Kerio log; CONVERTED is kerio2syslog --format rfc3339 run on
it ("STAMP HOST TAG: MESSAGE"), one line per entry.  An entry starts at a
line with Kerio's stamp.  MODE is "sink" (the rule below), "new" (every
entry written as new, KERIO2SYSLOG_LATE=0), "naive" (as new, with Kerio's
time also offered in the fields a client might hope journald or fail2ban
would honour; neither does) or "stamped" (as new, MESSAGE led by the
RFC 3339 stamp, for a date pattern to find; fail2ban does not look).

The record format (the sink's also has KERIO2SYSLOG_SEQ, and its
KERIO2SYSLOG_POS is the offset of the entry's first line):
  MESSAGE                the file line's message part, escaped as there
  SYSLOG_IDENTIFIER      the tag (--tag, "kerio")
  SYSLOG_FACILITY=10     authpriv: a security log, kept from unprivileged
                         readers by syslog daemons that forward it
  PRIORITY=5             notice, as logger(1) writes by default
  KERIO_TIME             the entry's Kerio stamp as RFC 3339, with offset
  KERIO_INPUT            the input path as given
  KERIO2SYSLOG=1         our mark (a local user can forge it: the jail pins
                         records by _UID, which journald sets)
  KERIO2SYSLOG_INSTANCE  the writer's id, kept in the state file, so that
                         the reconciliation finds the last record it wrote
                         (journalctl KERIO2SYSLOG_INSTANCE=ID -n 1)
  KERIO2SYSLOG_POS       DEV:INO:OFFSET, the input file and the offset after
                         the entry: the position to resume from
  KERIO2SYSLOG_LATE      1 when kerio2syslog marked the entry late
                         ("[late] " before the message, which MESSAGE
                         keeps), else 0: the journal jail skips late
                         entries, because fail2ban would count them as new
                         (see fail2ban-backlog.sh)
"""
import datetime
import os
import re
import sys

from systemd import journal

# kerio2syslog's late mark (src/format.h): its rule decides, not a copy.
LATE_MARK = b"[late] "

STAMP = re.compile(rb"\[\d\d/[A-Z][a-z][a-z]/\d{4} \d\d:\d\d:\d\d\]")


def entry_ends(path):
    """The offset after each entry of the Kerio log at path."""
    ends = []
    offset = 0
    with open(path, "rb") as kerio:
        for raw in kerio:
            if STAMP.match(raw) and offset > 0:
                ends.append(offset)
            offset += len(raw)
    if offset > 0:
        ends.append(offset)
    return ends


mode, path, instance = sys.argv[1:4]
st = os.stat(path)
# Bytes: kerio2syslog passes on what is not UTF-8.
for offset, line in zip(entry_ends(path), sys.stdin.buffer):
    stamp, _host, rest = line.rstrip(b"\n").split(b" ", 2)
    tag, message = rest.split(b": ", 1)
    stamp = stamp.decode("ascii")
    when = datetime.datetime.fromisoformat(stamp)
    late = mode == "sink" and message.startswith(LATE_MARK)
    fields = [
        b"MESSAGE=" + message,
        b"SYSLOG_IDENTIFIER=" + tag,
        "SYSLOG_FACILITY=10",
        "PRIORITY=5",
        "KERIO_TIME=" + stamp,
        "KERIO_INPUT=" + path,
        "KERIO2SYSLOG=1",
        "KERIO2SYSLOG_INSTANCE=" + instance,
        "KERIO2SYSLOG_POS=%d:%d:%d" % (st.st_dev, st.st_ino, offset),
        "KERIO2SYSLOG_LATE=%d" % late,
    ]
    if mode == "stamped":
        fields[0] = b"MESSAGE=" + stamp.encode("ascii") + b" " + message
    if mode == "naive":
        usec = int(when.timestamp() * 1000000)
        fields += [
            "SYSLOG_TIMESTAMP=" + when.strftime("%b %d %H:%M:%S "),
            "_SOURCE_REALTIME_TIMESTAMP=%d" % usec,
        ]
    journal.sendv(*fields)
