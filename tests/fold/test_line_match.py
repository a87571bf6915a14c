"""The fold's line tests (analyzer.line_match): Hyperscan over a whole chunk and numpy over
its bytes give, line for line, what RE2 gives searching each line on its own."""

from __future__ import annotations

import re
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import line_match
from analyzer.analysis import sampled_patterns, searched_patterns
from analyzer.fold import UUID_IN_TEXT
from analyzer.line_match import (
    Searched,
    as_hyperscan,
    keys_of,
    uuid_candidates,
    uuid_keys,
    uuid_lines,
)

pytest.importorskip("hyperscan")


@pytest.fixture(autouse=True)
def _every_report_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small texts where most lines match: Hyperscan's reports taken all the same (two a
    line at most), so that its answer is the one compared."""
    monkeypatch.setattr(line_match, "REPORTS_PER_LINE", 2.0)


BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"
SEARCHED = Searched(searched_patterns(), frozenset(sampled_patterns()))
RE2_ONLY = Searched(SEARCHED.patterns, SEARCHED.sampled, use_hyperscan=False)


def as_lines(data: bytes) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """``data`` as the fold splits a chunk: every line with its newline."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 0x0A) + 1
    if not len(ends) or ends[-1] != len(data):
        ends = np.append(ends, len(data))
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    lines = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return buf, offsets, lines


def both(searched: Searched, data: bytes) -> None:
    buf, offsets, lines = as_lines(data)
    again = Searched(searched.patterns, searched.sampled, use_hyperscan=False)
    fast, slow = searched.lines(buf, offsets, lines), again.lines(buf, offsets, lines)
    assert searched.engine == "hyperscan"
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])


def fixture_logs() -> bytes:
    """Every log line of every shipped bundle: real formats, real messages."""
    out = []
    for path in sorted(BUNDLES.glob("*.tgz")):
        with tarfile.open(path) as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.endswith((".log", ".txt")):
                    handle = tar.extractfile(member)
                    assert handle is not None
                    out.append(handle.read())
    return b"\n".join(out)


def test_every_shipped_log_line_matches_alike() -> None:
    data = fixture_logs()
    buf, offsets, lines = as_lines(data)
    searched, sampled = SEARCHED.lines(buf, offsets, lines)
    assert searched.sum() > 100
    assert sampled.sum() > 0
    both(SEARCHED, data)


def test_a_match_running_over_a_line_end_is_searched_again_line_by_line() -> None:
    # "node [^ ]+ down" (a registered pattern's part): in a chunk "[^ ]+" runs over the
    # newline, inside a line it cannot; the text only arranges that, it is no real line
    pattern = Searched(("node [^ ]+ down",))
    data = b"noticed node\nrabbit@x down\nnode rabbit@y down\n"
    buf, offsets, lines = as_lines(data)
    searched, _ = pattern.lines(buf, offsets, lines)
    assert searched.tolist() == [False, False, True]
    both(pattern, data)


def test_sampled_lines_are_those_matching_sampled_patterns_only() -> None:
    pattern = Searched(("Took [0-9.]+ seconds", "Reconnected"), frozenset({"Took [0-9.]+ seconds"}))
    data = b"a Took 1.5 seconds\nReconnected\nTook 2 seconds, Reconnected\nnothing\n"
    buf, offsets, lines = as_lines(data)
    searched, sampled = pattern.lines(buf, offsets, lines)
    assert searched.tolist() == [True, True, True, False]
    assert sampled.tolist() == [True, False, False, False]
    both(pattern, data)


def test_a_pattern_beyond_hyperscan_makes_re2_search_them_all() -> None:
    ungreedy = Searched(("(?U)a+b", "Reconnected"))
    assert ungreedy.engine == "re2"
    buf, offsets, lines = as_lines(b"xaab\nReconnected\nno\n")
    assert ungreedy.lines(buf, offsets, lines)[0].tolist() == [True, True, False]


def test_threads_scan_alike() -> None:
    data = fixture_logs()
    buf, offsets, lines = as_lines(data)
    expected = SEARCHED.lines(buf, offsets, lines)[0]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: SEARCHED.lines(buf, offsets, lines)[0], range(8)))
    for got in results:
        np.testing.assert_array_equal(got, expected)


def named(buf: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    return uuid_lines(buf, offsets, uuid_candidates(buf, int(offsets[0]), int(offsets[-1])))


# Pieces lines are made of: UUIDs with and without what may come before one, near-miss
# layouts (a dash moved, a non-hex digit), request ids, newlines and case.
PIECES = st.sampled_from(
    [
        "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13",
        "6F0D4C1E-2B7A-4D3E-9A51-0C8E2F6B9D13",
        "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d1",
        "6f0d4c1e2-b7a-4d3e-9a51-0c8e2f6b9d13",
        "6f0d4c1g-2b7a-4d3e-9a51-0c8e2f6b9d13",
        "req-5e0a9c2d-1f3b-4c6d-8e7f-0a1b2c3d4e5f",
        "[instance: ",
        "]",
        " ",
        "-",
        "x",
        "_",
        "\n",
        "0",
        "Took 1.5 seconds to build instance",
        "Reconnected to AMQP server on rabbit:5672",
        "node rabbit@a",
        " down",
        "AMQP server on ",
        " is unreachable",
        "\x0b",  # a vertical tab: a space to Hyperscan's \s, not to RE2's
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40))
def test_uuid_lines_read_as_the_regex(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    if not data:
        return
    buf, offsets, lines = as_lines(data)
    regex = pc.match_substring_regex(lines, UUID_IN_TEXT).to_numpy(zero_copy_only=False)
    np.testing.assert_array_equal(named(buf, offsets), regex)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40))
