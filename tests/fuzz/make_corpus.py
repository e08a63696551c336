#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_message.c into tests/fuzz/corpus/.

Each seed is: one flag byte (see fuzz_message.c), then messages separated by
NUL. The engine under the fuzzer seeds its random numbers, so the tags,
branches and Call-IDs it uses are known in advance; the seeds below answer
them (they were read off `FUZZ_TRACE=1 fuzz_message SEED`). If the engine
changes the order in which it draws them, the seeds still run, but reach
less: run this again after checking the trace.

    python3 tests/fuzz/make_corpus.py [OUTDIR [PIDF_OUTDIR]]

It also writes the seeds of tests/fuzz/fuzz_pidf.c into tests/fuzz/corpus-pidf/.
"""
import os
import sys

ANSWER, RING, REJECT, REDIRECT = 0, 1, 2, 3
REFER_ACCEPT, STREAM, OUTGOING, CONNECTED, HANGUP, DETACH = 0x04, 0x08, 0x10, 0x20, 0x40, 0x80

SDP = ("v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 30000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
       "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n")
SDP_HOLD = SDP.replace("a=sendrecv", "a=sendonly")


def msg(first, headers, body="", content_type=None):
    text = first + "\r\n"
    for name, value in headers:
        text += "%s: %s\r\n" % (name, value)
    if body:
        text += "Content-Type: %s\r\n" % (content_type or "application/sdp")
    text += "Content-Length: %d\r\n\r\n" % len(body.encode()) + body
    return text.encode()


def seed(flags, *messages):
    return bytes([flags]) + b"\0".join(messages)


# ---- the engine as UAS: Carol (the "network", 127.0.0.1:5070) calls Bob ----
# With seed 1 and no outgoing request first, Bob's tag for the first call is:
BOB_TAG = "6ac1f425ff4780eb"
CALL = "call-in-1@127.0.0.1"


def carol(method, cseq, branch, to_tag=BOB_TAG, extra=(), body="", content_type=None, call_id=CALL, uri="sip:bob@127.0.0.1"):
    to = "<sip:bob@127.0.0.1>" + (";tag=" + to_tag if to_tag else "")
    headers = [("Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK" + branch + ";rport"), ("Max-Forwards", "70"),
               ("From", "\"Carol\" <sip:carol@127.0.0.1:5070>;tag=ctag"), ("To", to), ("Call-ID", call_id),
               ("CSeq", "%d %s" % (cseq, method)), ("Contact", "<sip:carol@127.0.0.1:5070>")] + list(extra)
    return msg("%s %s SIP/2.0" % (method, uri), headers, body, content_type)


INVITE = carol("INVITE", 1, "in1", to_tag=None, body=SDP,
               extra=[("Supported", "replaces, norefersub"), ("Allow", "INVITE, ACK, BYE, CANCEL, REFER, NOTIFY")])
ACK = carol("ACK", 1, "ack1")
BYE = carol("BYE", 9, "bye1")
REFER = carol("REFER", 2, "ref1", extra=[("Refer-To", "<sip:dave@127.0.0.1:5071?Replaces=abc%40h%3Bto-tag%3Dx%3Bfrom-tag%3Dy&Subject=hi>"),
                                         ("Referred-By", "<sip:carol@127.0.0.1:5070>")])
REFER_NOSUB = carol("REFER", 3, "ref2", extra=[("Refer-To", "sip:erin@127.0.0.1:5072"), ("Refer-Sub", "false")])
REINVITE_HOLD = carol("INVITE", 4, "rei1", body=SDP_HOLD)
ACK_REINVITE = carol("ACK", 4, "ack2")
INFO = carol("INFO", 5, "inf1", body="Signal=1\r\nDuration=100\r\n", content_type="application/dtmf-relay")
MESSAGE_IN = carol("MESSAGE", 6, "msg1", body="hello there", content_type="text/plain")
NOTIFY_STRAY = carol("NOTIFY", 7, "not1", extra=[("Event", "refer;id=99"), ("Subscription-State", "active;expires=60")],
                     body="SIP/2.0 100 Trying\r\n", content_type="message/sipfrag;version=2.0")
OPTIONS = carol("OPTIONS", 1, "opt1", to_tag=None, call_id="options-1")
CANCEL = carol("CANCEL", 1, "in1", to_tag=None)
REPLACES = carol("INVITE", 1, "in2", to_tag=None, call_id="call-in-2@127.0.0.1", body=SDP,
                 extra=[("Replaces", "%s;to-tag=%s;from-tag=ctag" % (CALL, BOB_TAG)), ("Require", "replaces")])
REPLACES_NOMATCH = carol("INVITE", 1, "in3", to_tag=None, call_id="call-in-3@127.0.0.1", body=SDP,
                         extra=[("Replaces", "nothing@here;to-tag=a;from-tag=b;early-only")])
REGISTER_IN = carol("REGISTER", 1, "reg9", to_tag=None, call_id="reg-in-1", uri="sip:127.0.0.1",
                    extra=[("Authorization", 'Digest username="carol", realm="rtcshim", nonce="abc", '
                            'uri="sip:127.0.0.1", response="0123456789abcdef0123456789abcdef", algorithm=MD5, '
                            'qop=auth, nc=00000001, cnonce="xyz"'), ("Expires", "3600")])
MAX_FORWARDS_0 = carol("OPTIONS", 1, "mf0", to_tag=None, call_id="mf-0").replace(b"Max-Forwards: 70", b"Max-Forwards: 0")
REQUIRE_UNKNOWN = carol("INVITE", 1, "rq1", to_tag=None, call_id="rq-1", body=SDP, extra=[("Require", "100rel, foo")])
BAD_SDP = carol("INVITE", 1, "bs1", to_tag=None, call_id="bs-1", body="v=0\r\nm=video 1 RTP/AVP 31\r\n")

# ---- the engine as UAC (flag OUTGOING): its INVITE, REGISTER, MESSAGE, SUBSCRIBE and PUBLISH ----
INV = dict(branch="z9hG4bK20ccc3894d65aacb", tag="6ac1f425ff4780eb", call="b8672f8ceebc144800077eff")
REG = dict(branch="z9hG4bK65928d86ef7f7d19", tag="3c7053c017a38090", call="ffc11e852591cb4f")
MSG = dict(branch="z9hG4bK8648c9d43456fb8b", tag="89efe4b2d8a7d514", call="6b5054fe5032b165af6a8b92")
SUB = dict(branch="z9hG4bK8f064be96e4242f1", tag="3ac5929c0702df9d", call="718620fce0cc4dea")
PUB = dict(branch="z9hG4bK17c1cb3db13c0e16", tag="32b6c760c7448456", call="23f065f7f06aadde")


def response(status, req, method, cseq=1, to="<sip:bob@127.0.0.1:5070>", to_tag="btag", extra=(), body="",
             content_type=None, frm='"Alice" <sip:alice@127.0.0.1>'):
    headers = [("Via", "SIP/2.0/UDP 127.0.0.1:9;branch=%s;rport=9;received=127.0.0.1" % req["branch"]),
               ("From", "%s;tag=%s" % (frm, req["tag"])), ("To", to + (";tag=" + to_tag if to_tag else "")),
               ("Call-ID", req["call"]), ("CSeq", "%d %s" % (cseq, method))] + list(extra)
    return msg("SIP/2.0 " + status, headers, body, content_type)


CHALLENGE = 'Digest realm="rtcshim", nonce="4f2a", qop="auth", algorithm=%s, opaque="77"'
UAC = [
    response("100 Trying", INV, "INVITE", to_tag=None),
    response("180 Ringing", INV, "INVITE", extra=[("Contact", "<sip:bob@127.0.0.1:5070>"),
                                                  ("Record-Route", "<sip:127.0.0.1:5090;lr>")]),
    response("183 Session Progress", INV, "INVITE", to_tag="fork2", body=SDP),
    response("200 OK", INV, "INVITE", body=SDP, extra=[("Contact", "<sip:bob@127.0.0.1:5070>"),
                                                       ("Record-Route", "<sip:127.0.0.1:5091;lr>, <sip:127.0.0.1:5090;lr>")]),
    response("200 OK", INV, "INVITE", to_tag="fork2", body=SDP, extra=[("Contact", "<sip:fork@127.0.0.1:5070>")]),
    response("401 Unauthorized", REG, "REGISTER", to="<sip:alice@127.0.0.1>", frm="<sip:alice@127.0.0.1>",
             extra=[("WWW-Authenticate", CHALLENGE % "MD5")]),
    response("200 OK", MSG, "MESSAGE", frm="<sip:alice@127.0.0.1>"),
]
# What the engine sends once the call is connected (flag CONNECTED): a
# re-INVITE (hold), INFO, MESSAGE and REFER, CSeq 2..5 in the dialog.
NOTIFY_FOR_REFER = msg("NOTIFY sip:alice@127.0.0.1 SIP/2.0", [
    ("Via", "SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKnfy1"), ("Max-Forwards", "69"),
    ("From", "<sip:bob@127.0.0.1:5070>;tag=btag"), ("To", '"Alice" <sip:alice@127.0.0.1>;tag=%s' % INV["tag"]),
    ("Call-ID", INV["call"]), ("CSeq", "2 NOTIFY"), ("Event", "refer;id=5"),
    ("Subscription-State", "active;expires=60"), ("Contact", "<sip:bob@127.0.0.1:5070>")],
    "SIP/2.0 180 Ringing\r\n", "message/sipfrag;version=2.0")
NOTIFY_FINAL = msg("NOTIFY sip:alice@127.0.0.1 SIP/2.0", [
    ("Via", "SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKnfy2"), ("Max-Forwards", "69"),
    ("From", "<sip:bob@127.0.0.1:5070>;tag=btag"), ("To", '"Alice" <sip:alice@127.0.0.1>;tag=%s' % INV["tag"]),
    ("Call-ID", INV["call"]), ("CSeq", "3 NOTIFY"), ("Event", "refer;id=5"),
    ("Subscription-State", "terminated;reason=noresource")],
    "SIP/2.0 200 OK\r\n", "message/sipfrag;version=2.0")
# The answers to those in-dialog requests (their branches, as drawn in this seed).
IN_DIALOG = [
    response("200 OK", dict(INV, branch="z9hG4bKdd71f780e504f13c"), "INVITE", cseq=2, body=SDP.replace("sendrecv", "recvonly"),
             extra=[("Contact", "<sip:bob@127.0.0.1:5070>")]),
    response("200 OK", dict(INV, branch="z9hG4bKd442f8d115c57508"), "INFO", cseq=3),
    response("407 Proxy Authentication Required", dict(INV, branch="z9hG4bKd460e2d809ff7e8d"), "MESSAGE", cseq=4,
             extra=[("Proxy-Authenticate", CHALLENGE % "SHA-256")]),
    response("202 Accepted", dict(INV, branch="z9hG4bK45e69a732b7a01af"), "REFER", cseq=5),
]
BYE_IN = msg("BYE sip:alice@127.0.0.1 SIP/2.0", [
    ("Via", "SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKbye9"), ("Max-Forwards", "69"),
    ("From", "<sip:bob@127.0.0.1:5070>;tag=btag"), ("To", '"Alice" <sip:alice@127.0.0.1>;tag=%s' % INV["tag"]),
    ("Call-ID", INV["call"]), ("CSeq", "4 BYE")])

# ---- presence: the engine's SUBSCRIBE and PUBLISH answered, NOTIFYs in that dialog ----
PIDF_DOC = ('<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" '
            'xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@127.0.0.1:5070">'
            '<tuple id="t1"><status><basic>open</basic></status></tuple>'
            '<dm:person id="p"><r:activities><r:busy/></r:activities><dm:note>meeting</dm:note></dm:person></presence>')


def bob_notify(cseq, state, body="", content_type="application/pidf+xml"):
    return msg("NOTIFY sip:alice@127.0.0.1 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKpn%d" % cseq), ("Max-Forwards", "70"),
        ("From", "<sip:bob@127.0.0.1:5070>;tag=btag"), ("To", "<sip:alice@127.0.0.1>;tag=%s" % SUB["tag"]),
        ("Call-ID", SUB["call"]), ("CSeq", "%d NOTIFY" % cseq), ("Event", "presence"),
        ("Subscription-State", state), ("Contact", "<sip:bob@127.0.0.1:5070>")], body, content_type)


PRESENCE_UAC = [
    response("200 OK", SUB, "SUBSCRIBE", frm="<sip:alice@127.0.0.1>",
             extra=[("Expires", "600"), ("Contact", "<sip:bob@127.0.0.1:5070>")]),
    bob_notify(1, "active;expires=600", PIDF_DOC),
    bob_notify(2, "active;expires=300", PIDF_DOC[:120]),                       # malformed: 400
    bob_notify(3, "active;expires=300", "hello", "text/plain"),                # another type: 415
    bob_notify(4, "active"),
    response("200 OK", PUB, "PUBLISH", to="<sip:alice@127.0.0.1>", to_tag="ptag", frm="<sip:alice@127.0.0.1>",
             extra=[("SIP-ETag", "etag-1"), ("Expires", "60")]),
    bob_notify(5, "terminated;reason=deactivated"),
]
PRESENCE_UAC_REFUSED = [
    response("489 Bad Event", SUB, "SUBSCRIBE", frm="<sip:alice@127.0.0.1>", extra=[("Allow-Events", "dialog")]),
    response("423 Interval Too Brief", PUB, "PUBLISH", to="<sip:alice@127.0.0.1>", to_tag="ptag",
             frm="<sip:alice@127.0.0.1>", extra=[("Min-Expires", "7200")]),
]
# ---- presence: Carol subscribes to Bob (the engine as notifier) ----
SUB_IN = carol("SUBSCRIBE", 1, "sub1", to_tag=None, call_id="sub-1",
               extra=[("Event", "presence"), ("Expires", "60"), ("Accept", "application/pidf+xml")])
SUB_REFRESH = carol("SUBSCRIBE", 2, "sub2", call_id="sub-1", extra=[("Event", "presence"), ("Expires", "120")])
SUB_END = carol("SUBSCRIBE", 3, "sub3", call_id="sub-1", extra=[("Event", "presence"), ("Expires", "0")])
SUB_BAD_EVENT = carol("SUBSCRIBE", 1, "sub4", to_tag=None, call_id="sub-2", extra=[("Event", "dialog")])
SUB_BRIEF = carol("SUBSCRIBE", 1, "sub5", to_tag=None, call_id="sub-3", extra=[("Event", "presence"), ("Expires", "1")])
SUB_ACCEPT = carol("SUBSCRIBE", 1, "sub6", to_tag=None, call_id="sub-4",
                   extra=[("Event", "presence.winfo"), ("Accept", "text/plain")])
SUB_FETCH = carol("SUBSCRIBE", 1, "sub7", to_tag=None, call_id="sub-5", extra=[("Event", "presence"), ("Expires", "0")])
NOTIFY_STRAY_PRESENCE = carol("NOTIFY", 1, "pn9", to_tag="nobody", call_id="sub-9",
                              extra=[("Event", "presence"), ("Subscription-State", "active")])
PUBLISH_IN = carol("PUBLISH", 1, "pub1", to_tag=None, call_id="pub-1", extra=[("Event", "presence")],
                   body=PIDF_DOC, content_type="application/pidf+xml")

GARBAGE = [
    b"hello", b"\r\n\r\n", b"SIP/2.0 200 OK\r\n\r\n", b"INVITE\r\n\r\n",
    b"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKg\r\nCSeq: 1 OPTIONS\r\n\r\n",
    b"BYE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKh\r\nf: <<<\r\n\r\n",
    b"\xff\xfe\x01 binary \x7f\x80",
    b"INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKq;maddr=127.0.0.1\r\n"
    b"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: g1\r\nCSeq: 4294967295 INVITE\r\nContent-Length: 99999\r\n\r\nv=0",
    b"REFER sip:a@b SIP/3.0\r\nVia: SIP/2.0/TCP [::1]:5070;branch=z9hG4bKr\r\nFrom: x\r\nTo: y\r\nCall-ID:\r\nCSeq: x\r\n\r\n",
]

SEEDS = {
    "invite-answer-ack-bye": seed(ANSWER | REFER_ACCEPT, INVITE, ACK, INFO, MESSAGE_IN, REINVITE_HOLD, ACK_REINVITE, BYE),
    "invite-refer-accept-notify": seed(ANSWER | REFER_ACCEPT, INVITE, ACK, REFER, REFER_NOSUB, NOTIFY_STRAY, BYE),
    "invite-refer-reject": seed(ANSWER, INVITE, ACK, REFER, BYE),
    "invite-ring-cancel": seed(RING, INVITE, CANCEL, ACK.replace(b"ack1", b"in1")),
    "invite-reject": seed(REJECT, INVITE, ACK.replace(b"ack1", b"in1")),
    "invite-redirect": seed(REDIRECT, INVITE, INVITE),
    "invite-replaces": seed(ANSWER, INVITE, ACK, REPLACES, REPLACES_NOMATCH),
    "invite-tcp-stream": seed(ANSWER | STREAM | HANGUP, b"\r\n\r\n" + INVITE + ACK, BYE + b"\r\n" + OPTIONS),
    "invite-detach": seed(ANSWER | DETACH | CONNECTED, INVITE, ACK),
    "register-with-authorization": seed(ANSWER, REGISTER_IN, OPTIONS),
    "bad-requests": seed(ANSWER, MAX_FORWARDS_0, REQUIRE_UNKNOWN, BAD_SDP, OPTIONS),
    "uac-responses": seed(OUTGOING | REFER_ACCEPT, *UAC),
    "uac-connected-refer-notify": seed(OUTGOING | CONNECTED, *UAC, *IN_DIALOG, NOTIFY_FOR_REFER, NOTIFY_FINAL, BYE_IN),
    "uac-tcp": seed(OUTGOING | STREAM | CONNECTED, *UAC),
    "uac-hangup": seed(OUTGOING | HANGUP, UAC[1], UAC[3]),
    "presence-uac": seed(OUTGOING, *PRESENCE_UAC),
    "presence-uac-refused": seed(OUTGOING | HANGUP, *PRESENCE_UAC_REFUSED),
    "presence-notifier": seed(REFER_ACCEPT, SUB_IN, SUB_REFRESH, SUB_END, SUB_BAD_EVENT, SUB_BRIEF, SUB_ACCEPT,
                              SUB_FETCH, NOTIFY_STRAY_PRESENCE, PUBLISH_IN),
    "presence-notifier-pending": seed(ANSWER, SUB_IN, SUB_REFRESH),
    "garbage": seed(ANSWER | REFER_ACCEPT, *GARBAGE),
    "garbage-stream": seed(STREAM, b"".join(GARBAGE)),
}


# ---- fuzz_pidf (tests/fuzz/fuzz_pidf.c): byte 0 even = PIDF, odd = watcherinfo ----
PIDF_BASIC = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
              b'<impp:presence xmlns:impp="urn:ietf:params:xml:ns:pidf" entity="pres:someone@example.com">\n'
              b'  <impp:tuple id="sg89ae">\n'
              b'    <impp:status><impp:basic>open</impp:basic></impp:status>\n'
              b'    <impp:contact priority="0.8">tel:+09012345678</impp:contact>\n'
              b'    <impp:note xml:lang="en">  Don\'t Disturb Please!  </impp:note>\n'
              b'    <impp:timestamp>2001-10-27T16:49:29Z</impp:timestamp>\n'
              b'  </impp:tuple>\n'
              b'  <impp:note>Presence-level note</impp:note>\n'
              b'</impp:presence>\n')
PIDF_RPID = (b'<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"'
             b' xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" xmlns:c="urn:ietf:params:xml:ns:pidf:cipid"'
             b' xmlns:lt="urn:ietf:params:xml:ns:location-type" xmlns:x="urn:example:extra"'
             b' entity="sip:bob@example.com">'
             b'<tuple id="t1"><status><basic>closed</basic><x:ignored/></status>'
             b'<dm:deviceID>urn:uuid:d1</dm:deviceID></tuple>'
             b'<tuple id="t2"><status/><contact>mailto:bob@example.com</contact></tuple>'
             b'<dm:person id="p1"><r:activities><r:busy/><r:on-the-phone/><r:other>be right back</r:other>'
             b'</r:activities><r:user-input idle-threshold="600">idle</r:user-input>'
             b'<r:place-type><lt:office/></r:place-type><c:display-name>Bob B.</c:display-name>'
             b'<dm:note>At the desk</dm:note></dm:person>'
             b'<dm:device id="d"><dm:deviceID>urn:uuid:d1</dm:deviceID><dm:note>Laptop</dm:note></dm:device>'
             b'<x:mood level="3"><x:happy/></x:mood></presence>')
PIDF_HOSTILE = (b'<?xml version="1.0"?><!DOCTYPE presence [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                b'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><note>&b;</note></presence>')
WINFO = (b'<?xml version="1.0"?>\n'
         b'<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="7" state="partial">\n'
         b'  <watcher-list resource="sip:bob@example.com" package="presence">\n'
         b'    <watcher status="pending" id="8ajksjda7s" duration-subscribed="509" event="subscribe"'
         b' display-name="Alice">sip:alice@example.com</watcher>\n'
         b'    <watcher status="terminated" id="x" event="rejected"> sip:eve@example.com </watcher>\n'
         b'  </watcher-list>\n'
         b'</watcherinfo>\n')
PIDF_SEEDS = {
    "pidf-basic": b"\0" + PIDF_BASIC,
    "pidf-rpid": b"\0" + PIDF_RPID,
    "pidf-doctype": b"\0" + PIDF_HOSTILE,
    "pidf-truncated": b"\0" + PIDF_RPID[:200],
    "winfo-partial": b"\1" + WINFO,
    "winfo-full-empty": b"\1" + b'<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full"/>',
}


def write(out, seeds):
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    write(out, SEEDS)
    write(sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "corpus-pidf"), PIDF_SEEDS)


if __name__ == "__main__":
    main()
