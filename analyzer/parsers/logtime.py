"""Log timestamps to UTC: the written formats, the file's clock, and what cannot be read.

A log line's stamp either carries its zone (RabbitMQ 3.9+ ``2026-03-02 09:10:44.120391+00:00``,
kubectl's ``2026-03-02T09:10:44.120391532Z``) or is the local time of the host that wrote it
(oslo.log ``2026-03-02 09:14:07.331``); local time is moved to UTC by the file's clock
offset (``SourceContext.utc_offset``), or taken as UTC when none is known, and ``clock_of``
names which rule applied. Every timestamp ends up in TS_UTC, the dtype of the logs table;
stamps that cannot be read or held become NaT and a bundle problem.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from analyzer.frames import TS
from analyzer.model import BundleProblem, Clock, SourceContext
from analyzer.parsers.batch import Batch
from analyzer.parsers.loglines import STRING

_TS_DTYPE = pandas_dtype(TS)
TS_UTC = _TS_DTYPE if isinstance(_TS_DTYPE, pd.DatetimeTZDtype) else pd.DatetimeTZDtype(tz="UTC")
"""The timestamp dtype of SCHEMAS (analyzer.frames.TS), so conform() never has to shift it."""

# What the unit can hold, with a day's margin for the offset shift.
_TS_MIN, _TS_MAX = (
    (pd.Timestamp("1677-09-23", tz="UTC"), pd.Timestamp("2262-04-10", tz="UTC"))
    if TS_UTC.unit == "ns"
    else (pd.Timestamp("0001-01-02", tz="UTC"), pd.Timestamp("9999-12-30", tz="UTC"))
)
_BEYOND_MICROSECONDS = r"(\.\d{6})\d+"


def parse_local(stamps: pd.Series, offset: timedelta | np.ndarray | None, fmt: str) -> pd.Series:
    """Zone-less local times to UTC: UTC = local - offset (None: the text is taken as UTC).

    ``offset`` may also be an array, one offset per stamp (a batch of files,
    ``analyzer.parsers.batch``). ``fmt`` is tried first (fast path); what it cannot read is
    retried as ISO 8601. Values that cannot be read or that TS_UTC cannot hold become NaT.
    """
    utc = _to_datetime(stamps, fmt, utc=False)
    if isinstance(offset, np.ndarray):
        utc = utc - pd.to_timedelta(offset)
    elif offset is not None:
        utc = utc - pd.Timedelta(offset)
    return utc.astype(TS_UTC)


def parse_zoned(stamps: pd.Series, fmt: str = "ISO8601") -> pd.Series:
    """Timestamps carrying their own zone (``+01:00``, ``Z``) to UTC; unreadable -> NaT."""
    return _to_datetime(stamps, fmt, utc=True).astype(TS_UTC)


def clock_of(ctx: SourceContext) -> Clock:
    return Clock.LOCAL_OFFSET if ctx.utc_offset is not None else Clock.LOCAL_ASSUMED_UTC


def _to_datetime(stamps: pd.Series, fmt: str, utc: bool) -> pd.Series:
    """Parse to TS_UTC (naive text is labelled UTC as is); NaT when unreadable.

    Fractions beyond microseconds (kubectl's nanoseconds) are cut so one resolution holds
    every value and far years stay readable.
    """
    text = stamps.astype(STRING).str.replace(",", ".", regex=False)
    text = text.str.replace(_BEYOND_MICROSECONDS, r"\1", regex=True)
    parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=utc)
    retry = (parsed.isna() & text.notna()).to_numpy(dtype=bool)
    if fmt != "ISO8601" and retry.any():
        again = pd.to_datetime(text[retry], format="ISO8601", errors="coerce", utc=utc)
        parsed = parsed.copy()
        parsed[retry] = again
    if not utc:
        parsed = parsed.dt.tz_localize("UTC")
    return parsed.where((parsed >= _TS_MIN) & (parsed <= _TS_MAX)).astype(TS_UTC)


BAD_TIME = "with an unreadable or out-of-range timestamp"


def bad_time_problem(file: str, timestamps: pd.Series) -> list[BundleProblem]:
    missing = int(timestamps.isna().sum())
    return [_bad_time(file, missing)] if missing else []


def bad_time_problems(
    batch: Batch, files: np.ndarray, timestamps: pd.Series
) -> list[BundleProblem]:
    """``bad_time_problem`` per file of a batch; ``files``: the file of each record."""
    unread = files[timestamps.isna().to_numpy(dtype=bool)]
    missing = np.bincount(unread, minlength=len(batch.files))
    return batch.problems(missing, lambda f, n: _bad_time(f.path, n))


def _bad_time(file: str, missing: int) -> BundleProblem:
    return BundleProblem(
        file, f"{missing} record(s) {BAD_TIME}", "their timestamp (the records are kept)"
    )
