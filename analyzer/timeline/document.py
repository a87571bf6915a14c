"""The timeline's sections of ``analysis.json``: incident, clock offsets, stories, burst,
key events and chart series (documented in docs/analysis-json.md)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analyzer.rules.context import RuleContext
from analyzer.runbook import RECENT
from analyzer.timeline.burst import burst_document
from analyzer.timeline.core import Timeline, build_timeline
from analyzer.timeline.incident import episodes, incident_document, primary
from analyzer.timeline.series import chart_window, key_events, series_document
from analyzer.timeline.stitching import stories

EMPTY: dict[str, Any] = {
    "incident": None,
    "clock_offsets": [],
    "vm_stories": [],
    "burst": None,
    "key_events": [],
    "charts": None,
}


def timeline_sections(ctx: RuleContext, timeline: Timeline | None = None) -> dict[str, Any]:
    """The sections, or empty ones and ``timeline_error`` when building them failed: the
    diagnosis stands on its own, so a timeline bug must not take it down (fail forward)."""
    try:
        return _sections(ctx, timeline)
    except Exception as exc:  # noqa: BLE001 - fail forward, named in the document
        return {**EMPTY, "timeline_error": f"{type(exc).__name__}: {exc}"}


def _sections(ctx: RuleContext, timeline: Timeline | None) -> dict[str, Any]:
    tl = timeline or build_timeline(ctx.frames)
    frame = tl.frame
    now = ctx.collected_at
    eps = episodes(frame, tl.newest)
    main = primary(eps)
    since = None
    if main is not None:
        since = main.onset - pd.Timedelta(minutes=30)
    elif now is not None:
        since = now - pd.Timedelta(RECENT)
    told = stories(frame, ctx.servers, now, since=since)
    incident = incident_document(main, eps, frame, told, now)
    onset = main.onset if main is not None else None
    end = pd.Timestamp(str(incident["end"])) if incident and incident.get("end") else None
    burst = burst_document(frame, onset, end, now, ctx.servers)
    return {
        "incident": incident,
        "clock_offsets": [o.to_dict() for o in tl.offsets],
        "vm_stories": [s.to_dict(now) for s in told],
        "burst": burst,
        "key_events": key_events(incident, burst, frame, now),
        "charts": series_document(frame, chart_window(onset, end, now), incident, tl.folded),
    }
