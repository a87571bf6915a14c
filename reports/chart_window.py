"""The stretch of time the charts show: the incident, not the whole chart window.

``analysis.json`` keeps the counts of half an hour before the onset (for whoever wants the
run-up); drawn as they are, the first chart spent most of its width on a quiet
half-hour. The pictures show the incident instead: from the onset (or the first create of
the burst that preceded it, within the burst analysis' look-back) to the last thing that
happened in it (its end, the last broker marker), with a margin either side. Without an
incident the whole window stays. The counts are sliced, not hidden behind axis limits:
the sanitised SVG keeps no clip path, so anything outside the axes would still be drawn.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from msgspec.structs import replace

from analyzer.document import Charts
from reports.times import at_second, parse_utc

# Three minutes of the quiet before the first event and after the last: enough that both
# read as changes on the chart rather than lines on the frame's edge, short enough that
# the incident keeps most of the width.
MARGIN = timedelta(minutes=3)


def _iso(ts: datetime) -> str:
    return at_second(ts.isoformat().replace("+00:00", "Z"))


def incident_bins(charts: Charts, lookback_s: float | None) -> tuple[int, int] | None:
    """The bins ``[first, stop)`` the incident spans with its margin; None for all of them."""
    start, onset = (
        parse_utc(charts.start),
        parse_utc(charts.incident.start if charts.incident else None),
    )
    bin_s = charts.bin_s
    if start is None or onset is None or charts.incident is None or not bin_s > 0:
        return None

    def index(ts: datetime) -> float:
        return (ts - start).total_seconds() / bin_s

    first = index(onset)
    end = parse_utc(charts.incident.end)
    last = index(end) if end is not None else first
    for marker in charts.markers:
        at = parse_utc(marker.at)
        if at is not None:
            first, last = min(first, index(at)), max(last, index(at))
    if lookback_s:
        # the burst of creates the burst analysis counts before the onset is part of it
        reach = first - lookback_s / bin_s
        burst = [i for i, n in enumerate(charts.creates) if n > 0 and reach - 1 < i <= first]
        first = min([first, *burst])
    margin = MARGIN.total_seconds() / bin_s
    lo = max(0, math.floor(first - margin))
    hi = min(charts.bins, math.ceil(last + margin))
    if hi - lo < 1 or (lo == 0 and hi == charts.bins):
        return None
    return lo, hi


def cropped(charts: Charts, lookback_s: float | None) -> Charts:
    """The chart data of the incident and its margin only (all of it without one)."""
    span = incident_bins(charts, lookback_s)
    start = parse_utc(charts.start)
    if span is None or start is None:
        return charts
    lo, hi = span
    new_start = start + timedelta(seconds=lo * charts.bin_s)
    new_stop = start + timedelta(seconds=hi * charts.bin_s)
    markers = [
        m
        for m in charts.markers
        if (at := parse_utc(m.at)) is not None and new_start <= at <= new_stop
    ]
    lanes = [
        replace(
            lane,
            errors=lane.errors[lo:hi],
            warnings=lane.warnings[lo:hi],
            events=lane.events[lo:hi],
        )
        for lane in charts.lanes
    ]
    return replace(
        charts,
        start=_iso(new_start),
        bins=hi - lo,
        creates=charts.creates[lo:hi],
        errors=charts.errors[lo:hi],
        markers=markers,
        lanes=lanes,
    )
