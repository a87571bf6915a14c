"""Content no clock or terminal should be trusted with, made harmless at two boundaries.

* **After each parser** (``implausible_times``): timestamps before 2000 or more than a day
  after the collection time (year 1970 from an unset clock, year 2999 from a broken or
  hostile one) would otherwise decide what counts as "recent" or "after recovery". They
  become missing values, the records are kept, and the file gets a bundle problem.
* **On the finished document** (``displayable``): analysis.json, report.md, report.html
  and the terminal all show bundle text. Lone surrogates (``"\\ud800"`` in a JSON string)
  cannot be written as UTF-8 and would crash the writer; terminal control characters
  (ESC sequences in a log line) would act on the engineer's terminal when a report is
  printed with ``--format md``. Surrogates become U+FFFD; control characters other than
  tab and newline become their visible Control Pictures (ESC is shown as U+241B).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from analyzer.frames import row_files
from analyzer.model import BundleProblem
from analyzer.parsers.base import ParseResult

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
"""No PCD data predates this; 1970-01-01 is what an unset clock or a zero says."""
CLOCK_SLACK = timedelta(days=1)
"""How far after the collection (or, without one, after now) a timestamp may lie."""

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plausible(ts: datetime, collected_at: datetime | None) -> bool:
    """Could a working clock have written ``ts`` for a bundle collected at ``collected_at``?"""
    latest = (collected_at or datetime.now(UTC)) + CLOCK_SLACK
    return EARLIEST <= ts <= latest


def implausible_times(
    result: ParseResult, path: str | None, collected_at: datetime | None
) -> ParseResult:
    """Blank out timestamps no working clock could have written; one problem per file.

    ``path`` names the file the result came from; None when it holds several (a batch,
    ``analyzer.parsers.batch``), each row naming its own in its ``file`` column.
    """
    # compared as numpy's UTC datetimes: a few small columns per parser, pandas' comparisons
    # cost as much on them as on large ones (NaT compares False, as a missing stamp should)
    latest = _utc64(pd.Timestamp((collected_at or datetime.now(UTC)) + CLOCK_SLACK))
    earliest = _utc64(pd.Timestamp(EARLIEST))
    count: dict[str, int] = {}
    seen: dict[str, list[pd.Timestamp]] = {}
    for table, frame in list(result.tables.items()):
        changed = frame
        for column, dtype in frame.dtypes.items():
            if not isinstance(dtype, pd.DatetimeTZDtype):
                continue
            values = frame[column]
            stamps = values.to_numpy(dtype=f"datetime64[{dtype.unit}]")
            bad = (stamps < earliest) | (stamps > latest)
            if not bad.any():
                continue
            rows = pd.DataFrame(
                {
                    "file": row_files(frame, path)[bad],
                    "value": values[bad],
                }
            )
            for file, n in rows["file"].value_counts(sort=False).items():
                count[str(file)] = count.get(str(file), 0) + int(n)
            for file, value in rows.groupby("file", sort=False).head(2).itertuples(index=False):
                seen.setdefault(str(file), []).append(value)
            if changed is frame:
                changed = frame.copy()
            changed.loc[bad, column] = pd.NaT
        result.tables[table] = changed
    for file, n in count.items():
        examples = ", ".join(sorted({t.isoformat().replace("+00:00", "Z") for t in seen[file]})[:2])
        result.problems.append(
            BundleProblem(
                file,
                f"{n} timestamp(s) before 2000 or after the collection time (e.g. {examples})",
                "those timestamps (the records are kept without them)",
            )
        )
    return result


def _utc64(ts: pd.Timestamp) -> np.datetime64:
    """The time as a zone-less numpy datetime on UTC (a zone-less one is taken as UTC)."""
    utc = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return utc.tz_localize(None).to_datetime64()


def _text(value: str) -> str:
    if _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    if _CONTROLS.search(value):
        value = _CONTROLS.sub(_picture, value)
    return value


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"  # C1 controls have no pictures


def displayable(value: Any) -> Any:
    """A copy of a JSON-like document (typed, ``analyzer.document``, or plain) whose every
    string is safe to write and to show."""
    if isinstance(value, msgspec.Struct):
        fields = value.__struct_fields__
        return msgspec.structs.replace(value, **{f: displayable(getattr(value, f)) for f in fields})
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return {_text(k) if isinstance(k, str) else k: displayable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [displayable(v) for v in value]
    return value
