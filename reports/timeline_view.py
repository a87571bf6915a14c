"""The incident-timeline part of the report, from the typed document's timeline sections
(``incident``, ``clock_offsets``, ``vm_stories``, ``burst``, ``key_events``, ``charts``).

Every document of this version has them (empty when the logs show no incident, with
``timeline_error`` when they could not be built). The SVG charts are drawn only when the
HTML template asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markupsafe import Markup

from analyzer.document import (
    Action,
    AnalysisDocument,
    Burst,
    Charts,
    ClockOffset,
    Incident,
    KeyEvent,
    StoryEvent,
    VmStory,
)
from reports import charts
from reports import timeline_wording as tw
from reports import wording as w
from reports.chart_window import cropped
from reports.clock_notes import clock_notes, offset_words
from reports.text import DASH, class_name, duration, second, shown, text
from reports.view_types import EvidenceRow

MAX_DETAIL = 160


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class ActionRow:
    time: str
    what: str
    where: str
    text: str


@dataclass(frozen=True)
class ClockRow:
    source: str
    offset: str
    basis: str
    pairs: str
    applied: str


@dataclass(frozen=True)
class StoryView:
    name: str  # the VM's name, else its ID, else its request IDs
    id: str  # "" when the name is the ID or there is no ID
    outcome: str
    stage: str
    created: str
    last_time: str
    last_where: str
    events: list[EvidenceRow]
    open: bool = False  # HTML: the one story shown unfolded

    @property
    def title(self) -> str:
        return f"{self.name} ({self.id})" if self.id else self.name

    @property
    def last(self) -> str:
        return f"{self.last_time} {self.last_where}" if self.last_where else self.last_time

    @property
    def summary(self) -> str:
        """What a folded story says of itself: its outcome and how many lines it holds."""
        return f"{self.outcome}, {tw.lines_count(len(self.events))}"


@dataclass
class TimelineView:
    error: str = ""
    status: str = ""
    summary: list[Row] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    earlier: list[str] = field(default_factory=list)
    key_events: list[Row] = field(default_factory=list)
    clock_rows: list[ClockRow] = field(default_factory=list)
    clock_warnings: list[str] = field(default_factory=list)
    clock_notes: list[str] = field(default_factory=list)  # single or disagreeing pairs
    stories: list[StoryView] = field(default_factory=list)
    burst: list[str] = field(default_factory=list)
    chart_data: Charts | None = None
    words: Any = tw

    @property
    def has_incident(self) -> bool:
        return bool(self.summary)

    @property
    def told_stories(self) -> list[StoryView]:
        return [s for s in self.stories if s.events]

    @property
    def story_lines(self) -> list[str]:
        """Markdown's compact form of the per-VM tables: one block, a heading line per VM
        and its lines indented under it."""
        out: list[str] = []
        for s in self.told_stories:
            out.append(f"{s.title}: {s.summary}")
            out += [f"  {e.line}" for e in s.events]
        return out

    @cached_property
    def timeline_svg(self) -> Markup | None:
        return charts.timeline_chart(self.chart_data) if self.chart_data else None

    @cached_property
    def swimlane_svg(self) -> Markup | None:
        return charts.swimlane_chart(self.chart_data) if self.chart_data else None

    @property
    def bin_words(self) -> str:
        seconds = (self.chart_data.bin_s if self.chart_data else None) or 60.0
        return "minute" if seconds == 60 else duration(seconds)


def _where(item: Action | StoryEvent) -> str:
    if item.file is None:
        return text(item.lane)
    return f"{item.file}:{item.line}" if item.line is not None else item.file


def _root_cause(doc: AnalysisDocument) -> str:
    cls = class_name(doc.verdict.cls)
    subs = [w.lookup(w.FINDING_TITLES, s) for s in doc.verdict.subcauses]
    return f"{cls}: {'; '.join(subs)}" if subs else cls


def _faults(inc: Incident) -> str:
    """What an incident that is over consisted of, from its fault families."""
    words = [tw.FAULT_WORDS[k] for k in tw.FAULT_WORDS if k in inc.fault_counts]
    return tw.PAST_CAUSE.format(faults="; ".join(words)) if words else DASH


def _summary(doc: AnalysisDocument, inc: Incident) -> list[Row]:
    end = second(inc.recovered_at, "")
    if not end:
        end = tw.END_ONGOING.format(at=second(inc.end, "unknown"))
    stuck = len(inc.stuck_vm_ids)
    affected = tw.VMS_AFFECTED.format(
        count=inc.vms_affected,
        stuck=stuck,
        failed=max(0, inc.vms_affected - stuck - inc.hung_requests),
        hung=inc.hung_requests,
    )
    detected = second(inc.detected_at, "") or None
    if detected is not None and inc.detected_basis:
        detected += f" ({w.lookup(tw.DETECTED_BASIS, inc.detected_basis)})"
    values = {
        "status": w.lookup(tw.INCIDENT_STATUS, inc.status),
        "start": second(inc.onset, "unknown"),
        "end": end,
        "duration": duration(inc.duration_s),
        "vms_affected": affected,
        "root_cause": _root_cause(doc) if inc.status == "ongoing" else _faults(inc),
        "detected": detected or DASH,
    }
    return [Row(label, values[key]) for key, label in tw.SUMMARY_LABELS]


def _actions(inc: Incident) -> list[ActionRow]:
    return [
        ActionRow(
            time=second(a.timestamp),
            what=w.lookup(tw.ACTION_WORDS, a.family),
            where=_where(a),
            text=a.text,
        )
        for a in inc.actions
    ]


def _earlier(inc: Incident) -> list[str]:
    return [
        f"{second(e.onset)} to {second(e.recovered_at, 'unknown')} ({duration(e.duration_s)}), "
        f"{w.lookup(tw.INCIDENT_STATUS, e.status)}"
        for e in inc.earlier
    ]


def _key_events(events: list[KeyEvent]) -> list[Row]:
    rows = []
    for e in events:
        words = w.lookup(tw.KEY_EVENT_WORDS, e.event)
        detail = shown(e.detail)
        if e.event == "detected" and detail:
            detail = w.lookup(tw.DETECTED_BASIS, detail)
        if detail and len(detail) > MAX_DETAIL:
            detail = detail[: MAX_DETAIL - 1] + "…"
        rows.append(Row(second(e.at), f"{words}: {detail}" if detail else words))
    return rows


def _clock(offsets: list[ClockOffset]) -> tuple[list[ClockRow], list[str]]:
    rows, warnings = [], []
    for o in offsets:
        basis = o.basis or "none"
        if basis == "reference":
            continue
        source = text(o.source)
        basis_words = w.lookup(tw.CLOCK_BASIS, basis)
        rows.append(
            ClockRow(
                source=source,
                offset=offset_words(o.offset_s),
                basis=basis_words,
                pairs=str(o.pairs),
                applied=tw.CLOCK_APPLIED if o.applied else tw.CLOCK_NOT_APPLIED,
            )
        )
        if o.warning:
            warnings.append(
                tw.CLOCK_WARNING.format(
                    source=source, offset=offset_words(o.offset_s), basis=basis_words
                )
            )
    return rows, warnings


def _story(s: VmStory, *, unfolded: bool = False) -> StoryView:
    last = s.last_event
    return StoryView(
        name=s.name or s.id or ", ".join(s.request_ids) or DASH,
        id=(s.id or "") if s.name else "",
        outcome=w.lookup(tw.STORY_OUTCOME, s.outcome),
        stage=w.lookup(tw.STORY_STAGE, s.stage),
        created=second(s.created_at),
        last_time=second(last.timestamp) if last else DASH,
        last_where=_where(last) if last else "",
        events=[
            EvidenceRow(where=_where(e), timestamp=second(e.timestamp, "-"), text=e.text)
            for e in s.events
        ],
        open=unfolded,
    )


def _stories(stories: list[VmStory]) -> list[StoryView]:
    """Every VM's story; the one with the most lines (the first of equals) is the one the
    HTML shows unfolded: it tells the most of what the others went through."""
    most = max(range(len(stories)), key=lambda i: len(stories[i].events), default=-1)
    if most >= 0 and not stories[most].events:
        most = -1
    return [_story(s, unfolded=i == most) for i, s in enumerate(stories)]


def _burst(b: Burst | None) -> list[str]:
    if b is None:
        return []
    out = []
    if b.preceded_failure:
        out.append(
            tw.BURST_PRECEDED.format(
                creates=b.creates_before_onset,
                span=duration(b.burst_span_s),
                rate=b.peak_rate_per_min,
                concurrent=tw.burst_concurrent(b.concurrent_at_onset),
            )
        )
        batch = b.runbook_batch
        low, high = (str(batch[0]), str(batch[-1])) if len(batch) >= 2 else ("20", "50")
        versus = tw.BURST_VERSUS.get(b.versus_runbook)
        if versus:
            out.append(versus.format(low=low, high=high))
        if b.suggested_batch is not None:
            out.append(tw.BURST_ADVICE.format(batch=b.suggested_batch))
        if b.suggested_instance_quota is not None and b.project_id is not None:
            out.append(
                tw.BURST_QUOTA.format(
                    quota=b.suggested_instance_quota,
                    project=text(b.project_id),
                    batch=text(b.suggested_batch),
                )
            )
    else:
        out.append(
            tw.BURST_NOT_PRECEDED.format(
                creates=b.creates_before_onset, before=duration(b.before_onset_s)
            )
        )
    if b.peak_concurrent_build:
        out.append(
            tw.BURST_PEAK.format(peak=b.peak_concurrent_build, at=second(b.peak_concurrent_at))
        )
    return out


def timeline_view(doc: AnalysisDocument) -> TimelineView:
    inc = doc.incident
    clock_rows, clock_warnings = _clock(doc.clock_offsets)
    error = doc.timeline_error if isinstance(doc.timeline_error, str) else None
    return TimelineView(
        error=tw.TIMELINE_ERROR.format(error=error) if error else "",
        status=w.lookup(tw.INCIDENT_STATUS, inc.status) if inc else "",
        summary=_summary(doc, inc) if inc else [],
        actions=_actions(inc) if inc else [],
        earlier=_earlier(inc) if inc else [],
        key_events=_key_events(doc.key_events),
        clock_rows=clock_rows,
        clock_warnings=clock_warnings,
        clock_notes=clock_notes(doc.clock_offsets),
        stories=_stories(doc.vm_stories),
        burst=_burst(doc.burst),
        chart_data=cropped(doc.charts, doc.burst.before_onset_s if doc.burst else None)
        if doc.charts
        else None,
    )
