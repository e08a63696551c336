#!/bin/bash
# The loss suite (issue 15): every flow below, a fixed number of times, while
# the kernel loses packets between every party, in a private network
# namespace (loopback only) that this script creates:
#
#   run_loss.sh MODE BASE_PORT WORKDIR FLOWS_DIR SAMPLES_DIR DRIVERS_DIR
#
# MODE udp20: nftables drops 20 % of the UDP datagrams on loopback, at random
#   (`numgen random mod 5 == 0`), whoever sends them.
# MODE tcpsyn20: 20 % of TCP connection attempts (SYN without ACK) dropped;
#   the in-process flows over TCP (every party's URI says ;transport=tcp)
#   and the RTC programs against SIPp over TCP (see below).
#
# Flows (independent ones run side by side; each repetition has fresh
# clients and ports):
#   loss_flows (FLOWS_DIR): RTC and UCC calls placed, answered and ended; IM
#     both ways; blind and attended transfers among three rtcshim clients;
#     each party exits as an application does (PrepareForShutdown and
#     RTCCET_ASYNC_CLEANUP_DONE, or Disable and OnDisable) and nobody is left
#     with a call the others have ended;
#   the RTC samples with SIPp (run_peer_flow.sh): rtc_transfer refers SIPp.
#     (SIPp is no transferor here: it keeps one request of a call in flight
#     and stops resending it when anything else arrives, so as a UAC it
#     cannot ride out loss while the transferee sends its hold and NOTIFYs at
#     the same time; baresip is the transferor instead.)
#   registration with a digest challenge: rtc_register against SIPp as the
#     registrar (run_peer_flow.sh register);
#   the RTC samples with baresip (../interop/run_interop.sh): transferor and
#     transferee.
# Each must end with the same events as without loss (the sub-tests check
# them), only later. The counts are printed as "loss-result FLOW OK TOTAL";
# any failure fails the test. Exit: 0 pass, 1 fail, 77 skip (not root, no
# nft, sipp or baresip).
#
# LOSS_REPETITIONS overrides the number of repetitions of every flow.
# TL_SCRIPT is read by testlib.sh.
# shellcheck disable=SC2034
set -u

MODE=$1 BASE=$2 TL_WORK=$3 FLOWS=$4 SAMPLES=$5 DRIVERS=$6
shift 6
HERE=$(cd "$(dirname "$0")" && pwd)
TL_SCRIPT="$HERE/$(basename "$0")"
# shellcheck source=../rtc-sipp/testlib.sh
. "$HERE/../rtc-sipp/testlib.sh"
tl_need nft sipp baresip timeout ss
tl_enter_netns "$MODE" "$BASE" "$TL_WORK" "$FLOWS" "$SAMPLES" "$DRIVERS"
[ "$TL_IN_NETNS" = netns ] || tl_skip "the loss suite needs a private network namespace (root)"
tl_setup

case $MODE in
udp20)
    nft add table inet loss &&
    nft add chain inet loss in '{ type filter hook input priority 0; }' &&
    nft add rule inet loss in meta l4proto udp numgen random mod 5 == 0 counter drop ||
        tl_skip "nft cannot add the loss rule"
    REPS=${LOSS_REPETITIONS:-6}
    LOSS_DEADLINE_S=${LOSS_DEADLINE_S:-420}
    ;;
tcpsyn20)
    # Only connection set-up is lost: the kernel sends a dropped SYN again
    # (after 1 s, then 2 s more, ...), and the SIP transaction waits for it.
    nft add table inet loss &&
    nft add chain inet loss in '{ type filter hook input priority 0; }' &&
    nft add rule inet loss in 'tcp flags & (syn | ack) == syn' numgen random mod 5 == 0 counter drop ||
        tl_skip "nft cannot add the loss rule"
    REPS=${LOSS_REPETITIONS:-4}
    LOSS_DEADLINE_S=${LOSS_DEADLINE_S:-420}
    ;;
*)
    tl_log "unknown mode $MODE"
    exit 1
    ;;
esac
tl_log "mode $MODE, $REPS repetitions of every flow"

# The sub-tests' own bounds (programs' --timeout, SIPp's -timeout) were set
# for a loss-free loopback: retransmissions make each flow take seconds more.
SUB_SCALE=$((TL_SCALE * 3))
# Their wire recordings would each capture every flow of this test at once.
export TL_NO_CAPTURE=1
# The one event the sub-tests then let go missing: the baresip transferee's
# hold of the original call, whose re-INVITE may be lost until the
# transferor hangs up (../interop/run_interop.sh, check_transferee).
export LOSS_MODE=$MODE

# job_flows FLOW...: loss_flows runs the flows one after the other.
job_flows()
{
    "$FLOWS/loss_flows" "$(IFS=,; echo "$*")" "$REPS" "$FLOWS_TRANSPORT"
}

# job_sub NAME RUNNER ARGS...: one of the rtc-sipp or interop tests, REPS
# times, one after the other (a repetition reuses the ports of the last);
# "%R" in ARGS is the repetition's number.
job_sub()
{
    local name=$1 runner=$2 r rc a args
    shift 2
    for r in $(seq "$REPS"); do
        args=()
        for a in "$@"; do
            args+=("${a//%R/$r}")
        done
        RTCSHIM_TEST_TIME_SCALE=$SUB_SCALE "$runner" "${args[@]}" >"$TL_WORK/$name-$r.log" 2>&1
        rc=$?
        # The lines loss_flows (cmocka) prints for each repetition.
        if [ $rc = 0 ]; then
            echo "[       OK ] $name #$r"
        else
            echo "[  FAILED  ] $name #$r (exit $rc): $TL_WORK/$name-$r.log"
        fi
    done
}

