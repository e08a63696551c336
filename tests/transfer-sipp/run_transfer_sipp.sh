#!/bin/bash
# One transfer/Replaces test against SIPp (see CMakeLists.txt for the list):
# the RTC samples (rtc_answer, rtc_transfer), rtc_replaces_peer, rtc_register
# or engine_peer against scenarios from scenarios/ (and two of
# ../rtc-sipp/scenarios/). SIPp's exit status (its scenarios check the wire)
# and the programs' exit statuses and printed events are checked.
#
#   run_transfer_sipp.sh TEST PROTOCOL BASE_PORT WORKDIR SAMPLES_DIR REPLACES_PEER RTC_REGISTER ENGINE_PEER
#
# Ports: the RTC program BASE, a second client BASE+1, SIPp BASE+2, BASE+3,
# BASE+4, their media BASE+10 and BASE+14. The test runs in a private network
# namespace (loopback only) when it can (../rtc-sipp/testlib.sh).
# Exit: 0 pass, 1 fail, 77 skip (no sipp).
# S_* variables are read by tl_scenario (testlib.sh) through compgen; TL_SCRIPT too.
# shellcheck disable=SC2034
set -u

TEST=$1 PROTO=$2 BASE=$3 TL_WORK=$4 SAMPLES=$5 REPLACES_PEER=$6 RTC_REGISTER=$7 ENGINE_PEER=$8
shift 8
HERE=$(cd "$(dirname "$0")" && pwd)
TL_SCRIPT="$HERE/$(basename "$0")"
SCEN="$HERE/scenarios"
RTC_SCEN="$HERE/../rtc-sipp/scenarios"
# The long-ring test lives 150 s; every other program here a few seconds.
[ "$TEST" = transferor-long-ring ] && TL_LIMIT=220
# shellcheck source=../rtc-sipp/testlib.sh
. "$HERE/../rtc-sipp/testlib.sh"
tl_enter_netns "$TEST" "$PROTO" "$BASE" "$TL_WORK" "$SAMPLES" "$REPLACES_PEER" "$RTC_REGISTER" "$ENGINE_PEER"
tl_need sipp timeout ss
tl_setup

RTC_ANSWER=$SAMPLES/rtc_answer
RTC_TRANSFER=$SAMPLES/rtc_transfer

RTC_PORT=$BASE
OTHER_PORT=$((BASE + 1))
SIPP_PORT=$((BASE + 2))
SIPP2_PORT=$((BASE + 3))
SIPP3_PORT=$((BASE + 4))
if [ "$PROTO" = tcp ]; then
    SIPP_T=t1 TP=";transport=tcp" VIA=TCP
else
    SIPP_T=u1 TP="" VIA=UDP
fi
# Placeholders in the scenarios (tl_scenario).
S_RTC_PORT=$RTC_PORT S_OTHER_PORT=$OTHER_PORT S_SIPP_PORT=$SIPP_PORT S_SIPP2_PORT=$SIPP2_PORT
S_TRANSPORT_PARAM=$TP S_VIA_PROTO=$VIA

# sipp_bg NAME SCENARIO PORT MEDIA_PORT [args...]: SIPp (one call) in the background.
SIPP_TIMEOUT=20
sipp_bg()
{
    local name=$1 scenario=$2 port=$3 media=$4 file
    shift 4
    file=$(tl_scenario "$scenario") || exit 1
    tl_bg "$name" sipp -sf "$file" -m 1 -nostdin -timeout $SIPP_TIMEOUT -timeout_error \
        -i 127.0.0.1 -p "$port" -mp "$media" -t $SIPP_T -trace_msg -trace_err \
        -message_file "$TL_WORK/${name}_messages.log" -error_file "$TL_WORK/${name}_errors.log" "$@"
}

# The Replaces value a SIPp caller logged (its call as the callee sees it).
replaces_of()
{
    local name=$1
    tl_wait_line "$name-logs" '^REPLACES ' 10 || return 1
    sed -n 's/^REPLACES //p' "$TL_WORK/$name-logs.log" | head -n 1 | tr -d '\r'
}

case $TEST in

# ---- Replaces (RFC 3891) at an RTC application ----------------------------------------------

