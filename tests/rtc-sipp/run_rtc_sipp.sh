#!/bin/bash
# One RTC-API-against-SIPp test: the RTC samples (rtc_call, rtc_answer,
# rtc_transfer) or this directory's drivers (rtc_register, rtc_noconsent)
# against SIPp scenarios from scenarios/. Both sides are checked: SIPp's exit
# status (its scenarios check the wire with check_it regexps) and the RTC
# program's exit status and printed events.
#
#   run_rtc_sipp.sh TEST PROTOCOL BASE_PORT WORKDIR SAMPLES_DIR DRIVERS_DIR
#
# PROTOCOL is udp or tcp. Ports: the RTC program BASE, a second RTC program
# BASE+1, SIPp BASE+2, a second SIPp BASE+3, SIPp media BASE+10 and BASE+14.
# The whole test runs in a private network namespace (loopback only) when it
# can (testlib.sh), so the fixed ports cannot collide with anything; CMake
# still gives every test its own ports for the fallback on the host loopback.
# Exit: 0 pass, 1 fail, 77 skip (no sipp).
# S_* variables are read by tl_scenario (testlib.sh) through compgen; TL_SCRIPT too.
# shellcheck disable=SC2034
set -u

TEST=$1 PROTO=$2 BASE=$3 TL_WORK=$4 SAMPLES=$5 DRIVERS=$6
shift 6
HERE=$(cd "$(dirname "$0")" && pwd)
TL_SCRIPT="$HERE/$(basename "$0")"
SCEN="$HERE/scenarios"
# shellcheck source=testlib.sh
. "$HERE/testlib.sh"
tl_enter_netns "$TEST" "$PROTO" "$BASE" "$TL_WORK" "$SAMPLES" "$DRIVERS"
tl_need sipp timeout ss
tl_setup

RTC_CALL=$SAMPLES/rtc_call
RTC_ANSWER=$SAMPLES/rtc_answer
RTC_TRANSFER=$SAMPLES/rtc_transfer
RTC_REGISTER=$DRIVERS/rtc_register
RTC_NOCONSENT=$DRIVERS/rtc_noconsent

RTC_PORT=$BASE
SIPP_PORT=$((BASE + 2))
SIPP2_PORT=$((BASE + 3))
SIPP_MEDIA=$((BASE + 10))
SIPP2_MEDIA=$((BASE + 14))
if [ "$PROTO" = tcp ]; then
    SIPP_T=t1 TP=";transport=tcp" VIA=TCP
else
    SIPP_T=u1 TP="" VIA=UDP
fi
# Placeholders in the scenarios (tl_scenario).
S_RTC_PORT=$RTC_PORT S_SIPP_PORT=$SIPP_PORT S_SIPP2_PORT=$SIPP2_PORT
S_TRANSPORT_PARAM=$TP S_VIA_PROTO=$VIA
S_USER_AGENT='rtcshim/[0-9.]+'

# sipp_bg NAME SCENARIO PORT MEDIA_PORT [args...]: SIPp (one call) in the background.
sipp_bg()
{
    local name=$1 scenario=$2 port=$3 media=$4 file
    shift 4
    file=$(tl_scenario "$SCEN/$scenario") || exit 1
    tl_bg "$name" sipp -sf "$file" -m 1 -nostdin -timeout 20 -timeout_error \
        -i 127.0.0.1 -p "$port" -mp "$media" -t $SIPP_T -trace_msg -trace_err \
        -message_file "$TL_WORK/${name}_messages.log" -error_file "$TL_WORK/${name}_errors.log" "$@"
}

# A SIPp UAS the RTC program calls.
sipp_uas() { sipp_bg sipp "$1" $SIPP_PORT $SIPP_MEDIA; tl_wait_port "$PROTO" $SIPP_PORT; }
# A SIPp UAC calling the RTC program (which must be listening already).
sipp_uac() { tl_wait_port "$PROTO" $RTC_PORT; sipp_bg sipp "$1" $SIPP_PORT $SIPP_MEDIA 127.0.0.1:$RTC_PORT; }

case $TEST in

