#!/usr/bin/env python3
"""tools/gen-status.py reads vtables as the compiler does and refuses tables that do not fit.

Each case is a small C file, compiled (preprocessed) with the flags of rtccore/events.c from the
build's compile_commands.json, holding an IRTCClientEvent table (4 IDispatch slots after IUnknown,
then get_EventType and get_Client) filled through a seven-slot macro like EVENT_IDISPATCH_VTBL.

usage: test_gen_status.py BUILD_DIR SOURCE_DIR
"""
import importlib.util
import json
import pathlib
import shlex
import sys
import tempfile
import unittest

BUILD_DIR = SOURCE_DIR = None

PRELUDE = r"""
#include "com/com_private.h"
#include <rtccore.h>

#define DISPATCH_METHODS(p) \
    static HRESULT WINAPI p##_QueryInterface(IRTCClientEvent *i, REFIID r, void **v) { return E_NOINTERFACE; } \
    static ULONG WINAPI p##_AddRef(IRTCClientEvent *i) { return 2; } \
    static ULONG WINAPI p##_Release(IRTCClientEvent *i) { return 1; } \
    static HRESULT WINAPI p##_GetTypeInfoCount(IRTCClientEvent *i, UINT *c) \
    { com_partial(__func__, "no type library"); *c = 0; return S_OK; } \
    static HRESULT WINAPI p##_GetTypeInfo(IRTCClientEvent *i, UINT n, LCID l, ITypeInfo **t) \
    { return com_not_built(__func__); } \
    static HRESULT WINAPI p##_GetIDsOfNames(IRTCClientEvent *i, REFIID r, LPOLESTR *n, UINT c, LCID l, DISPID *d) \
    { return S_OK; } \
    static HRESULT WINAPI p##_Invoke(IRTCClientEvent *i, DISPID d, REFIID r, LCID l, WORD f, DISPPARAMS *p, \
                                     VARIANT *v, EXCEPINFO *e, UINT *a) \
    { return S_OK; }

#define DISPATCH_VTBL(p) p##_QueryInterface, p##_AddRef, p##_Release, p##_GetTypeInfoCount, p##_GetTypeInfo, \
    p##_GetIDsOfNames, p##_Invoke

DISPATCH_METHODS(crafted)

static HRESULT WINAPI crafted_get_EventType(IRTCClientEvent *i, RTC_CLIENT_EVENT_TYPE *t)
{
    *t = RTCCET_VOLUME_CHANGE;
    return S_OK;
}

static HRESULT WINAPI crafted_get_Client(IRTCClientEvent *i, IRTCClient **c)
{
    return com_not_built(__func__);
}
"""


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_status", SOURCE_DIR / "tools" / "gen-status.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = None


