#!/bin/bash
# Names against a real DNS server: one test of issue 12 (RFC 3263 resolution,
# fail-over, TLS server identity, NAT keep-alive) with dnsmasq answering for
# made-up zones under .test, and SIPp, kamailio or a second engine as the peer.
#
#   run_dns_test.sh TEST BASE_PORT WORKDIR SAMPLES_DIR DRIVERS_DIR ENGINE_PEER
#
# The recipe (every step bounded, nothing outside the test's own namespaces):
#  1. `unshare --net --mount`: a network namespace with only loopback, and a
#     mount namespace so that the files below are replaced for this test only.
#  2. lo gets 127.0.0.2 and 2001:db8::53 besides 127.0.0.1: glibc's
#     getaddrinfo() (AI_ADDRCONFIG, which GIO's resolver uses) counts loopback
#     addresses as no address at all, and would then answer A/AAAA look-ups
#     with nothing.
#  3. A resolv.conf with "nameserver 127.0.0.1" is bind-mounted over
#     /etc/resolv.conf, and an nsswitch.conf with "hosts: files dns" over
#     /etc/nsswitch.conf (so no mDNS or systemd module is asked).
#  4. dnsmasq runs in the foreground on 127.0.0.1:53 with no configuration
#     file, no upstream (--no-resolv), no /etc/hosts, authoritative for .test
#     (--local=/test/: unknown names there are NXDOMAIN at once), with the
#     test's --srv-host and --host-record lines, and logs every query.
# Ports: the RTC/engine program BASE, SIPp BASE+2, a second SIPp BASE+3,
# SIPp media BASE+10 and BASE+14, kamailio BASE+4, a dead port BASE+6 and
# BASE+7 (nothing listens there).
# Exit: 0 pass, 1 fail, 77 skip (not root, or no dnsmasq/unshare/sipp; kamailio and nft for the
# keep-alive tests).
# S_* variables are read by tl_scenario (testlib.sh) through compgen.
# shellcheck disable=SC2034
set -u

TEST=$1 BASE=$2 TL_WORK=$3 SAMPLES=$4 DRIVERS=$5 ENGINE_PEER=$6
HERE=$(cd "$(dirname "$0")" && pwd)
TL_SCRIPT="$HERE/$(basename "$0")"
# shellcheck source=../rtc-sipp/testlib.sh
. "$HERE/../rtc-sipp/testlib.sh"

