#!/bin/sh
# Runs one engine-vs-SIPp test and checks that both sides succeeded.
#
#   run_sipp_test.sh WORKDIR ORDER ENGINE_PEER [peer options...] -- [sipp options...]
#
# ORDER is "peer-first" (SIPp is the UAC: start engine_peer, then SIPp; when
# SIPp is done, engine_peer gets SIGTERM unless it already finished) or
# "sipp-first" (SIPp is the UAS: start it, then engine_peer, then wait for
# SIPp). SIPp runs in WORKDIR so its logs stay there. Every wait is bounded.
# ENGINE_PEER may be a wrapper (valgrind); SIPP_TEST_STARTUP (seconds, default
# 0.5) is how long the first program gets to start listening. RELAY_COMMAND,
# if set, is started first (a lossy relay between the two) and stopped last.
set -u

workdir=$1 order=$2 peer=$3
shift 3
peer_args=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    peer_args="$peer_args $1"
    shift
done
[ $# -gt 0 ] && shift
sipp_args="$*"

rm -rf "$workdir"
mkdir -p "$workdir"
cd "$workdir" || exit 2

LIMIT=60
relay_pid=
if [ -n "${RELAY_COMMAND:-}" ]; then
    # shellcheck disable=SC2086
    timeout -k 5 $LIMIT $RELAY_COMMAND >relay.log 2>&1 &
    relay_pid=$!
    sleep 0.2
fi
# How long the first program gets to bind its port (longer under valgrind).
STARTUP=${SIPP_TEST_STARTUP:-0.5}
peer_rc=0 sipp_rc=0

if [ "$order" = "peer-first" ]; then
    # shellcheck disable=SC2086
    timeout -k 5 $LIMIT "$peer" $peer_args >peer.log 2>&1 &
    peer_pid=$!
    sleep "$STARTUP"
    # shellcheck disable=SC2086
    timeout -k 5 $LIMIT sipp $sipp_args >sipp.log 2>&1
    sipp_rc=$?
    # A UAS with calls left to take (or none expected) is told to stop.
    i=0
    while kill -0 $peer_pid 2>/dev/null && [ $i -lt 30 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -TERM $peer_pid 2>/dev/null
    wait $peer_pid
    peer_rc=$?
else
    # shellcheck disable=SC2086
    timeout -k 5 $LIMIT sipp $sipp_args >sipp.log 2>&1 &
    sipp_pid=$!
    sleep "$STARTUP"
    # shellcheck disable=SC2086
    timeout -k 5 $LIMIT "$peer" $peer_args >peer.log 2>&1
    peer_rc=$?
    wait $sipp_pid
    sipp_rc=$?
fi

if [ -n "$relay_pid" ]; then
    kill -TERM $relay_pid 2>/dev/null
    wait $relay_pid
    cat relay.log
fi

if [ $peer_rc -ne 0 ] || [ $sipp_rc -ne 0 ]; then
    echo "FAILED: engine_peer exit $peer_rc, sipp exit $sipp_rc (logs in $workdir)"
    echo "---- engine_peer:"; cat peer.log
    echo "---- sipp:"; tail -40 sipp.log
    for f in *_errors.log; do [ -f "$f" ] && { echo "---- $f:"; tail -40 "$f"; }; done
    for f in *_messages.log; do [ -f "$f" ] && { echo "---- $f:"; tail -150 "$f"; }; done
    exit 1
fi
echo "ok: engine_peer and sipp both succeeded"
exit 0
