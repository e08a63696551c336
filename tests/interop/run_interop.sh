#!/bin/bash
# Transfers between rtcshim's RTC samples and real SIP user agents from Debian
# (baresip 1.0, linphonec 5.1), headless, on loopback, in a private network
# namespace (README.md here: the peers must not see any other network).
# Four parties' worth of programs: the peer, and rtc_transfer or rtc_answer
# as the other two.
#
#   run_interop.sh TEST BASE_PORT WORKDIR SAMPLES_DIR
#
# TEST: baresip-transferor   rtc_transfer calls baresip and refers it to an rtc_answer
#       baresip-transferee   baresip calls an rtc_answer and /transfers it to another
#       linphone-transferor  rtc_transfer calls linphonec and refers it to an rtc_answer
#       linphone-transferee  linphonec calls an rtc_answer and transfers it to another
#       linphone-attended    rtc_transfer --attended calls linphonec and an rtc_answer,
#                            then refers linphonec with Replaces to that call
# Ports: rtcshim BASE (transferor or transferee), BASE+1 (the target),
# the peer's SIP BASE+10 (baresip also takes BASE+11 for TLS), baresip's
# console BASE+15, the peer's RTP BASE+20..29.
# Besides the programs' exit statuses and printed events, the SIP messages
# are recorded with tshark (when present) and checked: Refer-To in angle
# brackets, Referred-By, the refer cookie, every NOTIFY answered 200, the
# sipfrags and Subscription-State.
# Exit: 0 pass, 1 fail, 77 skip (peer not installed).
# TL_SCRIPT is read by testlib.sh.
# shellcheck disable=SC2034
set -u

TEST=$1 BASE=$2 TL_WORK=$3 SAMPLES=$4
shift 4
HERE=$(cd "$(dirname "$0")" && pwd)
TL_SCRIPT="$HERE/$(basename "$0")"
# shellcheck source=../rtc-sipp/testlib.sh
. "$HERE/../rtc-sipp/testlib.sh"
case $TEST in
baresip-*) tl_need baresip ;;
linphone-*) tl_need linphonec ;;
esac
tl_need timeout ss
tl_enter_netns "$TEST" "$BASE" "$TL_WORK" "$SAMPLES"
# linphonec probes public addresses for its media address unless it sees no
# network at all (README.md here): never run it on the host's network.
case $TEST in
linphone-*) [ "$TL_IN_NETNS" = netns ] || tl_skip "linphonec runs only in a private network namespace (needs root)" ;;
esac
tl_setup

RTC_ANSWER=$SAMPLES/rtc_answer
RTC_TRANSFER=$SAMPLES/rtc_transfer
RTC_PORT=$BASE
TARGET_PORT=$((BASE + 1))
PEER_PORT=$((BASE + 10))
CONS_PORT=$((BASE + 15))

# ---- the peers ------------------------------------------------------------------------

# baresip_start USER: baresip as USER@127.0.0.1:PEER_PORT, auto answer, PCMU,
# a sine tone as its microphone, commands through the UDP console, SIP trace on.
baresip_start()
{
    local dir=$TL_WORK/baresip
    mkdir -p "$dir"
    cat >"$dir/config" <<EOF
poll_method		epoll
sip_listen		127.0.0.1:$PEER_PORT
sip_trans_def		udp
net_interface		127.0.0.1
dns_server		127.0.0.1:53
audio_source		ausine,440
ausrc_srate		48000
ausrc_channels		2
rtp_ports		$((BASE + 20))-$((BASE + 29))
module_path		/usr/lib/baresip/modules
module			g711.so
module			ausine.so
module			cons.so
cons_listen		127.0.0.1:$CONS_PORT
module_app		account.so
module_app		menu.so
EOF
    echo "<sip:$1@127.0.0.1:$PEER_PORT>;regint=0;answermode=auto;audio_codecs=PCMU" >"$dir/accounts"
    : >"$dir/contacts"
    tl_bg baresip baresip -s -f "$dir"
    tl_wait_port udp $PEER_PORT && tl_wait_port tcp $CONS_PORT && tl_wait_line baresip 'baresip is ready' 5
}

