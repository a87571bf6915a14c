"""Render the comparison of two bundles (``compare.json``, schema ``pcd-compare/1``).

Same environment and escaping as the single-bundle reports (:mod:`reports.render`):
autoescaped HTML with no script and nothing loaded, Markdown through the ``md`` filters.
Every value here comes from the bundles (names, lines, ids) and is escaped by the
templates; only the constant wording of :mod:`reports.compare_wording` is ours. The
escalation packet is its own Markdown document too (``escalation.md``), to paste into a
ticket as it is.
"""

from __future__ import annotations

from typing import Any

from analyzer.compare.document import CompareDocument
from analyzer.document import Evidence
from reports.compare_chart import windows_chart
from reports.compare_wording import (
    CAUSES,
    CLIENT_STATES,
    FINDING_STATES,
    FIX_BASES,
    MISMATCHES,
    OUTCOMES,
    REASONS,
)
from reports.render import environment
from reports.text import second
from reports.wording import CLASS_NAMES, humanise, lookup

NONE = "—"


def cite(e: Evidence | None) -> str:
    """``file:line`` (or the file alone) of a piece of evidence."""
    if e is None:
        return NONE
    return f"{e.file}:{e.line}" if e.line is not None else e.file


def _ev(e: Evidence | None) -> dict[str, str]:
    if e is None:
        return {"where": NONE, "timestamp": "", "text": ""}
    return {"where": cite(e), "timestamp": second(e.timestamp, ""), "text": e.text}


def compare_view(doc: CompareDocument) -> dict[str, Any]:
    t, b, a, b_ = doc.timing, doc.before, doc.after, doc.broker
    return {
        "outcome": doc.outcome.value,
        "outcome_name": lookup(OUTCOMES, doc.outcome.value),
        "reasons": [lookup(REASONS, r) for r in doc.reasons],
        "escalate": doc.escalate,
        "mismatches": [
            {
                "what": lookup(MISMATCHES, m.key),
                "before": m.before or NONE,
                "after": m.after or NONE,
            }
            for m in doc.mismatches
        ],
        "sides": [_side("BEFORE", b), _side("AFTER", a)],
        "timing": {
            "before": second(t.before_collected_at, NONE),
            "after": second(t.after_collected_at, NONE),
            "onset": t.onset or NONE,
            "fix": t.fix.at if t.fix else None,
            "fix_basis": lookup(FIX_BASES, t.fix.basis) if t.fix else None,
            "fix_where": cite(t.fix.evidence) if t.fix else None,
            "fix_text": t.fix.evidence.text if t.fix else None,
            "recovered": second(t.recovered_at, NONE),
            "recovered_basis": humanise(t.recovered_basis) if t.recovered_basis else NONE,
            "ttr": _duration(t.time_to_recovery_s),
            "outage": _duration(t.outage_s),
            "offsets": [
                {
                    "side": name,
                    "source": o.source,
                    "offset": f"{o.offset_s:+.1f} s",
                    "basis": o.basis,
                }
                for name, side in (("BEFORE", b), ("AFTER", a))
                for o in side.clock_offsets
                if o.offset_s is not None
            ],
        },
        "findings": [
            {
                "key": humanise(f.key),
                "supports": lookup(CLASS_NAMES, f.supports.value),
                "before": "yes" if f.before else "no",
                "after": lookup(FINDING_STATES, f.after),
                "before_where": cite(f.before_evidence),
                "after_where": cite(f.after_evidence),
            }
            for f in doc.findings
        ],
        "vms": [
            {
                "id": v.id,
                "name": v.name or NONE,
                "now": v.now,
                "before_where": cite(v.before_evidence),
                "after_where": cite(v.after_evidence),
                "commands": v.commands,
            }
            for v in doc.stuck_vms
        ],
        "cleanup": [c for v in doc.stuck_vms for c in v.commands],
        "broker": {
            "pods": ", ".join(doc.broker.pods) or NONE,
            "restarts": f"{_n(b_.restart_count_before)} → {_n(b_.restart_count_after)}",
            "replaced": doc.broker.replaced,
            "crashed_again": doc.broker.crashed_again,
            "crash": [_ev(e) for e in doc.broker.crash_evidence],
            "faults_before": [_ev(e) for e in doc.broker.faults_before],
            "alarms_cleared": [_ev(e) for e in doc.broker.alarms_cleared],
            "before": [_ev(e) for e in doc.broker.before_evidence],
        },
        "clients": [
            {
                "lane": c.lane,
                "state": lookup(CLIENT_STATES, c.state),
                "faults": c.faults_before,
                "at": second(c.reconnected_at, NONE),
                "before_where": cite(c.before_evidence),
                "after_where": cite(c.after_evidence),
            }
            for c in doc.clients
        ],
        "creates": [
            {
                "id": c.id or NONE,
                "name": c.name or NONE,
                "status": c.status or NONE,
                "result": humanise(c.result),
                "build": _duration(c.build_s),
                "where": cite(c.evidence),
            }
            for c in doc.creates
        ],
        "services": [
            {
                "binary": s.binary or NONE,
                "host": s.host or NONE,
                "before": s.before,
                "after": s.after,
                "before_where": cite(s.before_evidence),
                "after_where": cite(s.after_evidence),
            }
            for s in doc.services
        ],
        "packet": _packet(doc),
    }


