#!/bin/sh
# Builds the libFuzzer targets with clang (build-fuzz/, -DRTCSHIM_FUZZ=ON) and
# fuzzes each for a bounded time: the SIP engine's message entry point
# (fuzz_message), the presence document readers (fuzz_pidf: PIDF and
# watcherinfo, read, written back and read again) and transfer inside
# established dialogs (fuzz_dialog: in-dialog REFER, NOTIFY, SUBSCRIBE and
# INVITE-with-Replaces sequences).
#
#   tools/fuzz.sh [SECONDS [TARGET...]]   SECONDS per target, default 60 (FUZZ_SECONDS also works);
#                                         TARGET: message, pidf, dialog (default all)
#
# Each target's seed corpus (tests/fuzz/corpus/, corpus-pidf/, corpus-dialog/) is
# copied to build-fuzz/fuzz-corpus-<target>, which keeps what the fuzzer finds
# between runs; the repository's corpus is not touched. Exit status: 0 when
# nothing was found; non-zero on any crash, sanitizer report, leak or timeout
# (the reproducer is in build-fuzz/fuzz-artifacts/), or when the build fails.
# Needs clang (Debian: clang).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
targets=${*:-message pidf dialog}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz.sh: clang is not installed (apt-get install clang)" >&2
    exit 2
fi

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DRTCSHIM_FUZZ=ON -DRTCSHIM_WERROR=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; exit 2; }
mkdir -p "$build/fuzz-artifacts"

for target in $targets; do
    case $target in
    message) seeds=$root/tests/fuzz/corpus; dict=$root/tests/fuzz/sip.dict
             # a whole datagram (64 KiB) and the flag byte
             max_len=65537 ;;
    pidf)    seeds=$root/tests/fuzz/corpus-pidf; dict=$root/tests/fuzz/pidf.dict
             # a NOTIFY body the engine would take, and the reader byte
             max_len=65537 ;;
    dialog)  seeds=$root/tests/fuzz/corpus-dialog; dict=$root/tests/fuzz/sip.dict
             # 64 steps of 3 + 255 bytes
             max_len=16512 ;;
    *) echo "fuzz.sh: unknown target $target (message, pidf, dialog)" >&2; exit 2 ;;
    esac
    fuzzer=$build/tests/fuzz/fuzz_$target
    cmake --build "$build" --target "fuzz_$target" -j "$jobs" && [ -x "$fuzzer" ] \
        || { echo "fuzz.sh: fuzz_$target was not built (is fuzz in tests/CMakeLists.txt's subdirectories?)" >&2; exit 2; }

    corpus=$build/fuzz-corpus-$target
    mkdir -p "$corpus"
    cp -n "$seeds"/* "$corpus/" 2>/dev/null || true

    # The seeds must pass on their own first (a regression check).
    "$fuzzer" -runs=0 "$seeds" >"$build/fuzz-$target-seeds.log" 2>&1 \
        || { tail -60 "$build/fuzz-$target-seeds.log"; echo "fuzz.sh: a fuzz_$target seed input fails" >&2; exit 1; }

    # -timeout: one input must not take 10 s (the engine must never block).
    # The overall bound is max_total_time plus start-up; `timeout` makes sure of it.
    status=0
    timeout -k 10 $((seconds + 120)) "$fuzzer" -max_total_time="$seconds" -max_len=$max_len -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/" \
        -dict="$dict" "$corpus" >"$build/fuzz-$target.log" 2>&1 || status=$?
    grep -E "^(stat::|Done|#[0-9]+ +DONE)" "$build/fuzz-$target.log" || true
    if [ $status -ne 0 ]; then
        tail -80 "$build/fuzz-$target.log"
        echo "fuzz.sh: fuzz_$target found a problem (exit $status); reproducers in $build/fuzz-artifacts/" >&2
        exit 1
    fi
    echo "fuzz.sh: fuzz_$target: ${seconds}s of fuzzing, nothing found"
done
