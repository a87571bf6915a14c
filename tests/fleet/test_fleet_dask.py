"""`analyze fleet --scheduler` on a Dask LocalCluster of two single-threaded worker processes.

24 bundles rather than 200: the 200-bundle run is the process-pool test's, and the Dask
path differs only in where `analyse_bundle` runs, which 24 bundles exercise as well as
200 (the full 200 on two CPUs would double the suite's fleet time).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fleet.conftest import BAD, Fleet
from tests.fleet.helpers import class_counts, query, run_fleet_cli, table

pytestmark = pytest.mark.slow

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_cluster_writes_the_same_dataset(
    fleet24: Fleet, scheduler: str, tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    code, err = run_fleet_cli(str(fleet24.root), "--out", str(out), "--scheduler", scheduler)
    assert code == 0, err
    assert class_counts(out) == fleet24.classes()
    failed = query(f"SELECT bundle FROM {table(out, 'verdicts')} WHERE status = 'failed'")
    assert sorted(b for (b,) in failed) == sorted(BAD)
    assert (out / "summary.html").is_file()


def test_workers_option_is_refused_with_a_scheduler(fleet24: Fleet, tmp_path: Path) -> None:
    code, err = run_fleet_cli(
        str(fleet24.root), "--out", str(tmp_path / "d"), "--scheduler", "tcp://x:1", "-j", "2"
    )
    assert code == 2
    assert err.startswith("Error: --workers is for the local pool")
    assert not (tmp_path / "d").exists()
