#!/bin/bash
# The SIP engine's benchmark: prints figures, times nothing in CI.
#
#   bench/run.sh [BUILD_DIR] [--quick]
#
# 1. SIPp's UAC places INVITE/200/ACK/BYE calls at rising rates (5 s of
#    calls per step) against bench_engine_uas (the engine alone, answering
#    at once) and, in the same run, against SIPp's own UAS (sipp -sn uas).
#    A step is clean when SIPp reports every call successful AND nothing was
#    retransmitted (a retransmission means a reply came later than 500 ms, or
#    was lost because the UAS fell behind) AND, for the engine, every call it
#    answered has ended. Reported: the highest clean rate of each UAS and the
#    CPU time it used per call (utime+stime from /proc, over the clean steps).
# 2. The engine holding 10,000 concurrent confirmed dialogs: its RSS then,
#    against its RSS when idle.
#
# Loopback only, every process bounded by timeout. The UAS runs with a media
# backend that binds no sockets (bench_engine_uas --media null): 10,000 calls
# with real RTP/RTCP sockets would need 20,000 descriptors; the SIP work is
# the same.
set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-$BENCH/../build}" && pwd)
QUICK=${2:-}
UAS=$BUILD/bench/bench_engine_uas
[ -x "$UAS" ] || { echo "no $UAS: build the bench_engine_uas target first" >&2; exit 2; }
command -v sipp >/dev/null || { echo "sipp not found (Debian: sip-tester)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/rtcshim-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2

UAS_PORT=13160
UAC_PORT=13170
if [ "$QUICK" = "--quick" ]; then
    RATES="1000 2000 4000"
else
    RATES="1000 2000 4000 6000 8000 10000 12000 14000 16000 18000 20000"
fi
STEP_SECONDS=5
TICK=$(getconf CLK_TCK)

cpu_ticks() {
    # utime + stime of a process, in clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

rss_kb() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# Runs one step of calls at rate against the UAS on UAS_PORT; prints
# "calls retransmissions sipp_rc".
sipp_step() {
    local rate=$1 calls=$(($1 * STEP_SECONDS))
    timeout -k 5 $((STEP_SECONDS * 6 + 60)) sipp -sn uac -r "$rate" -rp 1000 -m "$calls" -d 0 -nostdin \
        -timeout $((STEP_SECONDS * 6 + 40)) -i 127.0.0.1 -p $UAC_PORT -mp $((UAC_PORT + 2)) \
        -buff_size 4194304 127.0.0.1:$UAS_PORT >"uac-$rate.log" 2>&1
    local rc=$?
    # The Retrans column of the INVITE and BYE lines of the last screen.
    local retrans
    retrans=$(awk '/INVITE ---------->/ { i = $4 } /BYE ---------->/ { b = $4 } END { print i + b }' "uac-$rate.log")
    echo "$calls ${retrans:-0} $rc"
}

# ramp NAME PID: steps through RATES against the UAS process PID.
ramp() {
    local name=$1 pid=$2 best=0 best_cpu_ms=0 best_calls=0
    for rate in $RATES; do
        local before after calls retrans rc clean active
        before=$(cpu_ticks "$pid")
        read -r calls retrans rc < <(sipp_step "$rate")
        sleep 1
        after=$(cpu_ticks "$pid")
        clean=yes
        [ "$rc" -eq 0 ] || clean=no
        [ "$retrans" -eq 0 ] || clean=no
        if [ "$name" = engine ]; then
            kill -USR1 "$pid"
            sleep 0.3
            active=$(tail -1 uas-engine.log | sed -n 's/.* active=\([0-9]*\).*/\1/p')
            [ "${active:-1}" -eq 0 ] || clean=no
        fi
        local cpu_ms=$(( (after - before) * 1000 / TICK ))
        printf "  %-7s %6d calls/s  %6d calls  sipp rc %d  retransmissions %5d  cpu %6d ms (%5.3f ms/call)  %s\n" \
            "$name" "$rate" "$calls" "$rc" "$retrans" "$cpu_ms" "$(echo "$cpu_ms $calls" | awk '{ printf "%.3f", $1 / $2 }')" \
            "$([ $clean = yes ] && echo clean || echo NOT-CLEAN)"
        if [ $clean = no ]; then
            break
        fi
        best=$rate
        best_cpu_ms=$((best_cpu_ms + cpu_ms))
        best_calls=$((best_calls + calls))
        # Let timer J entries and lingering state of this step drain.
        sleep 2
    done
    echo "$name $best $best_cpu_ms $best_calls" >>summary.txt
}

echo "rtcshim SIP engine benchmark; work dir $WORK"
"$BENCH/stamp.sh"
echo
echo "== rising call rates, UDP, INVITE/200/ACK/BYE, ${STEP_SECONDS} s per step"
: >summary.txt

"$UAS" --port $UAS_PORT >uas-engine.log 2>&1 &
engine_pid=$!
sleep 0.5
ramp engine $engine_pid
kill -TERM $engine_pid
wait $engine_pid 2>/dev/null
sleep 1

sipp -sn uas -i 127.0.0.1 -p $UAS_PORT -mp $((UAS_PORT + 2)) -buff_size 4194304 -nostdin >uas-sipp.log 2>&1 &
sipp_pid=$!
sleep 0.5
ramp sipp-uas $sipp_pid
kill -TERM $sipp_pid 2>/dev/null
wait $sipp_pid 2>/dev/null
sleep 1

echo
echo "== 10,000 concurrent confirmed dialogs in the engine"
"$UAS" --port $UAS_PORT >uas-dialogs.log 2>&1 &
engine_pid=$!
sleep 0.5
idle_kb=$(rss_kb $engine_pid)
timeout -k 5 120 sipp -sn uac -r 2000 -rp 1000 -m 10000 -d 30000 -nostdin -timeout 100 -i 127.0.0.1 \
    -p $UAC_PORT -mp $((UAC_PORT + 2)) -buff_size 4194304 127.0.0.1:$UAS_PORT >uac-dialogs.log 2>&1 &
uac_pid=$!
held_kb=0
active=0
for _ in $(seq 1 40); do
    sleep 1
    kill -USR1 $engine_pid
    sleep 0.2
    active=$(tail -1 uas-dialogs.log | sed -n 's/.* active=\([0-9]*\).*/\1/p')
    if [ "${active:-0}" -ge 10000 ]; then
        held_kb=$(rss_kb $engine_pid)
        break
    fi
done
wait $uac_pid
dialogs_rc=$?
kill -TERM $engine_pid
wait $engine_pid 2>/dev/null
echo "  idle RSS ${idle_kb} kB; with ${active} confirmed dialogs ${held_kb} kB;" \
     "$(( (held_kb - idle_kb) * 1024 / (active > 0 ? active : 1) )) bytes per dialog (sipp rc $dialogs_rc)"

echo
echo "== summary"
while read -r name best cpu_ms calls; do
    printf "  %-9s highest clean rate %6d calls/s; CPU per call %s ms\n" "$name" "$best" \
        "$([ "$calls" -gt 0 ] && echo "$cpu_ms $calls" | awk '{ printf "%.3f", $1 / $2 }' || echo n/a)"
done <summary.txt
