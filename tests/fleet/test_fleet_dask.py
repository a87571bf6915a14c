"""`analyze fleet --scheduler` on a Dask LocalCluster of two single-threaded worker processes.

The same fleet as the process-pool test: every bundle's verdict, sub-causes and
confidence must come out of the cluster exactly as they come out of the local pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fleet.conftest import BAD, FLEET_SIZE, Fleet
from tests.fleet.helpers import class_counts, query, run_fleet_cli, table

pytestmark = pytest.mark.slow

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def _verdicts(dataset: Path) -> list[tuple[object, ...]]:
    return query(
        "SELECT bundle, status, verdict, confidence, subcauses "
        f"FROM {table(dataset, 'verdicts')} ORDER BY bundle"
    )


def test_dask_cluster_writes_the_same_dataset_as_the_pool(
    fleet: Fleet, pool_run: tuple[Path, str], scheduler: str, tmp_path: Path
) -> None:
    roots = [str(fleet.root / "a"), str(fleet.root / "b")]
    on_dask, (on_pool, _err) = tmp_path / "dask", pool_run
    code, err = run_fleet_cli(*roots, "--out", str(on_dask), "--scheduler", scheduler)
    assert code == 0, err
    assert fleet.size == FLEET_SIZE
    assert class_counts(on_dask) == fleet.classes()
    assert _verdicts(on_dask) == _verdicts(on_pool)
    failed = query(f"SELECT bundle FROM {table(on_dask, 'verdicts')} WHERE status = 'failed'")
    assert sorted(b for (b,) in failed) == sorted(BAD)
    assert (on_dask / "summary.html").is_file()


def test_workers_option_is_refused_with_a_scheduler(fleet24: Fleet, tmp_path: Path) -> None:
    code, err = run_fleet_cli(
        str(fleet24.root), "--out", str(tmp_path / "d"), "--scheduler", "tcp://x:1", "-j", "2"
    )
    assert code == 2
    assert err.startswith("Error: --workers is for the local pool")
    assert not (tmp_path / "d").exists()
