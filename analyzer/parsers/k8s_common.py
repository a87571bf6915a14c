"""Shared reading of kubectl output: JSON lists and column-aligned text tables.

kubectl's JSON is a v1 List, pretty-printed with 4-space indent and sorted keys::

    {
        "apiVersion": "v1",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Pod",

so each item opens on a line of its own (``        {``), which gives cheap line numbers.
Text tables are aligned by Go's tabwriter: a header of upper-case names, each column
starting where its name starts, cells padded with spaces::

    NAME         READY   STATUS             RESTARTS         AGE
    rabbitmq-0   0/1     CrashLoopBackOff   12 (2m13s ago)   85m
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers.base import ParseResult, ParserSpec, fail_forward

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_ITEM_OPEN_RE = re.compile(r"\n( +)\{[ \t]*(?=\r?\n)")
# JSON opens at the first non-blank character, or after up to two pasted lines (a shell
# prompt with the command); '[root@admin-ws ~]#' must not pass for an array.
_JSON_OPEN_RE = re.compile(r"\A(?:[^\n]{0,500}\n){0,2}?\s*(?P<open>\{|\[\s*(?:[\[{\]\"\d-]|\Z))")
_HEADER_CELL_RE = re.compile(r"\S+")
TWO_WORD_COLUMNS = frozenset({"LAST SEEN", "FIRST SEEN", "NOMINATED NODE", "READINESS GATES"})


# --- JSON ----------------------------------------------------------------------------------


def json_start(text: str) -> int | None:
    """Offset of the ``{``/``[`` that opens the JSON document, or None when it is not JSON."""
    match = _JSON_OPEN_RE.match(text)
    return match.start("open") if match else None


def load_json(text: str, path: str) -> tuple[object, BundleProblem | None]:
    """Decode a JSON document; on failure (None, problem)."""
    try:
        return json.loads(text), None
    except RecursionError:
        return None, BundleProblem(path, "JSON nested too deeply to read")
    except ValueError as exc:
        where = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        return None, BundleProblem(path, f"invalid JSON{where}: {str(exc)[:200]}")


def json_items(doc: object, kind: str) -> list[object] | None:
    """Items of a kubectl List / <Kind>List / bare array, or ``[doc]`` for one object.

    None when the document is none of those (for example JSON of some other kind).
    """
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        return None
    items = doc.get("items")
    if isinstance(items, list):
        return items
    if doc.get("kind") == kind:
        return [doc]
    return None


def json_objects(
    src: SourceFile, text: str, start: int, kind: str, problems: list[BundleProblem]
) -> list[tuple[dict[str, object], int]]:
    """The ``kind`` objects of the JSON document at ``start``, each with the line it opens on.

    A document that is no such list or object, and items of another kind, become problems.
    """
    doc, problem = load_json(text[start:], src.path)
    if problem is not None:
        problems.append(problem)
        return []
    items = json_items(doc, kind)
    if items is None:
        a = "an" if kind[:1] in "AEIOU" else "a"
        problems.append(
            BundleProblem(src.path, f"JSON is not {a} {kind.lower()} list or {a} {kind}")
        )
        return []
    single = isinstance(doc, dict) and "items" not in doc
    lines = [text.count("\n", 0, start) + 1] if single else item_lines(text, len(items))
    found: list[tuple[dict[str, object], int]] = []
    skipped = 0
    for item, line in zip(items, lines, strict=True):
        if not isinstance(item, dict) or item.get("kind") not in (None, kind):
            skipped += 1
            continue
        found.append((item, line))
    if skipped:
        problems.append(
            BundleProblem(src.path, f"{skipped} list items are not {kind} objects", "those items")
        )
    return found


def item_lines(text: str, count: int) -> list[int]:
    """1-based line where each of ``count`` list items opens, when the JSON is pretty-printed.

    Items open at the smallest indentation whose ``{``-only lines number exactly ``count``;
    compact JSON or any doubt gives line 1 for every item.
    """
    if count <= 0:
        return []
    by_indent: dict[int, list[int]] = {}
    for match in _ITEM_OPEN_RE.finditer(text):
        by_indent.setdefault(len(match.group(1)), []).append(match.start(1))
    for indent in sorted(by_indent):
        starts = by_indent[indent]
        if len(starts) == count:
            lines, line, pos = [], 1, 0
            for start in starts:
                line += text.count("\n", pos, start)
                pos = start
                lines.append(line)
            return lines
        if len(starts) > count:
            break
    return [1] * count


def as_dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def as_str(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def as_int(value: object) -> int | None:
    """An int64-safe integer, or None (booleans, floats with fractions, huge numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
        value = int(value)
    if isinstance(value, int) and INT64_MIN <= value <= INT64_MAX:
        return value
    return None


def as_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


# --- aligned text tables -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    start: int


def header_columns(header: str) -> list[Column]:
    """Column names and start offsets of a tabwriter header (``LAST SEEN`` is one name)."""
    if "\t" in header:
        header = header.expandtabs(8)
    columns: list[Column] = []
    for match in _HEADER_CELL_RE.finditer(header):
        if columns and f"{columns[-1].name} {match.group(0)}" in TWO_WORD_COLUMNS:
            columns[-1] = Column(f"{columns[-1].name} {match.group(0)}", columns[-1].start)
        else:
            columns.append(Column(match.group(0), match.start()))
    return columns


def read_rows(rows: pd.Series, columns: list[Column]) -> pd.DataFrame:
    """Cut rows (a string Series of lines under one header) into cells by column.

    Rows aligned with the header are sliced by position (so empty cells and cells with
    single spaces survive); other rows are split on runs of 2+ spaces or tabs and kept only
    when that gives exactly one cell per column. Result: one string column per column name
    (stripped, empty -> NA) plus a boolean ``_ok``; the index is that of ``rows``.
    """
    rows = rows.astype("string")
    original = rows
    tabbed = rows.str.contains("\t", regex=False).fillna(False).astype(bool)
    if tabbed.any():
        rows = rows.where(~tabbed, rows[tabbed].map(lambda r: r.expandtabs(8)))
    rows = rows.str.rstrip()
    aligned = rows.str.len() > 0
    for col in columns[1:]:
        before = rows.str.slice(col.start - 1, col.start)
        aligned &= before.isin([" ", ""])
    aligned &= rows.str.slice(0, columns[0].start).str.strip() == ""
    aligned = aligned.fillna(False).astype(bool)

    out = pd.DataFrame(index=rows.index)
    bounds = [c.start for c in columns[1:]] + [None]
    for col, end in zip(columns, bounds, strict=True):
        cell = rows.str.slice(col.start, end).str.strip()
        out[col.name] = cell.where(aligned)

    loose = ~aligned & (rows.str.strip().str.len() > 0).fillna(False).astype(bool)
    if loose.any():
        parts = (
            original[loose]
            .str.strip()
            .str.split(r"\s*\t\s*|\s{2,}", n=len(columns) - 1, regex=True)
        )
        fits = parts.map(lambda p: isinstance(p, list) and len(p) == len(columns))
        for i, col in enumerate(columns):
            out.loc[fits[fits].index, col.name] = parts[fits].map(lambda p, i=i: p[i])
        aligned = aligned | fits.reindex(rows.index, fill_value=False).astype(bool)
    for col in columns:
        cell = out[col.name].astype("string")
        out[col.name] = cell.where(cell != "")
    out["_ok"] = aligned
    return out


def split_row(line: str, columns: list[Column], by_position: bool = True) -> list[str] | None:
    """One row cut into cells, as ``read_rows`` does, for a handful of rows (no pandas).

    Empty cells become ``""``; None when the row fits neither the positions nor the
    runs-of-spaces split. ``by_position=False`` skips the positions (header unknown).
    """
    if not by_position:
        parts = re.split(r"\s*\t\s*|\s{2,}", line.strip(), maxsplit=len(columns) - 1)
        return parts if len(parts) == len(columns) else None
    if "\t" in line:
        tabbed = line.expandtabs(8)
        if all(tabbed[c.start - 1 : c.start] in (" ", "") for c in columns[1:]):
            line = tabbed
        else:
            parts = re.split(r"\s*\t\s*|\s{2,}", line.strip(), maxsplit=len(columns) - 1)
            return parts if len(parts) == len(columns) else None
    line = line.rstrip()
    aligned = not line[: columns[0].start].strip() and all(
        line[c.start - 1 : c.start] in (" ", "") for c in columns[1:]
    )
    if aligned:
        bounds = [c.start for c in columns[1:]] + [len(line)]
        return [line[c.start : end].strip() for c, end in zip(columns, bounds, strict=True)]
    parts = re.split(r"\s{2,}", line.strip(), maxsplit=len(columns) - 1)
    return parts if len(parts) == len(columns) else None


def table_blocks(lines: pd.Series, header_re: re.Pattern[str]) -> list[tuple[int, pd.Series]]:
    """Split lines into (header line index, body lines) for each header matching header_re.

    A body runs to the next header; blank lines are dropped.
    """
    is_header = lines.str.match(header_re).fillna(False).astype(bool)
    starts = list(is_header[is_header].index)
    blocks: list[tuple[int, pd.Series]] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = lines.iloc[start + 1 : end]
        body = body[(body.str.strip() != "").fillna(False).astype(bool)]
        blocks.append((start, body))
    return blocks


def lines_not_understood(path: str, lines: list[int], table: str) -> BundleProblem:
    """The problem of the rows of ``table`` (``"the pod table"``) that could not be read."""
    return BundleProblem(
        path,
        f"{len(lines)} lines of {table} not understood (first at line {lines[0]})",
        "those lines",
    )


# --- object kinds ----------------------------------------------------------------------------

_KINDS = {
    k.lower(): k
    for k in (
        "Pod",
        "Node",
        "Service",
        "Endpoints",
        "Namespace",
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "ConfigMap",
        "Secret",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Ingress",
        "ServiceAccount",
        "Lease",
        "EndpointSlice",
    )
}


def object_kind(lower: str) -> str:
    """``statefulset`` (as kubectl get events prints it) -> ``StatefulSet``."""
    return _KINDS.get(lower.lower(), lower[:1].upper() + lower[1:])


JsonReader = Callable[[SourceFile, str, int, ParseResult], None]
TableReader = Callable[[SourceFile, str, SourceContext, ParseResult], None]


def json_or_table(
    src: SourceFile, ctx: SourceContext, what: str, read_json: JsonReader, read_table: TableReader
) -> ParseResult:
    """kubectl output as `-o json` or as its text table, whichever the file holds."""

    def fill(result: ParseResult) -> None:
        text = src.text()
        start = json_start(text)
        if start is not None:
            read_json(src, text, start, result)
        else:
            read_table(src, text, ctx, result)

    return fail_forward(src, what, fill)


def json_or_table_spec(
    *,
    kind: str,
    table: str,
    paths: tuple[str, ...],
    what: str,
    is_json: Callable[[str], bool],
    header: re.Pattern[str],
    read_json: JsonReader,
    read_table: TableReader,
) -> ParserSpec:
    """The spec of a kubectl ``get`` output read by ``json_or_table``.

    Its sniffer leaves a JSON head to ``is_json`` and otherwise looks for the table's
    ``header`` on the first five lines.
    """

    def sniff(head: str) -> bool:
        if json_start(head) is not None:
            return is_json(head)
        return any(header.match(line) for line in head.lstrip().splitlines()[:5])

    def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
        return json_or_table(src, ctx, what, read_json, read_table)

    return ParserSpec(kind=kind, tables=(table,), paths=paths, sniff=sniff, parse=parse)
