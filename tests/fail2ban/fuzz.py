#!/usr/bin/python3
"""Random attacks on the shipped fail2ban filter, from fixed seeds.

Each entry is one of the failure forms of the catalogue of Kerio's
messages (contrib/fail2ban/kerio-messages.txt, read by catalogue.py) from a
real client (an address under 203.0.113.0/24 or 2001:db8:1::/48, plain,
bracketed or IPv4-mapped), with a service the catalogue lists for it,
whose client parts (recipient, sender, user name, SASL method, reason) are
made of random pieces: other messages of the catalogue and the ends of
its forms with foreign addresses, stamps, Kerio's marks, separators,
control bytes, Unicode digits and line breaks (Kerio writes a line break
as is, so the entry is wrapped).  kerio2syslog converts them (bsd and
rfc3339) and fail2ban-regex reads the result: every entry is found once,
with its client, and nothing else.
fail2ban-regex also reads Kerio's own lines (the filter's default): every entry
on one line is found once, with its client; a wrapped entry may be missed,
and its first line judged alone may name a foreign address (the limit the
README states), which is counted, not failed.

usage: fuzz.py path/to/kerio2syslog [SEED...]
"""
import datetime
import ipaddress
import os
import random
import subprocess
import sys
import tempfile

import catalogue

HERE = os.path.dirname(os.path.abspath(__file__))
FILTER = os.path.join(HERE, '..', '..', 'contrib', 'fail2ban', 'filter.d',
                      'kerio.conf')
# The filter reading kerio2syslog's output, as the shipped jail has it.
FILTER_SYSLOG = FILTER + '[logtype=syslog]'
ENTRIES = 2000
START = datetime.datetime(2020, 7, 1, tzinfo=datetime.timezone.utc)

CATALOGUE = catalogue.load()
ATTACKS = [e for e in CATALOGUE if e['failure']]
# Each end of a failure form after a client part, its address still to
# fill: text a client can write to pass for Kerio's.
ENDS = sorted({e['form'][e['form'].index('{%s}' % c) + len(c) + 2:]
               for e in ATTACKS for c in catalogue.CLIENT
               if '{%s}' % c in e['form'] and
               e['form'].index('{%s}' % c) < e['form'].index('{H}')})


def message(rnd, e, h, text):
    """Entry e's form from client h, each client part text(), with one of
    its services."""
    parts = {c: text() for c in catalogue.CLIENT}
    return catalogue.message(e, H=h, SVC=rnd.choice(e['services']), **parts)


def foreign(rnd):
    k = rnd.randrange(1, 255)
    return rnd.choice([
        '192.0.2.%d' % k, '198.51.100.%d' % k, '2001:db8:bad::%x' % k,
        '::ffff:192.0.2.%d' % k, '[192.0.2.%d]' % k, '[2001:db8:bad::%x]' % k,
        '192.0.2.%d:25' % k, '192.000.002.%03d' % k])


def piece(rnd):
    if rnd.random() < 0.4:
        return message(rnd, rnd.choice(CATALOGUE), foreign(rnd), lambda: 'x')
    return rnd.choice([
        'IP address ' + foreign(rnd),
        catalogue.fill(rnd.choice(ENDS), H=foreign(rnd),
                       **dict.fromkeys(catalogue.CLIENT, 'a')),
        '\n' + message(rnd, rnd.choice(ATTACKS), foreign(rnd), lambda: 'a'),
        'Jul  1 10:00:00 mail kerio: ', '2020-07-01T10:00:00+02:00 mail kerio: ',
        '[01/Jul/2020 10:00:00] ', '] ', '[1] {smtp} ', '[continued] ',
        ' [cut] ', 'kerio: ', '\r', '\t', '\x00', '\x1b', '\x7f', '\x85',
        '\u2028', '\u00a0', '\ufeff', '\u0661\u0669\u0662', '\uff11\uff19',
        ',', ', ', '<', '>', '"', ' ', '.', '..', '::ffff:', '[', ']',
        ' rejected', ' to <a>', ' is blocked', '\n', '\n', '\n ', '\n]',
        'x' * rnd.randrange(1, 400)])


def client_text(rnd):
    return ''.join(piece(rnd) for _ in range(rnd.randrange(0, 5)))