replaces-*)
    # alice (SIPp) calls bob (rtc_replaces_peer) and logs her dialog as bob sees
    # it; then mallory (a second SIPp) sends an INVITE with Replaces naming it.
    S_FROM_URI="sip:mallory@127.0.0.1:$SIPP2_PORT" S_EXTRA1="X-Test: 1" S_EXTRA2="X-Test: 2" S_DEST_PORT=$RTC_PORT
    peer_args=() calls=2 alice=alice_call_replaced.xml mallory=mallory_taken.xml
    case $TEST in
    replaces-unauthorized-reject)
        peer_args=(--second reject) alice=alice_call_kept.xml mallory=mallory_refused.xml S_EXPECT_CODE=603 ;;
    replaces-unauthorized-answer)
        peer_args=(--second answer) ;;
    replaces-referred)
        S_EXTRA1="Referred-By: \"Alice\" <sip:sipp@127.0.0.1>" ;;
    replaces-from-party)
        S_FROM_URI="sip:sipp@127.0.0.1:$SIPP2_PORT" ;;
    replaces-two)
        S_EXTRA1="Replaces: [replaces]" alice=alice_call_kept.xml mallory=mallory_refused.xml S_EXPECT_CODE=400 calls=1 ;;
    replaces-other-client)
        peer_args=(--other 127.0.0.1:$OTHER_PORT) S_DEST_PORT=$OTHER_PORT alice=alice_call_kept.xml
        mallory=mallory_refused.xml S_EXPECT_CODE=481 calls=1 ;;
    *) tl_log "unknown test $TEST"; exit 1 ;;
    esac
    tl_bg rtc "$REPLACES_PEER" --listen 127.0.0.1:$RTC_PORT "${peer_args[@]}" --calls $calls --timeout 20
    tl_wait_port "$PROTO" $RTC_PORT
    [ "$TEST" != replaces-other-client ] || tl_wait_port "$PROTO" $OTHER_PORT
    sipp_bg alice "$SCEN/$alice" $SIPP_PORT $((BASE + 10)) -trace_logs -log_file "$TL_WORK/alice-logs.log" \
        127.0.0.1:$RTC_PORT
    replaces=$(replaces_of alice) || tl_fail "alice logged no Replaces value"
    sipp_bg mallory "$SCEN/$mallory" $SIPP2_PORT $((BASE + 14)) -key replaces "$replaces" 127.0.0.1:$S_DEST_PORT
    tl_wait mallory
    tl_wait alice
    tl_wait rtc
    tl_expect_rc alice 0
    tl_expect_rc mallory 0
    tl_expect_rc rtc 0
    B='^\[bob\]'
    tl_expect_order rtc "$B session INCOMING status 0$" "$B session CONNECTED status 0$"
    case $TEST in
    replaces-unauthorized-reject)
        # The application was asked, said no; alice's call went on to her own BYE.
        tl_expect_order rtc "$B session CONNECTED status 0$" "$B session INCOMING status 0$" \
            "$B rejecting another incoming call$" "$B session DISCONNECTED status 0$" \
            "$B participant sip:sipp@127\\.0\\.0\\.1:$SIPP_PORT DISCONNECTED status 0$" ;;
    replaces-unauthorized-answer)
        tl_expect_order rtc "$B session CONNECTED status 0$" "$B session INCOMING status 0$" \
            "$B answering another incoming call$" \
            "$B participant sip:sipp@127\\.0\\.0\\.1:$SIPP_PORT DISCONNECTED status 0$" ;;
    replaces-referred|replaces-from-party)
        # Taken without asking: no second INCOMING, alice's call ended by bob.
        [ "$(grep -c "^\\[bob\\] session INCOMING" "$TL_WORK/rtc.log")" = 1 ] \
            || tl_fail "the authorized replacement reached the application as INCOMING"
        tl_expect_order rtc "$B session CONNECTED status 0$" "$B participant sip:[a-z]*@127\\.0\\.0\\.1:$SIPP2_PORT ANSWERING " \
            "$B participant sip:sipp@127\\.0\\.0\\.1:$SIPP_PORT DISCONNECTED status 0$"
        tl_expect_no_line rtc 'another incoming call' ;;
    replaces-two|replaces-other-client)
        [ "$(grep -c "^\\[\\(bob\\|other\\)\\] session INCOMING" "$TL_WORK/rtc.log")" = 1 ] \
            || tl_fail "the refused INVITE reached an application"
        tl_expect_no_line rtc 'another incoming call' ;;
    esac
    ;;

# ---- Refer-To embedded headers --------------------------------------------------------------

