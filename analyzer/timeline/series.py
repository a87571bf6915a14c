"""What the charts and the key-event table are drawn from: counts per minute, markers, lanes.

The reports render only ``analysis.json``, so the pictures' data live in it: creates and
errors (with messaging faults logged as warnings) per minute over the chart window, broker
restarts and alarms as markers, the incident window, and per lane (host, pod, API) the
errors, warnings and other events per minute for the swimlane. The window is the incident
and half an hour before it, or the two hours before collection when there is no incident.
Bins are ``BIN`` wide; a window longer than ``MAX_BINS`` bins gets wider bins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyzer.document import timeline as doc
from analyzer.document.recovery import TimeRange
from analyzer.model import iso

BIN = pd.Timedelta(minutes=1)
MAX_BINS = 240
BEFORE = pd.Timedelta(minutes=30)
AFTER = pd.Timedelta(minutes=5)
DEFAULT_SPAN = pd.Timedelta(hours=2)
MAX_LANES = 16
MAX_MARKERS = 60
MARKERS = {
    "broker_started": "broker_restart",
    "broker_pod_started": "broker_restart",
    "alarm_set": "alarm",
    "alarm_cleared": "alarm_cleared",
    "broker_oom_killed": "broker_killed",
    "broker_down": "broker_down",
}
ERRORS = ("ERROR", "CRITICAL")
RESTART_GAP = pd.Timedelta(seconds=30)


def chart_window(
    onset: pd.Timestamp | None, end: pd.Timestamp | None, collected_at: pd.Timestamp | None
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    if onset is not None:
        stop = (end or onset) + AFTER
        if collected_at is not None:
            stop = min(stop, max(collected_at, onset))
        return (onset - BEFORE).floor("min"), stop.ceil("min")
    if collected_at is not None:
        return (collected_at - DEFAULT_SPAN).floor("min"), collected_at.ceil("min")
    return None


def _bins(start: pd.Timestamp, stop: pd.Timestamp) -> tuple[pd.DatetimeIndex, pd.Timedelta]:
    width = BIN
    while (stop - start) / width > MAX_BINS:
        width *= 2
    edges = pd.date_range(start, stop + width, freq=width)
    return edges, width


def _count(
    times: pd.Series, edges: pd.DatetimeIndex, weights: pd.Series | None = None
) -> list[int]:
    """How many times fall in each bin [edge, next edge) (weighted: the sum of weights)."""
    one = np.zeros(len(times), dtype=np.int64)
    counts: list[int] = _binned(one, 1, times, weights, edges)[0].tolist()
    return counts


def _binned(
    group: np.ndarray,
    groups: int,
    times: pd.Series,
    weights: pd.Series | None,
    edges: pd.DatetimeIndex,
) -> np.ndarray:
    """Counts (or summed weights) per group (0 to ``groups`` - 1; -1 for none) and bin
    [edge, next edge), as a ``groups`` x bins array."""
    bins = len(edges) - 1
    if times.empty:
        return np.zeros((groups, bins), dtype=np.int64)
    t = _instants(times)
    slot = np.searchsorted(_instants(pd.Series(edges)), t, side="right") - 1
    ok = (group >= 0) & ~np.isnat(t) & (slot >= 0) & (slot < bins)
    cell = group[ok] * bins + slot[ok]
    w = None if weights is None else weights.to_numpy(dtype=np.int64)[ok]
    return (
        np.bincount(cell, weights=w, minlength=groups * bins).astype(np.int64).reshape(groups, bins)
    )


def _instants(times: pd.Series) -> np.ndarray:
    """UTC datetimes as numpy datetime64[us] (NaT kept), whatever their unit."""
    return np.asarray(times.dt.tz_convert("UTC").dt.tz_localize(None), dtype="datetime64[us]")


def _lane_counts(
    timed: pd.DataFrame, folded: pd.DataFrame | None, names: list[str], edges: pd.DatetimeIndex
) -> list[tuple[list[int], list[int], list[int]]]:
    """Per lane of ``names``: errors, warnings and other events per bin, the folded
    records (routine: below WARNING) among the events. One pass over all lanes."""
    n = len(names)
    severity = timed["severity"]
    kind = np.where(
        severity.isin(ERRORS).to_numpy(dtype=bool),
        0,
        np.where((severity == "WARNING").fillna(False).to_numpy(dtype=bool), 1, 2),
    )
    grid = _binned(_lane_kind(timed["lane"], names, kind), n * 3, timed["timestamp"], None, edges)
    if folded is not None:
        routine = np.full(len(folded), 2)
        lane_kind = _lane_kind(folded["lane"], names, routine)
        grid += _binned(lane_kind, n * 3, folded["minute"], folded["records"], edges)
    return [
        (grid[3 * i].tolist(), grid[3 * i + 1].tolist(), grid[3 * i + 2].tolist()) for i in range(n)
    ]


def _lane_kind(lanes: pd.Series, names: list[str], kind: np.ndarray) -> np.ndarray:
    """Group number lane * 3 + kind per row; -1 for a lane not among ``names``."""
    lane = pd.Categorical(lanes.astype(object), categories=names).codes.astype(np.int64)
    return np.where(lane >= 0, lane * 3 + kind, -1)


def _lane_clocks(timed: pd.DataFrame, names: list[str]) -> list[str | None]:
    """Each lane's most common clock rule (the first in order on a tie), None without."""
    rows = timed[timed["lane"].isin(names) & timed["clock"].notna()]
    sizes = rows.groupby([rows["lane"].astype(str), rows["clock"].astype(str)]).size()
    best: dict[str, tuple[int, str]] = {}
    for key, count in sizes.items():
        lane, clock = str(key[0]), str(key[1])  # type: ignore[index]
        current = best.get(lane)
        if current is None or count > current[0] or (count == current[0] and clock < current[1]):
            best[lane] = (int(count), clock)
    return [best[name][1] if name in best else None for name in names]


