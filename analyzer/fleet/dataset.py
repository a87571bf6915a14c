"""The fleet's Parquet dataset: one folder per table, one Hive partition per bundle.

    DATASET/verdicts/bundle=<key>/part-0.parquet
    DATASET/findings/bundle=<key>/part-0.parquet
    ...

Readable as is by DuckDB (``read_parquet('DATASET/verdicts/**/*.parquet',
hive_partitioning=true)``), Spark and Trino. Each partition is written to a temporary
name and renamed, so an interrupted run never leaves a half-written file that a query
would trip over. The dataset folder must be new or empty: a fleet run does not merge into
(or delete) an older dataset.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]  # no stubs in pyarrow itself

from analyzer.errors import UsageError
from analyzer.fleet.tables import TABLES
from analyzer.fleet.worker import BundleResult

PART = "part-0.parquet"


def prepare(out: Path) -> None:
    """Create the dataset folder; refuse one that already holds anything."""
    try:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise UsageError(f"{out}: exists and is not an empty folder; give a new --out")
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot create the dataset folder ({exc.strerror})") from None


def write_bundle(out: Path, result: BundleResult) -> None:
    """Write one bundle's rows into every table (empty tables as empty files)."""
    for name in TABLES:
        folder = out / name / f"bundle={result.key}"
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{PART}.tmp"
        pq.write_table(result.tables[name], tmp, compression="zstd")
        os.replace(tmp, folder / PART)