refer-to-filtered)
    # SIPp refers rtc_answer (no X- opt-in) to a second SIPp with headers it
    # must not pass on; the target checks the INVITE it gets.
    S_REFER_TO="sip:target@127.0.0.1:$SIPP2_PORT$TP?P-Asserted-Identity=%3Csip%3Aboss%40example.com%3E&Require=foo"
    S_REFER_TO+="&Alert-Info=%3Chttp%3A%2F%2Fexample.com%2Fring%3E&Subject=transferred&X-Custom=abc"
    sipp_bg target "$SCEN/target_filtered.xml" $SIPP2_PORT $((BASE + 14))
    tl_wait_port "$PROTO" $SIPP2_PORT
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer accept --timeout 20
    tl_wait_port "$PROTO" $RTC_PORT
    sipp_bg sipp "$RTC_SCEN/uac_transfer_accept.xml" $SIPP_PORT $((BASE + 10)) 127.0.0.1:$RTC_PORT
    tl_wait sipp
    tl_wait target
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc target 0
    tl_expect_rc rtc 0
    # The application is handed the target with only what passes.
    tl_expect_line rtc "^\\[bob\\] referred to sip:target@127\\.0\\.0\\.1:$SIPP2_PORT(;transport=tcp)?\\?Subject=transferred by "
    ;;

refer-to-route)
    S_REFER_TO="sip:target@127.0.0.1:$SIPP2_PORT$TP?P-Asserted-Identity=%3Csip%3Aboss%40example.com%3E"
    S_REFER_TO+="&Route=%3Csip%3Aproxy.example.com%3Blr%3E&Require=foo"
    S_EXPECT_CODE=400 S_EXPECT_PHRASE='Reserved header Route in Refer-To'
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer accept --timeout 20
    tl_wait_port "$PROTO" $RTC_PORT
    sipp_bg sipp "$RTC_SCEN/uac_transfer_declined.xml" $SIPP_PORT $((BASE + 10)) 127.0.0.1:$RTC_PORT
    tl_wait sipp
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    tl_expect_no_line rtc 'referred to'
    ;;

# ---- the REFER's final response bound -------------------------------------------------------

transferee-late-accept)
    # rtc_answer decides 6 s after the REFER, past the 4 s bound: 202 and NOTIFY
    # 100 went out at the bound; Accept then holds the call and calls the target,
    # and the NOTIFYs go on (100 once: SetReferredSessionState(INPROGRESS) adds none).
    S_REFER_TO="sip:target@127.0.0.1:$SIPP2_PORT$TP"
    sipp_bg target "$SCEN/target_ringing.xml" $SIPP2_PORT $((BASE + 14))
    tl_wait_port "$PROTO" $SIPP2_PORT
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer accept \
        --refer-delay 6000 --timeout 20
    tl_wait_port "$PROTO" $RTC_PORT
    sipp_bg sipp "$SCEN/alice_refer_late_accept.xml" $SIPP_PORT $((BASE + 10)) 127.0.0.1:$RTC_PORT
    tl_wait sipp
    tl_wait target
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc target 0
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[bob\] referred to sip:target@' '^\[bob\] deciding on the transfer in 6000 ms$' \
        '^\[bob\] participant sip:target@[^ ]* CONNECTED status 0$'
    ;;

transferee-late-reject)
    S_REFER_TO="sip:target@127.0.0.1:$SIPP2_PORT$TP"
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer reject \
        --refer-delay 6000 --timeout 20
    tl_wait_port "$PROTO" $RTC_PORT
    sipp_bg sipp "$SCEN/alice_refer_late_reject.xml" $SIPP_PORT $((BASE + 10)) 127.0.0.1:$RTC_PORT
    tl_wait sipp
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[bob\] referred to sip:target@' '^\[bob\] rejecting the transfer$'
    tl_expect_no_line rtc 'participant sip:target'
    ;;

transferor-late-decline)
    # SIPp (bob) answers rtc_transfer's REFER 202, NOTIFYs 100, then declines:
    # NOTIFY 603 terminated;reason=rejected. The application sees REJECTED 603.
    sipp_bg sipp "$SCEN/transferee_late_decline.xml" $SIPP_PORT $((BASE + 10))
    tl_wait_port "$PROTO" $SIPP_PORT
    tl_fg rtc "$RTC_TRANSFER" --bind 127.0.0.1:$RTC_PORT --from sip:alice@127.0.0.1 --wait 0 --timeout 15 \
        "sip:bob@127.0.0.1:$SIPP_PORT$TP" sip:carol@127.0.0.1:5099
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc rtc 1
    T='^\[transferor\]'
    tl_expect_order rtc "$T refer REFERRING status 0$" "$T refer ACCEPTED status SIP 202 " \
        "$T refer ACCEPTED status SIP 100 " "$T refer REJECTED status SIP 603 \\(0x80ef025b\\)" \
        "$T session CONNECTED status 0$" "$T transfer FAILED$"
    tl_expect_no_line rtc "$T refer (DROPPED|DONE)"
    ;;

