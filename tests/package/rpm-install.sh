#!/bin/bash
# The .rpm's scriptlets and files, installed with Debian's rpm (its
# database knows none of Debian's packages, hence --nodeps): the files land
# in RHEL's places, %post creates the output log root:adm 0640, rpm -V finds
# nothing changed, and rpm -e removes all of the package but the output log.
# It installs for real: run it under tests/package/sandbox.sh.
#
# usage: rpm-install.sh RPM
set -u
. "$(dirname "$0")/lib.sh"
rpm=$(cd "$(dirname "${1:?usage: $0 RPM}")" && pwd)/$(basename "$1")
if [ -z "${K2S_DISPOSABLE:-}" ]; then
	echo "rpm-install.sh installs for real: run it under sandbox.sh" >&2
	exit 77
fi
LOG=/var/log/keriosecurity.log
rm -f "$LOG"
files=$(rpm -qlp "$rpm" 2>/dev/null | grep -v -e '^/usr/lib/\.build-id' \
    -e '^/usr/share/licenses/kerio2syslog[^/]*$')
rpm -i --nodeps "$rpm" 2>/dev/null
check "rpm -i --nodeps" 0 $?
missing=0
for f in $files; do
	[ -e "$f" ] || { echo "    missing: $f"; missing=$((missing + 1)); }
done
check "every file of the package is in place" 0 "$missing"
check "the unit is in RHEL's unit directory" 1 \
    "$(grep -c '^ExecStart=/usr/bin/kerio2syslog ' \
    /usr/lib/systemd/system/kerio2syslog.service)"
check "%post created the output log root:adm 0640" "640 root adm" \
    "$(stat -c '%a %U %G' "$LOG")"
check "kerio2syslog --version" "kerio2syslog $(project_version)" \
    "$(/usr/bin/kerio2syslog --version)"
check "rpm -V: nothing changed" "" "$(rpm -V --nodeps kerio2syslog 2>&1)"
rpm -e kerio2syslog 2>/dev/null
check "rpm -e" 0 $?
left=0
for f in $files; do
	[ -e "$f" ] && { echo "    left: $f"; left=$((left + 1)); }
done
check "rpm -e leaves none of the package's files" 0 "$left"
check "the output log stays" "640 root adm" "$(stat -c '%a %U %G' "$LOG")"
finish
