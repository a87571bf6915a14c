"""The merged timeline as ``analyze timeline`` prints or writes it: a table, CSV or Parquet.

Bundle text is untrusted. In the table, control characters (terminal escape sequences,
carriage returns, NULs) are shown as ``\\x1b``-style escapes so a log line cannot drive the
terminal. In CSV, a cell that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return) gets a leading apostrophe. Parquet keeps the
values as they are, with their types.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from analyzer.model import iso

TABLE_COLUMNS = ("timestamp", "source", "lane", "severity", "family", "where", "message")
EXPORT_COLUMNS = (
    "timestamp",
    "read_at",
    "offset_s",
    "source",
    "lane",
    "service",
    "severity",
    "family",
    "role",
    "instance",
    "request_id",
    "global_request_id",
    "clock",
    "approximate",
    "file",
    "line",
    "message",
)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
MAX_MESSAGE = 300


def _escape_control(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text).replace("\t", " ")


def _where(frame: pd.DataFrame) -> pd.Series:
    line = frame["line"].astype("string")
    return frame["file"].astype("string").fillna("?") + (":" + line).fillna("")


def _times(values: pd.Series) -> pd.Series:
    return pd.Series([iso(v.to_pydatetime()) if pd.notna(v) else "" for v in values], dtype=object)


def table_text(frame: pd.DataFrame) -> str:
    """Fixed-width columns (message last, cut at MAX_MESSAGE characters), one row a line."""
    if frame.empty:
        return ""
    cells = {
        "timestamp": _times(frame["timestamp"]),
        "source": frame["source"].astype("string").fillna(""),
        "lane": frame["lane"].astype("string").fillna(""),
        "severity": frame["severity"].astype("string").fillna(""),
        "family": frame["family"].astype("string").fillna("-"),
        "where": _where(frame),
        "message": frame["message"].astype("string").fillna("").str.slice(0, MAX_MESSAGE),
    }
    rows = pd.DataFrame({k: v.reset_index(drop=True).astype(str) for k, v in cells.items()})
    rows = rows.map(_escape_control)
    widths = {c: max(len(c), int(rows[c].str.len().max())) for c in TABLE_COLUMNS[:-1]}
    head = "  ".join(c.upper().ljust(widths[c]) for c in TABLE_COLUMNS[:-1]) + "  MESSAGE"
    lines = [head]
    for values in rows.to_dict("records"):
        fixed = "  ".join(str(values[c]).ljust(widths[c]) for c in TABLE_COLUMNS[:-1])
        lines.append(f"{fixed}  {values['message']}".rstrip())
    return "\n".join(lines) + "\n"


def _export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(EXPORT_COLUMNS)].reset_index(drop=True)


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    out = _export_frame(frame)
    text = out.astype(object).where(out.notna(), "")
    for col in ("timestamp", "read_at"):
        text[col] = _times(out[col])
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180 CRLF: a CR inside a value gets quoted too
    writer.writerow(EXPORT_COLUMNS)
    for row in text.itertuples(index=False):
        writer.writerow([_defuse(v) for v in row])
    return buffer.getvalue()


def write_parquet(frame: pd.DataFrame, target: Path) -> None:
    _export_frame(frame).to_parquet(target, index=False)
