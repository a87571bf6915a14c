"""The timeline part of the document (``analyzer.timeline``): the incident window, clock
offsets, per-VM stories, the create burst, key events and the charts' data."""

from __future__ import annotations

import msgspec

from analyzer.document.base import Record, Seconds, Time
from analyzer.document.recovery import TimeRange


class IncidentEvent(Record, frozen=True):
    """The fault that opened the incident."""

    family: str
    lane: str | None
    file: str | None
    line: int | None
    text: str


class Action(Record, frozen=True):
    """A restart, server action or delete seen during the incident."""

    timestamp: Time | None
    family: str
    lane: str | None
    file: str | None
    line: int | None
    text: str


class EarlierIncident(Record, frozen=True):
    onset: Time
    recovered_at: Time | None
    duration_s: int
    status: str


class Incident(Record, frozen=True):
    """The messaging incident: onset, detection, recovery and what it affected."""

    status: str  # ongoing | recovered | history (recovered > 2 h before collection)
    onset: Time
    onset_event: IncidentEvent
    first_stuck_vm: Time | None
    first_stuck_vm_id: str | None
    detected_at: Time | None
    detected_basis: str | None  # kubernetes-warning | stuck-build-threshold
    last_fault: Time
    reconnected_at: Time | None
    broker_running_at: Time | None
    first_create_ok_at: Time | None
    recovered_at: Time | None
    end: Time  # recovered_at, or the collection time
    duration_s: Seconds
    vms_affected: int
    stuck_vm_ids: list[str]
    hung_requests: int
    lanes: list[str]
    fault_counts: dict[str, int]
    unrecovered: list[str]
    actions: list[Action]
    earlier: list[EarlierIncident]


class PairedEvent(Record, frozen=True):
    """One side of a pair of events that must coincide."""

    timestamp: Time  # as its source wrote it, before any correction
    lane: str | None
    family: str | None
    file: str | None
    line: int | None
    text: str


class OffsetPair(Record, frozen=True):
    """A reference event and the lane's own event it caused, and their difference."""

    offset_s: Seconds
    kind: str  # the basis this pair belongs to (request-id, instance, broker-events, ...)
    reference: PairedEvent
    own: PairedEvent


class ClockOffset(Record, frozen=True):
    """How far one source's clock reads ahead of UTC, and on what basis."""

    source: str
    offset_s: Seconds | None
    # reference | request-id | instance | fault-episodes | broker-events-and-request-id |
    # broker-events-and-instance | broker-events | fault-episodes-other-hosts |
    # pairs-disagree | none (analyzer.timeline.skew.OffsetBasis)
    basis: str
    pairs: int
    spread_s: Seconds | None
    clock: str
    applied: bool
    warning: bool
    # the pairs a reader should see: the only one, or one of each kind when they disagree
    evidence: list[OffsetPair] = msgspec.field(default_factory=list)


class StoryEvent(Record, frozen=True):
    timestamp: Time | None
    lane: str | None
    family: str | None
    severity: str | None
    file: str | None
    line: int | None
    text: str


class VmStory(Record, frozen=True):
    """One VM's lines across API, scheduler, conductor and compute, joined."""

    id: str | None  # None: a hung create whose server is gone
    name: str | None
    status: str | None
    outcome: str  # stuck | failed | hung | active | building | ...
    stage: str  # api | scheduler | conductor | compute | active | failed
    created_at: Time | None
    accepted_at: Time | None
    scheduled: bool | None
    scheduled_at: Time | None
    host: str | None
    request_ids: list[str]
    last_event: StoryEvent | None
    events: list[StoryEvent]


class Burst(Record, frozen=True):
    """How fast creates arrived around the onset, and how many built at once."""

    window: TimeRange
    creates: int
    creates_before_onset: int
    before_onset_s: Seconds
    burst_first: Time | None
    burst_last: Time | None
    burst_span_s: Seconds
    peak_rate_per_min: int
    peak_rate_at: Time | None
    peak_concurrent_build: int
    peak_concurrent_at: Time | None
    concurrent_at_onset: int
    peak_concurrent_before_onset: int
    preceded_failure: bool
    runbook_batch: list[int]
    versus_runbook: str  # below | within | above
    suggested_batch: int | None
    project_id: str | None
    suggested_instance_quota: int | None


class KeyEvent(Record, frozen=True):
    at: Time
    event: str
    detail: str | int | None


class Marker(Record, frozen=True):
    at: Time | None
    kind: str  # broker_restart | alarm | alarm_cleared | broker_killed | broker_down


class Lane(Record, frozen=True):
    """One source's errors, warnings and other events per bin."""

    lane: str
    clock: str | None
    errors: list[int]
    warnings: list[int]
    events: list[int]


class Charts(Record, frozen=True):
    """What the HTML report's pictures are drawn from: counts per bin over a window."""

    start: Time
    bin_s: Seconds
    bins: int
    creates: list[int]
    errors: list[int]
    markers: list[Marker]
    incident: TimeRange | None
    lanes: list[Lane]
