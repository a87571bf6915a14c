"""The advice part of the document: stuck VMs, the runbook's recovery for this deployment,
the clean-up of stuck VMs and the prevention of the next failure."""

from __future__ import annotations

import msgspec

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
    """A recovery step of the runbook, or a fix a sub-cause asks for, with this
    deployment's names filled in. A command may be a several-line shell snippet."""

    key: str
    commands: list[str]
    # the values the step was built from (new memory limit, user, nodes), for its words
    facts: dict[str, str] = msgspec.field(default_factory=dict)
    # the lines of the bundle that named them
    evidence: list[Evidence] = msgspec.field(default_factory=list)


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
    fixes: list[Step]  # what each sub-cause asks to change, before the restart
    steps: list[Step]
    escalation: Escalation | None


class CleanupVm(Record, frozen=True):
    id: str | None
    name: str | None


class Cleanup(Record, frozen=True):
    check: str
    vms: list[CleanupVm]
    commands: list[str]  # one loop over the IDs of ``vms`` (empty when there is none)


class Prevention(Record, frozen=True):
    """The runbook's batch advice; the figures of this bundle's burst are the top-level
    ``burst`` (one burst analysis for the whole report)."""

    batch_size: list[int]  # the runbook's batch, [low, high]


class NextSteps(Record, frozen=True):
    """What to do first, as references into the document (no command is copied).

    ``kind``: ``commands`` (run the referenced steps), ``escalate`` (send the escalation
    packet), ``collect`` (collect the referenced missing sources), ``advice`` (the
    verdict's recovery has no command: read it), ``nothing`` (no failure found).
    ``refs``: ``fixes/<key>`` and ``steps/<key>`` of ``recovery``, ``recovery/escalation``,
    ``cleanup``, ``missing_sources/<source>``."""

    kind: str
    refs: list[str]
