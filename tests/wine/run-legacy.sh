#!/bin/sh
# A legacy Windows client against rtcshim.dll under Wine, with SIPp as the peer:
#   regsvr32 rtcshim.dll (and the registry entries it must write), the client, SIPp's
#   verdict on the wire, the client's verdict on events and HRESULTs, regsvr32 /u.
#
#   run-legacy.sh rtc|ucc DLL CLIENT.exe WORKDIR BASE-PORT
#
# rtc: the client (BASE) calls SIPp (BASE+2, tests/rtc-sipp/scenarios/transferee_done.xml),
#      refers it to carol, must see RTCSRS_DONE, hangs up.
# ucc: SIPp (BASE+2, tests/sipp/ucc/uac_accept.xml) calls the client (BASE), which answers;
#      SIPp hangs up.
# WINEPREFIX names the prefix (wine-prefix.sh made it). Loopback only: run inside a
# private network namespace (ctest is, under tools/check.sh). Every wait is bounded.
set -u
kind=$1 dll=$2 client=$3 work=$4 base=$5
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${WINEPREFIX:?}"
export WINEPREFIX
# Every Wine command through wine-run.sh: bounded (RTCSHIM_WINE_SECONDS), and the Wine
# processes it starts never hold our output open.
wine=$here/wine-run.sh
sipp_port=$((base + 2))
media_port=$((base + 10))
rm -rf "$work"
mkdir -p "$work"
failed=0
fail() { echo "FAIL: $*"; failed=1; }

command -v sipp >/dev/null || { echo "sipp is missing"; exit 77; }
dll_windows=$("$wine" winepath -w "$dll" 2>/dev/null)
[ -n "$dll_windows" ] || { echo "winepath failed"; exit 1; }

case $kind in
rtc) clsid='{7A42EA29-A2B7-40C4-B091-F6F024AA89BE}' ;;    # CLSID_RTCClient
ucc) clsid='{EC10E7E8-797E-4495-A86D-3E9EADA6D5BB}' ;;    # CLSID_UccPlatform
*) echo "usage: run-legacy.sh rtc|ucc DLL CLIENT WORKDIR BASE-PORT"; exit 2 ;;
esac

echo "== regsvr32 $dll_windows"
"$wine" regsvr32 /s "$dll_windows"
rc=$?
[ $rc -eq 0 ] || fail "regsvr32 exited $rc (3: the DLL does not load, 4: no DllRegisterServer, 5: registration failed)"
"$wine" reg query "HKCR\\CLSID\\$clsid\\InprocServer32" >"$work/registry.txt" 2>&1
tr -d '\r' <"$work/registry.txt"
grep -qi "ThreadingModel.*REG_SZ.*Apartment" "$work/registry.txt" || fail "no ThreadingModel Apartment under $clsid"
grep -qiF "$(basename "$dll")" "$work/registry.txt" || fail "InprocServer32 does not name the DLL"

# scenario FILE: a copy with the placeholders filled in.
scenario() {
  sed -e "s/@RTC_PORT@/$base/g" -e "s/@SIPP_PORT@/$sipp_port/g" -e "s/@TRANSPORT_PARAM@//g" \
      -e "s/@VIA_PROTO@/UDP/g" "$1" >"$work/$(basename "$1")"
  echo "$work/$(basename "$1")"
}

sipp_common="-m 1 -nostdin -timeout 25s -timeout_error -i 127.0.0.1 -p $sipp_port -mp $media_port -t u1
  -trace_msg -trace_err -message_file $work/sipp_messages.log -error_file $work/sipp_errors.log"
if [ "$kind" = rtc ]; then
  echo "== SIPp (transferee) on $sipp_port; the legacy client calls it from $base"
  # shellcheck disable=SC2086
  sipp -sf "$(scenario "$top/tests/rtc-sipp/scenarios/transferee_done.xml")" $sipp_common \
    >"$work/sipp.out" 2>&1 &
  sipp_pid=$!
  "$wine" "$client" "$base" "sip:bob@127.0.0.1:$sipp_port" \
    "sip:carol@127.0.0.1:5099" cookie-42 >"$work/client.out" 2>&1
  client_rc=$?
else
  echo "== the legacy client listens on $base; SIPp calls it from $sipp_port"
  "$wine" "$client" "$base" >"$work/client.out" 2>&1 &
  client_pid=$!
  i=0
  while ! grep -q "^\[ucc\] listening" "$work/client.out" 2>/dev/null && [ $i -lt 600 ] \
        && kill -0 $client_pid 2>/dev/null; do
    sleep 0.1; i=$((i + 1))
  done
  # shellcheck disable=SC2086
  sipp -sf "$top/tests/sipp/ucc/uac_accept.xml" $sipp_common 127.0.0.1:$base >"$work/sipp.out" 2>&1 &
  sipp_pid=$!
  wait $client_pid
  client_rc=$?
fi
i=0
while kill -0 $sipp_pid 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill $sipp_pid 2>/dev/null
wait $sipp_pid
sipp_rc=$?

tr -d '\r' <"$work/client.out"
[ $client_rc -eq 0 ] || fail "the client exited $client_rc"
if [ $sipp_rc -ne 0 ]; then
  fail "SIPp exited $sipp_rc"
  cat "$work/sipp.out" "$work/sipp_errors.log" 2>/dev/null | tail -20
fi
if [ "$kind" = rtc ]; then
  # The events in their order, from the client's own lines.
  tr -d '\r' <"$work/client.out" | grep '^\[legacy\] event: \(session\|refer\)' >"$work/events.txt"
  expected="[legacy] event: session INPROGRESS status 0
[legacy] event: session CONNECTED status 0
[legacy] event: session REFER status 0
[legacy] event: refer REFERRING status 0x00000000"
  [ "$(head -4 "$work/events.txt")" = "$expected" ] || fail "the first events differ from: $expected"
  grep -q '^\[legacy\] event: refer DONE' "$work/events.txt" || fail "no RTCSRS_DONE"
fi

echo "== regsvr32 /u"
"$wine" regsvr32 /s /u "$dll_windows" || fail "regsvr32 /u failed"
if "$wine" reg query "HKCR\\CLSID\\$clsid" >/dev/null 2>&1; then
  fail "$clsid is still registered"
fi
[ $failed -eq 0 ] && echo "PASS: legacy $kind client"
exit $failed
