#!/usr/bin/env python3
"""Writes docs/status.md: every RTC and UCC interface and method, built, partial or E_NOTIMPL.

The facts come from the compiler's view of the code, not from reading it by eye:
  - the interfaces, and which are only forward-declared, from include/rtccore.idl and
    include/uccapi.idl;
  - each interface's methods in slot order from the `typedef struct XVtbl { ... }` the compiler
    sees, and each implementation from every `static const XVtbl name = { ... };` table, both
    read from the library's sources run through the preprocessor with their own flags
    (compile_commands.json, which the build exports), so a macro that fills seven slots
    (EVENT_IDISPATCH_VTBL) counts seven;
  - the state of a method from the body of the function in its slot, as preprocessed:
      E_NOTIMPL  the body is only `return com_not_built(__func__);` or `return E_NOTIMPL;`,
                 or only forwards to such a function;
      partial    the body (or a function of the same file it calls) calls
                 com_partial(__func__, "reason"), or the interface is marked with
                 COM_NEVER_DELIVERED(interface, "reason") (an event object nobody receives);
      built      otherwise.
It fails, naming the file and line, when a table has more or fewer entries than its interface
has slots, when the function in a slot is not named <prefix>_<Method> (a shifted table), when a
slot holds something else than a function, and when a body returns E_NOTIMPL in some case
without a com_partial() reason.

Where a method is E_NOTIMPL, or an interface has no object, PLANS says which issue builds it
(or why not).

usage: gen-status.py BUILD_DIR SOURCE_DIR [--check]
  BUILD_DIR   a configured and built tree (compile_commands.json, generated headers)
  --check     compare with docs/status.md instead of writing it (exit 1 when different)
"""
import bisect
import concurrent.futures
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys

