"""Values and columns of pcdctl / openstackclient (osc) output, made comparable.

The same field is printed ``Updated_at`` by one command and ``updated_at`` by another;
"no value" is ``None``, ``-``, ``<none>`` or an empty cell; API timestamps are UTC text
with or without a ``Z``. These helpers fold keys for lookup (:func:`nkey`, :func:`folded`),
turn cells into None, text or booleans (:func:`clean`, :func:`pick`, :func:`text_of`,
:func:`bool_of`) and read timestamp columns into the declared UTC dtype
(:func:`utc_timestamps`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import pandas as pd

from analyzer.frames import TS, row_files
from analyzer.model import BundleProblem

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


def folded(fields: Mapping[str, object]) -> dict[str, object]:
    """Fields keyed by nkey (the first of keys folding alike wins)."""
    out: dict[str, object] = {}
    for key, value in fields.items():
        out.setdefault(nkey(str(key)), value)
    return out


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
