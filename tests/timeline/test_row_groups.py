"""RowGroups answers as the whole-column comparisons it replaces (isin, plain contains)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.timeline.row_groups import RowGroups, union

TEXT = st.one_of(st.none(), st.sampled_from(["a", "ab", "b", "req-1", "None", "", "é"]))


def column(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype=pd.StringDtype(na_value=pd.NA))


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, max_size=30), st.lists(st.sampled_from(["a", "b", "x", "None", ""])))
def test_rows_are_the_rows_isin_selects(values: list[str | None], wanted: list[str]) -> None:
    col = column(values)
    expected = np.flatnonzero(col.isin(wanted).fillna(False).to_numpy(dtype=bool))
    assert RowGroups(col).rows(wanted).tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, max_size=30), st.sampled_from(["a", "b", "-", "é", "req"]))
def test_rows_containing_is_plain_contains(values: list[str | None], needle: str) -> None:
    col = column(values)
    hit = col.str.contains(needle, regex=False).fillna(False).to_numpy(dtype=bool)
    assert RowGroups(col).rows_containing(needle).tolist() == np.flatnonzero(hit).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=30), st.data())
def test_values_at_are_the_rows_values(values: list[str | None], data: st.DataObject) -> None:
    col = column(values)
    picked = data.draw(st.lists(st.integers(0, len(values) - 1), unique=True).map(sorted))
    rows = np.asarray(picked, dtype=np.intp)
    expected = {str(v) for v in col.iloc[rows].dropna()}
    assert RowGroups(col).values_at(rows) == expected


def test_union_keeps_frame_order_once_each() -> None:
    got = union(np.array([5, 1]), np.array([1, 3]), np.zeros(0, dtype=np.intp))
    assert got.tolist() == [1, 3, 5]
