"""Collector to analyzer: a bundle collected with fake pcdctl/kubectl gets the right verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import build_app
from tests.collector.fakes import make_bundle


@pytest.mark.parametrize(
    ("scenario", "deployment", "verdict", "subcauses"),
    [
        (
            "messaging",
            "self-hosted",
            "messaging_layer_failure",
            {"broker_pod_crashloop", "broker_pod_oomkilled"},
        ),
        ("messaging", "saas", "messaging_layer_failure", set()),
        ("healthy", "self-hosted", "no_failure_found", set()),
        ("healthy", "saas", "no_failure_found", set()),
    ],
)
def test_collected_bundle_round_trips(
    tmp_path: Path, scenario: str, deployment: str, verdict: str, subcauses: set[str]
) -> None:
    bundle = make_bundle(tmp_path, scenario, deployment)
    result = CliRunner().invoke(build_app(), [str(bundle), "--format", "json", "--quiet"])
    doc = json.loads(result.stdout)
    assert doc["verdict"]["class"] == verdict, doc["verdict"]
    assert subcauses <= set(doc["verdict"]["subcauses"])
    assert result.exit_code == (0 if verdict == "no_failure_found" else 1)
    assert doc["deployment"] == deployment
    assert doc["collected_at_basis"] == "manifest"
    assert doc["unrecognised_files"] == []
    assert doc["problems"] == []
    if verdict == "messaging_layer_failure":
        assert doc["stuck_vms"], "the collected BUILD servers are measured against collection time"
