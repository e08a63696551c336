#!/usr/bin/env python3
"""Generate the rtccore ABI check.

Compares the header widl generates from include/rtccore.idl (plus include/rtcerr.h) with
the mingw-w64 reference headers (Debian mingw-w64-common: rtccore.h, rtcerr.h) and with the
GUIDs written down in rtc_api.md, and emits a C program that re-checks everything against the
compiled header at run time:

  * every IRTC*Vtbl (63 with the dispinterface): same member name at the same slot
    (offsetof(XVtbl, Method) == slot * sizeof(void *)) and the same sizeof(XVtbl);
  * per slot, the normalised text of return type and parameter types (names dropped,
    __LONG32 -> LONG, whitespace folded) - compared here, the differences are embedded in
    the program so that the test (not the build) fails and prints them;
  * the C++ base class of every interface;
  * every IID/DIID/CLSID/LIBID: the set of names equals mingw's declarations and every
    value equals rtc_api.md (mingw-w64 ships no GUID values for RTC);
  * every enum constant and every #define flag equals mingw's value;
  * every RTC_E_/RTC_S_ code (and the FACILITY_/STATUS_SEVERITY_ helpers) equals mingw's.

The generator itself only fails on unusable input (a reference header it cannot parse);
every mismatch becomes a failing check in the generated program.
"""
import argparse
import re
import sys

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


