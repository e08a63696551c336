#!/bin/sh
# Three engines through a real Record-Routing proxy and registrar (kamailio):
# REGISTER, MESSAGE, INVITE, re-INVITE, REFER/NOTIFY and BYE (proxy_peers.c),
# then the proxy's own log must show every in-dialog request relayed by
# loose routing (so each carried the proxy's Route).
#
#   proxy_kamailio.sh WORKDIR PROXY_PEERS KAMAILIO_CFG udp|tcp
#
# Runs inside a private network namespace with only loopback (unshare --net),
# so kamailio and the engines can use fixed ports and nothing leaves the
# machine. Exit 77 (skipped) without kamailio or without a way to make the
# namespace. Every wait is bounded.
set -u

workdir=$1 peers=$2 config=$3 transport=$4
PORT=5060

if [ "${PROXY_TEST_INSIDE:-}" != 1 ]; then
    command -v kamailio >/dev/null 2>&1 || { echo "skipped: kamailio is not installed"; exit 77; }
    if ! unshare --net true 2>/dev/null; then
        echo "skipped: cannot make a private network namespace (unshare --net needs root)"
        exit 77
    fi
    PROXY_TEST_INSIDE=1 exec unshare --net sh -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi

rm -rf "$workdir"
mkdir -p "$workdir/run"
cd "$workdir" || exit 2
sed "s/PORT/$PORT/g" "$config" >kamailio.cfg

# RTCSHIM_TEST_TIME_SCALE stretches every bound on a busy machine (tests/common/test_time.h).
SCALE=${RTCSHIM_TEST_TIME_SCALE:-1}
case $SCALE in ''|*[!0-9]*|0) SCALE=1 ;; esac
timeout -k 5 $((60 * SCALE)) kamailio -DD -E -f kamailio.cfg -Y "$workdir/run" >kamailio.log 2>&1 &
kamailio_pid=$!
i=0
until ss -lun 2>/dev/null | grep -q ":$PORT " && ss -ltn 2>/dev/null | grep -q ":$PORT "; do
    i=$((i + 1))
    if [ $i -gt $((50 * SCALE)) ] || ! kill -0 $kamailio_pid 2>/dev/null; then
        echo "FAILED: kamailio did not start"; cat kamailio.log; exit 1
    fi
    sleep 0.1
done

proxy="sip:127.0.0.1:$PORT"
[ "$transport" = tcp ] && proxy="$proxy;transport=tcp"
timeout -k 5 $((60 * SCALE)) "$peers" --proxy "$proxy" --transport "$transport" --port 5061 >peers.log 2>&1
peers_rc=$?

kill -TERM $kamailio_pid 2>/dev/null
wait $kamailio_pid 2>/dev/null

status=0
[ $peers_rc -eq 0 ] || { echo "FAILED: proxy_peers exit $peers_rc"; status=1; }
# What the proxy saw: initial requests with the preloaded Route, and every
# in-dialog request relayed along the recorded route.
for what in "PRELOADED REGISTER" "PRELOADED MESSAGE" "PRELOADED INVITE" "RELAY initial INVITE" \
            "RELAY in-dialog ACK" "RELAY in-dialog INVITE" "RELAY in-dialog REFER" "RELAY in-dialog NOTIFY" \
            "RELAY in-dialog BYE"; do
    if grep -q "$what" kamailio.log; then
        echo "ok: proxy log has \"$what\""
    else
        echo "FAILED: proxy log lacks \"$what\""
        status=1
    fi
done
if grep -q "REFUSE in-dialog" kamailio.log; then
    echo "FAILED: an in-dialog request came without the proxy's Route"
    status=1
fi
if [ $status -ne 0 ]; then
    echo "---- proxy_peers:"; cat peers.log
    echo "---- kamailio (NOTICE and errors):"; grep -E "NOTICE|ERROR|CRITICAL" kamailio.log | tail -80
    exit 1
fi
cat peers.log
echo "ok: engines through kamailio ($transport)"
exit 0
