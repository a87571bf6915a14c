"""Shared reading of pcdctl / python-openstackclient output: JSON, box tables and CSV.

``-f table`` output (cliff/prettytable) as lists or as ``show`` Field | Value tables::

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

A cell spread over several lines (a value with newlines, or wrapped by ``--fit-width``)
continues on lines whose first cell is empty; its pieces are joined with ``\\n``.

What comes out is a list of :class:`Record` (the fields as printed, with the 1-based line
where the record starts) plus :class:`~analyzer.model.BundleProblem` for what could not be
read. The kind-specific parsers map the fields onto table columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import pandas as pd

from analyzer.frames import TS, row_files
from analyzer.model import BundleProblem, SourceFile

# --- text ------------------------------------------------------------------------------


def decode(src: SourceFile) -> tuple[str, list[BundleProblem]]:
    """The file's text: UTF-8 (UTF-16 when it has a BOM, as PowerShell writes), BOM removed."""
    data = src.data
    problems: list[BundleProblem] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data.decode("utf-8", errors="replace")
            problems.append(
                BundleProblem(
                    file=src.path,
                    problem=f"not valid UTF-8 (first bad byte at offset {exc.start})",
                    skipped="the undecodable bytes (replaced)",
                )
            )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, problems


def sniff_text(head: str) -> str:
    """Normalise a sniffing head: drop NULs (UTF-16 read as UTF-8) and a leading BOM."""
    if "\x00" in head:
        head = head.replace("\x00", "")
    return head.lstrip("\ufeff\ufffd")


_KEY_SEP = re.compile(r"[\s_]+")


@lru_cache(maxsize=4096)
def nkey(key: str) -> str:
    """Column header / JSON key folded for lookup: ``Updated_at`` -> ``updated at``."""
    return _KEY_SEP.sub(" ", key.strip().lower())


_NULLS = frozenset({"", "none", "null", "-", "n/a", "<none>"})


