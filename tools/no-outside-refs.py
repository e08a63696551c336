#!/usr/bin/env python3
"""Fail when a file of the tree points at a document that a clone of it does not have.

rtcshim was written next to background notes that live outside the repository. A comment or
a doc line that cites one of them ("see DESIGN.md", "transfer.md item 9", "../shared/...")
sends every later reader to a file they cannot open. What the code needs is said in the tree
itself (docs/, tests/abi/facts/) or cited by its public source (a Microsoft page title, an RFC).

    no-outside-refs.py SOURCE_DIR     check every file git knows in SOURCE_DIR (tracked, and
                                      new files not ignored); exit 1 listing each hit
    no-outside-refs.py --self-test    plant each kind of reference in a scratch tree and check
                                      that every one is caught and nothing else is

A name that resolves to a file of the tree (relative to the top or to the citing file's own
directory) is allowed, so the project may have, say, a docs/interop.md of its own.
"""
import os
import re
import subprocess
import sys
import tempfile

SELF = 'tools/no-outside-refs.py'

# Paths into the notes directory, and the file names of the notes themselves.
OUTSIDE_PATH = re.compile(r'(?:\.\./)+shared\b|/work/shared\b|\bshared/(?:reference|seeds)\b'
                          r'|\breference [A-F]\.[0-9]'   # the notes' section numbers, e.g. "reference D.6"
                          r'|(?<![\w.\xa7])[A-F]\.[1-9][0-9]?(?![\w.])')   # ... or bare: "(D.6)", "D.8:"
OUTSIDE_NAME = re.compile(r'(?<![\w.-])([\w./-]*?)\b(DESIGN|transfer|rtc_api|ucc_api|rtc_vtables|interop|mingw)\.md\b')


def tree_files(top):
    """Files git knows (tracked, or new and not ignored); without git, every file but .git/ and build*/."""
    try:
        out = subprocess.run(['git', '-C', top, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                             check=True, capture_output=True).stdout
        names = sorted({n for n in out.decode('utf-8', 'surrogateescape').split('\0') if n})
        return [n for n in names if os.path.isfile(os.path.join(top, n))], True
    except (OSError, subprocess.CalledProcessError):
        names = []
        for root, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d != '.git' and not (root == top and d.startswith('build'))]
            names += [os.path.relpath(os.path.join(root, f), top) for f in files]
        return sorted(names), False


def resolves(top, known, citing, token):
    """True when token names a file of the tree, from the top or from the citing file's directory."""
    for base in ('', os.path.dirname(citing)):
        path = os.path.normpath(os.path.join(base, token))
        if path in known:
            return True
    return False


def check(top):
    names, from_git = tree_files(top)
    known = set(names)
    hits = []
    for name in names:
        if name == SELF:
            continue
        try:
            with open(os.path.join(top, name), 'rb') as f:
                data = f.read()
        except OSError as e:
            hits.append(f'{name}: cannot read: {e}')
            continue
        if b'\0' in data[:8192]:
            continue    # binary
        text = data.decode('utf-8', 'replace')
        for lineno, line in enumerate(text.splitlines(), 1):
            for m in OUTSIDE_PATH.finditer(line):
                hits.append(f'{name}:{lineno}: {m.group(0)!r}: {line.strip()}')
            for m in OUTSIDE_NAME.finditer(line):
                token = m.group(0)
                if not resolves(top, known, name, token):
                    hits.append(f'{name}:{lineno}: {token!r}: {line.strip()}')
    return names, from_git, hits


def main_check(top):
    names, from_git, hits = check(top)
    if not names:
        print(f'no-outside-refs: no files found under {top}', file=sys.stderr)
        return 1
    source = 'git' if from_git else 'a directory walk (no git)'
    if hits:
        print(f'no-outside-refs: {len(hits)} reference(s) to documents outside the tree '
              f'({len(names)} files from {source}); say it in the tree or cite the public source:')
        for h in hits:
            print('  ' + h)
        return 1
    print(f'no-outside-refs: {len(names)} files from {source}, no reference outside the tree')
    return 0


def self_test():
    planted = {
        'a.c': '/* see ../shared/reference/notes */\n',
        'b.h': '/* as /work/shared/seeds/001 shows */\n',
        'c.txt': 'from shared/reference, section 2\n',
        'd.sh': '# shared/seeds/003 has the example\n',
        'e.md': 'Threads: DESIGN.md.\n',
        'f.c': '/* transfer.md, item 9 */\n',
        'g.c': '/* rtc_api.md D.6 */\n',
        'h.idl': '/* ucc_api.md section 5 */\n',
        'i.md': 'slots from rtc_vtables.md\n',
        'j.sh': '# the peers (interop.md)\n',
        'k.cmake': '# cross build: see mingw.md\n',
        'l.c': '/* ../../shared/reference/interop.md */\n',
        'm.c': '/* E_INVALIDARG (reference D.6) */\n',
        'n.c': '/* the default filter delivers nothing (D.1) */\n',
        'o.c': '/* D.8: a session with a profile */\n',
    }
    clean = {
        'docs/interop.md': 'Our own page about peers.\n',
        'docs/other.md': 'See interop.md beside this page and docs/interop.md from the top.\n',
        'src/x.c': '/* transfer rule 9 (docs/architecture.md); MSDN: IRTCSessionCallControl::Refer */\n'
                   '/* a shared/ directory of our own: shared/util.c; a reference count */\n'
                   '/* RFC 3261 \xa7A.1, GLib 2.74.6, figure B.12a, 0xA.1 */\n',
    }
    failures = []
    with tempfile.TemporaryDirectory() as top:
        for name, text in {**planted, **clean}.items():
            os.makedirs(os.path.join(top, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(top, name), 'w') as f:
                f.write(text)
        for use_git in (True, False):
            if use_git:
                try:
                    subprocess.run(['git', 'init', '-q', top], check=True, capture_output=True)
                except (OSError, subprocess.CalledProcessError):
                    failures.append('git init failed: cannot test the git path')
                    continue
            else:
                subprocess.run(['rm', '-rf', os.path.join(top, '.git')], check=True)
            names, from_git, hits = check(top)
            mode = 'git' if use_git else 'walk'
            if from_git != use_git:
                failures.append(f'{mode}: listed files with the wrong method')
            caught = {h.split(':', 1)[0] for h in hits}
            for name in planted:
                if name not in caught:
                    failures.append(f'{mode}: {name} not caught: {planted[name].strip()}')
            for name in clean:
                if name in caught:
                    failures.append(f'{mode}: {name} wrongly caught: ' +
                                    '; '.join(h for h in hits if h.startswith(name + ':')))
            if len([h for h in hits if h.startswith('l.c:')]) != 2:
                failures.append(f'{mode}: l.c should give two hits (the path and the name)')
    if failures:
        print('no-outside-refs self-test FAILED:')
        for f in failures:
            print('  ' + f)
        return 1
    print(f'no-outside-refs self-test: {len(planted)} planted references caught, '
          f'{len(clean)} clean files passed, with git and without')
    return 0


if __name__ == '__main__':
    if sys.argv[1:] == ['--self-test']:
        sys.exit(self_test())
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main_check(sys.argv[1]))
