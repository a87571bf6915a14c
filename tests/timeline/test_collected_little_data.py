"""The collection time of a hand-gathered bundle (no manifest) comes from clocks that are
exact or corrected, never from a hypervisor's fast clock. The bundles are the lab's real
recordings cut as a customer would send them (``little_data.py``)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from analyzer.analysis import analyse
from analyzer.document import to_builtins
from tests.timeline.little_data import lab_file, little_bundle

FAST = 300.0
MINUTE = 60.0
CASE = "broker-stopped"
ZONED_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d) \[", re.MULTILINE)


def t(value: object) -> datetime:
    assert isinstance(value, str), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def broker_last_event() -> datetime:
    """The recorded broker log's last line (zoned: exact UTC)."""
    times = ZONED_LINE.findall(lab_file(CASE, "hosts/vm/rabbit@localhost.log"))
    return datetime.fromisoformat(times[-1])


def recorded_collection() -> datetime:
    """When the lab's collector finished, as its own manifest says (the truth here)."""
    return t(json.loads(lab_file(CASE, "manifest.json"))["collected_at"])


def run(folder: Path) -> dict[str, Any]:
    doc, _frames, _inventory = analyse([folder])
    return to_builtins(doc)


def test_a_fast_hypervisor_does_not_stretch_the_ongoing_incident(tmp_path: Path) -> None:
    """Five minutes fast, one pair (not corrected): its lines do not set the collection
    time, so the outage ends at the broker's last event, not five minutes later."""
    doc = run(little_bundle(tmp_path / "b", CASE, FAST))
    last = broker_last_event()
    assert doc["collected_at_basis"] == "newest-data"
    assert abs((t(doc["collected_at"]) - last).total_seconds()) <= MINUTE
    incident = doc["incident"]
    assert incident["status"] == "ongoing"
    assert abs((t(incident["end"]) - last).total_seconds()) <= MINUTE
    assert incident["duration_s"] <= (last - t(incident["onset"])).total_seconds() + MINUTE


@pytest.mark.parametrize(
    ("shift_s", "show", "applied"),
    [(FAST, "lab-vm-001", True), (0.0, None, False), (0.0, "lab-vm-001", False)],
)
def test_a_hypervisor_on_the_broker_clock_tells_when_the_bundle_was_collected(
    tmp_path: Path, shift_s: float, show: str | None, applied: bool
) -> None:
    """With a second, agreeing pair the offset is corrected; a clock found on time (the
    near miss) needs no correction. Either way the hypervisor's lines are on the broker's
    clock and carry the collection time to within a minute of the real one."""
    doc = run(little_bundle(tmp_path / "b", CASE, shift_s, show=show))
    [entry] = [o for o in doc["clock_offsets"] if o["source"] == "ostackhost.log"]
    assert entry["applied"] is applied
    truth = recorded_collection()
    assert doc["collected_at_basis"] == "newest-data"
    assert abs((t(doc["collected_at"]) - truth).total_seconds()) <= MINUTE
    assert t(doc["collected_at"]) <= truth


def test_near_miss_a_manifest_keeps_its_time(tmp_path: Path) -> None:
    folder = little_bundle(tmp_path / "b", CASE, FAST)
    (folder / "manifest.json").write_text(lab_file(CASE, "manifest.json"))
    doc = run(folder)
    assert doc["collected_at_basis"] == "manifest"
    assert t(doc["collected_at"]) == recorded_collection()


def test_near_miss_zoned_logs_alone_keep_their_newest_line(tmp_path: Path) -> None:
    """Every line names its zone: the newest one is the collection time, as before."""
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "rabbit.log").write_text(lab_file(CASE, "hosts/vm/rabbit@localhost.log"))
    doc = run(folder)
    assert doc["collected_at_basis"] == "newest-data"
    assert t(doc["collected_at"]) == broker_last_event()


@pytest.mark.parametrize("shift_s", [FAST, 0.0])
def test_a_hypervisor_log_alone_is_a_local_reading(tmp_path: Path, shift_s: float) -> None:
    """Only zone-less lines and no offset: the collection time is that clock's reading,
    and the basis says so."""
    folder = tmp_path / "b"
    folder.mkdir()
    (little_bundle(tmp_path / "full", CASE, shift_s) / "ostackhost.log").rename(
        folder / "ostackhost.log"
    )
    doc = run(folder)
    assert doc["collected_at_basis"] == "newest-local-time"
    newest = max(
        datetime.fromisoformat(m + "+00:00")
        for m in re.findall(r"^(\S+ \S+) \d+ ", (folder / "ostackhost.log").read_text(), re.M)
    )
    assert t(doc["collected_at"]) == newest


def test_a_timeline_that_cannot_be_built_early_changes_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail forward: without the early timeline no lane is corrected, and the diagnosis
    and the sections (built again) stand."""
    from analyzer import analysis

    def broken(_frames: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(analysis, "build_timeline", broken)
    doc = run(little_bundle(tmp_path / "b", CASE, FAST, show="lab-vm-001"))
    assert doc["verdict"]["class"] == "messaging_layer_failure"
    assert t(doc["collected_at"]) == broker_last_event()  # the corrected lane is not used
    assert doc["incident"] is not None
    assert "timeline_error" not in doc