if [ -z "${DNS_TEST_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || tl_skip "needs root for unshare --net --mount"
    tl_need unshare ip dnsmasq
    unshare --net --mount true 2>/dev/null || tl_skip "cannot make network and mount namespaces"
    export DNS_TEST_INSIDE=1 TL_IN_NETNS=netns
    exec unshare --net --mount -- "$TL_SCRIPT" "$@"
fi
tl_need sipp timeout ss openssl
tl_setup

ip link set lo up
ip addr add 127.0.0.2/8 dev lo
ip -6 addr add 2001:db8::53/128 dev lo nodad
printf 'nameserver 127.0.0.1\n' >"$TL_WORK/resolv.conf"
printf 'hosts: files dns\n' >"$TL_WORK/nsswitch.conf"
mount --bind "$TL_WORK/resolv.conf" /etc/resolv.conf || { tl_log "cannot bind-mount resolv.conf"; exit 1; }
mount --bind "$TL_WORK/nsswitch.conf" /etc/nsswitch.conf || { tl_log "cannot bind-mount nsswitch.conf"; exit 1; }

RTC_REGISTER=$DRIVERS/rtc_register
RTC_CALL=$SAMPLES/rtc_call
RTC_ANSWER=$SAMPLES/rtc_answer
UCC=$SAMPLES/ucc_incoming
RTC_PORT=$BASE
SIPP_PORT=$((BASE + 2))
SIPP2_PORT=$((BASE + 3))
KAMAILIO_PORT=$((BASE + 4))
DEAD_PORT=$((BASE + 6))
DEAD2_PORT=$((BASE + 7))
SIPP_MEDIA=$((BASE + 10))
SIPP2_MEDIA=$((BASE + 14))
S_RTC_PORT=$RTC_PORT S_SIPP_PORT=$SIPP_PORT S_SIPP2_PORT=$SIPP2_PORT S_TRANSPORT_PARAM=""

# dns_start RECORD_OPTION...: dnsmasq with these --srv-host/--host-record lines.
dns_start()
{
    # A pid file of its own: the default one (/var/run/dnsmasq.pid) is the
    # host's, and a dnsmasq of another test running beside this one holds it.
    tl_bg dns dnsmasq -k -C /dev/null --no-resolv --no-hosts --local=/test/ --listen-address=127.0.0.1 \
        --bind-interfaces --port 53 --log-queries --log-facility=- --pid-file="$TL_WORK/dnsmasq.pid" "$@"
    tl_wait_port udp 53 || { tl_fail "dnsmasq did not start"; tl_finish; }
}

# sipp_bg NAME SCENARIO PORT MEDIA_PORT udp|tcp [args...]: SIPp (one call) in the background.
sipp_bg()
{
    local name=$1 scenario=$2 port=$3 media=$4 transport=$5 file
    shift 5
    file=$(tl_scenario "$scenario") || exit 1
    tl_bg "$name" sipp -sf "$file" -m 1 -nostdin -timeout 20 -timeout_error \
        -i 127.0.0.1 -p "$port" -mp "$media" -t "$([ "$transport" = tcp ] && echo t1 || echo u1)" -trace_msg -trace_err \
        -message_file "$TL_WORK/${name}_messages.log" -error_file "$TL_WORK/${name}_errors.log" "$@"
    tl_wait_port "$transport" "$port"
}

# A test CA and certificates it signed for NAME... (EC P-256, in the work directory).
make_certificates()
{
    local name
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=rtcshim DNS test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" -out ca.pem 2>/dev/null
    for name in "$@"; do
        openssl ecparam -name prime256v1 -genkey -noout -out "$name.key" 2>/dev/null
        openssl req -new -key "$name.key" -subj "/CN=$name" -out "$name.csr" 2>/dev/null
        printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n' "$name" >"$name.ext"
        openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 \
            -extfile "$name.ext" -out "$name.crt" 2>/dev/null
        cat "$name.crt" "$name.key" >"$name.pem"
    done
}

registrar_re()
{
    S_REQUEST_URI_RE=$1
}

# keepalive_counter_start FROM_PORT TO_PORT: the kernel counts the CRLF CRLF
# datagrams (a 4-byte UDP payload of exactly that) we send from FROM_PORT to
# TO_PORT -- the wire itself, in this namespace (nftables; no capture program
# to wait for). keepalive_count prints how many went.
keepalive_counter_start()
{
    nft add table inet keepalive && nft add chain inet keepalive out '{ type filter hook output priority 0; }' \
        && nft add rule inet keepalive out udp sport "$1" udp dport "$2" udp length 12 @th,64,32 0x0d0a0d0a counter \
        || { tl_fail "cannot set up the nftables counter"; tl_finish; }
}
keepalive_count()
{
    nft list chain inet keepalive out | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}

case $TEST in

# ---- registration through an RTC profile that names only the domain ---------------------

rtc-register-srv|rtc-register-srv-tcp)
    # <sipsrv addr="example.test" protocol=...>: no port, so SRV (_sip._udp or _sip._tcp)
    # names the registrar, on a port that is not 5060.
    if [ "$TEST" = rtc-register-srv-tcp ]; then proto=tcp; else proto=udp; fi
    dns_start --srv-host=_sip._$proto.example.test,registrar.example.test,$SIPP_PORT,10,10 \
        --host-record=registrar.example.test,127.0.0.1
    registrar_re "sip:example\\.test;transport=$proto"
    sipp_bg sipp "$HERE/scenarios/registrar.xml" $SIPP_PORT $SIPP_MEDIA $proto
    tl_fg rtc "$RTC_REGISTER" --listen 127.0.0.1:$RTC_PORT --registrar example.test --protocol ${proto^^} \
        --uri sip:alice@example.test --account alice --password secret --unregister --timeout 15
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[register\] registration REGISTERING status 0$' \
        '^\[register\] registration REGISTERED status 0$' '^\[register\] registration NOT_REGISTERED status 0$' \
        '^\[register\] result OK$'
    tl_expect_line dns "query\\[SRV\\] _sip\\._$proto\\.example\\.test"
    tl_expect_line dns "query\\[A\\] registrar\\.example\\.test"
    ;;

