"""Where the bundles are analysed: a local process pool, or a Dask distributed cluster.

Both yield one :class:`BundleResult` per job as results complete, so the caller writes
each bundle's partition as soon as it is ready and holds only the small verdict rows.
A worker that dies (killed, out of memory at the OS level) turns into failed results for
the bundles it took down with it; the run carries on with the rest.

The pool uses the ``spawn`` start method: the parent has pandas and Arrow thread pools
running, and forking a process with live threads can deadlock the child.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any

from analyzer.cpus import usable_cpus
from analyzer.errors import UsageError
from analyzer.fleet.discover import BundleJob
from analyzer.fleet.worker import BundleResult, analyse_bundle, failed
from analyzer.limits import Limits


def run_pool(
    jobs: Sequence[BundleJob], limits: Limits, workers: int | None = None
) -> Iterator[BundleResult]:
    """Analyse in a local process pool of ``workers`` processes (default: one per CPU)."""
    n = max(1, min(workers or usable_cpus(), len(jobs) or 1))
    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures: dict[Future[BundleResult], BundleJob] = {
            pool.submit(analyse_bundle, job, limits): job for job in jobs
        }
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - a dead worker fails its bundles only
                yield failed(job, f"worker failed ({type(exc).__name__}: {exc})")
    finally:
        # Interrupted (Ctrl-C, or the caller stopped): drop the queue, do not run it out.
        pool.shutdown(wait=True, cancel_futures=True)


def connect(address: str, timeout: str = "30s") -> Any:
    """A Dask client for the scheduler at ``address``; UsageError when it cannot be had."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError(
            "--scheduler needs Dask distributed: pip install '.[fleet]' in the analyzer's "
            "source folder"
        ) from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def run_dask(jobs: Sequence[BundleJob], limits: Limits, client: Any) -> Iterator[BundleResult]:
    """Analyse on the Dask cluster of ``client`` (from :func:`connect`), then close it.

    The bundles' paths must be readable on the workers (shared storage); the results come
    back to this process, which writes the dataset.
    """
    from dask.distributed import as_completed as dask_completed

    try:
        futures = client.map(analyse_bundle, list(jobs), limits=limits, pure=False)
        by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
        for future in dask_completed(futures):
            job = by_key[future.key]
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker fails its bundles only
                yield failed(job, f"worker failed ({type(exc).__name__}: {exc})")
            future.release()
    finally:
        client.close()
