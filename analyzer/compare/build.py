"""``compare``: two analysed sides in, the typed comparison document out."""

from __future__ import annotations

import pandas as pd

from analyzer import __version__
from analyzer.compare import broker as broker_mod
from analyzer.compare import items
from analyzer.compare.document import (
    SCHEMA,
    CompareDocument,
    Outcome,
    Side,
    Timing,
    WindowSeries,
)
from analyzer.compare.evidence import when
from analyzer.compare.outcome import Items, decide, mismatches
from analyzer.compare.packet import packet
from analyzer.compare.sides import Analysed
from analyzer.document import Generator
from analyzer.model import Deployment
from analyzer.sanitize import displayable

ESCALATE = (
    Outcome.RELAPSED,
    Outcome.NOT_RECOVERED,
)  # the runbook's "crashes again" / "did not help"


def side(a: Analysed) -> Side:
    d = a.doc
    return Side(
        bundles=[b.name for b in d.bundles],
        collected_at=d.collected_at,
        region=d.region,
        deployment=d.deployment,
        namespace=d.namespace,
        verdict=d.verdict.cls,
        subcauses=d.verdict.subcauses,
        onset=d.incident.onset if d.incident is not None else None,
        stuck_vms=len(d.stuck_vms),
        clock_offsets=[o for o in d.clock_offsets if o.applied],
    )


def compare(before: Analysed, after: Analysed) -> CompareDocument:
    found = mismatches(before, after)
    # AFTER taken before BEFORE: nothing of it is "between" the bundles, all of it is now
    between = not any(m.key in ("order", "same_bundle") for m in found)
    fix = broker_mod.find_fix(before, after) if between else None
    since = (when(fix.at) if fix is not None else broker_mod.cutoff(before)) if between else None
    it = Items(
        mismatches=found,
        fix=fix,
        findings=items.finding_changes(before, after, since),
        stuck_vms=items.stuck_vm_changes(before, after),
        broker=broker_mod.broker_change(before, after, fix),
        clients=items.client_changes(before, after, since),
        creates=items.creates_after(after, since),
        services=items.service_changes(before, after),
    )
    outcome, reasons = decide(before, after, it)
    doc = CompareDocument(
        schema=SCHEMA,
        generator=Generator(name="analyze compare", version=__version__),
        outcome=outcome,
        reasons=reasons,
        escalate=outcome in ESCALATE
        or (outcome is not Outcome.RECOVERED and before.doc.deployment is Deployment.SAAS),
        mismatches=it.mismatches,
        before=side(before),
        after=side(after),
        timing=_timing(before, after, it),
        findings=it.findings,
        stuck_vms=it.stuck_vms,
        broker=it.broker,
        clients=it.clients,
        creates=it.creates,
        services=it.services,
        escalation=None
        if outcome is Outcome.RECOVERED
        else packet(before, after, fix, it.findings, it.stuck_vms, it.broker, it.clients),
        windows=[
            WindowSeries(start=c.start, bin_s=c.bin_s, errors=c.errors)
            for c in (before.doc.charts, after.doc.charts)
            if c is not None
        ],
    )
    clean: CompareDocument = displayable(doc)
    return clean


def _timing(before: Analysed, after: Analysed, it: Items) -> Timing:
    onset = before.doc.incident.onset if before.doc.incident is not None else None
    fix = it.fix
    back = sorted(c.reconnected_at for c in it.clients if c.reconnected_at)
    good = sorted(c.created_at for c in it.creates if c.result == "active" and c.created_at)
    recovered_at, basis = (back[0], "reconnected") if back else (None, None)
    if recovered_at is None and good:
        recovered_at, basis = good[0], "create_ok"
    end = when(recovered_at)
    return Timing(
        before_collected_at=before.doc.collected_at,
        after_collected_at=after.doc.collected_at,
        onset=onset,
        fix=fix,
        recovered_at=recovered_at,
        recovered_basis=basis,
        time_to_recovery_s=_seconds(when(fix.at) if fix else None, end),
        outage_s=_seconds(when(onset), end),
    )


def _seconds(start: pd.Timestamp | None, end: pd.Timestamp | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return round((end - start).total_seconds(), 1)