# A command to baresip's console, over TCP (it listens on both): a command
# must not be lost where the loss suite drops UDP datagrams. The connection
# stays open until baresip has echoed the whole line (it takes a command
# character by character and drops the rest when the connection goes), at
# most 2 s.
baresip_cmd()
{
    local _
    tl_log "baresip> $*"
    if exec 8<>/dev/tcp/127.0.0.1/$CONS_PORT; then
        printf '%s\n' "$*" >&8
        read -r -t $((2 * TL_SCALE)) _ <&8
        exec 8>&-
    fi
}

# linphonec_start USER [-a]: linphonec as USER@127.0.0.1:PEER_PORT, reading
# commands from a FIFO, wav files instead of a sound card, its own HOME.
linphonec_start()
{
    local dir=$TL_WORK/linphone user=$1
    shift
    mkdir -p "$dir/home"
    cat >"$dir/rc" <<EOF
[sip]
sip_port=$PEER_PORT
sip_tcp_port=0
sip_tls_port=0
bind_address=127.0.0.1
use_ipv6=0
contact=sip:$user@127.0.0.1:$PEER_PORT
guess_hostname=0
register_only_when_network_is_up=0
auto_net_state_mon=0

[net]
dns_srv_enabled=0
dns_search_enabled=0

[rtp]
audio_rtp_port=$((BASE + 20))-$((BASE + 29))

[storage]
uri=$dir/linphone.db
EOF
    mkfifo "$dir/in"
    HOME=$dir/home TL_STDIN=$dir/in tl_bg linphonec linphonec -c "$dir/rc" -d 0 "$@"
    # Holding the FIFO open keeps linphonec reading; closed at exit.
    exec 7>"$dir/in"
    # linphonec may have exited already: a write to a FIFO nobody reads would
    # kill this script with SIGPIPE, so the cleanup's write ignores it.
    TL_CLEANUP+=("(trap '' PIPE; printf 'quit\\n' >&7); sleep 0.5; exec 7>&-")
    linphonec_cmd "soundcard use files"
    tl_wait_port udp $PEER_PORT && tl_wait_line linphonec 'Using wav files' 5
}

linphonec_cmd()
{
    tl_log "linphonec> $*"
    printf '%s\n' "$*" >&7
}

# ---- checks shared by the tests --------------------------------------------------------

T='^\[transferor\]'

# rtcshim (rtc_transfer, at RTC_PORT) referred the peer to the target.
check_refer_sent()
{
    [ "$TL_CAPTURE" = 1 ] || return 0
    local refer notify ok
    refer=$(tl_wire_select $RTC_PORT $PEER_PORT '^REFER ' | head -n 1)
    tl_wire_expect "REFER from rtcshim" "$refer" "^Refer-To: <sip:carol@127\\.0\\.0\\.1:$TARGET_PORT>$" \
        '^Referred-By: <sip:alice@127\.0\.0\.1>$' '^X-RTC-Refer-Cookie: cookie-42$' '^CSeq: [0-9]+ REFER$'
    # Every NOTIFY the peer sent is answered 200 by rtcshim.
    for notify in $(tl_wire_select $PEER_PORT $RTC_PORT '^NOTIFY '); do
        local cseq
        cseq=$(tr -d '\r' <"$notify" | sed -n 's/^CSeq: *\([0-9]*\) NOTIFY$/\1/p')
        ok=$(for f in $(tl_wire_select $RTC_PORT $PEER_PORT '^SIP/2\.0 200 '); do
                 tr -d '\r' <"$f" | grep -l "^CSeq: $cseq NOTIFY$" >/dev/null && echo "$f"
             done | head -n 1)
        [ -n "$ok" ] || tl_fail "wire: the peer's NOTIFY CSeq $cseq ($(basename "$notify")) got no 200 from rtcshim"
    done
    [ -n "$(tl_wire_select $PEER_PORT $RTC_PORT '^NOTIFY ')" ] || tl_fail "wire: the peer sent no NOTIFY"
}

