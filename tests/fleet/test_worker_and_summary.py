"""One bundle never stops the fleet; the summary's counts and its escaping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import analyzer.analysis
from analyzer.fleet.dataset import write_bundle
from analyzer.fleet.discover import BundleJob
from analyzer.fleet.rows import analysed_tables
from analyzer.fleet.summary import fleet_summary
from analyzer.fleet.tables import TABLES
from analyzer.fleet.worker import BundleResult, analyse_bundle
from reports.fleet import render_fleet_html, render_fleet_markdown
from tests.fleet.helpers import query, table

ROOT = Path(__file__).resolve().parents[2]
OOM = ROOT / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz"


def test_an_analysed_bundle_fills_every_table() -> None:
    result = analyse_bundle(BundleJob("oom", str(OOM)))
    assert not result.failed
    assert set(result.tables) == set(TABLES)
    for name, t in result.tables.items():
        assert t.schema.equals(TABLES[name]), name
    row = result.tables["verdicts"].to_pylist()[0]
    assert row["status"] == "analysed"
    assert row["verdict"] == "messaging_layer_failure"
    assert "broker_pod_oomkilled" in row["subcauses"]
    assert row["collected_week"] == "2026-W10"
    assert result.tables["stuck_vms"].num_rows == row["stuck_vms"] > 0


def test_a_bug_in_the_analysis_is_a_failed_row(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("line one\nline two")

    monkeypatch.setattr(analyzer.analysis, "analyse", boom)
    result = analyse_bundle(BundleJob("oom", str(OOM)))
    assert result.error == "internal error (RuntimeError: line one line two)"
    verdicts = result.tables["verdicts"].to_pylist()
    assert [(r["status"], r["error"]) for r in verdicts] == [("failed", result.error)]
    assert all(result.tables[n].num_rows == 0 for n in TABLES if n != "verdicts")


def test_an_unreadable_bundle_is_a_failed_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tgz"
    bad.write_bytes(b"\x1f\x8b garbage")
    result = analyse_bundle(BundleJob("bad", str(bad)))
    assert result.failed
    assert result.error is not None
    assert result.error.startswith(str(bad))


ROWS: list[dict[str, Any]] = [
    {"bundle": "a", "status": "analysed", "verdict": "messaging_layer_failure",
     "subcauses": ["broker_pod_oomkilled", "rpc_timeout"], "region": "r1",
     "collected_week": "2026-W10"},
    {"bundle": "b", "status": "analysed", "verdict": "messaging_layer_failure",
     "subcauses": ["rpc_timeout"], "region": "r2", "collected_week": "2026-W11"},
    {"bundle": "c", "status": "analysed", "verdict": "no_failure_found", "subcauses": [],
     "region": "r1", "collected_week": "2026-W10"},
    {"bundle": "d", "status": "failed", "verdict": None, "subcauses": [], "region": None,
     "collected_week": None, "source": "/x/d.tgz", "error": "not a tar archive"},
]  # fmt: skip


def test_summary_counts_by_class_subcause_region_and_week() -> None:
    s = fleet_summary(ROWS)
    assert (s["bundles"], s["analysed"], s["failed"]) == (4, 3, 1)
    assert s["classes"] == ["messaging_layer_failure", "no_failure_found", "failed"]
    assert s["verdicts"] == [
        {"class": "messaging_layer_failure", "bundles": 2},
        {"class": "no_failure_found", "bundles": 1},
        {"class": "failed", "bundles": 1},
    ]
    assert s["subcauses"] == [
        {"subcause": "rpc_timeout", "bundles": 2},
        {"subcause": "broker_pod_oomkilled", "bundles": 1},
    ]
    regions = {g["name"]: (g["bundles"], g["counts"]) for g in s["regions"]}
    assert regions["r1"] == (2, {"messaging_layer_failure": 1, "no_failure_found": 1, "failed": 0})
    assert regions[None] == (1, {"messaging_layer_failure": 0, "no_failure_found": 0, "failed": 1})
    assert [g["name"] for g in s["regions"]] == ["r1", "r2", None]  # unknown last
    assert [(g["name"], g["bundles"]) for g in s["weeks"]] == [
        ("2026-W10", 2),
        ("2026-W11", 1),
        (None, 1),
    ]
    assert s["failures"] == [{"bundle": "d", "source": "/x/d.tgz", "error": "not a tar archive"}]


def test_summary_reports_escape_bundle_text() -> None:
    hostile = [
        {**ROWS[0], "region": "<script>alert(1)</script>"},
        {**ROWS[3], "bundle": "x|y", "error": "<img src=x onerror=alert(1)> | *bold*"},
    ]
    s = fleet_summary(hostile)
    html = render_fleet_html(s)
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = render_fleet_markdown(s)
    for escaped in ("x\\|y", "\\*bold\\*", "\\<img"):
        assert escaped in md
    assert "| Failed to analyse |" in md


def test_folded_logs_fill_the_log_templates_table_and_the_documented_query_reads_it(
    tmp_path: Path,
) -> None:
    doc, frames, _inv = analyzer.analysis.analyse([OOM], fold_from=0)  # every log folded
    tables = analysed_tables(doc, frames, str(OOM), 1.0)
    templates = tables["log_templates"]
    assert templates.schema.equals(TABLES["log_templates"])
    assert templates.num_rows == len(frames.log_templates) > 0
    write_bundle(tmp_path, BundleResult("oom", str(OOM), tables, None))
    # docs/fleet.md's query, on this one bundle
    rows = query(
        "SELECT template, sum(sampled * sample_every) AS records, count(DISTINCT bundle) "
        f"FROM {table(tmp_path, 'log_templates')} GROUP BY template ORDER BY records DESC"
    )
    routine = doc.routine_messages
    assert routine is not None
    top = routine.messages[0]
    assert rows[0] == (top.template, top.records_estimated, 1)
