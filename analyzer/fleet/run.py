"""One fleet run: find the bundles, analyse them where asked, write the dataset.

Data flows one way: :mod:`discover` -> :mod:`executors` (which call :mod:`worker`) ->
:mod:`dataset`, one bundle at a time as results arrive, and the verdict rows kept for
:mod:`summary`. Only a usage problem (no bundles, a dataset folder in the way, an
unreachable scheduler) stops the run; a bundle that cannot be analysed is a failed row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from analyzer.errors import UsageError
from analyzer.fleet.dataset import prepare, write_bundle
from analyzer.fleet.discover import find_bundles
from analyzer.fleet.executors import connect, run_dask, run_pool
from analyzer.fleet.summary import fleet_summary
from analyzer.fleet.worker import BundleResult
from analyzer.limits import Limits

Progress = Callable[[int, int, BundleResult], None]


def run_fleet(
    locations: Sequence[str | Path],
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Analyse every bundle under ``locations`` into the dataset ``out``; the summary."""
    start = time.perf_counter()
    jobs = find_bundles(locations)
    if not jobs:
        raise UsageError("no bundles (.tgz, .tar.gz, .tar or bundle folders) found")
    client = connect(scheduler) if scheduler else None  # before anything is written
    try:
        prepare(out)
    except UsageError:
        if client is not None:
            client.close()
        raise
    limits = limits or Limits()
    results = run_dask(jobs, limits, client) if client else run_pool(jobs, limits, workers)
    rows: list[dict[str, Any]] = []
    for done, result in enumerate(results, 1):
        write_bundle(out, result)
        row = result.tables["verdicts"].to_pylist()[0]
        row["bundle"] = result.key
        rows.append(row)
        if progress:
            progress(done, len(jobs), result)
    return fleet_summary(rows, time.perf_counter() - start)
