"""A side whose timeline cannot be built is still compared (from its document alone)."""

from __future__ import annotations

import pytest

from analyzer.compare import analyse_side, sides
from tests.compare.conftest import LAB


def test_a_failing_timeline_leaves_an_empty_one(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_frames: object) -> None:
        raise ValueError("no clock")

    monkeypatch.setattr(sides, "build_timeline", broken)
    side = analyse_side(LAB / "broker-stopped.tgz")
    assert side.timeline.frame.empty
    assert side.doc.verdict.cls == "messaging_layer_failure"
