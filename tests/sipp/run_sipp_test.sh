#!/bin/sh
# Runs one engine-vs-SIPp test and checks that both sides succeeded.
#
#   run_sipp_test.sh WORKDIR ORDER ENGINE_PEER [peer options...] -- [sipp options...]
#
# ORDER is "peer-first" (SIPp is the UAC: start engine_peer, then SIPp; when
# SIPp is done, engine_peer gets SIGTERM unless it already finished) or
# "sipp-first" (SIPp is the UAS: start it, then engine_peer, then wait for
# SIPp). SIPp runs in WORKDIR so its logs stay there. Every wait is bounded;
# the second program starts once the first listens. ENGINE_PEER may be a
# wrapper (valgrind). RELAY_COMMAND,
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

# RTCSHIM_TEST_TIME_SCALE (a whole number, default 1) multiplies every bound
# here and every --timeout/-timeout given to the programs, so a busy machine
# gets longer bounds (tests/common/test_time.h).
SCALE=${RTCSHIM_TEST_TIME_SCALE:-1}
case $SCALE in ''|*[!0-9]*|0) SCALE=1 ;; esac
LIMIT=$((60 * SCALE))
scale_timeouts() {
    # prints its arguments with the number after --timeout/-timeout multiplied
    out="" next=""
    for a in "$@"; do
        if [ -n "$next" ]; then
            n=${a%s}
            case $n in ''|*[!0-9]*) ;; *) a=$((n * SCALE))${a#"$n"} ;; esac
            next=""
        fi
        case $a in --timeout|-timeout) next=1 ;; esac
        out="$out $a"
    done
    printf '%s' "$out"
}
# shellcheck disable=SC2086
peer_args=$(scale_timeouts $peer_args)
# shellcheck disable=SC2086
sipp_args=$(scale_timeouts $sipp_args)

# wait_listening PROTO PORT: until something listens there (bounded), so the
# second program never talks to a port that is not open yet (a TCP connect
# would fail, a UDP request wait for its retransmission).
wait_listening() {
    i=0
    [ "$1" = tcp ] && flag=-Hltn || flag=-Hlun
    while [ $i -lt $((100 * SCALE)) ]; do
        ss $flag "sport = :$2" 2>/dev/null | grep -q . && return 0
        sleep 0.05
        i=$((i + 1))
    done
    echo "run_sipp_test: nothing listens on $1 port $2"
}
# The ports: engine_peer's --port and --transport, SIPp's -p and -t.
peer_port=$(printf '%s\n' $peer_args | sed -n '/^--port$/{n;p;q}')
peer_proto=$(printf '%s\n' $peer_args | sed -n '/^--transport$/{n;p;q}')
# ucc_incoming listens where its --uri says (sip:ucc@127.0.0.1:PORT), over UDP
[ -n "$peer_port" ] || peer_port=$(printf '%s\n' $peer_args | sed -n '/^--uri$/{n;s/^sip:[^@]*@127\.0\.0\.1:\([0-9]*\).*/\1/p;q}')
sipp_port=$(printf '%s\n' $sipp_args | sed -n '/^-p$/{n;p;q}')
case "$sipp_args" in *"-t t1"*) sipp_proto=tcp ;; *) sipp_proto=udp ;; esac
relay_pid=
if [ -n "${RELAY_COMMAND:-}" ]; then
    # shellcheck disable=SC2086
    timeout -k 5 $LIMIT $RELAY_COMMAND >relay.log 2>&1 &
    relay_pid=$!
    sleep 0.2
fi
peer_rc=0 sipp_rc=0

if [ "$order" = "peer-first" ]; then
    # shellcheck disable=SC2086
    timeout -k 5 $LIMIT "$peer" $peer_args >peer.log 2>&1 &
    peer_pid=$!
    if [ -n "$peer_port" ]; then wait_listening "${peer_proto:-udp}" "$peer_port"; else sleep 0.5; fi
    # shellcheck disable=SC2086
    timeout -k 5 $LIMIT sipp $sipp_args >sipp.log 2>&1
    sipp_rc=$?
    # A UAS with calls left to take (or none expected) is told to stop.
    i=0
    while kill -0 $peer_pid 2>/dev/null && [ $i -lt $((30 * SCALE)) ]; do
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
    if [ -n "$sipp_port" ]; then wait_listening "$sipp_proto" "$sipp_port"; else sleep 0.5; fi
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
