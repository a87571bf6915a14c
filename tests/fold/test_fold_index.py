"""Indexed records come back for the VMs a story is told of, and only for them."""

from __future__ import annotations

import random
import re
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import fold_index
from analyzer.analysis import analyse
from analyzer.index_parts import IndexPart
from analyzer.line_match import keys_of
from analyzer.parsers import oslo_log
from tests.fold.test_folder import INDEXED, KEPT, LOG, REQ, TEXT, VM, fold

WIDTH = oslo_log.FOLD.minute_width
BUNDLE = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz"
NO_REQUESTS: frozenset[bytes] = frozenset()


def _info_records(counts: list[dict[str, object]], minute: bytes) -> int:
    return sum(
        int(str(r["records"])) for r in counts if r["minute"] == minute and r["level"] == "INFO"
    )


def test_a_story_vm_gets_its_indexed_records_back_in_place() -> None:
    folded = fold(TEXT, 1 << 20)
    restored = fold_index.restore(folded, (VM.encode(),), NO_REQUESTS, WIDTH)
    both = sorted(KEPT + INDEXED)
    assert restored.line_numbers.tolist() == both
    assert restored.kept.decode().splitlines() == [LOG[i - 1] for i in both]
    assert restored.folded_records == folded.folded_records - 1
    minute = b"2026-03-02 09:00"
    before = _info_records(folded.counts.to_pylist(), minute)
    assert _info_records(restored.counts.to_pylist(), minute) == before - 1


def test_a_shared_request_id_brings_a_record_back() -> None:
    folded = fold(TEXT, 1 << 20)
    requests = fold_index.request_ids([REQ.encode()])
    restored = fold_index.restore(folded, (), requests, WIDTH)
    assert restored.line_numbers.tolist() == sorted(KEPT + INDEXED)


def test_other_vms_and_requests_leave_the_log_folded() -> None:
    folded = fold(TEXT, 1 << 20)
    other_vm = b"0b9e2c4d-7a1f-4e3b-8c5d-6f2a1e9d0c7b"
    other_request = fold_index.request_ids([b"req-11111111-2222-3333-4444-555555555555"])
    assert fold_index.restore(folded, (other_vm,), other_request, WIDTH) is folded


def test_only_uuid_like_server_ids_are_looked_for() -> None:
    assert fold_index.story_instances([VM, "vm-1", "a|b", VM]) == (VM.encode(),)


def test_linked_requests_are_those_of_the_story_vms_records() -> None:
    folded = fold(TEXT, 1 << 20)
    assert fold_index.linked_requests([folded], (VM.encode(),)) == {REQ.encode()}
    assert not fold_index.linked_requests([folded], ())


def test_the_second_request_id_of_a_context_links_too() -> None:
    """An oslo.log context holds the global request id, then the request's own."""
    own = "req-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    global_id = "req-9e0f1a2b-3c4d-4a6b-8c7d-0a1b2c3d4e5f"
    text = (
        f"2026-03-02 09:00:03.000 2817 INFO nova.compute.manager [{global_id} {own} u p - - -] "
        f"[instance: {VM}] VM Resumed (Lifecycle Event)\n"
    ).encode()
    folded = fold(text, 1 << 20)
    assert folded.line_numbers.size == 0
    for known, back in ((own, True), (global_id, True), (REQ, False)):
        requests = fold_index.request_ids([known.encode()])
        restored = fold_index.restore(folded, (), requests, WIDTH)
        assert (restored.line_numbers.tolist() == [1]) is back


def test_thousands_of_story_vms_are_searched_in_groups() -> None:
    """One alternation of 20,000 ids is too large for RE2: the search must not fail."""
    rng = random.Random(17)
    many = tuple(str(uuid.UUID(int=rng.getrandbits(128))).encode() for _ in range(20_000))
    folded = fold(TEXT, 1 << 20)
    restored = fold_index.restore(folded, (*many, VM.encode()), NO_REQUESTS, WIDTH)
    assert restored.line_numbers.tolist() == sorted(KEPT + INDEXED)
    assert fold_index.restore(folded, many, NO_REQUESTS, WIDTH) is folded


def test_a_failure_putting_records_back_is_a_listed_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(fold_index, "restore", broken)
    doc, _frames, _inv = analyse([BUNDLE], fold_from=0)
    problems = [p for p in doc.problems if "naming instances could not be read back" in p.problem]
    assert problems
    assert all("RuntimeError" in p.problem for p in problems)


@settings(max_examples=60, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(["req-", "r", "eq-", "\n", " ", "[None ", "xreq-", "-", "0"])
        | st.integers(0, 5).map(lambda i: f"req-{uuid.UUID(int=i * 7919)}"),
        max_size=40,
    ),
    asked=st.sets(st.integers(0, 5), max_size=4),
)
def test_request_ids_are_found_where_the_regex_finds_them(
    pieces: list[str], asked: set[int]
) -> None:
    data = "".join(pieces).encode()
    requests = frozenset(f"req-{uuid.UUID(int=i * 7919)}".encode() for i in asked)
    if not requests:
        return
    expected = [m.start() for m in fold_index.REQUEST_ID.finditer(data) if m.group() in requests]
    assert fold_index._positions_of(data, requests).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(["[instance: ", "-", "0", "\n", " ", "a" * 8, "-0000-"])
        | st.integers(0, 5).map(lambda i: str(uuid.UUID(int=i * 104729))),
        max_size=40,
    ),
    asked=st.sets(st.integers(0, 5), max_size=4),
)
def test_instances_are_found_where_a_substring_search_finds_them(
    pieces: list[str], asked: set[int]
) -> None:
    data = "".join(pieces).encode()
    instances = tuple(str(uuid.UUID(int=i * 104729)).encode() for i in sorted(asked))
    if not instances:
        return
    expected = sorted({m.start() for i in instances for m in re.finditer(re.escape(i), data)})
    assert fold_index._naming_positions(data, instances).tolist() == expected


def test_parts_that_cannot_hold_what_is_looked_for_are_not_opened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folded = fold(TEXT, 1 << 20)
    opened: list[int] = []
    real = IndexPart.lines

    def counting(part: IndexPart) -> bytes:
        opened.append(1)
        return real(part)

    monkeypatch.setattr(IndexPart, "lines", counting)
    other_vm = b"0b9e2c4d-7a1f-4e3b-8c5d-6f2a1e9d0c7b"
    other_request = fold_index.request_ids([b"req-11111111-2222-3333-4444-555555555555"])
    assert fold_index.restore(folded, (other_vm,), other_request, WIDTH) is folded
    assert fold_index.linked_requests([folded], (other_vm,)) == frozenset()
    assert opened == []
    fold_index.restore(folded, (VM.encode(),), NO_REQUESTS, WIDTH)
    assert opened == [1]


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=64, max_value=4096))
def test_every_part_keeps_the_keys_of_its_ids(chunk: int) -> None:
    uuid_text = rb"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
    folded = fold(TEXT, chunk)
    assert folded.index
    for part in folded.index:
        lines = part.lines()
        ids = re.findall(rb"(?=(" + uuid_text + rb"))", lines)
        requests = re.findall(rb"(?=req-(" + uuid_text + rb"))", lines)
        assert set(keys_of(ids).tolist()) <= set(part.uuids.tolist()) | set(part.requests.tolist())
        assert set(keys_of(requests).tolist()) <= set(part.requests.tolist())
