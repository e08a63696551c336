#!/bin/bash
# The media benchmark: prints figures, times nothing in CI.
#
#   bench/media.sh [BUILD_DIR] [SECONDS]
#   RTCSHIM_BENCH_CALLS="10 100" bench/media.sh  (the call counts; at most 250)
#
# Concurrent two-way PCMU calls between two processes on loopback
# (bench_rtc_media_load: one answers every call, the other places N at once),
# each side capturing a test tone (audiotestsrc, 160-sample buffers: 20 ms
# at the codec's 8 kHz, as a sound card's period would be) and playing into a
# fake sink.
# Once every call's audio flows both ways, and after 5 s more (the sources
# catch up on the set-up), both processes are measured for
# SECONDS (default 10): CPU (utime+stime from /proc) and RSS growth per call,
# RTP packets sent and received (and whether they keep real time: a side
# whose threads cannot keep up sends fewer than 50 a second, which RTCP does
# not count as loss), and what the RTCP receiver reports of both
# sides say about loss and jitter, both processes' threads, and their
# wake-ups (voluntary context switches) per call and 20 ms packet time.
# N = 10, 100 and 200 by default (RTCSHIM_BENCH_CALLS),
# never more than 250: every call costs each process about 4 threads (the
# figure says how many), and the calls that never get audio flowing within
# the set-up bound (60 s + N/2 s) are counted apart (connected, flowing).
# In the same run, baresip's CPU for one PCMU call between two baresip
# processes, same window: its sine source (ausine, 48 kHz stereo as it
# requires) and no player module (baresip still decodes what it receives;
# ALSA's null device would be the fake sink, but it has no clock and baresip's
# player thread spins on it, a core's worth of CPU that is no part of a call).
# The whole run is in a private network namespace when root (loopback only).
set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-$BENCH/../build}" && pwd)
SECONDS_WINDOW=${2:-10}
CALLS=${RTCSHIM_BENCH_CALLS:-10 100 200}
for n in $CALLS; do
    case $n in
        ''|*[!0-9]*) echo "RTCSHIM_BENCH_CALLS: '$n' is not a number of calls" >&2; exit 2 ;;
    esac
    [ "$n" -ge 1 ] && [ "$n" -le 250 ] || { echo "RTCSHIM_BENCH_CALLS: $n calls: 1 to 250 only" >&2; exit 2; }
done
export RTCSHIM_BENCH_CALLS="$CALLS"
LOAD=$BUILD/bench/bench_rtc_media_load
[ -x "$LOAD" ] || { echo "no $LOAD: build the bench_rtc_media_load target first" >&2; exit 2; }

