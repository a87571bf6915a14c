"""Whether the two sides can be compared, and the outcome of the comparison.

The outcome is decided from what AFTER shows *after the fix* (or after BEFORE was taken
when no fix is visible): findings whose every line is older than that are the incident
BEFORE already showed, so AFTER's own verdict is not taken at its word. Each step of the
decision adds a reason key; the reports word them (``reports/compare_wording.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.compare.document import (
    Broker,
    Client,
    Create,
    FindingChange,
    Fix,
    Mismatch,
    Outcome,
    ServiceChange,
    VmChange,
)
from analyzer.compare.evidence import when
from analyzer.compare.sides import Analysed
from analyzer.model import FailureClass

FAILURES = (FailureClass.MESSAGING, FailureClass.RESOURCE, FailureClass.HOST)
BLOCKING = ("region", "deployment", "same_bundle")  # not one region before and after a fix


def mismatches(before: Analysed, after: Analysed) -> list[Mismatch]:
    b, a = before.doc, after.doc
    out = []
    if b.region and a.region and b.region != a.region:
        out.append(Mismatch("region", b.region, a.region))
    known = ("self-hosted", "saas")
    if b.deployment in known and a.deployment in known and b.deployment != a.deployment:
        out.append(Mismatch("deployment", b.deployment, a.deployment))
    same_place = set(before.locations) == set(after.locations)
    same_content = (
        [x.name for x in b.bundles] == [x.name for x in a.bundles]
        and b.collected_at == a.collected_at
        and b.counts == a.counts
    )
    if same_place or same_content:
        out.append(Mismatch("same_bundle", b.collected_at, a.collected_at))
    elif b.collected_at is None or a.collected_at is None:
        out.append(Mismatch("unknown_time", b.collected_at, a.collected_at))
    else:
        tb, ta = when(b.collected_at), when(a.collected_at)
        if tb is not None and ta is not None and ta <= tb:
            out.append(Mismatch("order", b.collected_at, a.collected_at))
    return out


@dataclass(frozen=True)
class Items:
    """Everything the outcome is decided from."""

    mismatches: list[Mismatch]
    fix: Fix | None
    findings: list[FindingChange]
    stuck_vms: list[VmChange]
    broker: Broker
    clients: list[Client]
    creates: list[Create]
    services: list[ServiceChange]


def decide(before: Analysed, after: Analysed, it: Items) -> tuple[Outcome, list[str]]:
    outcome, reasons = _decide(before, after, it)
    if outcome is Outcome.RECOVERED and it.mismatches:
        # AFTER taken before BEFORE (or either time unknown): a recovery cannot be shown
        return Outcome.INCONCLUSIVE, [*reasons, "order_unproven"]
    return outcome, reasons


def _decide(before: Analysed, after: Analysed, it: Items) -> tuple[Outcome, list[str]]:
    blocking = [m.key for m in it.mismatches if m.key in BLOCKING]
    if blocking:
        return Outcome.INCONCLUSIVE, [f"mismatch_{k}" for k in blocking]
    was, now = before.doc.verdict.cls, after.doc.verdict.cls
    current = [f for f in it.findings if f.after == "current"]
    if was not in FAILURES:
        if now in FAILURES and any(f.supports == now for f in current):
            return Outcome.DIFFERENT_FAILURE, ["new_failure"]
        return Outcome.INCONCLUSIVE, ["nothing_to_recover"]
    counts = after.doc.counts
    if counts.log_records == 0 and counts.pods == 0:
        return Outcome.INCONCLUSIVE, ["after_without_logs"]
    if now in FAILURES and now != was and any(f.supports == now for f in current):
        return Outcome.DIFFERENT_FAILURE, ["other_class"]
    same = [f for f in current if f.supports == was]
    came_back = any(c.reconnected_at for c in it.clients)
    if it.fix is not None and (it.broker.crashed_again or same):
        if came_back:
            return Outcome.RELAPSED, [
                "crashed_again" if it.broker.crashed_again else "fault_after_fix"
            ]
        return Outcome.NOT_RECOVERED, ["fix_did_not_help"]
    if same:  # and no fix: a fix with a current finding was decided above
        return Outcome.NOT_RECOVERED, ["no_fix_seen"]
    # AFTER's own verdict may still name the failure from lines older than the fix
    stale = now in FAILURES
    reasons = ["after_verdict_stale"] if stale else []
    if any(v.now == "BUILD" for v in it.stuck_vms):
        reasons.append("vms_still_build")
    if any(c.state == "failing" for c in it.clients):
        reasons.append("clients_failing")
    if any(c.result in ("failed", "slow") for c in it.creates):
        reasons.append("creates_failing")
    if any(s.after.endswith("/down") and not s.before.endswith("/down") for s in it.services):
        reasons.append("services_down")
    if len(reasons) > int(stale):
        return Outcome.PARTIALLY_RECOVERED, reasons
    if now is FailureClass.INCONCLUSIVE:
        return Outcome.INCONCLUSIVE, [*reasons, "after_inconclusive"]
    if not it.creates:
        reasons.append("creates_unverified")
    return Outcome.RECOVERED, reasons
