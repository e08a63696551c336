# shellcheck shell=bash
# testlib.sh — what the rtc-sipp and interop test scripts share (bash; sourced).
#
# A test script sets TL_WORK (its work directory) and TL_SCRIPT (its own path),
# sources this file, calls `tl_enter_netns "$@"` first (re-runs the whole
# script inside a private network namespace with only loopback, when root), and
# then starts programs with tl_bg/tl_fg, checks them with tl_expect_*, and ends
# with tl_finish. Every program runs under timeout(1); every child still alive
# when the script exits (normally, on error, on SIGTERM from ctest) is killed.
#
# Exit status: 0 pass, 1 fail, 77 skip (ctest SKIP_RETURN_CODE).

# RTCSHIM_TEST_TIME_SCALE (a whole number, default 1) multiplies every bound
# here and the number after each --timeout/-timeout given to a program, so a
# busy machine gets longer bounds (tests/common/test_time.h).
TL_SCALE=${RTCSHIM_TEST_TIME_SCALE:-1}
case $TL_SCALE in ''|*[!0-9]*|0) TL_SCALE=1 ;; esac
TL_LIMIT=$(( ${TL_LIMIT:-25} * TL_SCALE ))   # seconds any one program may run
declare -A TL_PID TL_RC
TL_FAILURES=()
TL_ORDER=()
TL_CLEANUP=()                   # extra commands run at exit (before the kills)

tl_log() { printf '%s\n' "$*"; }

tl_skip()
{
    tl_log "SKIP: $*"
    exit 77
}

# tl_need PROGRAM...: skip the test when a peer program is missing.
tl_need()
{
    local p
    for p in "$@"; do
        command -v "$p" >/dev/null 2>&1 || [ -x "$p" ] || tl_skip "$p not found"
    done
}

# Re-run the calling script inside `unshare --net` with lo up, when we may
# (root, unshare and ip present, namespaces allowed). Otherwise run on the
# host's loopback: the fixed ports are then distinct per test (CMake) anyway.
tl_enter_netns()
{
    if [ -n "${TL_IN_NETNS:-}" ]; then
        return
    fi
    if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 \
       && unshare --net sh -c 'ip link set lo up' >/dev/null 2>&1; then
        export TL_IN_NETNS=netns
        exec unshare --net -- sh -c 'ip link set lo up && exec "$0" "$@"' "$TL_SCRIPT" "$@"
    fi
    export TL_IN_NETNS=host
}

tl_cleanup()
{
    local name pid c
    for c in "${TL_CLEANUP[@]}"; do
        eval "$c" >/dev/null 2>&1
    done
    for name in "${!TL_PID[@]}"; do
        pid=${TL_PID[$name]}
        kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
    done
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        local alive=0
        for name in "${!TL_PID[@]}"; do
            kill -0 "${TL_PID[$name]}" 2>/dev/null && alive=1
        done
        [ $alive = 0 ] && break
        sleep 0.2
    done
    for name in "${!TL_PID[@]}"; do
        pid=${TL_PID[$name]}
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    done
    # timeout(1) leads a process group of its own: a grandchild that outlived
    # it (a peer's helper process) goes with that group.
    for name in "${!TL_PID[@]}"; do
        pkill -KILL -g "${TL_PID[$name]}" 2>/dev/null
    done
    return 0
}

tl_setup()
{
    rm -rf "$TL_WORK"
    mkdir -p "$TL_WORK" || exit 1
    cd "$TL_WORK" || exit 1
    trap 'tl_cleanup' EXIT
    trap 'tl_log "interrupted"; exit 1' INT TERM
    tl_log "work directory $TL_WORK; network: ${TL_IN_NETNS:-host}"
}

