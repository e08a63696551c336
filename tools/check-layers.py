#!/usr/bin/env python3
"""Checks that the layers of rtcshim do not leak into each other.

    tools/check-layers.py [SOURCE_DIR] [--compile-commands BUILD/compile_commands.json]
    tools/check-layers.py --self-test [SOURCE_DIR]

The layers and what each may see:

  src/sip   the SIP engine: libosip2, GLib, system headers, its own files and
            its public headers (src/sip/include/sip). Never a COM or Wine
            header (<windows.h>, <ole*.h>, <oaidl.h>, <ocidl.h> ...), never
            the project's IDL headers (rtccore.h, uccapi.h, rtcerr.h,
            rtcshim.h), never src/com. Windows' own system headers
            (<windows.h>, <winsock2.h> ...) only in its Windows platform code:
            src/sip/win32/ and #ifdef _WIN32 / G_OS_WIN32 branches.
  src/com   the COM runtime: Wine's headers, the project's headers
            (include/), its own files and public headers (src/com/include/com).
            Never libosip2 or the engine.
  rtccore   the RTC face: Wine's headers, include/, the COM runtime's public
  ucc       headers (com/...) and the engine's public headers
            (sip/sip_engine.h, sip/sip_call.h, sip/sip_refer.h,
            sip/sip_register.h, sip/refer_to.h, sip/netif.h, sip/sip_media.h)
            and the media backend's (media/media_backend.h); never libosip2,
            socket headers, the engine's inside or the other face.

Every #include of every .c/.h file of a layer is checked: a quoted include
must resolve (next to the including file, then on the layer's include path)
to a file the layer may see; an angle include must not be one of the layer's
forbidden headers. With --compile-commands, the -I/-isystem flags CMake gave
each layer's sources are checked too (no blanket src/, no include path into
another layer's inside; for src/sip no include/, src/com or Wine directory).

Exit status: 0 when nothing leaks, 1 with one line per leak on stderr, 2 on
bad usage. --self-test copies the tree, plants one leak of each kind and
checks that every one is caught (and that the clean copy passes).
"""
import json
import os
import re
import shlex
import shutil
import sys
import tempfile

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)

# COM, Wine and the project's IDL headers: none of them in the engine.
COM_HEADER_RE = re.compile(
    r'^(wine/.*|windows\.h|win[a-z0-9_]*\.h|ole[a-z0-9_]*\.h|oaidl\.h|ocidl\.h|objbase\.h|objidl\.h|'
    r'unknwn\.h|wtypes[a-z]*\.h|guiddef\.h|rpc[a-z0-9_]*\.h|propidl\.h|servprov\.h|urlmon\.h|'
    r'rtccore\.h|uccapi\.h|rtcerr\.h|rtcshim\.h|com/.*)$')
# libosip2: the engine's business only.
OSIP_HEADER_RE = re.compile(r'^(osip2|osipparser2)/')
# Windows' own system headers: the engine's Windows platform code (src/sip/win32/, and
# platform.h under #ifdef _WIN32) needs them; they are the OS there, not COM.
WINDOWS_OS_HEADER_RE = re.compile(r'^(windows|winsock2|ws2tcpip|iphlpapi|bcrypt|wincrypt|mswsock)\.h$')
WIN32_IF_RE = re.compile(r'^\s*#\s*(ifdef\s+(_WIN32|G_OS_WIN32)\b|if\s+defined\s*\(?\s*(_WIN32|G_OS_WIN32)\b)')
# Sockets: the faces ask the engine (sip/netif.h) instead.
SOCKET_HEADER_RE = re.compile(r'^(sys/socket\.h|netinet/.*|arpa/.*|ifaddrs\.h|net/if\.h|netdb\.h)$')


class Layer:
    def __init__(self, name, dirs, include_path, visible, forbidden):
        self.name = name
        self.dirs = dirs                  # where the layer's files are
        self.include_path = include_path  # -I directories, in order
        self.visible = visible            # directories whose files it may include
        self.forbidden = forbidden        # [(regex, why)] for angle includes