def clean(value: object) -> object:
    """None for the ways the CLI prints "no value"; strings stripped."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, str):
        text = value.strip()
        return None if text.lower() in _NULLS else text
    return value


def pick(fields: Mapping[str, object], *keys: str) -> object:
    """The first present, non-null value among ``keys`` (already folded with nkey)."""
    for key in keys:
        value = clean(fields.get(key))
        if value is not None:
            return value
    return None


def text_of(value: object) -> str | None:
    """A scalar as text; containers and nulls give None."""
    value = clean(value)
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


def bool_of(value: object) -> bool | None:
    value = clean(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value) if value in (0, 1) else None
    if isinstance(value, str):
        low = value.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    return None


# --- timestamps --------------------------------------------------------------------------

_TS = pd.api.types.pandas_dtype(TS)  # the declared timestamp dtype (tz-aware UTC)
_NS_RANGE = (pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC"))
_SUBMICRO = re.compile(r"(\.\d{6})\d+")


def utc_timestamps(
    frame: pd.DataFrame,
    columns: Iterable[str],
    path: str | None,
    problems: list[BundleProblem],
) -> None:
    """Turn API timestamp text into the declared tz-aware UTC dtype, in place.

    API timestamps are UTC whether they say so (``...Z``) or not (``...000000``); an
    explicit offset is honoured. Digits below the microsecond are dropped (one such value
    would otherwise make pandas read the whole column in nanoseconds, whose range ends in
    2262). Unreadable or unrepresentable values become NaT and one BundleProblem per column
    and file: ``path``, or (None) the ``file`` of each row when the frame holds several.
    """
    for col in columns:
        if col not in frame.columns:
            continue
        raw = frame[col].astype("string")
        text = raw.str.replace(_SUBMICRO, r"\1", regex=True)
        parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        if getattr(_TS, "unit", "ns") == "ns":
            lo, hi = _NS_RANGE
            parsed = parsed.mask(parsed.notna() & ((parsed < lo) | (parsed > hi)))
        bad = raw.notna() & parsed.isna()
        frame[col] = parsed.astype(_TS)
        if not bad.any():
            continue
        for file, values in raw[bad].groupby(row_files(frame, path)[bad], sort=False):
            sample = str(values.iloc[0])[:60]
            problems.append(
                BundleProblem(
                    file=str(file),
                    problem=f"{len(values)} unreadable or out-of-range {col} value(s), "
                    f"e.g. {sample!r}",
                    skipped=f"those {col} values",
                )
            )


# --- records -----------------------------------------------------------------------------


@dataclass
class Record:
    """One object of the output: fields as printed (header text or JSON key)."""

    fields: dict[str, object]
    line: int  # 1-based line where the record starts


@dataclass
class Output:
    path: str
    records: list[Record] = field(default_factory=list)
    problems: list[BundleProblem] = field(default_factory=list)
    form: str = ""  # json | table | csv | "" (nothing recognised)


# --- JSON --------------------------------------------------------------------------------

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def _skip_ws(text: str, pos: int) -> int:
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
    p = _skip_ws(text, pos + 1)
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
    p = _skip_ws(text, pos + 1)
    if p < n and text[p] == "]":
        return p + 1
    for _ in range(MAX_SCANNED):
        try:
            value, end = _decode_at(text, p)
        except ValueError as exc:
            scan.error = f"invalid JSON: {exc}"
            return n
        _take(scan, value, lines.at(p), in_list=True)
        p = _skip_ws(text, end)
        if p < n and text[p] == ",":
            p = _skip_ws(text, p + 1)
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
    pos = _skip_ws(text, start)
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
        pos = _skip_ws(text, end)
    return scan


_JSON_LINE = re.compile(r"^[ \t]*[\[{]", re.MULTILINE)


# A shell prompt pasted above the output (`[root@admin-ws ~]# openstack server list`)
# starts with `[` as JSON does; it is not JSON.
_PROMPT_LINE = re.compile(r"\[[^\]\n]*@[^\]\n]*\]\s*[#$]")


def _json_at_start(text: str) -> int | None:
    pos = _skip_ws(text, 0)
    if pos >= len(text) or text[pos] not in "[{" or _PROMPT_LINE.match(text, pos):
        return None
    return pos


def _json_later(text: str) -> int | None:
    """Offset of the first line that opens JSON (output pasted after a prompt line)."""
    match = _JSON_LINE.search(text)
    return match.start() if match else None


# --- box tables --------------------------------------------------------------------------

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


_JSON_LIST = re.compile(r"^[ \t]*\[\s*\{", re.MULTILINE)


def has_key(head: str, key: str) -> bool:
    """``"key":`` stands in the head (a JSON key, wherever the document put it)."""
    return re.search(rf'"{re.escape(key)}"\s*:', head) is not None


def sniff_list(
    head: str,
    *,
    accept: Callable[[Sequence[str]], bool],
    wrapper: str,
    json_list: Callable[[str], bool],
    api_list: Callable[[str], bool],
) -> bool:
    """A list command's output of one kind, in any form ``read_list`` reads.

    A JSON list is judged by ``json_list``, a raw API response (``{"<wrapper>": [...]}``)
    by ``api_list``, each given the normalised head; a table or CSV by its header.
    """
    head = sniff_text(head)
    if _JSON_LIST.search(head):
        return json_list(head)
    if re.search(rf'^[ \t]*\{{\s*"{re.escape(wrapper)}"\s*:\s*\[', head, re.MULTILINE):
        return api_list(head)
    if any(accept(h) for h in table_headers(head)):
        return True
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith('"') and accept([c.strip().strip('"') for c in first.split(",")])


# --- CSV ---------------------------------------------------------------------------------


def _csv_records(text: str, accept: Callable[[Sequence[str]], bool], out: Output) -> bool:
    """``-f csv`` output: a quoted header row then one row per object."""
    offset = _skip_ws(text, 0)
    first_line = text.count("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    header_text = text[offset : line_end if line_end >= 0 else len(text)]
    if "," not in header_text:
        return False
    try:
        header = next(csv.reader([header_text]))
    except (csv.Error, StopIteration):
        return False
    header = [h.strip() for h in header]
    if not accept(header):
        return False
    out.form = "csv"
    reader = csv.reader(io.StringIO(text[offset:]))
    try:
        next(reader)
        previous = reader.line_num
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            fields: dict[str, object] = dict(zip(header, row, strict=False))
            out.records.append(Record(fields, first_line + start - 1))
    except csv.Error as exc:
        out.problems.append(
            BundleProblem(
                file=out.path,
                problem=f"unreadable CSV at line {first_line + reader.line_num - 1}: {exc}",
                skipped="the rest of the file",
            )
        )
    return True


# --- whole outputs -----------------------------------------------------------------------


def _start(src: SourceFile) -> tuple[str, Output]:
    text, problems = decode(src)
    out = Output(path=src.path, problems=problems)
    if not text.strip():
        out.problems.append(BundleProblem(file=src.path, problem="empty file", skipped="nothing"))
    return text, out


def _leading_text(out: Output, text: str, start: int) -> None:
    # splitlines() also breaks at form feeds and U+2028 that strip() keeps: no first line
    lead = [line for line in text[:start].splitlines() if line.strip()]
    first = lead[0].strip()[:80] if lead else text[:start][:80]
    out.problems.append(
        BundleProblem(
            file=out.path,
            problem=f"text before the JSON output ({first!r})",
            skipped=f"lines 1-{text.count(chr(10), 0, start)}",
        )
    )


def _json_error(out: Output, error: str | None) -> None:
    if error:
        out.problems.append(
            BundleProblem(file=out.path, problem=error[:300], skipped="the rest of the file")
        )


def read_list(
    src: SourceFile, *, accept: Callable[[Sequence[str]], bool], wrapper: str, what: str
) -> Output:
    """Records of a list command's output (``-f json``, ``-f table`` or ``-f csv``).

    ``accept`` says whether a table/CSV header belongs to this kind; ``wrapper`` is the key
    of a raw API response (``{"servers": [...]}``), also accepted.
    """
    text, out = _start(src)
    if not text.strip():
        return out
    start = _json_at_start(text)
    if start is None:
        tables = parse_tables(text)
        if tables:
            _list_tables(tables, accept, what, out)
            return out
        start = _json_later(text)
        if start is not None:
            _leading_text(out, text, start)
    if start is not None:
        stray: list[int] = []
        out.form = "json"
        scan = scan_json(text, start)
        not_objects = scan.others
        for item in scan.items:
            elements = item.value.get(wrapper)
            if item.in_list:
                out.records.append(Record(item.value, item.line))
            elif isinstance(elements, list):
                for element in elements:
                    if isinstance(element, dict):
                        out.records.append(Record(element, item.line))
                    else:
                        not_objects += 1
            else:
                stray.append(item.line)
        if stray:
            out.problems.append(
                BundleProblem(
                    file=src.path,
                    problem=f"{len(stray)} JSON object(s) (first at line {stray[0]}) where a "
                    f"list of {what} was expected",
                    skipped="those objects",
                )
            )
        if not_objects:
            out.problems.append(
                BundleProblem(
                    file=src.path,
                    problem=f"{not_objects} JSON value(s) that are not {what} objects",
                    skipped="those values",
                )
            )
        _json_error(out, scan.error)
        return out
    if not _csv_records(text, accept, out):
        out.problems.append(
            BundleProblem(
                file=src.path,
                problem=f"not recognised as {what} output (expected -f json, -f table or -f csv)",
                skipped="this file",
            )
        )
    return out


def list_rows(
    src: SourceFile,
    problems: list[BundleProblem],
    row_of: Callable[[Mapping[str, object]], dict[str, object]],
    *,
    accept: Callable[[Sequence[str]], bool],
    wrapper: str,
    what: str,
) -> list[dict[str, object]]:
    """``row_of`` each record of a list command's output (``read_list``), with its file and
    line; what the reading found wrong goes to ``problems``."""
    out = read_list(src, accept=accept, wrapper=wrapper, what=what)
    problems.extend(out.problems)
    return [{**row_of(r.fields), "file": src.path, "line": r.line} for r in out.records]


def _list_tables(
    tables: list[Table], accept: Callable[[Sequence[str]], bool], what: str, out: Output
) -> None:
    matching = [t for t in tables if accept(t.header)]
    if not matching:
        headers = "; ".join(" | ".join(t.header) for t in tables[:3])
        out.problems.append(
            BundleProblem(
                file=out.path,
                problem=f"no {what} table found (table headers: {headers[:200]})",
                skipped="this file",
            )
        )
        return
    out.form = "table"
    for table in matching:
        for cells, line in zip(table.rows, table.row_lines, strict=False):
            fields: dict[str, object] = dict(zip(table.header, cells, strict=False))
            out.records.append(Record(fields, line))


def read_show(src: SourceFile, *, wrapper: str, what: str) -> Output:
    """Records of ``show`` output: JSON objects (one or several) or Field | Value tables."""
    text, out = _start(src)
    if not text.strip():
        return out
    start = _json_at_start(text)
    if start is None:
        tables = [t for t in parse_tables(text) if is_field_value(t.header)]
        if tables:
            out.form = "table"
            for table in tables:
                fields: dict[str, object] = {}
                for cells in table.rows:
                    fields.setdefault(cells[0], cells[-1])
                out.records.append(Record(fields, table.line))
            return out
        start = _json_later(text)
        if start is None:
            out.problems.append(
                BundleProblem(
                    file=src.path,
                    problem=f"not recognised as {what} output (expected -f json or -f table)",
                    skipped="this file",
                )
            )
            return out
        _leading_text(out, text, start)
    out.form = "json"
    scan = scan_json(text, start)
    for item in scan.items:
        value = item.value
        inner = value.get(wrapper)
        out.records.append(Record(inner if isinstance(inner, dict) else value, item.line))
    if scan.others:
        out.problems.append(
            BundleProblem(
                file=src.path,
                problem=f"{scan.others} JSON value(s) where a {what} object was expected",
                skipped="those values",
            )
        )
    _json_error(out, scan.error)
    return out


def folded(fields: Mapping[str, object]) -> dict[str, object]:
    """Fields keyed by nkey (the first of keys folding alike wins)."""
    out: dict[str, object] = {}
    for key, value in fields.items():
        out.setdefault(nkey(str(key)), value)
    return out
