#!/usr/bin/env python3
"""Generate the rtccore ABI check.

The reference is tests/abi/facts/rtc.tsv: every GUID, vtable slot, C++ base, enum value, flag,
RTC_E_ code and DISPID of the RTC Client API, each with where it came from. The generator
compares with it, as text, the header widl generates from include/rtccore.idl (plus
include/rtcerr.h and the id() attributes of rtccore.idl), and also mingw-w64's headers
(Debian mingw-w64-common: rtccore.h, rtcerr.h), which must agree with the facts; then it emits
a C program that re-checks everything against the compiled header at run time:

  * every IRTC*Vtbl (63 with the dispinterface): the member of each slot of the facts at
    offsetof(XVtbl, Method) == slot * sizeof(void *), and sizeof(XVtbl);
  * per slot, the normalised text of return type and parameter types (names dropped,
    __LONG32 -> LONG, whitespace folded) against mingw-w64's - compared here;
  * the C++ base class of every interface;
  * every IID/DIID/CLSID/LIBID: the set of names equals the facts (and mingw's declarations)
    and every value equals the facts (mingw-w64 ships no GUID values for RTC);
  * every enum constant, #define flag and RTC_E_/RTC_S_ code equals the facts (and mingw's);
    the FACILITY_/STATUS_SEVERITY_ helpers equal mingw's;
  * every DISPID of the facts is the id() rtccore.idl gives the member.

Every difference found here is embedded in the program, so that the test (not the build)
fails and prints it. Without the facts the generator stops with a message: the test fails,
it never skips.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_facts import read_facts  # noqa: E402

EXPECTED_VTABLES = 63


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


def norm_type(t):
    t = t.replace('__LONG32', 'LONG')
    t = re.sub(r'\s+', ' ', t).strip()
    t = re.sub(r'\s*\*\s*', '*', t)
    return t


def split_params(plist):
    plist = plist.strip()
    if plist in ('', 'void'):
        return []
    return [p.strip() for p in plist.split(',')]


def param_type(p):
    """Drop the parameter name (the trailing identifier) and normalise the rest."""
    p = re.sub(r'\s+', ' ', p.strip())
    m = re.match(r'^(.*?[\s*])(\w+)$', p)
    if not m or not m.group(1).strip():
        return norm_type(p)          # unnamed parameter
    return norm_type(m.group(1))


METHOD_RE = re.compile(
    r'(\w+)\s*\(\s*(?:STDMETHODCALLTYPE|WINAPI|__stdcall)\s*\*\s*(\w+)\s*\)\s*\((.*?)\)\s*;', re.S)


def parse_vtables(text):
    """{ 'IRTCClient': [(method, 'HRESULT(LONG,BSTR*)'), ...] } from C vtable structs."""
    text = strip_comments(text)
    out = {}
    for m in re.finditer(r'typedef\s+struct\s+(IRTC\w*)Vtbl\s*\{(.*?)\}\s*\1Vtbl\s*;', text, re.S):
        name, body = m.group(1), m.group(2)
        slots = []
        for mm in METHOD_RE.finditer(body):
            ret, meth, params = mm.group(1), mm.group(2), split_params(mm.group(3))
            if not params or not re.match(r'^(?:const\s+)?%s\s*\*\s*This$' % name, params[0]):
                raise SystemExit('%s: %s: first parameter is not "%s *This": %r'
                                 % (name, meth, name, params[:1]))
            types = [param_type(p) for p in params[1:]]
            slots.append((meth, '%s(%s)' % (norm_type(ret), ','.join(types))))
        if name in out:
            raise SystemExit('vtable %s defined twice' % name)
        out[name] = slots
    return out


def parse_cxx_bases(text):
    text = strip_comments(text)
    bases = {}
    for m in re.finditer(r'(?:\bstruct|\binterface|MIDL_INTERFACE\("[^"]*"\))\s+(IRTC\w+)\s*:\s*public\s+(\w+)\s*\{', text):
        bases[m.group(1)] = m.group(2)
    return bases


def c_eval(expr, symbols):
    e = expr.strip()
    e = re.sub(r'\b(0[xX][0-9A-Fa-f]+|\d+)[uUlL]*\b', lambda m: str(int(m.group(1), 0)), e)

    def sym(m):
        if m.group(0) not in symbols:
            raise KeyError(m.group(0))
        return '(%d)' % symbols[m.group(0)]
    e = re.sub(r'\(\s*HRESULT\s*\)', '', e)
    e = re.sub(r'[A-Za-z_]\w*', sym, e)
    if not re.match(r'^[\d\s()|&+\-<>~^]*$', e):
        raise ValueError('unsupported expression %r' % expr)
    return eval(e, {'__builtins__': {}})  # digits and operators only


def parse_enums(text):
    """[(enum_name, [(const, value), ...])] with C's implicit numbering."""
    text = strip_comments(text)
    enums = []
    symbols = {}
    for m in re.finditer(r'typedef\s+enum\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;', text, re.S):
        name, body = m.group(3), m.group(2)
        items, nxt = [], 0
        for item in [x.strip() for x in body.split(',') if x.strip()]:
            if '=' in item:
                k, v = [x.strip() for x in item.split('=', 1)]
                val = c_eval(v, symbols)
            else:
                k, val = item, nxt
            symbols[k] = val
            items.append((k, val))
            nxt = val + 1
        enums.append((name, items))
    return enums