# tl_bg NAME COMMAND...: start COMMAND in the background under timeout(1)
# (which makes it a process group of its own), output in NAME.log, input
# from $TL_STDIN (default /dev/null).
tl_bg()
{
    local name=$1 a n next="" args=()
    shift
    for a in "$@"; do
        if [ -n "$next" ]; then
            n=${a%s}
            [[ $n =~ ^[0-9]+$ ]] && a=$((n * TL_SCALE))${a#"$n"}
            next=""
        fi
        [[ $a == --timeout || $a == -timeout ]] && next=1
        args+=("$a")
    done
    set -- "${args[@]}"
    timeout -k 3 "$TL_LIMIT" "$@" >"$TL_WORK/$name.log" 2>&1 <"${TL_STDIN:-/dev/null}" &
    TL_PID[$name]=$!
    TL_ORDER+=("$name")
    tl_log "started $name (pid ${TL_PID[$name]}): $*"
}

# tl_wait NAME: wait for a background program; its exit status goes to TL_RC[NAME].
tl_wait()
{
    local name=$1
    wait "${TL_PID[$name]}"
    TL_RC[$name]=$?
    tl_log "$name exited ${TL_RC[$name]}"
}

# tl_fg NAME COMMAND...: run COMMAND to its end (bounded).
tl_fg()
{
    tl_bg "$@"
    tl_wait "$1"
}

# tl_wait_port PROTO PORT: until something listens there (at most ~5 s, scaled).
tl_wait_port()
{
    local proto=$1 port=$2 _ flag
    [ "$proto" = tcp ] && flag=-Hltn || flag=-Hlun
    for _ in $(seq $((50 * TL_SCALE))); do
        ss $flag "sport = :$port" 2>/dev/null | grep -q . && return 0
        sleep 0.1
    done
    tl_log "nothing listens on $proto port $port"
    return 1
}

# tl_wait_line NAME REGEX [SECONDS]: until NAME.log has a matching line.
tl_wait_line()
{
    local name=$1 re=$2 limit=${3:-10} _
    for _ in $(seq $((limit * 10 * TL_SCALE))); do
        grep -Eq -- "$re" "$TL_WORK/$name.log" 2>/dev/null && return 0
        sleep 0.1
    done
    tl_log "timed out waiting for /$re/ in $name.log"
    return 1
}

tl_fail()
{
    TL_FAILURES+=("$*")
    tl_log "FAIL: $*"
}

tl_expect_rc()
{
    local name=$1 want=$2
    if [ "${TL_RC[$name]:-none}" != "$want" ]; then
        tl_fail "$name exited ${TL_RC[$name]:-none}, expected $want"
    fi
}

tl_expect_line()
{
    local name=$1 re=$2
    grep -Eq -- "$re" "$TL_WORK/$name.log" || tl_fail "$name printed no line matching /$re/"
}

tl_expect_no_line()
{
    local name=$1 re=$2
    ! grep -Eq -- "$re" "$TL_WORK/$name.log" || tl_fail "$name printed a line matching /$re/"
}

# tl_expect_order NAME REGEX...: lines matching each REGEX appear in this order.
tl_expect_order()
{
    local name=$1
    shift
    local re line=0 found
    for re in "$@"; do
        found=$(tail -n +"$((line + 1))" "$TL_WORK/$name.log" | grep -En -m1 -- "$re" | cut -d: -f1)
        if [ -z "$found" ]; then
            tl_fail "$name: no line matching /$re/ after line $line (expected order: $*)"
            return
        fi
        line=$((line + found))
    done
}

# tl_scenario FILE: copy a scenario into the work directory with every @NAME@
# replaced by the value of shell variable S_NAME; prints the copy's path.
tl_scenario()
{
    local src=$1 dst v value script=""
    dst="$TL_WORK/$(basename "$src")"
    for v in $(compgen -v S_); do
        value=${!v}
        value=${value//\\/\\\\}
        value=${value//|/\\|}
        value=${value//&/\\&}
        script="${script}s|@${v#S_}@|${value}|g;"
    done
    sed -e "$script" "$src" >"$dst"
    if grep -q '@[A-Z0-9_]*@' "$dst"; then
        echo "unreplaced placeholder in $dst: $(grep -o '@[A-Z0-9_]*@' "$dst" | sort -u | tr '\n' ' ')" >&2
        return 1
    fi
    printf '%s\n' "$dst"
}

# ---- the wire, recorded with tshark (optional) ------------------------------------
#
# tl_capture_start: records UDP on lo into capture.pcapng while the test runs
# (only inside the private namespace, where lo carries nothing but the test,
# and not with TL_NO_CAPTURE set); TL_CAPTURE=1 when it runs. tl_capture_stop ends it and writes every SIP
# datagram to wire/NNN-SRCPORT-DSTPORT.txt (CRLFs kept), in order.

TL_CAPTURE=0

tl_capture_start()
{
    if [ -n "${TL_NO_CAPTURE:-}" ]; then
        tl_log "TL_NO_CAPTURE: the wire is not recorded, only the programs' output is checked"
        return
    fi
    if [ "${TL_IN_NETNS:-}" != netns ] || ! command -v tshark >/dev/null 2>&1 || ! command -v xxd >/dev/null 2>&1; then
        tl_log "no tshark/xxd or no private namespace: the wire is not recorded, only the programs' output is checked"
        return
    fi
    tl_bg tshark tshark -i lo -f udp -w "$TL_WORK/capture.pcapng"
    # "Capturing on" comes before dumpcap has opened the interface; on a busy
    # machine the first packets would be lost. "Capture started" comes after.
    if tl_wait_line tshark 'Capture started' 60; then
        TL_CAPTURE=1
    else
        tl_fail "tshark did not start capturing"
    fi
}

tl_capture_stop()
{
    local n=0 src dst hex
    [ "$TL_CAPTURE" = 1 ] || return 0
    sleep 0.3
    kill -TERM "${TL_PID[tshark]}" 2>/dev/null
    tl_wait tshark
    mkdir -p "$TL_WORK/wire"
    tshark -r "$TL_WORK/capture.pcapng" -Y sip -T fields -e udp.srcport -e udp.dstport -e udp.payload \
            2>/dev/null >"$TL_WORK/wire.tsv"
    while IFS=$'\t' read -r src dst hex; do
        n=$((n + 1))
        printf '%s' "$hex" | xxd -r -p >"$TL_WORK/wire/$(printf '%03d' $n)-$src-$dst.txt"
    done <"$TL_WORK/wire.tsv"
    for f in "$TL_WORK"/wire/*.txt; do
        [ -f "$f" ] || continue
        printf '==== %s\n' "$(basename "$f" .txt)"
        tr -d '\r' <"$f"
    done >"$TL_WORK/wire.log"
    TL_ORDER+=("wire")
    tl_log "recorded $n SIP datagrams (wire.log)"
}

# tl_wire_select FROM_PORT TO_PORT FIRST_LINE_REGEX: the recorded messages
# (file names, in order) sent from FROM_PORT to TO_PORT ("*" for any) whose
# start line matches.
tl_wire_select()
{
    local from=$1 to=$2 re=$3 f
    for f in "$TL_WORK"/wire/*-$from-$to.txt; do
        [ -f "$f" ] || continue
        head -n 1 "$f" | tr -d '\r' | grep -Eq -- "$re" && printf '%s\n' "$f"
    done
}

# tl_wire_expect WHAT FILE REGEX...: every REGEX matches a line of FILE (CR removed).
tl_wire_expect()
{
    local what=$1 file=$2 re
    shift 2
    if [ -z "$file" ] || [ ! -f "$file" ]; then
        tl_fail "wire: no $what was recorded"
        return
    fi
    for re in "$@"; do
        tr -d '\r' <"$file" | grep -Eq -- "$re" \
            || tl_fail "wire: $what ($(basename "$file")) has no line matching /$re/"
    done
}

tl_finish()
{
    local name f
    if [ ${#TL_FAILURES[@]} -eq 0 ]; then
        tl_log "PASS"
        exit 0
    fi
    tl_log "======== ${#TL_FAILURES[@]} failure(s):"
    printf '  %s\n' "${TL_FAILURES[@]}"
    for name in "${TL_ORDER[@]}"; do
        tl_log "---- $name.log (exit ${TL_RC[$name]:-still running}):"
        tail -n 60 "$TL_WORK/$name.log"
    done
    for f in "$TL_WORK"/*_errors.log; do
        [ -f "$f" ] && { tl_log "---- $(basename "$f"):"; tail -n 30 "$f"; }
    done
    for f in "$TL_WORK"/*_messages.log; do
        [ -f "$f" ] && { tl_log "---- $(basename "$f"):"; tail -n 200 "$f"; }
    done
    exit 1
}
