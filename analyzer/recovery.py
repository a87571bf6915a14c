"""The runbook's recovery, clean-up and prevention, filled in with this deployment's names."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analyzer.diagnosis import Diagnosis
from analyzer.model import Deployment, FailureClass, iso
from analyzer.rules.context import RuleContext, log_evidence
from analyzer.runbook import BATCH
from analyzer.searched import searched
from analyzer.values import opt_str

CONDUCTOR = r"^nova-conductor"
MAX_PACKET_LINES = 40
# the compute log lines that go into the SaaS escalation packet
PACKET_LINES = searched(r"(?i)AMQP|rabbit|MessagingTimeout|Timed out waiting|broker")


def _pods_like(ctx: RuleContext, pattern: str) -> list[str]:
    pods = ctx.frames.pods
    if pods.empty:
        return []
    names = pods["pod"].dropna().astype(str)
    return sorted(set(names[names.str.match(pattern)]))


def recovery_plan(ctx: RuleContext, dx: Diagnosis) -> dict[str, Any]:
    inv = ctx.inventory
    ns = inv.namespace or "<namespace>"
    brokers = (
        sorted(set(ctx.broker_pods["pod"].dropna().astype(str)))
        if not ctx.broker_pods.empty
        else []
    )
    plan: dict[str, Any] = {
        "deployment": inv.deployment.value,
        "namespace": inv.namespace,
        "broker_pods": brokers,
        "steps": [],
        "escalation": None,
        "notes": [],
    }
    if dx.verdict.cls is not FailureClass.MESSAGING:
        return plan
    if inv.deployment is not Deployment.SAAS:
        targets = brokers or ["<broker-pod>"]
        conductors = _pods_like(ctx, CONDUCTOR) or ["<nova-conductor-pod>"]
        plan["steps"] = [
            {
                "key": "check_pods",
                "commands": [f"kubectl -n {ns} get pods -o wide | grep -Ei 'rabbit|broker'"],
            },
            {
                "key": "restart_broker",
                "commands": [f"kubectl -n {ns} delete pod {p}" for p in targets],
            },
            {
                "key": "wait_ready",
                "commands": [
                    f"kubectl -n {ns} wait --for=condition=Ready pod/{p} --timeout=300s"
                    for p in targets
                ],
            },
            {
                "key": "verify_reconnect",
                "commands": [
                    f"kubectl -n {ns} logs {c} --since=10m | grep 'Reconnected to AMQP'"
                    for c in conductors
                ],
            },
            {
                "key": "verify_create",
                "commands": ["pcdctl server list --all-projects --status BUILD"],
            },
        ]
        subcauses = set(dx.verdict.subcauses)
        if subcauses & {"broker_pod_oomkilled", "broker_memory_alarm"}:
            plan["notes"].append("oom")
        if "broker_disk_alarm" in subcauses:
            plan["notes"].append("disk")
        if "broker_auth_failure" in subcauses:
            plan["notes"].append("auth")
        if "broker_partition" in subcauses:
            plan["notes"].append("partition")
    if inv.deployment is not Deployment.SELF_HOSTED:
        plan["escalation"] = escalation_packet(ctx, dx)
    return plan


def escalation_packet(ctx: RuleContext, dx: Diagnosis) -> dict[str, Any]:
    """What the runbook tells SaaS customers to send Platform9 Support."""
    starts: list[pd.Timestamp] = [
        first for f in dx.findings if isinstance(first := f.facts.get("first"), pd.Timestamp)
    ]
    stuck = ctx.stuck_vms
    if not stuck.empty and stuck["created_at"].notna().any():
        starts.append(stuck["created_at"].min())
    start = min(starts) if starts else None
    svc = ctx.frames.services
    compute_logs = ctx.frames.logs
    if not compute_logs.empty:
        compute_logs = compute_logs[compute_logs["service"] == "nova-compute"]
        relevant = compute_logs["message"].str.contains(
            PACKET_LINES[len("(?i)") :], case=False, na=False
        )
        compute_logs = ctx.only_recent(compute_logs[relevant]).sort_values("timestamp")
    return {
        "time_range": {"start": iso(start), "end": iso(ctx.inventory.collected_at)},
        "build_servers": stuck_vm_rows(ctx.build_vms),
        "services": [
            {
                "binary": r["binary"],
                "host": r["host"],
                "status": r["status"],
                "state": r["state"],
                "updated_at": iso(r["updated_at"]),
            }
            for _, r in svc.iterrows()
        ],
        "ostackhost_lines": [e.to_dict() for e in log_evidence(compute_logs, MAX_PACKET_LINES)],
    }


def stuck_vm_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for _, r in frame.iterrows():
        age = r.get("age")
        rows.append(
            {
                "id": _s(r["id"]),
                "name": _s(r["name"]),
                "status": _s(r["status"]),
                "task_state": _s(r["task_state"]),
                "host": _s(r["host"]),
                "created_at": iso(r["created_at"]),
                "age_s": float(age.total_seconds()) if isinstance(age, pd.Timedelta) else None,
            }
        )
    return rows


_s = opt_str


def cleanup(ctx: RuleContext) -> dict[str, Any]:
    return {
        "check": "pcdctl server list --all-projects --status BUILD",
        "commands": [
            {
                "id": vm["id"],
                "name": vm["name"],
                "commands": [
                    f"pcdctl server set --state error {vm['id']}",
                    f"pcdctl server delete {vm['id']}",
                ],
            }
            for vm in stuck_vm_rows(ctx.stuck_vms)
        ],
    }


def prevention(ctx: RuleContext) -> dict[str, Any]:
    """Batch advice, with this bundle's creation burst when the data shows one."""
    out: dict[str, Any] = {"batch_size": list(BATCH), "burst": None}
    s = ctx.servers
    if s.empty or s["created_at"].isna().all():
        return out
    created = s["created_at"].dropna().sort_values()
    anchor = ctx.stuck_vms["created_at"].min() if not ctx.stuck_vms.empty else None
    if anchor is None or pd.isna(anchor):
        return out
    window = pd.Timedelta(minutes=10)
    burst = created[(created >= anchor - window) & (created <= anchor + window)]
    if len(burst) >= 2:
        span = (burst.max() - burst.min()).total_seconds()
        out["burst"] = {
            "creates": len(burst),
            "window_s": float(span),
            "first": iso(burst.min()),
            "last": iso(burst.max()),
            "over_batch": bool(len(burst) > BATCH[1]),
        }
    return out
