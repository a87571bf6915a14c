"""What changed between the bundles, item by item, each with evidence from both sides.

``since`` is the fix when AFTER shows one, else the time BEFORE was taken: lines of AFTER
older than it belong to the incident BEFORE already showed, not to the state after it.
"""

from __future__ import annotations

import re

import pandas as pd

from analyzer.cells import opt_str
from analyzer.compare.document import Client, Create, FindingChange, ServiceChange, VmChange
from analyzer.compare.evidence import row_evidence, when
from analyzer.compare.sides import Analysed
from analyzer.document import Evidence, Finding
from analyzer.model import iso
from analyzer.runbook import STUCK_AFTER

CLIENT_FAULTS = ("amqp_unreachable", "broker_blocked", "lost_conductor", "messaging_timeout")
BUILD_ENDS = ("build_ok", "build_fail", "no_valid_host")
TOOK = re.compile(r"Took ([0-9.]+) seconds to build instance")
# the ends of those faults on the client's side (analyzer.timeline.families.RECOVERS)
CLIENT_BACK = ("amqp_reconnected", "broker_unblocked", "conductor_recovered")
CLIENT_SOURCES = ("oslo", "pf9", "kubectl")  # client logs: hosts and pods (not the broker)


def servers_by_id(side: Analysed) -> pd.DataFrame:
    servers = side.frames.servers
    if servers.empty:
        return servers
    # server list and server show repeat a VM, and only show has its creation time: per
    # VM, the first value any file gives (the list's rows come from the same moment)
    return servers[servers["id"].notna()].groupby("id", sort=False).first()


def _row(frame: pd.DataFrame, key: str) -> pd.Series:
    row = frame.loc[key]
    assert isinstance(row, pd.Series)  # ids are unique after the grouping
    return row


def _server_text(row: pd.Series, vm_id: str) -> str:
    return f"{vm_id} {opt_str(row.get('name')) or ''} {opt_str(row.get('status')) or '?'}".strip()


def stuck_vm_changes(before: Analysed, after: Analysed) -> list[VmChange]:
    """Each VM stuck in BUILD in BEFORE, and what AFTER's server list says of it."""
    old, new = servers_by_id(before), servers_by_id(after)
    listed = after.doc.counts.servers > 0
    out = []
    for vm in before.doc.stuck_vms:
        if vm.id is None:
            continue
        before_ev = (
            row_evidence(_row(old, vm.id), _server_text(_row(old, vm.id), vm.id), "created_at")
            if vm.id in old.index
            else None
        )
        if vm.id in new.index:
            row = _row(new, vm.id)
            now = opt_str(row.get("status")) or "unknown"
            after_ev: Evidence | None = row_evidence(row, _server_text(row, vm.id), "updated_at")
        else:
            now = "deleted" if listed else "unknown"
            after_ev = None
        commands = (
            [f"pcdctl server set --state error {vm.id}", f"pcdctl server delete {vm.id}"]
            if now == "BUILD"
            else []
        )
        out.append(VmChange(vm.id, vm.name, now, before_ev, after_ev, commands))
    return out


def _client_events(side: Analysed) -> pd.DataFrame:
    events = side.timeline.frame
    return events[events["source"].isin(CLIENT_SOURCES).fillna(False) & events["timestamp"].notna()]


def client_changes(before: Analysed, after: Analysed, since: pd.Timestamp | None) -> list[Client]:
    """Every host or pod whose client failed in BEFORE: reconnected (or, for a blocked
    publisher or a service report, unblocked), quiet or failing."""
    old = _client_events(before)
    faults = old[old["family"].isin(CLIENT_FAULTS).fillna(False)]
    new = _client_events(after)
    if since is not None:
        new = new[new["timestamp"] >= since]
    out = []
    for lane, rows in faults.groupby("lane", sort=True):
        mine = new[new["lane"] == lane]
        back = mine[mine["family"].isin(CLIENT_BACK).fillna(False)]
        last_back = back["timestamp"].max() if not back.empty else None
        again = mine[mine["family"].isin(CLIENT_FAULTS).fillna(False)]
        if last_back is not None:
            again = again[again["timestamp"] > last_back]
        if not again.empty:
            state, shown = "failing", again.iloc[-1]
        elif not back.empty:
            reconnected = (back["family"] == "amqp_reconnected").any()
            state, shown = "reconnected" if reconnected else "unblocked", back.iloc[0]
        else:
            state, shown = "quiet", None
        out.append(
            Client(
                lane=str(lane),
                state=state,
                faults_before=len(rows),
                reconnected_at=iso(back["timestamp"].min()) if not back.empty else None,
                before_evidence=row_evidence(rows.iloc[-1]),
                after_evidence=row_evidence(shown) if shown is not None else None,
            )
        )
    return out


