"""Box tables of pcdctl / openstackclient (osc) ``-f table`` output (cliff/prettytable).

As lists or as ``show`` Field | Value tables::

    +--------------------------------------+--------+--------+----------+--------+----------+
    | ID                                   | Name   | Status | Networks | Image  | Flavor   |
    +--------------------------------------+--------+--------+----------+--------+----------+
    | 6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13 | web-07 | BUILD  |          | ubuntu | m1.small |
    +--------------------------------------+--------+--------+----------+--------+----------+

    +-----------------------+--------------------------------------+
    | Field                 | Value                                |
    +-----------------------+--------------------------------------+
    | OS-EXT-STS:vm_state   | building                             |
    | id                    | 6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13 |
    +-----------------------+--------------------------------------+

Box-drawing characters (``│ ┼ ║``...) are read as ``| + -``. A cell spread over several
lines (a value with newlines, or wrapped by ``--fit-width``) continues on lines whose first
cell is empty; its pieces are joined with ``\\n``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from analyzer.parsers.osc_values import nkey

_BOX = str.maketrans(
    {
        **dict.fromkeys("┌┬┐├┼┤└┴┘╔╦╗╠╬╣╚╩╝╒╤╕╞╪╡╘╧╛", "+"),
        **dict.fromkeys("─━═", "-"),
        **dict.fromkeys("│┃║", "|"),
    }
)
_BORDER = re.compile(r"^[ \t]*\+(?:[-=]+\+)+[ \t]*$")
_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    row_lines: list[int]  # 1-based line of each row's first line
    line: int  # 1-based line of the header


def _lines_of(text: str) -> list[str]:
    if "│" in text or "┼" in text or "║" in text:
        text = text.translate(_BOX)
    return text.splitlines()


def _split(line: str, plus: list[int]) -> list[str]:
    """Cells of a row line; column edges from the border above when they line up."""
    ncols = len(plus) - 1
    if len(line) > plus[-1] and all(line[p] == "|" for p in plus):
        return [line[a + 1 : b].strip() for a, b in pairwise(plus)]
    inner = line.strip()[1:-1]
    parts = inner.split("|")
    if len(parts) > ncols:  # a value holding '|': give the surplus to the last column
        parts = [*parts[: ncols - 1], "|".join(parts[ncols - 1 :])]
    cells = [p.strip() for p in parts]
    return cells + [""] * (ncols - len(cells))


def parse_tables(text: str) -> list[Table]:
    """Every box table in ``text``: header, rows (continuation lines folded in)."""
    if "|" not in text and "│" not in text:
        return []
    lines = _lines_of(text)
    n = len(lines)
    tables: list[Table] = []
    i = 0
    while i < n:
        if not _BORDER.match(lines[i]):
            i += 1
            continue
        plus = [k for k, ch in enumerate(lines[i]) if ch == "+"]
        j = i + 1
        while j < n and _ROW.match(lines[j]):
            j += 1
        if j == i + 1 or j >= n or not _BORDER.match(lines[j]):
            i = max(j, i + 1)
            continue
        head_cells = [_split(lines[k], plus) for k in range(i + 1, j)]
        header = [" ".join(c for c in col if c) for col in zip(*head_cells, strict=False)]
        table = Table(header=header, rows=[], row_lines=[], line=i + 2)
        j += 1
        new_row = True
        while j < n:
            line = lines[j]
            if _ROW.match(line):
                cells = _split(line, plus)
                if table.rows and not new_row and cells[0] == "":
                    last = table.rows[-1]
                    for k, cell in enumerate(cells):
                        if cell:
                            last[k] = f"{last[k]}\n{cell}" if last[k] else cell
                else:
                    table.rows.append(cells)
                    table.row_lines.append(j + 1)
                new_row = False
                j += 1
            elif _BORDER.match(line) and j + 1 < n and _ROW.match(lines[j + 1]):
                new_row = True  # a rule between rows (hrules=ALL)
                j += 1
            else:
                break
        tables.append(table)
        i = j + 1 if j < n and _BORDER.match(lines[j]) else j
    return tables


def table_headers(head: str) -> list[list[str]]:
    """Header rows (a row between two borders) in a sniffing head: cheap, no body parsing."""
    if "|" not in head and "│" not in head:
        return []
    lines = _lines_of(head)
    found: list[list[str]] = []
    for k in range(len(lines) - 2):
        if _BORDER.match(lines[k]) and _ROW.match(lines[k + 1]) and _BORDER.match(lines[k + 2]):
            found.append([c.strip() for c in lines[k + 1].strip()[1:-1].split("|")])
    return found


def is_field_value(header: Sequence[str]) -> bool:
    """``| Field | Value |`` (openstackclient) or ``| Property | Value |`` (novaclient)."""
    return (
        len(header) >= 2
        and nkey(header[0]) in ("field", "property")
        and nkey(header[-1]) == "value"
    )
