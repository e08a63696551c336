#!/bin/sh
# Installs the built tree into a scratch prefix, then builds the legacy programs
# the way a porter would: `cc app.c $(pkg-config --cflags --libs rtcshim)`, and a
# CMake consumer with find_package(rtcshim). Runs them.
# usage: run-legacy.sh BUILD_DIR SOURCE_DIR   (LEGACY_CFLAGS: extra flags, e.g. sanitizers)
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rtcshim-legacy.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
libdir=$(ls -d "$work"/prefix/lib*/pkgconfig | head -n1)
export PKG_CONFIG_PATH="$libdir"
export LD_LIBRARY_PATH="$(dirname "$libdir")"

echo "== cc legacy_app.c \$(pkg-config --cflags --libs rtcshim)"
# shellcheck disable=SC2046
cc ${LEGACY_CFLAGS:-} -Wall -Werror -o "$work/legacy_app" "$src/tests/legacy/legacy_app.c" $(pkg-config --cflags --libs rtcshim)
"$work/legacy_app"

echo "== c++ legacy_sink.cpp \$(pkg-config --cflags --libs rtcshim)"
# shellcheck disable=SC2046
c++ ${LEGACY_CFLAGS:-} -Wall -Werror -o "$work/legacy_sink" "$src/tests/legacy/legacy_sink.cpp" $(pkg-config --cflags --libs rtcshim)
"$work/legacy_sink"

echo "== find_package(rtcshim) consumer"
mkdir -p "$work/consumer"
cat > "$work/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(consumer C)
find_package(rtcshim REQUIRED)
add_executable(legacy_app "$src/tests/legacy/legacy_app.c")
target_link_libraries(legacy_app PRIVATE rtcshim::rtcshim)
CMAKE
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_C_FLAGS="${LEGACY_CFLAGS:-}" -DCMAKE_EXE_LINKER_FLAGS="${LEGACY_CFLAGS:-}" >/dev/null
cmake --build "$work/consumer/build" >/dev/null
"$work/consumer/build/legacy_app" >/dev/null && echo "find_package consumer: runs"
