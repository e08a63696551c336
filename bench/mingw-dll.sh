#!/bin/sh
# rtcshim.dll's build figures: the dependency chain's time per step (cold: as the last
# uncached run of tools/mingw/build-deps.sh measured it, wall clock), a cached run of the
# chain timed now, and the DLL's size and imports.
#   bench/mingw-dll.sh [BUILD_DIR]     (default build-mingw; build it with tools/mingw/build-dll.sh)
# The cold times are wall-clock seconds of the run that built the cached prefix, on whatever
# load the machine had then: compare them only with the load average printed with them.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build-mingw}
"$top/bench/stamp.sh"
t0=$(date +%s%N)
prefix=$("$top/tools/mingw/build-deps.sh" 2>/dev/null | tail -n 1)
t1=$(date +%s%N)
echo "chain prefix: $prefix ($(du -sh "$prefix" | cut -f1))"
total=0
for step in sources libosip2 libffi pcre2 intl glib openssl glib-networking cmocka libxml2; do
  if [ -f "$prefix/.step-$step" ]; then
    s=$(cat "$prefix/.step-$step")
    total=$((total + s))
    echo "cold step $step: $s s"
  fi
done
echo "cold chain, sum of the steps: $total s"
echo "cached chain: $(( (t1 - t0) / 1000000 )) ms"
if [ -f "$build/rtcshim.dll" ]; then
  echo "rtcshim.dll: $(stat -c %s "$build/rtcshim.dll") bytes (stripped)"
  echo "imports: $(x86_64-w64-mingw32-objdump -p "$build/rtcshim.dll" | sed -n 's/^\tDLL Name: //p' | tr '\n' ' ')"
  echo "exports: $(x86_64-w64-mingw32-objdump -p "$build/rtcshim.dll" | sed -n '/Ordinal\/Name Pointer/,/^$/p' | sed -n 's/^\t\[ *[0-9]*\] //p' | tr '\n' ' ')"
fi