def parse_defines(text, name_re):
    """Object-like #defines whose name matches name_re, evaluated to integers."""
    raw = []
    for line in strip_comments(text).splitlines():
        m = re.match(r'^\s*#\s*define\s+(%s)(\s+(.*))?$' % name_re, line)
        if m and m.group(3) and not line.split(m.group(1), 1)[1].startswith('('):
            raw.append((m.group(1), m.group(3).strip()))
    values = {}
    for _ in range(len(raw) + 1):               # resolve defines that use other defines
        for k, v in raw:
            if k not in values:
                try:
                    values[k] = c_eval(v, values)
                except KeyError:
                    pass
    missing = [k for k, _ in raw if k not in values]
    if missing:
        raise SystemExit('cannot evaluate #define %s' % ', '.join(missing))
    order = []
    for k, _ in raw:
        if k not in order:
            order.append(k)
    return [(k, values[k]) for k in order]


def guid_from_string(s):
    s = s.strip('{}')
    p = s.split('-')
    if len(p) != 5 or [len(x) for x in p] != [8, 4, 4, 4, 12]:
        raise ValueError(s)
    b = bytes.fromhex(p[3] + p[4])
    return (int(p[0], 16), int(p[1], 16), int(p[2], 16), tuple(b))


def guid_from_define(args):
    v = [int(x.strip(), 0) for x in args]
    return (v[0], v[1], v[2], tuple(v[3:]))


FACT_KINDS = {'guid', 'slot', 'base', 'enum', 'flag', 'hresult', 'dispid'}


class Facts:
    """tests/abi/facts/rtc.tsv, by kind; problems = inconsistencies inside the file."""

    def __init__(self, path):
        self.guids, self.slots, self.bases, self.enums = {}, {}, {}, []
        self.flags, self.codes, self.dispids, self.problems = [], [], {}, []
        enums = {}
        for kind, scope, name, value, _source in read_facts(path, FACT_KINDS):
            try:
                if kind == 'guid':
                    self.guids[name] = guid_from_string(value)
                elif kind == 'slot':
                    self.slots.setdefault(scope, {})[int(value)] = name
                elif kind == 'base':
                    self.bases[scope] = name
                elif kind == 'enum':
                    if scope not in enums:
                        enums[scope] = []
                        self.enums.append((scope, enums[scope]))
                    enums[scope].append((name, int(value, 0)))
                elif kind == 'flag':
                    self.flags.append((name, int(value, 0)))
                elif kind == 'hresult':
                    self.codes.append((name, int(value, 0)))
                elif kind == 'dispid':
                    self.dispids[(scope, name)] = int(value, 0)
            except ValueError:
                self.problems.append('facts: %s %s %s: cannot read %r' % (kind, scope, name, value))
        for iface, slots in list(self.slots.items()):
            if sorted(slots) != list(range(len(slots))):
                self.problems.append('facts: %s: slots %s are not 0..%d' % (iface, sorted(slots), len(slots) - 1))
            self.slots[iface] = [slots[i] for i in sorted(slots)]