def layers(top):
    j = lambda *p: os.path.join(top, *p)
    face_path = lambda face: [j(face), j('include'), j('src', 'com', 'include'), j('src', 'sip', 'include'),
                              j('src', 'media', 'include')]
    face_forbidden = [(OSIP_HEADER_RE, 'libosip2 header'), (SOCKET_HEADER_RE, 'socket header')]
    return [
        Layer('src/sip', [j('src', 'sip')], [j('src', 'sip'), j('src', 'sip', 'include')],
              [j('src', 'sip')], [(COM_HEADER_RE, 'COM/Wine/IDL header')]),
        Layer('src/com', [j('src', 'com')], [j('src', 'com', 'include'), j('include')],
              [j('src', 'com'), j('include')], [(OSIP_HEADER_RE, 'libosip2 header')]),
        Layer('rtccore', [j('rtccore')], face_path('rtccore'),
              [j('rtccore'), j('include'), j('src', 'com', 'include'), j('src', 'sip', 'include'),
               j('src', 'media', 'include')], face_forbidden),
        Layer('ucc', [j('ucc')], face_path('ucc'),
              [j('ucc'), j('include'), j('src', 'com', 'include'), j('src', 'sip', 'include'),
               j('src', 'media', 'include')], face_forbidden),
    ]


def generated_headers(top):
    """Headers widl makes from include/*.idl (in the build tree)."""
    names = set()
    for name in os.listdir(os.path.join(top, 'include')):
        if name.endswith('.idl'):
            names.add(name[:-4] + '.h')
    return names


def layer_files(layer):
    for d in layer.dirs:
        for root, _, files in os.walk(d):
            for name in sorted(files):
                if name.endswith(('.c', '.h')):
                    yield os.path.join(root, name)


def inside(path, directory):
    return os.path.commonpath([os.path.realpath(path), os.path.realpath(directory)]) == os.path.realpath(directory)


def windows_only_lines(text):
    """Line numbers inside an #ifdef _WIN32 branch (its #else and later are not)."""
    lines, stack = set(), []
    for number, line in enumerate(text.split('\n'), 1):
        stripped = line.strip()
        if re.match(r'#\s*if', stripped):
            stack.append(bool(WIN32_IF_RE.match(stripped)))
        elif re.match(r'#\s*(else|elif)', stripped) and stack:
            stack[-1] = False
        elif re.match(r'#\s*endif', stripped) and stack:
            stack.pop()
        elif any(stack):
            lines.add(number)
    return lines


def in_platform_dir(path, layer):
    """src/sip/win32 and src/com/win32: the Windows build's platform code."""
    return any(inside(path, os.path.join(d, 'win32')) for d in layer.dirs)


def check_includes(top):
    leaks = []
    generated = generated_headers(top)
    for layer in layers(top):
        for path in layer_files(layer):
            rel = os.path.relpath(path, top)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            windows_lines = windows_only_lines(text)
            platform_file = in_platform_dir(path, layer)
            # The Windows build also puts the layer's own directory on the path.
            include_path = layer.include_path + (layer.dirs if platform_file else [])
            for match in INCLUDE_RE.finditer(text):
                kind, name = match.group(1), match.group(2).strip()
                line = text.count('\n', 0, match.start()) + 1
                where = f'{rel}:{line}: #include {kind}{name}{">" if kind == "<" else chr(34)}'
                if kind == '<':
                    if WINDOWS_OS_HEADER_RE.match(name) and (platform_file or line in windows_lines):
                        continue
                    for regex, why in layer.forbidden:
                        if regex.search(name):
                            leaks.append(f'{where}: {layer.name} may not include a {why}')
                    continue
                candidates = [os.path.join(os.path.dirname(path), name)] + \
                             [os.path.join(d, name) for d in include_path]
                found = next((c for c in candidates if os.path.isfile(c)), None)
                if found is None:
                    if name in generated and layer.name != 'src/sip':
                        continue
                    if layer.name == 'src/sip' and (name in generated or COM_HEADER_RE.search(name)):
                        leaks.append(f'{where}: {layer.name} may not include a COM/Wine/IDL header')
                    else:
                        leaks.append(f'{where}: not on {layer.name}\'s include path (another layer\'s inside?)')
                    continue
                if not any(inside(found, d) for d in layer.visible):
                    leaks.append(f'{where}: {layer.name} may not see {os.path.relpath(found, top)}')
                elif layer.name == 'src/sip' and COM_HEADER_RE.search(os.path.basename(found)):
                    leaks.append(f'{where}: {layer.name} may not include a COM/Wine/IDL header')
    return leaks


