#!/bin/bash
# The shipped filter in journal mode, injection-safe like the file filter:
# the annotated corpora of tests/fail2ban (every Kerio message, and the
# crafted lines whose names imitate other messages or carry foreign
# addresses) go through kerio2syslog into a private journald as records
# shaped as the journal sink will write them (sink-records.py), and the
# real fail2ban-regex reads them with the systemd backend and the shipped
# filter's journalmatch: exactly the hosts the corpus expects, one per
# failure, and no foreign address.  (Times are not compared: fail2ban dates
# a journal record by its arrival; fail2ban-backlog.sh is about that.)
#
# The records are the journal sink's own (sink-driver) where it is built,
# else sink-records.py's.  The corpora's stamps are years old: they are
# converted with the late mark off (--late-after 0), as for a dry run, and
# the mark is left out of the match (this test is about the filter;
# fail2ban-backlog.sh and fail2ban-catchup.sh are about the mark).
#
# usage: fail2ban-corpus.sh path/to/kerio2syslog [path/to/sink-driver]
K2S=$1
DRIVER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init

match=$(filter_journalmatch)
[ -n "$match" ] || { not_ok "no journalmatch in $FILTER"; f2b_finish; }
[ -z "$DRIVER" ] || match=${match/ KERIO2SYSLOG_LATE=0/}
# The filter's options as the journal jail gives them ("[logtype=...]").
options=$(sed -n 's/^filter *= *kerio2syslog//p' "$JAIL_JOURNAL")

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi

# corpus NAME FILE: FILE's entries into the journal as instance NAME, read
# back by fail2ban-regex.
corpus()
{
	local name=$1 d=$T/$1 n
	mkdir -p "$d"
	if ! parse_corpus "$2" "$d"; then
		not_ok "$name: corpus $2 is malformed"
		return
	fi
	n=$(wc -l <"$d/entries")
	if ! TZ=$KERIO_TZ "$K2S" --format rfc3339 --hostname mail \
	    --late-after 0 "$d/raw.log" >"$d/converted" \
	    2>"$d/converted.err"; then
		not_ok "$name: kerio2syslog failed: $(head -3 "$d/converted.err")"
		return
	fi
	if [ -n "$DRIVER" ]; then
		TZ=$KERIO_TZ jd_run "$DRIVER" -i "$name" "$d/converted" ||
		    not_ok "$name: sink-driver failed"
	else
		# Old stamps: written as new (KERIO2SYSLOG_LATE=0), as a
		# live sink would write them.
		jd_run "$JD_PY" "$HERE/sink-records.py" new "$d/raw.log" \
		    "$name" <"$d/converted" || not_ok "$name: sink-records.py failed"
	fi
	wait_until 30 jd_has "$n" KERIO2SYSLOG_INSTANCE="$name" ||
	    not_ok "$name: not all $n records came back within 30 s"
	check "$name: records" "$n" "$(jd_count KERIO2SYSLOG_INSTANCE="$name")"
	# Each record's input position rises: the sink's from 0 (an
	# entry's start), sink-records.py's to the end (an entry's end).
	jd_field KERIO2SYSLOG_POS KERIO2SYSLOG_INSTANCE="$name" |
	    cut -d: -f3 >"$d/pos"
	if [ -n "$DRIVER" ]; then
		edge=$(head -1 "$d/pos") want_edge=0
	else
		edge=$(tail -1 "$d/pos") want_edge=$(stat -c %s "$d/raw.log")
	fi
	if sort -nu "$d/pos" | cmp -s - "$d/pos" && [ "$edge" = "$want_edge" ]; then
		ok "$name: input positions rise"
	else
		not_ok "$name: input positions: $(xargs <"$d/pos")"
	fi

	expect "$d" rfc3339 "$KERIO_TZ" | cut -d' ' -f1 | sort >"$d/want"
	# shellcheck disable=SC2086 # the journalmatch is words
	fail2ban-regex -r -o '<ip>' -m "$match KERIO2SYSLOG_INSTANCE=$name" \
	    "systemd-journal[journalpath=$JD_DIR]" "$FILTER$options" \
	    2>"$d/got.stderr" | grep -v '^$' | sort >"$d/got"
	if grep -E 'ERROR|Traceback' "$d/got.stderr" >"$d/got.err"; then
		not_ok "$name: fail2ban-regex logged errors: $(head -3 "$d/got.err")"
	fi
	if diff -u "$d/want" "$d/got" >"$d/diff"; then
		ok "$name: $(wc -l <"$d/got") failures found, each host as expected"
	else
		not_ok "$name: hosts differ (- expected, + found):"
		sed -n '3,$p' "$d/diff" | grep '^[-+]'
	fi
}

corpus kerio "$HERE/../fail2ban/data/kerio.log"
corpus injection "$HERE/../fail2ban/data/injection.log"

foreign='^(192\.0\.2\.|198\.51\.100\.|2001:db8:bad:)'
found=$(cat "$T/kerio/got" "$T/injection/got" | grep -E "$foreign" | sort -u)
if [ -z "$found" ]; then
	ok "no foreign address found"
else
	not_ok "foreign addresses found: ${found//$'\n'/, }"
fi
f2b_finish
