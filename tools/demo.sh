#!/bin/sh
# The main demo: set-up, build, then a three-party call transfer on loopback with
# the sample clients (alice calls bob, refers bob to carol, bob calls carol), with
# each party's events and a ladder of the SIP messages between them.
# It runs in a private network namespace (nothing but loopback) when it can.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/tools/setup-debian.sh"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
if [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
  exec unshare --net sh -c "ip link set lo up && exec '$top/tools/transfer-demo.sh' '$top/build'"
fi
exec "$top/tools/transfer-demo.sh" "$top/build"
