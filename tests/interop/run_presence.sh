#!/bin/bash
# Presence between rtcshim's rtc_presence sample and real SIP programs from
# Debian, on loopback, in a private network namespace:
#
#   run_presence.sh TEST BASE_PORT WORKDIR SAMPLES_DIR [SOURCE_DIR [UCC_PEER]]
#
# TEST: kamailio-presence   alice and bob (rtc_presence) through kamailio's presence server
#                           (presence + presence_xml, state in db_text files): bob's buddy sees
#                           what alice PUBLISHes, alice learns from presence.winfo that bob
#                           watches her, both refresh before the server's 4 s run out, and
#                           when alice vanishes without withdrawing, her state expires at the
#                           server and bob sees her offline
#       kamailio-ucc        UCC endpoints (UCC_PEER: tests/interop/ucc_presence_peer) signed in to
#                           the same server: what alice (UCC) publishes reaches bob (UCC, a
#                           subscription) and carol (rtc_presence, a buddy); alice watches carol
#                           and sees carol's RTC status as her state and note categories
#       baresip-watched     rtc_presence watches baresip (its presence module, peer to peer):
#                           baresip's online/offline commands reach the buddy
#       baresip-watcher     baresip watches rtc_presence (a contact with ;presence=p2p):
#                           rtc_presence's BUSY, AWAY, ONLINE reach baresip, and its quit ends
#                           baresip's subscription
# Ports: rtc_presence BASE and BASE+1, the peer (kamailio or baresip) BASE+10, baresip's
# console BASE+15. Exit: 0 pass, 1 fail, 77 skip (peer not installed).
# TL_SCRIPT is read by testlib.sh.
# shellcheck disable=SC2034
set -u

TEST=$1 BASE=$2 TL_WORK=$3 SAMPLES=$4
SOURCE=${5:-$(cd "$(dirname "$0")/../.." && pwd)}
UCC_PEER=${6:-}
HERE=$(cd "$(dirname "$0")" && pwd)
TL_SCRIPT="$HERE/$(basename "$0")"
TL_LIMIT=40
# shellcheck source=../rtc-sipp/testlib.sh
. "$HERE/../rtc-sipp/testlib.sh"
case $TEST in
kamailio-*) tl_need kamailio; [ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/presence.so ] \
                || tl_skip "kamailio-presence-modules is not installed" ;;
baresip-*) tl_need baresip; [ -f /usr/lib/baresip/modules/presence.so ] || tl_skip "baresip has no presence module" ;;
esac
tl_need timeout ss
tl_enter_netns "$TEST" "$BASE" "$TL_WORK" "$SAMPLES" "$SOURCE" "$UCC_PEER"
tl_setup

RTC_PRESENCE=$SAMPLES/rtc_presence
ALICE_PORT=$BASE
BOB_PORT=$((BASE + 1))
PEER_PORT=$((BASE + 10))
CONS_PORT=$((BASE + 15))

# presence_start NAME FD rtc_presence options...: rtc_presence reading commands
# from a FIFO held open on file descriptor FD; waits for "ready".
presence_start()
{
    local name=$1 fd=$2
    shift 2
    mkfifo "$TL_WORK/$name.in"
    TL_STDIN=$TL_WORK/$name.in tl_bg "$name" "$RTC_PRESENCE" --timeout 30 "$@"
    eval "exec $fd>\"\$TL_WORK/\$name.in\""
    tl_wait_line "$name" '\] ready$' 10 || tl_fail "$name did not start"
}

# soon NAME REGEX [SECONDS]: NAME prints a matching line within SECONDS (scaled), else a failure.
soon()
{
    tl_wait_line "$@" || tl_fail "$1 printed no line matching /$2/ in time"
}

# soon_count NAME REGEX COUNT [SECONDS]: NAME printed COUNT matching lines within SECONDS.
soon_count()
{
    local name=$1 re=$2 count=$3 limit=${4:-10} _
    for _ in $(seq $((limit * 10 * TL_SCALE))); do
        [ "$(grep -Ec -- "$re" "$TL_WORK/$name.log" 2>/dev/null)" -ge "$count" ] && return 0
        sleep 0.1
    done
    tl_fail "$name printed fewer than $count lines matching /$re/ in time"
}

presence_cmd()
{
    local fd=$1
    shift
    tl_log "$fd> $*"
    printf '%s\n' "$*" >&"$fd"
}