# ---- issue 4: calls and registration ------------------------------------------------

call-out|call-out-product)
    # rtc_call places the call; SIPp checks the INVITE (its User-Agent too).
    # Over UDP rtc_call hangs up after 1 s and SIPp checks its BYE; over TCP
    # SIPp hangs up (rtc_call exits, closing the connection, right after
    # sending its own BYE, before SIPp could answer it; the transfer tests
    # check rtcshim's BYE over TCP). call-out-product: IRTCClient2's
    # put_ClientName and put_ClientCurVer lead the User-Agent; what a token
    # cannot hold (spaces, parentheses) is "_".
    product=()
    if [ $TEST = call-out-product ]; then
        S_USER_AGENT='Acme_Phone/2\.1__beta_ rtcshim/[0-9.]+'
        product=(--client-name "Acme Phone" --client-version "2.1 (beta)")
    fi
    if [ "$PROTO" = tcp ]; then
        sipp_uas uas_call_peer_bye.xml
        hangup=20
    else
        sipp_uas uas_call.xml
        hangup=1
    fi
    tl_fg rtc "$RTC_CALL" --bind 127.0.0.1:$RTC_PORT --from sip:alice@127.0.0.1 --hangup-after $hangup --timeout 10 \
        "${product[@]}" "sip:bob@127.0.0.1:$SIPP_PORT$TP"
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[caller\] session INPROGRESS status 0$' \
        "^\\[caller\\] participant sip:bob@127\\.0\\.0\\.1:$SIPP_PORT(;transport=tcp)? ALERTING status 0$" \
        '^\[caller\] session CONNECTED status 0$' '^\[caller\] session DISCONNECTED status 0$'
    if [ "$PROTO" = tcp ]; then
        tl_expect_no_line rtc 'hanging up'
    else
        tl_expect_order rtc '^\[caller\] hanging up$' '^\[caller\] session DISCONNECTED status 0$'
    fi
    ;;

call-in)
    # SIPp calls rtc_answer (auto answer), then hangs up.
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --timeout 20
    sipp_uac uac_call.xml
    tl_wait sipp
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[bob\] session INCOMING status 0$' '^\[bob\] session ANSWERING status 0$' \
        '^\[bob\] session CONNECTED status 0$' '^\[bob\] session DISCONNECTED status 0$'
    ;;

call-in-busy|call-in-reject)
    # rtc_answer turns the call down: Terminate(RTCTR_BUSY) -> 486, Terminate(RTCTR_REJECT) -> 603.
    if [ "$TEST" = call-in-busy ]; then
        mode=busy S_EXPECT_CODE=486 S_EXPECT_PHRASE="Busy Here"
    else
        mode=reject S_EXPECT_CODE=603 S_EXPECT_PHRASE="Decline"
    fi
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --answer $mode --timeout 20
    sipp_uac uac_call_rejected.xml
    tl_wait sipp
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[bob\] session INCOMING status 0$' '^\[bob\] session DISCONNECTED '
    tl_expect_no_line rtc 'session (ANSWERING|CONNECTED)'
    ;;

register)
    # An RTC profile registers with SIPp (digest MD5 challenge), then DisableProfile unregisters.
    sipp_uas registrar_md5.xml
    tl_fg rtc "$RTC_REGISTER" --listen 127.0.0.1:$RTC_PORT --registrar 127.0.0.1:$SIPP_PORT --protocol ${VIA} \
        --uri sip:alice@127.0.0.1 --account alice --password secret --unregister --timeout 15
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    # RTC_REGISTRATION_STATE: REGISTERING while the REGISTER (and its challenge) is
    # under way, REGISTERED on the 200; UNREGISTERING, NOT_REGISTERED after DisableProfile.
    tl_expect_order rtc '^\[register\] registration REGISTERING status 0$' \
        '^\[register\] registration REGISTERED status 0$' '^\[register\] DisableProfile$' \
        '^\[register\] registration UNREGISTERING status 0$' \
        '^\[register\] registration NOT_REGISTERED status 0$' '^\[register\] result OK$'
    tl_expect_no_line rtc 'another profile'
    ;;