# Who builds what is not built yet, or why it is not planned: (interface pattern, method pattern
# or None for the whole interface, plan). The first match wins.
PLANS = [
    # RTC Client API
    (r"^IRTCClient2?$", r"IVideoWindow|VideoDevice|TemporalSpatialTradeOff",
     "not planned: video is in no open issue (audio only, issue 10)"),
    (r"^IRTCClient2?$", r"TuningWizard", "not planned: the tuning wizard is a Windows dialog; "
     "put_PreferredAudioDevice and put_Volume do its job"),
    (r"^IRTC(Client|Session)2?$", r"WithDescription|SessionDescription",
     "not planned: application sessions (RTCST_APPLICATION: the application writes the SDP) are in no open issue"),
    (r"^IRTC(Client|Session)2?$", r"SecurityLevel|SecurityEnabled|EncryptionKey",
     "not planned: media encryption (SRTP) is in no open issue"),
    (r"^IRTCClient2?$", r"T120", "not planned: T.120 applets (NetMeeting whiteboard, application sharing) "
     "have no counterpart here"),
    (r"^IRTCSession2?$", r"Stream", "not planned yet: a call keeps the audio stream it was set up with; "
     "adding and removing streams (video) is in no open issue"),
    (r"^IRTCClientProvisioning2?$", r"GetProfile", "not planned: GetProfile asks a provider's provisioning "
     "server, which has no open standard"),
    (r"^IRTC(ClientPortManagement|PortManager|SessionPortManagement)$", None,
     "not planned: port management for NAT traversal is in no open issue"),
    (r"^IRTC(UserSearch|EnumUserSearch|Roaming)", None,
     "issue 14 (presence; user search and roaming need a vendor's server and may stay E_NOTIMPL)"),
    (r"^IRTC(Buddy|Watcher|Presence|EnumBuddies|EnumWatchers|EnumGroups|Group|ClientPresence|BuddyGroup|"
     r"EnumPresenceDevices|ProfileEvent)", None, "issue 14 (presence)"),
    (r"^IRTCMediaRequestEvent$", None, "not planned yet: follows AddStream/RemoveStream (a peer adding a "
     "stream), in no open issue"),
    (r"^IRTCSessionDescriptionManager$", None, "not planned: application sessions (RTCST_APPLICATION) are "
     "in no open issue; the application implements it"),
    (r"^IRTCEventNotification$|^IRTCDispatchEventNotification$", None, "implemented by the application (event sink)"),
    # UCC API: events the library does not raise
    (r"^_IUccAudioVideoSessionParticipantEvents$", None, "not planned yet: media requests (a peer adding a "
     "stream, video) are in no open issue"),
    (r"^_IUccAudioVideoSessionEvents$", None, "follows PublishSessionMetrics, not planned"),
    (r"^_IUccMediaEndpointEvents$", None, "not planned: media relay discovery (ICE/TURN) is in no open issue"),
    (r"^_IUccPlatformEvents$", None, "not planned yet: the engine does not watch the host's addresses"),
    (r"^_IUccSessionCallControlEvents$", None, "follows Alternate, not planned yet"),
    (r"^_IUccSessionParticipant(Endpoint)?(Collection)?Events$", None,
     "not planned yet: a participant has one endpoint (several need a server's registration state)"),
    (r"^_IUccApplicationSessionParticipantEvents$|^_IUccSessionDescriptionEvaluator$", None,
     "not planned: application sessions are in no open issue"),
    (r"^_IUccSignalingChannelEvents$", None, "not planned: raw signaling channels are in no open issue"),
    (r"^_IUcc", None, "implemented by the application (event sink)"),
    # UCC API: methods and objects
    (r"^IUccSessionManager$", r"SessionDescriptionEvaluator",
     "not planned: application sessions (the application writes the SDP) are in no open issue"),
    (r"^IUccSessionParticipant$", r"ParticipantEndpoint",
     "not planned yet: a participant has one endpoint (several need a server's registration state)"),
    (r"^IUccAudioVideoSession$", r"PublishSessionMetrics",
     "not planned: call-quality metrics go to a Microsoft server"),
    (r"^IUccPlatform$", r"CreateProxyEndpoint", "not planned: proxy endpoints need an Office Communications Server"),
    (r"^IUccSessionCallControl$", r"Alternate", "not planned yet: in no open issue"),
    (r"^IUcc(Audio|Video|AudioVideo)MediaChannel$|^IUccMedia|^IUccIncomingMediaRequestEvent$", None,
     "issue 10 (media backend)"),
    (r"^IUcc(AudioVideoSession|MediaChannel|AudioVideoSessionParticipant)", r"Media|Channel|Device",
     "issue 10 (media backend)"),
    (r"^IUcc(Subscription|Publication|Presentity|Category|UserSearch)", None, "issue 14 (presence)"),
    (r"^IUccConference", None, "not planned: conferencing (a focus server) is in no open issue"),
    (r"^IUccApplicationSharing|^IUccApplicationSession|^IUcc(Incoming|Outgoing)InvitationEvent$|"
     r"^IUccInvitationAcceptedEvent$", None, "not planned: application sessions are in no open issue"),
    (r"^IUccSignaling(Channel|Message|Request|Response|HeaderField)|^IUccIncomingSignalingMessageEvent$", None,
     "not planned: raw signaling channels are in no open issue"),
    (r"^IUccProxyEndpoint$", None, "not planned: proxy endpoints need an Office Communications Server"),
    (r"^IUcc", None, "not planned yet: in no open issue"),
    (r"^IRTC", None, "not planned yet: in no open issue"),
]

LIBRARY_DIRS = ("src/com", "rtccore", "ucc")       # the sources that implement interfaces
E_NOTIMPL_VALUE = "0x80004001"                      # E_NOTIMPL once preprocessed
RTC_FIRE_FUNCTION = "client_fire_event"           # what hands an RTC event to the application
KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "__attribute__", "__typeof__",
            "__builtin_offsetof", "_Static_assert", "__extension__", "__asm__"}


class StatusError(Exception):
    """A fact the generator cannot accept; the message names the place."""


# ---- the IDL: which interfaces exist, which are only forward-declared ----------------------------

def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


class IdlInterface:
    def __init__(self, name, idl, kind):
        self.name = name
        self.idl = idl          # "rtccore.idl" or "uccapi.idl"
        self.kind = kind        # "interface" or "dispinterface"
        self.defined = False    # False: only forward-declared
        self.base = None
        self.members = []       # dispinterfaces: (DISPID, name, the id() as written)
        self.gap = False        # forward-declared under a "GAP" comment: the reference gives no IID


