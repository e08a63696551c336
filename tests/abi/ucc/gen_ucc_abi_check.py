#!/usr/bin/env python3
"""Generate the UCC API ABI check.

Reads the facts in shared/reference/ucc_api.md and the header widl generates from
include/uccapi.idl, and writes a C program that checks, against the compiled header:

  * every IID, DIID, CLSID and the LIBID written in ucc_api.md equals the GUID uccapi.h
    exports (and uccapi.h exports no IUcc/Ucc GUID that ucc_api.md does not have);
  * every vtable slot ucc_api.md lists: offsetof(<Iface>Vtbl, <member>) == slot * sizeof(void *),
    QueryInterface/AddRef/Release at 0..2 (and the IDispatch members at 3..6 for the dual
    collection interfaces), the members of a stated base interface at their slots, and
    sizeof(<Iface>Vtbl) when the listed slots are contiguous (no member added or dropped);
  * every enumeration value (section 4 code block), the constants named in its comments,
    the string constants and the UCC_E_* HRESULTs;
  * the DISPID constants rtcshim assigns: 1..n in the member order of section 5;
  * the members rtcshim adds where section 5 has no name (--extra, rtcshim_dispids.txt):
    each after the documented ones of its dispinterface, with the listed value, and
    declared in uccapi.idl (--idl) with that [id()]; every DISPID__IUcc* constant of
    uccapi.h must be either documented or listed, and each dispinterface's DISPIDs are
    1..n without gaps or duplicates.  The program lists the rtcshim-added members.

A fact whose name the header lacks becomes a failing check with a message (not a compile
error), so the test output lists everything that is missing.  The program prints one summary
line with the counts and exits non-zero on any failure.
"""
import argparse
import re
import sys

GUID_RE = r'([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})'
IUNKNOWN = ['QueryInterface', 'AddRef', 'Release']
IDISPATCH = ['GetTypeInfoCount', 'GetTypeInfo', 'GetIDsOfNames', 'Invoke']


class Md:
    """Everything the test needs, taken from ucc_api.md."""

    def __init__(self):
        self.guids = []          # (symbol, guid string, where)
        self.slots = {}          # iface -> {slot: member}
        self.bases = {}          # iface -> base iface (when ucc_api.md states it)
        self.no_own = set()      # interfaces documented with no own members
        self.enums = []          # (enum, member, value)
        self.consts = []         # (name, value) numeric constants named in comments
        self.strings = []        # (name, value) wide-string constants
        self.hresults = []       # (name, value)
        self.events = []         # (dispinterface, [members in order])


def sections(md):
    """Split the markdown into {number: text} by '## N.' headings."""
    out = {}
    parts = re.split(r'^## (\d+)\.', md, flags=re.M)
    for i in range(1, len(parts) - 1, 2):
        out[int(parts[i])] = parts[i + 1]
    return out


def add_slot(md, iface, slot, member, errors):
    table = md.slots.setdefault(iface, {})
    if slot in table and table[slot] != member:
        errors.append(f'{iface}: slot {slot} listed twice ({table[slot]}, {member})')
    table[slot] = member


