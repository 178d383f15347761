#!/bin/bash
# The fail2ban tests that start from this machine's /etc/fail2ban (config,
# e2e) must pass on a machine where the package was ever installed: where
# /var/log/keriosecurity.log exists (apt purge keeps it), the jails and the
# filter are in /etc/fail2ban with an administrator's jail.local and
# filter.d/kerio2syslog.local beside them. Such a machine is made here in
# a private mount namespace (a tmpfs over /var/log, an overlay over
# /etc/fail2ban), so nothing outside this test changes. Root only: exit 77.
#
# usage: installed-here.sh path/to/kerio2syslog
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
need_root "a private mount namespace"
f2b_init unshare fail2ban-client

top=$HERE/../..
up=$T/up
mkdir -p "$up/jail.d" "$up/filter.d" "$T/work"
cp "$top"/contrib/fail2ban/jail.d/*.conf "$up/jail.d/"
cp "$FILTER" "$up/filter.d/kerio2syslog.conf"
printf '[kerio2syslog]\nmaxretry = 2\nenabled = false\n[kerio2syslog-journal]\nenabled = true\n' \
    >"$up/jail.local"
printf '[Init]\n# ours\n' >"$up/filter.d/kerio2syslog.local"

for t in config e2e; do
	unshare -m --propagation private bash -c '
	    mount -t tmpfs none /var/log && : >/var/log/keriosecurity.log &&
	    mount -t overlay overlay -o lowerdir="$1",upperdir="$2",workdir="$3" "$1" ||
	    exit 77
	    shift 3; exec "$@"' sh "$DISTRO" "$up" "$T/work" \
	    "$HERE/$t.sh" "$K2S" >"$T/$t.log" 2>&1
	rc=$?
	[ "$rc" -eq 77 ] && { echo "cannot make the machine here"; exit 77; }
	if [ "$rc" -eq 0 ]; then
		ok "$t.sh where the package was installed"
	else
		not_ok "$t.sh where the package was installed:"
		grep '^not ok' "$T/$t.log" | sed 's/^/    /'
	fi
done
f2b_finish