# ---- kamailio's presence server ----------------------------------------------------

kamailio_start()
{
    local db=$TL_WORK/db t
    mkdir -p "$db" "$TL_WORK/run"
    # The db_text tables presence and presence_xml check at start (their versions, empty).
    for t in version presentity active_watchers watchers xcap; do
        cp "/usr/share/kamailio/dbtext/kamailio/$t" "$db/" || tl_fail "no db_text table $t"
    done
    sed -e "s|PORT|$PEER_PORT|g" -e "s|DBDIR|$db|g" -e "s|EXPIRES|4|g" "$HERE/kamailio-presence.cfg" \
        >"$TL_WORK/kamailio.cfg"
    tl_bg kamailio kamailio -DD -E -f "$TL_WORK/kamailio.cfg" -Y "$TL_WORK/run"
    tl_wait_port udp $PEER_PORT || tl_fail "kamailio did not start"
}

test_kamailio_presence()
{
    local server=127.0.0.1:$PEER_PORT alice_uri=sip:alice@127.0.0.1 bob_uri=sip:bob@127.0.0.1
    kamailio_start
    presence_start alice 7 --listen 127.0.0.1:$ALICE_PORT --uri $alice_uri --server $server
    presence_start bob 8 --listen 127.0.0.1:$BOB_PORT --uri $bob_uri --server $server

    # Bob watches alice through the server; alice learns it from her watcher information.
    presence_cmd 8 "add $alice_uri Alice"
    soon bob "buddy STATE_CHANGE $alice_uri ONLINE\$" 10
    soon alice "watcher OFFERING $bob_uri OFFERING\$" 10

    # What alice publishes reaches bob's buddy.
    presence_cmd 7 "status busy in a meeting"
    soon alice 'my status BUSY "in a meeting": 0$' 10
    soon bob "buddy STATE_CHANGE $alice_uri BUSY \"in a meeting\"\$" 10
    presence_cmd 7 "status away"
    soon bob "buddy STATE_CHANGE $alice_uri AWAY\$" 10

    # The server grants 4 s: both refresh on their own (SIP-If-Match without a body; a SUBSCRIBE
    # in the dialog), and nothing changes for bob.
    tl_wait_line kamailio "PUBLISH $alice_uri event=presence expires=3600 if-match=[^<].* length=0\$" 15 \
        || tl_fail "alice never refreshed her publication"
    tl_wait_line kamailio "SUBSCRIBE .* event=presence expires=3600 from=$bob_uri totag=[^<]" 15 \
        || tl_fail "bob never refreshed his subscription"
    tl_wait_line kamailio "SUBSCRIBE .* event=presence.winfo expires=3600 from=$alice_uri totag=[^<]" 15 \
        || tl_fail "alice never refreshed her watcher information subscription"

    # Alice vanishes without withdrawing: her state expires at the server, bob sees her offline.
    pkill -KILL -g "${TL_PID[alice]}"
    tl_wait alice
    tl_wait_line bob "buddy STATE_CHANGE $alice_uri OFFLINE\$" 15 || tl_fail "alice's state never expired for bob"
    tl_expect_no_line kamailio "PUBLISH $alice_uri event=presence expires=0"

    # Bob leaves properly: unsubscribed, his own state withdrawn.
    presence_cmd 8 "list"
    presence_cmd 8 "quit"
    tl_wait bob
    tl_expect_rc bob 0
    tl_expect_line kamailio "SUBSCRIBE .* event=presence expires=0 from=$bob_uri totag=[^<]"
    tl_expect_line kamailio "PUBLISH $bob_uri event=presence expires=0 if-match=[^<]"
    tl_expect_line bob "  Alice +$alice_uri +OFFLINE\$"
    tl_expect_order bob "buddy ADD $alice_uri OFFLINE\$" "buddy SUBSCRIBED $alice_uri: 0\$" \
        "buddy STATE_CHANGE $alice_uri ONLINE\$" "buddy STATE_CHANGE $alice_uri BUSY \"in a meeting\"\$" \
        "buddy STATE_CHANGE $alice_uri AWAY\$" "buddy STATE_CHANGE $alice_uri OFFLINE\$" 'bye$'
    tl_expect_no_line kamailio "ALERT|CRITICAL"
}

# ---- UCC endpoints through kamailio's presence server -----------------------------------