# ---- the same for a UCC endpoint's sign-in ------------------------------------------------

ucc-sign-in-srv)
    # An endpoint with only sip:alice@example.test and no server: Enable asks DNS
    # (_sipinternaltls._tcp, _sipinternal._tcp, _sip._tls, _sips._tcp, _sip._tcp) and
    # signs in with what _sip._tcp names.
    dns_start --srv-host=_sip._tcp.example.test,registrar.example.test,$SIPP_PORT,10,10 \
        --host-record=registrar.example.test,127.0.0.1
    registrar_re "sip:registrar\\.example\\.test:$SIPP_PORT;transport=tcp"
    sipp_bg sipp "$HERE/scenarios/registrar.xml" $SIPP_PORT $SIPP_MEDIA tcp
    tl_fg ucc "$UCC" --uri sip:alice@example.test --sign-in --user alice --password secret --count 0 --timeout 15
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc ucc 0
    tl_expect_line ucc '^\[ucc\] signed in$'
    tl_expect_order dns "query\\[SRV\\] _sipinternaltls\\._tcp\\.example\\.test" \
        "query\\[SRV\\] _sipinternal\\._tcp\\.example\\.test" "query\\[SRV\\] _sip\\._tls\\.example\\.test" \
        "query\\[SRV\\] _sips\\._tcp\\.example\\.test" "query\\[SRV\\] _sip\\._tcp\\.example\\.test"
    ;;

ucc-server-name)
    # put_Server(CreateSignalingServer("example.test", UCCTM_UDP)): a name without a
    # port, so its _sip._udp SRV records name the registrar.
    dns_start --srv-host=_sip._udp.example.test,registrar.example.test,$SIPP_PORT,10,10 \
        --host-record=registrar.example.test,127.0.0.1
    registrar_re "sip:example\\.test;transport=udp"
    sipp_bg sipp "$HERE/scenarios/registrar.xml" $SIPP_PORT $SIPP_MEDIA udp
    tl_fg ucc "$UCC" --uri sip:alice@example.test --registrar example.test --user alice --password secret --count 0 \
        --timeout 15
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc ucc 0
    tl_expect_line ucc '^\[ucc\] signed in$'
    ;;

ucc-find-server)
    # IUccServerSignalingSettings::FindServer: OnFindServer lists the servers in the
    # order they were asked for (_sipinternal._tcp before _sip._tcp); the application
    # signs in with the first.
    dns_start --srv-host=_sipinternal._tcp.example.test,pool.example.test,$SIPP_PORT,10,10 \
        --srv-host=_sip._tcp.example.test,edge.example.test,$SIPP2_PORT,10,10 \
        --host-record=pool.example.test,127.0.0.1 --host-record=edge.example.test,127.0.0.1
    registrar_re "sip:pool\\.example\\.test:$SIPP_PORT;transport=tcp"
    sipp_bg sipp "$HERE/scenarios/registrar.xml" $SIPP_PORT $SIPP_MEDIA tcp
    tl_fg ucc "$UCC" --uri sip:alice@example.test --find-server example.test --user alice --password secret \
        --count 0 --timeout 15
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc ucc 0
    tl_expect_order ucc '^\[ucc\] FindServer: status 0, 2 server\(s\)$' \
        "^\\[ucc\\] server pool\\.example\\.test:$SIPP_PORT TCP$" "^\\[ucc\\] server edge\\.example\\.test:$SIPP2_PORT TCP$" \
        '^\[ucc\] signed in$'
    ;;

# ---- fail-over (RFC 3263 §4.3) -------------------------------------------------------------