# ---- the implicit subscription (RFC 6665) ---------------------------------------------------

transferee-refresh)
    # SIPp refers rtc_answer to a target that rings 3 s; meanwhile SIPp
    # refreshes the subscription: 200 with Expires: 60, a NOTIFY with the status.
    S_REFER_TO="sip:target@127.0.0.1:$SIPP2_PORT$TP"
    sipp_bg target "$SCEN/target_ringing.xml" $SIPP2_PORT $((BASE + 14))
    tl_wait_port "$PROTO" $SIPP2_PORT
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer accept --timeout 20
    tl_wait_port "$PROTO" $RTC_PORT
    sipp_bg sipp "$SCEN/alice_refer_refresh.xml" $SIPP_PORT $((BASE + 10)) 127.0.0.1:$RTC_PORT
    tl_wait sipp
    tl_wait target
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc target 0
    tl_expect_rc rtc 0
    ;;

transferee-expiry)
    # The engine accepts a REFER but never reports a final status; its
    # subscription (3 s) runs out unrefreshed: NOTIFY terminated;reason=timeout.
    tl_bg peer "$ENGINE_PEER" --mode uas --transport "$PROTO" --port $RTC_PORT --calls 1 --refer-action accept \
        --refer-expires 3 --expect-end remote-hangup --timeout 20 -v
    tl_wait_port "$PROTO" $RTC_PORT
    sipp_bg sipp "$SCEN/alice_refer_expiry.xml" $SIPP_PORT $((BASE + 10)) 127.0.0.1:$RTC_PORT
    tl_wait sipp
    tl_wait peer
    tl_expect_rc sipp 0
    tl_expect_rc peer 0
    ;;

stray-notify)
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --timeout 20
    tl_wait_port "$PROTO" $RTC_PORT
    sipp_bg sipp "$SCEN/alice_stray_notify.xml" $SIPP_PORT $((BASE + 10)) 127.0.0.1:$RTC_PORT
    tl_wait sipp
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    tl_expect_no_line rtc 'refer'
    ;;

transferor-long-ring)
    # rtc_transfer refers SIPp (bob), whose new call rings 150 s under a 120 s
    # subscription: rtc_transfer refreshes it (SUBSCRIBE at about 88 s), and the
    # final NOTIFY 200 at 150 s still reaches it: DONE.
    SIPP_TIMEOUT=200
    sipp_bg sipp "$SCEN/transferee_long_ring.xml" $SIPP_PORT $((BASE + 10))
    tl_wait_port "$PROTO" $SIPP_PORT
    tl_fg rtc "$RTC_TRANSFER" --bind 127.0.0.1:$RTC_PORT --from sip:alice@127.0.0.1 --wait 0 --timeout 200 \
        "sip:bob@127.0.0.1:$SIPP_PORT$TP" sip:carol@127.0.0.1:5099
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    T='^\[transferor\]'
    tl_expect_order rtc "$T refer ACCEPTED status SIP 202 " "$T refer ACCEPTED status SIP 180 " \
        "$T refer DONE status SIP 200 " "$T transfer DONE$"
    tl_expect_no_line rtc "$T refer (DROPPED|REJECTED|ERROR)"
    ;;

# ---- digest (RFC 8760) ------------------------------------------------------------------------

digest-sha256-first)
    sipp_bg sipp "$SCEN/registrar_sha256_md5.xml" $SIPP_PORT $((BASE + 10))
    tl_wait_port "$PROTO" $SIPP_PORT
    tl_fg rtc "$RTC_REGISTER" --listen 127.0.0.1:$RTC_PORT --registrar 127.0.0.1:$SIPP_PORT --protocol ${VIA} \
        --uri sip:alice@127.0.0.1 --account alice --password secret --unregister --timeout 15
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[register\] registration REGISTERED status 0$' '^\[register\] result OK$'
    ;;

*)
    tl_log "unknown test $TEST"
    exit 1
    ;;
esac
tl_finish
