#!/bin/sh
# The three-party transfer demo: alice calls bob, refers bob to carol, bob
# accepts and calls carol, alice sees DONE. Runs the samples on loopback
# (inside a private network namespace when tools/demo.sh starts it), then
# prints each party's events and a ladder of the SIP messages between them.
# usage: transfer-demo.sh BUILD_DIR
set -eu
samples="$1/samples"
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rtcshim-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export G_MESSAGES_DEBUG=rtcshim

"$samples/rtc_answer" --listen 127.0.0.1:25072 --uri sip:carol@127.0.0.1:25072 --hangup-after 2 --timeout 20 \
    >"$work/carol.trace" 2>&1 &
carol=$!
"$samples/rtc_answer" --listen 127.0.0.1:25071 --uri sip:bob@127.0.0.1:25071 --refer accept --timeout 20 \
    >"$work/bob.trace" 2>&1 &
bob=$!
sleep 0.5
status=0
"$samples/rtc_transfer" --bind 127.0.0.1:25070 --from sip:alice@127.0.0.1:25070 --wait 1 --cookie "ticket 42" \
    sip:bob@127.0.0.1:25071 sip:carol@127.0.0.1:25072 >"$work/alice.trace" 2>&1 || status=$?
wait "$bob" || status=$?
wait "$carol" || status=$?

# GLib's debug trace and the samples' own lines share each file: the samples' start with "[".
for who in alice bob carol; do
  echo "==== $who"
  grep -a '^\[' "$work/$who.trace" || true
done
echo "==== SIP ladder"
python3 "$top/tools/sip-ladder.py" alice=25070:"$work/alice.trace" bob=25071:"$work/bob.trace" \
    carol=25072:"$work/carol.trace"
if [ "$status" -eq 0 ]; then
  echo "demo: transfer DONE"
else
  echo "demo: FAILED (status $status)"
fi
exit "$status"