def series_document(
    timeline: pd.DataFrame,
    window: tuple[pd.Timestamp, pd.Timestamp] | None,
    incident: doc.Incident | None,
    folded: pd.DataFrame | None = None,
) -> doc.Charts | None:
    """``folded``: records of large logs counted per lane and minute (Timeline.folded);
    they are routine (below WARNING), so they join each lane's other events."""
    if window is None or timeline.empty:
        return None
    start, stop = window
    edges, width = _bins(start, stop)
    # the columns read below: the window's rows of the others are not taken
    used = timeline[["timestamp", "family", "severity", "role", "source", "lane", "clock"]]
    timed = used[(used["timestamp"] >= start) & (used["timestamp"] < edges[-1])]
    if folded is not None and not folded.empty:
        folded = folded[(folded["minute"] >= start) & (folded["minute"] < edges[-1])]
    else:
        folded = None
    creates = timed[timed["family"] == "create_request"]["timestamp"]
    if creates.empty:
        creates = timed[timed["family"] == "vm_created"]["timestamp"]
    # errors, and messaging faults logged below ERROR (a blocked connection is a WARNING)
    failing = timed["severity"].isin(ERRORS) | (timed["role"] == "fault")
    errors = timed[failing & (timed["source"] != "server")]["timestamp"]
    marked = timed[timed["family"].isin(list(MARKERS))].head(MAX_MARKERS)
    activity = timed["lane"].value_counts()
    if folded is not None:
        extra = folded.groupby("lane")["records"].sum().astype("int64")
        activity = activity.add(extra, fill_value=0).sort_values(ascending=False, kind="stable")
    names = sorted(str(x) for x in activity.head(MAX_LANES).index)
    lanes = [
        doc.Lane(lane=lane, clock=clock, errors=e, warnings=w, events=ev)
        for lane, clock, (e, w, ev) in zip(
            names,
            _lane_clocks(timed, names),
            _lane_counts(timed, folded, names, edges),
            strict=True,
        )
    ]
    shade = None
    if incident is not None:
        shade = TimeRange(start=incident.onset, end=incident.end)
    start_text = iso(edges[0])
    assert start_text is not None, "a chart window has a start"
    return doc.Charts(
        start=start_text,
        bin_s=width.total_seconds(),
        bins=len(edges) - 1,
        creates=_count(creates, edges),
        errors=_count(errors, edges),
        markers=[
            doc.Marker(at=iso(r["timestamp"]), kind=MARKERS[str(r["family"])])
            for _, r in marked.iterrows()
        ],
        incident=shade,
        lanes=lanes,
    )


def key_events(
    incident: doc.Incident | None,
    burst: doc.Burst | None,
    timeline: pd.DataFrame,
    collected_at: pd.Timestamp | None,
) -> list[doc.KeyEvent]:
    """The handful of moments a post-incident review asks for, in time order."""
    out: list[doc.KeyEvent] = []

    def add(at: str | None, event: str, detail: str | int | None = None) -> None:
        if at:
            out.append(doc.KeyEvent(at=at, event=event, detail=detail))

    if burst is not None and burst.preceded_failure:
        add(burst.burst_first, "burst_start", burst.creates_before_onset)
    if incident is not None:
        add(incident.onset, "onset", incident.onset_event.text)
        add(incident.first_stuck_vm, "first_stuck_vm", incident.first_stuck_vm_id)
        add(incident.detected_at, "detected", incident.detected_basis)
        start = pd.Timestamp(incident.onset)
        stop = pd.Timestamp(incident.end or incident.onset) + AFTER
        restarts = timeline["timestamp"][
            timeline["family"].isin(["broker_started", "broker_pod_started"])
            & (timeline["timestamp"] >= start)
            & (timeline["timestamp"] <= stop)
        ].sort_values()
        # the pod's start and the broker's "startup complete" are one restart
        distinct = restarts[restarts.diff().isna() | (restarts.diff() > RESTART_GAP)]
        if len(distinct) == 1:
            add(iso(distinct.iloc[0]), "broker_restart")
        elif len(distinct) > 1:
            add(iso(distinct.iloc[0]), "broker_restart_first")
            add(iso(distinct.iloc[-1]), "broker_restart_last")
        add(incident.last_fault, "last_fault")
        add(incident.reconnected_at, "reconnected")
        add(incident.broker_running_at, "broker_running")
        add(incident.first_create_ok_at, "first_create_ok")
        add(incident.recovered_at, "recovered")
    add(iso(collected_at), "collected")
    return sorted(out, key=lambda e: e.at)
