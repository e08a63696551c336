#!/bin/sh
# Runs a Windows program under Wine's 64-bit loader, quietly, in the Wine prefix the test
# build owns (WINEPREFIX, made by wine-prefix.sh). ctest uses it as the cross-compiling
# emulator of every Windows test program; run-legacy.sh runs every Wine command with it.
#   wine-run.sh PROGRAM.exe [ARGS...]
#
# Returns when the program exits, with its exit status, not when our output closes: the
# Wine processes a program starts (services.exe, winedevice.exe, plugplay.exe, svchost.exe
# ...) inherit its standard output and error and live on while any other program uses the
# prefix. Given ctest's pipe, they kept it open after the program had exited, and ctest
# waited for them until the last Wine test ended or its own TIMEOUT struck. So the program
# writes to files of its own, copied to our output as they grow.
#
# The program gets RTCSHIM_WINE_SECONDS (default 240) times RTCSHIM_TEST_TIME_SCALE seconds;
# then it is killed and we exit 124 after its output: a hang ends here, with what it
# printed, before ctest's TIMEOUT (tests/wine/CMakeLists.txt sets it higher).
set -eu
: "${WINEPREFIX:?WINEPREFIX must name the test prefix}"
export WINEPREFIX
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"

scale=${RTCSHIM_TEST_TIME_SCALE:-1}
case $scale in '' | *[!0-9]* | 0*) scale=1 ;; esac
seconds=$((${RTCSHIM_WINE_SECONDS:-240} * scale))

files=$(mktemp -d "${TMPDIR:-/tmp}/wine-run.XXXXXX")
trap 'rm -rf "$files"' EXIT
: >"$files/out"
# One file when our output and error are the same (ctest's pipe), so the lines keep their
# order; two otherwise (e.g. $(wine-run.sh winepath ...) 2>/dev/null).
if [ "$(stat -L -c %d:%i /proc/$$/fd/1)" = "$(stat -L -c %d:%i /proc/$$/fd/2)" ]; then
  err="$files/out"
else
  err="$files/err"
  : >"$err"
fi
# timeout: the program is the wine64 process itself (the Windows process's loader).
if [ "$err" = "$files/out" ]; then
  timeout --foreground -k 10 "$seconds" /usr/lib/wine/wine64 "$@" >"$files/out" 2>&1 </dev/null &
else
  timeout --foreground -k 10 "$seconds" /usr/lib/wine/wine64 "$@" >"$files/out" 2>"$err" </dev/null &
fi
program=$!
# Copies that end once the program has gone (tail looks every 0.2 s, then copies the rest).
tail -s 0.2 -n +1 -f --pid=$program "$files/out" &
copies=$!
if [ "$err" != "$files/out" ]; then
  tail -s 0.2 -n +1 -f --pid=$program "$err" >&2 &
  copies="$copies $!"
fi
status=0
wait $program || status=$?
# shellcheck disable=SC2086
wait $copies || true
if [ $status -eq 124 ]; then
  echo "wine-run.sh: $1 did not end within $seconds s; killed" >&2
fi
exit $status
