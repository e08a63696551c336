#!/bin/bash
# The SIP engine's benchmark: prints figures, times nothing in CI.
#
#   bench/run.sh [BUILD_DIR] [--quick]
#
# 1. SIPp's UAC places INVITE/200/ACK/BYE calls at rising rates (5 s of
#    calls per step) against bench_engine_uas (the engine alone, answering
#    at once), bench_rtc_uas (an auto-answer application of the public RTC
#    Client API, signalling only) and, in the same run, against SIPp's own
#    UAS (sipp -sn uas). A step is clean when SIPp reports every call
#    successful AND nothing was retransmitted (a retransmission means a reply
#    came later than 500 ms, or was lost because the UAS fell behind) AND,
#    for rtcshim, every call it answered has ended. Reported: the highest
#    clean rate of each UAS and the CPU time it used per call (utime+stime
#    from /proc, over the clean steps), and rtcshim's against SIPp's as
#    ratios. The machine's load average is printed at the start and the end:
#    on a busy machine every figure drops, the ratios less so.
#    Then each rtcshim UAS, fresh, for one step at 1.5x its highest clean
#    rate (bench/scenarios/uac_overload.xml: a 503 is an answer): how many
#    calls it accepted, whether they all completed, and its CPU per accepted
#    call against the clean figure.
# 2. Transfers over the wire at rising rates: SIPp calls bench_rtc_uas,
#    REFERs it to a second SIPp (sipp -sn uas, the target) and takes the
#    202 and the NOTIFYs (bench/scenarios/transferor.xml); bench_rtc_uas
#    accepts, calls the target through the RTC API and reports the outcome.
#    A step is clean when SIPp reports every transfer successful and the
#    application counted every one connected, none failed, no call left.
#    Reported: the highest clean rate, the CPU per transfer, and the RSS the
#    transferee holds afterwards per completed transfer.
# 3. The engine, then bench_rtc_uas (the RTC API, SetPreferredMediaTypes(0):
#    no port per call), holding 10,000 concurrent confirmed dialogs: RSS then,
#    against RSS when idle.
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
RTC_UAS=$BUILD/bench/bench_rtc_uas
[ -x "$UAS" ] || { echo "no $UAS: build the bench_engine_uas target first" >&2; exit 2; }
[ -x "$RTC_UAS" ] || { echo "no $RTC_UAS: build the bench_rtc_uas target first" >&2; exit 2; }
command -v sipp >/dev/null || { echo "sipp not found (Debian: sip-tester)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/rtcshim-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2

UAS_PORT=13160
UAC_PORT=13170
TARGET_PORT=13180
if [ "$QUICK" = "--quick" ]; then
    RATES="500 1000 2000 4000"
    TRANSFER_RATES="250 500 1000"
else
    # The low steps give a figure even on a busy machine.
    RATES="250 500 1000 2000 4000 6000 8000 10000 12000 14000 16000 18000 20000"
    TRANSFER_RATES="100 250 500 1000 1500 2000 2500 3000"
fi
STEP_SECONDS=5
TICK=$(getconf CLK_TCK)

cpu_ticks() {
    # utime + stime of a process, in clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# Waits (at most 20 s) until a UAS's log says it listens: on a busy machine
# starting takes longer than a fixed pause, and calls sent before are lost.
wait_ready() {
    for _ in $(seq 1 200); do
        grep -q '^ready' "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no 'ready' in $1" >&2
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
    local name=$1 pid=$2 best=0 best_cpu_ms=0 best_calls=0 idle_kb
    idle_kb=$(rss_kb "$pid")
    for rate in $RATES; do
        local before after calls retrans rc clean active
        before=$(cpu_ticks "$pid")
        read -r calls retrans rc < <(sipp_step "$rate")
        sleep 1
        after=$(cpu_ticks "$pid")
        clean=yes
        [ "$rc" -eq 0 ] || clean=no
        [ "$retrans" -eq 0 ] || clean=no
        if [ "$name" != sipp-uas ]; then
            kill -USR1 "$pid"
            sleep 0.3
            active=$(tail -1 "uas-$name.log" | sed -n 's/.* active=\([0-9]*\).*/\1/p')
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
    # What the RTC application still holds once its calls have ended, measured
    # as the transfer phase measures the transferee: a plain call's figure.
    if [ "$name" = rtc-api ]; then
        local ended held_kb
        kill -USR1 "$pid"
        sleep 0.3
        ended=$(tail -1 "uas-$name.log" | sed -n 's/.* ended=\([0-9]*\).*/\1/p')
        held_kb=$(rss_kb "$pid")
        echo "  $name RSS idle ${idle_kb} kB, after ${ended:-0} completed calls ${held_kb} kB:" \
             "$(( (held_kb - idle_kb) * 1024 / (${ended:-0} > 0 ? ${ended:-0} : 1) )) bytes held per completed call"
    fi
    echo "$name $best $best_cpu_ms $best_calls" >>summary.txt
}

echo "rtcshim SIP engine benchmark; work dir $WORK"
"$BENCH/stamp.sh"
echo
echo "== rising call rates, UDP, INVITE/200/ACK/BYE, ${STEP_SECONDS} s per step"
: >summary.txt

"$UAS" --port $UAS_PORT >uas-engine.log 2>&1 &
engine_pid=$!
wait_ready uas-engine.log
ramp engine $engine_pid
kill -TERM $engine_pid
wait $engine_pid 2>/dev/null
sleep 1

"$RTC_UAS" --listen 127.0.0.1:$UAS_PORT >uas-rtc-api.log 2>&1 &
rtc_pid=$!
wait_ready uas-rtc-api.log
ramp rtc-api $rtc_pid
kill -TERM $rtc_pid
wait $rtc_pid 2>/dev/null
sleep 1

sipp -sn uas -i 127.0.0.1 -p $UAS_PORT -mp $((UAS_PORT + 2)) -buff_size 4194304 -nostdin >uas-sipp.log 2>&1 &
sipp_pid=$!
sleep 0.5
ramp sipp-uas $sipp_pid
kill -TERM $sipp_pid 2>/dev/null
wait $sipp_pid 2>/dev/null
sleep 1

# past_capacity NAME COMMAND...: one step at 1.5x NAME's highest clean rate
# against a fresh UAS that COMMAND starts, with 503 an answer SIPp accepts
# (bench/scenarios/uac_overload.xml). Printed: the calls the UAS accepted,
# SIPp's failed calls (accepted calls that did not complete, or INVITEs
# never answered), the calls left up, and the CPU per accepted call against
# the clean steps' figure.
past_capacity() {
    local name=$1 best clean_cpu_ms clean_calls rate calls pid before after rc stats accepted ended active failed cpu_ms
    shift
    read -r _ best clean_cpu_ms clean_calls < <(grep "^$name " summary.txt)
    if [ "${best:-0}" -le 0 ] || [ "${clean_calls:-0}" -le 0 ]; then
        echo "  $name: no clean rate, no step past it"
        return
    fi
    rate=$((best * 3 / 2))
    calls=$((rate * STEP_SECONDS))
    "$@" >"uas-overload-$name.log" 2>&1 &
    pid=$!
    wait_ready "uas-overload-$name.log"
    before=$(cpu_ticks $pid)
    timeout -k 5 $((STEP_SECONDS * 6 + 60)) sipp -sf "$BENCH/scenarios/uac_overload.xml" -r "$rate" -rp 1000 \
        -m "$calls" -nostdin -timeout $((STEP_SECONDS * 6 + 40)) -i 127.0.0.1 -p $UAC_PORT -mp $((UAC_PORT + 2)) \
        -buff_size 4194304 127.0.0.1:$UAS_PORT >"uac-overload-$name.log" 2>&1
    rc=$?
    sleep 1
    after=$(cpu_ticks $pid)
    kill -USR1 $pid
    sleep 0.3
    stats=$(tail -1 "uas-overload-$name.log")
    kill -TERM $pid
    wait $pid 2>/dev/null
    # bench_engine_uas counts answered=, bench_rtc_uas connected=
    accepted=$(echo "$stats" | sed -n 's/.* \(answered\|connected\)=\([0-9]*\).*/\2/p')
    ended=$(echo "$stats" | sed -n 's/.* ended=\([0-9]*\).*/\1/p')
    active=$(echo "$stats" | sed -n 's/.* active=\([0-9]*\).*/\1/p')
    failed=$(awk -F'|' '/Failed call/ { gsub(/ /, "", $3); f = $3 } END { print f + 0 }' "uac-overload-$name.log")
    cpu_ms=$(( (after - before) * 1000 / TICK ))
    awk -v name="$name" -v rate="$rate" -v best="$best" -v calls="$calls" -v acc="${accepted:-0}" \
        -v ended="${ended:-0}" -v active="${active:-0}" -v failed="$failed" -v rc="$rc" -v cpu="$cpu_ms" \
        -v clean="$clean_cpu_ms" -v clean_calls="$clean_calls" 'BEGIN {
            per = acc > 0 ? cpu / acc : 0; clean_per = clean / clean_calls
            printf "  %-7s %6d calls/s (1.5x %d)  %6d offered  %6d accepted  %6d refused or unanswered  sipp failed %d (rc %d)  left up %d\n",
                   name, rate, best, calls, acc, calls - acc, failed, rc, active
            printf "  %-7s CPU per accepted call %.3f ms = %.2fx the clean steps'\'' %.3f ms  %s\n", name, per,
                   (clean_per > 0 ? per / clean_per : 0), clean_per,
                   (failed == 0 && active == 0 && ended >= acc && acc > 0 && per <= 1.5 * clean_per) ? "graceful" : "NOT GRACEFUL"
        }'
}

echo
echo "== past capacity: 1.5x the highest clean rate, fresh UAS, 503 counted as an answer, ${STEP_SECONDS} s"
past_capacity engine "$UAS" --port $UAS_PORT
sleep 1
past_capacity rtc-api "$RTC_UAS" --listen 127.0.0.1:$UAS_PORT
sleep 1

echo
echo "== transfers over the wire, UDP: SIPp transferor -> bench_rtc_uas -> SIPp UAS as target, ${STEP_SECONDS} s per step"
sipp -sn uas -i 127.0.0.1 -p $TARGET_PORT -mp $((TARGET_PORT + 2)) -buff_size 4194304 -nostdin >uas-target.log 2>&1 &
target_pid=$!
"$RTC_UAS" --listen 127.0.0.1:$UAS_PORT >uas-transferee.log 2>&1 &
rtc_pid=$!
wait_ready uas-transferee.log
sleep 0.5

# The transferee's counter NAME from a fresh stats line.
transferee_stat() {
    kill -USR1 $rtc_pid
    sleep 0.3
    tail -1 uas-transferee.log | sed -n "s/.* $1=\([0-9]*\).*/\1/p"
}

idle_kb=$(rss_kb $rtc_pid)
best=0 best_cpu_ms=0 best_transfers=0
for rate in $TRANSFER_RATES; do
    transfers=$((rate * STEP_SECONDS))
    done_before=$(transferee_stat transferred)
    before=$(cpu_ticks $rtc_pid)
    timeout -k 5 $((STEP_SECONDS * 6 + 60)) sipp -sf "$BENCH/scenarios/transferor.xml" \
        -key target "sip:target@127.0.0.1:$TARGET_PORT" -r "$rate" -rp 1000 -m "$transfers" -nostdin \
        -timeout $((STEP_SECONDS * 6 + 40)) -i 127.0.0.1 -p $UAC_PORT -mp $((UAC_PORT + 2)) \
        -buff_size 4194304 -trace_err -error_file "transfers-$rate-errors.log" 127.0.0.1:$UAS_PORT >"transfers-$rate.log" 2>&1
    rc=$?
    sleep 1
    after=$(cpu_ticks $rtc_pid)
    done_after=$(transferee_stat transferred)
    failures=$(transferee_stat transfer_failures)
    active=$(transferee_stat active)
    cpu_ms=$(( (after - before) * 1000 / TICK ))
    clean=yes
    [ "$rc" -eq 0 ] && [ "$((done_after - done_before))" -eq "$transfers" ] && [ "${failures:-1}" -eq 0 ] \
        && [ "${active:-1}" -eq 0 ] || clean=no
    printf "  %-7s %6d transfers/s  %6d transfers  sipp rc %d  connected %6d  failed %d  cpu %6d ms (%5.3f ms/transfer)  %s\n" \
        transfer "$rate" "$transfers" "$rc" "$((done_after - done_before))" "${failures:-0}" "$cpu_ms" \
        "$(echo "$cpu_ms $transfers" | awk '{ printf "%.3f", $1 / $2 }')" "$([ $clean = yes ] && echo clean || echo NOT-CLEAN)"
    if [ $clean = no ]; then
        # what SIPp saw go wrong, by kind (the work directory goes at exit)
        grep -o "while expecting '[^']*' (index [0-9]*), received '[^[:cntrl:]]\{0,40\}\|[A-Za-z ]*[Tt]imeout[^[:cntrl:]]\{0,60\}" \
            "transfers-$rate-errors.log" 2>/dev/null | sort | uniq -c | sort -rn | head -5 | sed 's/^/      /'
        break
    fi
    best=$rate
    best_cpu_ms=$((best_cpu_ms + cpu_ms))
    best_transfers=$((best_transfers + transfers))
    sleep 2
done
held_kb=$(rss_kb $rtc_pid)
all_done=$(transferee_stat transferred)
kill -TERM $rtc_pid $target_pid 2>/dev/null
wait $rtc_pid $target_pid 2>/dev/null
echo "  transferee RSS idle ${idle_kb} kB, after ${all_done} completed transfers ${held_kb} kB:" \
     "$(( (held_kb - idle_kb) * 1024 / (all_done > 0 ? all_done : 1) )) bytes held per completed transfer"
echo "transfers $best $best_cpu_ms $best_transfers" >>summary.txt
sleep 1

# hold_dialogs NAME COMMAND...: 10,000 calls of 30 s set up at 1000 calls/s
# against the UAS COMMAND starts on UAS_PORT (it prints "active=N" on
# SIGUSR1); its RSS once it holds all of them, against its RSS when idle.
hold_dialogs() {
    local name=$1 pid idle_kb held_kb=0 active=0 max_active=0 uac_pid rc
    shift
    "$@" >"uas-dialogs-$name.log" 2>&1 &
    pid=$!
    wait_ready "uas-dialogs-$name.log"
    idle_kb=$(rss_kb $pid)
    timeout -k 5 120 sipp -sn uac -r 1000 -rp 1000 -m 10000 -d 30000 -nostdin -timeout 100 -i 127.0.0.1 \
        -p $UAC_PORT -mp $((UAC_PORT + 2)) -buff_size 4194304 127.0.0.1:$UAS_PORT >"uac-dialogs-$name.log" 2>&1 &
    uac_pid=$!
    for _ in $(seq 1 40); do
        sleep 1
        kill -USR1 $pid
        sleep 0.2
        active=$(tail -1 "uas-dialogs-$name.log" | sed -n 's/.* active=\([0-9]*\).*/\1/p')
        [ "${active:-0}" -gt "$max_active" ] && max_active=$active
        if [ "${active:-0}" -ge 10000 ]; then
            held_kb=$(rss_kb $pid)
            break
        fi
    done
    wait $uac_pid
    rc=$?
    kill -TERM $pid
    wait $pid 2>/dev/null
    if [ "$held_kb" -gt 0 ]; then
        printf "  %-7s idle RSS %s kB; with %s confirmed dialogs %s kB; %s bytes per dialog (sipp rc %s)\n" "$name" \
            "$idle_kb" "$active" "$held_kb" "$(( (held_kb - idle_kb) * 1024 / active ))" "$rc"
    else
        printf "  %-7s NOT REACHED: %s confirmed dialogs at most (sipp rc %s)\n" "$name" "$max_active" "$rc"
    fi
}

echo
echo "== 10,000 concurrent confirmed dialogs: the engine, and an RTC API application (signalling only)"
hold_dialogs engine "$UAS" --port $UAS_PORT
sleep 1
hold_dialogs rtc-api "$RTC_UAS" --listen 127.0.0.1:$UAS_PORT

echo
echo "== summary"
while read -r name best cpu_ms calls; do
    unit=calls; [ "$name" = transfers ] && unit=transfers
    printf "  %-9s highest clean rate %6d %s/s; CPU per %s %s ms\n" "$name" "$best" "$unit" "${unit%s}" \
        "$([ "$calls" -gt 0 ] && echo "$cpu_ms $calls" | awk '{ printf "%.3f", $1 / $2 }' || echo n/a)"
done <summary.txt
# rtcshim against SIPp's UAS, same run, same machine.
awk '{ rate[$1] = $2; cpu[$1] = $4 > 0 ? $3 / $4 : 0 }
     END {
       for (name in rate) if (name != "sipp-uas" && name != "transfers" && rate["sipp-uas"] > 0 && cpu["sipp-uas"] > 0 && cpu[name] > 0)
         printf "  %-9s / sipp-uas: highest clean rate %.2fx, CPU per call %.2fx\n", name,
                rate[name] / rate["sipp-uas"], cpu[name] / cpu["sipp-uas"]
     }' summary.txt | sort
echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
