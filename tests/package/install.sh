#!/bin/bash
# "cmake --install" into a staging DESTDIR puts every file a user needs in
# place: the program, the manual, the systemd unit (in the directory systemd
# reads, its ExecStart= the installed program), the logrotate file, the
# fail2ban filter and jails under their installed names, README, the
# guides it links to and licence as documentation; nothing else, and each
# file the shipped one.  The manual's FILES names what is installed, and
# the links in the installed documents resolve among them.  The
# examples under the documentation directory are tests/several/install.sh's.
# "cmake --install --prefix DIR" writes nothing outside DIR when the
# configured prefix is not /usr (whose /etc and unit directory are outside).
#
# usage: install.sh BUILD_DIR   (a configured and built tree)
set -u
. "$(dirname "$0")/lib.sh"
build=${1:?usage: $0 BUILD_DIR}
cache=$build/CMakeCache.txt
[ -f "$cache" ] || { echo "$build is not a CMake build tree" >&2; exit 64; }
cached() {
	sed -n "s/^$1:[A-Z]*=//p" "$cache"
}
prefix=$(cached CMAKE_INSTALL_PREFIX)
unitdir=$(cached K2S_SYSTEMD_UNITDIR)
if [ -z "$unitdir" ]; then
	# As CMakeLists.txt: systemd.pc's for its own prefix, else PREFIX's.
	unitdir=$prefix/lib/systemd/system
	[ "$(pkg-config --variable=prefix systemd 2>/dev/null)" = "$prefix" ] &&
	    unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
fi
# GNUInstallDirs: /etc for the prefix /usr, PREFIX/etc otherwise.
etc=$prefix/etc
[ "$prefix" = /usr ] && etc=/etc

T=$(mktemp -d -t k2s-install.XXXXXX) || exit 73
trap 'rm -rf "$T"' EXIT
stage=$T/stage
if DESTDIR=$stage cmake --install "$build" >"$T/log" 2>&1; then
	ok "cmake --install into DESTDIR"
else
	not_ok "cmake --install failed:"
	sed 's/^/    /' "$T/log"
	finish
fi

sort >"$T/want" <<LIST
$prefix/bin/kerio2syslog
$prefix/share/doc/kerio2syslog/LICENSE
$prefix/share/doc/kerio2syslog/README.md
$prefix/share/doc/kerio2syslog/contrib/fail2ban/README.md
$prefix/share/doc/kerio2syslog/contrib/several/README.md
$prefix/share/doc/kerio2syslog/contrib/systemd/README.md
$prefix/share/doc/kerio2syslog/kerio-store.conf.example
$prefix/share/man/man1/kerio2syslog.1
$unitdir/kerio2syslog.path
$unitdir/kerio2syslog.service
$etc/fail2ban/filter.d/kerio2syslog.conf
$etc/fail2ban/jail.d/kerio2syslog-journal.conf
$etc/fail2ban/jail.d/kerio2syslog.conf
$etc/logrotate.d/kerio2syslog
LIST
(cd "$stage" && find . -type f -o -type l) | sed 's/^\.//' |
    grep -v "^$prefix/share/doc/kerio2syslog/examples/" | sort >"$T/have"
check_diff "installed files (prefix $prefix, units in $unitdir)" \
    "$T/want" "$T/have"

same() {
	if cmp -s "$TOP/$1" "$stage$2"; then
		ok "$2 is $1"
	else
		not_ok "$2 differs from $1"
	fi
}
same man/kerio2syslog.1 "$prefix/share/man/man1/kerio2syslog.1"
same contrib/fail2ban/filter.d/kerio.conf \
    "$etc/fail2ban/filter.d/kerio2syslog.conf"
same contrib/fail2ban/jail.d/kerio2syslog.conf \
    "$etc/fail2ban/jail.d/kerio2syslog.conf"
same contrib/fail2ban/jail.d/kerio2syslog-journal.conf \
    "$etc/fail2ban/jail.d/kerio2syslog-journal.conf"
same contrib/logrotate.d/kerio2syslog "$etc/logrotate.d/kerio2syslog"
same LICENSE "$prefix/share/doc/kerio2syslog/LICENSE"

unit=$stage$unitdir/kerio2syslog.service
check "the unit's ExecStart= runs the installed program" \
    "$prefix/bin/kerio2syslog --format rfc3339 --follow" \
    "$(sed -n 's/^ExecStart=\(.* --follow\) .*/\1/p' "$unit")"
check "the unit has no placeholder left" 0 "$(grep -c "@[A-Z_]*@" "$unit")"
check "the installed program runs" "kerio2syslog $(project_version)" \
    "$("$stage$prefix/bin/kerio2syslog" --version 2>&1)"
modes=$(cd "$stage" && find . -type f ! -path '*/doc/kerio2syslog/examples/*' \
    -printf '%m\n' | sort | uniq -c | awk '{ print $2 "x" $1 }' | xargs)
check "modes: the program 0755, every other file 0644" "644x13 755x1" "$modes"

# The manual's FILES names every configuration file and the unit as the
# packages install them (/etc, Debian's unit directory), and no other; the
# files it names in the documentation directory are there.
man=$TOP/man/kerio2syslog.1
awk '/^\.Sh FILES/ { on = 1; next } /^\.Sh / { on = 0 }
	on && /^\.It Pa / { print $3 }' "$man" |
    grep -E '^/(etc|lib/systemd/system)/.*[^/]$' | sort >"$T/man-files"
(cd "$stage" && find ".$etc" ".$unitdir" -type f) |
    sed "s|^\.$etc/|/etc/|; s|^\.$unitdir/|/lib/systemd/system/|" |
    sort >"$T/etc-files"
check_diff "the manual's FILES: the configuration files and the unit" \
    "$T/man-files" "$T/etc-files"
for f in $(grep -o '/usr/share/doc/kerio2syslog/[^ ]*[^ /.,]' "$man" | sort -u); do
	if [ -e "$stage$prefix${f#/usr}" ]; then
		ok "the manual's $f is installed"
	else
		not_ok "the manual names $f, which is not installed"
	fi
done

doc_links "$stage$prefix/share/doc/kerio2syslog"

if [ "$prefix" != /usr ]; then
	# Staged too (DESTDIR), so that a file that would land outside DIR
	# lands in the stage, not on this machine.
	moved=$T/moved
	DESTDIR=$T/stage2 cmake --install "$build" --prefix "$moved" \
	    >"$T/log" 2>&1
	check "cmake --install --prefix DIR" 0 $?
	check "every file it installed is under DIR" "" \
	    "$(grep -v "^$moved/" "$build/install_manifest.txt")"
fi
finish
