#!/bin/sh
# Prints what a benchmark's figures belong to: the commit (and whether the
# tree had changes), the date, and the machine (CPUs, model, kernel, memory,
# load average when the run started). Every script in bench/ prints it first.
top=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
git -C "$top" diff --quiet HEAD 2>/dev/null || commit="$commit+uncommitted-changes"
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
echo "commit $commit; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs (${model:-unknown model}), $mem, Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
