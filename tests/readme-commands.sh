#!/usr/bin/env bash
# The README's two commands, run the way a newcomer runs them: the demo
# command first (it configures with -DBUILD_TESTING=OFF), then the test
# command in the same build directory. The test command once reused the
# cached BUILD_TESTING=OFF, and ctest passed with "No tests were found!!!":
# it must configure the tests itself and fail when there are none. And
# the demo's apt-get installs fewer packages than the test's (no
# libsystemd-dev): the test command once kept the demo's "no libsystemd"
# and skipped the journal tests, so it must find as many tests as a fresh
# configure. Here the demo configures with pkg-config seeing PCRE2 alone.
#
# The commands are read from README.md between their markers, as .ci/run
# reads the test command. apt-get is left out (the packages are there when
# this runs); the cmake and ctest steps run as written, in a copy of the
# source tree, except that the build is limited to one test program and
# ctest to its test, so that this test does not run the suite it is in.
# usage: readme-commands.sh SOURCE_DIR
set -u
src=${1:?usage: readme-commands.sh SOURCE_DIR}
pass=0 fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $1"
	[ -f "$2" ] && tail -20 "$2"
}

# command MARKER: the shell command in the ``` block after the marker.
command() {
	awk -v m="<!-- $1 -->" '$0 == m { want = 1; next }
	want && /^```/ { if (inside) exit; inside = 1; next }
	want && inside { print }' "$src/README.md"
}

# steps COMMAND PATTERN: its '&&'-separated steps that match PATTERN.
steps() {
	printf '%s\n' "$1" | sed 's/ && /\n/g' | sed 's/^ *//' | grep -E "$2"
}

demo=$(command demo-command)
test=$(command test-command)
[ -n "$demo" ] && ok || bad "README has a demo command" /dev/null
[ -n "$test" ] && ok || bad "README has a test command" /dev/null
demo_conf=$(steps "$demo" '^cmake -S')
test_steps=$(steps "$test" '^(cmake|ctest) ')
[ -n "$demo_conf" ] && ok || bad "demo command configures with cmake" /dev/null
printf '%s\n' "$test_steps" | grep -q '^ctest ' && ok ||
    bad "test command runs ctest" /dev/null

# One step, in the copy of the tree: the build limited to one test
# program, ctest to its test.
run_step() {
	local s=$1
	case $s in
	"cmake --build "*) s="$s --target test_stamp" ;;
	"ctest "*) s="$s -R ^unit_stamp\$" ;;
	esac
	(cd "$tmp/tree" && eval "$s")
}

mkdir "$tmp/tree"
tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . |
    tar -C "$tmp/tree" -xf -

# What the demo's packages give pkg-config: PCRE2 alone.
mkdir "$tmp/pc"
cp "$(pkg-config --variable=pcfiledir libpcre2-8)/libpcre2-8.pc" "$tmp/pc/"

# tests DIR: how many tests ctest finds in the build directory DIR.
tests() {
	ctest --test-dir "$1" -N | sed -n 's/^Total Tests: //p'
}

# 1. Demo then test command: the test configures, builds and runs.
{
	PKG_CONFIG_LIBDIR=$tmp/pc run_step "$demo_conf" ||
	    echo "demo configure failed"
	while IFS= read -r s; do
		run_step "$s" || echo "step failed: $s"
	done <<<"$test_steps"
} >"$tmp/log" 2>&1
if grep -q 'step failed\|configure failed' "$tmp/log"; then
	bad "demo then test command: every step succeeds" "$tmp/log"
else
	ok
fi
if grep -q '100% tests passed, 0 tests failed out of 1' "$tmp/log" &&
    ! grep -q 'No tests were found' "$tmp/log"; then
	ok
else
	bad "demo then test command: the tests ran" "$tmp/log"
fi
cmake -S "$tmp/tree" -B "$tmp/fresh" -DBUILD_TESTING=ON >"$tmp/fresh.log" 2>&1
want=$(tests "$tmp/fresh")
got=$(tests "$tmp/tree/build")
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok
else
	echo "FAIL: demo then test command: $got tests, a fresh configure $want"
	fail=$((fail + 1))
fi

# 2. A build directory without tests: the test command's ctest fails
# instead of passing on nothing.
rm -rf "$tmp/tree/build"
run_step "$demo_conf" >"$tmp/log2" 2>&1
if run_step "$(steps "$test" '^ctest ')" >>"$tmp/log2" 2>&1; then
	bad "ctest as the README runs it fails when no test exists" "$tmp/log2"
else
	ok
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
