"""The rows of a frame grouped by one column's value, for many look-ups in one pass.

The stories ask, for each of up to fifty VMs, which timeline rows name its instance, hold
its UUID in their text or share one of its request ids. Comparing the whole column once
per VM costs VMs x rows; here the column is factorized and its row positions sorted by
value once, so the rows of any set of values are a few contiguous slices, and a text
search runs over the distinct values only.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]


class RowGroups:
    """Row positions (0-based) of one column, grouped by value; <NA> belongs to no group."""

    def __init__(self, column: pd.Series) -> None:
        codes, uniques = pd.factorize(column)
        self._codes = np.asarray(codes, dtype=np.intp)
        self._values = pd.Index(uniques)
        # a stable sort keeps each value's rows in frame order
        self._order = np.argsort(self._codes, kind="stable")
        bounds = np.searchsorted(self._codes[self._order], np.arange(len(self._values) + 1))
        self._starts, self._ends = bounds[:-1], bounds[1:]
        self._text: pa.Array | None = None
        self._code_of: dict[object, int] | None = None

    def _code(self, value: object) -> int:
        """The group of ``value``, -1 for none: a dict made once, as a VM's few values are
        looked up one call at a time (an Index built per call costs more)."""
        if self._code_of is None:
            self._code_of = {v: i for i, v in enumerate(self._values)}
        return self._code_of.get(value, -1)

    def rows(self, values: Iterable[str]) -> np.ndarray:
        """The rows whose value is one of ``values``, in frame order."""
        wanted = list(values)
        if not wanted:
            return np.zeros(0, dtype=np.intp)
        codes = np.array([self._code(v) for v in wanted], dtype=np.intp)
        return self._rows_of(codes[codes >= 0])

    def rows_containing(self, needle: str) -> np.ndarray:
        """The rows whose value holds ``needle`` as plain text (case counts), in frame order."""
        if self._text is None:
            self._text = pa.array(self._values.astype(str).to_numpy(), type=pa.large_string())
        hit = pc.match_substring(self._text, needle).to_numpy(zero_copy_only=False)
        return self._rows_of(np.flatnonzero(hit))

    def values_at(self, rows: np.ndarray) -> set[str]:
        """The distinct values of the given rows, <NA> left out."""
        codes = np.unique(self._codes[rows])
        return {str(self._values[c]) for c in codes[codes >= 0]}

    def _rows_of(self, codes: np.ndarray) -> np.ndarray:
        parts = [self._order[self._starts[c] : self._ends[c]] for c in np.unique(codes)]
        if not parts:
            return np.zeros(0, dtype=np.intp)
        return np.sort(np.concatenate(parts))


def union(*rows: np.ndarray) -> np.ndarray:
    """Row positions in any of ``rows``, once each, in frame order."""
    return np.unique(np.concatenate(rows))