def parse_interfaces(text, md, errors):
    """Section 2: IIDs, bases and slot lists, read as one stream of tokens in order."""
    token_re = re.compile(
        r'(?P<guid>(?P<gname>_?IUcc\w+)\**\s*(?:—\s*)?`\{' + GUID_RE + r'\}`'
        r'(?P<base>\s*:\s*\**(?P<bname>[A-Za-z_]\w*)\**)?)'
        r'|(?P<row>^\|\s*(?P<rslot>\d+)\s*\|\s*`(?P<rname>\w+))'
        r'|(?P<inl>(?<![\w.\-/])(?P<islot>\d+)(?:/(?P<islot2>\d+))?\s+`(?P<iname>(?:get_/put_)?\w+))'
        r'|(?P<group>\ball\s*:\s*(?P<gbase>IUcc\w+))',
        re.M)
    current = None
    group_base = None   # "Other ... data, all : IUccX": base of the bullet items that follow
    for m in token_re.finditer(text):
        if m.group('group'):
            group_base = m.group('gbase')
            continue
        if m.group('guid'):
            current = m.group('gname')
            md.guids.append(('IID_' + current, m.group(3), 'section 2'))
            line = text[text.rfind('\n', 0, m.start()) + 1:m.start()]
            if not line.lstrip().startswith('*'):
                group_base = None
            if m.group('base'):
                md.bases[current] = m.group('bname')
            elif group_base:
                md.bases[current] = group_base
            tail = text[m.end():m.end() + 60]
            if re.match(r'[^\n]*no own members', tail):
                md.no_own.add(current)
            continue
        if current is None:
            continue
        if m.group('row'):
            add_slot(md, current, int(m.group('rslot')), m.group('rname'), errors)
            continue
        slot, slot2, name = int(m.group('islot')), m.group('islot2'), m.group('iname')
        if name.startswith('get_/put_'):
            prop = name[len('get_/put_'):]
            add_slot(md, current, slot, 'get_' + prop, errors)
            if slot2:
                add_slot(md, current, int(slot2), 'put_' + prop, errors)
            else:
                errors.append(f'{current}: "get_/put_{prop}" without a second slot')
        elif slot2:
            errors.append(f'{current}: slot pair {slot}/{slot2} for non-property {name}')
        else:
            add_slot(md, current, slot, name, errors)


def parse_coclasses(text, md, errors):
    """Section 3 table: | Name[ / Name2] | CLSID[ / CLSID2] | ..."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) < 2 or not cells[0].startswith('Ucc'):
            continue
        names = [n.strip() for n in cells[0].split('/')]
        guids = re.findall(GUID_RE, cells[1])
        if len(names) != len(guids):
            errors.append(f'section 3: cannot pair names {names} with CLSIDs {guids}')
            continue
        for n, g in zip(names, guids):
            md.guids.append(('CLSID_' + n, g, 'section 3'))


def parse_enums(text, md, errors):
    """Section 4: the C code block with the enumerations, plus the HRESULT list after it."""
    block = re.search(r'```c\n(.*?)```', text, flags=re.S)
    if not block:
        errors.append('section 4: no ```c block')
        return
    code = block.group(1)
    comments = re.findall(r'/\*(.*?)\*/', code, flags=re.S)
    bare = re.sub(r'/\*.*?\*/', ' ', code, flags=re.S)
    for m in re.finditer(r'typedef\s+enum\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;', bare, flags=re.S):
        if m.group(1) != m.group(3):
            errors.append(f'section 4: enum tag {m.group(1)} != typedef {m.group(3)}')
        for item in m.group(2).split(','):
            item = item.strip()
            if not item:
                continue
            mm = re.fullmatch(r'(\w+)\s*=\s*(-?\d+)', item)
            if not mm:
                errors.append(f'section 4: cannot read enum member "{item}" of {m.group(1)}')
                continue
            md.enums.append((m.group(1), mm.group(1), int(mm.group(2))))
    for c in comments:
        cm = re.match(r'\s*consts?\s+(.*)', c, flags=re.S)
        if cm:
            for name, val in re.findall(r'(\w+)\s*=\s*(-?\d+)', cm.group(1)):
                md.consts.append((name, int(val)))
        for name, val in re.findall(r'(\w+)\s*=\s*L"([^"]*)"', c):
            md.strings.append((name, val))
    # HRESULT list: "0x80EE0000 UCC_E_CODECS_MISMATCH, …0001 STREAM_PRESENT, ..."
    after = text[block.end():]
    first = re.search(r'0x([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})\s+(UCC_E_\w+)', after)
    if first:
        high, prefix = first.group(1), 'UCC_E_'
        md.hresults.append((first.group(3), int(high + first.group(2), 16)))
        for low, name in re.findall(r'…([0-9A-Fa-f]{4})\s+([A-Z][A-Z0-9_]+)', after):
            full = name if name.startswith(prefix) else prefix + name
            md.hresults.append((full, int(high + low, 16)))


def parse_events(text, md, errors):
    """Section 5 table: | _IUccX {DIID} | members ... |"""
    for line in text.splitlines():
        m = re.match(r'\|\s*\**(_IUcc\w+)\s*\{' + GUID_RE + r'\}\**\s*\|(.*)\|\s*$', line)
        if not m:
            continue
        di = m.group(1)
        md.guids.append(('DIID_' + di, m.group(2), 'section 5'))
        members = []
        for name in re.findall(r'\b(On[A-Z]\w*)', m.group(3)):
            if name not in members:
                members.append(name)
        md.events.append((di, members))


def parse_md(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    md, errors = Md(), []
    secs = sections(text)
    for needed in (0, 2, 3, 4, 5):
        if needed not in secs:
            sys.exit(f'{path}: section {needed} not found - not the ucc_api.md this generator knows')
    lib = re.search(r'LIBID\s+`UCCAPILib`\s*=\s*`\{' + GUID_RE + r'\}`', secs[0])
    if lib:
        md.guids.append(('LIBID_UCCAPILib', lib.group(1), 'section 0'))
    else:
        errors.append('section 0: LIBID of UCCAPILib not found')
    parse_interfaces(secs[2], md, errors)
    parse_coclasses(secs[3], md, errors)
    parse_enums(secs[4], md, errors)
    parse_events(secs[5], md, errors)
    return md, errors


class Header:
    """What the generated uccapi.h declares (names only; values are checked by the compiler)."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        self.guids = set(re.findall(r'DEFINE_GUID\((\w+),', text))
        self.vtbls = {}
        for m in re.finditer(r'typedef struct (\w+)Vtbl \{(.*?)\} \1Vtbl;', text, flags=re.S):
            self.vtbls[m.group(1)] = re.findall(r'\(STDMETHODCALLTYPE \*(\w+)\)', m.group(2))
        self.enum_members = set()
        for m in re.finditer(r'typedef enum (\w+) \{(.*?)\}', text, flags=re.S):
            self.enum_members.update(re.findall(r'^\s*(\w+)\s*=', m.group(2), flags=re.M))
        self.defines = set(re.findall(r'^#define (\w+)', text, flags=re.M))
        self.dispids = {m.group(1): int(m.group(2))
                        for m in re.finditer(r'^#define (DISPID__IUcc\w+) \((-?\d+)\)', text, flags=re.M)}


