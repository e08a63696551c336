#!/bin/sh
# Builds rtcshim.dll with mingw-w64: the dependency chain (tools/mingw/build-deps.sh,
# cached), then the DLL and its Windows tests in BUILD_DIR (default build-mingw).
#   tools/mingw/build-dll.sh [BUILD_DIR] [extra cmake arguments...]
# Prints the DLL's path last. Run the tests with
#   unshare --net sh -c 'ip link set lo up && exec ctest --test-dir BUILD_DIR -L wine'
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build-mingw}
[ $# -gt 0 ] && shift
prefix=$("$top/tools/mingw/build-deps.sh" | tail -n 1)
cmake -S "$top" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$top/cmake/mingw-w64-x86_64.cmake" \
  -DRTCSHIM_MINGW_PREFIX="$prefix" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >&2
echo "$(cd "$build" && pwd)/rtcshim.dll"