def _side(name: str, s: Any) -> dict[str, Any]:
    return {
        "name": name,
        "bundles": ", ".join(s.bundles),
        "collected": second(s.collected_at, NONE),
        "region": s.region or NONE,
        "deployment": str(s.deployment),
        "verdict": lookup(CLASS_NAMES, s.verdict.value),
        "subcauses": ", ".join(s.subcauses) or NONE,
        "onset": s.onset or NONE,
        "stuck": s.stuck_vms,
    }


def _packet(doc: CompareDocument) -> dict[str, Any] | None:
    p = doc.escalation
    if p is None:
        return None
    return {
        "cause": lookup(CAUSES, p.cause),
        "deployment": str(p.deployment),
        "region": p.region or NONE,
        "namespace": p.namespace or NONE,
        "onset": p.onset or NONE,
        "start": p.time_range.start or NONE,
        "end": p.time_range.end or NONE,
        "vm_ids": p.vm_ids,
        "build_servers": [
            {
                "id": v.id or NONE,
                "name": v.name or NONE,
                "status": v.status or NONE,
                "task_state": v.task_state or NONE,
                "created": second(v.created_at, NONE),
            }
            for v in p.build_servers
        ],
        "services": [
            {
                "binary": s.binary or NONE,
                "host": s.host or NONE,
                "status": s.status or NONE,
                "state": s.state or NONE,
                "updated": second(s.updated_at, NONE),
            }
            for s in p.services
        ],
        "lines_before": [_ev(e) for e in p.lines_before],
        "lines_after": [_ev(e) for e in p.lines_after],
        "tried": p.tried,
        "outcome": lookup(OUTCOMES, doc.outcome.value),
        "reasons": [lookup(REASONS, r) for r in doc.reasons],
    }


def _n(value: int | None) -> str:
    return NONE if value is None else str(value)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return NONE
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def render_compare_markdown(doc: CompareDocument) -> str:
    """``compare.md``: the before/after report as GitHub-flavoured Markdown."""
    return environment().get_template("compare.md.j2").render(c=compare_view(doc))


def render_escalation_markdown(doc: CompareDocument) -> str | None:
    """``escalation.md``: the packet for Platform9 Support; None when recovered."""
    view = compare_view(doc)
    if view["packet"] is None:
        return None
    return environment().get_template("escalation.md.j2").render(c=view)


def render_compare_html(doc: CompareDocument) -> str:
    """``compare.html``: one self-contained page, inline CSS and SVG, no JavaScript."""
    template = environment().get_template("compare.html.j2")
    return template.render(c=compare_view(doc), chart=windows_chart(doc))
