#!/bin/sh
# The whole test suite, as CI runs it: set-up, a -Werror build with every test,
# the unit tests under valgrind, bounded libFuzzer runs over the SIP message
# entry point and over transfer in established dialogs, then an ASan+UBSan
# build with every test again, and last rtcshim.dll cross-built with mingw-w64
# with its tests under Wine.
# usage: tools/check.sh            (from anywhere; builds in build/ and build-asan/)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

# ctest inside a private network namespace (only loopback) when we may: the tests'
# fixed loopback ports then collide with nothing else on the machine, and nothing
# a third-party peer tries can leave it.
run_ctest() {
  if [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
    unshare --net sh -c 'ip link set lo up && exec ctest "$@"' ctest "$@"
  else
    ctest "$@"
  fi
}

"$top/tools/setup-debian.sh"

# rtcshim.dll's dependency chain is cross-built from source (tools/mingw/build-deps.sh;
# cached outside the clone, so only a fresh machine pays) in the background, at low
# priority, while the Linux build and tests run: those spend much of their time waiting on
# the network. It runs in a session of its own so it can be stopped whole.
mkdir -p build
echo "== rtcshim.dll's dependency chain: building in the background (log build/mingw-deps.log)"
setsid -w nice -n 10 "$top/tools/mingw/build-deps.sh" >build/mingw-deps.log 2>&1 &
deps_pid=$!
trap 'kill -- -$deps_pid 2>/dev/null || true' EXIT

echo "== build (gcc, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTCSHIM_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
run_ctest --test-dir build --output-on-failure -j"$jobs"

echo "== unit tests under valgrind"
supp=""
for f in /usr/share/glib-2.0/valgrind/glib.supp "$top/tests/valgrind/media.supp"; do
  [ -f "$f" ] && supp="$supp --suppressions=$f"
done
vg_failed=0
vg_count=0
for t in build/tests/unit_*; do
  [ -x "$t" ] || continue
  vg_count=$((vg_count + 1))
  # shellcheck disable=SC2086
  if ! G_SLICE=always-malloc G_DEBUG=gc-friendly valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
       --error-exitcode=99 $supp "$t" >"build/valgrind-$(basename "$t").log" 2>&1; then
    echo "valgrind: $(basename "$t") FAILED"; cat "build/valgrind-$(basename "$t").log"; vg_failed=$((vg_failed + 1))
  fi
done
echo "valgrind: $((vg_count - vg_failed)) passed, $vg_failed failed"
[ "$vg_failed" -eq 0 ]

echo "== fuzz the SIP message entry point, the presence document readers and in-dialog transfer (clang libFuzzer, bounded)"
"$top/tools/fuzz.sh" "${RTCSHIM_FUZZ_SECONDS:-60}"

echo "== build (ASan + UBSan) and every test again"
# Whole allocation stacks under ASan (cmake/test_time_scale.cmake) make start-up several times
# slower: the tests' waits and ctest's limits stretch with the scale (tests/common/test_time.h).
export RTCSHIM_TEST_TIME_SCALE=${RTCSHIM_TEST_TIME_SCALE:-3}
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRTCSHIM_WERROR=ON -DRTCSHIM_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS=abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== rtcshim.dll (mingw-w64, -Werror) and its tests under Wine"
if ! wait "$deps_pid"; then
  echo "the dependency chain failed:"; tail -n 60 build/mingw-deps.log; exit 1
fi
trap - EXIT
grep '^build-deps:' build/mingw-deps.log
prefix=$(tail -n 1 build/mingw-deps.log)
cmake -S . -B build-mingw -DCMAKE_TOOLCHAIN_FILE="$top/cmake/mingw-w64-x86_64.cmake" \
  -DRTCSHIM_MINGW_PREFIX="$prefix" -DCMAKE_BUILD_TYPE=Release -DRTCSHIM_WERROR=ON >/dev/null
cmake --build build-mingw -j"$jobs"
ls -l build-mingw/rtcshim.dll
run_ctest --test-dir build-mingw --output-on-failure -j"$jobs"