def check_compile_commands(top, path):
    """The include flags CMake gives each layer's sources."""
    leaks = []
    top = os.path.realpath(top)
    j = lambda *p: os.path.join(top, *p)
    with open(path) as f:
        commands = json.load(f)
    rules = {
        'src/sip': [j('src'), j('include'), j('src', 'com'), j('src', 'com', 'include'), j('rtccore'), j('ucc')],
        'src/com': [j('src'), j('src', 'sip'), j('src', 'sip', 'include'), j('rtccore'), j('ucc')],
        'rtccore': [j('src'), j('src', 'sip'), j('src', 'com'), j('ucc')],
        'ucc': [j('src'), j('src', 'sip'), j('src', 'com'), j('rtccore')],
    }
    seen = set()
    for entry in commands:
        source = os.path.realpath(os.path.join(entry.get('directory', ''), entry['file']))
        if not inside(source, top):
            continue
        rel = os.path.relpath(source, top)
        layer = next((name for name in rules if rel.startswith(name + '/')), None)
        if layer is None:
            continue
        args = entry.get('arguments') or shlex.split(entry['command'])
        dirs = []
        i = 0
        while i < len(args):
            for flag in ('-isystem', '-iquote', '-idirafter', '-I'):
                if args[i] == flag and i + 1 < len(args):
                    i += 1
                    dirs.append(args[i])
                    break
                if args[i].startswith(flag) and len(args[i]) > len(flag):
                    dirs.append(args[i][len(flag):])
                    break
            i += 1
        for d in dirs:
            real = os.path.realpath(os.path.join(entry.get('directory', ''), d))
            bad = real in rules[layer] or (layer == 'src/sip' and ('/wine/' in real or real.endswith('/wine')))
            if layer == 'src/sip' and not bad and inside(real, top) and not inside(real, j('src', 'sip')):
                bad = True      # the build tree's generated IDL headers, or anything else of the project
            if bad and (layer, real) not in seen:
                seen.add((layer, real))
                leaks.append(f'{rel}: {layer} is compiled with -I{real} on its include path')
    return leaks


def run(top, compile_commands=None):
    leaks = check_includes(top)
    if compile_commands:
        leaks += check_compile_commands(top, compile_commands)
    return leaks


