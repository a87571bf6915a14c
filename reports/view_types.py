"""What the report shows, in words: the view both templates render.

Built from the typed document by :mod:`reports.view` and the builders it calls; the
templates read nothing else (they run with ``StrictUndefined``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports import wording as w


@dataclass(frozen=True)
class EvidenceRow:
    where: str
    timestamp: str
    text: str
    also: list[str] = field(default_factory=list)  # other sources of the same line

    @property
    def line(self) -> str:
        also = f"  (also {', '.join(self.also)})" if self.also else ""
        return f"{self.where}  {self.timestamp}  {self.text}{also}"


@dataclass(frozen=True)
class FindingView:
    key: str
    title: str
    sentence: str
    supports: str
    strength: str
    evidence: list[EvidenceRow]
    status: str = ""  # history only: resolved / too old


@dataclass(frozen=True)
class SymptomCell:
    expected: str
    matched: bool


@dataclass(frozen=True)
class SymptomView:
    symptom: str
    observed: str
    cells: list[SymptomCell]


@dataclass(frozen=True)
class CounterRow:
    symptom: str
    observed: str
    expected: str


@dataclass(frozen=True)
class CounterView:
    class_name: str
    rows: list[CounterRow]


@dataclass(frozen=True)
class VmView:
    id: str
    name: str
    status: str
    task_state: str
    host: str
    created: str
    age: str


@dataclass(frozen=True)
class ServiceView:
    binary: str
    host: str
    status: str
    state: str
    updated_at: str


@dataclass(frozen=True)
class StepView:
    number: int
    text: str
    commands: list[str]


@dataclass(frozen=True)
class FixView:
    """The change a sub-cause asks for: constant title and advice, the fix's facts in
    words, its commands and the lines that named its values."""

    key: str
    title: str
    facts: list[str]  # document data: escaped like any value
    advice: str  # constant words (may mark commands with backticks)
    commands: list[str]
    evidence: list[EvidenceRow]


@dataclass(frozen=True)
class NextStepView:
    why: str  # built from document facts: escaped like any value
    commands: list[str]


@dataclass(frozen=True)
class NextSteps:
    """The box under the verdict: a few things to do now (commands from the sections)."""

    steps: list[NextStepView]
    intro: str  # constant words
    words: list[str]  # constant words instead of, or after, the steps (may mark commands)


@dataclass(frozen=True)
class Escalation:
    start: str
    end: str
    servers: list[VmView]
    services: list[ServiceView]
    lines: list[EvidenceRow]


@dataclass(frozen=True)
class Recovery:
    facts: str  # data-bearing sentence (down hosts), shown before the advice
    advice: list[str]  # constant words (may mark commands with backticks)
    missing_commands: list[tuple[str, str]]  # inconclusive: (what, command)
    block: bool  # show the deployment-specific messaging-layer recovery
    preface: str
    unknown_deployment: str
    self_hosted: bool
    saas: bool
    steps: list[StepView]
    no_steps: str
    after: list[str]
    fixes: list[FixView]
    escalation: Escalation | None
    escalation_intro: str
    saas_intro: str
    saas_no_packet: str


@dataclass(frozen=True)
class Cleanup:
    check: str | None
    commands: list[str]  # one loop over the stuck VMs' IDs


@dataclass(frozen=True)
class BundleView:
    name: str
    details: str


@dataclass(frozen=True)
class MissingView:
    source: str
    what: str
    why: str
    command: str


@dataclass(frozen=True)
class FailedView:
    path: str
    command: str
    exit_code: str
    timed_out: str
    error: str


@dataclass(frozen=True)
class ProblemView:
    file: str
    problem: str
    skipped: str


@dataclass(frozen=True)
class Gaps:
    missing: list[MissingView]
    failed: list[FailedView]
    problems: list[ProblemView]
    unrecognised: list[str]
    clock: list[str]
    history: list[FindingView]

    @property
    def empty(self) -> bool:
        return not (
            self.missing
            or self.failed
            or self.problems
            or self.unrecognised
            or self.clock
            or self.history
        )


@dataclass(frozen=True)
class RoutineRow:
    """One message template of the folded lines, its figures in words (estimates)."""

    number: int
    template: str  # document data, like every field but number
    level: str
    records: str  # "about 402,000"
    share: str  # "about 34%"
    hosts: str  # "hv-01, hv-02, hv-03 and 17 more"
    first: str
    last: str
    where: str  # file:line of the example
    example: str


@dataclass(frozen=True)
class RoutineView:
    """What the routine (folded) lines of large logs said, estimated from a sample."""

    title: str  # constant words
    intro: str  # constant words and numbers
    estimate: str  # how the counts were estimated: constant words and numbers
    columns: tuple[str, ...]
    examples_title: str
    example_title: str
    rows: list[RoutineRow]

    @property
    def example_lines(self) -> list[str]:
        """Markdown's block of examples: each row's number and file:line, then its line
        indented under it (a line holding newlines stays indented)."""
        out: list[str] = []
        for row in self.rows:
            out.append(f"{row.number}. {row.where}")
            out += [f"   {part}" for part in row.example.splitlines()]
        return out


@dataclass(frozen=True)
class Report:
    title: str
    class_key: str  # one of the known classes or "unknown": safe for a CSS class name
    class_name: str
    confidence: str
    confidence_label: str
    confidence_note: str  # why the confidence was capped, or ""
    subcauses: list[str]
    deployment: str
    deployment_basis: str
    region: str
    namespace: str
    collected_at: str
    collected_basis: str
    bundles: list[BundleView]
    scores: str
    counts: str
    table_classes: list[str]
    verdict_column: int  # index into table_classes, -1 when the verdict is not a column
    next_steps: NextSteps
    symptoms: list[SymptomView]
    findings: list[FindingView]
    counter: list[CounterView]
    rebuttals: list[str]  # findings that overrule the symptom table read alone
    recovery: Recovery
    stuck: list[VmView]
    stuck_none: str
    cleanup: Cleanup
    cleanup_intro: str
    cleanup_each: str
    cleanup_saas: str
    prevention: list[str]
    gaps: Gaps
    gaps_none: str
    generator: str
    schema: str
    runbook: str = w.RUNBOOK_TITLE
    nothing_read: str = ""  # when no file held data: said instead of the verdict
    routine: RoutineView | None = None  # None: no log was folded, no section
