"""The runbook's escalation to Platform9 Support, filled in from both bundles.

The runbook asks for the deployment, region, namespace, when it started, the VM IDs, the
error lines and what was tried, and for the likely cause among memory, disk,
misconfiguration and authentication. For SaaS deployments this packet is the answer.
"""

from __future__ import annotations

from analyzer.compare.document import Broker, Client, FindingChange, Fix, Packet, VmChange
from analyzer.compare.items import servers_by_id
from analyzer.compare.sides import Analysed
from analyzer.document import Evidence, TimeRange
from analyzer.recovery import service_states, stuck_vm_rows

CAUSES = (
    ("memory", {"broker_pod_oomkilled", "broker_memory_alarm"}),
    ("disk", {"broker_disk_alarm"}),
    ("authentication", {"broker_auth_failure"}),
    ("misconfiguration", {"broker_partition", "broker_pod_error", "broker_pod_pending"}),
)
LINES = 10  # per side


def cause(subcauses: set[str]) -> str:
    for name, keys in CAUSES:
        if subcauses & keys:
            return name
    return "unknown"


def packet(
    before: Analysed,
    after: Analysed,
    fix: Fix | None,
    findings: list[FindingChange],
    stuck: list[VmChange],
    broker: Broker,
    clients: list[Client],
) -> Packet:
    b, a = before.doc, after.doc
    subcauses = {*b.verdict.subcauses, *a.verdict.subcauses}
    vm_ids = [v.id for v in stuck]
    vm_ids += [v.id for v in a.stuck_vms if v.id is not None and v.id not in vm_ids]
    esc = b.recovery.escalation  # BEFORE's own packet lines, when its analysis made one
    lines_before = list(esc.ostackhost_lines) if esc is not None else []
    lines_before += [c.before_evidence for c in clients if c.before_evidence is not None]
    lines_before += [f.before_evidence for f in findings if f.before_evidence is not None]
    lines_after = [c.after_evidence for c in clients if c.after_evidence is not None]
    lines_after += [
        f.after_evidence for f in findings if f.after == "current" and f.after_evidence is not None
    ]
    lines_after += broker.crash_evidence
    tried = []
    if fix is not None:
        tried.append(f"{fix.at} {fix.basis}: {fix.evidence.text}")
    if a.incident is not None:
        tried += [
            f"{x.timestamp or '?'} {x.family}: {x.text}"
            for x in a.incident.actions
            if fix is None or x.text != fix.evidence.text
        ]
    onset = b.incident.onset if b.incident is not None else None
    start = onset or (b.recovery.escalation.time_range.start if b.recovery.escalation else None)
    servers = servers_by_id(after)
    building = (
        servers[(servers["status"] == "BUILD").fillna(False)]
        .sort_values("created_at", kind="stable")
        .reset_index()
        if not servers.empty
        else after.frames.servers
    )
    return Packet(
        cause=cause(subcauses),
        deployment=b.deployment,
        region=b.region or a.region,
        namespace=b.namespace or a.namespace,
        onset=onset,
        time_range=TimeRange(start=start, end=a.collected_at),
        vm_ids=vm_ids,
        build_servers=stuck_vm_rows(building),
        services=service_states(after.frames.services),
        lines_before=_unique(lines_before)[:LINES],
        lines_after=_unique(lines_after)[:LINES],
        tried=tried,
    )


def _unique(lines: list[Evidence]) -> list[Evidence]:
    """Each line once, ``ostackhost.log`` first (the runbook asks for those lines)."""
    lines = sorted(lines, key=lambda e: not e.file.endswith("ostackhost.log"))
    seen: set[tuple[str, int | None]] = set()
    out = []
    for e in lines:
        if (e.file, e.line) not in seen:
            seen.add((e.file, e.line))
            out.append(e)
    return out
