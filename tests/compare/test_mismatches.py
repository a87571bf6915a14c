"""Pairs that are not one region before and after a fix never read ``recovered``."""

from __future__ import annotations

from collections.abc import Callable

from analyzer.compare import Analysed, Outcome, compare

Side = Callable[[str], Analysed]


def test_the_lab_pair_reversed_is_a_new_failure_and_flagged(side: Side) -> None:
    doc = compare(side("lab/broker-stopped-recovered"), side("lab/broker-stopped"))
    assert doc.outcome is Outcome.DIFFERENT_FAILURE
    assert doc.reasons == ["new_failure"]
    assert [m.key for m in doc.mismatches] == ["order"]
    assert doc.timing.fix is None  # nothing happens "between" bundles taken in that order


def test_a_fixed_region_followed_by_the_incident_is_not_a_recovery(side: Side) -> None:
    # both show a failure here (AFTER's verdict is stale): the order alone decides
    doc = compare(side("oom-after-restarted"), side("before"))
    assert doc.outcome is not Outcome.RECOVERED
    assert "order" in [m.key for m in doc.mismatches]


def test_the_same_bundle_twice(side: Side) -> None:
    doc = compare(side("before"), side("before"))
    assert doc.outcome is Outcome.INCONCLUSIVE
    assert doc.reasons == ["mismatch_same_bundle"]


def test_two_regions(side: Side) -> None:
    # pcd-region1 on 2 March, then pcd-region2's memory alarm on 7 March
    doc = compare(side("before"), side("region2"))
    assert doc.outcome is Outcome.INCONCLUSIVE
    assert doc.reasons == ["mismatch_region"]
    assert [(m.key, m.before, m.after) for m in doc.mismatches] == [
        ("region", "pcd-region1", "pcd-region2")
    ]