def parse_idl(path):
    raw = path.read_text()
    text = strip_c_comments(raw)
    text = re.sub(r"coclass\s+\w+\s*\{.*?\}", "", text, flags=re.S)     # its "interface X;" lines are not declarations
    consts = {m.group(1): int(m.group(2)) for m in re.finditer(r"const\s+long\s+(\w+)\s*=\s*(-?\d+)\s*;", text)}
    interfaces = {}

    def get(name, kind):
        return interfaces.setdefault(name, IdlInterface(name, path.name, kind))

    for m in re.finditer(r"\b(interface|dispinterface)\s+(\w+)\s*(;|:\s*(\w+)\s*\{|\{)", text):
        iface = get(m.group(2), m.group(1))
        if m.group(3) != ";":
            iface.defined = True
            iface.base = m.group(4)
            if m.group(1) == "dispinterface":
                body = text[m.end():text.index("}", m.end())]
                for member in re.finditer(r"\[id\((\w+)\)[^\]]*\]\s*\w+\s+(\w+)\s*\(", body):
                    dispid = member.group(1)
                    iface.members.append((consts.get(dispid, int(dispid, 0) if dispid[0].isdigit() else dispid),
                                          member.group(2), dispid))
    # What the "GAP" comments of the IDL say: forward declarations the reference leaves empty.
    for m in re.finditer(r"/\*\s*GAP:.*?\*/(.*?)(?:\n\s*\n|/\*)", raw, flags=re.S):
        for name in re.findall(r"\b(?:interface|dispinterface)\s+(\w+)\s*;", m.group(1)):
            if name in interfaces:
                interfaces[name].gap = True
    return interfaces


# ---- the compiler's view: preprocessed translation units ----------------------------------------

def compile_entries(build_dir, source_dir):
    path = build_dir / "compile_commands.json"
    if not path.exists():
        raise StatusError(f"{path}: missing (configure the build with CMake; it exports compile commands)")
    entries, seen = [], set()
    for entry in json.loads(path.read_text()):
        file = pathlib.Path(entry["file"]).resolve()
        try:
            rel = file.relative_to(source_dir.resolve())
        except ValueError:
            continue
        if file.suffix == ".c" and str(rel.parent) in LIBRARY_DIRS and file not in seen:
            seen.add(file)
            entries.append(entry)
    if not entries:
        raise StatusError(f"{path}: no source of {', '.join(LIBRARY_DIRS)} in it")
    return entries


def preprocess(entry):
    """The entry's compile command with -E instead of -c -o: the translation unit as text."""
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    command, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
        elif arg not in ("-c", "-MD", "-MMD") and not arg.startswith("-o"):
            command.append(arg)
    result = subprocess.run(command + ["-E"], cwd=entry["directory"], capture_output=True, text=True)
    if result.returncode:
        raise StatusError(f"{entry['file']}: the preprocessor failed:\n{result.stderr}")
    return result.stdout


TOKEN_RE = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|[{};]|^#[^\n]*', re.M)
LINEMARKER_RE = re.compile(r'#\s*(\d+)\s+"((?:\\.|[^"\\])*)"')


class Function:
    def __init__(self, name, body, unit, pos):
        self.name, self.body, self.unit, self.pos = name, body, unit, pos


class Table:
    """One `static const XVtbl name = { ... };`."""
    def __init__(self, vtbl_type, name, entries, unit, pos):
        self.interface = vtbl_type[:-len("Vtbl")]
        self.name, self.entries, self.unit, self.pos = name, entries, unit, pos