PEER_FLOW=$HERE/run_peer_flow.sh
INTEROP=$HERE/../interop/run_interop.sh
declare -A JOB FLOWS_OF

# start NAME FUNCTION ARGS...: a job in the background, its output in NAME.log
# (LOSS_ONLY="NAME ..." runs only those); FLOWS_OF[NAME] names the flows it
# reports on ("[       OK ] FLOW #N" per repetition, as cmocka prints).
start()
{
    local name=$1
    shift
    if [ -n "${LOSS_ONLY:-}" ] && [[ " $LOSS_ONLY " != *" $name "* ]]; then
        return
    fi
    "$@" >"$TL_WORK/$name.log" 2>&1 &
    JOB[$name]=$!
    if [ "$1" = job_flows ]; then
        shift
        FLOWS_OF[$name]="$*"
    else
        FLOWS_OF[$name]=$name
    fi
}

began=$(date +%s)
FLOWS_TRANSPORT=udp
if [ "$MODE" = tcpsyn20 ]; then
    # Over TCP: the in-process flows, and the RTC samples and drivers against
    # SIPp (../rtc-sipp), each test REPS times: a call each way, registration
    # with digest, a transfer each way. (baresip runs over UDP only.)
    FLOWS_TRANSPORT=tcp
    start rtc-calls job_flows rtc-call rtc-im
    start rtc-transfers job_flows rtc-blind rtc-attended
    start ucc-calls job_flows ucc-call ucc-im
    start ucc-transfers job_flows ucc-blind ucc-consultative
    RTC_SIPP=$HERE/../rtc-sipp/run_rtc_sipp.sh
    port=$BASE
    for t in call-out call-in register transfer-done transferee-accept; do
        start "tcp-$t" job_sub "tcp-$t" "$RTC_SIPP" "$t" tcp $port "$TL_WORK/tcp-$t-%R" "$SAMPLES" "$DRIVERS"
        port=$((port + 20))
    done
else
    start rtc-calls job_flows rtc-call rtc-im
    start rtc-transfers job_flows rtc-blind rtc-attended
    start ucc-calls job_flows ucc-call ucc-im
    start ucc-transfers job_flows ucc-blind ucc-consultative
    start sipp-transferee job_sub sipp-transferee "$PEER_FLOW" sipp-transferee $((BASE)) "$TL_WORK/sipp-transferee-%R" \
        "$SAMPLES" "$DRIVERS"
    start register job_sub register "$PEER_FLOW" register $((BASE + 40)) "$TL_WORK/register-%R" "$SAMPLES" "$DRIVERS"
    start baresip-transferor job_sub baresip-transferor "$INTEROP" baresip-transferor $((BASE + 60)) \
        "$TL_WORK/baresip-transferor-%R" "$SAMPLES"
    start baresip-transferee job_sub baresip-transferee "$INTEROP" baresip-transferee $((BASE + 100)) \
        "$TL_WORK/baresip-transferee-%R" "$SAMPLES"
fi

# Bounded: what has not ended by the deadline is stopped, and every
# repetition it did not report counts as failed.
deadline=$((began + LOSS_DEADLINE_S * TL_SCALE))
while [ "$(date +%s)" -lt $deadline ]; do
    running=0
    for name in "${!JOB[@]}"; do
        kill -0 "${JOB[$name]}" 2>/dev/null && running=1
    done
    [ $running = 0 ] && break
    sleep 1
done
for name in "${!JOB[@]}"; do
    if kill -0 "${JOB[$name]}" 2>/dev/null; then
        tl_fail "$name still ran after $((LOSS_DEADLINE_S * TL_SCALE)) s: stopped"
        pkill -TERM -P "${JOB[$name]}" 2>/dev/null
        kill -TERM "${JOB[$name]}" 2>/dev/null
    fi
    wait "${JOB[$name]}" 2>/dev/null
done
tl_log "all flows ended after $(( $(date +%s) - began )) s; $(nft list ruleset | grep -o 'packets [0-9]*') dropped"

total_ok=0 total=0
for name in "${!JOB[@]}"; do
    for flow in ${FLOWS_OF[$name]}; do
        ok=$(grep -c "^\[       OK \] $flow #" "$TL_WORK/$name.log")
        tl_log "$(printf '%-20s %3d of %3d succeeded' "$flow" "$ok" "$REPS")"
        total_ok=$((total_ok + ok)) total=$((total + REPS))
        [ "$ok" = "$REPS" ] || tl_fail "$flow: $((REPS - ok)) of $REPS failed"
    done
    grep -h '^\[  FAILED  \] [^ ]* #\|got  \|expected \|timed out' "$TL_WORK/$name.log" | head -n 40
done
# What loss_flows traced of its failed repetitions (the SIP messages each
# engine sent and received), after the summary: only when one failed.
for name in "${!JOB[@]}"; do
    grep -h '^trace ' "$TL_WORK/$name.log" | head -n 600
done
tl_log "loss $MODE: $total_ok of $total flows succeeded"
tl_finish
