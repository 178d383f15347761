#!/bin/bash
# The catalogue of Kerio's messages (contrib/fail2ban/kerio-messages.txt)
# against the shipped filter and kerio2syslog.  Every form's example (and
# each form starting with a service name again for every service the
# catalogue lists) goes through the same matrix as the annotated corpus:
# read by the real fail2ban-regex as Kerio's own lines (LF and CRLF) and
# through kerio2syslog in both formats; a failure is found once, with the
# address its form names, at its time, and a message that is no attack
# bans nobody.  kerio2syslog writes each message unchanged.  And the
# corpus data/kerio.log holds every rule of the catalogue, each entry under
# its rule's heading.
#
# usage: catalogue.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init python3

if ! "$HERE/catalogue.py" corpus >"$T/catalogue.log"; then
	not_ok "the catalogue is malformed"
	f2b_finish
fi
run_corpus catalogue "$T/catalogue.log"

# The converter: each message as the catalogue has it, after the host and
# the tag.
d=$T/catalogue
convert "$KERIO_TZ" bsd "$d/raw.log" "$d/messages.out"
sed 's/^\[[^]]*\] //' "$d/raw.log" >"$d/messages.want"
sed "s/^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} $HOSTNAME_OPT kerio: //" \
    "$d/messages.out" >"$d/messages.got"
if diff -u "$d/messages.want" "$d/messages.got" >"$d/messages.diff"; then
	ok "kerio2syslog writes the $(wc -l <"$d/messages.want") messages unchanged"
else
	not_ok "kerio2syslog changed messages (- the catalogue, + its output):"
	sed -n '3,$p' "$d/messages.diff" | grep '^[-+]'
fi

# The corpus's rule sections.
if "$HERE/catalogue.py" check-corpus "$HERE/data/kerio.log" >"$T/check"; then
	ok "$(sed 's/^ok *//' "$T/check")"
else
	not_ok "data/kerio.log's rule sections:"
	cat "$T/check"
fi

f2b_finish
