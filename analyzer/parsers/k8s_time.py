"""Times as kubectl prints them, turned into UTC.

kubectl shows ages relative to when it ran (``duration.HumanDuration``)::

    4m35s    2d14h    85m    3y20d    <unknown>    <invalid>

the describe Events table aggregates repeats as ``4m35s (x41 over 1h)``, the RESTARTS
column of ``kubectl get pods`` reads ``12 (2m13s ago)``, and describe prints absolute
dates in RFC 1123 with an offset: ``Mon, 02 Mar 2026 09:05:11 +0000``.

Ages become timestamps only against a known collection time (``ctx.collected_at``); such
times are approximate. Every timestamp column leaves here as ``datetime64[ns, UTC]`` with
unreadable or unrepresentable values as NaT, counted so the parser can report them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

TS_DTYPE: Final = "datetime64[ns, UTC]"

# HumanDuration units, largest first; each part is optional but at least one is present.
_AGE_RE = re.compile(
    r"^(?:(\d{1,9})y)?(?:(\d{1,9})d)?(?:(\d{1,9})h)?(?:(\d{1,9})m)?(?:(\d{1,9})s)?$"
)
_UNIT_SECONDS = (365 * 86400, 86400, 3600, 60, 1)
# Ages beyond this are nonsense for a support bundle and would overflow pandas' range.
MAX_AGE_SECONDS = 200 * 365 * 86400

_EVENT_AGE_RE = re.compile(r"^(\S+)(?:\s+\(x(\d{1,12}) over (\S+)\))?$")
_RESTARTS_RE = re.compile(r"^(\d{1,12})(?:\s*\((\S+) ago\))?$")

_RFC1123_RE = re.compile(
    r"^(?:[A-Za-z]{3},\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+"
    r"(\d{2}):(\d{2}):(\d{2})\s+([+-]\d{4}|UTC|GMT|Z)$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

_TS_MIN = pd.Timestamp.min.tz_localize("UTC")
_TS_MAX = pd.Timestamp.max.tz_localize("UTC")


def parse_age(text: str) -> timedelta | None:
    """``4m35s`` -> 275 s; ``<unknown>``, ``<invalid>``, empty or garbage -> None.

    >>> parse_age("2d14h")
    datetime.timedelta(days=2, seconds=50400)
    >>> parse_age("<unknown>") is None
    True
    """
    text = text.strip()
    if not text:
        return None
    match = _AGE_RE.match(text)
    if match is None:
        return None
    seconds = sum(int(g) * unit for g, unit in zip(match.groups(), _UNIT_SECONDS, strict=True) if g)
    if seconds > MAX_AGE_SECONDS:
        return None
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class EventAge:
    """The Age cell of a describe Events row."""

    last: timedelta | None  # age of the last occurrence
    count: int | None  # N of (xN over T), None when not aggregated
    first: timedelta | None  # T of (xN over T)


def parse_event_age(text: str) -> EventAge:
    """``4m35s (x41 over 1h)`` -> last 4m35s, count 41, first 1h.

    >>> parse_event_age("4m35s (x41 over 1h)")
    EventAge(last=datetime.timedelta(seconds=275), count=41, first=datetime.timedelta(seconds=3600))
    """
    match = _EVENT_AGE_RE.match(text.strip())
    if match is None:
        return EventAge(None, None, None)
    last, count, first = match.groups()
    return EventAge(
        parse_age(last),
        int(count) if count is not None else None,
        parse_age(first) if first is not None else None,
    )


def parse_restarts(text: str) -> tuple[int | None, timedelta | None]:
    """The RESTARTS cell: ``12 (2m13s ago)`` -> (12, 133 s); ``0`` -> (0, None).

    >>> parse_restarts("12 (2m13s ago)")
    (12, datetime.timedelta(seconds=133))
    """
    match = _RESTARTS_RE.match(text.strip())
    if match is None:
        return None, None
    count, age = match.groups()
    return int(count), parse_age(age) if age is not None else None


def parse_rfc1123(text: str) -> datetime | None:
    """``Mon, 02 Mar 2026 09:05:11 +0000`` -> aware UTC datetime; garbage -> None.

    Go's zero time prints as ``Mon, 01 Jan 0001 00:00:00 +0000`` and is kept as year 1.

    >>> parse_rfc1123("Mon, 02 Mar 2026 10:05:11 +0100")
    datetime.datetime(2026, 3, 2, 9, 5, 11, tzinfo=datetime.timezone.utc)
    """
    match = _RFC1123_RE.match(text.strip()) if len(text) < 80 else None
    if match is None:
        return None
    day, mon, year, hh, mm, ss, zone = match.groups()
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    offset = timedelta(0)
    if zone[0] in "+-":
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
        offset = -offset if zone[0] == "-" else offset
    try:
        local = datetime(int(year), month, int(day), int(hh), int(mm), int(ss))
        return (local - offset).replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def ago(collected_at: datetime | None, age: timedelta | None) -> datetime | None:
    """``collected_at - age``, or None when either is unknown or the result is absurd."""
    if collected_at is None or age is None:
        return None
    try:
        return collected_at - age
    except (OverflowError, ValueError):
        return None


def age_seconds(cells: pd.Series) -> pd.Series:
    """Vectorised ``parse_age``: a float Series of seconds, NaN where unreadable."""
    parts = cells.astype("string").str.strip().str.extract(_AGE_RE)
    seconds = pd.Series(0.0, index=cells.index)
    for col, unit in zip(parts.columns, _UNIT_SECONDS, strict=True):
        seconds = (
            seconds + pd.to_numeric(parts[col], errors="coerce").fillna(0).astype(float) * unit
        )
    matched = parts.notna().any(axis=1)
    return seconds.where(matched & (seconds <= MAX_AGE_SECONDS))


def minus_seconds(collected_at: datetime | None, seconds: pd.Series) -> pd.Series:
    """Vectorised ``collected_at - seconds``: a UTC timestamp Series, NaT where unknown."""
    nat = pd.Series(pd.NaT, index=seconds.index, dtype=TS_DTYPE)
    if collected_at is None:
        return nat
    try:
        base = pd.Timestamp(collected_at)
        base = base.tz_localize("UTC") if base.tzinfo is None else base.tz_convert("UTC")
        result = base - pd.to_timedelta(seconds.astype(float), unit="s")
        return clamp_utc(pd.Series(result, index=seconds.index))
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        return nat


def clamp_utc(series: pd.Series) -> pd.Series:
    """Any tz-aware datetime Series -> ``datetime64[ns, UTC]``, out-of-range values as NaT."""
    inside = (series >= _TS_MIN) & (series <= _TS_MAX)
    return series.where(inside).astype(TS_DTYPE)


def to_utc(values: Iterable[object]) -> tuple[pd.Series, int]:
    """RFC 3339 strings or aware datetimes -> (``datetime64[ns, UTC]`` Series, bad count).

    Empty values and Go's zero time (year 1) become NaT silently; anything else that cannot
    be read or lies outside 1677..2262 becomes NaT and is counted.
    """
    # A pod's few stamps: the text is sorted out in pyarrow, a dozen pandas steps cost more.
    texts = [v if isinstance(v, str) else None for v in map(_iso, values)]
    text = pc.utf8_trim_whitespace(pa.array(texts, type=pa.string()))
    wanted = pc.and_(pc.not_equal(text, ""), pc.invert(pc.starts_with(text, "0001-01-01")))
    present = pc.fill_null(wanted, False)
    chosen = pd.Series(pc.if_else(present, text, None).to_pylist(), dtype=object)
    parsed = pd.to_datetime(chosen, utc=True, errors="coerce", format="ISO8601")
    result = clamp_utc(parsed)
    unread = present.to_numpy(zero_copy_only=False) & result.isna().to_numpy(dtype=bool)
    return result, int(unread.sum())


def _iso(value: object) -> object:
    if value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return value
