#!/bin/bash
# Audio between rtcshim (the RTC samples rtc_call and rtc_answer) and real SIP
# peers, headless, on loopback, in a private network namespace. What was heard
# decides: each side records what it plays (rtcshim: RTCSHIM_AUDIO_SINK into
# a WAV file; baresip: its sndfile module) and wav_check finds the other
# side's tone in the recording. The wire is recorded with tshark where a test
# counts packets.
#
#   run_media_interop.sh TEST BASE_PORT WORKDIR SAMPLES_DIR WAV_CHECK
#
# TEST: baresip-out-CODEC   rtc_call calls baresip (which only has CODEC)
#       baresip-in-CODEC    baresip calls rtc_answer with CODEC only
#                           (CODEC: pcmu, pcma, g722, opus)
#       baresip-dtmf-CODEC  rtc_call sends DTMF (IRTCClient::SendDTMF): baresip
#                           reports each RFC 4733 digit
#       baresip-hold        rtc_call holds and resumes: no RTP leaves rtcshim
#                           between the two re-INVITEs, RTP again after
#       sipp-pcma, sipp-opus  SIPp offers only that codec: rtc_answer answers
#                           with it, plays SIPp's recorded tone, sends RTP back
#       sipp-oneway         SIPp offers PCMA sendonly (a one-way call, as an
#                           announcement makes): rtc_answer answers recvonly,
#                           plays the tone (no hold) and sends no RTP
# Tones: rtcshim 880 Hz, the peer 440 Hz. Ports: rtcshim BASE, the peer's SIP
# BASE+10, baresip's console BASE+15, the peer's RTP BASE+20..29, a scratch
# port for recording SIPp's stream BASE+30.
# Exit: 0 pass, 1 fail, 77 skip (peer not installed).
# S_* variables are read by tl_scenario (testlib.sh); TL_SCRIPT too.
# shellcheck disable=SC2034
set -u

TEST=$1 BASE=$2 TL_WORK=$3 SAMPLES=$4 WAV_CHECK=$5
shift 5
HERE=$(cd "$(dirname "$0")" && pwd)
TL_SCRIPT="$HERE/$(basename "$0")"
# shellcheck source=../rtc-sipp/testlib.sh
. "$HERE/../rtc-sipp/testlib.sh"
case $TEST in
baresip-*) tl_need baresip ;;
sipp-*) tl_need sipp gst-launch-1.0 dumpcap ;;
esac
tl_need timeout ss
tl_enter_netns "$TEST" "$BASE" "$TL_WORK" "$SAMPLES" "$WAV_CHECK"
tl_setup

RTC_CALL=$SAMPLES/rtc_call
RTC_ANSWER=$SAMPLES/rtc_answer
RTC_PORT=$BASE
PEER_PORT=$((BASE + 10))
CONS_PORT=$((BASE + 15))
SCRATCH_PORT=$((BASE + 30))
RTC_TONE=880
PEER_TONE=440

# rtcshim's devices: its tone in, a WAV file out (read by the library at Initialize).
RTC_ENV=(env "RTCSHIM_AUDIO_SOURCE=audiotestsrc is-live=true freq=$RTC_TONE volume=0.4"
         "RTCSHIM_AUDIO_SINK=wavenc ! filesink location=$TL_WORK/rtc.wav" "XDG_CONFIG_HOME=$TL_WORK/config")

# The codec of a test name, as SDP and rtcshim's stats name it.
codec_of()
{
    case $1 in
    *-pcmu) echo PCMU ;;
    *-pcma) echo PCMA ;;
    *-g722) echo G722 ;;
    *-opus) echo opus ;;
    *) echo PCMU ;;
    esac
}

# ... and as a baresip account's audio_codecs names it (name/sample rate/channels).
baresip_codec()
{
    case $1 in
    G722) echo G722/16000/1 ;;
    opus) echo opus/48000/2 ;;
    *) echo "$1" ;;
    esac
}

# ---- baresip ---------------------------------------------------------------------------

