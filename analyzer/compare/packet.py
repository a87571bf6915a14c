"""The runbook's escalation to Platform9 Support, filled in from both bundles.

The runbook asks for the deployment, region, namespace, when it started, the VM IDs, the
error lines and what was tried, and for the likely cause among memory, disk,
misconfiguration and authentication. For SaaS deployments this packet is the answer.
"""

from __future__ import annotations

from analyzer.compare.document import Broker, FindingChange, Fix, Packet, VmChange
from analyzer.compare.sides import Analysed
from analyzer.document import Evidence

CAUSES = (
    ("memory", {"broker_pod_oomkilled", "broker_memory_alarm"}),
    ("disk", {"broker_disk_alarm"}),
    ("authentication", {"broker_auth_failure"}),
    ("misconfiguration", {"broker_partition", "broker_pod_error", "broker_pod_pending"}),
)
LINES_PER_SIDE = 5


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
) -> Packet:
    b, a = before.doc, after.doc
    subcauses = {*b.verdict.subcauses, *a.verdict.subcauses}
    vm_ids = [v.id for v in stuck]
    vm_ids += [v.id for v in a.stuck_vms if v.id is not None and v.id not in vm_ids]
    lines: list[Evidence] = [f.before_evidence for f in findings if f.before_evidence is not None][
        :LINES_PER_SIDE
    ]
    lines += [
        f.after_evidence for f in findings if f.after == "current" and f.after_evidence is not None
    ][:LINES_PER_SIDE]
    lines += broker.crash_evidence[:LINES_PER_SIDE]
    tried = []
    if fix is not None:
        tried.append(f"{fix.at} {fix.basis}: {fix.evidence.text}")
    if a.incident is not None:
        tried += [
            f"{x.timestamp or '?'} {x.family}: {x.text}"
            for x in a.incident.actions
            if fix is None or x.text != fix.evidence.text
        ]
    return Packet(
        cause=cause(subcauses),
        deployment=b.deployment,
        region=b.region or a.region,
        namespace=b.namespace or a.namespace,
        onset=b.incident.onset if b.incident is not None else None,
        vm_ids=vm_ids,
        error_lines=_unique(lines),
        tried=tried,
    )


def _unique(lines: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, int | None]] = set()
    out = []
    for e in lines:
        if (e.file, e.line) not in seen:
            seen.add((e.file, e.line))
            out.append(e)
    return out
