#!/bin/bash
# The test suite under valgrind memcheck: every cmocka unit test program
# of BUILD_DIR, and the program as the golden, CLI, fault and follow-mode
# process tests run it (through a wrapper that starts it under
# valgrind). Fails on any memcheck error, any definite or indirect leak,
# and any failing test.
#
# usage: tests/hardening/valgrind-ctest.sh BUILD_DIR
# BUILD_DIR: a plain (not Asan) build with the tests built.
set -u
build=$(cd "${1:?usage: valgrind-ctest.sh BUILD_DIR}" && pwd) || exit 1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=$build/kerio2syslog

command -v valgrind >/dev/null || {
	echo "valgrind-ctest.sh: valgrind is not installed" >&2
	exit 1
}
[ -x "$bin" ] || {
	echo "valgrind-ctest.sh: no $bin (build first)" >&2
	exit 1
}

T=$(mktemp -d "${TMPDIR:-/tmp}/k2s-vg.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
mkdir "$T/logs"
# Some tests run the program as nobody (follow/process.sh, unreadable
# input): it must reach the wrapper and write its log.
chmod 0711 "$T"
chmod 1777 "$T/logs"

VG="valgrind --error-exitcode=99 --leak-check=full"
VG="$VG --errors-for-leak-kinds=definite,indirect"
VG="$VG --show-leak-kinds=definite,indirect --num-callers=30"
VG="$VG --suppressions=$here/valgrind.supp"

# The program as the shell tests see it: same arguments, same exit
# status, one valgrind log per process.
cat >"$T/kerio2syslog" <<WRAP
#!/bin/sh
exec $VG --log-file="$T/logs/prog.%p.log" "$bin" "\$@"
WRAP
chmod 0755 "$T/kerio2syslog"

passed=0
failed=0
result() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $1"
	else
		failed=$((failed + 1))
		echo "not ok - $1 (exit $2)"
	fi
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	$VG --log-file="$T/logs/$name.log" "$t" >"$T/$name.out" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] && tail -n 20 "$T/$name.out"
	result "$name under valgrind" "$rc"
done

# Under valgrind the program runs some 20 times slower, and a test with
# a time bound (cli.sh: the flush timeout) can miss it; a failing script
# gets one more run. Memcheck findings of either run are never forgiven.
run_script() {
	local script=$1
	shift
	[ -x "$script" ] || return 0
	"$script" "$T/kerio2syslog" "$@" >"$T/script.out" 2>&1 ||
	    "$script" "$T/kerio2syslog" "$@" >"$T/script.out" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] && grep -vE '^(ok|PASS)' "$T/script.out" | tail -n 30
	result "${script#"$top"/} with the program under valgrind" "$rc"
}
run_script "$top/tests/golden.sh" "$top/tests/data"
run_script "$top/tests/cli.sh" "$top/tests/data"
run_script "$here/faults.sh"
run_script "$top/tests/follow/process.sh"

# A process killed by a signal (or timeout) exits 99 no more; its log
# still holds the summary. Any error or leak in any log fails.
bad=0
for log in "$T"/logs/*.log; do
	[ -f "$log" ] || continue
	if grep -qE 'ERROR SUMMARY: [1-9]|(definitely|indirectly) lost: [1-9]' \
	    "$log"; then
		echo "# memcheck findings in $(basename "$log"):"
		sed 's/^==[0-9]*== /#   /' "$log" | head -n 60
		bad=$((bad + 1))
	fi
done
result "no memcheck error in $(ls "$T"/logs | wc -l) valgrind logs" "$bad"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