# rtcshim (rtc_answer, at RTC_PORT) was referred by the peer: 202, NOTIFY 100
# Trying (active) first, the final NOTIFY 200 OK (terminated; the sipfrag
# ends with CRLF: Content-Length 16), each with Event: refer;id=<the REFER's
# CSeq> and a message/sipfrag;version=2.0 body; the final one answered 200.
check_refer_received()
{
    [ "$TL_CAPTURE" = 1 ] || return 0
    local refer refer_cseq accepted notifies first last f cseq code
    refer=$(tl_wire_select $PEER_PORT $RTC_PORT '^REFER ' | head -n 1)
    tl_wire_expect "REFER from the peer" "$refer" "^Refer-To: <?sip:carol@127\\.0\\.0\\.1:$TARGET_PORT>?\$"
    [ -n "$refer" ] || return 0
    refer_cseq=$(tr -d '\r' <"$refer" | sed -n 's/^CSeq: *\([0-9]*\) REFER$/\1/p')
    accepted=$(for f in $(tl_wire_select $RTC_PORT $PEER_PORT '^SIP/2\.0 202 '); do
                   tr -d '\r' <"$f" | grep -q "^CSeq: $refer_cseq REFER$" && echo "$f"
               done | head -n 1)
    tl_wire_expect "202 to the REFER" "$accepted" '^SIP/2\.0 202 Accepted$'
    notifies=$(tl_wire_select $RTC_PORT $PEER_PORT '^NOTIFY ')
    first=$(echo "$notifies" | head -n 1)
    last=$(echo "$notifies" | tail -n 1)
    for f in $notifies; do
        tl_wire_expect "NOTIFY from rtcshim" "$f" "^Event: refer;id=$refer_cseq\$" \
            '^Content-Type: message/sipfrag *; *version=2\.0$'
        # Answered (linphonec answers a NOTIFY that crosses the hold re-INVITE
        # 491 Request Pending; the next NOTIFY supersedes it).
        cseq=$(tr -d '\r' <"$f" | sed -n 's/^CSeq: *\([0-9]*\) NOTIFY$/\1/p')
        code=$(for r in $(tl_wire_select $PEER_PORT $RTC_PORT '^SIP/2\.0 [2-6][0-9][0-9] '); do
                   tr -d '\r' <"$r" | grep -q "^CSeq: $cseq NOTIFY$" && head -n 1 "$r" | cut -d' ' -f2
               done | head -n 1)
        [ -n "$code" ] || tl_fail "wire: rtcshim's NOTIFY CSeq $cseq ($(basename "$f")) got no final response"
        [ "$f" != "$last" ] || [ "$code" = 200 ] \
            || tl_fail "wire: the final NOTIFY (CSeq $cseq) got $code from the peer, not 200"
    done
    tl_wire_expect "first NOTIFY" "$first" '^Subscription-State: active' '^SIP/2\.0 100 Trying$' \
        '^Content-Length: *20$'
    tl_wire_expect "final NOTIFY" "$last" '^Subscription-State: terminated' '^SIP/2\.0 200 OK$' \
        '^Content-Length: *16$'
    # One NOTIFY per status: no second 100 Trying when the application reports
    # INPROGRESS after Accept (linphonec logs an error for it).
    local trying=0
    for f in $notifies; do
        trying=$((trying + $(tr -d '\r' <"$f" | grep -c '^SIP/2\.0 100 Trying$')))
    done
    [ "$trying" = 1 ] || tl_fail "wire: rtcshim sent $trying NOTIFYs with 100 Trying, not one"
    # The REFER had no cookie: the INVITE to the target carries no (empty) cookie header.
    f=$(tl_wire_select $RTC_PORT $TARGET_PORT '^INVITE ' | head -n 1)
    [ -n "$f" ] || tl_fail "wire: no INVITE from rtcshim to the target was recorded"
    [ -z "$f" ] || ! grep -qi '^X-RTC-Refer-Cookie' "$f" || tl_fail "wire: an empty X-RTC-Refer-Cookie on the INVITE to the target"
}

# The target (rtc_answer carol at TARGET_PORT) took a call from the transferee.
check_target()
{
    local from=$1
    tl_expect_rc target 0
    tl_expect_order target "^\\[carol\\] session INCOMING status 0\$" \
        "^\\[carol\\] participant $from ANSWERING " '^\[carol\] session CONNECTED status 0$' \
        '^\[carol\] hanging up$' '^\[carol\] session DISCONNECTED status 0$'
}

