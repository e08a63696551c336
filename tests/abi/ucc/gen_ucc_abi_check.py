#!/usr/bin/env python3
"""Generate the UCC API ABI check.

Reads the facts in tests/abi/facts/ucc.tsv (written down, with where each came from, from the
type library of Office Communicator 2007 R2's uccApi.dll and the Microsoft Learn UCC API pages)
and the header widl generates from include/uccapi.idl, and writes a C program that checks,
against the compiled header:

  * every IID, DIID, CLSID and the LIBID of the facts equals the GUID uccapi.h exports (and
    uccapi.h exports no IUcc/Ucc GUID that the facts do not have);
  * every vtable slot of the facts: offsetof(<Iface>Vtbl, <member>) == slot * sizeof(void *),
    QueryInterface/AddRef/Release at 0..2 (and the IDispatch members at 3..6 for the dual
    collection interfaces), the members of a stated base interface at their slots, and
    sizeof(<Iface>Vtbl) when the listed slots are contiguous (no member added or dropped);
  * every enumeration value, the constants, the string constants and the UCC_E_* HRESULTs;
  * the DISPID constants rtcshim assigns: 1..n in the member order of the facts ("event");
  * the members rtcshim adds where the facts have no name (--extra, rtcshim_dispids.txt):
    each after the documented ones of its dispinterface, with the listed value, and
    declared in uccapi.idl (--idl) with that [id()]; every DISPID__IUcc* constant of
    uccapi.h must be either documented or listed, and each dispinterface's DISPIDs are
    1..n without gaps or duplicates.  The program lists the rtcshim-added members.

A fact whose name the header lacks becomes a failing check with a message (not a compile
error), so the test output lists everything that is missing.  The program prints one summary
line with the counts and exits non-zero on any failure. Without the facts file the generator
stops with a message: the test fails, it never skips.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from read_facts import read_facts  # noqa: E402

GUID_RE = r'([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})'
IUNKNOWN = ['QueryInterface', 'AddRef', 'Release']
IDISPATCH = ['GetTypeInfoCount', 'GetTypeInfo', 'GetIDsOfNames', 'Invoke']


class Md:
    """Everything the test needs, taken from the facts."""

    def __init__(self):
        self.guids = []          # (symbol, guid string, where)
        self.slots = {}          # iface -> {slot: member}
        self.bases = {}          # iface -> base iface (when the facts state it)
        self.no_own = set()      # interfaces documented with no own members
        self.enums = []          # (enum, member, value)
        self.consts = []         # (name, value) numeric constants named in comments
        self.strings = []        # (name, value) wide-string constants
        self.hresults = []       # (name, value)
        self.events = []         # (dispinterface, [members in order])


FACT_KINDS = {'guid', 'slot', 'base', 'no-own-members', 'enum', 'const', 'string', 'hresult', 'event'}


def parse_facts(path):
    """The Md of tests/abi/facts/ucc.tsv, and the inconsistencies found in it."""
    md, errors = Md(), []
    events = {}
    for kind, scope, name, value, _source in read_facts(path, FACT_KINDS):
        try:
            if kind == 'guid':
                if not re.fullmatch(r'\{' + GUID_RE + r'\}', value):
                    errors.append(f'{name}: not a GUID: {value}')
                    continue
                md.guids.append((name, value.strip('{}'), 'the facts'))
            elif kind == 'slot':
                add_slot(md, scope, int(value), name, errors)
            elif kind == 'base':
                md.bases[scope] = name
            elif kind == 'no-own-members':
                md.no_own.add(scope)
            elif kind == 'enum':
                md.enums.append((scope, name, int(value)))
            elif kind == 'const':
                md.consts.append((name, int(value)))
            elif kind == 'string':
                md.strings.append((name, value))
            elif kind == 'hresult':
                md.hresults.append((name, int(value, 16)))
            elif kind == 'event':
                events.setdefault(scope, []).append((int(value), name))
        except ValueError:
            errors.append(f'{kind} {scope} {name}: cannot read the value {value!r}')
    for sym, _, _ in md.guids:         # a dispinterface whose members no source names has no "event" line
        if sym.startswith('DIID_'):
            events.setdefault(sym[len('DIID_'):], [])
    for di, members in events.items():
        members.sort()
        if [n for n, _ in members] != list(range(1, len(members) + 1)):
            errors.append(f'{di}: the event members are not numbered 1..{len(members)}')
        md.events.append((di, [m for _, m in members]))
    return md, errors


def add_slot(md, iface, slot, member, errors):
    table = md.slots.setdefault(iface, {})
    if slot in table and table[slot] != member:
        errors.append(f'{iface}: slot {slot} listed twice ({table[slot]}, {member})')
    table[slot] = member


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
        miss(f'facts: {e}')
    for e in extra_errors:
        miss(e)

    w('/* Generated by gen_ucc_abi_check.py from tests/abi/facts/ucc.tsv and uccapi.h - do not edit. */')
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
    w('        printf("FAIL %s = {%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}, the facts say '
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
    w('        printf("FAIL %s differs from the facts (%ls)\\n", what, want);')
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
                miss(f'the facts give two GUIDs for {sym}')
            continue
        seen[sym] = g.upper()
        if sym not in hdr.guids:
            miss(f'{sym} ({where}) is not declared by uccapi.h')
            continue
        w(f'    {{ static const GUID want = {guid_initializer(g)};')
        w(f'      check_guid("{sym}", &{sym}, &want); }}')
        counts['guids'] += 1
    for sym in sorted(hdr.guids - set(seen)):
        miss(f'uccapi.h declares {sym}, which the facts do not have')
    w('}')
    w('')

    # Vtables -----------------------------------------------------------------------------
    vt_errors = []
    expectations = vtable_expectations(md, vt_errors)
    for e in vt_errors:
        miss(f'facts: {e}')
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
                miss(f'{iface}Vtbl has no member {name} (slot {slot} in the facts)')
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
            miss(f'rtcshim_dispids.txt: {di} is not a dispinterface of the facts')
            continue
        if member in documented[di]:
            miss(f'rtcshim_dispids.txt: {di}.{member} is in the facts now; delete its line')
            continue
        if value <= len(documented[di]):
            miss(f'rtcshim_dispids.txt: {sym} = {value} would move a documented member '
                 f'(the facts have {len(documented[di])}); number it after them')
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
        miss(f'uccapi.h declares {sym}, which neither the facts nor rtcshim_dispids.txt have')
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
                    miss(f'uccapi.idl: {di}.{member} is neither in the facts nor in rtcshim_dispids.txt')

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
        w(f'    printf("rtcshim DISPID (not in the facts): {entry}\\n");')
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
    ap.add_argument('--facts', required=True, help='tests/abi/facts/ucc.tsv')
    ap.add_argument('--header', required=True, help='the uccapi.h widl generated')
    ap.add_argument('--output', required=True, help='C file to write')
    ap.add_argument('--extra', help='rtcshim_dispids.txt: event members rtcshim adds')
    ap.add_argument('--idl', help='include/uccapi.idl, to check the dispinterfaces declare the members')
    args = ap.parse_args()
    md, md_errors = parse_facts(args.facts)
    extra, extra_errors = parse_extra(args.extra) if args.extra else ([], [])
    idl = parse_idl_dispinterfaces(args.idl) if args.idl else None
    if not md.guids or not md.slots or not md.enums or not md.events:
        sys.exit(f'{args.facts}: found too little to check (GUIDs {len(md.guids)}, interfaces '
                 f'{len(md.slots)}, enum values {len(md.enums)}, dispinterfaces {len(md.events)})')
    counts = generate(md, md_errors, Header(args.header), args.output, extra, extra_errors, idl)
    print(f'gen_ucc_abi_check: {len(md.guids)} GUIDs, {len(md.slots)} interfaces with slots, '
          f'{len(md.enums)} enum values, {len(md.events)} dispinterfaces in the facts, '
          f'{len(extra)} rtcshim DISPIDs; '
          f'{counts["missing"]} facts missing from uccapi.h')


if __name__ == '__main__':
    main()