# ucc_start NAME FD PORT: ucc_presence_peer as sip:NAME@127.0.0.1 signed in to kamailio,
# reading commands from a FIFO held open on FD; waits for "ready" (its REGISTER answered).
ucc_start()
{
    local name=$1 fd=$2 port=$3
    mkfifo "$TL_WORK/$name.in"
    TL_STDIN=$TL_WORK/$name.in tl_bg "$name" "$UCC_PEER" --timeout 60 --uri "sip:$name@127.0.0.1" \
        --listen 127.0.0.1:"$port" --server 127.0.0.1:$PEER_PORT
    eval "exec $fd>\"\$TL_WORK/\$name.in\""
    tl_wait_line "$name" '^ready$' 10 || tl_fail "$name did not sign in"
}

# exact_events NAME EXPECTED: NAME's output without its echoed commands ("> ...") is EXPECTED,
# line for line (every event the application saw, in order).
exact_events()
{
    local name=$1
    grep -v '^> ' "$TL_WORK/$name.log" >"$TL_WORK/$name.events"
    printf '%s\n' "$2" >"$TL_WORK/$name.expected"
    diff -u "$TL_WORK/$name.expected" "$TL_WORK/$name.events" >"$TL_WORK/$name.diff" \
        || { cat "$TL_WORK/$name.diff" >&2; tl_fail "$name: not exactly the expected events"; }
}