def parse_idl_dispids(text):
    """{(interface, member): id} from the [id(n)] attributes of an IDL (get_/put_ share the name)."""
    out = {}
    text = strip_comments(text)
    for m in re.finditer(r'\b(?:dispinterface|interface)\s+(\w+)\s*(?::\s*\w+\s*)?\{(.*?)\n\s*\}', text, re.S):
        for mm in re.finditer(r'\[([^\]]*\bid\((\d+)\)[^\]]*)\]\s*(?:HRESULT|void)\s+(\w+)\s*\(', m.group(2)):
            out[(m.group(1), mm.group(3))] = int(mm.group(2))
    return out


def parse_declared_guids(text):
    return [m.group(1) for m in re.finditer(
        r'EXTERN_C\s+const\s+(?:IID|CLSID|GUID)\s+((?:IID|DIID|CLSID|LIBID)_\w+)\s*;', text)]


def parse_defined_guids(text):
    """widl: DEFINE_GUID(IID_x, 0x..., ...) in the header."""
    out = {}
    for m in re.finditer(r'DEFINE_GUID\(\s*((?:IID|DIID|CLSID|LIBID)_\w+)\s*,([^)]*)\)', text):
        out[m.group(1)] = guid_from_define(m.group(2).split(','))
    return out


def c_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'