class Unit:
    """One preprocessed source file: its Vtbl types, tables, functions and marks."""

    def __init__(self, path, text):
        self.path = pathlib.Path(path).resolve()
        self.text = text
        self.markers = []           # (position, line, file) of each line marker
        self.marker_positions = []  # their positions alone, for bisect
        self.vtbl_types = {}        # interface -> [method per slot]
        self.tables = []
        self.functions = {}         # name -> Function (this file's and its headers')
        self.never_delivered = {}   # interface -> reason
        self.fired = set()          # RTC_EVENT values this file hands to client_fire_event()
        self._scan()
        for function in self.functions.values():
            if self.in_main_file(function.pos):
                self.fired.update(re.findall(r"\b" + RTC_FIRE_FUNCTION + r"\s*\([^;]*?\b(RTCE_\w+)", function.body))

    def where(self, pos):
        """file:line of a position, from the line markers."""
        i = bisect.bisect_right(self.marker_positions, pos) - 1
        if i < 0:
            return f"{self.path}:?"
        start, line, file = self.markers[i]
        return f"{file}:{line + self.text.count(chr(10), start, pos) - 1}"

    def in_main_file(self, pos):
        i = bisect.bisect_right(self.marker_positions, pos) - 1
        return i >= 0 and pathlib.Path(self.markers[i][2]).resolve() == self.path

    def _scan(self):
        depth, block_start, head_start = 0, 0, 0
        for token in TOKEN_RE.finditer(self.text):
            value = token.group(0)
            if value.startswith("#"):
                m = LINEMARKER_RE.match(value)
                if m:
                    self.markers.append((token.end() + 1, int(m.group(1)), m.group(2)))
                    self.marker_positions.append(token.end() + 1)
                if depth == 0:
                    head_start = token.end()
            elif value == "{":
                if depth == 0:
                    block_start = token.start()
                depth += 1
            elif value == "}":
                depth -= 1
                if depth == 0:
                    self._block(self.text[head_start:block_start], block_start, token.end())
                    head_start = token.end()
            elif value == ";" and depth == 0:
                head_start = token.end()

    def _block(self, head, start, end):
        head = re.sub(r"^#[^\n]*", "", head, flags=re.M).strip()
        if m := re.search(r"typedef\s+struct\s+(\w+)Vtbl$", head):
            body = self.text[start:end]
            self.vtbl_types[m.group(1)] = re.findall(r"\*\s*(\w+)\s*\)\s*\(", body)
        elif m := re.search(r"\bconst\s+(\w+Vtbl)\s+(\w+)\s*=$", head):
            if self.in_main_file(start):
                self.tables.append(Table(m.group(1), m.group(2), split_initializer(self.text[start + 1:end - 1]),
                                         self, start))
        elif m := re.search(r"\bconst\s+struct\s+com_never_delivered\s+\w+[^=]*=$", head):
            note = re.fullmatch(r"\{\s*&IID_(\w+)\s*,\s*((?:\"(?:\\.|[^\"\\])*\"\s*)+)\}", self.text[start:end].strip())
            if not note:
                raise StatusError(f"{self.where(start)}: COM_NEVER_DELIVERED needs an interface and a string literal")
            self.never_delivered[note.group(1)] = string_literals(note.group(2))
        elif head.endswith(")"):
            name = function_name(head)
            if name:
                body = re.sub(r"^#[^\n]*", "", self.text[start:end], flags=re.M)
                self.functions[name] = Function(name, body, self, start)


def function_name(head):
    """The name declared by a function definition's head ("static HRESULT WINAPI f(...)")."""
    depth = 0
    for i in range(len(head) - 1, -1, -1):
        if head[i] == ")":
            depth += 1
        elif head[i] == "(":
            depth -= 1
            if depth == 0:
                m = re.search(r"(\w+)\s*$", head[:i])
                return m.group(1) if m and m.group(1) not in KEYWORDS else None
    return None


def split_initializer(text):
    """Top-level comma-separated entries of an initializer."""
    entries, depth, current = [], 0, []
    for part in re.split(r'("(?:\\.|[^"\\])*"|[(){}\[\],])', text):
        if part in ("(", "{", "["):
            depth += 1
        elif part in (")", "}", "]"):
            depth -= 1
        if part == "," and depth == 0:
            entries.append("".join(current).strip())
            current = []
        else:
            current.append(part)
    last = "".join(current).strip()
    if last:
        entries.append(last)
    return entries


def string_literals(text):
    """The text of adjacent C string literals ("a" "b" -> ab); escapes keep the escaped character."""
    return "".join(re.sub(r"\\(.)", r"\1", s) for s in re.findall(r'"((?:\\.|[^"\\])*)"', text))


# ---- method states ----------------------------------------------------------------------------

NOT_BUILT_ONLY_RE = re.compile(r"\{\s*return\s+com_not_built\s*\([^;]*\)\s*;\s*\}")
E_NOTIMPL_ONLY_RE = re.compile(r"\{\s*return\s*\(*\s*(?:\(\s*HRESULT\s*\)\s*)?" + E_NOTIMPL_VALUE + r"L?\s*\)*\s*;\s*\}")
FORWARD_ONLY_RE = re.compile(r"\{\s*return\s+(\w+)\s*\([^;]*\)\s*;\s*\}")
PARTIAL_RE = re.compile(r"\bcom_partial_note\s*\(\s*[^,]+,\s*((?:\"(?:\\.|[^\"\\])*\"\s*)+)\)")
CALL_RE = re.compile(r"\b(\w+)\s*\(")


class State:
    def __init__(self, kind, reason=""):
        self.kind, self.reason = kind, reason      # "built", "partial", "E_NOTIMPL"


