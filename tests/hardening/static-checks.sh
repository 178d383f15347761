#!/bin/bash
# Static checks of src/: clang-tidy with the check set in .clang-tidy at
# the top of the tree (each exclusion is explained there), run with the
# build's compile_commands.json, and cppcheck. Both must be clean.
#
# usage: tests/hardening/static-checks.sh BUILD_DIR
# BUILD_DIR: any configured build tree (CMAKE_EXPORT_COMPILE_COMMANDS is
# on); a gcc tree works, clang-tidy drops the flags it does not know.
#
# cppcheck: --enable=warning,performance,portability; style is left to
# clang-format and review. A false positive is silenced where it stands
# with "// cppcheck-suppress ID" and a comment saying why (--inline-suppr).
# One check is off everywhere: readdirCalled (portability) wants
# readdir_r(3), which glibc and POSIX have deprecated in favour of
# readdir(3); the program has a single thread.
set -u
build=$(cd "${1:?usage: static-checks.sh BUILD_DIR}" && pwd) || exit 1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1

[ -f "$build/compile_commands.json" ] || {
	echo "static-checks.sh: no compile_commands.json in $build" >&2
	exit 1
}

failed=0
passed=0

echo "# clang-tidy $(clang-tidy --version | sed -n 's/.*version //p' |
    head -n 1) on src/*.c"
if clang-tidy -p "$build" --quiet src/*.c >"$build/clang-tidy.out" 2>&1 &&
    ! grep -qE '(warning|error): ' "$build/clang-tidy.out"; then
	passed=$((passed + 1))
	echo "ok - clang-tidy"
else
	failed=$((failed + 1))
	grep -E '(warning|error): ' "$build/clang-tidy.out"
	echo "not ok - clang-tidy"
fi

echo "# $(cppcheck --version) on src/"
if cppcheck --enable=warning,performance,portability --error-exitcode=1 \
    --inline-suppr --std=c11 --library=posix -D_GNU_SOURCE -I src -q \
    --suppress=missingIncludeSystem --suppress=readdirCalled src/ >"$build/cppcheck.out" 2>&1; then
	passed=$((passed + 1))
	echo "ok - cppcheck"
else
	failed=$((failed + 1))
	cat "$build/cppcheck.out"
	echo "not ok - cppcheck"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
