"""The broker between the bundles: the fix (if AFTER shows one) and whether it held.

The fix is the first sign in AFTER, later than BEFORE's collection, of something done to
the broker: its pod deleted (a Kubernetes ``Killing`` event), a broker container or node
starting, or its resource alarm clearing. Crashing again means a broker OOM kill, the
broker going down or an alarm set *after* that fix; the same lines from before the fix
are the incident BEFORE already showed.
"""

from __future__ import annotations

import pandas as pd

from analyzer.cells import opt_int
from analyzer.compare.document import Broker, Fix
from analyzer.compare.evidence import row_evidence, when
from analyzer.compare.sides import Analysed
from analyzer.model import iso
from analyzer.timeline.events import BROKER

FIX_FAMILIES = ("pod_killed", "broker_pod_started", "broker_started", "alarm_cleared")
CRASH_FAMILIES = ("broker_oom_killed", "broker_down", "alarm_set")
BROKER_POD_EVENT = r"^[A-Za-z]+ [Pp]od/(?:rabbitmq|rabbit|broker)"  # "Killing Pod/rabbitmq-0: ..."
SHOWN = 5  # evidence lines per list


def cutoff(before: Analysed) -> pd.Timestamp | None:
    """When BEFORE was taken: what AFTER shows later happened between the bundles."""
    collected = when(before.doc.collected_at)
    return collected if collected is not None else before.timeline.newest


def find_fix(before: Analysed, after: Analysed) -> Fix | None:
    since = cutoff(before)
    events = after.timeline.frame
    rows = events[events["family"].isin(FIX_FAMILIES).fillna(False)]
    killed = rows["family"] == "pod_killed"
    on_broker = rows["message"].astype("string").str.contains(BROKER_POD_EVENT).fillna(False)
    rows = rows[~killed | on_broker]
    if since is not None:
        rows = rows[rows["timestamp"] > since]
    rows = rows[rows["timestamp"].notna()].sort_values("timestamp", kind="stable")
    if rows.empty:
        return None
    first = rows.iloc[0]
    return Fix(
        at=iso(first["timestamp"]) or "", basis=str(first["family"]), evidence=row_evidence(first)
    )


def _broker_pods(side: Analysed) -> pd.DataFrame:
    pods = side.frames.pods
    if pods.empty:
        return pods
    return pods[pods["pod"].astype("string").str.match(BROKER).fillna(False)]


def _restarts(pods: pd.DataFrame) -> int | None:
    if pods.empty or pods["restart_count"].isna().all():
        return None
    return opt_int(pods["restart_count"].max())


def _family(side: Analysed, families: tuple[str, ...]) -> pd.DataFrame:
    events = side.timeline.frame
    return events[events["family"].isin(families).fillna(False) & events["timestamp"].notna()]


def broker_change(before: Analysed, after: Analysed, fix: Fix | None) -> Broker:
    since = when(fix.at) if fix is not None else cutoff(before)
    pods_before, pods_after = _broker_pods(before), _broker_pods(after)
    count_before, count_after = _restarts(pods_before), _restarts(pods_after)
    crashes = _family(after, CRASH_FAMILIES)
    if since is not None:
        crashes = crashes[crashes["timestamp"] > since]
    faults = _family(before, CRASH_FAMILIES)
    cleared = _family(after, ("alarm_cleared",))
    start = cutoff(before)
    if start is not None:
        cleared = cleared[cleared["timestamp"] > start]
    replaced = fix is not None and fix.basis == "pod_killed"
    if count_before is not None and count_after is not None and count_after < count_before:
        replaced = True  # a restartCount that went down belongs to a new pod
    names = (
        sorted({str(p) for frame in (pods_before, pods_after) for p in frame["pod"].dropna()})
        if not (pods_before.empty and pods_after.empty)
        else []
    )
    return Broker(
        pods=names,
        restart_count_before=count_before,
        restart_count_after=count_after,
        replaced=replaced,
        crashed_again=not crashes.empty,
        crash_evidence=[row_evidence(r) for _, r in crashes.head(SHOWN).iterrows()],
        faults_before=[row_evidence(r) for _, r in faults.tail(SHOWN).iterrows()],
        alarms_cleared=[row_evidence(r) for _, r in cleared.head(SHOWN).iterrows()],
        before_evidence=[
            row_evidence(r, _pod_text(r), "started_at")
            for _, r in pods_before.head(SHOWN).iterrows()
        ],
    )


def _pod_text(row: pd.Series) -> str:
    parts = [
        f"{row['pod']}",
        f"status {row['status']}",
        f"restartCount {row['restart_count']}",
    ]
    if isinstance(row.get("last_reason"), str):
        parts.append(f"last state {row['last_reason']}")
    return ", ".join(parts)
