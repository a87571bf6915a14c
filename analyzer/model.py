"""Plain data passed between layers: source files, the manifest, the inventory of what was
read, problems, evidence, findings.

Findings are data; the words a reader sees live in the report templates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzer.fold import Folded


class FailureClass(StrEnum):
    MESSAGING = "messaging_layer_failure"
    RESOURCE = "resource_exhaustion"
    HOST = "host_failure"
    NONE = "no_failure_found"
    INCONCLUSIVE = "inconclusive"


class EvidenceBasis(StrEnum):
    """Why a verdict's confidence was held down: what its evidence amounts to."""

    UNDATED_ONLY = "undated-only"  # every line is undated: when it happened is unknown
    SINGLE_LINE = "single-line"  # one line of the bundle carries the whole verdict


class Deployment(StrEnum):
    SELF_HOSTED = "self-hosted"
    SAAS = "saas"
    UNKNOWN = "unknown"


class DeploymentBasis(StrEnum):
    """How the deployment is known: the report words each one (reports/wording.py)."""

    MANIFEST = "manifest"
    KUBERNETES_DATA = "kubernetes data present"  # only a self-hosted region has pods to collect
    UNKNOWN = "unknown"


class CollectedAtBasis(StrEnum):
    """How the collection time is known, from the most to the least trustworthy source."""

    MANIFEST = "manifest"
    ARCHIVE_MTIME = "archive-mtime"  # the newest archive member: close, not exact
    # the newest time on a clock that names its zone or whose offset is declared
    NEWEST_DATA = "newest-data"
    # only zone-less times with no known offset: a local clock's reading, not a UTC fact
    NEWEST_LOCAL_TIME = "newest-local-time"
    UNKNOWN = "unknown"


class Clock(StrEnum):
    """How a record's time was placed on UTC (the ``clock`` column of logs and timeline).

    The first four are exact UTC and are the reference the skew estimate
    (``analyzer.timeline.skew``) measures the local clocks against.
    """

    ZONED = "zoned"  # the line carries its own zone
    KUBECTL = "kubectl"  # the UTC prefix kubectl logs --timestamps adds
    API = "api"  # a time the compute API reports
    KUBERNETES = "kubernetes"  # a time the Kubernetes API reports
    LOCAL_OFFSET = "local-offset"  # zone-less, moved by the host's declared offset
    LOCAL_ASSUMED_UTC = "local-assumed-utc"  # zone-less, no offset known: read as UTC
    UNDATED = "undated"  # the line came with no time at all (pasted under a command)


TRUSTED_CLOCKS = (Clock.ZONED, Clock.KUBECTL, Clock.API, Clock.KUBERNETES)
LOCAL_CLOCKS = (Clock.LOCAL_OFFSET, Clock.LOCAL_ASSUMED_UTC)


@dataclass(frozen=True)
class SourceFile:
    """One file of a bundle, read into memory (bounded by the reader's limits)."""

    bundle: str  # display name of the bundle it came from
    path: str  # path inside the bundle, '/'-separated, no leading './'
    data: bytes
    mtime: datetime | None = None  # archive member mtime, UTC
    # a large log read folded (analyzer.fold): ``data`` holds only its kept lines
    folded: Folded | None = None

    @property
    def display(self) -> str:
        """How evidence names this file: bundle-relative path."""
        return self.path

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass
class CollectedItem:
    """One file or command of the collection as the manifest records it."""

    path: str
    command: list[str] | None
    exit_code: int | None
    timed_out: bool
    error: str | None

    @property
    def failed(self) -> bool:
        return (
            self.timed_out
            or (self.exit_code is not None and self.exit_code != 0)
            or (self.exit_code is None and self.error is not None)
        )


@dataclass
class Manifest:
    """A bundle's manifest.json (``analyzer.manifest`` reads it); every field optional."""

    schema: str | None = None
    collected_at: datetime | None = None
    deployment: Deployment = Deployment.UNKNOWN
    region: str | None = None
    namespace: str | None = None
    utc_offset: timedelta | None = None
    collector: str | None = None
    items: list[CollectedItem] = field(default_factory=list)
    truncated: list[dict[str, str]] = field(default_factory=list)


@dataclass
class BundleInfo:
    """What one bundle says about itself, before any of its data is parsed."""

    name: str
    files: int
    manifest: Manifest | None
    collected_at: datetime | None
    collected_at_basis: CollectedAtBasis
    utc_offset: timedelta | None


@dataclass
class Inventory:
    """What was read, from where, and what could not be."""

    bundles: list[BundleInfo] = field(default_factory=list)
    kinds: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unrecognised: list[str] = field(default_factory=list)
    problems: list[BundleProblem] = field(default_factory=list)
    failed_collections: list[dict[str, object]] = field(default_factory=list)
    clock_assumptions: list[str] = field(default_factory=list)
    collected_at: datetime | None = None
    collected_at_basis: CollectedAtBasis = CollectedAtBasis.UNKNOWN
    deployment: Deployment = Deployment.UNKNOWN
    deployment_basis: DeploymentBasis = DeploymentBasis.UNKNOWN
    namespace: str | None = None
    region: str | None = None

    def has_kind(self, *kinds: str) -> bool:
        return any(self.kinds.get(k) for k in kinds)


@dataclass(frozen=True)
class BundleProblem:
    file: str
    problem: str
    skipped: str = "this file"


@dataclass(frozen=True)
class Evidence:
    file: str
    line: int | None
    timestamp: datetime | None
    text: str
    also: tuple[str, ...] = ()  # "file:line" of other sources that say the same


def once_per_meaning(items: list[Evidence]) -> list[Evidence]:
    """One entry per (time, text), in first-seen order, citing where else it was read.

    A pod's state is read from both ``kubectl describe`` and ``pods.json``, an event from
    both the describe output and ``events.json``: the same fact, cited once.
    """
    merged: dict[tuple[datetime | None, str], Evidence] = {}
    for e in items:
        key = (e.timestamp, e.text)
        first = merged.get(key)
        if first is None:
            merged[key] = e
            continue
        where = f"{e.file}:{e.line}" if e.line is not None else e.file
        merged[key] = replace(first, also=(*first.also, where, *e.also))
    return list(merged.values())


@dataclass
class Finding:
    """One diagnosis rule's conclusion.

    ``key`` is a sub-cause slug (``broker_pod_oomkilled``) or a symptom slug; ``supports`` is
    the failure class it argues for, ``strength`` how strongly (0..1).
    """

    key: str
    supports: FailureClass
    strength: float
    facts: dict[str, object] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    subcause: bool = True


@dataclass(frozen=True)
class Sentence:
    """A finding's words: ``text`` when its facts are known, else ``fallback``; then each
    extra whose facts are known. Declared by each rule (``analyzer.rules.base.Rule``)."""

    text: str
    fallback: str
    extras: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SourceContext:
    """What a parser may know about where its file came from."""

    bundle: str
    path: str
    host: str | None  # hostname when the path says it (hosts/<host>/...)
    utc_offset: timedelta | None  # offset of local-time lines; None = assume UTC
    collected_at: datetime | None


def iso(ts: object) -> str | None:
    """ISO 8601 with Z for UTC; None for a missing value (None, NaT)."""
    if not isinstance(ts, datetime) or ts != ts:  # NaT is a datetime unequal to itself
        return None
    return ts.isoformat().replace("+00:00", "Z")


def jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return value