def creates_after(after: Analysed, since: pd.Timestamp | None) -> list[Create]:
    """VMs created after the fix, and whether each reached ACTIVE within ``STUCK_AFTER``.

    One still in BUILD is ``building`` while younger than that at AFTER's collection, and
    ``failed`` once older, like one in ERROR."""
    servers = servers_by_id(after)
    collected = when(after.doc.collected_at)
    if servers.empty or since is None:
        return []
    new = servers[servers["created_at"].notna() & (servers["created_at"] > since)]
    out = []
    for vm_id, row in new.sort_values("created_at").iterrows():
        launched, created = row.get("launched_at"), row["created_at"]
        took = (
            (launched - created).total_seconds()
            if isinstance(launched, pd.Timestamp) and not pd.isna(launched)
            else None
        )
        status = opt_str(row.get("status"))
        out.append(_create(str(vm_id), row, status, took, collected))
    return out + _built_after(after, since, servers, {c.id for c in out})


def _built_after(
    after: Analysed, since: pd.Timestamp, servers: pd.DataFrame, known: set[str | None]
) -> list[Create]:
    """Builds that ended after the fix, from compute's own lines, for VMs whose creation
    time no server list gives (``server list`` has none; only ``server show`` does)."""
    events = after.timeline.frame
    rows = events[
        events["family"].isin(BUILD_ENDS).fillna(False)
        & events["instance"].notna()
        & (events["timestamp"] > since)
    ]
    out = []
    for vm_id, mine in rows.groupby("instance", sort=False):
        if vm_id in known:
            continue
        row = mine.iloc[-1]
        took = TOOK.search(str(row["message"]))
        listed = servers.loc[vm_id] if vm_id in servers.index else None
        ok = row["family"] == "build_ok"
        out.append(
            Create(
                id=str(vm_id),
                name=opt_str(listed.get("name")) if listed is not None else None,
                status=opt_str(listed.get("status")) if listed is not None else None,
                created_at=None,
                build_s=float(took.group(1)) if took else None,
                result="active" if ok else "failed",
                evidence=row_evidence(row),
            )
        )
    return out


def _create(
    vm_id: str,
    row: pd.Series,
    status: str | None,
    took: float | None,
    collected: pd.Timestamp | None,
) -> Create:
    limit = STUCK_AFTER.total_seconds()
    created = row["created_at"]
    if status == "ACTIVE":
        result = "active" if took is None or took <= limit else "slow"
    elif status == "BUILD" and collected is not None and collected - created <= STUCK_AFTER:
        result = "building"
    else:
        result = "failed"
    return Create(
        id=vm_id,
        name=opt_str(row.get("name")),
        status=status,
        created_at=iso(created),
        build_s=round(took, 1) if took is not None else None,
        result=result,
        evidence=row_evidence(row, _server_text(row, vm_id), "created_at"),
    )


def _services(side: Analysed) -> dict[tuple[str, str], pd.Series]:
    svc = side.frames.services
    return {(opt_str(r["binary"]) or "?", opt_str(r["host"]) or "?"): r for _, r in svc.iterrows()}


def _state(row: pd.Series | None) -> str:
    if row is None:
        return "absent"
    return f"{opt_str(row.get('status')) or '?'}/{opt_str(row.get('state')) or '?'}"


def service_changes(before: Analysed, after: Analysed) -> list[ServiceChange]:
    """Compute services whose status or state differs (both sides must list services)."""
    old, new = _services(before), _services(after)
    if not old or not new:
        return []
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if _state(a) == _state(b):
            continue
        out.append(
            ServiceChange(
                binary=key[0],
                host=key[1],
                before=_state(a),
                after=_state(b),
                before_evidence=row_evidence(a, _state(a), "updated_at") if a is not None else None,
                after_evidence=row_evidence(b, _state(b), "updated_at") if b is not None else None,
            )
        )
    return out


def last_seen(f: Finding) -> pd.Timestamp | None:
    """The newest time a finding rests on; None for a state (a pod's status) with no time."""
    times = [when(e.timestamp) for e in f.evidence]
    last = f.facts.get("last")
    if isinstance(last, str):
        times.append(when(last))
    known = [t for t in times if t is not None]
    return max(known) if known else None


def finding_changes(
    before: Analysed, after: Analysed, since: pd.Timestamp | None
) -> list[FindingChange]:
    olds = {f.key: f for f in before.doc.findings}
    news = {f.key: f for f in after.doc.findings}
    out = []
    for key in [*olds, *(k for k in news if k not in olds)]:
        old, new = olds.get(key), news.get(key)
        state, last = "absent", None
        if new is not None:
            last = last_seen(new)
            current = last is None or since is None or last > since
            state = "current" if current else "before_fix"
        shown = new or old
        assert shown is not None
        out.append(
            FindingChange(
                key=key,
                supports=shown.supports,
                before=old is not None,
                after=state,
                after_last=iso(last),
                before_evidence=old.evidence[0] if old is not None and old.evidence else None,
                after_evidence=_latest(new) if new is not None else None,
            )
        )
    return out


def _latest(f: Finding) -> Evidence | None:
    timed = [e for e in f.evidence if e.timestamp]
    if timed:
        return max(timed, key=lambda e: e.timestamp or "")
    return f.evidence[0] if f.evidence else None
