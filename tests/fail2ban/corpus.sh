#!/bin/bash
# The shipped fail2ban filter against the annotated corpus data/kerio.log,
# read by the real fail2ban-regex: as Kerio's own lines (LF and CRLF) and
# through kerio2syslog in both formats.  Every expected host is found at its
# time, nothing else matches, and the counts are exact.  Also: fail2ban's
# own kerio test log, the stock filter (ours finds all it finds), the tag
# option, and hand-made lines in the shapes kerio2syslog writes.
#
# usage: corpus.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init

run_corpus kerio "$HERE/data/kerio.log"

# fail2ban's own test log for the stock filter, when the package ships it.
# (fail2ban's own interpreter: the first python3 on PATH may be another.)
f2b_python=$(sed -n '1s/^#! *//p' "$(command -v fail2ban-regex)")
f2b_logs=$($f2b_python -c 'import os, fail2ban.tests as t
print(os.path.join(os.path.dirname(t.__file__), "files", "logs"))' 2>/dev/null)
if [ -f "$f2b_logs/kerio" ]; then
	# (Its lines are in data/kerio.log too, where they also go through
	# kerio2syslog; here they are read as the package ships them.)
	d=$T/fail2ban-testlog
	mkdir -p "$d"
	if parse_corpus "$f2b_logs/kerio" "$d"; then
		expect "$d" native "$KERIO_TZ" >"$d/want.native"
		regex "$KERIO_TZ" "$f2b_logs/kerio" "$d/got.native" \
		    "$FILTER_KERIO"
		verify "fail2ban's own kerio test log" "$d/want.native" \
		    "$d/got.native" 15 15
	else
		not_ok "fail2ban's own kerio test log: unexpected format"
	fi
else
	echo "note: fail2ban's own kerio test log is not installed; skipped"
fi

# A drop-in superset of the stock filter: on the attacks Kerio wrote on one
# line, whatever the stock filter.d/kerio.conf finds, ours finds too.
# (Wrapped entries are left out: there the stock filter may take the first
# half of a message, which ours, anchored at the end, does not.  So are the
# entries that are no attack by an address: the stock filter bans DNS
# names, ours deliberately does not.)
d=$T/kerio
if fail2ban-regex -r /dev/null kerio >/dev/null 2>&1; then
	awk '$4 == 0 && $2 != "-" { print $1 }' "$d/entries" >"$d/single-times"
	awk 'NR == FNR { want[$1] = 1; next }
	    /^\[/ { m = index("JanFebMarAprMayJunJulAugSepOctNovDec", substr($0, 5, 3));
		    t = sprintf("%s-%02d-%sT%s", substr($0, 9, 4), (m + 2) / 3,
			substr($0, 2, 2), substr($0, 14, 8));
		    keep = (t in want) }
	    keep' "$d/single-times" "$d/raw.log" >"$d/single.log"
	regex "$KERIO_TZ" "$d/single.log" "$d/stock" kerio
	regex "$KERIO_TZ" "$d/single.log" "$d/ours" "$FILTER_KERIO"
	missing=$(comm -23 "$d/stock" "$d/ours")
	if [ -z "$missing" ] && [ -s "$d/stock" ]; then
		ok "superset of the stock filter: it finds $(wc -l <"$d/stock"), ours $(wc -l <"$d/ours") of $(wc -l <"$d/single.log") one-line attacks"
	else
		not_ok "superset of the stock filter: ours misses: ${missing:-(stock found nothing)}"
	fi
else
	echo "note: the stock filter kerio is not installed; superset check skipped"
fi

# The entries with a DNS name where Kerio writes the client (stamped
# 10/May/2022 09:30:xx) ban nobody above; they are real messages all the
# same: the filter with <HOST> instead of <ADDR> takes every one of them.
grep '^\[10/May/2022 09:30:' "$d/raw.log" >"$d/names.log"
sed 's/<ADDR>/<HOST>/g' "$FILTER" >"$d/filter-host.conf"
regex "$KERIO_TZ" "$d/names.log" "$d/names.got" "$d/filter-host.conf"
n=$(wc -l <"$d/names.log")
check "lines with a name are rules' messages (<HOST> takes them)" \
    "$n lines, 0 ignored, $n matched, 0 missed" "$(cat "$d/names.got.stats")"

# Each logtype reads its own kind of line only (in Kerio's log, a line in
# the shape of kerio2syslog's output is a continuation line, the client's):
# logtype=syslog reads none of Kerio's lines, the default (file) none of
# kerio2syslog's.
lines=$(wc -l <"$d/native.log")
regex "$KERIO_TZ" "$d/native.log" "$d/got.native-as-syslog"
verify "Kerio's lines read with logtype=syslog" /dev/null \
    "$d/got.native-as-syslog" "$lines" 0
entries=$(wc -l <"$d/entries")
for fmt in bsd rfc3339; do
	convert "$KERIO_TZ" "$fmt" "$d/raw.log" "$d/$fmt-as-kerio.log"
	regex "$KERIO_TZ" "$d/$fmt-as-kerio.log" "$d/got.$fmt-as-kerio" \
	    "$FILTER_KERIO"
	verify "kerio2syslog --format $fmt read by the default filter" \
	    /dev/null "$d/got.$fmt-as-kerio" "$entries" 0
done

# The tag: kerio2syslog --tag k2s is read with filter[tag=k2s], and the
# default tag (kerio) reads none of it.
convert "$KERIO_TZ" rfc3339 "$d/raw.log" "$d/tag.log" --tag k2s
regex "$KERIO_TZ" "$d/tag.log" "$d/got.tag" "$FILTER[logtype=syslog,tag=k2s]"
verify "--tag k2s read with filter[tag=k2s]" "$d/want.rfc" "$d/got.tag" \
    "$entries" "$(wc -l <"$d/want.rfc")"
regex "$KERIO_TZ" "$d/tag.log" "$d/got.notag"
verify "--tag k2s read with the default tag" /dev/null "$d/got.notag" \
    "$entries" 0

# Hand-made lines in the shapes the filter accepts from kerio2syslog or a
# syslog daemon: a [pid] after the tag, "Z" for UTC, a dotted host name.
cat >"$T/shapes.log" <<'EOF'
Jun  7 07:00:01 mail kerio[4242]: Failed SMTP login from 203.0.113.101 with SASL method LOGIN.
2011-06-07T05:00:02Z mail kerio: Failed SMTP login from 203.0.113.102 with SASL method LOGIN.
2011-06-07T07:00:03+02:00 mail.example.com kerio[1]: [4522610688] {smtps} Failed SMTP login from 203.0.113.103 with SASL method LOGIN.
2011-06-07T01:00:04-04:00 mail kerio: SMTP: AntiHammering: connection from IP address 203.0.113.104 is blocked
Jun  7 07:00:05 mail kerio: Found virus in mail from <a@example.net> to <b@example.com>: EICAR-Test-File
Jun  7 07:00:06 mail other: Failed SMTP login from 198.51.100.1 with SASL method LOGIN.
Jun  7 07:00:07 mail kerio:Failed SMTP login from 198.51.100.2 with SASL method LOGIN.
Jun  7 07:00:08  kerio: Failed SMTP login from 198.51.100.3 with SASL method LOGIN.
EOF
{
	printf '203.0.113.101 %s\n' "$(bsd_epoch "$KERIO_TZ" 2011-06-07T07:00:01)"
	printf '203.0.113.102 %s\n' "$(epoch UTC 2011-06-07T05:00:02)"
	printf '203.0.113.103 %s\n' "$(epoch UTC 2011-06-07T05:00:03)"
	printf '203.0.113.104 %s\n' "$(epoch UTC 2011-06-07T05:00:04)"
} | sort >"$T/shapes.want"
regex "$KERIO_TZ" "$T/shapes.log" "$T/shapes.got"
verify "hand-made syslog shapes" "$T/shapes.want" "$T/shapes.got" 8 4

f2b_finish
