"""Broker resource alarms (memory, disk) seen from both sides.

The broker logs which alarm it set; the client only logs that it is blocked, and py-amqp
drops the broker's reason ("The broker has blocked the connection: connection blocked, see
broker logs"). A blocked client is therefore put down to the alarm the broker logs show,
to the one its reason names, or, with no broker log at all, to memory: by far the usual
cause.
"""

from __future__ import annotations

import pandas as pd

from analyzer.model import FailureClass, Finding
from analyzer.patterns import searched
from analyzer.rules.base import LOG_EXTRAS, LogFacts, Rule, Samples, Sentence, finding_from_hits
from analyzer.rules.context import RuleContext
from analyzer.runbook import Source

BLOCKED = searched(r"broker has blocked the connection")
UNBLOCKED = searched(r"broker has unblocked the connection")
BROKER_SET = {
    "memory": searched(r"memory resource limit alarm set|vm_memory_high_watermark set\."),
    "disk": searched(r"disk resource limit alarm set|Free disk space is insufficient"),
}
BROKER_CLEARED = {
    "memory": searched(r"memory resource limit alarm cleared|vm_memory_high_watermark clear"),
    "disk": searched(r"disk resource limit alarm cleared"),
}
REASON = {"memory": r"mem", "disk": r"disk"}


def _client_blocks(ctx: RuleContext, kind: str) -> pd.DataFrame:
    blocked = ctx.logs(BLOCKED)
    if blocked.empty:
        return blocked
    reason = blocked["message"].str.extract(rf"{BLOCKED}:?\s*(.*)$", expand=False).fillna("")
    named = {k: reason.str.contains(p, case=False, regex=True) for k, p in REASON.items()}
    mine = named[kind]
    unnamed = ~(named["memory"] | named["disk"])
    if not unnamed.any():
        return blocked[mine]
    broker_kinds = [k for k, p in BROKER_SET.items() if not ctx.logs(p, recent=False).empty]
    if broker_kinds:
        return blocked[mine | (unnamed & (kind in broker_kinds))]
    return blocked[mine | (unnamed & (kind == "memory"))]


def alarm_rule(
    kind: str, strength: float, description: str, *, title: str, samples: Samples
) -> Rule:
    key = f"broker_{kind}_alarm"

    def evaluate(ctx: RuleContext) -> Finding | None:
        broker = ctx.logs(BROKER_SET[kind])
        client = _client_blocks(ctx, kind)
        if broker.empty and client.empty:
            return None
        findings = []
        if not broker.empty:
            findings.append(
                finding_from_hits(
                    ctx,
                    key,
                    FailureClass.MESSAGING,
                    strength,
                    broker,
                    resolved_by=BROKER_CLEARED[kind],
                )
            )
        if not client.empty:
            findings.append(
                finding_from_hits(
                    ctx, key, FailureClass.MESSAGING, strength, client, resolved_by=UNBLOCKED
                )
            )
        current = [f for f in findings if f.strength > 0]
        merged = (current or findings)[0]
        for extra in (current or findings)[1:]:
            merged.evidence = merged.evidence[:4] + extra.evidence[:3]
        both = pd.concat([broker, client])
        merged.facts["count"] = len(both)
        merged.facts["hosts"] = sorted({str(h) for h in both["host"].dropna()})
        merged.facts["sides"] = [
            side for side, hits in (("broker", broker), ("client", client)) if not hits.empty
        ]
        return merged

    blocked = f"RabbitMQ set its {kind} alarm and has not cleared it: publishers are blocked."
    return Rule(
        key,
        FailureClass.MESSAGING,
        description,
        evaluate,
        # the broker logs the alarm; its clients only that they are blocked
        inputs=(Source.BROKER_LOGS, Source.HYPERVISOR_LOGS, Source.CONTROL_PLANE_LOGS),
        title=title,
        sentence=Sentence(blocked, blocked, LOG_EXTRAS),
        facts=LogFacts,
        samples=samples,
    )