def parse_extra(path):
    """rtcshim_dispids.txt: [(dispinterface, member, dispid)], and the errors in it."""
    extra, errors = [], []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            m = re.fullmatch(r'(_IUcc\w+)\s+(On\w+)\s+(\d+)', line)
            if not m:
                errors.append(f'{path}:{n}: cannot read "{line}"')
                continue
            extra.append((m.group(1), m.group(2), int(m.group(3))))
    return extra, errors


def parse_idl_dispinterfaces(path):
    """uccapi.idl: dispinterface -> [(id constant or number, member)] in declaration order."""
    with open(path, encoding='utf-8') as f:
        text = re.sub(r'/\*.*?\*/', ' ', f.read(), flags=re.S)
    out = {}
    for m in re.finditer(r'dispinterface\s+(_IUcc\w+)\s*\{(.*?)\}', text, flags=re.S):
        out[m.group(1)] = re.findall(r'\[\s*id\(\s*([\w-]+)\s*\)\s*\]\s*HRESULT\s+(\w+)\s*\(', m.group(2))
    return out


def guid_initializer(g):
    p = g.split('-')
    b = p[3] + p[4]
    return '{0x%s, 0x%s, 0x%s, {%s}}' % (
        p[0].lower(), p[1].lower(), p[2].lower(),
        ', '.join('0x' + b[i:i + 2].lower() for i in range(0, 16, 2)))


