#!/bin/bash
# The CrowdSec parser (contrib/crowdsec, kerio2syslog/kerio-logs) against
# the fail2ban filter in the tree (contrib/fail2ban/filter.d/kerio.conf),
# both run by the real engines on the same kerio2syslog output: Debian's
# crowdsec 1.4.6 in replay mode, fail2ban-regex.  On every line they must
# find the same attacker address (or both none): line for line, keyed by
# the line's stamp, which is unique in each corpus.
#   - the project's corpus (tests/fail2ban/data/kerio.log); the parser also
#     finds exactly the corpus's annotated hosts that are addresses (a DNS
#     name is never taken), in both output formats;
#   - fail2ban's own kerio test log, when the fail2ban package ships it;
#   - the injection corpus (tests/fail2ban/data/injection.log): no foreign
#     address, ever;
#   - the random attacks of tests/fail2ban/fuzz.py (its fixed seeds): each
#     entry found once, with its client, and nothing else.
# Prints the figures: lines, matches, agreement.
#
# usage: agreement.sh path/to/kerio2syslog cache-dir
# (SEVERAL_FILTER=path compares with another fail2ban filter file.)
. "$(dirname "$0")/lib.sh"
several_init "$@"
cs_package
FILTER=${SEVERAL_FILTER:-$FILTER}
# fuzz.py's own seeds (SEVERAL_FUZZ_SEEDS= for none).
FUZZ_SEEDS=${SEVERAL_FUZZ_SEEDS-1 2 3}

cs_config "$T/cs" 20501
cs_register "$T/cs"

# agree NAME LOG: fail2ban-regex with the tree's filter and the CrowdSec
# parser on LOG (rfc3339 lines); the same "address stamp" pairs, and each
# line's verdict listed where they differ.  Leaves $T/NAME.cs (sorted
# "address epoch" pairs from the parser).
agree()
{
	local name=$1 log=$2 out=$T/$1
	regex UTC "$log" "$out.f2b"
	if [ -s "$out.f2b.err" ]; then
		not_ok "$name: fail2ban-regex logged errors: $(head -3 "$out.f2b.err")"
	fi
	if ! cs_replay "$T/cs" "$log" "$out.dump"; then
		not_ok "$name: crowdsec failed: $(tail -3 "$out.dump/crowdsec.out")"
		return
	fi
	cs_parsed "$out.dump" | awk '{ print $2, $1 }' | sort >"$out.cs"
	local lines f2b cs
	lines=$(wc -l <"$log")
	f2b=$(wc -l <"$out.f2b")
	cs=$(wc -l <"$out.cs")
	if cmp -s "$out.f2b" "$out.cs"; then
		ok "$name: parser and filter agree on all $lines lines ($cs matched)"
		return
	fi
	not_ok "$name: parser ($cs matched) and filter ($f2b matched) disagree; the lines:"
	# Each line whose verdicts differ, with both verdicts (the first 30).
	local e ip n
	sort "$out.f2b" "$out.cs" | uniq -u | awk '{ print $2 }' | sort -un \
	    >"$out.differ"
	n=$(wc -l <"$out.differ")
	while read -r e; do
		ip=$(awk -v e="$e" '$2 == e { print $1 }' "$out.f2b")
		printf '   filter %-16s parser %-16s %s\n' "${ip:--}" \
		    "$(awk -v e="$e" '$2 == e { print $1 }' "$out.cs" | grep . || echo -)" \
		    "$(grep -m1 "^$(TZ=UTC date -d "@$e" +%Y-%m-%dT%H:%M:%S)" "$log" | cut -d' ' -f4- | cut -c1-90)"
	done < <(head -30 "$out.differ")
	[ "$n" -le 30 ] || echo "   ... and $((n - 30)) more lines"
}

is_addr='^([0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*) '

