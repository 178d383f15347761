# Shared helpers for the package tests; sourced, not run (bash).
#
# Each check ends in ok or not_ok; finish prints "N passed, M failed" and
# exits non-zero on any failure.  TOP is the top of the source tree.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export LC_ALL=C
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

# check NAME EXPECTED ACTUAL: returns 1 when they differ.
check() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '  expected: %s\n  got:      %s\n' "$2" "$3" |
		    sed 's/^/    /'
		return 1
	fi
}

# check_diff NAME FILE_EXPECTED FILE_ACTUAL: the two files are equal.
check_diff() {
	if diff -u "$2" "$3" >"$2.diff"; then
		ok "$1"
	else
		not_ok "$1:"
		sed 's/^/    /' "$2.diff"
	fi
}

finish() {
	tally
	exit
}

# doc_links DOCDIR: every relative link in the Markdown documents under
# DOCDIR (README.md links to the guides) resolves among the files there.
doc_links() {
	local md l links=0 lost=0
	while IFS= read -r md; do
		for l in $(grep -oE '\]\([^)#]+' "$md" | sed 's/^](//' |
		    grep -vE '^[a-z]+:'); do
			links=$((links + 1))
			[ -e "$(dirname "$md")/$l" ] && continue
			lost=$((lost + 1))
			not_ok "${md#"$1"/} links to $l, not installed"
		done
	done < <(find "$1" -name '*.md')
	if [ "$links" -eq 0 ]; then
		not_ok "no link in the installed documents (README.md has some)"
	elif [ "$lost" -eq 0 ]; then
		ok "the $links links in the installed documents resolve there"
	fi
}

# The project's version, from CMakeLists.txt's project(VERSION).
project_version() {
	sed -n 's/^project(kerio2syslog VERSION \([0-9.]*\).*/\1/p' \
	    "$TOP/CMakeLists.txt"
}