def function_state(function, seen=None):
    """The state of one function, from its body and those of same-file functions it calls."""
    seen = (seen or set()) | {function.name}
    body = " ".join(function.body.split())
    if NOT_BUILT_ONLY_RE.fullmatch(body) or E_NOTIMPL_ONLY_RE.fullmatch(body):
        return State("E_NOTIMPL")
    reasons = [string_literals(m.group(1)) for m in PARTIAL_RE.finditer(body)]
    forward = FORWARD_ONLY_RE.fullmatch(body)
    if forward and forward.group(1) in function.unit.functions and forward.group(1) not in seen:
        callee = function_state(function.unit.functions[forward.group(1)], seen)
        if callee.kind == "E_NOTIMPL" or not reasons:
            return callee
    for callee in dict.fromkeys(CALL_RE.findall(body)):
        if callee in function.unit.functions and callee not in seen and callee not in KEYWORDS:
            state = function_state(function.unit.functions[callee], seen)
            if state.kind == "partial" and state.reason not in reasons:
                reasons.append(state.reason)
    if not reasons and (re.search(r"\bcom_not_built\s*\(", body) or E_NOTIMPL_VALUE in body):
        raise StatusError(f"{function.unit.where(function.pos)}: {function.name} returns E_NOTIMPL in some case "
                          "but says nothing: call com_partial(__func__, \"reason\") there")
    if reasons:
        return State("partial", "; ".join(reasons))
    return State("built")


# ---- implementations ----------------------------------------------------------------------------

class Implementation:
    def __init__(self, table, via, functions, states, never_delivered):
        self.table = table                      # the Table it comes from
        self.via = via                          # the table's own interface when this is a base of it
        self.functions = functions              # function per slot (IUnknown's included)
        self.states = states                    # State per slot
        self.never_delivered = never_delivered  # the COM_NEVER_DELIVERED reason, or None


def check_table(table, methods):
    """The function per slot; fails on a table that does not fit its interface."""
    where = table.unit.where(table.pos)
    if len(table.entries) != len(methods):
        raise StatusError(f"{where}: {table.name} has {len(table.entries)} entries but {table.interface} has "
                          f"{len(methods)} slots ({', '.join(methods)})")
    functions = []
    for slot, (entry, method) in enumerate(zip(table.entries, methods)):
        designated = re.fullmatch(r"\.(\w+)\s*=\s*(\w+)", entry)
        if designated:
            if designated.group(1) != method:
                raise StatusError(f"{where}: {table.name}: slot {slot} is {method}, the entry names "
                                  f"{designated.group(1)}")
            entry = designated.group(2)
        if not re.fullmatch(r"\w+", entry):
            raise StatusError(f"{where}: {table.name}: slot {slot} ({method}) is not a function name: {entry}")
        if not entry.endswith("_" + method):
            raise StatusError(f"{where}: {table.name}: slot {slot} is {table.interface}::{method} but holds {entry} "
                              f"(a shifted table? slot functions are named <prefix>_{method})")
        functions.append(entry)
    return functions


def find_function(name, table, units):
    if name in table.unit.functions:
        return table.unit.functions[name]
    found = [u.functions[name] for u in units if name in u.functions and u.in_main_file(u.functions[name].pos)]
    if len(found) != 1:
        raise StatusError(f"{table.unit.where(table.pos)}: {table.name}: no single definition of {name}")
    return found[0]


def header_method_names(build_dir):
    """interface -> method names per slot, as widl wrote them. The preprocessed Vtbl types
    give the count, but Wine's macros rename some members there (SendMessage -> SendMessageA)."""
    names = {}
    for header in ("rtccore.h", "uccapi.h"):
        path = build_dir / "include" / header
        if not path.exists():
            raise StatusError(f"{path}: missing (build the tree first)")
        for m in re.finditer(r"typedef struct (\w+)Vtbl \{(.*?)\} \1Vtbl;", path.read_text(), re.S):
            names[m.group(1)] = re.findall(r"\(STDMETHODCALLTYPE \*(\w+)\)", m.group(2))
    return names


