"""Ranking the hypotheses: contested evidence, no data, and what missing sources cost."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from analyzer.cli import build_app
from analyzer.diagnosis import SymptomRow, rank
from analyzer.frames import Frames
from analyzer.model import FailureClass, Finding, Inventory
from analyzer.rules.context import RuleContext

M, R, H = FailureClass.MESSAGING, FailureClass.RESOURCE, FailureClass.HOST


def ctx_with_servers() -> RuleContext:
    import pandas as pd

    from analyzer.frames import build_frames

    frames = build_frames({"servers": [pd.DataFrame({"id": ["a"], "status": ["ACTIVE"]})]})
    return RuleContext(frames, Inventory())


def test_contested_evidence_is_inconclusive_with_both_subcauses() -> None:
    findings = [
        Finding("broker_unreachable", M, 0.6),
        Finding("no_valid_host", R, 0.6),
    ]
    verdict = rank(ctx_with_servers(), findings, [], coverage=1.0)
    assert verdict.cls is FailureClass.INCONCLUSIVE
    assert set(verdict.subcauses) == {"broker_unreachable", "no_valid_host"}


def test_clear_winner_takes_the_verdict_and_runner_up_lowers_confidence() -> None:
    alone = rank(ctx_with_servers(), [Finding("no_valid_host", R, 0.8)], [], 1.0)
    contested = rank(
        ctx_with_servers(),
        [Finding("no_valid_host", R, 0.8), Finding("missed_heartbeats", M, 0.2)],
        [],
        1.0,
    )
    assert alone.cls is contested.cls is R
    assert contested.confidence < alone.confidence


def test_symptom_agreement_weighs_in() -> None:
    rows = [SymptomRow("services_up", "s", "o", [H], {})]
    agree = rank(ctx_with_servers(), [Finding("compute_service_down", H, 0.6)], rows, 1.0)
    disagree_rows = [SymptomRow("services_up", "s", "o", [M, R], {})]
    disagree = rank(
        ctx_with_servers(), [Finding("compute_service_down", H, 0.6)], disagree_rows, 1.0
    )
    assert agree.scores[H] > disagree.scores[H]


def test_missing_sources_lower_confidence() -> None:
    full = rank(ctx_with_servers(), [Finding("no_valid_host", R, 0.8)], [], 1.0)
    partial = rank(ctx_with_servers(), [Finding("no_valid_host", R, 0.8)], [], 0.7)
    assert partial.confidence < full.confidence


def test_weak_signals_alone_are_no_failure() -> None:
    verdict = rank(ctx_with_servers(), [Finding("missed_heartbeats", M, 0.2)], [], 1.0)
    assert verdict.cls is FailureClass.NONE
    assert verdict.subcauses == []


def test_empty_bundle_is_inconclusive_and_names_what_to_collect(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("customer says VMs hang\n")
    result = CliRunner().invoke(build_app(), [str(tmp_path / "empty"), "-f", "json", "-q"])
    doc = json.loads(result.stdout)
    assert result.exit_code == 1
    assert doc["verdict"]["class"] == "inconclusive"
    assert doc["unrecognised_files"] == ["notes.txt"]
    commands = {m["source"]: m["command"] for m in doc["missing_sources"]}
    assert commands["servers"] == "pcdctl server list --all-projects --long -f json"
    assert commands["pods"] == "kubectl -n <namespace> get pods -o json"


def test_frames_default_to_declared_empty_tables() -> None:
    frames = Frames()
    assert list(frames.servers.columns)[:3] == ["id", "name", "status"]
    assert frames.logs.empty