# rtc_answer bob was transferred to carol and reported it.
check_transferee()
{
    local by=$1
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[bob\] session CONNECTED status 0$' \
        "^\\[bob\\] referred to sip:carol@127\\.0\\.0\\.1:$TARGET_PORT by $by cookie \"\"\$" \
        "^\\[bob\\] participant sip:carol@127\\.0\\.0\\.1:$TARGET_PORT CONNECTED status 0\$"
    # Under the loss suite (LOSS_MODE set), the hold may never complete: its
    # re-INVITE lost until the transferor, told of the success by the
    # NOTIFYs that did get through, hangs up (then it gets 481).
    [ -n "${LOSS_MODE:-}" ] || tl_expect_line rtc '^\[bob\] session HOLD status 0$'
    tl_expect_no_line rtc 'rtc_answer:'
}

# ---- the tests ---------------------------------------------------------------------------

case $TEST in

baresip-transferor|linphone-transferor)
    # alice (rtc_transfer) calls bob/dave (the peer, auto answer) and refers it
    # to carol (rtc_answer, hangs up after 1 s); exits 0 on DONE.
    tl_capture_start
    if [ $TEST = baresip-transferor ]; then
        peer=bob
        baresip_start $peer
    else
        peer=dave
        linphonec_start $peer -a
    fi
    tl_bg target "$RTC_ANSWER" --listen 127.0.0.1:$TARGET_PORT --uri sip:carol@127.0.0.1 --hangup-after 1 --timeout 20
    tl_wait_port udp $TARGET_PORT
    tl_fg rtc "$RTC_TRANSFER" --bind 127.0.0.1:$RTC_PORT --from sip:alice@127.0.0.1 --wait 1 --cookie cookie-42 \
        --timeout 15 sip:$peer@127.0.0.1:$PEER_PORT sip:carol@127.0.0.1:$TARGET_PORT
    tl_wait target
    tl_capture_stop
    tl_expect_rc rtc 0
    tl_expect_order rtc "$T session CONNECTED status 0$" "$T refer REFERRING status 0$" \
        "$T refer ACCEPTED status SIP 202 " "$T refer DONE status SIP 200 " "$T transfer DONE$"
    tl_expect_no_line rtc "$T refer (REJECTED|DROPPED|ERROR)"
    check_target "sip:$peer@127\\.0\\.0\\.1(:$PEER_PORT)?"
    check_refer_sent
    ;;

baresip-transferee)
    # alice (baresip) calls bob (rtc_answer), then /transfer to carol (rtc_answer).
    # baresip sends no Referred-By and hangs up after the final NOTIFY.
    tl_capture_start
    baresip_start alice
    tl_bg target "$RTC_ANSWER" --listen 127.0.0.1:$TARGET_PORT --uri sip:carol@127.0.0.1 --hangup-after 1 --timeout 20
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer accept --timeout 20
    tl_wait_port udp $TARGET_PORT && tl_wait_port udp $RTC_PORT
    baresip_cmd "/dial sip:bob@127.0.0.1:$RTC_PORT"
    tl_wait_line rtc '^\[bob\] media send started' 10
    sleep 0.5
    baresip_cmd "/transfer sip:carol@127.0.0.1:$TARGET_PORT"
    tl_wait rtc
    tl_wait target
    tl_capture_stop
    check_transferee ''
    # Under loss the hold's re-INVITE may first reach baresip after its BYE
    # went out (and was lost): baresip answers 481 and the call ends on that
    # 481 (docs/wire-mapping.md), before the BYE gets through.
    ended='0'
    [ -n "${LOSS_MODE:-}" ] && ended='(0|SIP 481 \(0x80ef01e1\))'
    tl_expect_order rtc "^\\[bob\\] participant sip:alice@127\\.0\\.0\\.1:$PEER_PORT DISCONNECTED status $ended\$"
    check_target 'sip:bob@127\.0\.0\.1'
    check_refer_received
    ;;

