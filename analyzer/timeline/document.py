"""The timeline's sections of ``analysis.json``: incident, clock offsets, stories, burst,
key events and chart series (types in :mod:`analyzer.document.timeline`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
import pandas as pd

from analyzer.document import timeline as doc
from analyzer.rules.context import RuleContext
from analyzer.runbook import RECENT
from analyzer.timeline.burst import burst_document
from analyzer.timeline.core import Timeline, build_timeline
from analyzer.timeline.incident import episodes, incident_document, primary
from analyzer.timeline.series import chart_window, key_events, series_document
from analyzer.timeline.stitching import stories


@dataclass(frozen=True)
class TimelineSections:
    """The sections, as the top level of the document holds them (empty by default)."""

    incident: doc.Incident | None = None
    clock_offsets: list[doc.ClockOffset] = field(default_factory=list)
    vm_stories: list[doc.VmStory] = field(default_factory=list)
    burst: doc.Burst | None = None
    key_events: list[doc.KeyEvent] = field(default_factory=list)
    charts: doc.Charts | None = None
    error: str | msgspec.UnsetType = msgspec.UNSET  # why they are empty, when they failed


def timeline_sections(ctx: RuleContext, timeline: Timeline | None = None) -> TimelineSections:
    """The sections, or empty ones and ``timeline_error`` when building them failed: the
    diagnosis stands on its own, so a timeline bug must not take it down (fail forward)."""
    try:
        return _sections(ctx, timeline)
    except Exception as exc:  # noqa: BLE001 - fail forward, named in the document
        return TimelineSections(error=f"{type(exc).__name__}: {exc}")


def _sections(ctx: RuleContext, timeline: Timeline | None) -> TimelineSections:
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
    end = pd.Timestamp(incident.end) if incident is not None else None
    burst = burst_document(frame, onset, end, now, ctx.servers)
    return TimelineSections(
        incident=incident,
        clock_offsets=[o.to_document() for o in tl.offsets],
        vm_stories=[s.to_document(now) for s in told],
        burst=burst,
        key_events=key_events(incident, burst, frame, now),
        charts=series_document(frame, chart_window(onset, end, now), incident, tl.folded),
    )
