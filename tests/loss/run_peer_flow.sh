#!/bin/bash
# One repetition of a loss-suite flow with SIPp as the other parties; run by
# run_loss.sh inside its network namespace, under its loss rules:
#
#   run_peer_flow.sh FLOW BASE_PORT WORKDIR SAMPLES_DIR DRIVERS_DIR
#
# FLOW sipp-transferee: rtc_transfer (alice) calls SIPp (bob, scenarios/
#        transferee.xml) and refers it to carol; SIPp accepts and NOTIFYs.
#      register: rtc_register (DRIVERS_DIR) registers with SIPp as the
#        registrar (scenarios/registrar.xml, a digest challenge for the
#        REGISTER and for the un-REGISTER), then DisableProfile.
# Ports: rtcshim BASE, SIPp BASE+2, its media BASE+10. SIPp's scenarios check the wire; this script checks
# that the RTC program printed exactly the events it prints without loss
# (a line marked optional below is raised by a provisional response, which
# SIP does not retransmit) and exited 0.
# Exit: 0 pass, 1 fail, 77 skip (no sipp).
# S_* variables are read by tl_scenario (testlib.sh) through compgen; TL_SCRIPT too.
# shellcheck disable=SC2034
set -u

FLOW=$1 BASE=$2 TL_WORK=$3 SAMPLES=$4 DRIVERS=$5
HERE=$(cd "$(dirname "$0")" && pwd)
TL_SCRIPT="$HERE/$(basename "$0")"
# shellcheck source=../rtc-sipp/testlib.sh
. "$HERE/../rtc-sipp/testlib.sh"
tl_enter_netns "$FLOW" "$BASE" "$TL_WORK" "$SAMPLES" "$DRIVERS"
tl_need sipp timeout ss
tl_setup

RTC_PORT=$BASE
SIPP_PORT=$((BASE + 2))
S_RTC_PORT=$RTC_PORT S_SIPP_PORT=$SIPP_PORT
S_TRANSPORT_PARAM="" S_VIA_PROTO=UDP

# sipp_bg NAME SCENARIO PORT MEDIA_PORT [args...]: SIPp (one call) in the background.
sipp_bg()
{
    local name=$1 scenario=$2 port=$3 media=$4 file
    shift 4
    file=$(tl_scenario "$scenario") || exit 1
    tl_bg "$name" sipp -sf "$file" -m 1 -nostdin -timeout 20 -timeout_error -default_behaviors all,-abortunexp \
        -i 127.0.0.1 -p "$port" -mp "$media" -t u1 -trace_msg -trace_err \
        -message_file "$TL_WORK/${name}_messages.log" -error_file "$TL_WORK/${name}_errors.log" "$@"
}

# expect_events NAME ITEM...: NAME.log's event lines (those that start with
# "[") are exactly the ITEMs, each as often as given; an ITEM that starts
# with "?" may be missing. "--" separates the ITEMs into chains: each chain
# is the events of one session (or one cause and its effect), in their
# order; events of different chains may interleave.
expect_events()
{
    local name=$1 item line i found pos last chain=() got=() pool=()
    shift
    mapfile -t got < <(grep '^\[' "$TL_WORK/$name.log")
    # The same events: every line taken from the expected ones.
    for item in "$@"; do
        [ "$item" = -- ] || pool+=("$item")
    done
    for line in "${got[@]}"; do
        found=
        for i in "${!pool[@]}"; do
            if [ "${pool[$i]#\?}" = "$line" ]; then
                found=$i
                [ "${pool[$i]}" = "$line" ] && break     # a required one first
            fi
        done
        if [ -z "$found" ]; then
            tl_fail "$name: unexpected event \"$line\""
        else
            unset "pool[$found]"
        fi
    done
    for item in "${pool[@]}"; do
        [ "${item#\?}" = "$item" ] && tl_fail "$name: no event \"$item\""
    done
    # In their order, chain by chain.
    set -- "$@" --
    for item in "$@"; do
        if [ "$item" != -- ]; then
            chain+=("$item")
            continue
        fi
        last=-1
        for item in "${chain[@]}"; do
            found=
            for ((pos = last + 1; pos < ${#got[@]}; pos++)); do
                if [ "${got[$pos]}" = "${item#\?}" ]; then
                    found=$pos
                    break
                fi
            done
            if [ -n "$found" ]; then
                last=$found
            elif [ "${item#\?}" = "$item" ]; then
                tl_fail "$name: \"$item\" is not after the events before it in its chain (${chain[*]})"
                break
            fi
        done
        chain=()
    done
}

case $FLOW in

sipp-transferee)
    sipp_bg sipp "$HERE/scenarios/transferee.xml" $SIPP_PORT $((BASE + 10))
    tl_wait_port udp $SIPP_PORT
    tl_fg rtc "$SAMPLES/rtc_transfer" --bind 127.0.0.1:$RTC_PORT --from sip:alice@127.0.0.1 --wait 0 \
        --cookie cookie-42 --timeout 20 "sip:bob@127.0.0.1:$SIPP_PORT" sip:carol@127.0.0.1:5099
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    B="sip:bob@127.0.0.1:$SIPP_PORT"
    T='[transferor]'
    # The audio we send starts on a worker thread, unordered with the REFER, and may not
    # have started at all when a slow machine ends the call first. SIPp sends no RTP back,
    # so nothing is ever received: when loss and a slow machine keep the call up past the
    # RTP timeout, the receive side reports it stopped.
    expect_events rtc "$T participant $B PENDING status 0" "$T session INPROGRESS status 0" \
        "?$T participant $B INPROGRESS status 0" "$T participant $B CONNECTED status 0" \
        "$T session CONNECTED status 0" "$T referring the call to sip:carol@127.0.0.1:5099" \
        "$T session REFER status 0" "$T refer REFERRING status 0" "$T refer ACCEPTED status SIP 202 (0x00ef00ca) Accepted" \
        "$T refer ACCEPTED status SIP 100 (0x00ef0064) Trying" "$T refer DONE status SIP 200 (0x00ef00c8) OK" \
        "$T session CONNECTED status 0" "$T transfer DONE" "$T participant $B DISCONNECTED status 0" \
        "$T session DISCONNECTED status 0" "$T client ASYNC_CLEANUP_DONE" -- \
        "?$T media send started" "?$T media send stopped" "?$T media receive stopped (timeout)"
    ;;

register)
    sipp_bg sipp "$HERE/scenarios/registrar.xml" $SIPP_PORT $((BASE + 10))
    tl_wait_port udp $SIPP_PORT
    tl_fg rtc "$DRIVERS/rtc_register" --listen 127.0.0.1:$RTC_PORT --registrar 127.0.0.1:$SIPP_PORT --protocol UDP \
        --uri sip:alice@127.0.0.1 --account alice --password secret --unregister --timeout 30
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    R='[register]'
    expect_events rtc "$R registration REGISTERING status 0" "$R registration REGISTERED status 0" "$R DisableProfile" \
        "$R registration UNREGISTERING status 0" "$R registration NOT_REGISTERED status 0" "$R result OK"
    ;;

*)
    tl_log "unknown flow $FLOW"
    exit 1
    ;;
esac
tl_finish
