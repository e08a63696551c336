#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_dialog.c into tests/fuzz/corpus-dialog/.

An input is a sequence of steps `op flags length text[length]` (fuzz_dialog.c,
enum step). Dialog A: the peer called us (REFERs from the peer get CSeq 2, 3,
...); dialog B: we called the peer and sent a REFER (CSeq 2) it accepted. The
flags' lowest bit picks the dialog (0: A, 1: B).

    python3 tests/fuzz/make_dialog_corpus.py [OUTDIR]
"""
import os
import sys

REFER, NOTIFY, SUBSCRIBE, REPLACES, REQUEST, DECIDE, TIME, RESPOND, SEND_REFER, HANGUP = range(10)
A, B = 0, 1
ACCEPT, REJECT, NOTIFY_CODE = 0 << 1, 1 << 1, 2 << 1


def step(op, flags=0, text=""):
    data = text.encode()
    assert len(data) < 256
    return bytes([op, flags, len(data)]) + data


def notify_code(code):
    """DECIDE flags for sip_refer_notify(100 + 20*n)."""
    return NOTIFY_CODE | (((code - 100) // 20) << 3)


SEEDS = {
    "refer-accept-progress": [
        step(REFER, A | 4, "<sip:dave@127.0.0.1:5071?Replaces=a%40b%3Bto-tag%3D1%3Bfrom-tag%3D2&Subject=x"
                           "&P-Asserted-Identity=%3Csip%3Ay%40z%3E&X-Custom=1>"),
        step(DECIDE, ACCEPT), step(RESPOND, 0x01), step(DECIDE, notify_code(100)), step(DECIDE, notify_code(180)),
        step(RESPOND, 0x01), step(SUBSCRIBE, A, "refer;id=2\n60"), step(RESPOND, 0x01), step(TIME, 0),
        step(DECIDE, notify_code(200)), step(RESPOND, 0x01), step(SUBSCRIBE, A, "refer;id=2\n60"),
    ],
    "refer-late-decision": [
        step(REFER, A, "<sip:dave@127.0.0.1:5071>"), step(TIME, 0), step(RESPOND, 0x01),
        step(DECIDE, REJECT), step(RESPOND, 0x01), step(TIME, 3),
        step(REFER, A | 2, "sip:erin@127.0.0.1:5072"), step(TIME, 1), step(DECIDE, ACCEPT), step(TIME, 7),
    ],
    "refer-reserved-and-bad": [
        step(REFER, A, "<sip:dave@127.0.0.1?Route=%3Csip%3Ax%3E>"), step(REFER, A, "<mailto:x@y>"),
        step(REFER, A, "<sip:dave@127.0.0.1?Replaces=%zz>"), step(REFER, B, "<sip:dave@127.0.0.1:5071>"),
        step(DECIDE, REJECT | (20 << 3)),
    ],
    "notify-subscriber": [
        step(NOTIFY, B, "refer;id=2\nactive;expires=5\nSIP/2.0 100 Trying"),
        step(NOTIFY, B, "refer;id=2\nactive;expires=5\nSIP/2.0 180 Ringing"), step(TIME, 0), step(RESPOND, 0x01,
                                                                                                 "Expires: 5\r\n"),
        step(NOTIFY, B, "refer;idx=2\nactive\nSIP/2.0 180 Ringing"), step(NOTIFY, B, "refer;id=02\nactive\n"),
        step(NOTIFY, B, "refer\nactive;expires=abc\nSIP/2.0 183 Session Progress"),
        step(NOTIFY, B, "refer;id=2\nterminated;reason=rejected\nSIP/2.0 603 Declined"),
        step(NOTIFY, B, "refer;id=2\nterminated;reason=noresource\nSIP/2.0 200 OK"),
        step(NOTIFY, A, "refer;id=9\nactive\nSIP/2.0 100 Trying"), step(NOTIFY, B, "presence\nactive\n"),
    ],
    "notify-refresh-refused": [
        step(NOTIFY, B, "refer;id=2\nactive;expires=3\nSIP/2.0 180 Ringing"), step(TIME, 0),
        step(RESPOND, 3 | 27 << 3, ""), step(TIME, 1), step(NOTIFY, B, "refer;id=2\nterminated\nSIP/2.0 486 Busy Here"),
    ],
    "replaces": [
        step(REPLACES, 0), step(REPLACES, 16), step(REPLACES, 8), step(REPLACES, 0, "nothing@x;to-tag=a;from-tag=b"),
        step(REPLACES, 0, "garbage;;;to-tag"), step(REPLACES, 4), step(TIME, 7), step(REPLACES, 2),
    ],
    "subscribe-and-requests": [
        step(SUBSCRIBE, A, "refer;id=9\n60"), step(SUBSCRIBE, A, "presence\n60"), step(SUBSCRIBE, A, "refer\nx"),
        step(SUBSCRIBE, B, "refer;id=2\n0"), step(REQUEST, A, "INFO"), step(REQUEST, A, "OPTIONS"),
        step(REQUEST, A, "BYE"), step(NOTIFY, A, "refer\nactive\nSIP/2.0 100 Trying"), step(TIME, 7),
    ],
    "send-refer-and-hangup": [
        step(SEND_REFER, A, "sip:x@127.0.0.1:5073?Replaces=c%40d%3Bto-tag%3D3%3Bfrom-tag%3D4"), step(RESPOND, 0x01),
        step(NOTIFY, A, "refer\nactive;expires=60\nSIP/2.0 100 Trying"), step(SEND_REFER, B, ""),
        step(RESPOND, 0x05), step(HANGUP, B), step(TIME, 7), step(HANGUP, A), step(TIME, 7),
    ],
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "corpus-dialog")
    os.makedirs(out, exist_ok=True)
    for name, steps in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"".join(steps))


if __name__ == "__main__":
    main()