# The project's corpus, through kerio2syslog (rfc3339, stamps in UTC so
# that fail2ban and the parser read the same instant).
d=$T/kerio
mkdir -p "$d"
if parse_corpus "$HERE/../fail2ban/data/kerio.log" "$d"; then
	convert UTC rfc3339 "$d/raw.log" "$T/kerio.log"
	agree kerio "$T/kerio.log"
	# The parser finds exactly the annotated hosts that are addresses.
	expect "$d" rfc3339 UTC | grep -E "$is_addr" >"$d/want.addr"
	if diff -u "$d/want.addr" "$T/kerio.cs" >"$d/want.diff"; then
		ok "kerio corpus: the parser finds each of the $(wc -l <"$d/want.addr") annotated addresses at its time, and nothing else"
	else
		not_ok "kerio corpus: the parser's hosts differ from the annotations (- expected, + found):"
		grep '^[-+][^-+]' "$d/want.diff"
	fi
	names=$(expect "$d" rfc3339 UTC | grep -cvE "$is_addr")
	echo "note: the corpus annotates $names host(s) that are DNS names; the parser takes none"
	# The bsd format parses to the same addresses, in the same order.
	convert UTC bsd "$d/raw.log" "$T/kerio-bsd.log"
	if cs_replay "$T/cs" "$T/kerio-bsd.log" "$T/kerio-bsd.dump"; then
		cs_parsed "$T/kerio.dump" | cut -d' ' -f2 >"$d/order.rfc"
		cs_parsed "$T/kerio-bsd.dump" | cut -d' ' -f2 >"$d/order.bsd"
		if cmp -s "$d/order.rfc" "$d/order.bsd" && [ -s "$d/order.bsd" ]; then
			ok "kerio corpus, bsd format: the same $(wc -l <"$d/order.bsd") addresses in the same order"
		else
			not_ok "kerio corpus, bsd format: $(wc -l <"$d/order.bsd") addresses, rfc3339 $(wc -l <"$d/order.rfc"), or in another order"
		fi
	else
		not_ok "kerio corpus, bsd format: crowdsec failed"
	fi
else
	not_ok "kerio corpus is malformed"
fi

# fail2ban's own kerio test log (native lines), through kerio2syslog.
f2b_python=$(sed -n '1s/^#! *//p' "$(command -v fail2ban-regex)")
f2b_logs=$($f2b_python -c 'import os, fail2ban.tests as t
print(os.path.join(os.path.dirname(t.__file__), "files", "logs"))' 2>/dev/null)
if [ -f "$f2b_logs/kerio" ]; then
	grep -v '^#' "$f2b_logs/kerio" | grep . >"$T/f2b-native.log"
	convert UTC rfc3339 "$T/f2b-native.log" "$T/fail2ban-testlog.log"
	agree "fail2ban's own kerio test log" "$T/fail2ban-testlog.log"
	mv "$T/fail2ban's own kerio test log.cs" "$T/f2b-testlog.cs"
	check "fail2ban's own kerio test log: parser matches" \
	    "$(grep -c '"match": true' "$f2b_logs/kerio")" \
	    "$(wc -l <"$T/f2b-testlog.cs")"
else
	echo "note: fail2ban's own kerio test log is not installed; skipped"
fi

# The injection corpus: agreement, and no foreign address from the parser.
d=$T/injection
mkdir -p "$d"
if parse_corpus "$HERE/../fail2ban/data/injection.log" "$d"; then
	convert UTC rfc3339 "$d/raw.log" "$T/injection.log"
	agree injection "$T/injection.log"
	foreign='^(192\.0\.2\.|198\.51\.100\.|2001:db8:bad:)'
	found=$(grep -E "$foreign" "$T/injection.cs" | cut -d' ' -f1 | sort -u)
	if [ -z "$found" ]; then
		ok "injection: $(wc -l <"$T/injection.cs") real clients found in $(wc -l <"$T/injection.log") entries, no foreign address"
	else
		not_ok "injection: foreign addresses found: ${found//$'\n'/, }"
	fi
else
	not_ok "injection corpus is malformed"
fi

# The random attacks of the fail2ban tests (tests/fail2ban/fuzz.py, its
# fixed seeds), through kerio2syslog: agreement, and each entry found by the
# parser once, with its client, and nothing else.
for seed in $FUZZ_SEEDS; do
	d=$T/fuzz$seed
	mkdir -p "$d"
	python3 - "$HERE/../fail2ban" "$seed" "$d" <<'EOF'
import os, sys
sys.path.insert(0, sys.argv[1])
import fuzz
ents = fuzz.entries(int(sys.argv[2]))
with open(os.path.join(sys.argv[3], 'native.log'), 'w', encoding='utf-8',
          newline='\n') as f:
    f.writelines(e[1] + '\n' for e in ents)
with open(os.path.join(sys.argv[3], 'want'), 'w') as f:
    f.writelines('%s %d\n' % (e[2], e[0]) for e in ents)
EOF
	convert UTC rfc3339 "$d/native.log" "$T/fuzz$seed.log"
	agree "fuzz seed $seed" "$T/fuzz$seed.log"
	sort "$d/want" >"$d/want.sorted"
	if diff -u "$d/want.sorted" "$T/fuzz seed $seed.cs" >"$d/want.diff"; then
		ok "fuzz seed $seed: the parser finds each of the $(wc -l <"$d/want") entries once, with its client, and nothing else"
	else
		not_ok "fuzz seed $seed: the parser's hosts differ from the entries' clients (- expected, + found):"
		grep '^[-+][^-+]' "$d/want.diff" | head -20
	fi
done

f2b_finish
