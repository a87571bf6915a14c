"""Analyse one bundle where it runs (pool process or Dask worker) and never raise.

This is the function shipped to workers, so it is module-level and takes and returns
picklable values only. Whatever goes wrong with one bundle (unreadable, refused, a bug,
out of memory) comes back as a failed result with a one-line reason: one bad bundle must
not stop a fleet of hundreds. Results are small Arrow tables, written by the caller, so
the dataset folder need only be reachable from the machine that runs ``analyze fleet``
(the bundles, however, must be readable by the workers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from analyzer.errors import AnalyzerError
from analyzer.fleet.discover import BundleJob
from analyzer.fleet.rows import Tables, analysed_tables, failed_tables
from analyzer.limits import Limits

_MAX_ERROR = 500


@dataclass
class BundleResult:
    key: str
    path: str
    tables: Tables
    error: str | None  # None when the bundle was analysed

    @property
    def failed(self) -> bool:
        return self.error is not None


def one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_ERROR else flat[: _MAX_ERROR - 1] + "…"


def failed(job: BundleJob, error: str, seconds: float = 0.0) -> BundleResult:
    error = one_line(error)
    return BundleResult(job.key, job.path, failed_tables(job.path, error, seconds), error)


def analyse_bundle(job: BundleJob, limits: Limits | None = None) -> BundleResult:
    from analyzer.allocator import tune_for_streaming
    from analyzer.analysis import analyse

    tune_for_streaming()  # each worker is a process of its own (idempotent)
    start = time.perf_counter()
    try:
        doc, frames, _inventory = analyse([job.path], limits)
        tables = analysed_tables(doc, frames, job.path, time.perf_counter() - start)
    except AnalyzerError as exc:
        return failed(job, str(exc), time.perf_counter() - start)
    except MemoryError:
        return failed(job, "out of memory while reading the bundle", time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - one bad bundle is a failed row, never fatal
        error = f"internal error ({type(exc).__name__}: {exc})"
        return failed(job, error, time.perf_counter() - start)
    return BundleResult(job.key, job.path, tables, None)