fail-over|fail-over-tcp)
    # The first SRV target is dead (nothing listens: an ICMP or TCP refusal), the
    # second is SIPp: the REGISTER goes on to it at once, with a new branch.
    if [ "$TEST" = fail-over-tcp ]; then proto=tcp; else proto=udp; fi
    dns_start --srv-host=_sip._$proto.example.test,dead.example.test,$DEAD_PORT,10,10 \
        --srv-host=_sip._$proto.example.test,registrar.example.test,$SIPP_PORT,20,10 \
        --host-record=dead.example.test,127.0.0.1 --host-record=registrar.example.test,127.0.0.1
    registrar_re "sip:example\\.test(;transport=tcp)?"
    sipp_bg sipp "$HERE/scenarios/registrar.xml" $SIPP_PORT $SIPP_MEDIA $proto
    tl_fg peer "$ENGINE_PEER" --mode register --transport $proto --port $RTC_PORT --registrar sip:example.test \
        --aor sip:alice@example.test --user alice --password secret --expires 60 --registered-ms 300 --timeout 15 -v
    tl_wait sipp
    tl_expect_rc sipp 0
    tl_expect_rc peer 0
    tl_expect_order peer "REGISTER to ${proto^^} 127\\.0\\.0\\.1:$DEAD_PORT failed; trying ${proto^^} 127\\.0\\.0\\.1:$SIPP_PORT" \
        'registration registered' 'registration unregistered' '^engine_peer: stats fail-overs [1-9]'
    ;;

all-dead)
    # Every target dead: one failure, at once (long before timer F), with the
    # HRESULT of "no server answered": the engine's 503 (0x80ef01f7).
    dns_start --srv-host=_sip._udp.example.test,dead.example.test,$DEAD_PORT,10,10 \
        --srv-host=_sip._udp.example.test,dead.example.test,$DEAD2_PORT,20,10 \
        --host-record=dead.example.test,127.0.0.1
    tl_fg rtc "$RTC_REGISTER" --listen 127.0.0.1:$RTC_PORT --registrar example.test --protocol UDP \
        --uri sip:alice@example.test --account alice --password secret --timeout 10
    tl_expect_rc rtc 1
    tl_expect_order rtc '^\[register\] registration REGISTERING status 0$' \
        '^\[register\] registration ERROR status SIP 503 \(0x80ef01f7\)' '^\[register\] result FAILED$'
    tl_expect_no_line rtc 'timed out'
    ;;

# ---- a name that does not resolve ------------------------------------------------------------

name-not-found)
    # RTC_E_SIP_DNS_FAIL (0x80ee0066) at once, for a registration and for a call.
    dns_start --host-record=registrar.example.test,127.0.0.1
    tl_fg rtc "$RTC_REGISTER" --listen 127.0.0.1:$RTC_PORT --registrar nowhere.test --protocol UDP \
        --uri sip:alice@example.test --account alice --password secret --timeout 10
    tl_expect_rc rtc 1
    tl_expect_order rtc '^\[register\] registration REGISTERING status 0$' \
        '^\[register\] registration ERROR status 0x80ee0066' '^\[register\] result FAILED$'
    tl_expect_no_line rtc 'timed out'
    tl_fg call "$RTC_CALL" --bind 127.0.0.1:$RTC_PORT --from sip:alice@example.test --timeout 10 sip:bob@nowhere.test
    tl_expect_order call '^\[caller\] session INPROGRESS status 0$' '^\[caller\] session DISCONNECTED status 0x80ee0066'
    tl_expect_rc call 1
    tl_expect_no_line call 'no answer in time'
    tl_expect_line dns 'nowhere\.test is NXDOMAIN|NXDOMAIN.*nowhere\.test|nowhere\.test.*NXDOMAIN'
    ;;

# ---- TLS server identity (RFC 5922) -----------------------------------------------------------