# baresip_start USER CODEC: baresip as USER@127.0.0.1:PEER_PORT with that codec
# only, auto answer, a 440 Hz sine as its microphone, ALSA's "null" device as
# its speaker (it paces playback without a sound card), and sndfile writing
# what it decodes to rec/*-dec.wav.
baresip_start()
{
    local dir=$TL_WORK/baresip
    mkdir -p "$dir" "$TL_WORK/rec"
    cat >"$dir/config" <<EOF
poll_method		epoll
sip_listen		127.0.0.1:$PEER_PORT
sip_trans_def		udp
net_interface		127.0.0.1
dns_server		127.0.0.1:53
audio_player		alsa,null
audio_source		ausine,$PEER_TONE
ausrc_srate		48000
ausrc_channels		2
rtp_ports		$((BASE + 20))-$((BASE + 29))
module_path		/usr/lib/baresip/modules
module			g711.so
module			g722.so
module			opus.so
module			alsa.so
module			ausine.so
module			sndfile.so
snd_path		$TL_WORK/rec
module			cons.so
cons_listen		127.0.0.1:$CONS_PORT
module_app		account.so
module_app		menu.so
EOF
    echo "<sip:$1@127.0.0.1:$PEER_PORT>;regint=0;answermode=auto;audio_codecs=$(baresip_codec "$2")" >"$dir/accounts"
    : >"$dir/contacts"
    tl_bg baresip baresip -v -f "$dir"     # -v: it prints each RFC 4733 event it receives
    tl_wait_port udp $PEER_PORT && tl_wait_port udp $CONS_PORT && tl_wait_line baresip 'baresip is ready' 5
}

baresip_cmd()
{
    tl_log "baresip> $*"
    printf '%s\n' "$*" >/dev/udp/127.0.0.1/$CONS_PORT
}

baresip_stop()
{
    baresip_cmd "/quit"
    tl_wait baresip
}

# check_heard FILE FREQUENCY WHO: the recording carries the tone (at least 2 s of it).
check_heard()
{
    local file=$1 frequency=$2 who=$3 out
    if [ ! -f "$file" ]; then
        tl_fail "$who recorded nothing ($file)"
        return
    fi
    out=$("$WAV_CHECK" "$file" "$frequency" 2.0 2>&1)
    local rc=$?
    tl_log "$who: $out"
    [ $rc = 0 ] || tl_fail "$who did not hear $frequency Hz: $out"
}

