#!/bin/sh
# The main demo: set-up, build, then run it.
# For now: the legacy RTC application, compiled against the installed tree with
# nothing but pkg-config, creating and driving an RTCClient.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/tools/setup-debian.sh"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
exec "$top/tests/legacy/run-legacy.sh" build .
