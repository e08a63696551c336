#!/bin/sh
# The test suite on a busy machine: two CPU hogs run (one per core of a 2-core
# machine) while the whole ctest suite runs ROUNDS times in a row (default 3);
# any failure stops it. Tests must not depend on a quiet machine: their bounds
# scale with RTCSHIM_TEST_TIME_SCALE (default here 3; tests/common/test_time.h).
# usage: tools/busy-check.sh [BUILD_DIR] [ROUNDS]     (after tools/check.sh or a build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
rounds=${2:-3}
export RTCSHIM_TEST_TIME_SCALE=${RTCSHIM_TEST_TIME_SCALE:-3}

# ctest's TIMEOUTs take the scale when CMake configures.
cmake -S "$top" -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null

hogs=""
for _ in 1 2; do
  sh -c 'while :; do :; done' &
  hogs="$hogs $!"
done
trap 'kill $hogs 2>/dev/null' EXIT INT TERM

run_ctest() {
  if [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
    unshare --net sh -c 'ip link set lo up && exec ctest "$@"' ctest "$@"
  else
    ctest "$@"
  fi
}

round=1
while [ "$round" -le "$rounds" ]; do
  echo "== round $round of $rounds, with two CPU hogs (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  run_ctest --test-dir "$build" --output-on-failure -j"$(nproc 2>/dev/null || echo 2)"
  round=$((round + 1))
done
echo "busy-check: $rounds rounds passed"
