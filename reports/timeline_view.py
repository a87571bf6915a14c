"""The incident-timeline part of the report, from ``analysis.json``.

Like :mod:`reports.view`, building is tolerant: any of ``incident``, ``clock_offsets``,
``vm_stories``, ``burst``, ``key_events`` and ``charts`` may be missing, null or of the
wrong type; the section then says less. A document without any of them (an older
analyzer) gets no section at all. The SVG charts are drawn only when the HTML template
asks for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markupsafe import Markup

from reports import charts
from reports import wording as w
from reports.view import (
    DASH,
    EvidenceRow,
    _dict,
    _dicts,
    _list,
    _num,
    _str,
    _text,
    class_name,
    duration,
)

MAX_DETAIL = 160

KEYS = ("incident", "clock_offsets", "vm_stories", "burst", "key_events", "charts")


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
    title: str
    outcome: str
    stage: str
    created: str
    last: str
    events: list[EvidenceRow]


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
    stories: list[StoryView] = field(default_factory=list)
    burst: list[str] = field(default_factory=list)
    chart_data: dict[str, Any] = field(default_factory=dict)
    words: Any = w

    @property
    def has_incident(self) -> bool:
        return bool(self.summary)

    @cached_property
    def timeline_svg(self) -> Markup | None:
        return charts.timeline_chart(self.chart_data) if self.chart_data else None

    @cached_property
    def swimlane_svg(self) -> Markup | None:
        return charts.swimlane_chart(self.chart_data) if self.chart_data else None

    @property
    def bin_words(self) -> str:
        seconds = _num(self.chart_data.get("bin_s")) or 60.0
        return "minute" if seconds == 60 else duration(seconds)


def _second(value: object, default: str = DASH) -> str:
    """An ISO time as the report shows it: to the second (the document keeps more)."""
    text = _text(value, default)
    if len(text) > 20 and text[19] == "." and text.endswith("Z"):
        return text[:19] + "Z"
    return text


def _where(item: Mapping[str, Any]) -> str:
    file, line = _str(item.get("file")), _str(item.get("line"))
    if file is None:
        return _text(item.get("lane"))
    return f"{file}:{line}" if line is not None else file


def _root_cause(doc: Mapping[str, Any]) -> str:
    verdict = _dict(doc.get("verdict"))
    cls = class_name(verdict.get("class"))
    subs = [w.lookup(w.FINDING_TITLES, s) for s in _list(verdict.get("subcauses"))]
    return f"{cls}: {'; '.join(subs)}" if subs else cls


def _faults(inc: Mapping[str, Any]) -> str:
    """What an incident that is over consisted of, from its fault families."""
    counts = _dict(inc.get("fault_counts"))
    words = [w.FAULT_WORDS[k] for k in w.FAULT_WORDS if k in counts]
    return w.PAST_CAUSE.format(faults="; ".join(words)) if words else DASH


def _summary(doc: Mapping[str, Any], inc: Mapping[str, Any]) -> list[Row]:
    status = _text(inc.get("status"), "")
    end = _second(inc.get("recovered_at"), "")
    if not end:
        end = w.END_ONGOING.format(at=_second(inc.get("end"), "unknown"))
    count = _num(inc.get("vms_affected"))
    affected = _text(inc.get("vms_affected"))
    if count is not None:
        affected = w.VMS_AFFECTED.format(
            count=int(count),
            stuck=len(_list(inc.get("stuck_vm_ids"))),
            failed=max(
                0,
                int(count)
                - len(_list(inc.get("stuck_vm_ids")))
                - int(_num(inc.get("hung_requests")) or 0),
            ),
            hung=int(_num(inc.get("hung_requests")) or 0),
        )
    detected = _second(inc.get("detected_at"), "") or None
    if detected is not None:
        basis = _str(inc.get("detected_basis"))
        if basis:
            detected += f" ({w.lookup(w.DETECTED_BASIS, basis)})"
    values = {
        "status": w.lookup(w.INCIDENT_STATUS, status),
        "start": _second(inc.get("onset"), "unknown"),
        "end": end,
        "duration": duration(inc.get("duration_s")) if inc.get("duration_s") is not None else DASH,
        "vms_affected": affected,
        "root_cause": _root_cause(doc) if status == "ongoing" else _faults(inc),
        "detected": detected or DASH,
    }
    return [Row(label, values[key]) for key, label in w.SUMMARY_LABELS]


def _actions(inc: Mapping[str, Any]) -> list[ActionRow]:
    return [
        ActionRow(
            time=_second(a.get("timestamp")),
            what=w.lookup(w.ACTION_WORDS, a.get("family")),
            where=_where(a),
            text=_text(a.get("text"), ""),
        )
        for a in _dicts(inc.get("actions"))
    ]


def _earlier(inc: Mapping[str, Any]) -> list[str]:
    out = []
    for e in _dicts(inc.get("earlier")):
        span = duration(e.get("duration_s")) if e.get("duration_s") is not None else DASH
        out.append(
            f"{_second(e.get('onset'))} to {_second(e.get('recovered_at'), 'unknown')} ({span}), "
            f"{w.lookup(w.INCIDENT_STATUS, e.get('status'))}"
        )
    return out


def _key_events(doc: Mapping[str, Any]) -> list[Row]:
    rows = []
    for e in _dicts(doc.get("key_events")):
        words = w.lookup(w.KEY_EVENT_WORDS, e.get("event"))
        detail = _str(e.get("detail"))
        if e.get("event") == "detected" and detail:
            detail = w.lookup(w.DETECTED_BASIS, detail)
        if detail and len(detail) > MAX_DETAIL:
            detail = detail[: MAX_DETAIL - 1] + "…"
        rows.append(Row(_second(e.get("at")), f"{words}: {detail}" if detail else words))
    return rows


def _offset(value: object) -> str:
    n = _num(value)
    if n is None:
        return "unknown"
    n = round(n)
    if n == 0:
        return "0 s"
    return f"{n:+d} s" if abs(n) < 120 else f"{n:+d} s ({duration(abs(n))})"


def _clock(doc: Mapping[str, Any]) -> tuple[list[ClockRow], list[str]]:
    rows, warnings = [], []
    for o in _dicts(doc.get("clock_offsets")):
        basis = _text(o.get("basis"), "none")
        if basis == "reference":
            continue
        source = _text(o.get("source"))
        basis_words = w.lookup(w.CLOCK_BASIS, basis)
        rows.append(
            ClockRow(
                source=source,
                offset=_offset(o.get("offset_s")),
                basis=basis_words,
                pairs=_text(o.get("pairs")),
                applied=w.CLOCK_APPLIED if o.get("applied") is True else w.CLOCK_NOT_APPLIED,
            )
        )
        if o.get("warning") is True:
            warnings.append(
                w.CLOCK_WARNING.format(
                    source=source, offset=_offset(o.get("offset_s")), basis=basis_words
                )
            )
    return rows, warnings


def _stories(doc: Mapping[str, Any]) -> list[StoryView]:
    out = []
    for s in _dicts(doc.get("vm_stories")):
        name, vm_id = _str(s.get("name")), _str(s.get("id"))
        if name and vm_id:
            title = f"{name} ({vm_id})"
        else:
            title = name or vm_id or ", ".join(str(r) for r in _list(s.get("request_ids"))) or DASH
        last = _dict(s.get("last_event"))
        events = [
            EvidenceRow(
                where=_where(e) if e.get("file") is not None else _text(e.get("lane")),
                timestamp=_text(e.get("timestamp"), "-"),
                text=_text(e.get("text"), ""),
            )
            for e in _dicts(s.get("events"))
        ]
        out.append(
            StoryView(
                title=title,
                outcome=w.lookup(w.STORY_OUTCOME, s.get("outcome")),
                stage=w.lookup(w.STORY_STAGE, s.get("stage")),
                created=_second(s.get("created_at")),
                last=f"{_second(last.get('timestamp'))} {_where(last)}" if last else DASH,
                events=events,
            )
        )
    return out


def _burst(doc: Mapping[str, Any]) -> list[str]:
    b = _dict(doc.get("burst"))
    if not b:
        return []
    out = []
    before = duration(b.get("before_onset_s")) if b.get("before_onset_s") is not None else "time"
    if b.get("preceded_failure") is True:
        out.append(
            w.BURST_PRECEDED.format(
                creates=_text(b.get("creates_before_onset")),
                span=duration(b.get("burst_span_s")) if b.get("burst_span_s") is not None else DASH,
                rate=_text(b.get("peak_rate_per_min")),
                concurrent=_text(b.get("concurrent_at_onset")),
            )
        )
        batch = [x for x in _list(b.get("runbook_batch")) if _num(x) is not None]
        low, high = (_text(batch[0]), _text(batch[-1])) if len(batch) >= 2 else ("20", "50")
        versus = w.BURST_VERSUS.get(_text(b.get("versus_runbook"), ""))
        if versus:
            out.append(versus.format(low=low, high=high))
        if b.get("suggested_batch") is not None:
            out.append(w.BURST_ADVICE.format(batch=_text(b.get("suggested_batch"))))
        if b.get("suggested_instance_quota") is not None and b.get("project_id") is not None:
            out.append(
                w.BURST_QUOTA.format(
                    quota=_text(b.get("suggested_instance_quota")),
                    project=_text(b.get("project_id")),
                    batch=_text(b.get("suggested_batch")),
                )
            )
    else:
        out.append(
            w.BURST_NOT_PRECEDED.format(creates=_text(b.get("creates_before_onset")), before=before)
        )
    if _num(b.get("peak_concurrent_build")):
        out.append(
            w.BURST_PEAK.format(
                peak=_text(b.get("peak_concurrent_build")), at=_second(b.get("peak_concurrent_at"))
            )
        )
    return out


def timeline_view(doc: Mapping[str, Any]) -> TimelineView | None:
    if not any(k in doc for k in KEYS):
        return None
    inc = _dict(doc.get("incident"))
    clock_rows, clock_warnings = _clock(doc)
    error = _str(doc.get("timeline_error"))
    return TimelineView(
        error=w.TIMELINE_ERROR.format(error=error) if error else "",
        status=w.lookup(w.INCIDENT_STATUS, inc.get("status")) if inc else "",
        summary=_summary(doc, inc) if inc else [],
        actions=_actions(inc) if inc else [],
        earlier=_earlier(inc) if inc else [],
        key_events=_key_events(doc),
        clock_rows=clock_rows,
        clock_warnings=clock_warnings,
        stories=_stories(doc),
        burst=_burst(doc),
        chart_data=_dict(doc.get("charts")),
    )