tls-identity)
    # A TLS server for sip.example.test: with a certificate for that name from the
    # test CA the call connects; with one for other.test it is refused before any SIP
    # goes over it, with a log line that says why.
    make_certificates sip.example.test other.test
    dns_start --host-record=sip.example.test,127.0.0.1
    tl_bg server "$ENGINE_PEER" --mode uas --transport tls --cert sip.example.test.pem --port $SIPP_PORT --calls 1 \
        --timeout 20
    tl_wait_port tcp $SIPP_PORT
    tl_fg client "$ENGINE_PEER" --mode uac --transport tls --ca "$TL_WORK/ca.pem" --port $RTC_PORT \
        --target "sips:service@sip.example.test:$SIPP_PORT" --from sips:alice@example.test --script bye \
        --expect-end local-hangup --timeout 15 -v
    tl_wait server
    tl_expect_rc client 0
    tl_expect_rc server 0
    tl_expect_no_line client 'is not for the SIP domain'

    tl_bg server2 "$ENGINE_PEER" --mode uas --transport tls --cert other.test.pem --port $SIPP2_PORT --calls 1 \
        --timeout 20 -v
    tl_wait_port tcp $SIPP2_PORT
    tl_fg client2 "$ENGINE_PEER" --mode uac --transport tls --ca "$TL_WORK/ca.pem" --port $RTC_PORT \
        --target "sips:service@sip.example.test:$SIPP2_PORT" --from sips:alice@example.test \
        --expect-end transport-error --expect-code 503 --expect-failure "TLS certificate refused" --timeout 15 -v
    tl_expect_rc client2 0
    tl_expect_line client2 'TLS: the certificate of 127\.0\.0\.1:[0-9]+ is not for the SIP domain "sip\.example\.test" \(it names DNS:other\.test\): refused'
    kill -TERM "${TL_PID[server2]}" 2>/dev/null     # no call ever reached it: end its wait
    tl_wait server2
    tl_expect_no_line server2 'incoming call'
    ;;

# ---- a transfer to a host name -----------------------------------------------------------------

refer-to-name)
    # SIPp refers rtc_answer to sip:target@target.example.test:PORT: the new INVITE
    # goes where that name resolves (a second SIPp), and the ACK to the 200's
    # Contact, which is a name too.
    dns_start --host-record=target.example.test,127.0.0.1
    S_REFER_TO="sip:target@target.example.test:$SIPP2_PORT?X-Custom=abc"
    sipp_bg target "$HERE/scenarios/uas_target_name.xml" $SIPP2_PORT $SIPP2_MEDIA udp
    # X-Custom reaches the target only because the application opts in (transfer's allow-list).
    tl_bg rtc "$RTC_ANSWER" --listen 127.0.0.1:$RTC_PORT --uri sip:bob@127.0.0.1 --refer accept \
        --refer-private-headers --timeout 20
    tl_wait_port udp $RTC_PORT
    sipp_bg sipp "$HERE/../rtc-sipp/scenarios/uac_transfer_accept.xml" $SIPP_PORT $SIPP_MEDIA udp 127.0.0.1:$RTC_PORT
    tl_wait sipp
    tl_wait target
    tl_wait rtc
    tl_expect_rc sipp 0
    tl_expect_rc target 0
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[bob\] referred to sip:target@target\.example\.test:' \
        '^\[bob\] participant sip:target@target\.example\.test[^ ]* CONNECTED status 0$'
    tl_expect_line dns 'query\[A\] target\.example\.test'
    ;;

# ---- NAT keep-alive -------------------------------------------------------------------------------