def client(rnd, i):
    addr = rnd.choice(['203.0.113.%d' % (i % 254 + 1),
                       '2001:db8:1::%x' % (i + 1)])
    form = rnd.random()
    if form < 0.1 and ':' not in addr:
        return '::ffff:' + addr, addr
    if form < 0.2:
        return '[' + addr + ']', addr
    return addr, addr


def entries(seed):
    """(seconds, native text, client, whole) for each entry of a seed."""
    rnd = random.Random(seed)
    out = []
    for i in range(ENTRIES):
        h, addr = client(rnd, i)
        msg = message(rnd, rnd.choice(ATTACKS), h, lambda: client_text(rnd))
        lines = msg.split('\n')
        # Left out: a continuation line with a valid Kerio stamp (a new
        # entry to every reader, as the README says), and a CR before a
        # line break or at the end (taken as CRLF).
        if any(l.lstrip(' \t')[:1] == '[' and l.lstrip(' \t')[1:3].isdigit()
               for l in lines[1:]) or '\r\n' in msg or msg.endswith('\r'):
            continue
        t = START + datetime.timedelta(seconds=i)
        out.append((int(t.timestamp()),
                    t.strftime('[%d/%b/%Y %H:%M:%S] ') + msg,
                    str(ipaddress.ip_address(addr)), len(lines) == 1))
    return out


def regex(log, flt, bsd=False):
    """{entry seconds: [hosts found]}; a bsd stamp (no year) is read as
    of START's year."""
    env = dict(os.environ, TZ='UTC', LC_ALL='C')
    r = subprocess.run(['fail2ban-regex', '-r', '-o', '<ip> <time>', log, flt],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0 or 'ERROR' in r.stderr:
        raise RuntimeError('fail2ban-regex failed: ' + r.stderr[-500:])
    found = {}
    for line in r.stdout.splitlines():
        ip, t = line.split()
        t = int(float(t))
        if bsd:
            d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
            t = int(d.replace(year=START.year).timestamp())
        found.setdefault(t, []).append(ip)
    return found


def judge(name, ents, found, native):
    """Prints each wrong finding; returns (errors, tolerated)."""
    errors = tolerated = 0
    by_time = {e[0]: e for e in ents}
    for t, ips in sorted(found.items()):
        e = by_time.get(t)
        if e is not None and ips == [e[2]] and (e[3] or not native):
            continue
        if e is not None and native and not e[3] and \
                all(ip == e[2] for ip in ips) and len(ips) == 1:
            continue
        if e is not None and native and not e[3]:
            tolerated += 1
            continue
        errors += 1
        print('FAILED %s: found %s, want %s: %r' %
              (name, ips, e and e[2], e and e[1][:300]))
    for t, _, addr, whole in ents:
        if t not in found and (whole or not native):
            errors += 1
            print('FAILED %s: %s missed: %r' % (name, addr, by_time[t][1][:300]))
    return errors, tolerated


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 64
    k2s = sys.argv[1]
    seeds = [int(s) for s in sys.argv[2:]] or [1, 2, 3]
    failed = 0
    with tempfile.TemporaryDirectory(prefix='k2s-fuzz.') as d:
        for seed in seeds:
            ents = entries(seed)
            native = os.path.join(d, 'native.log')
            with open(native, 'w', encoding='utf-8', newline='\n') as f:
                f.writelines(e[1] + '\n' for e in ents)
            for fmt in ('bsd', 'rfc3339'):
                conv = os.path.join(d, fmt + '.log')
                with open(conv, 'w') as out:
                    # Old stamps: the late mark off, as for a dry run.
                    subprocess.run([k2s, '--hostname', 'mail', '--format',
                                    fmt, '--late-after', '0', native],
                                   stdout=out, check=True,
                                   env=dict(os.environ, TZ='UTC'))
                err, _ = judge('seed %d %s' % (seed, fmt), ents,
                               regex(conv, FILTER_SYSLOG, fmt == 'bsd'), False)
                failed += err
                print('%s seed %d: %d entries through kerio2syslog --format '
                      '%s, each found once with its client' %
                      ('FAILED' if err else 'ok    ', seed, len(ents), fmt))
            err, tol = judge('seed %d native' % seed, ents,
                             regex(native, FILTER), True)
            failed += err
            print('%s seed %d: %d entries as Kerio wrote them, each whole '
                  'one found once with its client' %
                  ('FAILED' if err else 'ok    ', seed, len(ents)))
            print('note: seed %d: %d wrapped entries whose first line, '
                  'judged alone, names another address' % (seed, tol))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
