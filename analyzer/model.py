"""Plain data passed between layers: source files, problems, evidence, findings.

Findings are data; the words a reader sees live in the report templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


class Deployment(StrEnum):
    SELF_HOSTED = "self-hosted"
    SAAS = "saas"
    UNKNOWN = "unknown"


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
