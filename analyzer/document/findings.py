"""The diagnosis part of the document: verdict, symptom table, findings, counter-evidence
and the sources a better verdict would need."""

from __future__ import annotations

import msgspec

from analyzer.document.base import JsonValue, Record, Time
from analyzer.model import FailureClass
from analyzer.runbook import Source
from analyzer.runbook import Symptom as SymptomRow


class Verdict(Record, frozen=True):
    """The failure class the evidence points to, how sure, and the sub-causes found."""

    cls: FailureClass = msgspec.field(name="class")
    confidence: float
    subcauses: list[str]
    scores: dict[FailureClass, float]


class Symptom(Record, frozen=True):
    """A row of the runbook's symptom table: what was observed, which classes it fits."""

    key: SymptomRow
    symptom: str
    observed: str
    matches: list[FailureClass]
    expected: dict[FailureClass, str]


class Evidence(Record, frozen=True):
    """A line of the bundle that shows a finding (or goes into the escalation packet)."""

    file: str
    line: int | None
    timestamp: Time | None
    text: str
    # Other sources that say the same ("file:line"); left out when there are none.
    also: list[str] | msgspec.UnsetType = msgspec.UNSET


class Finding(Record, frozen=True):
    """One rule's conclusion: the class it argues for and how strongly (0..1)."""

    key: str
    supports: FailureClass
    strength: float
    subcause: bool
    facts: dict[str, JsonValue]
    evidence: list[Evidence]
    description: str


class CounterRow(Record, frozen=True):
    symptom: str
    observed: str
    expected: str


class CounterEvidence(Record, frozen=True):
    """For a class not chosen, the observed symptoms that argued against it."""

    cls: FailureClass = msgspec.field(name="class")
    against: list[CounterRow]


class MissingSource(Record, frozen=True):
    """A source the bundle lacks, and the command that collects it."""

    source: Source
    what: str
    command: str