class Analysis:
    """What the units say: every interface's slots, every implementation, the events raised."""

    def __init__(self, units, idl, header_names):
        self.vtbl_types = {}
        for unit in units:
            self.vtbl_types.update(unit.vtbl_types)
        for name, methods in header_names.items():
            if name in self.vtbl_types and len(self.vtbl_types[name]) != len(methods):
                raise StatusError(f"{name}Vtbl: the compiler sees {len(self.vtbl_types[name])} slots, "
                                  f"the header has {len(methods)}")
            self.vtbl_types[name] = methods
        self.never_delivered = {}
        for unit in units:
            self.never_delivered.update(unit.never_delivered)
        for name in self.never_delivered:
            if name not in self.vtbl_types:
                raise StatusError(f"COM_NEVER_DELIVERED({name}): no such interface")
        self.fired = {}     # RTC_EVENT value -> files that raise it
        for unit in units:
            for value in unit.fired:
                self.fired.setdefault(value, []).append(unit.path)
        self.implementations = {}
        for unit in units:
            for table in unit.tables:
                self._add(table, units, idl)

    def _add(self, table, units, idl):
        if table.interface not in self.vtbl_types:
            raise StatusError(f"{table.unit.where(table.pos)}: {table.name}: no {table.interface}Vtbl type")
        names = check_table(table, self.vtbl_types[table.interface])
        note = self.never_delivered.get(table.interface)
        states = []
        for name in names:
            state = function_state(find_function(name, table, units))
            if note and state.kind == "built":
                state = State("partial", "never delivered (see above)")
            states.append(state)
        # The table serves its interface and every interface it derives from (IDL bases).
        interface, via = table.interface, None
        while interface in self.vtbl_types and interface not in ("IUnknown", "IDispatch"):
            count = len(self.vtbl_types[interface])
            self.implementations.setdefault(interface, []).append(
                Implementation(table, via, names[:count], states[:count], note))
            via = table.interface
            interface = idl[interface].base if interface in idl else None


def referenced_names(source_dir, pattern):
    """Names matching pattern that the library's sources use outside comments -> the files."""
    names = {}
    for directory in LIBRARY_DIRS:
        for path in sorted((source_dir / directory).glob("*.c")):
            for name in set(re.findall(pattern, strip_c_comments(path.read_text()))):
                names.setdefault(name, []).append(f"{directory}/{path.name}")
    return names


# ---- docs/status.md -----------------------------------------------------------------------------

# Which object each RTC_EVENT value hands to IRTCEventNotification::Event (the reference's table).
RTC_EVENT_OBJECTS = {
    "RTCE_CLIENT": "IRTCClientEvent", "RTCE_REGISTRATION_STATE_CHANGE": "IRTCRegistrationStateChangeEvent",
    "RTCE_SESSION_STATE_CHANGE": "IRTCSessionStateChangeEvent",
    "RTCE_SESSION_OPERATION_COMPLETE": "IRTCSessionOperationCompleteEvent",
    "RTCE_PARTICIPANT_STATE_CHANGE": "IRTCParticipantStateChangeEvent", "RTCE_MEDIA": "IRTCMediaEvent",
    "RTCE_INTENSITY": "IRTCIntensityEvent", "RTCE_MESSAGING": "IRTCMessagingEvent", "RTCE_BUDDY": "IRTCBuddyEvent",
    "RTCE_WATCHER": "IRTCWatcherEvent", "RTCE_PROFILE": "IRTCProfileEvent",
    "RTCE_USERSEARCH": "IRTCUserSearchResultsEvent", "RTCE_INFO": "IRTCInfoEvent", "RTCE_GROUP": "IRTCBuddyGroupEvent",
    "RTCE_MEDIA_REQUEST": "IRTCMediaRequestEvent", "RTCE_ROAMING": "IRTCRoamingEvent",
    "RTCE_PRESENCE_PROPERTY": "IRTCPresencePropertyEvent", "RTCE_PRESENCE_DATA": "IRTCPresenceDataEvent",
    "RTCE_PRESENCE_STATUS": "IRTCPresenceStatusEvent", "RTCE_SESSION_REFER_STATUS": "IRTCSessionReferStatusEvent",
    "RTCE_SESSION_REFERRED": "IRTCSessionReferredEvent", "RTCE_REINVITE": "IRTCReInviteEvent",
}


def plan_for(interface, method=None):
    for iface_pattern, method_pattern, plan in PLANS:
        if re.search(iface_pattern, interface) and (method_pattern is None
                                                    or (method is not None and re.search(method_pattern, method))):
            return plan
    return "not planned"


def state_cell(interface, method, state):
    if state.kind == "built":
        return "built"
    if state.kind == "partial":
        return f"partial — {state.reason}"
    return f"E_NOTIMPL — {plan_for(interface, method)}"


