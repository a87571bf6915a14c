"""The JSON documents of pcdctl / openstackclient (osc) output, with their line numbers.

``-f json`` prints a list of objects, pretty-printed with an indent of 2::

    [
      {
        "ID": "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13",
        "Name": "web-07",
        "Status": "BUILD"
      }
    ]

Several outputs may be appended to one file, a shell prompt may stand above the output,
and a collection cut short leaves a list that never closes: :func:`scan_json` keeps every
complete object it can read and says what went wrong; :func:`json_at_start` and
:func:`json_later` find where the JSON begins.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def skip_ws(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in _SPACE:
        pos += 1
    return pos


class _Lines:
    """1-based line number of a character offset; cheap for increasing offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def at(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


@dataclass
class JsonItem:
    value: dict[str, object]
    line: int
    in_list: bool  # an element of a top-level list (else a top-level document)


@dataclass
class JsonScan:
    items: list[JsonItem] = field(default_factory=list)  # the JSON objects found
    others: int = 0  # values that are not objects (numbers, strings, nested lists)
    error: str | None = None


MAX_SCANNED = 500_000  # list elements read one by one (recovery after invalid JSON)
MAX_DOCUMENTS = 10_000  # top-level documents appended in one file


def _decode_at(text: str, pos: int) -> tuple[object, int]:
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _take(scan: JsonScan, value: object, line: int, in_list: bool) -> None:
    if isinstance(value, dict):
        scan.items.append(JsonItem(value, line, in_list))
    else:
        scan.others += 1


def _element_lines(text: str, pos: int, end: int, count: int, lines: _Lines) -> list[int] | None:
    """Lines where the elements of the list at ``text[pos:end]`` start, found cheaply.

    A list on one line: all on that line. Pretty-printed output (``-f json`` indents by 2):
    the lines with exactly the first element's indentation. None when neither fits.
    """
    first = lines.at(pos)
    if text.find("\n", pos, end) < 0:
        return [first] * count
    p = skip_ws(text, pos + 1)
    line_start = text.rfind("\n", pos, p) + 1
    if line_start <= pos:
        return None
    indent = text[line_start:p]
    pattern = re.compile("^" + re.escape(indent) + r"(?=[^\s\]}])", re.MULTILINE)
    starts = [m.start() for m in pattern.finditer(text, line_start, end)]
    if len(starts) != count:
        return None
    return [lines.at(s) for s in starts]


def _scan_list(text: str, pos: int, lines: _Lines, scan: JsonScan) -> int:
    """Read the list opening at ``pos`` element by element; returns the offset after it.

    Slow (one decode call per element) but keeps every complete element of a list that is
    cut short or broken further on. Sets ``scan.error`` when it stops early.
    """
    n = len(text)
    p = skip_ws(text, pos + 1)
    if p < n and text[p] == "]":
        return p + 1
    for _ in range(MAX_SCANNED):
        try:
            value, end = _decode_at(text, p)
        except ValueError as exc:
            scan.error = f"invalid JSON: {exc}"
            return n
        _take(scan, value, lines.at(p), in_list=True)
        p = skip_ws(text, end)
        if p < n and text[p] == ",":
            p = skip_ws(text, p + 1)
            continue
        if p < n and text[p] == "]":
            return p + 1
        found = repr(text[p]) if p < n else "end of file"
        scan.error = f"invalid JSON at line {lines.at(p)}: expected ',' or ']', got {found}"
        return n
    scan.error = f"invalid JSON list: stopped reading after {MAX_SCANNED} elements"
    return n


def scan_json(text: str, start: int = 0) -> JsonScan:
    """The JSON objects of ``text[start:]`` with their lines; a top-level list is opened.

    Several documents one after another (outputs appended to one file) are all read. On
    invalid JSON the objects read so far are kept and ``error`` says what went wrong.
    """
    scan = JsonScan()
    lines = _Lines(text)
    n = len(text)
    pos = skip_ws(text, start)
    documents = 0
    while pos < n:
        documents += 1
        if documents > MAX_DOCUMENTS:
            scan.error = f"more than {MAX_DOCUMENTS} JSON documents in one file"
            break
        try:
            value, end = _decode_at(text, pos)
        except ValueError as exc:
            if text[pos] == "[":
                _scan_list(text, pos, lines, scan)
            else:
                scan.error = f"invalid JSON: {exc}"
            break
        if isinstance(value, list):
            found = _element_lines(text, pos, end, len(value), lines)
            if found is not None:
                for element, line in zip(value, found, strict=True):
                    _take(scan, element, line, in_list=True)
            elif len(value) <= MAX_SCANNED:
                _scan_list(text, pos, lines, scan)
            else:
                line = lines.at(pos)
                for element in value:
                    _take(scan, element, line, in_list=True)
        else:
            _take(scan, value, lines.at(pos), in_list=False)
        pos = skip_ws(text, end)
    return scan


_JSON_LINE = re.compile(r"^[ \t]*[\[{]", re.MULTILINE)


# A shell prompt pasted above the output (`[root@admin-ws ~]# openstack server list`)
# starts with `[` as JSON does; it is not JSON.
_PROMPT_LINE = re.compile(r"\[[^\]\n]*@[^\]\n]*\]\s*[#$]")


def json_at_start(text: str) -> int | None:
    pos = skip_ws(text, 0)
    if pos >= len(text) or text[pos] not in "[{" or _PROMPT_LINE.match(text, pos):
        return None
    return pos


def json_later(text: str) -> int | None:
    """Offset of the first line that opens JSON (output pasted after a prompt line)."""
    match = _JSON_LINE.search(text)
    return match.start() if match else None
