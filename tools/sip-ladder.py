#!/usr/bin/env python3
"""Draws a SIP ladder from rtcshim traces (G_MESSAGES_DEBUG=rtcshim output).

usage: sip-ladder.py NAME=PORT:TRACEFILE [NAME=PORT:TRACEFILE ...]

Each party's trace has lines like
  (rtc_answer:12): rtcshim-DEBUG: 13:30:21.985: send to UDP 127.0.0.1:25071 (317 bytes)
  (rtc_answer:12): rtcshim-DEBUG: 13:30:21.986: received from UDP 127.0.0.1:25070 (317 bytes)
each followed by the message. Every message a party sent becomes one row with
an arrow from its column to the receiver's (found by port). The traces are
merged by time, and a party's next row waits until the messages it received
before it were sent: the millisecond timestamps of different processes alone
cannot order what happens within one millisecond.
"""
import re
import sys

EVENT = re.compile(r"rtcshim-DEBUG: (\d\d:\d\d:\d\d\.\d+): (send to|received from) (\w+) [^ ]*:(\d+) \(\d+ bytes\)")
WIDTH = 22


def header(block, name):
    for line in block:
        if not line.strip():
            break
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def label_of(block):
    start = block[0].strip()
    if start.startswith("SIP/2.0 "):
        cseq = header(block, "CSeq")
        return start[8:] + (" (" + cseq.split()[-1] + ")" if cseq else "")
    label = start.split(" ")[0]
    for name in ("Refer-To", "Event"):
        value = header(block, name)
        if value:
            label += " " + value
    if label.startswith("NOTIFY"):
        for j, line in enumerate(block):
            if not line.strip() and j + 1 < len(block) and block[j + 1].startswith("SIP/2.0"):
                label += " [" + block[j + 1].strip() + "]"
                break
    return label


def read_trace(name, path):
    events = []
    lines = open(path, errors="replace").read().splitlines()
    for i, line in enumerate(lines):
        m = EVENT.search(line)
        if not m or i + 1 >= len(lines):
            continue
        block = lines[i + 1:i + 80]
        via = header(block, "Via") or header(block, "v")
        key = (block[0].strip(), header(block, "Call-ID"), header(block, "CSeq"), via.split(";branch=")[-1].split(";")[0])
        events.append({"time": m.group(1), "send": m.group(2) == "send to", "port": int(m.group(4)),
                       "key": key, "label": label_of(block), "party": name})
    return events


def merge(queues):
    sent = {}
    order = []
    while any(queues.values()):
        ready = [q[0] for q in queues.values() if q and (q[0]["send"] or sent.get(q[0]["key"], 0) > 0)]
        pool = ready or [q[0] for q in queues.values() if q]
        event = min(pool, key=lambda e: (e["time"], not e["send"]))
        queues[event["party"]].pop(0)
        if event["send"]:
            sent[event["key"]] = sent.get(event["key"], 0) + 1
            order.append(event)
        elif sent.get(event["key"], 0) > 0:
            sent[event["key"]] -= 1
    return order


def main():
    parties, ports, queues = [], {}, {}
    for arg in sys.argv[1:]:
        name, rest = arg.split("=", 1)
        port, path = rest.split(":", 1)
        parties.append(name)
        ports[int(port)] = name
        queues[name] = read_trace(name, path)
    col = {name: i for i, name in enumerate(parties)}
    print("time          " + "".join(p.ljust(WIDTH) for p in parties).rstrip())
    for event in merge(queues):
        receiver = ports.get(event["port"])
        if receiver is None or receiver == event["party"]:
            continue
        a, b = col[event["party"]], col[receiver]
        left, right = min(a, b), max(a, b)
        line = [" "] * (WIDTH * (len(parties) - 1) + 1)
        for i in range(len(parties)):
            line[i * WIDTH] = "|"
        for x in range(left * WIDTH + 1, right * WIDTH):
            line[x] = "-"
        if b > a:
            line[right * WIDTH - 1] = ">"
        else:
            line[left * WIDTH + 1] = "<"
        print(event["time"][:12].ljust(14) + "".join(line) + "  " + event["label"])


if __name__ == "__main__":
    main()