class GeneratorTest(unittest.TestCase):
    def analyse(self, table, extra=""):
        """The Analysis of PRELUDE + extra + table, compiled like rtccore/events.c."""
        entries = json.loads((BUILD_DIR / "compile_commands.json").read_text())
        model = next(e for e in entries if e["file"].endswith("rtccore/events.c"))
        with tempfile.TemporaryDirectory() as tmp:
            source = pathlib.Path(tmp) / "crafted.c"
            source.write_text(PRELUDE + extra + table)
            args = model["arguments"] if "arguments" in model else shlex.split(model["command"])
            args = [str(source) if a == model["file"] else a for a in args]
            entry = {"directory": model["directory"], "arguments": args, "file": str(source)}
            return gen.analyse_tree(BUILD_DIR, SOURCE_DIR, [entry])[1]

    def assert_refused(self, table, *fragments, extra=""):
        with self.assertRaises(gen.StatusError) as caught:
            self.analyse(table, extra)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))

    def test_macro_fills_seven_slots(self):
        analysis = self.analyse("static const IRTCClientEventVtbl vtbl = { DISPATCH_VTBL(crafted), "
                                "crafted_get_EventType, crafted_get_Client };")
        [impl] = analysis.implementations["IRTCClientEvent"]
        self.assertEqual(impl.functions[7:], ["crafted_get_EventType", "crafted_get_Client"])
        self.assertEqual([(s.kind, s.reason) for s in impl.states[3:]],
                         [("partial", "no type library"), ("E_NOTIMPL", ""), ("built", ""), ("built", ""),
                          ("built", ""), ("E_NOTIMPL", "")])

    def test_missing_slot(self):
        self.assert_refused("static const IRTCClientEventVtbl vtbl = { DISPATCH_VTBL(crafted), crafted_get_Client };",
                            "crafted.c:", "vtbl has 8 entries but IRTCClientEvent has 9 slots")

    def test_extra_slot(self):
        self.assert_refused("static const IRTCClientEventVtbl vtbl = { DISPATCH_VTBL(crafted), "
                            "crafted_get_EventType, crafted_get_Client, crafted_get_Client };",
                            "vtbl has 10 entries but IRTCClientEvent has 9 slots")

    def test_shifted_table(self):
        self.assert_refused("static const IRTCClientEventVtbl vtbl = { DISPATCH_VTBL(crafted), "
                            "crafted_get_Client, crafted_get_EventType };",
                            "slot 7 is IRTCClientEvent::get_EventType but holds crafted_get_Client")

    def test_slot_that_is_not_a_function(self):
        self.assert_refused("static const IRTCClientEventVtbl vtbl = { DISPATCH_VTBL(crafted), "
                            "crafted_get_EventType, NULL };", "slot 8 (get_Client) is not a function name")

    def test_unexplained_e_notimpl(self):
        extra = ("static HRESULT WINAPI odd_get_EventType(IRTCClientEvent *i, RTC_CLIENT_EVENT_TYPE *t)\n"
                 "{\n    if (!t)\n        return E_NOTIMPL;\n    *t = 0;\n    return S_OK;\n}\n")
        self.assert_refused("static const IRTCClientEventVtbl vtbl = { DISPATCH_VTBL(crafted), "
                            "odd_get_EventType, crafted_get_Client };",
                            "odd_get_EventType returns E_NOTIMPL in some case but says nothing", extra=extra)

    def test_direct_e_notimpl_and_forwarding(self):
        extra = ("static HRESULT WINAPI bare_get_EventType(IRTCClientEvent *i, RTC_CLIENT_EVENT_TYPE *t)\n"
                 "{\n    return E_NOTIMPL;\n}\n"
                 "static HRESULT WINAPI fwd_get_Client(IRTCClientEvent *i, IRTCClient **c)\n"
                 "{\n    return crafted_get_Client(i, c);\n}\n")
        analysis = self.analyse("static const IRTCClientEventVtbl vtbl = { DISPATCH_VTBL(crafted), "
                                "bare_get_EventType, fwd_get_Client };", extra)
        [impl] = analysis.implementations["IRTCClientEvent"]
        self.assertEqual([s.kind for s in impl.states[7:]], ["E_NOTIMPL", "E_NOTIMPL"])

    def test_never_delivered(self):
        analysis = self.analyse("COM_NEVER_DELIVERED(IRTCClientEvent, \"nothing raises it\");\n"
                                "static const IRTCClientEventVtbl vtbl = { DISPATCH_VTBL(crafted), "
                                "crafted_get_EventType, crafted_get_Client };")
        [impl] = analysis.implementations["IRTCClientEvent"]
        self.assertEqual(impl.never_delivered, "nothing raises it")
        self.assertEqual([s.kind for s in impl.states[3:]],
                         ["partial", "E_NOTIMPL", "partial", "partial", "partial", "E_NOTIMPL"])

    def test_base_interface_served_through_derived(self):
        methods = ["QueryInterface", "AddRef", "Release", "GetTypeInfoCount", "GetTypeInfo", "GetIDsOfNames",
                   "Invoke", "get_Session", "get_State", "get_StatusCode", "get_StatusText", "get_MediaTypes",
                   "get_RemotePreferredSecurityLevel", "get_IsForked", "GetRemoteSessionDescription"]
        extra = "".join(f"static HRESULT WINAPI s_{m}(void) {{ return S_OK; }}\n" for m in methods)
        analysis = self.analyse("static const IRTCSessionStateChangeEvent2Vtbl vtbl2 = { "
                                + ", ".join(f"s_{m}" for m in methods) + " };", extra)
        [base] = analysis.implementations["IRTCSessionStateChangeEvent"]
        self.assertEqual(base.via, "IRTCSessionStateChangeEvent2")
        self.assertEqual(base.functions, [f"s_{m}" for m in methods[:11]])
        [own] = analysis.implementations["IRTCSessionStateChangeEvent2"]
        self.assertIsNone(own.via)


def main():
    global BUILD_DIR, SOURCE_DIR, gen
    if len(sys.argv) != 3:
        print(__doc__.strip().split("\n\n")[-1], file=sys.stderr)
        return 2
    BUILD_DIR, SOURCE_DIR = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    gen = load_generator()
    result = unittest.main(argv=[sys.argv[0], "-v"], exit=False).result
    return 0 if result.wasSuccessful() and result.testsRun else 1


if __name__ == "__main__":
    sys.exit(main())