def c_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def vtable_expectations(md, errors):
    """Per interface, the full {slot: member} to check, including what it inherits."""
    def full(iface, seen=()):
        if iface == 'IUnknown':
            return dict(enumerate(IUNKNOWN))
        if iface == 'IDispatch':
            d = dict(enumerate(IUNKNOWN))
            d.update({3 + i: n for i, n in enumerate(IDISPATCH)})
            return d
        if iface in seen:
            errors.append(f'{iface}: base cycle')
            return {}
        base = md.bases.get(iface)
        own = dict(md.slots.get(iface, {}))
        if base and (base in md.slots or base in md.bases or base in ('IUnknown', 'IDispatch')):
            d = full(base, seen + (iface,))
        else:
            d = dict(enumerate(IUNKNOWN))
        for s, n in own.items():
            if s in d and d[s] != n:
                errors.append(f'{iface}: slot {s} is {n} but its base has {d[s]} there')
        d.update(own)
        return d

    out = {}
    for iface in sorted(set(md.slots) | md.no_own):
        d = full(iface)
        contiguous = sorted(d) == list(range(len(d)))
        out[iface] = (d, contiguous)
    return out


def generate(md, md_errors, hdr, out, extra=(), extra_errors=(), idl=None):
    lines = []
    w = lines.append
    counts = dict(guids=0, slots=0, sizes=0, enums=0, consts=0, hresults=0, dispids=0, rtcshim_dispids=0,
                  missing=0)
    missing = []

    def miss(msg):
        missing.append(msg)
        counts['missing'] += 1

    for e in md_errors:
        miss(f'ucc_api.md: {e}')
    for e in extra_errors:
        miss(e)

    w('/* Generated by gen_ucc_abi_check.py from ucc_api.md and uccapi.h - do not edit. */')
    w('#define COBJMACROS')
    w('#include <windows.h>')
    w('#include <ocidl.h>')
    w('#include <stddef.h>')
    w('#include <stdio.h>')
    w('#include <string.h>')
    w('#include <wchar.h>')
    w('#include <uccapi.h>')
    w('')
    w('static int failures, checks;')
    w('')
    w('static void check_guid(const char *name, const GUID *got, const GUID *want)')
    w('{')
    w('    checks++;')
    w('    if (memcmp(got, want, sizeof(GUID))) {')
    w('        failures++;')
    w('        printf("FAIL %s = {%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}, ucc_api.md says '
      '{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}\\n", name,')
    w('               (unsigned)got->Data1, got->Data2, got->Data3, got->Data4[0], got->Data4[1], '
      'got->Data4[2], got->Data4[3], got->Data4[4], got->Data4[5], got->Data4[6], got->Data4[7],')
    w('               (unsigned)want->Data1, want->Data2, want->Data3, want->Data4[0], want->Data4[1], '
      'want->Data4[2], want->Data4[3], want->Data4[4], want->Data4[5], want->Data4[6], want->Data4[7]);')
    w('    }')
    w('}')
    w('')
    w('static void check_long(const char *what, long long got, long long want)')
    w('{')
    w('    checks++;')
    w('    if (got != want) {')
    w('        failures++;')
    w('        printf("FAIL %s = %lld, expected %lld\\n", what, got, want);')
    w('    }')
    w('}')
    w('')
    w('static void check_wstr(const char *what, const WCHAR *got, const wchar_t *want)')
    w('{')
    w('    checks++;')
    w('    if (wcscmp((const wchar_t *)got, want)) {')
    w('        failures++;')
    w('        printf("FAIL %s differs from ucc_api.md (%ls)\\n", what, want);')
    w('    }')
    w('}')
    w('')

    # GUIDs -------------------------------------------------------------------------------
    w('static void check_guids(void)')
    w('{')
    seen = {}
    for sym, g, where in md.guids:
        if sym in seen:
            if seen[sym] != g.upper():
                miss(f'ucc_api.md gives two GUIDs for {sym}')
            continue
        seen[sym] = g.upper()
        if sym not in hdr.guids:
            miss(f'{sym} ({where} of ucc_api.md) is not declared by uccapi.h')
            continue
        w(f'    {{ static const GUID want = {guid_initializer(g)};')
        w(f'      check_guid("{sym}", &{sym}, &want); }}')
        counts['guids'] += 1
    for sym in sorted(hdr.guids - set(seen)):
        miss(f'uccapi.h declares {sym}, which ucc_api.md does not have')
    w('}')
    w('')

    # Vtables -----------------------------------------------------------------------------
    vt_errors = []
    expectations = vtable_expectations(md, vt_errors)
    for e in vt_errors:
        miss(f'ucc_api.md: {e}')
    w('static void check_vtables(void)')
    w('{')
    for iface, (slots, contiguous) in expectations.items():
        if iface not in hdr.vtbls:
            miss(f'{iface}Vtbl is not in uccapi.h')
            continue
        members = hdr.vtbls[iface]
        for slot in sorted(slots):
            name = slots[slot]
            if name not in members:
                miss(f'{iface}Vtbl has no member {name} (slot {slot} in ucc_api.md)')
                continue
            w(f'    check_long("offsetof({iface}Vtbl, {name}) / sizeof(void *)", '
              f'(long long)(offsetof({iface}Vtbl, {name}) / sizeof(void *)), {slot});')
            counts['slots'] += 1
        if contiguous:
            w(f'    check_long("sizeof({iface}Vtbl) / sizeof(void *)", '
              f'(long long)(sizeof({iface}Vtbl) / sizeof(void *)), {len(slots)});')
            counts['sizes'] += 1
    w('}')
    w('')

    # Enumerations, constants, HRESULTs -------------------------------------------------------
    w('static void check_values(void)')
    w('{')
    for enum, name, value in md.enums:
        if name not in hdr.enum_members:
            miss(f'{enum}::{name} is not in uccapi.h')
            continue
        w(f'    {{ {enum} v = {name}; check_long("{name}", (long long)v, {value}LL); }}')
        counts['enums'] += 1
    for name, value in md.consts:
        if name not in hdr.defines and name not in hdr.enum_members:
            miss(f'constant {name} is not in uccapi.h')
            continue
        w(f'    check_long("{name}", (long long)({name}), {value}LL);')
        counts['consts'] += 1
    for name, value in md.strings:
        if name not in hdr.defines:
            miss(f'string constant {name} is not in uccapi.h')
            continue
        w(f'    check_wstr("{name}", {name}, L{c_str(value)});')
        counts['consts'] += 1
    for name, value in md.hresults:
        if name not in hdr.defines:
            miss(f'HRESULT {name} is not in uccapi.h')
            continue
        w(f'    check_long("{name}", (long long)(ULONG)({name}), 0x{value:08X}LL);')
        counts['hresults'] += 1
    w('}')
    w('')

    # DISPIDs ---------------------------------------------------------------------------------
    w('static void check_dispids(void)')
    w('{')
    for di, members in md.events:
        for i, member in enumerate(members, 1):
            sym = f'DISPID_{di}_{member}'
            if sym not in hdr.defines:
                miss(f'{sym} is not in uccapi.h')
                continue
            w(f'    check_long("{sym}", (long long)({sym}), {i});')
            counts['dispids'] += 1
    w('}')
    w('')

    # rtcshim's own DISPIDs: allowed on top of the documented ones, never instead of them.
    documented = {di: members for di, members in md.events}
    numbering = {di: {i: m for i, m in enumerate(members, 1)} for di, members in md.events}
    listed = []
    w('static void check_rtcshim_dispids(void)')
    w('{')
    for di, member, value in extra:
        sym = f'DISPID_{di}_{member}'
        if di not in documented:
            miss(f'rtcshim_dispids.txt: {di} is not a dispinterface of ucc_api.md section 5')
            continue
        if member in documented[di]:
            miss(f'rtcshim_dispids.txt: {di}.{member} is documented by ucc_api.md now; delete its line')
            continue
        if value <= len(documented[di]):
            miss(f'rtcshim_dispids.txt: {sym} = {value} would move a documented member '
                 f'(ucc_api.md has {len(documented[di])}); number it after them')
            continue
        if value in numbering[di]:
            miss(f'rtcshim_dispids.txt: {sym} = {value} is also {di}.{numbering[di][value]}')
            continue
        numbering[di][value] = member
        if sym not in hdr.defines:
            miss(f'{sym} (rtcshim_dispids.txt) is not in uccapi.h')
            continue
        w(f'    check_long("{sym} (rtcshim)", (long long)({sym}), {value});')
        counts['rtcshim_dispids'] += 1
        listed.append(f'{sym} = {value}')
    w('}')
    w('')
    for di, ids in sorted(numbering.items()):
        if ids and sorted(ids) != list(range(1, len(ids) + 1)):
            miss(f'{di}: DISPIDs {sorted(ids)} are not 1..{len(ids)}')
    known = {f'DISPID_{di}_{m}' for di, ids in numbering.items() for m in ids.values()}
    for sym in sorted(set(hdr.dispids) - known):
        miss(f'uccapi.h declares {sym}, which neither ucc_api.md nor rtcshim_dispids.txt has')
    if idl is not None:
        for di, ids in sorted(numbering.items()):
            declared = idl.get(di)
            if declared is None:
                if ids:
                    miss(f'uccapi.idl has no dispinterface {di}')
                continue
            for ident, member in declared:
                if ident != f'DISPID_{di}_{member}':
                    miss(f'uccapi.idl: {di}.{member} has [id({ident})], not DISPID_{di}_{member}')
            names = [member for _, member in declared]
            for member in ids.values():
                if member not in names:
                    miss(f'uccapi.idl: dispinterface {di} does not declare {member}')
            for member in names:
                if member not in ids.values():
                    miss(f'uccapi.idl: {di}.{member} is neither in ucc_api.md nor in rtcshim_dispids.txt')

    w('static const char *const missing[] = {')
    for msg in missing:
        w(f'    {c_str(msg)},')
    w('    NULL')
    w('};')
    w('')
    w('int main(void)')
    w('{')
    w('    const char *const *m;')
    w('    for (m = missing; *m; m++) {')
    w('        printf("FAIL %s\\n", *m);')
    w('        failures++;')
    w('    }')
    w('    check_guids();')
    w('    check_vtables();')
    w('    check_values();')
    w('    check_dispids();')
    w('    check_rtcshim_dispids();')
    for entry in listed:
        w(f'    printf("rtcshim DISPID (not in ucc_api.md): {entry}\\n");')
    n_ifaces = sum(1 for i in expectations if i in hdr.vtbls)
    w(f'    printf("ucc abi: %d checks: {counts["guids"]} GUIDs, {counts["slots"]} vtable slots '
      f'in {n_ifaces} interfaces ({counts["sizes"]} vtable sizes), {counts["enums"]} enum values, '
      f'{counts["consts"]} constants, {counts["hresults"]} HRESULTs, {counts["dispids"]} DISPIDs '
      f'(+{counts["rtcshim_dispids"]} rtcshim); '
      f'%d failed\\n", checks, failures);')
    w('    return failures ? 1 : 0;')
    w('}')

    with open(out, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--md', required=True, help='shared/reference/ucc_api.md')
    ap.add_argument('--header', required=True, help='the uccapi.h widl generated')
    ap.add_argument('--output', required=True, help='C file to write')
    ap.add_argument('--extra', help='rtcshim_dispids.txt: event members rtcshim adds')
    ap.add_argument('--idl', help='include/uccapi.idl, to check the dispinterfaces declare the members')
    args = ap.parse_args()
    md, md_errors = parse_md(args.md)
    extra, extra_errors = parse_extra(args.extra) if args.extra else ([], [])
    idl = parse_idl_dispinterfaces(args.idl) if args.idl else None
    if not md.guids or not md.slots or not md.enums or not md.events:
        sys.exit(f'{args.md}: found too little to check (GUIDs {len(md.guids)}, interfaces '
                 f'{len(md.slots)}, enum values {len(md.enums)}, dispinterfaces {len(md.events)})')
    counts = generate(md, md_errors, Header(args.header), args.output, extra, extra_errors, idl)
    print(f'gen_ucc_abi_check: {len(md.guids)} GUIDs, {len(md.slots)} interfaces with slots, '
          f'{len(md.enums)} enum values, {len(md.events)} dispinterfaces in ucc_api.md, '
          f'{len(extra)} rtcshim DISPIDs; '
          f'{counts["missing"]} facts missing from uccapi.h')


if __name__ == '__main__':
    main()
