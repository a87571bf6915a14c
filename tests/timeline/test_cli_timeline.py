"""`analyze timeline BUNDLE...`: table, CSV and Parquet output, filters, errors at the
boundary (one `Error:` line, status 2), and hostile text kept inert."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyzer.cli import build_timeline_app

ROOT = Path(__file__).resolve().parents[2]
OOM = ROOT / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_timeline_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


def test_table_with_time_window_and_grep() -> None:
    code, out, _err = run(
        str(OOM), "--since", "2026-03-02T09:06:00Z", "--until", "2026-03-02T09:06:30Z"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:6] == ["TIMESTAMP", "SOURCE", "LANE", "SEVERITY", "FAMILY", "WHERE"]
    stamps = [line.split()[0] for line in lines[1:]]
    assert stamps
    assert all("2026-03-02T09:06:00" <= s <= "2026-03-02T09:06:30Z" for s in stamps)
    assert any("broker_oom_killed" in line and "kubernetes/events.json:" in line for line in lines)
    code, out, _err = run(str(OOM), "--grep", "OOMKilling")
    assert code == 0
    assert len(out.splitlines()) >= 2
    assert all("OOMKilling" in line for line in out.splitlines()[1:])


def test_csv_has_every_column_and_stays_in_time_order() -> None:
    code, out, _err = run(str(OOM), "--format", "csv", "--grep", "Reconnected")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    assert {"timestamp", "read_at", "offset_s", "lane", "family", "file", "line"} <= set(rows[0])
    assert all(r["family"] == "amqp_reconnected" for r in rows)
    assert [r["timestamp"] for r in rows] == sorted(r["timestamp"] for r in rows)


def test_parquet_needs_out_and_round_trips(tmp_path: Path) -> None:
    code, _out, err = run(str(OOM), "--format", "parquet")
    assert code == 2
    assert err.startswith("Error: --format parquet")
    target = tmp_path / "t.parquet"
    code, _out, _err = run(str(OOM), "--format", "parquet", "--out", str(target))
    assert code == 0
    frame = pd.read_parquet(target)
    assert len(frame) > 1000
    assert str(frame["timestamp"].dtype).startswith("datetime64")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "Error: --since: not an ISO 8601 time with a date"),
        (["--until", "09:07"], "Error: --until: not an ISO 8601 time with a date"),
        (["--since", "2026-13-45T99:00:00"], "Error: --since: not an ISO 8601 time"),
    ],
)
def test_bad_times_are_one_error_line(args: list[str], message: str) -> None:
    code, _out, err = run(str(OOM), *args)
    assert code == 2
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_missing_bundle_is_status_2() -> None:
    code, _out, err = run("/nonexistent/x.tgz")
    assert code == 2
    assert err.startswith("Error: /nonexistent/x.tgz")


def _hostile_bundle(tmp_path: Path) -> Path:
    d = tmp_path / "b"
    (d / "hosts" / "hv-01").mkdir(parents=True)
    line = (
        "2026-03-02 09:10:00.000 2817 ERROR oslo.messaging._drivers.impl_rabbit [-] "
        "=cmd|' /C calc'!A0 \x1b[31mAMQP server on x:1 is unreachable\x1b[0m\r: boom"
    )
    (d / "hosts" / "hv-01" / "ostackhost.log").write_text(line + "\n")
    return d


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    code, out, _err = run(str(_hostile_bundle(tmp_path)))
    assert code == 0
    assert "\x1b" not in out
    assert "\r" not in out
    assert "\\x1b[31m" in out


def test_csv_cells_are_not_formulas(tmp_path: Path) -> None:
    code, out, _err = run(str(_hostile_bundle(tmp_path)), "--format", "csv")
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["message"].startswith("'=cmd")


def test_dispatch_keeps_plain_analyze_the_report_command(tmp_path: Path) -> None:
    timeline = subprocess.run(
        [sys.executable, "-m", "analyzer", "timeline", str(OOM), "--grep", "OOMKilling"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert timeline.returncode == 0, timeline.stderr
    assert timeline.stdout.startswith("TIMESTAMP")
    report = subprocess.run(
        [sys.executable, "-m", "analyzer", str(OOM), "-f", "json", "-q"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert report.returncode == 1
    doc = json.loads(report.stdout)
    assert doc["incident"]["status"] == "ongoing"
