"""`analyze fleet` usage errors: one `Error:` line, exit status 2, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.errors import UsageError
from analyzer.fleet.executors import connect
from tests.fleet.helpers import ROOT, run_fleet_cli


def test_a_folder_without_bundles_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    code, err = run_fleet_cli(str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert err == "Error: no bundles (.tgz, .tar.gz, .tar or bundle folders) found\n"
    assert not (tmp_path / "out").exists()


def test_a_non_empty_dataset_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    code, err = run_fleet_cli(str(ROOT / "fixtures" / "bundles"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert (
        err == f"Error: {tmp_path / 'out'}: exists and is not an empty folder; give a new --out\n"
    )
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_a_missing_location_is_a_usage_error(tmp_path: Path) -> None:
    code, err = run_fleet_cli(str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert err == f"Error: {tmp_path / 'nope'}: no such file or directory\n"


def test_the_analyze_command_dispatches_fleet(tmp_path: Path) -> None:
    """Through the installed entry point: `analyze fleet` is not read as a bundle named fleet."""
    one = tmp_path / "in" / "healthy.tgz"
    one.parent.mkdir()
    one.write_bytes((ROOT / "fixtures" / "bundles" / "healthy.tgz").read_bytes())
    proc = subprocess.run(
        [sys.executable, "-c", "from analyzer.cli import main; main()", "fleet", str(one.parent),
         "--out", str(tmp_path / "out"), "--workers", "1"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "1 bundles (0 failed): 1 no_failure_found" in proc.stderr
    assert (tmp_path / "out" / "verdicts" / "bundle=healthy" / "part-0.parquet").is_file()


def test_an_unreachable_scheduler_is_a_usage_error() -> None:
    with pytest.raises(
        UsageError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        connect("tcp://127.0.0.1:9", timeout="1s")
