#!/usr/bin/python3
"""The catalogue of Kerio's messages (contrib/fail2ban/kerio-messages.txt),
read for the tests: as a module (fuzz.py), or run:

  catalogue.py corpus
      the catalogue's examples as an annotated corpus (the failJSON form
      of data/kerio.log): each example, and each form starting with {SVC}
      again for every other service that writes it, a minute apart; the
      host each must ban is the address the form finds in it
  catalogue.py check-corpus FILE
      the "## rule N" sections of an annotated corpus hold the catalogue's
      rules, every one of them, and each entry there that must match is a
      form of its rule (joined as kerio2syslog joins it), with its host
      where the form has {H}

A malformed catalogue, or an example its form does not match, is an error
(status 1).

usage: catalogue.py corpus | check-corpus FILE
"""
import datetime
import ipaddress
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, '..', '..', 'contrib', 'fail2ban',
                    'kerio-messages.txt')
KEYS = ('rule', 'failure', 'service', 'form', 'example', 'seen')
# The parts the client chooses; the others in braces are Kerio's words.
CLIENT = ('R', 'S', 'U', 'M', 'REASON')
STAMP = '[%d/%b/%Y %H:%M:%S] '
STAMP_LEN = len('[17/Jun/2011 17:00:45] ')


class Malformed(Exception):
    pass


def pattern(form):
    """The form as a regex: {H} an address, any other part any text."""
    out = ''
    for i, part in enumerate(re.split(r'\{([A-Z]+)\}', form)):
        if i % 2 == 0:
            out += re.escape(part)
        elif part == 'H':
            out += r'(?P<H>[0-9A-Fa-f:.]+)'
        else:
            out += '(?P<%s>.*)' % part
    return re.compile(out)


def stanza(fields, line):
    missing = [k for k in KEYS if k not in fields]
    if missing:
        raise Malformed('line %d: no %s' % (line, ', '.join(missing)))
    e = dict(fields)
    if e['failure'] not in ('yes', 'no'):
        raise Malformed('line %d: failure is yes or no' % line)
    e['failure'] = e['failure'] == 'yes'
    if e['failure'] != (e['rule'] != '-') or \
            e['failure'] != ('{H}' in e['form']):
        raise Malformed('line %d: a failure has a rule and {H}; '
                        'no failure has neither' % line)
    e['services'] = e['service'].split()
    e['pattern'] = pattern(e['form'])
    e['time'] = datetime.datetime.strptime(e['example'][:STAMP_LEN], STAMP)
    m = e['pattern'].fullmatch(e['example'][STAMP_LEN:])
    if m is None:
        raise Malformed('line %d: the form does not match the example' %
                        line)
    e['parts'] = m.groupdict()
    if 'SVC' in e['parts'] and e['parts']['SVC'] not in e['services']:
        raise Malformed('line %d: the example\'s service is not listed' %
                        line)
    return e


def load(path=PATH):
    """The catalogue's entries, in its order."""
    entries, fields, start = [], {}, 0
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    for no, text in enumerate(lines + [''], 1):
        if text.startswith('#'):
            continue
        if text == '':
            if fields:
                entries.append(stanza(fields, start))
            fields = {}
            continue
        m = re.fullmatch(r'([a-z]+): +(.+)', text)
        if m is None or m.group(1) not in KEYS or m.group(1) in fields:
            raise Malformed('line %d: not one of %s' % (no, ', '.join(KEYS)))
        start = start if fields else no
        fields[m.group(1)] = m.group(2)
    return entries


def fill(form, **parts):
    """A form (or part of one) with its parts filled in."""
    return form.format(**parts)


def message(e, **parts):
    """Entry e's form with parts filled in; a part not given is the
    example's."""
    return fill(e['form'], **dict(e['parts'], **parts))


def address(text):
    return str(ipaddress.ip_address(text))


def corpus(entries):
    seen = set()
    for e in entries:
        services = e['services'] if 'SVC' in e['parts'] else [None]
        services = sorted(services, key=lambda s: s != e['parts'].get('SVC'))
        for k, svc in enumerate(services):
            t = e['time'] + datetime.timedelta(minutes=k)
            if t.strftime('%m%d%H%M%S') in seen:
                raise Malformed('two examples at %s' % t)
            seen.add(t.strftime('%m%d%H%M%S'))
            msg = message(e, SVC=svc) if svc else message(e)
            note = '"match": false'
            if e['failure']:
                note = '"match": true, "host": "%s"' % \
                    address(e['parts']['H'])
            print('# failJSON: { "time": "%s", %s }' %
                  (t.strftime('%Y-%m-%dT%H:%M:%S'), note))
            print(t.strftime(STAMP) + msg)


def joined(lines):
    """An entry's message as kerio2syslog writes it: the lines joined by
    one space, each continuation trimmed; no stamp, nor the bracketed
    marks some logs put after it."""
    text = ' '.join([lines[0]] + [l.strip(' \t') for l in lines[1:]])
    return re.sub(r'^\[[^]]*\](\[[0-9]+\] ?)?(\{[A-Za-z0-9_.-]+\} ?)?',
                  '', text).lstrip(' ')


def check_corpus(entries, path):
    name = os.path.basename(path)
    rules = {e['rule'] for e in entries if e['failure']}
    errors, sections, rule, entry = [], set(), None, None

    def judge():
        if rule is None or entry is None or '"match": true' not in entry[0]:
            return
        host = re.search(r'"host": *"([^"]*)"', entry[0]).group(1)
        text = joined(entry[1])
        for e in entries:
            m = e['pattern'].fullmatch(text) if e['rule'] == rule else None
            if m and address(m.group('H')) == address(host):
                return
        errors.append('%s: rule %s: no form of it finds %s in: %s' %
                      (name, rule, host, text[:200]))

    with open(path, encoding='utf-8') as f:
        for line in f.read().split('\n'):
            if line.startswith('#') or line == '':
                judge()
                entry = None
            if line.startswith('## '):
                m = re.fullmatch(r'## rule ([0-9]+)', line)
                rule = m.group(1) if m else None
                if rule is not None and rule not in rules:
                    errors.append('%s: %s: not a rule of the catalogue' %
                                  (name, line))
                sections.add(rule)
            elif line.startswith('# failJSON:'):
                entry = (line, [])
            elif not line.startswith('#') and line != '' and entry:
                entry[1].append(line)
        judge()
    for r in sorted(rules - sections, key=int):
        errors.append('%s: no "## rule %s" section' % (name, r))
    for e in errors:
        print('FAILED ' + e)
    if not errors:
        print('ok     %s: %d rule sections, each entry that must match '
              'a form of its rule' % (name, len(rules)))
    return 1 if errors else 0


def main():
    try:
        entries = load()
        if sys.argv[1:] == ['corpus']:
            corpus(entries)
            return 0
        if len(sys.argv) == 3 and sys.argv[1] == 'check-corpus':
            return check_corpus(entries, sys.argv[2])
    except Malformed as e:
        print('catalogue.py: %s: %s' % (PATH, e), file=sys.stderr)
        return 1
    print(__doc__.strip().splitlines()[-1], file=sys.stderr)
    return 64


if __name__ == '__main__':
    sys.exit(main())
