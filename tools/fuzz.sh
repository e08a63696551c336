#!/bin/sh
# Builds the libFuzzer targets with clang (build-fuzz/, -DRTCSHIM_FUZZ=ON) and
# fuzzes the SIP engine's message entry point for a bounded time.
#
#   tools/fuzz.sh [SECONDS]        default 60 (FUZZ_SECONDS also works)
#
# The seed corpus (tests/fuzz/corpus/) is copied to build-fuzz/fuzz-corpus,
# which keeps what the fuzzer finds between runs; the repository's corpus is
# not touched. Exit status: 0 when nothing was found; non-zero on any crash,
# sanitizer report, leak or timeout (the reproducer is in build-fuzz/fuzz-artifacts/),
# or when the build fails. Needs clang (Debian: clang).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz.sh: clang is not installed (apt-get install clang)" >&2
    exit 2
fi

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DRTCSHIM_FUZZ=ON -DRTCSHIM_WERROR=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; exit 2; }
fuzzer=$build/tests/fuzz/fuzz_message
cmake --build "$build" --target fuzz_message -j "$jobs" && [ -x "$fuzzer" ] \
    || { echo "fuzz.sh: fuzz_message was not built (is fuzz in tests/CMakeLists.txt's subdirectories?)" >&2; exit 2; }

mkdir -p "$build/fuzz-corpus" "$build/fuzz-artifacts"
cp -n "$root"/tests/fuzz/corpus/* "$build/fuzz-corpus/" 2>/dev/null || true

# The seeds must pass on their own first (a regression check).
"$fuzzer" -runs=0 "$root/tests/fuzz/corpus" >"$build/fuzz-seeds.log" 2>&1 \
    || { tail -60 "$build/fuzz-seeds.log"; echo "fuzz.sh: a seed input fails" >&2; exit 1; }

# -max_len: a whole datagram (64 KiB) and the flag byte. -timeout: one input
# must not take 10 s (the engine must never block). The overall bound is
# max_total_time plus start-up; `timeout` makes sure of it.
status=0
timeout -k 10 $((seconds + 120)) "$fuzzer" -max_total_time="$seconds" -max_len=65537 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/" \
    -dict="$root/tests/fuzz/sip.dict" "$build/fuzz-corpus" >"$build/fuzz.log" 2>&1 || status=$?
grep -E "^(stat::|Done|#[0-9]+ +DONE)" "$build/fuzz.log" || true
if [ $status -ne 0 ]; then
    tail -80 "$build/fuzz.log"
    echo "fuzz.sh: the fuzzer found a problem (exit $status); reproducers in $build/fuzz-artifacts/" >&2
    exit 1
fi
echo "fuzz.sh: ${seconds}s of fuzzing, nothing found"