test_kamailio_ucc()
{
    local server=127.0.0.1:$PEER_PORT alice=sip:alice@127.0.0.1 carol=sip:carol@127.0.0.1
    local ns='xmlns="http://schemas.microsoft.com/2006/09/sip/state" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="aggregateState"'
    local note_ns='xmlns="http://schemas.microsoft.com/2006/09/sip/note"'
    [ -x "$UCC_PEER" ] || tl_fail "no ucc_presence_peer given"
    kamailio_start
    ucc_start alice 7 $ALICE_PORT
    ucc_start bob 8 $BOB_PORT
    presence_start carol 9 --listen 127.0.0.1:$((BASE + 2)) --uri $carol --server $server
    tl_expect_line kamailio "REGISTER $alice contact=<sip:alice@127\.0\.0\.1:$ALICE_PORT"

    # UCC -> UCC and UCC -> RTC: bob subscribes, carol adds alice as a buddy, alice publishes.
    presence_cmd 8 "watch $alice"
    soon bob "^sub OnSubscribe 1 alice=0\$" 10
    presence_cmd 9 "add $alice Alice"
    soon carol "buddy SUBSCRIBED $alice: 0\$" 10
    presence_cmd 7 "state 6000"
    soon alice '^pub OnPublish 1 0$' 10
    soon bob "^ctx OnCategoryInstanceAdded <state $ns><availability>6000</availability></state>\$" 10
    soon carol "buddy STATE_CHANGE $alice BUSY\$" 10
    tl_expect_line kamailio "PUBLISH $alice event=presence expires=[0-9]+ if-match=<null> length=[1-9]"
    presence_cmd 7 "note in a meeting"
    soon alice '^pub OnPublish 2 0$' 10
    soon bob "^ctx OnCategoryInstanceAdded <note $note_ns><body type=\"personal\">in a meeting</body></note>\$" 10
    soon carol "buddy STATE_CHANGE $alice BUSY \"in a meeting\"\$" 10
    presence_cmd 7 "state 3000"
    soon alice '^pub OnPublish 3 0$' 10
    soon bob "^inst OnCategoryInstanceValueModified <state $ns><availability>3000</availability></state>\$" 10
    soon carol "buddy STATE_CHANGE $alice ONLINE \"in a meeting\"\$" 10
    presence_cmd 7 "unnote in a meeting"
    soon alice '^pub OnPublish 4 0$' 10
    soon bob "^ctx OnCategoryInstanceRemoved <note $note_ns><body type=\"personal\">in a meeting</body></note> 1\$" 10
    soon carol "buddy STATE_CHANGE $alice ONLINE\$" 10

    # RTC -> UCC: alice watches carol through the server; carol's status becomes alice's categories.
    presence_cmd 7 "watch $carol"
    soon alice "^sub OnSubscribe 5 carol=0\$" 10
    presence_cmd 9 "status away lunch"
    soon alice "^inst OnCategoryInstanceValueModified <state $ns><availability>15000</availability></state>\$" 10
    soon alice "^ctx OnCategoryInstanceAdded <note $note_ns><body type=\"personal\">lunch</body></note>\$" 10
    # carol learns from her watcher information that alice (UCC) watches her.
    soon carol "watcher OFFERING $alice OFFERING\$" 10

    # The server grants 4 s: alice's publication (SIP-If-Match, no body) and bob's subscription
    # (in its dialog) are refreshed on their own, and nothing changes for the watchers.
    tl_wait_line kamailio "PUBLISH $alice event=presence expires=3600 if-match=[^<].* length=0\$" 15 \
        || tl_fail "alice never refreshed her publication"
    tl_wait_line kamailio "SUBSCRIBE .* event=presence expires=3600 from=sip:bob@127.0.0.1 totag=[^<]" 15 \
        || tl_fail "bob never refreshed his subscription"

    # Bob unsubscribes: his contexts go with reason 2 (unsubscribed by the user).
    presence_cmd 8 "unwatch"
    soon bob "^pres OnCategoryContextRemoved state 2\$" 10
    soon bob "^sub OnUnsubscribe 2 alice=0\$" 10
    presence_cmd 8 "quit"
    presence_cmd 7 "unwatch"
    soon alice "^sub OnUnsubscribe 6 carol=0\$" 10
    presence_cmd 7 "quit"
    tl_wait alice
    tl_wait bob
    # alice signed out: her state left the server, carol's buddy goes offline.
    soon carol "buddy STATE_CHANGE $alice OFFLINE\$" 10
    presence_cmd 9 "quit"
    tl_wait carol
    tl_expect_rc alice 0
    tl_expect_rc bob 0
    tl_expect_rc carol 0
    # Signing out took alice's and bob's state off the server before their un-REGISTERs.
    tl_expect_order kamailio "PUBLISH $alice event=presence expires=0 if-match=[^<].* length=0\$" \
        "REGISTER $alice contact=.* expires=0\$"
    tl_expect_no_line kamailio "PUBLISH sip:bob@127.0.0.1"
    tl_expect_order carol "buddy ADD $alice OFFLINE\$" "buddy SUBSCRIBED $alice: 0\$" "buddy STATE_CHANGE $alice BUSY\$" \
        "buddy STATE_CHANGE $alice BUSY \"in a meeting\"\$" "buddy STATE_CHANGE $alice ONLINE \"in a meeting\"\$" \
        "buddy STATE_CHANGE $alice ONLINE\$" "watcher OFFERING $alice OFFERING\$" 'my status AWAY "lunch": 0$' \
        "buddy STATE_CHANGE $alice OFFLINE\$" 'bye$'
    [ "$(grep -c "buddy STATE_CHANGE" "$TL_WORK/carol.log")" = 5 ] || tl_fail "carol: not exactly five buddy changes"
    local busy="<state $ns><availability>6000</availability></state>" free="<state $ns><availability>3000</availability></state>"
    local away="<state $ns><availability>15000</availability></state>"
    local meeting="<note $note_ns><body type=\"personal\">in a meeting</body></note>"
    local lunch="<note $note_ns><body type=\"personal\">lunch</body></note>"
    exact_events bob "ep OnEnable 0
ready
sub OnSubscribe 1 alice=0
pres OnCategoryContextAdded state
ctx OnCategoryInstanceAdded $busy
pres OnCategoryContextAdded note
ctx OnCategoryInstanceAdded $meeting
inst OnCategoryInstanceValueModified $free
ctx OnCategoryInstanceRemoved $meeting 1
pres OnCategoryContextRemoved note 2
ctx OnCategoryInstanceRemoved $free 2
pres OnCategoryContextRemoved state 2
sub OnUnsubscribe 2 alice=0
ep OnDisable 0
bye"
    exact_events alice "ep OnEnable 0
ready
pub OnPublish 1 0
pub OnPublish 2 0
pub OnPublish 3 0
pub OnPublish 4 0
sub OnSubscribe 5 carol=0
pres OnCategoryContextAdded state
ctx OnCategoryInstanceAdded $free
inst OnCategoryInstanceValueModified $away
pres OnCategoryContextAdded note
ctx OnCategoryInstanceAdded $lunch
ctx OnCategoryInstanceRemoved $lunch 2
pres OnCategoryContextRemoved note 2
ctx OnCategoryInstanceRemoved $away 2
pres OnCategoryContextRemoved state 2
sub OnUnsubscribe 6 carol=0
ep OnDisable 0
bye"
    tl_expect_no_line kamailio "ALERT|CRITICAL"
}

