"""The typed result of ``analyze compare`` (schema ``pcd-compare/1``).

msgspec structs like :mod:`analyzer.document`: one set of types for the comparison that
builds them, the JSON written to ``compare.json``, the reports rendered from it and the
JSON Schema (``python -m analyzer.compare --schema``, checked in as
``docs/compare-schema.json``). Field order is key order in the JSON. Every item that
compares the two bundles carries its evidence from each side (``file:line``; ``None`` when
that side has nothing to show, e.g. a deleted server).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import msgspec

from analyzer.document import (
    ClockOffset,
    Evidence,
    Generator,
    ServiceState,
    StuckVm,
    TimeRange,
)
from analyzer.document.base import Record, Seconds, Time
from analyzer.model import Deployment, FailureClass

SCHEMA = "pcd-compare/1"


class Outcome(StrEnum):
    RECOVERED = "recovered"
    PARTIALLY_RECOVERED = "partially_recovered"
    NOT_RECOVERED = "not_recovered"
    RELAPSED = "relapsed"
    DIFFERENT_FAILURE = "different_failure"
    INCONCLUSIVE = "inconclusive"


class Side(Record, frozen=True):
    """One side of the comparison: its bundles and what their analysis concluded."""

    bundles: list[str]
    collected_at: Time | None
    region: str | None
    deployment: Deployment
    namespace: str | None
    verdict: FailureClass
    subcauses: list[str]
    onset: Time | None
    stuck_vms: int
    clock_offsets: list[ClockOffset]  # the skew estimates applied to this side's events


class Mismatch(Record, frozen=True):
    """Why the two sides may not be one region before and after one fix."""

    key: str  # region | deployment | order | same_bundle | unknown_time
    before: str | None
    after: str | None


class FindingChange(Record, frozen=True):
    """A finding of either side, and whether AFTER still shows it after the fix."""

    key: str
    supports: FailureClass
    before: bool
    after: str  # current | before_fix (only lines older than the fix) | absent
    after_last: Time | None
    before_evidence: Evidence | None
    after_evidence: Evidence | None


class VmChange(Record, frozen=True):
    """A VM stuck in BUILD in BEFORE, and what it is in AFTER."""

    id: str
    name: str | None
    now: str  # ACTIVE | ERROR | deleted | BUILD | <other status>
    before_evidence: Evidence | None
    after_evidence: Evidence | None
    commands: list[str]  # the runbook's clean-up, for the ones still in BUILD


class Fix(Record, frozen=True):
    """The first sign in AFTER of something done to the broker after BEFORE was taken."""

    at: Time
    basis: str  # pod_killed | broker_pod_started | broker_started | alarm_cleared
    evidence: Evidence


class Broker(Record, frozen=True):
    """The broker between the bundles: restarts, and whether it crashed again."""

    pods: list[str]
    restart_count_before: int | None
    restart_count_after: int | None
    replaced: bool  # a new pod (restartCount starts again) rather than restarts of the old
    crashed_again: bool
    crash_evidence: list[Evidence]  # AFTER, later than the fix: OOMKilled, alarm set, down
    faults_before: list[Evidence]  # BEFORE: the broker down, OOM-killed or its alarm set
    alarms_cleared: list[Evidence]
    before_evidence: list[Evidence]


class Client(Record, frozen=True):
    """A host or pod whose messaging client failed in BEFORE, and how it is in AFTER."""

    lane: str
    state: str  # reconnected | unblocked | quiet (no error since the fix) | failing
    faults_before: int
    reconnected_at: Time | None  # the first reconnect (or unblock) after the fix
    before_evidence: Evidence | None
    after_evidence: Evidence | None


class Create(Record, frozen=True):
    """A VM created in AFTER after the fix: the runbook's "verify that new creates work"."""

    id: str | None
    name: str | None
    status: str | None
    created_at: Time | None
    build_s: Seconds | None
    result: str  # active | slow (ACTIVE after the stuck threshold) | building | failed
    evidence: Evidence | None


class ServiceChange(Record, frozen=True):
    binary: str | None
    host: str | None
    before: str  # "<status>/<state>", or "absent"
    after: str
    before_evidence: Evidence | None
    after_evidence: Evidence | None


class Timing(Record, frozen=True):
    """Both bundles on one clock: each side's skew estimates were applied to its events."""

    before_collected_at: Time | None
    after_collected_at: Time | None
    onset: Time | None
    fix: Fix | None
    recovered_at: Time | None  # first reconnect (or first good create) after the fix
    recovered_basis: str | None
    time_to_recovery_s: Seconds | None  # from the fix
    outage_s: Seconds | None  # from BEFORE's onset


class Packet(Record, frozen=True):
    """The runbook's escalation to Platform9 Support, from both bundles: what it lists for
    SaaS (time range, servers in BUILD, compute services, ostackhost.log lines) and what
    the Self-Hosted escalation needs besides (cause, what was tried)."""

    cause: str  # memory | disk | misconfiguration | authentication | unknown
    deployment: Deployment
    region: str | None
    namespace: str | None
    onset: Time | None
    time_range: TimeRange  # BEFORE's onset (or first stuck VM) to AFTER's collection
    vm_ids: list[str]  # stuck in BEFORE, or in AFTER
    build_servers: list[StuckVm]  # AFTER's `pcdctl server list --status BUILD`
    services: list[ServiceState]  # AFTER's `pcdctl compute service list`
    # the lines of each side, ostackhost.log first: clients' errors and reconnects, the
    # findings' lines (AFTER: only current ones) and AFTER's broker crashes
    lines_before: list[Evidence]
    lines_after: list[Evidence]
    tried: list[str]  # what was done, with its time, from AFTER


class WindowSeries(Record, frozen=True):
    """One side's errors per bin, for the chart that shows both windows."""

    start: Time
    bin_s: Seconds
    errors: list[int]


class CompareDocument(Record, frozen=True, kw_only=True):
    schema: str
    generator: Generator
    outcome: Outcome
    reasons: list[str]  # keys, worded by the reports (reports/compare_wording.py)
    escalate: bool
    mismatches: list[Mismatch]
    before: Side
    after: Side
    timing: Timing
    findings: list[FindingChange]
    stuck_vms: list[VmChange]
    broker: Broker
    clients: list[Client]
    creates: list[Create]
    services: list[ServiceChange]
    escalation: Packet | None
    windows: list[WindowSeries]  # [BEFORE, AFTER] when each side has a chart


def to_json(doc: CompareDocument) -> str:
    return json.dumps(msgspec.to_builtins(doc), indent=2, ensure_ascii=False) + "\n"


def from_json(data: bytes | str) -> CompareDocument:
    return msgspec.json.decode(data, type=CompareDocument)


def json_schema() -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"compare.json ({SCHEMA})",
        **msgspec.json.schema(CompareDocument),
    }
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