def parse_md_guids(md):
    """GUIDs written in rtc_api.md. Returns ({name: guid}, [inconsistencies])."""
    guids, problems = {}, []

    def put(name, g, where):
        if name in guids and guids[name] != g:
            problems.append('rtc_api.md gives two values for %s (%s)' % (name, where))
        guids[name] = g
    G = r'\{([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}'
    for m in re.finditer(r'\b((?:IID|CLSID)_\w+) = `%s`' % G, md):
        put(m.group(1), guid_from_string(m.group(2)), 'A')
    for m in re.finditer(r'^\| (IRTC\w+) \| (\w+) \| %s \|' % G, md, re.M):
        prefix = 'DIID_' if m.group(2) == 'dispinterface' else 'IID_'
        put(prefix + m.group(1), guid_from_string(m.group(3)), 'table')
    m = re.search(r'LIBID `%s`' % G, md)
    if m:
        m2 = re.search(r'Type library: `(\w+)`', md)
        put('LIBID_' + (m2.group(1) if m2 else 'RTCCORELib'), guid_from_string(m.group(1)), 'LIBID')
    m = re.search(r'DIID `%s`' % G, md)
    if m:
        m2 = re.search(r'dispinterface (IRTC\w+)` \(DIID', md)
        if m2:
            put('DIID_' + m2.group(1), guid_from_string(m.group(1)), 'DIID')
    for m in re.finditer(r'DEFINE_GUID\((\w+),([^)]*)\)', md):
        g = guid_from_define(m.group(2).split(','))
        if m.group(1) in guids and guids[m.group(1)] != g:
            problems.append('rtc_api.md: DEFINE_GUID(%s) disagrees with its {...} form' % m.group(1))
        guids.setdefault(m.group(1), g)
    return guids, problems


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
    ap.add_argument('--mingw-rtccore', required=True)
    ap.add_argument('--mingw-rtcerr', required=True)
    ap.add_argument('--ours-rtccore', required=True, help='widl-generated rtccore.h')
    ap.add_argument('--ours-rtcerr', required=True)
    ap.add_argument('--api-md', help='rtc_api.md (GUID values); optional')
    ap.add_argument('--output', required=True)
    a = ap.parse_args()

    read = lambda p: open(p, encoding='utf-8', errors='replace').read()
    m_core, o_core = read(a.mingw_rtccore), read(a.ours_rtccore)
    m_err, o_err = read(a.mingw_rtcerr), read(a.ours_rtcerr)

    diffs = []       # text mismatches found here; the C program reports them and fails

    # ---- vtables -------------------------------------------------------------------
    m_vt, o_vt = parse_vtables(m_core), parse_vtables(o_core)
    if len(m_vt) != EXPECTED_VTABLES:
        raise SystemExit('parsed %d IRTC*Vtbl structs from %s, expected %d'
                         % (len(m_vt), a.mingw_rtccore, EXPECTED_VTABLES))
    slot_checks, size_checks = [], []
    own_methods = 0
    m_bases = parse_cxx_bases(m_core)
    o_bases = parse_cxx_bases(o_core)
    for name in m_vt:
        ms = m_vt[name]
        base = m_bases.get(name)
        nbase = len(m_vt[base]) if base in m_vt else (7 if base == 'IDispatch' else 3)
        if name == 'IRTCDispatchEventNotification':
            nbase = 7
        own_methods += len(ms) - nbase
        if name not in o_vt:
            diffs.append('%sVtbl: missing from our rtccore.h' % name)
            continue
        os_ = o_vt[name]
        size_checks.append((name, len(ms)))
        o_names = {meth for meth, _ in os_}
        lines = []
        for i in range(max(len(ms), len(os_))):
            mm = ms[i] if i < len(ms) else ('-', '')
            oo = os_[i] if i < len(os_) else ('-', '')
            if mm != oo:
                lines.append('  slot %2d  mingw: %s %s\n           ours:  %s %s'
                             % (i, mm[0], mm[1], oo[0], oo[1]))
        if lines:
            diffs.append('%sVtbl differs (slot, name, normalised signature):\n%s'
                         % (name, '\n'.join(lines)))
        for i, (meth, _) in enumerate(ms):
            if meth in o_names:
                slot_checks.append((name, meth, i))
            else:
                diffs.append('%sVtbl: our header has no member %s (mingw slot %d)' % (name, meth, i))
        if name != 'IRTCDispatchEventNotification' and base is not None:
            ob = o_bases.get(name)
            if ob != base:
                diffs.append('C++ base of %s: mingw %s, ours %s' % (name, base, ob))
    for name in o_vt:
        if name not in m_vt:
            diffs.append('%sVtbl: in our rtccore.h but not in mingw\'s' % name)

    # ---- GUIDs ---------------------------------------------------------------------
    m_guid_names = parse_declared_guids(m_core)
    o_guids = parse_defined_guids(o_core)
    md_guids, md_note = {}, 'rtc_api.md not given: GUID values unchecked'
    if a.api_md:
        md_guids, problems = parse_md_guids(read(a.api_md))
        diffs.extend(problems)
        md_note = None
    guid_checks = []
    for n in m_guid_names:
        if n not in o_guids:
            diffs.append('%s: declared by mingw, not defined by our rtccore.h' % n)
            continue
        if a.api_md:
            if n not in md_guids:
                diffs.append('%s: no value in rtc_api.md' % n)
                continue
            guid_checks.append((n, md_guids[n]))
    for n in o_guids:
        if n not in m_guid_names:
            diffs.append('%s: defined by our rtccore.h, not declared by mingw' % n)
    for n in md_guids:
        if n not in m_guid_names:
            diffs.append('%s: in rtc_api.md, not declared by mingw' % n)

    # ---- enums ---------------------------------------------------------------------
    m_en, o_en = parse_enums(m_core), parse_enums(o_core)
    o_en_map = dict(o_en)
    o_consts = {k for _, items in o_en for k, _ in items}
    enum_checks = []
    for ename, items in m_en:
        if ename not in o_en_map:
            diffs.append('enum %s: missing from our rtccore.h' % ename)
        elif [k for k, _ in o_en_map[ename]] != [k for k, _ in items]:
            diffs.append('enum %s: constants differ\n  mingw: %s\n  ours:  %s' % (
                ename, ' '.join(k for k, _ in items), ' '.join(k for k, _ in o_en_map[ename])))
        for k, v in items:
            if k in o_consts:
                enum_checks.append((ename, k, v))
            else:
                diffs.append('enum constant %s (%s = %d): missing from our rtccore.h' % (k, ename, v))
    for ename, _ in o_en:
        if ename not in dict(m_en):
            diffs.append('enum %s: in our rtccore.h, not in mingw\'s' % ename)

    # ---- #define flags -------------------------------------------------------------
    FLAG_RE = r'RTC[A-Z0-9]*_\w+'
    m_fl, o_fl = parse_defines(m_core, FLAG_RE), dict(parse_defines(o_core, FLAG_RE))
    flag_checks = []
    for k, v in m_fl:
        if k in o_fl:
            flag_checks.append((k, v))
        else:
            diffs.append('#define %s (0x%08X): missing from our rtccore.h' % (k, v))
    for k in o_fl:
        if k not in dict(m_fl):
            diffs.append('#define %s: in our rtccore.h, not in mingw\'s' % k)

    # ---- error codes ---------------------------------------------------------------
    ERR_RE = r'(?:RTC_[ES]_\w+|FACILITY_\w+|STATUS_SEVERITY_\w+)'
    m_er, o_er = parse_defines(m_err, ERR_RE), dict(parse_defines(o_err, ERR_RE))
    n_codes = sum(1 for k, _ in m_er if k.startswith('RTC_'))
    err_checks = []
    for k, v in m_er:
        if k in o_er:
            err_checks.append((k, v))
        else:
            diffs.append('%s (0x%08X): missing from our rtcerr.h' % (k, v & 0xffffffff))
    for k in o_er:
        if k not in dict(m_er):
            diffs.append('%s: in our rtcerr.h, not in mingw\'s' % k)

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
    w('static const char *const md_note = %s;' % (c_str(md_note) if md_note else 'NULL'))
    w('#define N_CODES %d' % n_codes)
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
            fprintf(stderr, "FAIL: %s.%s is at slot %zu, mingw has it at slot %zu\\n",
                    c->vtbl, c->method, c->offset / sizeof(void *), c->slot);
            failures++;
        }
    }
    for (i = 0; i < vtables; i++) {
        const struct size_check *c = &size_checks[i];
        if (c->size != c->slots * sizeof(void *)) {
            fprintf(stderr, "FAIL: sizeof(%s) is %zu slots, mingw has %zu\\n",
                    c->vtbl, c->size / sizeof(void *), c->slots);
            failures++;
        }
    }
    if (vtables < EXPECTED_VTABLES || MINGW_VTABLES != EXPECTED_VTABLES) {
        fprintf(stderr, "FAIL: checked %zu vtables (mingw has %d), expected %d\\n",
                vtables, MINGW_VTABLES, EXPECTED_VTABLES);
        failures++;
    }
    for (i = 0; guid_checks[i].name; i++, guids++) {
        const struct guid_check *c = &guid_checks[i];
        if (memcmp(c->ours, &c->expected, sizeof(GUID))) {
            char ours[40], expected[40];
            format_guid(c->ours, ours);
            format_guid(&c->expected, expected);
            fprintf(stderr, "FAIL: %s is %s, rtc_api.md says %s\\n", c->name, ours, expected);
            failures++;
        }
    }
#define CHECK_VALUES(table, counter, what) \\
    for (i = 0; table[i].name; i++, counter++) { \\
        if (table[i].ours != table[i].expected) { \\
            fprintf(stderr, "FAIL: %s %s = 0x%llX, mingw has 0x%llX\\n", what, table[i].name, \\
                    (unsigned long long)table[i].ours, (unsigned long long)table[i].expected); \\
            failures++; \\
        } \\
    }
    CHECK_VALUES(enum_checks, enums, "enum constant")
    CHECK_VALUES(flag_checks, flags, "flag")
    CHECK_VALUES(err_checks, errors, "error code")

    if (md_note)
        fprintf(stderr, "NOTE: %s\\n", md_note);
    printf("rtccore ABI: %zu vtables, %d methods (%zu slots), %u IIDs/CLSIDs, %u enum values, "
           "%u flags, %d error codes: %s\\n", vtables, OWN_METHODS, slots, guids, enums, flags,
           N_CODES, failures ? "MISMATCH" : "all equal");
    if (failures)
        fprintf(stderr, "%u check(s) failed\\n", failures);
    return failures ? 1 : 0;
}''')
    with open(a.output, 'w') as f:
        f.write('\n'.join(o) + '\n')


if __name__ == '__main__':
    main()
