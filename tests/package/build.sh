#!/bin/bash
# Builds the Debian package (dpkg-buildpackage -us -uc -b) and the RPM
# (rpmbuild -bb contrib/rpm/kerio2syslog.spec) from a copy of the source
# tree, so that the tree stays clean and nothing lands beside it, and puts
# kerio2syslog_*.deb and kerio2syslog-*.rpm into OUTDIR.
#
# usage: build.sh OUTDIR [deb] [rpm]   (both when neither is named)
#
# Debian's rpmbuild has no RPM database of build dependencies (--nodeps)
# and no find-debuginfo (no debuginfo package here, RHEL builds one; so
# the spec strips the program itself, k2s_strip_all).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out=${1:?usage: $0 OUTDIR [deb] [rpm]}
shift
want=${*:-deb rpm}
mkdir -p "$out"
out=$(cd "$out" && pwd)
ver=$(project_version)
work=$(mktemp -d -t k2s-pkg.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/kerio2syslog-$ver
mkdir "$src"
tar -C "$TOP" --exclude-vcs --exclude='./build*' --exclude=./out \
    --exclude=./obj-* -cf - . | tar -C "$src" -xf -

case " $want " in
*" deb "*)
	echo "== dpkg-buildpackage -us -uc -b"
	(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/deb.log" 2>&1 || {
		tail -n 60 "$work/deb.log"
		exit 1
	}
	cp "$work"/kerio2syslog*_"$ver"_*.deb \
	    "$work"/kerio2syslog_"$ver"_*.changes "$out"/
	;;
esac
case " $want " in
*" rpm "*)
	echo "== rpmbuild -bb kerio2syslog.spec"
	mkdir -p "$work/rpm/SOURCES"
	tar -C "$work" --exclude="kerio2syslog-$ver/debian" -czf \
	    "$work/rpm/SOURCES/kerio2syslog-$ver.tar.gz" "kerio2syslog-$ver"
	rpmbuild -bb --nodeps --define "_topdir $work/rpm" \
	    --define 'debug_package %{nil}' --define 'k2s_strip_all 1' \
	    "$src/contrib/rpm/kerio2syslog.spec" >"$work/rpm.log" 2>&1 || {
		tail -n 60 "$work/rpm.log"
		exit 1
	}
	find "$work/rpm/RPMS" -name 'kerio2syslog-*.rpm' -exec cp {} "$out"/ \;
	;;
esac
ls -l "$out"
