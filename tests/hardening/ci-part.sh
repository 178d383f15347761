#!/bin/bash
# Hardening part of CI (issue 5), called from .ci/run, as root on a fresh
# Debian 12 machine. Needs these packages (apt):
#   build-essential cmake pkg-config libpcre2-dev libcmocka-dev
#   clang libclang-rt-14-dev   (libFuzzer, ASan, UBSan)
#   valgrind cppcheck clang-tidy time util-linux (setpriv, unshare)
#
# 1. the libFuzzer targets (stamp, joiner, convert, state), FUZZ_SECONDS
#    (default 60) each;
# 2. the unit tests and the program's golden, CLI and fault runs under
#    valgrind memcheck;
# 3. clang-tidy and cppcheck on src/.
# The hardening ctest label (bounded memory, faults, regressions) runs
# with the rest of the suite, in the normal and the Asan build.
# About 6.5 minutes on two cores (4 fuzzers x 60 s, valgrind 3.5 min).
# Exits non-zero if any part fails, after running them all.
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=${FUZZ_SECONDS:-60}
jobs=$(nproc 2>/dev/null || echo 2)
start=$SECONDS
status=0
part() { printf '\n--- %s (%ds)\n' "$*" "$((SECONDS - start))"; }

part "build for valgrind and the static checks (build-hard)"
if ! { cmake -S . -B build-hard -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >/dev/null && cmake --build build-hard -j "$jobs" >/dev/null; }; then
	echo "build-hard: build failed"
	exit 1
fi

part "fuzzers, ${secs}s each"
tests/fuzz/run-fuzzers.sh "$secs" build-fuzz || status=1

part "valgrind memcheck"
tests/hardening/valgrind-ctest.sh build-hard || status=1

part "static checks"
tests/hardening/static-checks.sh build-hard || status=1

part "hardening: $([ "$status" -eq 0 ] && echo passed || echo FAILED)"
exit "$status"
