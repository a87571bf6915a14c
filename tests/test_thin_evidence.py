"""A verdict resting on undated lines, or on one line, says so and claims less."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from analyzer.diagnosis import THIN_EVIDENCE_CAP, evidence_basis, rank
from analyzer.frames import build_frames
from analyzer.model import Evidence, EvidenceBasis, FailureClass, Finding, Inventory
from analyzer.rules.context import RuleContext

M = FailureClass.MESSAGING
AT = datetime(2015, 3, 18, 9, 33, 28, tzinfo=UTC)
CREDENTIALS = "AMQP server controller:5672 closed the connection. Check login credentials"


def ctx() -> RuleContext:
    frames = build_frames({"servers": [pd.DataFrame({"id": ["a"], "status": ["ACTIVE"]})]})
    return RuleContext(frames, Inventory())


def line(n: int, at: datetime | None) -> Evidence:
    return Evidence(file="paste.txt", line=n, timestamp=at, text=CREDENTIALS)


def finding(*evidence: Evidence, count: int = 1, strength: float = 0.9) -> Finding:
    return Finding("broker_auth_failure", M, strength, {"count": count}, list(evidence))


def test_only_undated_lines_cap_the_confidence() -> None:
    found = [finding(line(8, None), line(9, None), count=2), finding(line(12, None))]
    verdict = rank(ctx(), found, [], coverage=1.0)
    assert verdict.cls is M
    assert verdict.evidence_basis is EvidenceBasis.UNDATED_ONLY
    assert verdict.confidence <= THIN_EVIDENCE_CAP[EvidenceBasis.UNDATED_ONLY]


def test_a_single_line_caps_the_confidence() -> None:
    verdict = rank(ctx(), [finding(line(8, AT))], [], coverage=1.0)
    assert verdict.evidence_basis is EvidenceBasis.SINGLE_LINE
    assert verdict.confidence <= THIN_EVIDENCE_CAP[EvidenceBasis.SINGLE_LINE]


def test_near_miss_several_dated_records_are_not_thin() -> None:
    # one line shown, but the finding counted five records: not a single observation
    assert evidence_basis([finding(line(8, AT), count=5)]) is None
    verdict = rank(ctx(), [finding(line(8, AT), line(30, AT), count=5)], [], coverage=1.0)
    assert verdict.evidence_basis is None
    assert verdict.confidence > THIN_EVIDENCE_CAP[EvidenceBasis.SINGLE_LINE]


def test_near_miss_one_dated_line_among_undated_ones_is_dated_evidence() -> None:
    assert evidence_basis([finding(line(8, None), line(9, AT), count=2)]) is None


def test_the_report_words_name_the_caps_the_diagnosis_applies() -> None:
    from reports import wording as w

    for basis, cap in THIN_EVIDENCE_CAP.items():
        percent = w.EVIDENCE_CAP_PERCENT[basis.value]
        assert percent == round(cap * 100)
        assert f"{percent}% at most" in w.EVIDENCE_BASIS[basis.value]
