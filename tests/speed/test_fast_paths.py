"""The fast paths of issue 6 give exactly what the slow ones gave.

Each fast path replaced a simpler form (one regex with a trailing ``(.*)$`` capture, a
pandas ``str.contains`` per pattern over every row, a chunked column): these tests hold
the fast form to the simple one on lines chosen to hit the edges.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import build_frames
from analyzer.parsers import loglines, oslo_log
from analyzer.textmatch import EncodedText

UUID = "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"
REQ = "req-3b1c7e0a-5d52-4f0e-9c7b-2a8d0f61e4b9"

EDGE_LINES = [
    f"2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager [None {REQ} - - - - - -] "
    f"[instance: {UUID}] Build failed",
    "2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager",  # no rest
    "2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager ",  # empty rest
    "2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager  two spaces",
    "2026-03-02 09:14:07.331 2817 ERROR nova.compute\tmanager tab in the logger",
    "2026-03-02 09:14:07 INFO nova.x no pid, no fraction",
    "2026-03-02 09:14:07,5 WARN x.y comma fraction",
    '  File "/opt/x.py", line 3, in f',  # a traceback line: no prefix
    "",
    "2026-03-02 09:14:07.331 2817 INFOnova.x glued",
    "2026-03-02 09:14:07.331 2817 INFO nova.x [-]",
    "2026-03-02 09:14:07.331 2817 INFO nova.x [-]x not a context",
    f"2026-03-02 09:14:07.331 2817 INFO nova.x [instance: {UUID}]no space",
    f"2026-03-02 09:14:07.331 2817 INFO nova.x [-] [instance: {UUID}]  two spaces",
    f"2026-03-02 09:14:07.331 2817 INFO nova.x [-] [instance: {UUID}]",
    f"2026-03-02 09:14:07.331 2817 INFO nova.x [-] [instance: {UUID.upper()}] é",
    f"2026-03-02 09:14:07.331 2817 INFO nova.x [-][instance: {UUID}] glued",
    f"2026-03-02 09:14:07.331 2817 INFO nova.x [None {REQ} - - - - - -] ]x",
    "2026-03-02 09:14:07.331 2817 INFO nova.x [é - ü] [instance: short] m",
    "2026-03-02 09:14:07.331 2817 INFO nova.x [req-1] [req-2] m",
    "2026-03-02 09:14:07.331 2817 INFO nova.x ünïcödé – ✓",
]

OLD_REST = (
    r"^(?:\[(?P<ctx>" + oslo_log._CTX + r")\](?: |$))?"
    r"(?:\[instance: (?P<instance>[0-9a-fA-F-]{36})\] ?)?"
    r"(?P<message>.*)$"
)


def _same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    assert set(fast.columns) == set(slow.columns)
    for col in slow.columns:
        assert fast[col].tolist() == slow[col].tolist(), col


def _check_oslo(lines: list[str]) -> None:
    series = loglines.as_lines(lines)
    _same(
        loglines.extract_head(series, oslo_log.OSLO_HEAD, "rest"),
        loglines.extract(series, oslo_log.OSLO_LINE),
    )
    rests = loglines.extract(series, oslo_log.OSLO_LINE)["rest"].fillna("")
    slow = loglines.extract(rests, OLD_REST).drop(columns="matched")
    _same(oslo_log.context_blocks(rests), slow)


def test_extract_head_equals_the_single_regex_on_edge_lines() -> None:
    _check_oslo(EDGE_LINES)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda head, tail: head + tail,
            st.sampled_from(
                [
                    "2026-03-02 09:14:07.331 2817 ERROR nova.a",
                    "2026-03-02 09:14:07 INFO n",
                    "2026-03-02 09:14:07.331 2817 INFO nova.x [-]",
                    f"2026-03-02 09:14:07.331 2817 INFO nova.x [{REQ} a b - - -]",
                    "2026-03-02 09:14:07.331 2817 INFO nova.x [None ",
                    "2026-03-02 09:14:07.331 2817 INFO nova.x [a - b]",
                    f"2026-03-02 09:14:07.331 2817 INFO nova.x [instance: {UUID}]",
                    "",
                ]
            ),
            st.text(alphabet=" \t[]-:abcé0", max_size=12),
        ),
        max_size=8,
    )
)
def test_extract_head_equals_the_single_regex_on_any_lines(lines: list[str]) -> None:
    _check_oslo(lines)


def test_extract_head_of_no_lines() -> None:
    frame = loglines.extract_head(loglines.as_lines([]), oslo_log.OSLO_HEAD, "rest")
    assert frame.empty
    assert "rest" in frame.columns


MESSAGES = pd.Series(
    ["AMQP server on h:5672 is unreachable", "amqp SERVER on x is unreachable", None, "ok"] * 3
    + ["tab\there", "Instance failed to spawn", ""],
    dtype="string",
)


@pytest.mark.parametrize(
    "pattern",
    [r"AMQP server on \S+ is unreachable", r"failed to spawn|tab\s", "^ok$", "nothing"],
)
def test_encoded_search_equals_pandas_contains(pattern: str) -> None:
    want = MESSAGES.str.contains(pattern, regex=True, case=False, na=False).tolist()
    assert EncodedText(MESSAGES).contains(pattern).tolist() == want


def test_encoded_plain_search_keeps_case_and_needs_no_regex() -> None:
    text = EncodedText(pd.Series(["vm a.b+ up", "VM A.B+ UP", None], dtype="string"))
    assert text.contains_text("a.b+").tolist() == [True, False, False]


def test_encoded_search_of_no_rows() -> None:
    assert EncodedText(pd.Series([], dtype="string")).contains("x").tolist() == []


def test_built_frames_hold_one_chunk_per_text_column() -> None:
    """A chunked column made every row selection copy the whole column (pyarrow take)."""
    pieces = [pd.DataFrame({"message": pd.Series([f"m{i}"], dtype="string")}) for i in range(3)]
    messages = build_frames({"logs": pieces}).logs["message"]
    assert messages.tolist() == ["m0", "m1", "m2"]
    assert getattr(pa.array(messages.array), "num_chunks", 1) == 1