linphone-transferee)
    # dave (linphonec) calls bob (rtc_answer), then `transfer 1` to carol (rtc_answer).
    tl_capture_start
    linphonec_start dave
    tl_bg target "$RTC_ANSWER" --listen 127.0.0.1:$TARGET_PORT --uri sip:carol@127.0.0.1 --hangup-after 1 --timeout 20
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer accept --timeout 20
    tl_wait_port udp $TARGET_PORT && tl_wait_port udp $RTC_PORT
    linphonec_cmd "call sip:bob@127.0.0.1:$RTC_PORT"
    tl_wait_line rtc '^\[bob\] media send started' 10
    sleep 0.5
    linphonec_cmd "transfer 1 sip:carol@127.0.0.1:$TARGET_PORT"
    tl_wait rtc
    tl_wait target
    tl_capture_stop
    check_transferee 'sip:dave@127\.0\.0\.1'
    check_target 'sip:bob@127\.0\.0\.1'
    check_refer_received
    tl_expect_line linphonec 'has been transfered'
    ;;

linphone-attended)
    # alice (rtc_transfer --attended) calls dave (linphonec, auto answer), then
    # carol (rtc_answer), and refers dave to carol with Replaces naming
    # alice-carol. dave's INVITE with Replaces carries Referred-By: alice, the
    # party of the call it replaces, so carol takes it without asking (RFC 3891
    # §7), answers it and ends alice's call with BYE; alice takes that BYE as
    # the transfer's success (RFC 5589 §7) and exits 0.
    tl_capture_start
    linphonec_start dave -a
    tl_bg target "$RTC_ANSWER" --listen 127.0.0.1:$TARGET_PORT --uri sip:carol@127.0.0.1 --calls 2 \
        --hangup-after 4 --timeout 20
    tl_wait_port udp $TARGET_PORT
    tl_fg rtc "$RTC_TRANSFER" --bind 127.0.0.1:$RTC_PORT --from sip:alice@127.0.0.1 --attended --wait 1 \
        --timeout 15 sip:dave@127.0.0.1:$PEER_PORT sip:carol@127.0.0.1:$TARGET_PORT
    tl_wait target
    tl_capture_stop
    tl_expect_rc rtc 0
    tl_expect_rc target 0
    tl_expect_order rtc "$T session CONNECTED status 0$" "$T refer REFERRING status 0$" \
        "$T refer ACCEPTED status SIP 202 " "$T transfer DONE$"
    tl_expect_no_line rtc 'rtc_transfer:'
    tl_expect_no_line rtc "$T refer (REJECTED|ERROR)"
    # carol: alice's call, then dave's, taken at once (no INCOMING for it), alice's ended.
    tl_expect_order target '^\[carol\] session INCOMING status 0$' '^\[carol\] session CONNECTED status 0$' \
        "^\\[carol\\] participant sip:dave@127\\.0\\.0\\.1(:$PEER_PORT)? ANSWERING " \
        '^\[carol\] session DISCONNECTED status 0$' '^\[carol\] session CONNECTED status 0$'
    tl_expect_no_line target "^\\[carol\\] participant sip:dave@[^ ]* INCOMING"
    if [ "$TL_CAPTURE" = 1 ]; then
        invite=$(tl_wire_select $PEER_PORT $TARGET_PORT '^INVITE ' | head -n 1)
        tl_wire_expect "dave's INVITE to carol" "$invite" '^Replaces: ' '^Referred-By: <?sip:alice@127\.0\.0\.1'
        bye=$(tl_wire_select $TARGET_PORT $RTC_PORT '^BYE ' | head -n 1)
        tl_wire_expect "carol's BYE of alice's call" "$bye" '^BYE sip:alice@'
        refer=$(tl_wire_select $RTC_PORT $PEER_PORT '^REFER ' | head -n 1)
        tl_wire_expect "REFER from rtcshim" "$refer" \
            "^Refer-To: <sip:carol@127\\.0\\.0\\.1:$TARGET_PORT\\?Replaces=[^>]*%3Bto-tag%3D[^>]*%3Bfrom-tag%3D[^>]*>\$"
        tl_wire_expect "REFER from rtcshim" "$refer" '^Referred-By: <sip:alice@127\.0\.0\.1>$'
        # No cookie was given: no X-RTC-Refer-Cookie header at all.
        ! grep -qi '^X-RTC-Refer-Cookie' "$refer" || tl_fail "wire: an X-RTC-Refer-Cookie header without a cookie"
    fi
    ;;

*)
    tl_log "unknown test $TEST"
    exit 1
    ;;
esac
tl_finish
