#!/usr/bin/env python3
"""Writes docs/status.md: every RTC and UCC interface and method, built or E_NOTIMPL.

The facts come from the code, not from memory:
  - the interfaces and their methods from the widl-generated headers;
  - which object implements an interface from the `static const XVtbl name = { ... };`
    tables in rtccore/ and ucc/;
  - a method is E_NOTIMPL when its body calls a *_not_built() helper, built otherwise.
Where nothing is built yet, PLANS says which issue builds it (or why not).

usage: gen-status.py GENERATED_INCLUDE_DIR SOURCE_DIR [--check]
"""
import pathlib
import re
import sys

# interface name pattern -> who builds it (first match wins)
PLANS = [
    (r"^IRTC(Session|Participant|EnumParticipants|Collection)", "issue 4 (sessions, participants)"),
    (r"^IRTC(Session|Client|Registration|Participant|Media|Messaging|Info|ReInvite)\w*Event", "issue 4 (events)"),
    (r"^IRTCSessionRefer", "issue 5 (transfer)"),
    (r"^IRTC(Profile|EnumProfiles|ClientProvisioning)", "issue 4 (profiles)"),
    (r"^IRTCSessionCallControl", "issue 4 (hold, forward) and issue 5 (Refer)"),
    (r"^IRTCSessionDescriptionManager|^IRTCSessionPortManagement|^IRTCPortManager", "issue 4 where feasible"),
    (r"^IRTC(Buddy|Watcher|Presence|EnumBuddies|EnumWatchers|EnumGroups|Group|ClientPresence|BuddyGroup|UserSearch|EnumUserSearch|Roaming|PresenceProperty|PresenceData|PresenceStatus|PresenceDevice|EnumPresenceDevices|PresenceProperty|ProfileEvent|PresencePropertyEvent|PresenceDataEvent|PresenceStatusEvent)",
     "not planned: presence, buddies, watchers, roaming and user search are outside the current issues (issue 4 item 6)"),
    (r"^IRTC(IntensityEvent|ClientEvent)", "issue 4 (events)"),
    (r"^IRTCEventNotification|^IRTCDispatchEventNotification", "implemented by the application (sink)"),
    (r"^_IUcc", "implemented by the application (event sink)"),
    (r"^IUcc", "issue 6 (UCC API)"),
    (r"^IRTC", "issue 4"),
]

NOT_BUILT_RE = re.compile(r"_not_built\(")


def parse_vtbls(header):
    text = header.read_text()
    vtbls = {}
    for m in re.finditer(r"typedef struct (\w+)Vtbl \{(.*?)\} \1Vtbl;", text, re.S):
        methods = re.findall(r"\(STDMETHODCALLTYPE \*(\w+)\)", m.group(2))
        vtbls[m.group(1)] = methods
    return vtbls


def parse_implementations(source_dir):
    """interface -> (file, [function per slot]); function -> body."""
    impls, bodies = {}, {}
    for path in sorted(list((source_dir / "rtccore").glob("*.c")) + list((source_dir / "ucc").glob("*.c"))):
        text = path.read_text()
        for m in re.finditer(r"static const (\w+)Vtbl \w+ =\s*\{(.*?)\};", text, re.S):
            funcs = [f.strip() for f in m.group(2).split(",") if f.strip()]
            impls.setdefault(m.group(1), (path.name, funcs))
        for m in re.finditer(r"^static \w+ WINAPI (\w+)\(.*?\)\n\{\n(.*?)^\}", text, re.S | re.M):
            bodies[m.group(1)] = m.group(2)
    return impls, bodies


def resolve_bases(vtbls, impls):
    """An object implementing X2 also implements X when X's methods are X2's first ones
    (IRTCClient inside IRTCClient2): credit X to the same functions."""
    for name, methods in vtbls.items():
        if name in impls:
            continue
        # Only a real base: more than IUnknown/IDispatch alone (dispinterfaces and
        # empty interfaces share that prefix with everything).
        if len(methods) <= 7 and methods[3:] in ([], ["GetTypeInfoCount", "GetTypeInfo", "GetIDsOfNames", "Invoke"]):
            continue
        for derived, (filename, funcs) in list(impls.items()):
            dmethods = vtbls.get(derived, [])
            if derived != name and len(dmethods) > len(methods) and dmethods[:len(methods)] == methods:
                impls[name] = (filename, funcs[:len(methods)])
                break


def plan_for(name):
    for pattern, plan in PLANS:
        if re.search(pattern, name):
            return plan
    return "not planned"


def render(vtbls, impls, bodies, family):
    out = []
    names = sorted(n for n in vtbls if (n.startswith("IRTC") if family == "RTC" else "Ucc" in n))
    for name in names:
        methods = vtbls[name]
        if name in impls:
            filename, funcs = impls[name]
            built = sum(1 for f in funcs[3:] if f in bodies and not NOT_BUILT_RE.search(bodies[f]))
            out.append(f"### {name} — `{filename}`: {built} of {len(methods) - 3} methods built\n")
            out.append("| slot | method | state |\n|---|---|---|")
            for slot, (method, func) in enumerate(zip(methods, funcs)):
                if slot < 3:
                    continue
                body = bodies.get(func)
                state = "built" if body is not None and not NOT_BUILT_RE.search(body) else f"E_NOTIMPL — {plan_for(name)}"
                out.append(f"| {slot} | {method} | {state} |")
            out.append("")
        else:
            out.append(f"### {name} — no object yet: {plan_for(name)}\n")
            out.append("Methods: " + ", ".join(methods[3:]) + "\n")
    return "\n".join(out)


def main():
    gen, src = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    check = "--check" in sys.argv
    vtbls = {}
    for h in ("rtccore.h", "uccapi.h"):
        if (gen / h).exists():
            vtbls.update(parse_vtbls(gen / h))
    impls, bodies = parse_implementations(src)
    resolve_bases(vtbls, impls)
    text = ("# Status: every interface and method\n\n"
            "Written by `tools/gen-status.py` from the generated headers and the vtables in\n"
            "`rtccore/` and `ucc/`; a test fails when this file is out of date. \"built\" means the\n"
            "method does its documented job; `E_NOTIMPL` means it returns E_NOTIMPL today, and\n"
            "says which issue builds it or why it is not planned. Interfaces implemented by the\n"
            "application (event sinks) are listed for completeness.\n\n"
            "## RTC Client API\n\n" + render(vtbls, impls, bodies, "RTC") +
            "\n## UCC API\n\n" + render(vtbls, impls, bodies, "UCC"))
    target = src / "docs" / "status.md"
    if check:
        if not target.exists() or target.read_text() != text:
            print("docs/status.md is out of date: run tools/gen-status.py", gen, src)
            return 1
        print("docs/status.md is up to date")
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