if [ -z "${RTCSHIM_BENCH_NETNS:-}" ] && [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
    export RTCSHIM_BENCH_NETNS=1
    exec unshare --net -- sh -c 'ip link set lo up && exec "$0" "$@"' "$0" "$BUILD" "$SECONDS_WINDOW"
fi

"$BENCH/stamp.sh"
WORK=$(mktemp -d /tmp/rtcshim-media-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
TICK=$(getconf CLK_TCK)
ANSWER_PORT=13180
CALLER_PORT=13182

export RTCSHIM_AUDIO_CODECS=PCMU
export RTCSHIM_AUDIO_SOURCE="audiotestsrc is-live=true wave=sine freq=440 volume=0.3 samplesperbuffer=160"
export RTCSHIM_AUDIO_SINK="fakesink"
export XDG_CONFIG_HOME=$WORK/config

echo
echo "rtcshim: N concurrent two-way PCMU calls between two processes, ${SECONDS_WINDOW} s measured"
printf '%6s %9s %8s %10s %10s %9s %12s %9s %9s %8s %6s %11s %10s\n' calls connected flowing "CPU/call" "RSS/call" \
    threads "wakeups/call" "RTP sent" received "in time" lost "jitter max" "lost@setup"
BY_THREAD=
for n in $CALLS; do
    # not under timeout(1): the caller measures this very process (--peer-pid); it is
    # killed below once the caller, which is bounded, has finished
    "$LOAD" --answer --listen 127.0.0.1:$ANSWER_PORT >"answer-$n.log" 2>&1 &
    answer=$!
    for _ in $(seq 100); do grep -q answering "answer-$n.log" 2>/dev/null && break; sleep 0.1; done
    timeout $((SECONDS_WINDOW + 280)) "$LOAD" --call "sip:bench@127.0.0.1:$ANSWER_PORT" --calls $n \
        --seconds "$SECONDS_WINDOW" --peer-pid $answer --listen 127.0.0.1:$CALLER_PORT >"call-$n.log" 2>&1
    kill $answer 2>/dev/null
    wait $answer 2>/dev/null
    read -r _ _ _ connected _ flowing _ < <(grep "^calls " "call-$n.log")
    read -r _ _ ct _ pt < <(grep '^cpu-ticks ' "call-$n.log")
    read -r _ _ cr _ pr _ _ ci _ pi < <(grep '^rss-kb ' "call-$n.log")
    read -r _ _ cth _ pth < <(grep '^threads ' "call-$n.log")
    read -r _ _ cw _ pw < <(grep '^switches ' "call-$n.log")
    read -r _ _ sent _ received _ lost _ jitter _ before < <(grep '^rtp ' "call-$n.log")
    read -r _ window_ms < <(grep '^window-ms ' "call-$n.log")
    read -r _ _ cm cr_ cj co _ pm pr_ pj po < <(grep '^thread-ticks ' "call-$n.log")
    if [ -z "${ct:-}" ] || [ -z "${sent:-}" ]; then
        echo "$n calls: no figures (see below)"; cat "call-$n.log"; continue
    fi
    awk -v n=$n -v c="${connected%,}" -v f="${flowing%,}" -v w="$((cw + pw))" -v ct="$ct" -v pt="$pt" -v tick="$TICK" -v s="$SECONDS_WINDOW" \
        -v cr="$cr" -v pr="$pr" -v ci="$ci" -v pi="$pi" -v sent="$sent" -v rec="$received" -v lost="$lost" \
        -v jitter="$jitter" -v before="$before" -v th="$cth+$pth" -v ms="$window_ms" 'BEGIN {
            s = ms / 1000      # the window as it ran
            intime = 100 * (sent < rec ? sent : rec) / (f * s * 50)
            printf "%6d %9d %8d %9.2f%% %7.0f kB %9s %12.1f %9d %9d %7.1f%% %6d %8.2f ms %10d\n", n, c, f,
                   100 * (ct + pt) / tick / s / n, (cr - ci + pr - pi) / n, th, w / n / (s * 50), sent, rec, intime,
                   lost, jitter / 8, before }'
    [ -n "${cm:-}" ] && BY_THREAD+=$(awk -v n=$n -v tick="$TICK" -v ms="$window_ms" -v m=$((cm + pm)) -v r=$((cr_ + pr_)) \
        -v j=$((cj + pj)) -v o=$((co + po)) 'BEGIN { d = tick * ms / 1000 * n / 100
            printf "%6d %11.2f%% %9.2f%% %15.2f%% %7.2f%%\n", n, m / d, r / d, j / d, o / d }')$'\n'
done
echo "(CPU/call: both processes' CPU time over the window, per call, in % of one core;"
echo " RSS/call: both processes' RSS growth over idle, per call; threads: caller+answerer at the window's end;"
echo " wakeups/call: both processes' voluntary context switches per call and 20 ms packet time;"
echo " RTP sent/received: the caller's packets in the window; in time: the fewer of the two against the"
echo "   50 packets a second each flowing call sends in real time (below 100 %: a side's audio falls behind);"
echo " lost/jitter: both sides' RTCP receiver reports)"
if [ -n "${BY_THREAD:-}" ]; then
    echo
    echo "CPU/call by thread, both processes (% of one core per call):"
    printf '%6s %12s %10s %16s %8s\n' calls microphone receiver "jitter buffers" other
    printf '%s' "$BY_THREAD"
    echo "(microphone: the capture's streaming thread, which runs every call's send chain up to the"
    echo " socket; receiver: the thread reading every call's sockets, which pushes up to the jitter"
    echo " buffers; jitter buffers: one thread per call, which plays what it releases)"
fi
# the calls that never flowed, by their last state (RTC_SESSION_STATE) and status code
for n in $CALLS; do
    grep '^  not flowing' "call-$n.log" 2>/dev/null | sed "s/^  not flowing:/$n calls, not flowing:/"
done

# baresip, one PCMU call between two instances, same window.
if command -v baresip >/dev/null 2>&1; then
    for who in a b; do
        port=$([ $who = a ] && echo 13190 || echo 13200)
        mkdir -p "baresip-$who"
        cat >"baresip-$who/config" <<CONF
poll_method		epoll
sip_listen		127.0.0.1:$port
sip_trans_def		udp
net_interface		127.0.0.1
dns_server		127.0.0.1:53
audio_source		ausine,440
ausrc_srate		48000
ausrc_channels		2
rtp_ports		$((port + 20))-$((port + 29))
module_path		/usr/lib/baresip/modules
module			g711.so
module			ausine.so
module			cons.so
cons_listen		127.0.0.1:$((port + 5))
module_app		account.so
module_app		menu.so
CONF
        echo "<sip:$who@127.0.0.1:$port>;regint=0;answermode=auto;audio_codecs=PCMU/8000/1" >"baresip-$who/accounts"
        : >"baresip-$who/contacts"
        baresip -f "baresip-$who" >"baresip-$who.log" 2>&1 &
        eval "pid_$who=\$!"
    done
    sleep 2
    printf '/dial sip:a@127.0.0.1:13190\n' >/dev/udp/127.0.0.1/13205
    for _ in $(seq 100); do grep -q 'Call established' baresip-b.log 2>/dev/null && break; sleep 0.1; done
    sleep 2
    a0=$(awk '{ print $14 + $15 }' "/proc/$pid_a/stat"); b0=$(awk '{ print $14 + $15 }' "/proc/$pid_b/stat")
    sleep "$SECONDS_WINDOW"
    a1=$(awk '{ print $14 + $15 }' "/proc/$pid_a/stat"); b1=$(awk '{ print $14 + $15 }' "/proc/$pid_b/stat")
    printf '/quit\n' >/dev/udp/127.0.0.1/13195
    printf '/quit\n' >/dev/udp/127.0.0.1/13205
    sleep 1
    kill "$pid_a" "$pid_b" 2>/dev/null
    wait "$pid_a" "$pid_b" 2>/dev/null
    echo
    grep -q 'Call established' baresip-b.log || echo "baresip: the call was not established (see $WORK)"
    echo "baresip 1.0, one PCMU call between two instances (sine source, no player), ${SECONDS_WINDOW} s measured:"
    awk -v d=$((a1 - a0 + b1 - b0)) -v tick="$TICK" -v s="$SECONDS_WINDOW" \
        'BEGIN { printf "  CPU/call %.2f%% of one core (both instances)\n", 100 * d / tick / s }'
else
    echo "baresip not installed: no comparison"
fi