check_baresip_heard()
{
    local dec
    dec=$(ls "$TL_WORK"/rec/*-dec.wav 2>/dev/null | head -n 1)
    check_heard "$dec" $RTC_TONE baresip
}

# ---- the wire ---------------------------------------------------------------------------

# wire_table: one line per UDP datagram of the capture (tshark is slow to
# start: read it once): frame, source port, destination port, SIP method,
# SDP media port.
wire_table()
{
    tshark -r "$TL_WORK/capture.pcapng" -T fields -E separator=/t -e frame.number -e udp.srcport -e udp.dstport \
        -e sip.Method -e sdp.media.port 2>/dev/null >"$TL_WORK/udp.tsv"
}

# ---- the tests --------------------------------------------------------------------------

case $TEST in

baresip-out-*)
    codec=$(codec_of "$TEST")
    baresip_start alice "$codec"
    tl_fg rtc "${RTC_ENV[@]}" "$RTC_CALL" --bind 127.0.0.1:$RTC_PORT --from sip:bob@127.0.0.1 --hangup-after 4 \
        --timeout 10 "sip:alice@127.0.0.1:$PEER_PORT"
    baresip_stop
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[caller\] session CONNECTED status 0$' "^\\[caller\\] audio: $codec, [1-9][0-9]* RTP packets sent, [1-9][0-9]* received" \
        '^\[caller\] session DISCONNECTED status 0$'
    tl_expect_line rtc '^\[caller\] media send started$'
    tl_expect_line rtc '^\[caller\] media receive started$'
    check_heard "$TL_WORK/rtc.wav" $PEER_TONE rtcshim
    check_baresip_heard
    ;;

baresip-in-*)
    codec=$(codec_of "$TEST")
    baresip_start alice "$codec"
    tl_bg rtc "${RTC_ENV[@]}" "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --hangup-after 4 \
        --timeout 15
    tl_wait_port udp $RTC_PORT
    baresip_cmd "/dial sip:bob@127.0.0.1:$RTC_PORT"
    tl_wait rtc
    baresip_stop
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[bob\] session CONNECTED status 0$' "^\\[bob\\] audio: $codec, [1-9][0-9]* RTP packets sent, [1-9][0-9]* received" \
        '^\[bob\] session DISCONNECTED status 0$'
    check_heard "$TL_WORK/rtc.wav" $PEER_TONE rtcshim
    check_baresip_heard
    ;;

baresip-dtmf-*)
    # Four digits once rtcshim's audio goes out; baresip reports each one it receives.
    codec=$(codec_of "$TEST")
    baresip_start alice "$codec"
    tl_fg rtc "${RTC_ENV[@]}" "$RTC_CALL" --bind 127.0.0.1:$RTC_PORT --from sip:bob@127.0.0.1 --hangup-after 5 \
        --timeout 10 --dtmf '159#' "sip:alice@127.0.0.1:$PEER_PORT"
    baresip_stop
    tl_expect_rc rtc 0
    tl_expect_order rtc "^\\[caller\\] dtmf 1: 0x00000000$" "^\\[caller\\] dtmf #: 0x00000000$" \
        "^\\[caller\\] audio: $codec, .* 4 DTMF digits sent$"
    # baresip -v prints "received event: 'D' (end=1)" for each RFC 4733 event that ends
    received=$(grep -ao "received event: '.' (end=1)" "$TL_WORK/baresip.log" | cut -d"'" -f2 | tr -d '\n')
    tl_log "baresip received the digits '$received'"
    [ "$received" = '159#' ] || tl_fail "baresip received the digits '$received', expected '159#'"
    ;;

baresip-hold)
    # Hold 2 s after connecting, resume 2 s later: between the hold's
    # offer/answer and the resume's offer no RTP leaves rtcshim (RFC 3264 hold:
    # rtcshim offers sendonly, sends nothing); after the resume it sends again.
    tl_capture_start
    [ "$TL_CAPTURE" = 1 ] || tl_skip "counting packets needs tshark in a private namespace"
    baresip_start alice PCMU
    tl_fg rtc "${RTC_ENV[@]}" "$RTC_CALL" --bind 127.0.0.1:$RTC_PORT --from sip:bob@127.0.0.1 --hold-after 2 \
        --resume-after 4 --hangup-after 6 --timeout 10 "sip:alice@127.0.0.1:$PEER_PORT"
    baresip_stop
    tl_capture_stop
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[caller\] media send started$' '^\[caller\] holding$' '^\[caller\] media send stopped \(hold\)$' \
        '^\[caller\] resuming$' '^\[caller\] media send started$'
    wire_table
    # rtcshim's RTP port from its first INVITE's SDP; its INVITEs and ACKs in order
    rtp_port=$(awk -F'\t' -v p=$RTC_PORT '$2 == p && $4 == "INVITE" && $5 != "" { print $5; exit }' "$TL_WORK/udp.tsv")
    invites=($(awk -F'\t' -v p=$RTC_PORT '$2 == p && $4 == "INVITE" { print $1 }' "$TL_WORK/udp.tsv"))
    acks=($(awk -F'\t' -v p=$RTC_PORT '$2 == p && $4 == "ACK" { print $1 }' "$TL_WORK/udp.tsv"))
    if [ -z "$rtp_port" ] || [ ${#invites[@]} -ne 3 ] || [ ${#acks[@]} -ne 3 ]; then
        tl_fail "expected 3 INVITEs and 3 ACKs from rtcshim (call, hold, resume), got ${#invites[@]} and ${#acks[@]}"
    else
        # held: from the ACK of the hold's 200 to the resume's INVITE; resumed: after that one's ACK
        read -r before held after < <(awk -F'\t' -v p="$rtp_port" -v h="${invites[1]}" -v ha="${acks[1]}" \
            -v r="${invites[2]}" -v ra="${acks[2]}" '$2 == p {
                if ($1 < h) b++; else if ($1 > ha && $1 < r) m++; else if ($1 > ra) a++ }
            END { print b + 0, m + 0, a + 0 }' "$TL_WORK/udp.tsv")
        tl_log "RTP from rtcshim's port $rtp_port: $before before the hold, $held while held, $after after the resume"
        [ "$before" -ge 50 ] || tl_fail "only $before RTP packets before the hold"
        [ "$held" -le 1 ] || tl_fail "$held RTP packets left rtcshim while it held the call"
        [ "$after" -ge 50 ] || tl_fail "only $after RTP packets after the resume"
    fi
    ;;

sipp-pcma|sipp-opus|sipp-oneway)
    # A recorded RTP stream of a 440 Hz tone for SIPp to play (made here with
    # GStreamer's encoders and dumpcap), then SIPp's single-codec offer.
    S_OFFER_DIRECTION=sendrecv S_ANSWER_DIRECTION=sendrecv
    [ $TEST = sipp-oneway ] && S_OFFER_DIRECTION=sendonly S_ANSWER_DIRECTION=recvonly
    if [ $TEST != sipp-opus ]; then
        S_CODEC_PT=8 S_CODEC_RTPMAP=PCMA/8000 stats_codec=PCMA rate=8000
        encode="alawenc ! rtppcmapay pt=8"
    else
        S_CODEC_PT=96 S_CODEC_RTPMAP=opus/48000/2 stats_codec=opus rate=48000
        encode="opusenc frame-size=20 ! rtpopuspay pt=96"
    fi
    S_RTC_PORT=$RTC_PORT S_PCAP=$TL_WORK/tone.pcap
    tl_bg dumpcap dumpcap -i lo -f "udp dst port $SCRATCH_PORT" -P -w "$TL_WORK/tone.pcap"
    tl_wait_line dumpcap 'Capturing on' 10
    # shellcheck disable=SC2086
    # five seconds: 250 buffers of 20 ms
    tl_fg tone gst-launch-1.0 -q audiotestsrc is-live=true freq=$PEER_TONE volume=0.4 num-buffers=250 \
        samplesperbuffer=$((rate / 50)) ! audio/x-raw,rate=$rate,channels=1 ! $encode \
        ! udpsink host=127.0.0.1 port=$SCRATCH_PORT
    sleep 0.5
    kill -TERM "${TL_PID[dumpcap]}" 2>/dev/null
    tl_wait dumpcap
    tl_capture_start
    tl_bg rtc "${RTC_ENV[@]}" "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --timeout 20
    tl_wait_port udp $RTC_PORT
    scenario=$(tl_scenario "$HERE/scenarios/uac_one_codec.xml") || exit 1
    tl_fg sipp sipp -sf "$scenario" -m 1 -nostdin -timeout 20 -timeout_error -i 127.0.0.1 -p $PEER_PORT \
        -mp $((BASE + 20)) -trace_msg -trace_err -message_file "$TL_WORK/sipp_messages.log" \
        -error_file "$TL_WORK/sipp_errors.log" 127.0.0.1:$RTC_PORT
    tl_wait rtc
    tl_capture_stop
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    tl_expect_line rtc '^\[bob\] media receive started$'
    check_heard "$TL_WORK/rtc.wav" $PEER_TONE rtcshim
    if [ $TEST = sipp-oneway ]; then
        tl_expect_no_line rtc '^\[bob\] media send started$'
        tl_expect_no_line rtc 'hold|HOLD'
    else
        tl_expect_line rtc '^\[bob\] media send started$'
    fi
    if [ "$TL_CAPTURE" = 1 ]; then
        sent=$(tshark -r "$TL_WORK/capture.pcapng" -d "udp.port==$((BASE + 20)),rtp" \
                -Y "udp.dstport == $((BASE + 20)) && rtp.p_type == $S_CODEC_PT" -T fields -e frame.number 2>/dev/null \
                | wc -l)
        tl_log "rtcshim sent $sent $stats_codec packets (payload type $S_CODEC_PT) to SIPp"
        if [ $TEST = sipp-oneway ]; then
            [ "$sent" = 0 ] || tl_fail "rtcshim sent $sent $stats_codec packets to SIPp on a call it only receives"
        else
            [ "$sent" -ge 100 ] || tl_fail "rtcshim sent only $sent $stats_codec packets to SIPp"
        fi
    fi
    ;;

*)
    tl_log "unknown test $TEST"
    exit 1
    ;;
esac

tl_finish
