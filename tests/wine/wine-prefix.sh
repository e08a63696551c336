#!/bin/sh
# Creates the test build's Wine prefix (about 3 s; done once per build directory), so the
# Windows tests that run in parallel afterwards do not race to create it.
#   wine-prefix.sh PREFIX
set -eu
prefix=$1
# A wineserver still running for this prefix (a run before this one left it) lives in that
# run's network namespace, and every Wine socket would be opened there: end it first.
if [ -d "$prefix" ]; then
  WINEPREFIX="$prefix" timeout 30 /usr/lib/wine/wineserver -k 2>/dev/null || true
  WINEPREFIX="$prefix" timeout 30 /usr/lib/wine/wineserver -w 2>/dev/null || true
fi
if [ -f "$prefix/system.reg" ]; then
  echo "wine prefix: $prefix (exists)"
  exit 0
fi
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
/usr/lib/wine/wine64 wineboot -i
timeout 300 /usr/lib/wine/wineserver -w
[ -f "$prefix/system.reg" ] || { echo "wine prefix: wineboot made no $prefix/system.reg" >&2; exit 1; }
echo "wine prefix: $prefix (created)"
