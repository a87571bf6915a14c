"""Rows of either side as evidence (``file:line``, time, text) and times as pandas values."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analyzer.cells import opt_str
from analyzer.document import Evidence
from analyzer.model import iso


def when(value: str | None) -> pd.Timestamp | None:
    """A document time (ISO, Z) as a UTC timestamp; None when missing or unreadable."""
    if not value:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def row_evidence(row: Any, text: str | None = None, time_column: str = "timestamp") -> Evidence:
    """A frame or timeline row as evidence; ``text`` replaces the row's message."""
    line = row.get("line")
    stamp = row.get(time_column)
    return Evidence(
        file=opt_str(row.get("file")) or "?",
        line=int(line) if line is not None and not pd.isna(line) else None,
        timestamp=iso(stamp) if isinstance(stamp, pd.Timestamp) else None,
        text=text if text is not None else opt_str(row.get("message")) or "",
    )


def first_row(frame: pd.DataFrame) -> Any | None:
    return None if frame.empty else frame.iloc[0]


def last_row(frame: pd.DataFrame) -> Any | None:
    return None if frame.empty else frame.iloc[-1]
