#!/bin/bash
# The pull request to fail2ban (contrib/fail2ban/upstream) judged by
# fail2ban's own tests, from the installed fail2ban's test package, as
# fail2ban's CI would judge it once merged: apply.sh puts the filter, the
# samples (after fail2ban's own in its sample log tests/files/logs/kerio),
# the [kerio] stanza and the ChangeLog entry into a copy of
# fail2ban's Python package and configuration (without Debian's jail.d,
# which fail2ban's tree does not have), and fail2ban-testcases runs there
#   - the samples test of the filter kerio: every "# failJSON:" line of the
#     sample log in each logtype, and a sample for every rule;
#   - the stock configuration tests: every jail of jail.conf reads with its
#     filter, and every filter has a jail ("More filters exists than are
#     referenced in stock jail.conf").
# The samples test fails with the stock filter on the same sample log (the
# first line it misses is printed).  Then, on the sample log's lines in
# Kerio's own format (fail2ban's and ours): the filter finds exactly the
# failures marked; and the figures: what the stock filter finds, misses,
# and finds that it should not.
#
# usage: upstream.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
f2b_init fail2ban-testcases

UPSTREAM=$HERE/../../contrib/fail2ban/upstream
TESTS='testSampleRegexsKERIO|testReadStockJailConf|testReadStockJailFilterComplete'

# fail2ban's own interpreter (the first python3 on PATH may be another) and
# the directory of its package.
f2b_python=$(sed -n '1s/^#! *//p' "$(command -v fail2ban-testcases)")
f2b_pkg=$($f2b_python -c 'import os, fail2ban
print(os.path.dirname(fail2ban.__file__))') || exit 69
if [ ! -f "$f2b_pkg/tests/samplestestcase.py" ] ||
    [ ! -f "$f2b_pkg/tests/files/logs/kerio" ]; then
	echo "fail2ban's test package is not installed" >&2
	exit 69
fi

# tree DIR: a fail2ban tree in DIR: its package and configuration.
tree()
{
	mkdir -p "$1"
	cp -a "$f2b_pkg" "$1/fail2ban" && cp -a "$DISTRO" "$1/config" &&
	    rm -f "$1"/config/jail.d/*
}

# testcases DIR OUT: fail2ban's tests ($TESTS) on the tree DIR, as its CI
# runs them (from the tree, with its configuration in config/); OUT gets
# their output.
testcases()
{
	(cd "$1" && PYTHONPATH=$1 FAIL2BAN_CONFIG_DIR=config \
	    "$f2b_python" "$(command -v fail2ban-testcases)" -n -l critical \
	    --verbosity=2 "$TESTS") >"$2" 2>&1
}

# ran OUT: "N tests, STATUS" from fail2ban-testcases' output.
ran()
{
	printf '%s tests, %s\n' "$(sed -n 's/^Ran \([0-9]*\) tests* in .*/\1/p' "$1")" \
	    "$(grep -E '^(OK|FAILED)' "$1" | tail -1)"
}

pr=$T/pr
if tree "$pr" && "$UPSTREAM/apply.sh" "$pr"; then
	ok "the pull request applied to a copy of fail2ban $($f2b_python -c 'from fail2ban.version import version; print(version)')"
else
	not_ok "apply.sh failed"
	f2b_finish
fi
check "the filter is kerio.conf" 0 \
    "$(cmp -s "$HERE/../../contrib/fail2ban/filter.d/kerio.conf" \
    "$pr/config/filter.d/kerio.conf"; echo $?)"
check "the [kerio] stanza in jail.conf" \
    "$(sed -n 's/^port *= *//p' "$UPSTREAM/jail.conf")" \
    "$(awk '$0 == "[kerio]" { k = 1; next } /^\[/ { k = 0 }
	k && sub(/^port *= */, "")' "$pr/config/jail.conf")"

testcases "$pr" "$T/pr.out"
for t in testSampleRegexsKERIO testReadStockJailConf \
    testReadStockJailConfForceEnabled testReadStockJailFilterComplete; do
	if grep -q "^$t .* \.\.\. ok$" "$T/pr.out"; then
		ok "fail2ban's $t"
	else
		not_ok "fail2ban's $t:"
		grep -A12 -E "^(FAIL|ERROR): $t " "$T/pr.out" | grep -v '^  File'
	fi
done
check "fail2ban-testcases" "4 tests, OK" "$(ran "$T/pr.out")"
SAMPLE=$pr/fail2ban/tests/files/logs/kerio
check "failJSON lines in the sample log: fail2ban's and ours" \
    $(($(grep -c '^# failJSON:' "$f2b_pkg/tests/files/logs/kerio") +
    $(grep -c '^# failJSON:' "$UPSTREAM/kerio"))) \
    "$(grep -c '^# failJSON:' "$SAMPLE")"
echo "note: the sample log: $(grep -c '^# failJSON:' "$SAMPLE") lines," \
    "$(grep -c '"match": true' "$SAMPLE") of them failures," \
    "in $(($(grep -c '^# filterOptions:' "$SAMPLE") + 1)) logtypes"

# The samples test can fail: the stock filter on the same log.
cp "$DISTRO/filter.d/kerio.conf" "$pr/config/filter.d/kerio.conf"
testcases "$pr" "$T/stock.out"
if grep -q '^testSampleRegexsKERIO .* \.\.\. ok$' "$T/stock.out"; then
	not_ok "the samples test passes the stock filter too: it tests nothing"
else
	ok "the samples test fails the stock filter, first at $(grep -o 'logs/kerio:[0-9]*' "$T/stock.out" | head -1):"
	grep -A1 "logs/kerio:[0-9]*, line:" "$T/stock.out" | sed -n 2p
fi

# On the lines in Kerio's own format (those before the first filterOptions):
# the filter finds exactly the failures marked; what the stock filter finds
# (names taken raw, not resolved).
d=$T/native
mkdir -p "$d"
sed '/^# filterOptions:/,$d' "$SAMPLE" >"$d/sample"
grep -v -e '^#' -e '^$' "$d/sample" >"$d/lines.log"
awk '/^# failJSON:/ { if (match($0, /"host": "[^"]*"/))
	print substr($0, RSTART + 9, RLENGTH - 10) }' "$d/sample" | sort >"$d/want"
lines=$(wc -l <"$d/lines.log")
TZ=$KERIO_TZ fail2ban-regex -r -o '<ip>' "$d/lines.log" "$FILTER" \
    2>"$d/ours.err" | sort >"$d/ours"
if diff -u "$d/want" "$d/ours" >"$d/ours.diff"; then
	ok "Kerio's lines of the sample log: $(wc -l <"$d/ours") of $lines found, each one marked"
else
	not_ok "Kerio's lines of the sample log: found (+) and marked (-) differ:"
	grep '^[-+][^-+]' "$d/ours.diff"
fi
TZ=$KERIO_TZ fail2ban-regex -r --usedns=raw -o '<ip>' "$d/lines.log" \
    "$DISTRO/filter.d/kerio.conf" 2>/dev/null | sort >"$d/stock"
echo "note: the stock filter finds $(comm -12 "$d/want" "$d/stock" | wc -l)" \
    "of the $(wc -l <"$d/want") failures; it misses:" \
    "$(comm -23 "$d/want" "$d/stock" | xargs)"
echo "note: and it finds what it should not: $(comm -13 "$d/want" "$d/stock" | xargs)"

f2b_finish