# ---- a peer that restarts mid-call, or is gone ---------------------------------------

peer-restart|peer-gone)
    # SIPp answers rtc_call, then exits without a BYE: its port closes (over
    # TCP with the connection). peer-restart: a new SIPp opens the same port
    # and knows nothing of the call; rtc_call's BYE gets 481, over TCP on a
    # new connection. peer-gone: nothing listens; the BYE gets an ICMP port
    # unreachable (UDP) or a refused connection (TCP), which ends it at once
    # instead of after 64*T1. Either way the call ends as a local hang-up
    # (DISCONNECTED, status 0) and the shutdown that follows is not held up.
    sipp_uas uas_call_vanish.xml
    tl_bg rtc "$RTC_CALL" --bind 127.0.0.1:$RTC_PORT --from sip:alice@127.0.0.1 --hangup-on-signal --timeout 10 \
        "sip:bob@127.0.0.1:$SIPP_PORT$TP"
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_wait_line rtc '^\[caller\] session CONNECTED status 0$' || tl_fail "rtc_call did not connect"
    if [ "$TEST" = peer-restart ]; then
        sipp_bg restarted uas_restarted.xml $SIPP_PORT $SIPP_MEDIA
        tl_wait_port "$PROTO" $SIPP_PORT
    else
        # The old SIPp's port is closed: its process has exited (tl_wait).
        ss -Hln "sport = :$SIPP_PORT" | grep -q . && tl_fail "something still listens on $SIPP_PORT"
    fi
    pkill -USR1 -P "${TL_PID[rtc]}" -x rtc_call || tl_fail "no rtc_call to signal"
    tl_wait rtc
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[caller\] session CONNECTED status 0$' '^\[caller\] hanging up$' \
        '^\[caller\] session DISCONNECTED status 0$'
    tl_expect_no_line rtc 'no RTCCET_ASYNC_CLEANUP_DONE'
    if [ "$TEST" = peer-restart ]; then
        tl_wait restarted
        tl_expect_rc restarted 0
    fi
    ;;

# ---- issue 5: rtcshim as the transferor (rtc_transfer) ------------------------------

transfer-done|transfer-rejected|transfer-busy|transfer-norefersub)
    # rtc_transfer calls SIPp (bob), refers it to carol with a cookie, prints
    # every refer status and hangs up; SIPp plays the transferee.
    case $TEST in
    transfer-done) scenario=transferee_done.xml want=0 ;;
    transfer-rejected) scenario=transferee_reject.xml want=1 ;;
    transfer-busy) scenario=transferee_busy.xml want=1 ;;
    transfer-norefersub) scenario=transferee_norefersub.xml want=0 ;;
    esac
    sipp_uas $scenario
    tl_fg rtc "$RTC_TRANSFER" --bind 127.0.0.1:$RTC_PORT --from sip:alice@127.0.0.1 --wait 0 --cookie cookie-42 \
        --timeout 15 "sip:bob@127.0.0.1:$SIPP_PORT$TP" sip:carol@127.0.0.1:5099
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc rtc $want
    T='^\[transferor\]'
    # docs/wire-mapping.md, "Refer status codes".
    case $TEST in
    transfer-done)
        tl_expect_order rtc "$T session CONNECTED status 0$" "$T session REFER status 0$" "$T refer REFERRING status 0$" \
            "$T refer ACCEPTED status SIP 202 " "$T refer ACCEPTED status SIP 100 " "$T refer DONE status SIP 200 " \
            "$T session CONNECTED status 0$" "$T transfer DONE$"
        ;;
    transfer-rejected)
        tl_expect_order rtc "$T session REFER status 0$" "$T refer REFERRING status 0$" \
            "$T refer REJECTED status SIP 603 \(0x80ef025b\)" "$T session CONNECTED status 0$" "$T transfer FAILED$"
        tl_expect_no_line rtc "$T refer (ACCEPTED|DONE|DROPPED)"
        ;;
    transfer-busy)
        tl_expect_order rtc "$T refer REFERRING status 0$" "$T refer ACCEPTED status SIP 202 " \
            "$T refer ACCEPTED status SIP 100 " "$T refer DROPPED status SIP 486 \(0x80ef01e6\)" \
            "$T session CONNECTED status 0$" "$T transfer FAILED$"
        tl_expect_no_line rtc "$T refer DONE"
        ;;
    transfer-norefersub)
        tl_expect_order rtc "$T refer REFERRING status 0$" "$T refer ACCEPTED status SIP 202 " \
            "$T refer DONE status 0" "$T session CONNECTED status 0$" "$T transfer DONE$"
        ;;
    esac
    tl_expect_order rtc "$T session DISCONNECTED status 0$"
    ;;

