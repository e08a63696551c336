#!/bin/sh
# Creates the test build's Wine prefix (about 3 s; done once per build directory), so the
# Windows tests that run in parallel afterwards do not race to create it.
#   wine-prefix.sh PREFIX
set -eu
prefix=$1
if [ -f "$prefix/system.reg" ]; then
  echo "wine prefix: $prefix (exists)"
  exit 0
fi
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
/usr/lib/wine/wine64 wineboot -i
/usr/lib/wine/wineserver -w
[ -f "$prefix/system.reg" ] || { echo "wine prefix: wineboot made no $prefix/system.reg" >&2; exit 1; }
echo "wine prefix: $prefix (created)"