class Renderer:
    def __init__(self, idls, analysis, source_dir):
        self.idls, self.analysis, self.source_dir = idls, analysis, source_dir
        self.dispids = referenced_names(source_dir, r"\bDISPID_\w+")
        self.diids = referenced_names(source_dir, r"\bDIID_\w+")
        self.totals = {}

    def relative(self, path):
        return path.relative_to(self.source_dir.resolve())

    def interface(self, iface, family):
        name = iface.name
        if not iface.defined:
            what = ("Microsoft's documentation names it (in a signature or a coclass) but gives neither its IID nor its members"
                    if iface.gap else "declared, never defined")
            return [f"### {name} — forward-declared only: {what}; no object — {plan_for(name)}\n"]
        if iface.kind == "dispinterface":
            return self.dispinterface(iface)
        methods = self.analysis.vtbl_types[name]
        impls = self.analysis.implementations.get(name)
        if not impls:
            return [f"### {name} — no object: {plan_for(name)}\n", "Methods: " + ", ".join(methods[3:]) + "\n"]
        out = []
        for impl in impls:
            counts = [sum(1 for s in impl.states[3:] if s.kind == kind) for kind in ("built", "partial", "E_NOTIMPL")]
            if impl.via is None:
                self.totals[family] = [a + b for a, b in zip(self.totals.setdefault(family, [0, 0, 0]), counts)]
            via = f" (through {impl.via})" if impl.via else ""
            out.append(f"### {name} — `{self.relative(impl.table.unit.path)}` `{impl.table.name}`{via}: "
                       f"{counts[0]} of {len(methods) - 3} methods built, {counts[1]} partial, {counts[2]} E_NOTIMPL\n")
            if impl.never_delivered:
                out.append(f"**Never delivered:** {impl.never_delivered}.\n")
            out.append("| slot | method | state |\n|---|---|---|")
            for slot in range(3, len(methods)):
                out.append(f"| {slot} | {methods[slot]} | {state_cell(name, methods[slot], impl.states[slot])} |")
            out.append("")
        return out

    def dispinterface(self, iface):
        name = iface.name
        if not iface.members:
            return [f"### {name} — dispinterface the application implements: no members known "
                    "(Microsoft's documentation gives none)\n"]
        rows = []
        for dispid, member, constant in iface.members:
            # A named DISPID is raised where a source uses it; a bare number, where the source uses the DIID.
            users = self.dispids.get(constant) if not constant[0].isdigit() else self.diids.get("DIID_" + name)
            rows.append((dispid, member, "raised by " + ", ".join(f"`{u}`" for u in users) if users
                         else f"never raised — {plan_for(name, member)}"))
        raised = sum(1 for r in rows if r[2].startswith("raised"))
        out = [f"### {name} — dispinterface the application implements: {raised} of {len(rows)} methods raised\n",
               "| DISPID | method | state |\n|---|---|---|"]
        out += [f"| {d} | {m} | {s} |" for d, m, s in rows]
        return out + [""]

    def rtc_events(self, values):
        rows = []
        for value, number in values:
            obj = RTC_EVENT_OBJECTS.get(value, "?")
            if value in self.analysis.fired:
                files = ", ".join(f"`{self.relative(p)}`" for p in sorted(self.analysis.fired[value]))
                state = f"delivered by {files}"
            elif obj in self.analysis.never_delivered:
                state = f"never delivered — {self.analysis.never_delivered[obj]}"
            elif obj in self.analysis.implementations:
                state = "never delivered — nothing raises it"
            else:
                state = f"never delivered (no object) — {plan_for(obj)}"
            rows.append(f"| {number} | {value} | {obj} | {state} |")
        delivered = sum(1 for r in rows if "| delivered" in r)
        return [f"### RTC_EVENT — what IRTCEventNotification::Event receives: {delivered} of {len(rows)} events "
                "delivered\n", "| value | event | object | state |\n|---|---|---|---|"] + rows + [""]


