"""The runbook's recovery, clean-up and prevention, filled in with this deployment's names.

The fix each sub-cause asks for is built in :mod:`analyzer.broker_fixes`, the shell loops
in :mod:`analyzer.recovery_scripts`; every value from the bundle is shell-quoted.
"""

from __future__ import annotations

import shlex

import pandas as pd

from analyzer import document as doc
from analyzer.broker_fixes import (
    broker_of,
    check_credentials,
    check_disk,
    raise_memory_limit,
    restart_minority,
)
from analyzer.cells import opt_str
from analyzer.diagnosis import Diagnosis
from analyzer.finding_entries import evidence_entry
from analyzer.model import Deployment, FailureClass, iso
from analyzer.patterns import searched
from analyzer.recovery_scripts import check_vm_of, cleanup_loop, verify_create
from analyzer.rules.context import RuleContext, log_evidence
from analyzer.runbook import BATCH

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


def recovery_plan(ctx: RuleContext, dx: Diagnosis) -> doc.Recovery:
    inv = ctx.inventory
    brokers = (
        sorted(set(ctx.broker_pods["pod"].dropna().astype(str)))
        if not ctx.broker_pods.empty
        else []
    )
    steps: list[doc.Step] = []
    fixes: list[doc.Step] = []
    escalation = None
    messaging = dx.verdict.cls is FailureClass.MESSAGING
    if messaging and inv.deployment is not Deployment.SAAS:
        steps = _steps(ctx, brokers)
        fixes = _fixes(ctx, brokers, set(dx.verdict.subcauses))
    if messaging and inv.deployment is not Deployment.SELF_HOSTED:
        escalation = escalation_packet(ctx, dx)
    return doc.Recovery(
        deployment=inv.deployment,
        namespace=inv.namespace,
        broker_pods=brokers,
        fixes=fixes,
        steps=steps,
        escalation=escalation,
    )


def _fixes(ctx: RuleContext, brokers: list[str], subcauses: set[str]) -> list[doc.Step]:
    """What each sub-cause asks to change; a restart alone would end the same way."""
    broker = broker_of(ctx, brokers)
    fixes = []
    if subcauses & {"broker_pod_oomkilled", "broker_memory_alarm"}:
        fixes.append(raise_memory_limit(ctx, broker))
    if "broker_disk_alarm" in subcauses:
        fixes.append(check_disk(broker))
    if "broker_auth_failure" in subcauses:
        fixes.append(check_credentials(ctx, broker))
    if "broker_partition" in subcauses:
        fixes.append(restart_minority(ctx, broker, brokers))
    return fixes


def _steps(ctx: RuleContext, brokers: list[str]) -> list[doc.Step]:
    """The runbook's Self-Hosted recovery: restart the broker, check the clients, then
    prove that a VM create succeeds."""
    ns = shlex.quote(ctx.inventory.namespace or "<namespace>")
    targets = [shlex.quote(p) for p in brokers] or ["'<broker-pod>'"]
    conductors = [shlex.quote(c) for c in _pods_like(ctx, CONDUCTOR)] or ["'<nova-conductor-pod>'"]
    return [
        doc.Step(
            key="check_pods",
            commands=[f"kubectl -n {ns} get pods -o wide | grep -Ei 'rabbit|broker'"],
        ),
        doc.Step(
            key="restart_broker",
            commands=[f"kubectl -n {ns} delete pod {p}" for p in targets],
        ),
        doc.Step(
            key="wait_ready",
            commands=[
                f"kubectl -n {ns} wait --for=condition=Ready pod/{p} --timeout=300s"
                for p in targets
            ],
        ),
        doc.Step(
            key="verify_reconnect",
            commands=[
                f"kubectl -n {ns} logs {c} --since=10m | grep 'Reconnected to AMQP'"
                for c in conductors
            ],
        ),
        doc.Step(key="verify_create", commands=[verify_create(check_vm_of(ctx.servers))]),
    ]


def escalation_packet(ctx: RuleContext, dx: Diagnosis) -> doc.Escalation:
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
    return doc.Escalation(
        time_range=doc.TimeRange(start=iso(start), end=iso(ctx.inventory.collected_at)),
        build_servers=stuck_vm_rows(ctx.build_vms),
        services=service_states(svc),
        ostackhost_lines=[evidence_entry(e) for e in log_evidence(compute_logs, MAX_PACKET_LINES)],
    )


def service_states(svc: pd.DataFrame) -> list[doc.ServiceState]:
    """The rows of a services frame as the escalation packet lists them."""
    return [
        doc.ServiceState(
            binary=_s(r["binary"]),
            host=_s(r["host"]),
            status=_s(r["status"]),
            state=_s(r["state"]),
            updated_at=iso(r["updated_at"]),
        )
        for _, r in svc.iterrows()
    ]


def stuck_vm_rows(frame: pd.DataFrame) -> list[doc.StuckVm]:
    rows = []
    for _, r in frame.iterrows():
        age = r.get("age")
        rows.append(
            doc.StuckVm(
                id=_s(r["id"]),
                name=_s(r["name"]),
                status=_s(r["status"]),
                task_state=_s(r["task_state"]),
                host=_s(r["host"]),
                created_at=iso(r["created_at"]),
                age_s=float(age.total_seconds()) if isinstance(age, pd.Timedelta) else None,
            )
        )
    return rows


_s = opt_str


def cleanup(ctx: RuleContext) -> doc.Cleanup:
    vms = stuck_vm_rows(ctx.stuck_vms)
    loop = cleanup_loop([vm.id for vm in vms if vm.id is not None])
    return doc.Cleanup(
        check="pcdctl server list --all-projects --status BUILD",
        vms=[doc.CleanupVm(id=vm.id, name=vm.name) for vm in vms],
        commands=[loop] if loop is not None else [],
    )


def prevention() -> doc.Prevention:
    """The runbook's batch advice; this bundle's burst is the timeline's (one analysis)."""
    return doc.Prevention(batch_size=list(BATCH))
