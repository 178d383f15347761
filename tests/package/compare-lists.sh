#!/bin/bash
# The .deb and the .rpm install the same files, path for path, once the
# distributions' own conventions are set aside:
#  - the unit directory: /lib/systemd/system (Debian 12) and
#    /usr/lib/systemd/system;
#  - compression: Debian gzips the manual and large documents, RHEL the
#    manual (".gz" is dropped before comparing);
#  - the licence: Debian's /usr/share/doc/PKG/copyright (with
#    changelog.gz beside it) and RPM's %license under /usr/share/licenses;
#  - Debian's lintian overrides, RPM's /usr/lib/.build-id links;
#  - Debian's drop-in for its own fail2ban sshd jail (debian/fail2ban-sshd.conf).
# Then what is in them: the documents' links, the program stripped, and
# the recommendations the README names.
# Directories are not compared: each package manager owns them its own way.
#
# usage: compare-lists.sh DEB RPM
set -u
. "$(dirname "$0")/lib.sh"
deb=${1:?usage: $0 DEB RPM}
rpm=${2:?usage: $0 DEB RPM}
T=$(mktemp -d -t k2s-lists.XXXXXX) || exit 73
trap 'rm -rf "$T"' EXIT

normal() {
	sed -e 's|^/lib/systemd/system/|/usr/lib/systemd/system/|' \
	    -e 's|\.gz$||' |
	    grep -v -e '^/usr/share/doc/kerio2syslog/copyright$' \
	    -e '^/usr/share/doc/kerio2syslog/changelog$' \
	    -e '^/usr/share/licenses/' -e '^/usr/lib/\.build-id' \
	    -e '^/usr/share/lintian/overrides/kerio2syslog$' \
	    -e '^/etc/fail2ban/jail.d/kerio2syslog-debian-sshd.conf$' | sort
}
# Files and links only (the listing's first letter is the type).
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print substr($6, 2) }' | normal \
    >"$T/deb"
rpm -qlvp "$rpm" | awk '$1 !~ /^d/ { print $9 }' | normal >"$T/rpm"
check_diff "the .deb's files and the .rpm's, path for path" "$T/deb" "$T/rpm"

# Unpacked: the links in the documents resolve in each package (Debian
# would gzip a large Markdown file), and the .rpm's program is stripped as
# the .deb's is (RHEL strips when it splits the debug information out; a
# build without that does not).
mkdir "$T/deb-root" "$T/rpm-root"
dpkg-deb -x "$deb" "$T/deb-root"
rpm2archive - <"$rpm" | tar -C "$T/rpm-root" -xzf -
for root in deb-root rpm-root; do
	doc_links "$T/$root/usr/share/doc/kerio2syslog"
	check "the ${root%-root}'s program is stripped (no .symtab)" 0 \
	    "$({ readelf -S "$T/$root/usr/bin/kerio2syslog" || echo none; } |
	    grep -c -e '\.symtab' -e '^none$')"
done
# The README says what the .deb recommends.
check "the README names the .deb's recommendations" \
    "$(dpkg-deb -f "$deb" Recommends | tr -d ' ' | tr , '\n' | sort | xargs)" \
    "$(sed -n '/^The \.deb recommends/,/^$/p' "$TOP/README.md" |
    tr '\n' ' ' | sed 's/ so .*//' | grep -o '`[^`]*`' | tr -d '`' | sort | xargs)"
check "the .deb holds the program, its manual and the unit" 3 \
    "$(grep -c -e /usr/bin/kerio2syslog -e man1/kerio2syslog.1 \
    -e /kerio2syslog.service "$T/deb")"

# Each one's licence is where its distribution looks for it.
check "the .deb has debian/copyright" 1 "$(dpkg-deb -c "$deb" |
    grep -c ' \./usr/share/doc/kerio2syslog/copyright$')"
check "the .rpm marks LICENSE as its licence" 1 \
    "$(rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$rpm" |
    grep -c '/LICENSE l$')"
# The files in /etc are configuration each package manager keeps.
check "the .deb's conffiles" \
    "/etc/fail2ban/filter.d/kerio2syslog.conf /etc/fail2ban/jail.d/kerio2syslog-debian-sshd.conf /etc/fail2ban/jail.d/kerio2syslog-journal.conf /etc/fail2ban/jail.d/kerio2syslog.conf /etc/logrotate.d/kerio2syslog" \
    "$(dpkg-deb --ctrl-tarfile "$deb" |
    tar -xOf - ./conffiles | sort | xargs)"
check "the .rpm's %config(noreplace) files" \
    "/etc/fail2ban/filter.d/kerio2syslog.conf /etc/fail2ban/jail.d/kerio2syslog-journal.conf /etc/fail2ban/jail.d/kerio2syslog.conf /etc/logrotate.d/kerio2syslog" \
    "$(rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$rpm" |
    awk '$2 ~ /c/ && $2 ~ /n/ { print $1 }' | sort | xargs)"
finish
