"""The top level of ``analysis.json`` (schema ``pcd-analysis/1``)."""

from __future__ import annotations

import msgspec

from analyzer.document.base import Record, Seconds, Time
from analyzer.document.findings import CounterEvidence, Finding, MissingSource, Symptom, Verdict
from analyzer.document.recovery import Cleanup, NextSteps, Prevention, Recovery, StuckVm
from analyzer.document.routine import RoutineMessages
from analyzer.document.timeline import Burst, Charts, ClockOffset, Incident, KeyEvent, VmStory
from analyzer.model import Deployment

SCHEMA = "pcd-analysis/1"


class Generator(Record, frozen=True):
    name: str
    version: str


class BundleEntry(Record, frozen=True):
    name: str
    files: int
    collected_at: Time | None
    # manifest | archive-mtime | newest-data | newest-local-time | unknown
    collected_at_basis: str
    collector: str | None
    utc_offset_s: Seconds | None


class Problem(Record, frozen=True):
    """Something in the bundle that could not be read, and what was skipped for it."""

    file: str
    problem: str
    skipped: str


class FailedCollection(Record, frozen=True):
    """A command the collector ran that failed (from the bundle's manifest)."""

    path: str
    command: str | None
    exit_code: int | None
    timed_out: bool
    error: str | None


class Counts(Record, frozen=True):
    servers: int
    build: int
    error: int
    active: int
    services: int  # every service listed, controllers (scheduler, conductor) included
    compute_services: int  # those whose binary is a compute service
    services_down: int
    log_records: int  # every record read, the folded ones (large logs) included
    log_records_folded: int
    pods: int
    events: int
    data_files: int  # files a parser recognised and read (0: nothing in the bundle analysed)


class AnalysisDocument(Record, frozen=True, kw_only=True):
    """The machine-readable result of ``analyze``; the reports are rendered from it."""

    schema: str
    generator: Generator
    bundles: list[BundleEntry]
    collected_at: Time | None
    collected_at_basis: str
    deployment: Deployment
    deployment_basis: str
    region: str | None
    namespace: str | None
    verdict: Verdict
    next_steps: NextSteps
    symptoms: list[Symptom]
    findings: list[Finding]  # current findings, strongest first
    history: list[Finding]  # matched, but over (resolved) or too old
    counter_evidence: list[CounterEvidence]
    stuck_vms: list[StuckVm]
    recovery: Recovery
    cleanup: Cleanup
    prevention: Prevention
    missing_sources: list[MissingSource]
    problems: list[Problem]
    unrecognised_files: list[str]
    failed_collections: list[FailedCollection]
    clock_assumptions: list[str]
    incident: Incident | None
    clock_offsets: list[ClockOffset]
    vm_stories: list[VmStory]
    burst: Burst | None
    key_events: list[KeyEvent]
    charts: Charts | None
    # only when the timeline could not be built (its sections are then empty)
    timeline_error: str | msgspec.UnsetType = msgspec.UNSET
    # None when no log was large enough to fold (analyzer.document.routine)
    routine_messages: RoutineMessages | None
    counts: Counts