# ---- baresip's presence module -------------------------------------------------------

# baresip_start USER [CONTACT]: baresip as USER@127.0.0.1:PEER_PORT with the presence module;
# CONTACT (a contacts line) makes it watch someone.
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
module_path		/usr/lib/baresip/modules
module			cons.so
cons_listen		127.0.0.1:$CONS_PORT
module_app		account.so
module_app		contact.so
module_app		menu.so
module_app		presence.so
EOF
    echo "<sip:$1@127.0.0.1:$PEER_PORT>;regint=0" >"$dir/accounts"
    printf '%s\n' "${2:-}" >"$dir/contacts"
    tl_bg baresip baresip -f "$dir"
    tl_wait_port udp $PEER_PORT && tl_wait_port udp $CONS_PORT && tl_wait_line baresip 'baresip is ready' 5 \
        || tl_fail "baresip did not start"
}

baresip_cmd()
{
    tl_log "baresip> $*"
    printf '%s' "$*" >/dev/udp/127.0.0.1/$CONS_PORT
}

test_baresip_watched()
{
    local bob=sip:bob@127.0.0.1:$PEER_PORT
    baresip_start bob
    presence_start alice 7 --listen 127.0.0.1:$ALICE_PORT --uri sip:alice@127.0.0.1:$ALICE_PORT --buddy "$bob"
    # Until its user chooses, baresip says <basic>?</basic>: nothing known, the buddy stays offline.
    soon alice "buddy SUBSCRIBED $bob: 0\$" 10
    baresip_cmd "["         # online
    soon alice "buddy STATE_CHANGE $bob ONLINE\$" 10
    baresip_cmd "]"         # offline
    soon alice "buddy STATE_CHANGE $bob OFFLINE\$" 10
    baresip_cmd "["
    soon_count alice "buddy STATE_CHANGE $bob ONLINE\$" 2
    presence_cmd 7 "list"
    soon alice "  - +$bob +ONLINE\$" 10
    presence_cmd 7 "quit"
    tl_wait alice
    tl_expect_rc alice 0
    tl_expect_order alice "buddy ADD $bob OFFLINE\$" "buddy SUBSCRIBED $bob: 0\$" "buddy STATE_CHANGE $bob ONLINE\$" \
        "buddy STATE_CHANGE $bob OFFLINE\$" "buddy STATE_CHANGE $bob ONLINE\$" 'bye$'
    # baresip saw the subscription end (our unsubscribe).
    tl_wait_line baresip 'presence: notifier closed' 5 || tl_fail "baresip never saw the unsubscribe"
}

test_baresip_watcher()
{
    local alice=sip:alice@127.0.0.1:$ALICE_PORT bob=sip:bob@127.0.0.1:$PEER_PORT
    presence_start alice 7 --listen 127.0.0.1:$ALICE_PORT --uri "$alice" --auto-allow
    baresip_start bob "\"Alice\" <$alice>;presence=p2p"
    tl_wait_line alice "watcher ADD $bob ALLOWED\$" 10 || tl_fail "baresip never subscribed"
    # baresip reports changes only (its first NOTIFY sets Online silently).
    sleep 0.5
    presence_cmd 7 "status busy"
    soon baresip "<$alice> changed status from .*Online.* to .*Busy" 10
    presence_cmd 7 "status away"     # RPID away: baresip shows it as Offline
    soon baresip "<$alice> changed status from .*Busy.* to .*Offline" 10
    presence_cmd 7 "status online"
    soon baresip "<$alice> changed status from .*Offline.* to .*Online" 10
    presence_cmd 7 "quit"
    tl_wait alice
    tl_expect_rc alice 0
    # Our quit ended its subscription with a last NOTIFY (noresource).
    tl_wait_line baresip "presence: subscriber closed <$alice>: noresource" 5 \
        || tl_fail "baresip's subscription did not end with noresource"
    tl_expect_order alice "watcher ADD $bob ALLOWED\$" 'my status BUSY: 0$' 'my status AWAY: 0$' \
        'my status ONLINE: 0$' 'bye$'
}

case $TEST in
kamailio-presence) test_kamailio_presence ;;
kamailio-ucc) test_kamailio_ucc ;;
baresip-watched) test_baresip_watched ;;
baresip-watcher) test_baresip_watcher ;;
*) tl_log "unknown test $TEST"; exit 2 ;;
esac
tl_finish