keepalive-udp)
    # Registered through SRV with kamailio, advertising 192.0.2.50 (a documentation
    # address: nothing is ever sent there) while our packets come from 127.0.0.1:
    # the 200's Via says received=127.0.0.1;rport=BASE, so the binding is refreshed
    # with that Contact at once; then CRLF CRLF keep-alives go to kamailio every second
    # (counted by the kernel as they leave, keepalive_counter_start).
    tl_need kamailio nft
    dns_start --srv-host=_sip._udp.example.test,registrar.example.test,$KAMAILIO_PORT,10,10 \
        --host-record=registrar.example.test,127.0.0.1
    sed "s/PORT/$KAMAILIO_PORT/g" "$HERE/kamailio-registrar.cfg" >kamailio.cfg
    mkdir -p run
    tl_bg kamailio kamailio -DD -E -f kamailio.cfg -Y "$TL_WORK/run"
    tl_wait_port udp $KAMAILIO_PORT
    keepalive_counter_start $RTC_PORT $KAMAILIO_PORT
    tl_fg peer "$ENGINE_PEER" --mode register --transport udp --port $RTC_PORT --registrar sip:example.test \
        --aor sip:alice@example.test --advertise 192.0.2.50 --keepalive 1 --expires 60 --registered-ms 3500 \
        --timeout 15 -v
    tl_expect_rc peer 0
    tl_expect_order kamailio "REGISTER from 127\\.0\\.0\\.1:$RTC_PORT contact <sip:alice@192\\.0\\.2\\.50:$RTC_PORT>" \
        "REGISTER from 127\\.0\\.0\\.1:$RTC_PORT contact <sip:alice@127\\.0\\.0\\.1:$RTC_PORT>"
    tl_expect_line peer "the registrar 127\\.0\\.0\\.1:$KAMAILIO_PORT sees us at 127\\.0\\.0\\.1:$RTC_PORT, not 192\\.0\\.2\\.50:$RTC_PORT"
    tl_expect_line peer '^engine_peer: stats fail-overs 0 keep-alives [2-9]'
    tl_log "keep-alives on the wire: $(keepalive_count)"
    [ "$(keepalive_count)" -ge 2 ] || tl_fail "fewer than two CRLF CRLF datagrams on the wire"
    ;;

rtc-keepalive)
    # The same through the RTC API: a profile naming example.test, registered with
    # kamailio, rtcshim_set_keepalive_interval(1 s): CRLF CRLF datagrams on the wire.
    tl_need kamailio nft
    dns_start --srv-host=_sip._udp.example.test,registrar.example.test,$KAMAILIO_PORT,10,10 \
        --host-record=registrar.example.test,127.0.0.1
    sed "s/PORT/$KAMAILIO_PORT/g" "$HERE/kamailio-registrar.cfg" >kamailio.cfg
    mkdir -p run
    tl_bg kamailio kamailio -DD -E -f kamailio.cfg -Y "$TL_WORK/run"
    tl_wait_port udp $KAMAILIO_PORT
    keepalive_counter_start $RTC_PORT $KAMAILIO_PORT
    tl_fg rtc "$RTC_REGISTER" --listen 127.0.0.1:$RTC_PORT --registrar example.test --protocol UDP \
        --uri sip:alice@example.test --keepalive 1 --unregister --stay 3 --timeout 15
    tl_expect_rc rtc 0
    tl_expect_order rtc '^\[register\] registration REGISTERED status 0$' '^\[register\] registration NOT_REGISTERED status 0$'
    tl_log "keep-alives on the wire: $(keepalive_count)"
    [ "$(keepalive_count)" -ge 2 ] || tl_fail "fewer than two CRLF CRLF datagrams on the wire"
    ;;

keepalive-tcp)
    # Over TCP: RFC 5626 pings on the registration's connection, which kamailio
    # answers with pongs.
    tl_need kamailio
    dns_start --srv-host=_sip._tcp.example.test,registrar.example.test,$KAMAILIO_PORT,10,10 \
        --host-record=registrar.example.test,127.0.0.1
    sed "s/PORT/$KAMAILIO_PORT/g" "$HERE/kamailio-registrar.cfg" >kamailio.cfg
    mkdir -p run
    tl_bg kamailio kamailio -DD -E -f kamailio.cfg -Y "$TL_WORK/run"
    tl_wait_port tcp $KAMAILIO_PORT
    tl_fg peer "$ENGINE_PEER" --mode register --transport tcp --port $RTC_PORT --registrar sip:example.test \
        --aor sip:alice@example.test --keepalive 1 --expires 60 --registered-ms 3500 --timeout 15 -v
    tl_expect_rc peer 0
    tl_expect_line kamailio "REGISTER from 127\\.0\\.0\\.1:[0-9]+ contact <sip:alice@127\\.0\\.0\\.1:$RTC_PORT;transport=tcp>"
    tl_expect_line peer '^engine_peer: stats fail-overs 0 keep-alives [2-9][0-9]* pongs [1-9]'
    ;;

*)
    tl_log "unknown test $TEST"
    exit 2
    ;;
esac
tl_finish
