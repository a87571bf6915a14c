"""Done-when of the timeline: bundles whose hypervisor clocks are minutes off (on top of a
non-UTC zone) still give the onset, the recovery and each host's skew within a minute of
the generator's truth, each stuck VM its story, and charts whose window holds the onset."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

MINUTE = 60.0


def t(value: object) -> datetime:
    assert isinstance(value, str), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def near(value: object, truth: object, within: float = MINUTE) -> bool:
    assert isinstance(truth, datetime)
    return abs((t(value) - truth).total_seconds()) <= within


def offsets(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["source"]: o for o in doc["clock_offsets"]}


CASES = [
    # (scenario, skews, the host whose zone is not UTC)
    ("selfhosted-broker-oom", (("hv-02", 180.0), ("hv-04", -420.0)), "hv-03"),
    ("saas-hypervisor-only", (("kvm-a03", 240.0),), "kvm-a02"),
    ("saas-hypervisor-only", (("kvm-a02", -300.0),), "kvm-a02"),
    ("selfhosted-memory-alarm", (("hv-02", 200.0),), "hv-02"),
    ("old-incident", (("hv-01", 150.0),), "hv-01"),
]


@pytest.mark.parametrize(("name", "skews", "zoned"), CASES)
def test_skew_is_estimated_and_corrected(
    analysed: Any, name: str, skews: tuple[tuple[str, float], ...], zoned: str
) -> None:
    doc, facts = analysed(name, clock_skew_s=skews)
    assert facts["hv_offsets_s"][zoned] != 0  # the zone is handled too, not only the skew
    found = offsets(doc)
    skewed = dict(skews)
    for host in facts["hv_offsets_s"]:
        entry = found[host]
        truth = skewed.get(host, 0.0)
        assert entry["offset_s"] is not None, entry
        assert abs(entry["offset_s"] - truth) <= MINUTE, entry
        assert entry["applied"] is (host in skewed), entry
        assert entry["warning"] is (host in skewed), entry


@pytest.mark.parametrize(("name", "skews", "zoned"), CASES)
def test_onset_and_recovery_within_a_minute(
    analysed: Any, name: str, skews: tuple[tuple[str, float], ...], zoned: str
) -> None:
    doc, facts = analysed(name, clock_skew_s=skews)
    incident = doc["incident"]
    assert incident is not None
    if name == "old-incident":
        start, up = facts["incident"]
        assert near(incident["onset"], start)
        assert near(incident["recovered_at"], up)
        assert incident["status"] == "history"
        assert incident["vms_affected"] == len(facts["deleted_vm_ids"])
    else:
        assert near(incident["onset"], facts["onset"])
        assert incident["recovered_at"] is None
        assert incident["status"] == "ongoing"
        assert incident["vms_affected"] == facts["stuck_count"]
        assert near(incident["first_stuck_vm"], facts["stuck_created"][0])


@pytest.mark.parametrize(("name", "skews", "zoned"), CASES)
def test_each_stuck_vm_has_its_story(
    analysed: Any, name: str, skews: tuple[tuple[str, float], ...], zoned: str
) -> None:
    doc, facts = analysed(name, clock_skew_s=skews)
    stories = {s["id"]: s for s in doc["vm_stories"] if s["id"]}
    for vm_id in facts.get("stuck_vm_ids", []):
        story = stories[vm_id]
        assert story["outcome"] == "stuck"
        assert story["stage"] == "api"  # the cast to the conductor was lost
        assert story["scheduled"] in (False, None)
        assert story["events"], story
    if name == "old-incident":  # deleted since: told from the API's lines alone
        hung = [s for s in doc["vm_stories"] if s["outcome"] == "hung"]
        assert len(hung) == len(facts["deleted_vm_ids"])


@pytest.mark.parametrize(("name", "skews", "zoned"), CASES)
def test_charts_show_the_window_where_it_is(
    analysed: Any, name: str, skews: tuple[tuple[str, float], ...], zoned: str
) -> None:
    doc, _facts = analysed(name, clock_skew_s=skews)
    charts, incident = doc["charts"], doc["incident"]
    start = t(charts["start"])
    end = start + timedelta(seconds=charts["bin_s"] * charts["bins"])
    assert start < t(incident["onset"]) < end
    assert charts["incident"] == {"start": incident["onset"], "end": incident["end"]}
    # the errors of the incident fall inside the shaded window, none long before it
    onset_bin = int((t(incident["onset"]) - start).total_seconds() // charts["bin_s"])
    assert sum(charts["errors"][onset_bin:]) > 0
    assert sum(charts["errors"][: max(onset_bin - 2, 0)]) == 0


def test_without_skew_nothing_is_corrected(analysed: Any) -> None:
    doc, facts = analysed("selfhosted-broker-oom")
    for host in facts["hv_offsets_s"]:
        entry = offsets(doc)[host]
        assert abs(entry["offset_s"]) < 5, entry
        assert entry["applied"] is False
        assert entry["warning"] is False


def test_skew_that_is_not_corrected_would_misplace_the_onset(analysed: Any) -> None:
    """The near miss: a host minutes fast is the first to report; read as written, the
    onset would be minutes early. Corrected, it is where the broker failed."""
    doc, facts = analysed("saas-hypervisor-only", clock_skew_s=(("kvm-a02", -300.0),))
    assert near(doc["incident"]["onset"], facts["onset"], within=10)
    assert offsets(doc)["kvm-a02"]["applied"] is True


def test_burst_before_the_broker_oom(analysed: Any) -> None:
    doc, facts = analysed("selfhosted-broker-oom")
    burst = doc["burst"]
    assert burst["preceded_failure"] is True
    first, _last = facts["burst_creates"]
    assert near(burst["burst_first"], first, within=5)
    assert burst["creates_before_onset"] >= 8
    assert burst["versus_runbook"] == "below"
    assert burst["suggested_batch"] == burst["creates_before_onset"] - 1
    assert burst["peak_concurrent_build"] == facts["stuck_count"]


def test_memory_alarm_has_no_burst(analysed: Any) -> None:
    doc, _facts = analysed("selfhosted-memory-alarm")
    assert doc["burst"]["preceded_failure"] is False
    assert doc["burst"]["suggested_batch"] is None


def test_the_report_shows_the_corrected_skew_and_onset(analysed: Any) -> None:
    from analyzer.document import from_builtins
    from reports import render_markdown

    doc, facts = analysed("selfhosted-broker-oom", clock_skew_s=(("hv-02", 180.0),))
    md = render_markdown(from_builtins(doc))
    row = next(line for line in md.splitlines() if line.startswith("| hv-02 |"))
    assert "+18" in row  # +181 s or so: three minutes fast
    assert row.endswith("| corrected |")
    assert "**hv-02 disagrees with the reference clock by +18" in md
    onset = facts["onset"]
    assert f"| Start (onset) | {onset:%Y-%m-%dT%H:%M:%S}Z |" in md
