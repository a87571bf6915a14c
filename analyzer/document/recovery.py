"""The advice part of the document: stuck VMs, the runbook's recovery for this deployment,
the clean-up of stuck VMs and the prevention of the next failure."""

from __future__ import annotations

from analyzer.document.base import Record, Seconds, Time
from analyzer.document.findings import Evidence
from analyzer.model import Deployment


class StuckVm(Record, frozen=True):
    """A server in BUILD (for ``stuck_vms``: for over ten minutes)."""

    id: str | None
    name: str | None
    status: str | None
    task_state: str | None
    host: str | None
    created_at: Time | None
    age_s: Seconds | None


class Step(Record, frozen=True):
    """A recovery step of the runbook, with this deployment's names filled in."""

    key: str
    commands: list[str]


class TimeRange(Record, frozen=True):
    start: Time | None
    end: Time | None


class ServiceState(Record, frozen=True):
    binary: str | None
    host: str | None
    status: str | None
    state: str | None
    updated_at: Time | None


class Escalation(Record, frozen=True):
    """The packet the runbook asks SaaS (and unknown) deployments to send Support."""

    time_range: TimeRange
    build_servers: list[StuckVm]
    services: list[ServiceState]
    ostackhost_lines: list[Evidence]


class Recovery(Record, frozen=True):
    deployment: Deployment
    namespace: str | None
    broker_pods: list[str]
    steps: list[Step]
    escalation: Escalation | None
    notes: list[str]  # keys of extra advice, e.g. "oom": raise the broker's memory limit


class CleanupVm(Record, frozen=True):
    id: str | None
    name: str | None
    commands: list[str]


class Cleanup(Record, frozen=True):
    check: str
    commands: list[CleanupVm]


class PreventionBurst(Record, frozen=True):
    """Creates within ten minutes of the first stuck VM."""

    creates: int
    window_s: Seconds
    first: Time | None
    last: Time | None
    over_batch: bool


class Prevention(Record, frozen=True):
    batch_size: list[int]  # the runbook's batch, [low, high]
    burst: PreventionBurst | None
