"""Reads tests/abi/facts/*.tsv: the ABI facts the tests check the headers against.

Each line: kind, scope, name, value, source (tab-separated, "-" where a column does not apply);
lines starting with "#" are comments, the first other line is the column header.
tests/abi/facts/README.md says what each kind means and where the facts came from.
"""
import sys

COLUMNS = ['kind', 'scope', 'name', 'value', 'source']


def read_facts(path, kinds):
    """[(kind, scope, name, value, source)] in file order; exits with a message when the file is
    missing or a line cannot be read: the ABI tests fail, never skip, without their facts."""
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except OSError as e:
        sys.exit(f'{path}: cannot read the ABI facts ({e.strerror}); they are part of the source tree')
    rows, header = [], None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith('#'):
            continue
        cells = line.split('\t')
        if header is None:
            header = cells
            if header != COLUMNS:
                sys.exit(f'{path}:{number}: the header is {header}, expected {COLUMNS}')
            continue
        if len(cells) != len(COLUMNS) or not all(cells):
            sys.exit(f'{path}:{number}: expected {len(COLUMNS)} non-empty tab-separated columns: {line!r}')
        if cells[0] not in kinds:
            sys.exit(f'{path}:{number}: unknown kind {cells[0]!r} (known: {", ".join(sorted(kinds))})')
        rows.append(tuple(cells))
    if not rows:
        sys.exit(f'{path}: no facts in it')
    return rows
