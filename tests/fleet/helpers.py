"""Running ``analyze fleet`` in-process and reading the dataset back with DuckDB."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
from typer.testing import CliRunner

from analyzer.cli import build_fleet_app

ROOT = Path(__file__).resolve().parents[2]


def run_fleet_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_fleet_app(), list(args))
    return result.exit_code, result.stderr


def query(sql: str) -> list[tuple[Any, ...]]:
    return duckdb.sql(sql).fetchall()


def table(dataset: Path, name: str) -> str:
    return f"read_parquet('{dataset}/{name}/**/*.parquet', hive_partitioning = true)"


def class_counts(dataset: Path) -> Counter[str]:
    rows = query(
        f"SELECT coalesce(verdict, status), count(*) FROM {table(dataset, 'verdicts')} GROUP BY ALL"
    )
    return Counter({cls: n for cls, n in rows})


def readme_queries() -> dict[str, str]:
    """The SQL blocks of README.md's "Fleet analysis" section, by their first comment."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Fleet analysis") :]
    section = section[: section.index("\n### ", 1)]
    blocks = re.findall(r"```sql\n(.*?)```", section, re.S)
    return {b.splitlines()[0].removeprefix("--").strip(): b for b in blocks}
