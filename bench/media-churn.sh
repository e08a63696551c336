#!/bin/bash
# What calls leave behind: prints figures, times nothing in CI.
#
#   bench/media-churn.sh [BUILD_DIR] [CALLS] [AT_ONCE] [EVERY]
#
# Two processes on loopback (bench_rtc_media_churn): one answers every call,
# the other places CALLS (default 10,000) two-way PCMU calls, AT_ONCE (10) at
# a time, each hung up once RTP has flowed both ways. Every EVERY (1,000)
# ended calls both stop until their calls and GStreamer pipelines are gone
# and print a checkpoint: live pipelines (GStreamer's leaks tracer), open fds,
# threads and RSS of each process. Nothing left behind means: pipelines 0 at
# every checkpoint, fds and threads flat from the first checkpoint on (the
# task pool keeps the streaming threads of as many calls as ran at once, for
# the next ones). The devices are a test tone and a fake sink.
# The whole run is in a private network namespace when root (loopback only).
set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-$BENCH/../build}" && pwd)
CALLS=${2:-10000}
AT_ONCE=${3:-10}
EVERY=${4:-1000}
for v in "$CALLS" "$AT_ONCE" "$EVERY"; do
    case $v in ''|*[!0-9]*|0) echo "CALLS, AT_ONCE and EVERY are whole numbers above 0" >&2; exit 2 ;; esac
done
[ $((CALLS % EVERY)) = 0 ] || { echo "CALLS must be a multiple of EVERY" >&2; exit 2; }
[ "$AT_ONCE" -le 50 ] || { echo "AT_ONCE: at most 50 (a call costs each process ~4 threads)" >&2; exit 2; }
CHURN=$BUILD/bench/bench_rtc_media_churn
[ -x "$CHURN" ] || { echo "no $CHURN: build the bench_rtc_media_churn target first" >&2; exit 2; }

if [ -z "${RTCSHIM_BENCH_NETNS:-}" ] && [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
    export RTCSHIM_BENCH_NETNS=1
    exec unshare --net -- sh -c 'ip link set lo up && exec "$0" "$@"' "$0" "$BUILD" "$CALLS" "$AT_ONCE" "$EVERY"
fi

"$BENCH/stamp.sh"
WORK=$(mktemp -d /tmp/rtcshim-media-churn.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
export RTCSHIM_AUDIO_CODECS=PCMU
export RTCSHIM_AUDIO_SOURCE="audiotestsrc is-live=true wave=sine freq=440 volume=0.3 samplesperbuffer=160"
export RTCSHIM_AUDIO_SINK="fakesink"
export XDG_CONFIG_HOME=$WORK/config

"$CHURN" --answer --listen 127.0.0.1:13184 --every "$EVERY" --report "$WORK/answerer.txt" >answer.log 2>&1 &
answer=$!
for _ in $(seq 100); do grep -q answering answer.log 2>/dev/null && break; sleep 0.1; done
echo
echo "rtcshim: $CALLS two-way PCMU calls, $AT_ONCE at a time, each ended once its audio flowed both ways"
start=$(date +%s)
# bounded: a minute per checkpoint at worst, plus a second per 10 calls
timeout $(( (CALLS / EVERY) * 60 + CALLS / 10 + 60 )) "$CHURN" --call sip:bench@127.0.0.1:13184 --calls "$CALLS" \
    --at-once "$AT_ONCE" --every "$EVERY" --peer-report "$WORK/answerer.txt" --listen 127.0.0.1:13186 >call.log 2>&1
status=$?
end=$(date +%s)
kill $answer 2>/dev/null
wait $answer 2>/dev/null
printf '%8s | %9s %5s %7s %9s | %9s %5s %7s %9s\n' "" caller "" "" "" answerer "" "" ""
printf '%8s | %9s %5s %7s %9s | %9s %5s %7s %9s\n' ended pipelines fds threads "RSS kB" pipelines fds threads "RSS kB"
paste -d' ' <(grep '^checkpoint ' call.log) <(grep '^peer checkpoint ' call.log) |
    awk '{ printf "%8d | %9d %5d %7d %9d | %9d %5d %7d %9d\n", $2, $4, $6, $8, $10, $15, $17, $19, $21 }'
grep '^calls ' call.log || { echo "the caller did not finish (exit $status):"; tail -5 call.log; }
grep -q 'none within' call.log && grep 'none within' call.log
echo "$((end - start)) s"