INTRO = """\
# Status: every interface and method

Written by `tools/gen-status.py`; a test fails when this file is out of date, and the generator
fails when a vtable does not match its interface. The facts come from the compiler's view of the
code: the library's sources are preprocessed with their own compile commands, and every
`static const XVtbl name = {{ ... }};` table is read slot by slot against the interface's `XVtbl`.

* **built** — the method does its documented job.
* **partial** — it answers, but only in part: it returns a constant, pretends, or refuses a case;
  or it belongs to an event that is never delivered. The reason is the code's own: the method
  calls `com_partial(__func__, "reason")`, or the interface is marked
  `COM_NEVER_DELIVERED(interface, "reason")` (src/com/com_private.h).
* **E_NOTIMPL** — the method only returns `com_not_built(__func__)` (or `E_NOTIMPL`); the row
  says which issue builds it or why it is not planned.

The same holds for rtcshim.dll, the Windows build of the same sources (README, "rtcshim.dll"),
except for audio: the DLL is built without an audio backend (src/media/no_media.c), so there
get_MediaCapabilities is 0, every call gets one RTCE_MEDIA FAILED with RTCMER_BAD_DEVICE, and
the audio methods listed built here (put_Volume, SendDTMF, PlayRing ...) fail with an
RTC_E_MEDIA_* error.

**Logging.** The first call of each not-built method logs a GLib warning, once per method (like
Wine's FIXME): `<function> is not built: it returns E_NOTIMPL`. The first call of each partial
method logs the reason at info level, shown with `G_MESSAGES_DEBUG=rtcshim`. Both go to GLib's
log domain `rtcshim`; `RTCSHIM_QUIET_NOTIMPL=1` in the environment silences both.

An object that implements a derived interface (IRTCClient2) also serves its bases (IRTCClient):
those sections say "through". Where several objects implement an interface, each has its
section. Interfaces the application implements (event sinks) are listed too: for their methods,
"raised" means a source of the library raises that DISPID.

## Totals

Methods of each object's own interfaces (sections "through" a derived interface are not counted
again).

| API | built | partial | E_NOTIMPL |
|---|---|---|---|
{totals}
"""


def enum_values(idl_path, enum):
    text = strip_c_comments(idl_path.read_text())
    body = re.search(r"enum\s+" + enum + r"\s*\{(.*?)\}", text, re.S)
    if not body:
        raise StatusError(f"{idl_path}: no enum {enum}")
    return re.findall(r"(\w+)\s*=\s*(\d+)", body.group(1))


def render(idls, analysis, source_dir):
    renderer = Renderer(idls, analysis, source_dir)
    sections = []
    for title, idl in (("RTC Client API", "rtccore.idl"), ("UCC API", "uccapi.idl")):
        sections.append(f"## {title} (`include/{idl}`)\n")
        for name in sorted(idls[idl], key=lambda n: (n.lstrip("_").lower(), n)):
            sections += renderer.interface(idls[idl][name], title)
        if idl == "rtccore.idl":
            sections += renderer.rtc_events(enum_values(source_dir / "include" / idl, "RTC_EVENT"))
    own = {n for idl in idls.values() for n in idl}
    others = sorted(n for n in analysis.implementations if n not in own)
    if others:
        title = "COM interfaces of Wine's headers"
        sections.append(f"## {title} that the objects implement\n")
        for name in others:
            iface = IdlInterface(name, None, "interface")
            iface.defined = True
            sections += renderer.interface(iface, title)
    rows = [f"| {family} | {b} | {p} | {n} |" for family, (b, p, n) in renderer.totals.items()]
    return INTRO.format(totals="\n".join(rows)) + "\n" + "\n".join(sections).rstrip("\n") + "\n"


def load_units(entries):
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        texts = list(pool.map(preprocess, entries))
    return [Unit(entry["file"], text) for entry, text in zip(entries, texts)]


def parse_idls(source_dir):
    return {name: parse_idl(source_dir / "include" / name) for name in ("rtccore.idl", "uccapi.idl")}


def analyse_tree(build_dir, source_dir, entries=None):
    """The Analysis of the library's sources (or of the given compile entries)."""
    idls = parse_idls(source_dir)
    all_idl = {k: v for idl in idls.values() for k, v in idl.items()}
    units = load_units(entries if entries is not None else compile_entries(build_dir, source_dir))
    return idls, Analysis(units, all_idl, header_method_names(build_dir))


def generate(build_dir, source_dir):
    idls, analysis = analyse_tree(build_dir, source_dir)
    for idl in idls.values():
        for iface in idl.values():
            if iface.defined and iface.kind == "interface" and iface.name not in analysis.vtbl_types:
                raise StatusError(f"{iface.name}: defined in {iface.idl} but no source sees its Vtbl")
    return render(idls, analysis, source_dir)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__.strip().split("\n\n")[-1], file=sys.stderr)
        return 2
    build_dir, source_dir = pathlib.Path(args[0]), pathlib.Path(args[1])
    try:
        text = generate(build_dir, source_dir)
    except StatusError as error:
        print(f"gen-status.py: {error}", file=sys.stderr)
        return 1
    target = source_dir / "docs" / "status.md"
    if "--check" in argv:
        if not target.exists() or target.read_text() != text:
            print(f"docs/status.md is out of date: run tools/gen-status.py {build_dir} {source_dir}")
            return 1
        print("docs/status.md is up to date")
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
