"""Index parts written to the spill file read back as they were, and a spill that cannot
be written leaves them in memory with the same answers."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import numpy as np
import pytest

from analyzer import bundle as bundle_module
from analyzer import fold_index, index_parts
from analyzer.analysis import read_bundles
from analyzer.fold import Folded, Folder
from analyzer.index_parts import IndexPart, Spill
from analyzer.parsers import oslo_log
from tests.fold.test_folder import TEXT, VM, WANTED, index_of

BUNDLE = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz"
WIDTH = oslo_log.FOLD.minute_width
# many records naming an instance, a few parts of them
LOG = b"\n".join([TEXT] * 400) + b"\n"
UUID = re.compile(rb"(?<![-\w])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _fold(data: bytes, chunk: int, spill: Spill | None) -> Folded:
    folder = Folder("oslo_log", oslo_log.FOLD, WANTED, spill=spill)
    for i in range(0, len(data), chunk):
        folder.feed(data[i : i + chunk])
    return folder.finish()


def _fields(part: IndexPart) -> list[object]:
    arrays = (part.numbers, part.opens, part.debug, part.uuids, part.requests)
    return [part.lines(), *(a.tolist() for a in arrays)]


def test_a_spilled_part_reads_back_as_it_was_written(tmp_path: Path) -> None:
    lines = TEXT + b"\n"
    n = lines.count(b"\n")
    part = IndexPart.of(lines, np.arange(n), np.arange(n) % 3 == 0, np.arange(n) % 2 == 0).shifted(
        41
    )
    spill = Spill(str(tmp_path))
    spill.put(b"something written before")
    spilled = part.spilled(spill)
    assert part.in_memory
    assert not spilled.in_memory
    assert _fields(spilled) == _fields(part)
    assert spilled.numbers.tolist() == list(range(41, 41 + n))
    assert spilled.uuids.size  # the VM's id is in TEXT
    assert spilled.may_hold(fold_index._instance_keys((VM.encode(),)), np.empty(0, np.uint64))
    spill.close()


@pytest.mark.parametrize("chunk", [4096, 1 << 16, 1 << 22])
def test_a_log_folded_with_a_spill_keeps_no_part_in_memory_and_answers_the_same(
    tmp_path: Path, chunk: int
) -> None:
    in_memory = _fold(LOG, chunk, None)
    spill = Spill(str(tmp_path))
    spilled = _fold(LOG, chunk, spill)
    assert len(in_memory.index) == len(spilled.index) > 0
    assert all(p.in_memory for p in in_memory.index)
    assert not any(p.in_memory for p in spilled.index)
    assert spill.size > 0
    assert index_of(spilled) == index_of(in_memory)
    for instances in [(VM.encode(),), (b"0b9e2c4d-7a1f-4e3b-8c5d-6f2a1e9d0c7b",)]:
        a = fold_index.restore(in_memory, instances, frozenset(), WIDTH)
        b = fold_index.restore(spilled, instances, frozenset(), WIDTH)
        assert (a.kept, a.line_numbers.tolist(), a.folded_records) == (
            b.kept,
            b.line_numbers.tolist(),
            b.folded_records,
        )
    assert fold_index.restore(spilled, (VM.encode(),), frozenset(), WIDTH).line_numbers.size > (
        spilled.line_numbers.size
    )
    spill.close()


def test_the_spill_file_has_no_name_on_disk(tmp_path: Path) -> None:
    spill = Spill(str(tmp_path))
    _fold(LOG, 1 << 16, spill)
    assert spill.size > 0
    assert list(tmp_path.iterdir()) == []  # unlinked as made: nothing is left behind
    spill.close()


def test_a_spill_that_cannot_be_made_keeps_the_parts_in_memory(tmp_path: Path) -> None:
    spill = Spill(str(tmp_path / "no such folder"))
    folded = _fold(LOG, 1 << 16, spill)
    assert spill.failed
    assert folded.index
    assert all(p.in_memory for p in folded.index)
    assert index_of(folded) == index_of(_fold(LOG, 1 << 16, None))


def test_a_spill_that_runs_out_of_room_keeps_the_rest_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.pwrite
    writes: list[int] = []

    def full_after_one(fd: int, data: bytes, at: int) -> int:
        writes.append(at)
        if len(writes) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data, at)

    monkeypatch.setattr(index_parts.os, "pwrite", full_after_one)
    spill = Spill(str(tmp_path))
    folded = _fold(LOG, 4096, spill)
    assert spill.failed
    kept_where = [p.in_memory for p in folded.index]
    assert kept_where[0] is False
    assert all(kept_where[1:])
    assert len(kept_where) > 2
    assert index_of(folded) == index_of(_fold(LOG, 4096, None))
    spill.close()


def test_reading_a_bundle_spills_the_index_of_its_folded_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (bundle,) = read_bundles([BUNDLE], fold_from=0)
    logs = [f.folded for f in bundle.files if f.folded is not None and f.folded.index]
    assert logs
    assert not any(p.in_memory for f in logs for p in f.index)
    # the same bundle read with a spill that cannot be made: every part in memory
    monkeypatch.setattr(bundle_module, "Spill", lambda: Spill(str(tmp_path / "missing")))
    (again,) = read_bundles([BUNDLE], fold_from=0)
    kept = [f.folded for f in again.files if f.folded is not None and f.folded.index]
    assert all(p.in_memory for f in kept for p in f.index)
    # instances the indexed lines name come back the same from the file as from memory
    named = sorted({m for f in logs for p in f.index for m in UUID.findall(p.lines())})
    instances = tuple(named[:: max(1, len(named) // 20)])
    assert instances
    for a, b in zip(logs, kept, strict=True):
        ra, rb = (fold_index.restore(x, instances, frozenset(), WIDTH) for x in (a, b))
        assert ra.kept == rb.kept
        assert ra.line_numbers.tolist() == rb.line_numbers.tolist()
        assert ra.counts.equals(rb.counts)
    assert any(
        fold_index.restore(f, instances, frozenset(), WIDTH).line_numbers.size > f.line_numbers.size
        for f in logs
    )


def test_the_spill_goes_where_tmpdir_says_else_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert index_parts.spill_folder() is None  # tempfile reads TMPDIR itself
    monkeypatch.delenv("TMPDIR")
    monkeypatch.setattr(index_parts, "ON_DISK", str(tmp_path))
    assert index_parts.spill_folder() == str(tmp_path)
    monkeypatch.setattr(index_parts, "ON_DISK", str(tmp_path / "absent"))
    assert index_parts.spill_folder() is None
