#!/bin/bash
# One version: CMakeLists.txt's project(VERSION) is the one the program
# prints, the Debian changelog's top entry (less its Debian revision), the
# RPM spec's Version: and the manual's footer (.Os); and the manual's date
# (.Dd) is the date of that release in both changelogs.  Bump the version
# in all five places, or this test fails.
#
# usage: version.sh BINARY
set -u
. "$(dirname "$0")/lib.sh"
bin=${1:?usage: $0 BINARY}
spec=$TOP/contrib/rpm/kerio2syslog.spec
man=$TOP/man/kerio2syslog.1
v=$(project_version)
[ -n "$v" ] || { not_ok "no project(VERSION) in CMakeLists.txt"; finish; }

check "kerio2syslog --version" "kerio2syslog $v" "$("$bin" --version)"
if command -v dpkg-parsechangelog >/dev/null; then
	deb_v=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
	deb_date=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Date)
else
	deb_v=$(sed -n '1s/^kerio2syslog (\([^)]*\)).*/\1/p' \
	    "$TOP/debian/changelog")
	deb_date=$(sed -n 's/^ -- .*>  //p' "$TOP/debian/changelog" | head -1)
fi
check "debian/changelog's version (less the revision)" "$v" "${deb_v%-*}"
check "the spec's Version:" "$v" \
    "$(sed -n 's/^Version:[[:space:]]*//p' "$spec")"
spec_cl=$(sed -n '/^%changelog/,${/^\* /p}' "$spec" | head -1)
check "the spec's newest %changelog entry" "$v" \
    "$(printf '%s\n' "$spec_cl" | sed -n 's/.* - \([^-]*\)-[^-]*$/\1/p')"
check "the manual's .Os" "kerio2syslog $v" \
    "$(sed -n 's/^\.Os //p' "$man")"

# The release date, as mdoc writes it ("November 26, 2026").
mdoc_date() {
	LC_ALL=C date -u -d "$1" '+%B %-d, %Y'
}
man_date=$(sed -n 's/^\.Dd //p' "$man")
check "the manual's .Dd is debian/changelog's date" "$(mdoc_date "$deb_date")" \
    "$man_date"
check "the manual's .Dd is the spec's %changelog date" \
    "$(mdoc_date "$(printf '%s\n' "$spec_cl" | awk '{ print $3, $4, $5 }')")" \
    "$man_date"
finish
