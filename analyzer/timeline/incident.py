"""The incident window: onset, first stuck VM, detection, recovery, durations, VMs affected.

Faults (see :mod:`analyzer.timeline.families`) are grouped into episodes: a fault more than
``EPISODE_GAP`` after the previous one starts a new episode. Tiny blips (under
``SIGNIFICANT`` long, no broker-side fault) are not incidents. The incident reported is
the newest episode still open at collection, else the newest significant one.

Recovery is per channel: each (lane, fault family) that has an end family (``unreachable``
-> ``Reconnected``, ``blocked`` -> ``unblocked``, alarm ``set`` -> ``cleared``, broker
``down``/OOM-killed -> ``Server startup complete`` or the pod started) must show that end
after its last fault. The episode has recovered when every channel has, at the latest of
those ends (and not before its last one-off fault, such as a ``MessagingTimeout``). An
episode of one-off faults only has recovered when nothing was logged for ``QUIET`` before
collection. An episode that recovered more than ``HISTORY_AFTER`` before collection is
history, not the current failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from analyzer.cells import opt_str as _s
from analyzer.document import timeline as doc
from analyzer.model import iso
from analyzer.timeline.families import RECOVERS
from analyzer.timeline.stitching import STUCK_AFTER, Story

EPISODE_GAP = pd.Timedelta(minutes=15)
SIGNIFICANT = pd.Timedelta(seconds=30)
QUIET = pd.Timedelta(minutes=15)
HISTORY_AFTER = pd.Timedelta(hours=2)
BROKER_FAULTS = ("alarm_set", "broker_down", "broker_oom_killed", "broker_auth")
BROKER_UP = ("broker_started", "broker_pod_started")
DETECTION = ("k8s_warning", "broker_oom_killed")
MAX_ACTIONS = 20


class EpisodeStatus(StrEnum):
    ONGOING = "ongoing"  # not recovered at collection
    RECOVERED = "recovered"
    HISTORY = "history"  # recovered more than HISTORY_AFTER before collection


class DetectionBasis(StrEnum):
    """What made the failure visible first (``_detection``)."""

    KUBERNETES_WARNING = "kubernetes-warning"
    STUCK_BUILD_THRESHOLD = "stuck-build-threshold"


@dataclass
class Episode:
    faults: pd.DataFrame
    onset: pd.Timestamp
    last_fault: pd.Timestamp
    recovered_at: pd.Timestamp | None = None
    reconnected_at: pd.Timestamp | None = None
    broker_running_at: pd.Timestamp | None = None
    unrecovered: list[str] = field(default_factory=list)

    @property
    def broker_side(self) -> bool:
        return bool(self.faults["family"].isin(BROKER_FAULTS).any())

    @property
    def significant(self) -> bool:
        return self.broker_side or (self.last_fault - self.onset) >= SIGNIFICANT


def episodes(timeline: pd.DataFrame, newest: pd.Timestamp | None = None) -> list[Episode]:
    """The fault episodes; ``newest``: the newest record, folded ones included (default:
    the timeline's newest row)."""
    faults = timeline[(timeline["role"] == "fault") & timeline["timestamp"].notna()]
    if faults.empty:
        return []
    faults = faults.sort_values("timestamp", kind="stable")
    gap = faults["timestamp"].diff()
    group = (gap.isna() | (gap > EPISODE_GAP)).cumsum()
    out = []
    for _, rows in faults.groupby(group, sort=True):
        ep = Episode(rows, rows["timestamp"].iloc[0], rows["timestamp"].iloc[-1])
        _recovery(ep, timeline, newest)
        out.append(ep)
    return out


def _recovery(ep: Episode, timeline: pd.DataFrame, newest: pd.Timestamp | None) -> None:
    later = timeline[timeline["timestamp"].notna() & (timeline["timestamp"] >= ep.onset)]
    ends: list[pd.Timestamp] = []
    stateful = ep.faults[ep.faults["family"].isin(list(RECOVERS))]
    broker = stateful["family"].isin(BROKER_FAULTS)
    reconnects: list[pd.Timestamp] = []
    for lane, family, end in _first_ends(stateful[~broker], later):
        if end is None:
            ep.unrecovered.append(f"{lane}: {family}")
            continue
        ends.append(end)
        if family == "amqp_unreachable":
            reconnects.append(end)
    if broker.any():
        last = stateful[broker]["timestamp"].max()
        # an alarm alone ends when it clears; a broker that went down ends when it runs again
        alarm_only = set(stateful[broker]["family"]) == {"alarm_set"}
        up_families = ["alarm_cleared", *BROKER_UP] if alarm_only else list(BROKER_UP)
        up = later[later["family"].isin(up_families) & (later["timestamp"] >= last)]
        if up.empty:
            ep.unrecovered.append("broker")
        else:
            ep.broker_running_at = up["timestamp"].min()
            ends.append(ep.broker_running_at)
    ep.reconnected_at = max(reconnects) if reconnects else None
    if ep.unrecovered:
        return
    if ends:
        ep.recovered_at = max([*ends, ep.last_fault])
        return
    # one-off faults only: over when the logs went quiet long enough before collection
    if newest is None:
        newest = timeline["timestamp"].max()
    if pd.notna(newest) and newest - ep.last_fault >= QUIET:
        ep.recovered_at = ep.last_fault


def _first_ends(
    faults: pd.DataFrame, later: pd.DataFrame
) -> list[tuple[str, str, pd.Timestamp | None]]:
    """Per lane and fault family (in that order): the first row of the family that ends it,
    on the same lane, at or after the fault's last row; None when there is none.

    A few channels and their few ending rows: read as Python values, which costs less
    than the groupings and the join of frames that say the same."""
    if faults.empty:
        return []
    last_fault: dict[tuple[str, str], pd.Timestamp] = {}
    for lane, family, at in zip(faults["lane"], faults["family"], faults["timestamp"], strict=True):
        if pd.isna(lane) or pd.isna(family):
            continue  # (grouped by lane and family: rows without either are no channel)
        seen = last_fault.get((lane, family))
        if seen is None or pd.isna(seen) or at > seen:  # (as max, skipping NaT)
            last_fault[(lane, family)] = at
    wanted = {RECOVERS[str(family)] for _, family in last_fault}
    enders = later.loc[later["family"].isin(wanted), ["lane", "family", "timestamp"]]
    ends: dict[tuple[str, str], list[pd.Timestamp]] = {}
    for lane, family, at in zip(enders["lane"], enders["family"], enders["timestamp"], strict=True):
        ends.setdefault((lane, family), []).append(at)
    out: list[tuple[str, str, pd.Timestamp | None]] = []
    for (lane, family), last in sorted(last_fault.items()):
        after = [at for at in ends.get((lane, RECOVERS[str(family)]), []) if at >= last]
        out.append((str(lane), str(family), min(after) if after else None))
    return out


def status(ep: Episode, collected_at: pd.Timestamp | None) -> EpisodeStatus:
    if ep.recovered_at is None:
        return EpisodeStatus.ONGOING
    if collected_at is not None and collected_at - ep.recovered_at > HISTORY_AFTER:
        return EpisodeStatus.HISTORY
    return EpisodeStatus.RECOVERED


def primary(eps: list[Episode]) -> Episode | None:
    """The newest open episode, else the newest significant one."""
    open_eps = [e for e in eps if e.recovered_at is None and e.significant]
    if open_eps:
        return open_eps[-1]
    significant = [e for e in eps if e.significant]
    return significant[-1] if significant else None


def incident_document(
    ep: Episode | None,
    eps: list[Episode],
    timeline: pd.DataFrame,
    vm_stories: list[Story],
    collected_at: pd.Timestamp | None,
) -> doc.Incident | None:
    if ep is None:
        return None
    end = ep.recovered_at or collected_at or ep.last_fault
    # creates cast while clients were still reconnecting can be lost too: the window for
    # affected VMs reaches STUCK_AFTER past the recovery (and STUCK_AFTER before the onset)
    since, until = (
        ep.onset - STUCK_AFTER,
        end + (STUCK_AFTER if ep.recovered_at else pd.Timedelta(0)),
    )
    in_window = [
        s
        for s in vm_stories
        if s.first is not None
        and since <= s.first <= until
        and s.outcome(collected_at) in ("stuck", "failed", "hung")
    ]
    stuck = sorted(
        (s for s in in_window if s.outcome(collected_at) in ("stuck", "hung")),
        key=lambda s: s.first or ep.onset,
    )
    first_stuck = stuck[0] if stuck else None
    detected_at, detected_basis = _detection(ep, timeline, first_stuck, end)
    onset_row = ep.faults.iloc[0]
    state = status(ep, collected_at)
    return doc.Incident(
        status=state,
        onset=_at(ep.onset),
        onset_event=doc.IncidentEvent(
            family=str(onset_row["family"]),
            lane=_s(onset_row["lane"]),
            file=_s(onset_row["file"]),
            line=None if pd.isna(onset_row["line"]) else int(onset_row["line"]),
            text=_s(onset_row["message"]) or "",
        ),
        first_stuck_vm=iso(first_stuck.first) if first_stuck else None,
        first_stuck_vm_id=first_stuck.id if first_stuck else None,
        detected_at=iso(detected_at),
        detected_basis=detected_basis,
        last_fault=_at(ep.last_fault),
        reconnected_at=iso(ep.reconnected_at),
        broker_running_at=iso(ep.broker_running_at),
        first_create_ok_at=iso(_first_ok(timeline, ep)),
        recovered_at=iso(ep.recovered_at),
        end=_at(end),
        duration_s=round((end - ep.onset).total_seconds(), 1),
        vms_affected=len(in_window),
        stuck_vm_ids=[s.id for s in stuck if s.id],
        hung_requests=sum(1 for s in in_window if s.id is None),
        lanes=sorted({str(x) for x in ep.faults["lane"].dropna()}),
        fault_counts={
            str(k): int(v) for k, v in ep.faults["family"].value_counts().sort_index().items()
        },
        unrecovered=ep.unrecovered,
        actions=_actions(timeline, ep.onset, collected_at),
        earlier=[
            doc.EarlierIncident(
                onset=_at(e.onset),
                recovered_at=iso(e.recovered_at),
                duration_s=round(((e.recovered_at or e.last_fault) - e.onset).total_seconds()),
                status=status(e, collected_at),
            )
            for e in eps
            if e is not ep and e.significant and e.onset < ep.onset
        ][-5:],
    )


def _at(ts: pd.Timestamp) -> str:
    """An episode's time as the document writes it (episodes are made of timed rows)."""
    text = iso(ts)
    assert text is not None, "an episode time is never missing"
    return text


def _first_ok(timeline: pd.DataFrame, ep: Episode) -> pd.Timestamp | None:
    ok = timeline["timestamp"][
        (timeline["role"] == "build_ok")
        & (timeline["source"] != "server")
        & (timeline["timestamp"] >= ep.last_fault)
    ]
    return ok.min() if not ok.empty else None


def _detection(
    ep: Episode, timeline: pd.DataFrame, first_stuck: Story | None, end: pd.Timestamp
) -> tuple[pd.Timestamp | None, DetectionBasis | None]:
    """When the failure became visible: a warning in Kubernetes, or the first VM ten
    minutes in BUILD (the runbook's threshold), whichever came first."""
    candidates: list[tuple[pd.Timestamp, DetectionBasis]] = []
    warn = timeline["timestamp"][
        timeline["family"].isin(DETECTION)
        & (timeline["timestamp"] >= ep.onset)
        & (timeline["timestamp"] <= end)
    ]
    if not warn.empty:
        candidates.append((warn.min(), DetectionBasis.KUBERNETES_WARNING))
    if first_stuck is not None and first_stuck.first is not None:
        candidates.append((first_stuck.first + STUCK_AFTER, DetectionBasis.STUCK_BUILD_THRESHOLD))
    if not candidates:
        return None, None
    when, basis = min(candidates, key=lambda c: c[0])
    return when, basis


def _actions(
    timeline: pd.DataFrame, since: pd.Timestamp, until: pd.Timestamp | None
) -> list[doc.Action]:
    rows = timeline[(timeline["role"] == "action") & (timeline["timestamp"] >= since)]
    if until is not None:
        rows = rows[rows["timestamp"] <= until]
    return [
        doc.Action(
            timestamp=iso(r["timestamp"]),
            family=str(r["family"]),
            lane=_s(r["lane"]),
            file=_s(r["file"]),
            line=None if pd.isna(r["line"]) else int(r["line"]),
            text=_s(r["message"]) or "",
        )
        for _, r in rows.head(MAX_ACTIONS).iterrows()
    ]
