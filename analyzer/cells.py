"""Reading single cells of a frame: pandas' missing markers (NA, NaT, NaN) become None."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd


def missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def opt_str(value: object) -> str | None:
    return None if missing(value) else str(value)


def opt_int(value: object) -> int | None:
    if missing(value):
        return None
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None


def opt_dt(value: object) -> datetime | None:
    """A cell as an aware datetime (UTC), or None."""
    if missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime(warn=False)
    if isinstance(value, datetime):
        return value
    return None


def show_time(value: object) -> str:
    """A cell's time as evidence text shows it: ISO 8601 UTC to the second, or 'unknown'."""
    ts = opt_dt(value)
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ") if ts is not None else "unknown"