def self_test(top):
    """Plants each kind of leak in a copy of the tree; each must be caught."""
    cases = [
        ('rtccore includes libosip2', 'rtccore/collection.c', '#include <osip2/osip.h>\n'),
        ('ucc includes a libosip2 parser header', 'ucc/collection.c', '#include <osipparser2/osip_message.h>\n'),
        ('rtccore includes a socket header', 'rtccore/collection.c', '#include <sys/socket.h>\n'),
        ('rtccore includes an engine-internal header', 'rtccore/collection.c', '#include "sip/dialog.h"\n'),
        ('ucc includes one by a relative path', 'ucc/collection.c', '#include "../src/sip/engine.h"\n'),
        ('ucc includes an rtccore header', 'ucc/collection.c', '#include "../rtccore/collection.h"\n'),
        ('rtccore includes a ucc header', 'rtccore/collection.c', '#include "../ucc/ucc_private.h"\n'),
        ('src/sip includes windows.h', 'src/sip/engine.c', '#include <windows.h>\n'),
        ('src/sip includes an OLE header', 'src/sip/engine.c', '#include <oleauto.h>\n'),
        ('src/sip includes rtccore.h', 'src/sip/engine.c', '#include <rtccore.h>\n'),
        ('src/sip includes rtccore.h quoted', 'src/sip/engine.c', '#include "rtccore.h"\n'),
        ('src/sip includes the COM runtime', 'src/sip/engine.c', '#include "../com/include/com/com_private.h"\n'),
        ('src/com includes libosip2', 'src/com/collection.c', '#include <osip2/osip.h>\n'),
        ('src/com includes the engine', 'src/com/collection.c', '#include "../sip/engine.h"\n'),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        def fresh_copy():
            copy = os.path.join(tmp, 'tree')
            shutil.rmtree(copy, ignore_errors=True)
            for d in ('src', 'rtccore', 'ucc', 'include'):
                shutil.copytree(os.path.join(top, d), os.path.join(copy, d))
            return copy

        clean = run(fresh_copy())
        if clean:
            print('self-test: the clean tree has leaks:\n  ' + '\n  '.join(clean), file=sys.stderr)
            failures += 1
        for what, rel, line in cases:
            copy = fresh_copy()
            path = os.path.join(copy, rel)
            with open(path) as f:
                text = f.read()
            with open(path, 'w') as f:
                f.write(line + text)
            leaks = run(copy)
            if len(leaks) == 1 and leaks[0].startswith(rel + ':1:'):
                print(f'self-test: caught: {what}: {leaks[0]}')
            else:
                print(f'self-test: NOT caught as one leak at {rel}:1: {what}: {leaks}', file=sys.stderr)
                failures += 1

        # The include path check, on a compile_commands.json with the old
        # blanket src/ (the faces) and include/ + Wine (the engine).
        copy = fresh_copy()
        bad = [
            {'directory': copy, 'file': os.path.join(copy, 'rtccore', 'collection.c'),
             'command': f'cc -I{copy}/rtccore -I{copy}/src -c rtccore/collection.c'},
            {'directory': copy, 'file': os.path.join(copy, 'src', 'sip', 'engine.c'),
             'command': f'cc -I{copy}/src/sip -I{copy}/include -isystem /usr/include/wine/wine/windows '
                        f'-c src/sip/engine.c'},
            {'directory': copy, 'file': os.path.join(copy, 'ucc', 'collection.c'),
             'command': f'cc -I{copy}/ucc -I{copy}/src/com/include -I{copy}/src/sip/include -c ucc/collection.c'},
        ]
        commands = os.path.join(tmp, 'compile_commands.json')
        with open(commands, 'w') as f:
            json.dump(bad, f)
        leaks = check_compile_commands(copy, commands)
        expected = {('rtccore', os.path.realpath(os.path.join(copy, 'src'))),
                    ('src/sip', os.path.realpath(os.path.join(copy, 'include'))),
                    ('src/sip', '/usr/include/wine/wine/windows')}
        got = {(l.split(': ')[1].split(' ')[0], l.split(' -I')[1].split(' ')[0]) for l in leaks}
        if got == expected:
            for l in leaks:
                print(f'self-test: caught: {l}')
        else:
            print(f'self-test: include path leaks: expected {sorted(expected)}, got {sorted(got)}', file=sys.stderr)
            failures += 1
    if failures:
        print(f'self-test: {failures} case(s) failed', file=sys.stderr)
        return 1
    print(f'self-test: all {len(cases) + 2} cases passed')
    return 0


def main(argv):
    args = argv[1:]
    compile_commands = None
    if '--compile-commands' in args:
        i = args.index('--compile-commands')
        if i + 1 >= len(args):
            print(__doc__, file=sys.stderr)
            return 2
        compile_commands = args[i + 1]
        del args[i:i + 2]
    selftest = '--self-test' in args
    args = [a for a in args if a != '--self-test']
    if len(args) > 1 or any(a.startswith('-') for a in args):
        print(__doc__, file=sys.stderr)
        return 2
    top = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), '..'))
    if selftest:
        return self_test(top)
    leaks = run(top, compile_commands)
    for leak in leaks:
        print(leak, file=sys.stderr)
    if leaks:
        print(f'check-layers: {len(leaks)} leak(s) between layers', file=sys.stderr)
        return 1
    print('check-layers: no leak between layers')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