def test_patterns_read_as_re2_line_by_line(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    if data:
        both(SEARCHED, data)


def test_uuid_lines_of_a_slice_of_a_larger_buffer() -> None:
    # with a journal's prefix cut, the lines start past the buffer's beginning
    data = b"zz6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13\n6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13\n"
    buf = np.frombuffer(data, dtype=np.uint8)
    offsets = np.array([2, 39, 76], dtype=np.int64)
    assert named(buf, offsets).tolist() == [True, True]
    assert named(buf, np.array([1, 39], dtype=np.int64)).tolist() == [False]
    assert RE2_ONLY.engine == "re2"


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40))
def test_every_uuid_and_request_id_in_the_text_has_its_key(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    uuids, requests = uuid_keys(data)
    every = [
        m.group(1)
        for m in re.finditer(rb"(?=([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}))", data)
    ]
    named = [
        m.group(1)
        for m in re.finditer(
            rb"(?=req-([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}))", data
        )
    ]
    assert set(keys_of(every).tolist()) <= set(uuids.tolist()) | set(requests.tolist())
    assert set(keys_of(named).tolist()) <= set(requests.tolist())
    assert list(uuids) == sorted(uuids)


def test_keys_tell_other_ids_apart() -> None:
    a = b"6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"
    assert keys_of([a]).tolist() == uuid_keys(b"[instance: " + a + b"]")[0].tolist()
    assert keys_of([a.replace(b"6f0d", b"6f0e")]).tolist() != keys_of([a]).tolist()
    assert keys_of([a.replace(b"9d13", b"9d14")]).tolist() != keys_of([a]).tolist()


def test_a_chunk_where_most_lines_match_is_searched_with_re2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(line_match, "REPORTS_PER_LINE", 1 / 3)
    calls: list[int] = []
    real = Searched._re2

    def spying(self: Searched, lines: pa.Array, among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls.append(int(among.sum()))
        return real(self, lines, among)

    monkeypatch.setattr(Searched, "_re2", spying)
    data = fixture_logs()
    buf, offsets, lines = as_lines(data)
    SEARCHED.lines(buf, offsets, lines)
    # a shipped bundle's lines: few match, Hyperscan's reports taken (RE2 at most for a
    # match over a line's end, never for every line)
    assert all(count < len(lines) for count in calls)
    calls.clear()
    busy = b"Reconnected to AMQP server on rabbit:5672\n" * 30 + b"nothing\n" * 30
    both(SEARCHED, busy)
    assert calls[0] == 60  # every line, once Hyperscan stopped


def test_a_vertical_tab_is_no_space_for_either() -> None:
    # a registered pattern: Hyperscan's own \S would stop at the vertical tab, RE2's runs
    # over it
    unreachable = Searched((r"AMQP server on \S+ is unreachable",))
    data = b"AMQP server on rabbit\x0bmq is unreachable\nAMQP server on a b is unreachable\n"
    buf, offsets, lines = as_lines(data)
    assert unreachable.lines(buf, offsets, lines)[0].tolist() == [True, False]
    both(unreachable, data)


@pytest.mark.parametrize(
    ("pattern", "spelled"),
    [
        (r"on \S+ is", r"on [^\t\n\f\r ]+ is"),
        (r"[\s,]x", r"[\t\n\f\r ,]x"),
        (r"a\\s", r"a\\s"),  # a backslash, then "s"
        (r"[]\s]", r"[]\t\n\f\r ]"),  # "]" first in a class is a member
        (r"[[:alpha:]]\s", r"[[:alpha:]][\t\n\f\r ]"),
        (r"[$]", r"[$]"),
        (r"foo$", None),  # RE2 reading one line: after its newline; Hyperscan: before
        (r"\Afoo", None),
        (r"[\S]", None),
        (r"\Qa.b\E", None),
    ],
)
def test_patterns_are_spelled_for_hyperscan_or_left_to_re2(
    pattern: str, spelled: str | None
) -> None:
    assert as_hyperscan(pattern) == spelled
    if spelled is None:
        assert Searched((pattern,)).engine == "re2"


def test_prepare_compiles_once_and_leaves_a_failure_to_the_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import functools
    import time

    compiles: list[tuple[str, ...]] = []

    @functools.lru_cache(maxsize=8)
    def slow(patterns: tuple[str, ...], _sampled: frozenset[str]) -> None:
        compiles.append(patterns)
        time.sleep(0.05)  # long enough for every thread to ask before the first is done

    monkeypatch.setattr(line_match, "_compiled", slow)
    searched = Searched(("prepare-only pattern",))
    with ThreadPoolExecutor(4) as pool:  # threads that start together: one compile
        list(pool.map(lambda _: searched.prepare(), range(8)))
    assert compiles == [("prepare-only pattern",)]

    def broken(*_args: object) -> None:
        raise MemoryError("no room to compile")

    monkeypatch.setattr(line_match, "_compiled", broken)
    Searched(("another pattern",)).prepare()  # no exception: the scan meets it
    with pytest.raises(MemoryError):
        Searched(("another pattern",)).lines(*as_lines(b"another pattern\n"))
