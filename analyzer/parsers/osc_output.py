"""A whole pcdctl / python-openstackclient output read into records: JSON, box table or CSV.

A list command's output (:func:`read_list`, :func:`list_rows`) may be ``-f json``,
``-f table`` or ``-f csv``; a ``show`` command's (:func:`read_show`) JSON or a Field |
Value table. ``-f csv`` as the CLI prints it::

    "ID","Name","Status","Networks","Image","Flavor"
    "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13","web-07","BUILD","","ubuntu","m1.small"

What comes out is a list of :class:`Record` (the fields as printed, with the 1-based line
where the record starts) plus :class:`~analyzer.model.BundleProblem` for what could not be
read. The kind-specific parsers map the fields onto table columns.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from analyzer.model import BundleProblem, SourceFile
from analyzer.parsers.osc_json import json_at_start, json_later, scan_json, skip_ws
from analyzer.parsers.osc_table import Table, is_field_value, parse_tables

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


# --- CSV ---------------------------------------------------------------------------------


def _csv_records(text: str, accept: Callable[[Sequence[str]], bool], out: Output) -> bool:
    """``-f csv`` output: a quoted header row then one row per object."""
    offset = skip_ws(text, 0)
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
    start = json_at_start(text)
    if start is None:
        tables = parse_tables(text)
        if tables:
            _list_tables(tables, accept, what, out)
            return out
        start = json_later(text)
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
    start = json_at_start(text)
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
        start = json_later(text)
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
