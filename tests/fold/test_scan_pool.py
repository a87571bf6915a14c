"""Chunks scanned in other processes (analyzer.scan_pool) read as on threads, and a pool that
breaks or refuses work leaves the rest to be scanned in this process."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analyzer import scan_pool
from analyzer.analysis import analyse
from analyzer.document import to_json
from analyzer.fold import Folded, Folder
from analyzer.parsers import oslo_log
from tests.fold.test_folder import TEXT, WANTED

BUNDLE = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz"
DATA = b"\n".join([TEXT] * 40) + b"\n"


def test_a_bundle_scanned_in_processes_reads_as_on_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    if not scan_pool.can_fork_workers():
        pytest.skip("no second CPU, or not Linux")
    pools: list[Executor] = []
    real = scan_pool.scan_pool

    def recording(size: int, processes: bool = True) -> Executor:
        pools.append(real(size, processes))
        return pools[-1]

    monkeypatch.setattr(scan_pool, "PROCESSES_FROM", 0)
    monkeypatch.setattr("analyzer.bundle.scan_pool", recording)
    # every log of 2 KiB or more folded: the fixture's logs are small
    threads, _, _ = analyse([BUNDLE], fold_from=2048)
    processes, _, _ = analyse([BUNDLE], fold_from=2048, processes=True)
    assert [type(p) for p in pools] == [scan_pool.ThreadPoolExecutor, ProcessPoolExecutor]
    assert processes.counts.log_records_folded > 0
    assert to_json(processes) == to_json(threads)


class _Refusing(Executor):
    """A pool that takes ``good`` chunks, then refuses (``submit``) or breaks (``result``)."""

    def __init__(self, good: int, breaks: str) -> None:
        self.good, self.breaks = good, breaks

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        if self.good > 0:
            self.good -= 1
            future.set_result(fn(*args, **kwargs))
        elif self.breaks == "submit":
            raise RuntimeError("cannot schedule new futures after shutdown")
        else:
            future.set_exception(BrokenProcessPool("a worker was killed"))
        return future


def fold(pool: Executor | None) -> Folded:
    folder = Folder("oslo_log", oslo_log.FOLD, WANTED, pool=pool, depth=2)
    for i in range(0, len(DATA), 700):
        folder.feed(DATA[i : i + 700])
    return folder.finish()


@pytest.mark.parametrize("breaks", ["submit", "result"])
def test_a_pool_that_breaks_leaves_the_rest_scanned_here(breaks: str) -> None:
    expected = fold(None)
    got = fold(_Refusing(good=3, breaks=breaks))
    assert got.kept == expected.kept
    np.testing.assert_array_equal(got.line_numbers, expected.line_numbers)
    assert got.counts.equals(expected.counts)
    assert got.folded_records == expected.folded_records
    assert [p.numbers.tolist() for p in got.index] == [p.numbers.tolist() for p in expected.index]


def test_small_bundles_and_callers_that_run_analyses_side_by_side_get_threads() -> None:
    assert isinstance(
        scan_pool.scan_pool(scan_pool.PROCESSES_FROM - 1), scan_pool.ThreadPoolExecutor
    )
    assert isinstance(
        scan_pool.scan_pool(scan_pool.PROCESSES_FROM, processes=False), scan_pool.ThreadPoolExecutor
    )