def c_guid(g):
    return '{0x%08x, 0x%04x, 0x%04x, {%s}}' % (g[0], g[1], g[2], ', '.join('0x%02x' % b for b in g[3]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--facts', required=True, help='tests/abi/facts/rtc.tsv')
    ap.add_argument('--mingw-rtccore', required=True)
    ap.add_argument('--mingw-rtcerr', required=True)
    ap.add_argument('--ours-rtccore', required=True, help='widl-generated rtccore.h')
    ap.add_argument('--ours-rtcerr', required=True)
    ap.add_argument('--ours-idl', required=True, help='include/rtccore.idl (DISPIDs)')
    ap.add_argument('--output', required=True)
    a = ap.parse_args()

    read = lambda p: open(p, encoding='utf-8', errors='replace').read()
    facts = Facts(a.facts)
    m_core, o_core = read(a.mingw_rtccore), read(a.ours_rtccore)
    m_err, o_err = read(a.mingw_rtcerr), read(a.ours_rtcerr)

    diffs = list(facts.problems)    # mismatches found here; the C program reports them and fails

    # ---- vtables: names per slot from the facts, signatures from mingw ----------------
    m_vt, o_vt = parse_vtables(m_core), parse_vtables(o_core)
    if len(facts.slots) != EXPECTED_VTABLES:
        diffs.append('the facts list %d vtables, expected %d' % (len(facts.slots), EXPECTED_VTABLES))
    slot_checks, size_checks = [], []
    own_methods = 0
    m_bases = parse_cxx_bases(m_core)
    o_bases = parse_cxx_bases(o_core)
    for name, members in facts.slots.items():
        base = facts.bases.get(name)
        nbase = len(facts.slots[base]) if base in facts.slots else (7 if base == 'IDispatch' else 3)
        own_methods += len(members) - nbase
        if name not in m_vt:
            diffs.append('%sVtbl: in the facts, not in mingw\'s rtccore.h' % name)
        elif [meth for meth, _ in m_vt[name]] != members:
            diffs.append('%sVtbl: the facts and mingw\'s rtccore.h disagree\n  facts: %s\n  mingw: %s'
                         % (name, ' '.join(members), ' '.join(meth for meth, _ in m_vt[name])))
        if name not in o_vt:
            diffs.append('%sVtbl: missing from our rtccore.h' % name)
            continue
        os_ = o_vt[name]
        size_checks.append((name, len(members)))
        o_names = {meth for meth, _ in os_}
        ms = m_vt.get(name, [])
        lines = []
        for i in range(max(len(members), len(os_))):
            want = members[i] if i < len(members) else '-'
            mm = ms[i] if i < len(ms) else ('-', '')
            oo = os_[i] if i < len(os_) else ('-', '')
            if want != oo[0] or (ms and mm != oo):
                lines.append('  slot %2d  facts: %s\n           mingw: %s %s\n           ours:  %s %s'
                             % (i, want, mm[0], mm[1], oo[0], oo[1]))
        if lines:
            diffs.append('%sVtbl differs (slot, name, normalised signature):\n%s' % (name, '\n'.join(lines)))
        for i, meth in enumerate(members):
            if meth in o_names:
                slot_checks.append((name, meth, i))
            else:
                diffs.append('%sVtbl: our header has no member %s (slot %d in the facts)' % (name, meth, i))
        if name != 'IRTCDispatchEventNotification' and base is not None:
            for who, bases in (('ours', o_bases), ('mingw', m_bases)):
                if bases.get(name) != base:
                    diffs.append('C++ base of %s: the facts say %s, %s %s' % (name, base, who, bases.get(name)))
    for name in o_vt:
        if name not in facts.slots:
            diffs.append('%sVtbl: in our rtccore.h but not in the facts' % name)
    for name in m_vt:
        if name not in facts.slots:
            diffs.append('%sVtbl: in mingw\'s rtccore.h but not in the facts' % name)

    # ---- GUIDs: values from the facts (mingw-w64 declares the names only) -------------
    m_guid_names = set(parse_declared_guids(m_core))
    o_guids = parse_defined_guids(o_core)
    guid_checks = []
    for n, g in facts.guids.items():
        if n not in o_guids:
            diffs.append('%s: in the facts, not defined by our rtccore.h' % n)
        else:
            guid_checks.append((n, g))
        if n not in m_guid_names:
            diffs.append('%s: in the facts, not declared by mingw' % n)
    for n in o_guids:
        if n not in facts.guids:
            diffs.append('%s: defined by our rtccore.h, not in the facts' % n)
    for n in sorted(m_guid_names - set(facts.guids)):
        diffs.append('%s: declared by mingw, not in the facts' % n)

    # ---- enums ---------------------------------------------------------------------
    m_en, o_en = dict(parse_enums(m_core)), dict(parse_enums(o_core))
    o_consts = {k for items in o_en.values() for k, _ in items}
    enum_checks = []
    for ename, items in facts.enums:
        if m_en.get(ename) != items:
            m_items = m_en.get(ename, [])
            diffs.append('enum %s: the facts and mingw\'s rtccore.h disagree: facts %s, mingw %s' % (
                ename, sorted(set(items) - set(m_items)), sorted(set(m_items) - set(items))))
        if ename not in o_en:
            diffs.append('enum %s: missing from our rtccore.h' % ename)
        elif [k for k, _ in o_en[ename]] != [k for k, _ in items]:
            diffs.append('enum %s: constants differ\n  facts: %s\n  ours:  %s' % (
                ename, ' '.join(k for k, _ in items), ' '.join(k for k, _ in o_en[ename])))
        for k, v in items:
            if k in o_consts:
                enum_checks.append((ename, k, v))
            else:
                diffs.append('enum constant %s (%s = %d): missing from our rtccore.h' % (k, ename, v))
    for ename in list(o_en) + list(m_en):
        if ename not in dict(facts.enums):
            diffs.append('enum %s: in a header, not in the facts' % ename)

    # ---- #define flags -------------------------------------------------------------
    FLAG_RE = r'RTC[A-Z0-9]*_\w+'
    m_fl, o_fl = dict(parse_defines(m_core, FLAG_RE)), dict(parse_defines(o_core, FLAG_RE))
    flag_checks = []
    for k, v in facts.flags:
        if m_fl.get(k) != v:
            diffs.append('#define %s: the facts say 0x%08X, mingw %s' % (k, v, m_fl.get(k)))
        if k in o_fl:
            flag_checks.append((k, v))
        else:
            diffs.append('#define %s (0x%08X): missing from our rtccore.h' % (k, v))
    for k in list(o_fl) + list(m_fl):
        if k not in dict(facts.flags):
            diffs.append('#define %s: in a header, not in the facts' % k)

    # ---- error codes: RTC_ codes from the facts, FACILITY_/STATUS_SEVERITY_ from mingw ----
    ERR_RE = r'(?:RTC_[ES]_\w+|FACILITY_\w+|STATUS_SEVERITY_\w+)'
    m_er, o_er = dict(parse_defines(m_err, ERR_RE)), dict(parse_defines(o_err, ERR_RE))
    n_codes = len(facts.codes)
    err_checks = []
    for k, v in facts.codes:
        if k not in m_er or (m_er[k] & 0xffffffff) != v:
            diffs.append('%s: the facts say 0x%08X, mingw %s' % (k, v, hex(m_er[k] & 0xffffffff) if k in m_er else None))
        if k in o_er:
            err_checks.append((k, v))
        else:
            diffs.append('%s (0x%08X): missing from our rtcerr.h' % (k, v))
    for k, v in m_er.items():
        if not k.startswith('RTC_'):
            if k in o_er:
                err_checks.append((k, v))
            else:
                diffs.append('%s: missing from our rtcerr.h' % k)
    for k in list(o_er) + list(m_er):
        if k.startswith('RTC_') and k not in dict(facts.codes):
            diffs.append('%s: in a header, not in the facts' % k)

    # ---- DISPIDs: the id() of include/rtccore.idl --------------------------------------
    idl_ids = parse_idl_dispids(read(a.ours_idl))
    for (iface, member), value in facts.dispids.items():
        if idl_ids.get((iface, member)) != value:
            diffs.append('DISPID of %s.%s: the facts say %d, rtccore.idl %s'
                         % (iface, member, value, idl_ids.get((iface, member))))
    covered = {iface for iface, _ in facts.dispids}
    for (iface, member), value in idl_ids.items():
        if iface in covered and (iface, member) not in facts.dispids:
            diffs.append('DISPID of %s.%s: rtccore.idl gives id(%d), the facts have none' % (iface, member, value))
    n_dispids = len(facts.dispids)

    for d in diffs:
        print('gen_abi_check: ' + d.replace('\n', '\ngen_abi_check: '), file=sys.stderr)

    # ---- emit ----------------------------------------------------------------------
    o = []
    w = o.append
    w('/* Generated by tests/abi/gen_abi_check.py - do not edit. */')
    w('#include <stddef.h>')
    w('#include <stdint.h>')
    w('#include <stdio.h>')
    w('#include <string.h>')
    w('#include <windows.h>')
    w('#include <ocidl.h>')
    w('#include "rtccore.h"')
    w('#include "rtcerr.h"')
    w('')
    w('#define EXPECTED_VTABLES %d' % EXPECTED_VTABLES)
    w('#define MINGW_VTABLES %d' % len(m_vt))
    w('#define FACT_VTABLES %d' % len(facts.slots))
    w('#define OWN_METHODS %d' % own_methods)
    w('')
    w('struct slot_check { const char *vtbl; const char *method; size_t offset; size_t slot; };')
    w('static const struct slot_check slot_checks[] = {')
    for name, meth, i in slot_checks:
        w('    { "%sVtbl", "%s", offsetof(%sVtbl, %s), %d },' % (name, meth, name, meth, i))
    w('};')
    w('')
    w('struct size_check { const char *vtbl; size_t size; size_t slots; };')
    w('static const struct size_check size_checks[] = {')
    for name, n in size_checks:
        w('    { "%sVtbl", sizeof(%sVtbl), %d },' % (name, name, n))
    w('};')
    w('')
    w('struct guid_check { const char *name; const GUID *ours; GUID expected; };')
    w('static const struct guid_check guid_checks[] = {')
    for n, g in guid_checks:
        w('    { "%s", &%s, %s },' % (n, n, c_guid(g)))
    w('    { NULL, NULL, {0, 0, 0, {0}} }')
    w('};')
    w('')
    w('struct value_check { const char *name; long long ours; long long expected; };')
    w('static const struct value_check enum_checks[] = {')
    for _, k, v in enum_checks:
        w('    { "%s", (long long)%s, %dLL },' % (k, k, v))
    w('    { NULL, 0, 0 }')
    w('};')
    w('static const struct value_check flag_checks[] = {')
    for k, v in flag_checks:
        w('    { "%s", (long long)(%s), %dLL },' % (k, k, v))
    w('    { NULL, 0, 0 }')
    w('};')
    w('/* HRESULTs compared as their 32-bit pattern. */')
    w('static const struct value_check err_checks[] = {')
    for k, v in err_checks:
        w('    { "%s", (long long)(uint32_t)(%s), %dLL },' % (k, k, v & 0xffffffff))
    w('    { NULL, 0, 0 }')
    w('};')
    w('')
    w('/* Differences found by the generator (names, order, normalised parameter types). */')
    w('static const char *const text_diffs[] = {')
    for d in diffs:
        w('    %s,' % c_str(d))
    w('    NULL')
    w('};')
    w('')
    w('#define N_CODES %d' % n_codes)
    w('#define N_DISPIDS %d' % n_dispids)
    w('''
static void format_guid(const GUID *g, char buf[40])
{
    snprintf(buf, 40, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", (unsigned)g->Data1,
             g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3],
             g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
}

int main(void)
{
    unsigned failures = 0, guids = 0, enums = 0, flags = 0, errors = 0;
    size_t i, vtables = sizeof(size_checks) / sizeof(size_checks[0]);
    size_t slots = sizeof(slot_checks) / sizeof(slot_checks[0]);

    for (i = 0; text_diffs[i]; i++) {
        fprintf(stderr, "FAIL: %s\\n", text_diffs[i]);
        failures++;
    }
    for (i = 0; i < slots; i++) {
        const struct slot_check *c = &slot_checks[i];
        if (c->offset != c->slot * sizeof(void *)) {
            fprintf(stderr, "FAIL: %s.%s is at slot %zu, the facts have it at slot %zu\\n",
                    c->vtbl, c->method, c->offset / sizeof(void *), c->slot);
            failures++;
        }
    }
    for (i = 0; i < vtables; i++) {
        const struct size_check *c = &size_checks[i];
        if (c->size != c->slots * sizeof(void *)) {
            fprintf(stderr, "FAIL: sizeof(%s) is %zu slots, the facts have %zu\\n",
                    c->vtbl, c->size / sizeof(void *), c->slots);
            failures++;
        }
    }
    if (vtables < EXPECTED_VTABLES || MINGW_VTABLES != EXPECTED_VTABLES || FACT_VTABLES != EXPECTED_VTABLES) {
        fprintf(stderr, "FAIL: checked %zu vtables (the facts have %d, mingw %d), expected %d\\n",
                vtables, FACT_VTABLES, MINGW_VTABLES, EXPECTED_VTABLES);
        failures++;
    }
    for (i = 0; guid_checks[i].name; i++, guids++) {
        const struct guid_check *c = &guid_checks[i];
        if (memcmp(c->ours, &c->expected, sizeof(GUID))) {
            char ours[40], expected[40];
            format_guid(c->ours, ours);
            format_guid(&c->expected, expected);
            fprintf(stderr, "FAIL: %s is %s, the facts say %s\\n", c->name, ours, expected);
            failures++;
        }
    }
#define CHECK_VALUES(table, counter, what) \\
    for (i = 0; table[i].name; i++, counter++) { \\
        if (table[i].ours != table[i].expected) { \\
            fprintf(stderr, "FAIL: %s %s = 0x%llX, expected 0x%llX (the facts; mingw for FACILITY_/STATUS_SEVERITY_)\\n", what, table[i].name, \\
                    (unsigned long long)table[i].ours, (unsigned long long)table[i].expected); \\
            failures++; \\
        } \\
    }
    CHECK_VALUES(enum_checks, enums, "enum constant")
    CHECK_VALUES(flag_checks, flags, "flag")
    CHECK_VALUES(err_checks, errors, "error code")

    printf("rtccore ABI against tests/abi/facts/rtc.tsv and mingw-w64: %zu vtables, %d methods (%zu slots), "
           "%u IIDs/CLSIDs, %u enum values, %u flags, %d error codes, %d DISPIDs: %s\\n", vtables, OWN_METHODS,
           slots, guids, enums, flags, N_CODES, N_DISPIDS, failures ? "MISMATCH" : "all equal");
    if (failures)
        fprintf(stderr, "%u check(s) failed\\n", failures);
    return failures ? 1 : 0;
}''')
    with open(a.output, 'w') as f:
        f.write('\n'.join(o) + '\n')


if __name__ == '__main__':
    main()
