"""Folding a log (analyzer.fold): what is kept, what is counted, and that chunking is invisible."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.analysis import searched_patterns
from analyzer.fold import Folded, Folder
from analyzer.line_match import Searched
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import oslo_log
from analyzer.parsers.folded_logs import folded_counts, renumber

WANTED = Searched(searched_patterns())
VM = "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"
REQ = "req-5e0a9c2d-1f3b-4c6d-8e7f-0a1b2c3d4e5f"


def line(t: str, level: str, text: str, logger: str = "nova.compute.manager") -> str:
    return f"2026-03-02 09:{t} 2817 {level} {logger} [None {REQ} - - - - - -] {text}"


PERIODIC = line("00:00.100", "DEBUG", "Running periodic task ComputeManager._poll_volume_usage")
LOG = [
    "some raw stdout before the first record",  # 1: no prefix, folded with nothing to count
    PERIODIC,  # 2
    line("00:01.000", "INFO", "Final resource view: name=hv-01 phys_ram=515614MB"),  # 3
    line("00:02.000", "DEBUG", f"Triggering sync for uuid {VM} _sync_power_states"),  # 4
    line("00:03.000", "INFO", f"[instance: {VM}] VM Resumed (Lifecycle Event)"),  # 5: indexed
    line("00:04.000", "ERROR", "Build failed: oslo_messaging.exceptions.MessagingTimeout"),  # 6
    line("00:04.000", "ERROR", "Traceback (most recent call last):"),  # 7: same stamp
    '  File "/opt/pf9/venv/lib/python3.9/site-packages/nova/x.py", line 1, in f',  # 8: raw
    line("00:05.000", "INFO", "Lock acquired", "oslo_concurrency.lockutils"),  # 9: own head
    line("00:05.000", "INFO", "Reconnected to AMQP server on broker:5672 via [amqp]"),  # 10
    line("01:06.000", "INFO", "Auditing locally available compute resources"),  # 11
    line("01:07.000", "INFO", "Something long", "nova.compute.manager"),  # 12
    "    a continuation that says MessagingTimeout",  # 13: no prefix, continues 12
    line("01:08.000", "WARNING", "Unable to refresh the cache"),  # 14
    "2026-03-02 09:01:08.500 2817 TRACE nova.compute.manager oops",  # 15: TRACE continues 14
    line("02:09.000", "INFO", f"periodic for {REQ} only a request id"),  # 16
    line("02:10.000", "DEBUG", "Lock released"),  # 17 (last line, no newline)
]
TEXT = ("\n".join(LOG)).encode()
KEPT = [6, 7, 8, 10, 12, 13, 14, 15]
INDEXED = [5]  # routine, but it names an instance: counted, and kept aside compressed
FOLDED = {2, 3, 4, 5, 9, 11, 16, 17}


def fold(data: bytes, chunk: int, pool: ThreadPoolExecutor | None = None) -> Folded:
    folder = Folder("oslo_log", oslo_log.FOLD, WANTED, pool=pool)
    for i in range(0, len(data), chunk):
        folder.feed(data[i : i + chunk])
    return folder.finish()


def test_records_are_kept_whole_or_counted() -> None:
    folded = fold(TEXT, 1 << 20)
    assert folded.line_numbers.tolist() == KEPT
    assert folded.kept.decode().splitlines() == [LOG[i - 1] for i in KEPT]
    assert folded.lines == len(LOG)
    assert folded.folded_records == len(FOLDED)  # the raw preamble is no record: not counted


def test_counts_per_minute_and_level() -> None:
    rows = fold(TEXT, 1 << 20).counts.to_pylist()
    assert rows == [
        {
            "minute": b"2026-03-02 09:00",
            "level": "DEBUG",
            "records": 2,
            "first": b"2026-03-02 09:00:00.100",
            "last": b"2026-03-02 09:00:02.000",
        },
        {
            "minute": b"2026-03-02 09:00",
            "level": "INFO",
            "records": 3,
            "first": b"2026-03-02 09:00:01.000",
            "last": b"2026-03-02 09:00:05.000",
        },
        {
            "minute": b"2026-03-02 09:01",
            "level": "INFO",
            "records": 1,
            "first": b"2026-03-02 09:01:06.000",
            "last": b"2026-03-02 09:01:06.000",
        },
        {
            "minute": b"2026-03-02 09:02",
            "level": "DEBUG",
            "records": 1,
            "first": b"2026-03-02 09:02:10.000",
            "last": b"2026-03-02 09:02:10.000",
        },
        {
            "minute": b"2026-03-02 09:02",
            "level": "INFO",
            "records": 1,
            "first": b"2026-03-02 09:02:09.000",
            "last": b"2026-03-02 09:02:09.000",
        },
    ]


def index_of(folded: Folded) -> tuple[bytes, list[int], list[int], list[int]]:
    """The indexed lines, their numbers, and the numbers of the DEBUG and INFO records."""
    parts = folded.index
    numbers = [int(n) for p in parts for n in p.numbers]
    opens = [(int(n), bool(d)) for p in parts for n, o, d in zip(p.numbers, p.opens, p.debug) if o]
    debug = [n for n, d in opens if d]
    info = [n for n, d in opens if not d]
    return b"".join(p.lines() for p in parts), numbers, debug, info


def _same(a: Folded, b: Folded) -> bool:
    return (
        a.kept == b.kept
        and a.line_numbers.tolist() == b.line_numbers.tolist()
        and a.counts.to_pylist() == b.counts.to_pylist()
        and (a.lines, a.folded_records) == (b.lines, b.folded_records)
        and index_of(a) == index_of(b)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chunk=st.integers(min_value=1, max_value=len(TEXT) + 5),
    repeat=st.integers(min_value=1, max_value=30),
    crlf=st.booleans(),
)
def test_chunk_boundaries_change_nothing(chunk: int, repeat: int, crlf: bool) -> None:
    data = b"\n".join([TEXT] * repeat)
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    whole = fold(data, len(data) + 1)
    assert _same(fold(data, chunk), whole)
    assert whole.line_numbers.size == len(KEPT) * repeat
    assert len(index_of(whole)[1]) == len(INDEXED) * repeat
    lines = data.split(b"\n")
    kept = whole.kept.split(b"\n")
    assert all(lines[n - 1] == k for n, k in zip(whole.line_numbers, kept, strict=False))


def test_scans_on_a_pool_give_the_same_result() -> None:
    data = b"\n".join([TEXT] * 2000)
    with ThreadPoolExecutor(2) as pool:
        assert _same(fold(data, 4096, pool), fold(data, len(data)))


def test_parsing_the_kept_lines_gives_the_rows_of_the_whole_file() -> None:
    """Renumbered, the kept records parse to the same rows as in the whole file."""
    ctx = SourceContext("b", "hosts/hv-01/ostackhost.log", "hv-01", None, None)
    folded = fold(TEXT, 50)
    whole = oslo_log.parse(SourceFile("b", ctx.path, TEXT), ctx).tables["logs"]
    part = oslo_log.parse(SourceFile("b", ctx.path, folded.kept), ctx).tables["logs"]
    part = renumber(part, folded)
    expected = whole[whole["line"].isin(part["line"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.reset_index(drop=True), expected)
    assert set(whole["line"].astype(int)) - set(part["line"].astype(int)) == FOLDED


def test_counts_become_log_counts_rows_on_utc() -> None:
    from datetime import timedelta

    ctx = SourceContext("b", "hosts/hv-01/ostackhost.log", "hv-01", timedelta(hours=2), None)
    frame = folded_counts(fold(TEXT, 1 << 20), oslo_log.FOLD, ctx)
    assert frame["records"].sum() == len(FOLDED)
    first = frame.iloc[0]
    assert first["minute"] == pd.Timestamp("2026-03-02 07:00", tz="UTC")
    assert first["first"] == pd.Timestamp("2026-03-02 07:00:00.100", tz="UTC")
    assert (first["service"], first["host"], first["clock"]) == (
        "nova-compute",
        "hv-01",
        "local-offset",
    )


def test_a_runaway_record_is_cut_not_held(monkeypatch: pytest.MonkeyPatch) -> None:
    import analyzer.fold as fold_module

    monkeypatch.setattr(fold_module, "MAX_RECORD", 1000)
    body = "\n".join(["    traceback line"] * 500)
    data = (line("00:00.000", "ERROR", "boom") + "\n" + body + "\n" + PERIODIC).encode()
    folded = fold(data, 256)
    assert folded.line_numbers[0] == 1
    assert folded.lines == 502


def test_empty_and_newline_only_input() -> None:
    assert fold(b"", 10).lines == 0
    nothing = fold(b"\n\n\n", 2)
    assert (nothing.lines, nothing.folded_records, nothing.kept) == (3, 0, b"")
    assert isinstance(nothing.line_numbers, np.ndarray)


def test_counts_of_lines_without_fractions_of_a_second() -> None:
    """Without milliseconds the stamp runs into the PID: the time is cut out of it."""
    text = b"".join(
        f"2026-03-02 09:00:{s:02d} 2817 INFO nova.compute.manager [-] tick\n".encode()
        for s in range(5)
    )
    ctx = SourceContext("b", "hosts/hv-01/ostackhost.log", "hv-01", None, None)
    folded = fold(text, 1 << 20)
    assert folded.folded_records == 5
    frame = folded_counts(folded, oslo_log.FOLD, ctx)
    assert frame["first"].iloc[0] == pd.Timestamp("2026-03-02 09:00:00", tz="UTC")
    assert frame["last"].iloc[0] == pd.Timestamp("2026-03-02 09:00:04", tz="UTC")


def test_a_line_without_end_is_cut_not_copied_over_and_over() -> None:
    """40 MiB without a newline, fed in 64 KiB pieces: linear, bounded, numbering intact."""
    import analyzer.fold as fold_module

    endless = b"2026-03-02 09:00:00.000 1 ERROR x " + b"y" * (40 << 20)
    data = PERIODIC.encode() + b"\n" + endless + b"\n" + TEXT
    folded = fold(data, 64 * 1024)
    assert folded.lines == 2 + len(LOG)
    kept = folded.kept.split(b"\n")
    assert folded.line_numbers[0] == 2
    assert len(kept[0]) <= fold_module.MAX_LINE
    # TEXT's raw first line continues the ERROR record, so it is kept with it
    assert folded.line_numbers[1:].tolist() == [3] + [k + 2 for k in KEPT]


def test_an_instance_named_in_a_routine_record_is_indexed_not_kept() -> None:
    folded = fold(TEXT, 1 << 20)
    lines, numbers, debug, info = index_of(folded)
    assert lines.decode().splitlines() == [LOG[i - 1] for i in INDEXED]
    assert numbers == INDEXED == info
    assert debug == []