# ---- issue 5: rtcshim as the transferee (rtc_answer, rtc_noconsent) ----------------

transferee-accept)
    # SIPp calls rtc_answer and refers it to a second SIPp (the target) with an
    # embedded X- header (passed on: --refer-private-headers); rtc_answer accepts,
    # holds the first call, calls the target and reports that call's progress in NOTIFYs.
    S_REFER_TO="sip:target@127.0.0.1:$SIPP2_PORT$TP?X-Custom=abc"
    sipp_bg target uas_target.xml $SIPP2_PORT $SIPP2_MEDIA
    tl_wait_port "$PROTO" $SIPP2_PORT
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer accept \
        --refer-private-headers --timeout 20
    sipp_uac uac_transfer_accept.xml
    tl_wait sipp
    tl_wait target
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc target 0
    tl_expect_rc rtc 0
    B='^\[bob\]'
    tl_expect_order rtc "$B session CONNECTED status 0$" \
        "$B referred to sip:target@127\.0\.0\.1:$SIPP2_PORT(;transport=tcp)?\?X-Custom=abc by sip:sipp@127\.0\.0\.1:$SIPP_PORT cookie \"cookie-7\"$" \
        "$B session HOLD status 0$" "$B participant sip:target@[^ ]* CONNECTED status 0$"
    ;;

transferee-reserved|transferee-reject|transferee-nofilter|transferee-undecided)
    # The REFER is turned down: a reserved header embedded in Refer-To (400);
    # rtc_answer --refer reject (603); an application whose event filter lacks
    # RTCEF_SESSION_REFERRED (603); one that never decides (603 after the bound).
    S_EXPECT_CODE=603 S_EXPECT_PHRASE=Decline
    S_REFER_TO="sip:target@127.0.0.1:$SIPP2_PORT$TP?X-Custom=abc"
    case $TEST in
    transferee-reserved)
        S_REFER_TO="sip:target@127.0.0.1:$SIPP2_PORT$TP?Call-ID=x"
        S_EXPECT_CODE=400 S_EXPECT_PHRASE='[[:print:]]*Call-ID'
        tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer accept --timeout 20 ;;
    transferee-reject)
        tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer reject --timeout 20 ;;
    transferee-nofilter)
        tl_bg rtc "$RTC_NOCONSENT" --listen 127.0.0.1:$RTC_PORT --mode nofilter --timeout 20 ;;
    transferee-undecided)
        tl_bg rtc "$RTC_NOCONSENT" --listen 127.0.0.1:$RTC_PORT --mode undecided --decision-ms 1000 --timeout 20 ;;
    esac
    sipp_uac uac_transfer_declined.xml
    tl_wait sipp
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    case $TEST in
    transferee-reserved)
        # Refused before the application is asked.
        tl_expect_no_line rtc 'referred to' ;;
    transferee-reject)
        tl_expect_order rtc '^\[bob\] referred to sip:target@' '^\[bob\] rejecting the transfer$' ;;
    transferee-nofilter)
        tl_expect_no_line rtc 'referred to|UNEXPECTED' ;;
    transferee-undecided)
        tl_expect_order rtc '^\[noconsent\] referred to sip:target@' '^\[noconsent\] not deciding' ;;
    esac
    tl_expect_no_line rtc 'participant sip:target'
    ;;

*)
    tl_log "unknown test $TEST"
    exit 1
    ;;
esac
tl_finish
