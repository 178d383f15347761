#!/bin/sh
# Applies the pull request to a fail2ban source tree, as its reviewers would
# merge it: the filter as config/filter.d/kerio.conf, the samples (kerio)
# after those of fail2ban/tests/files/logs/kerio, which stay as they are
# (fail2ban's, under its licence), the [kerio] stanza in place of the one in
# config/jail.conf, and the ChangeLog entry at the head of the development
# section's "New Features and Enhancements" (when the tree has a ChangeLog:
# an installed fail2ban has none).
#
# usage: apply.sh FAIL2BAN-TREE
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tree=${1:?usage: apply.sh FAIL2BAN-TREE}

cp "$here/../filter.d/kerio.conf" "$tree/config/filter.d/kerio.conf"
printf '\n' >>"$tree/fail2ban/tests/files/logs/kerio"
cat "$here/kerio" >>"$tree/fail2ban/tests/files/logs/kerio"

# The stanza runs from "[kerio]" to the next section or comment.
grep -qx '\[kerio\]' "$tree/config/jail.conf" || {
	echo "apply.sh: no [kerio] in $tree/config/jail.conf" >&2
	exit 1
}
awk -v stanza="$here/jail.conf" '
	$0 == "[kerio]" { while ((getline l < stanza) > 0) print l; print ""; print ""
		skip = 1; next }
	skip && /^(\[|#)/ { skip = 0 }
	!skip' "$tree/config/jail.conf" >"$tree/config/jail.conf.new"
mv "$tree/config/jail.conf.new" "$tree/config/jail.conf"

[ -f "$tree/ChangeLog" ] || exit 0
grep -q '^### New Features and Enhancements' "$tree/ChangeLog" || {
	echo "apply.sh: no New Features section in $tree/ChangeLog" >&2
	exit 1
}
awk -v entry="$here/ChangeLog" '
	!done && /^### New Features and Enhancements/ { print
		while ((getline l < entry) > 0) print l; done = 1; next }
	{ print }' "$tree/ChangeLog" >"$tree/ChangeLog.new"
mv "$tree/ChangeLog.new" "$tree/ChangeLog"
