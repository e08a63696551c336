#!/bin/sh
# Runs a Windows program under Wine's 64-bit loader, quietly, in the Wine prefix the test
# build owns (WINEPREFIX, made by wine-prefix.sh). ctest uses it as the cross-compiling
# emulator of every Windows test program.
#   wine-run.sh PROGRAM.exe [ARGS...]
set -eu
: "${WINEPREFIX:?WINEPREFIX must name the test prefix}"
export WINEPREFIX
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
exec /usr/lib/wine/wine64 "$@"
