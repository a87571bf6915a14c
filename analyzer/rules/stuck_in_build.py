"""VMs in BUILD past the runbook's threshold with no fault: its messaging signature."""

from __future__ import annotations

from typing import TypedDict

import pandas as pd

from analyzer.cells import show_time
from analyzer.model import FailureClass, Finding
from analyzer.rules.base import Rule, Samples, Sentence
from analyzer.rules.context import RuleContext, row_evidence
from analyzer.rules.samples import SHOW, server
from analyzer.runbook import STUCK_AFTER_WORDS, Source


class StuckFacts(TypedDict):
    count: int
    oldest_age_s: float
    task_states: dict[str, int]
    unscheduled: int


def evaluate(ctx: RuleContext) -> Finding | None:
    stuck = ctx.stuck_vms
    if stuck.empty:
        return None
    silent = stuck[stuck["fault_message"].isna() & ~stuck["host"].isin(ctx.down_hosts)]
    if silent.empty:
        return None
    evidence = [
        row_evidence(
            r["file"],
            r["line"],
            r["created_at"],
            f"server {r['id']} ({r['name']}) BUILD/{r['task_state']} "
            f"since {show_time(r['created_at'])}, "
            f"host {r['host'] if pd.notna(r['host']) else 'none'}, no fault",
        )
        for _, r in silent.head(5).iterrows()
    ]
    task_states = silent["task_state"].fillna("none").value_counts().to_dict()
    facts: StuckFacts = {
        "count": len(silent),
        "oldest_age_s": float(silent["age"].max().total_seconds()),
        "task_states": {str(k): int(v) for k, v in task_states.items()},
        "unscheduled": int(silent["host"].isna().sum()),
    }
    strength = 0.6 if len(silent) >= 3 else 0.45
    return Finding("stuck_in_build", FailureClass.MESSAGING, strength, dict(facts), evidence)


RULE = Rule(
    "stuck_in_build",
    FailureClass.MESSAGING,
    f"VMs in BUILD for over {STUCK_AFTER_WORDS} at collection time, with no fault, "
    "not on a down host.",
    evaluate,
    inputs=(Source.SERVERS,),
    title="VMs stuck in BUILD",
    sentence=Sentence(
        f"{{count:# VM has|# VMs have}} been in BUILD for over {STUCK_AFTER_WORDS} with no "
        "fault message.",
        f"VMs have been in BUILD for over {STUCK_AFTER_WORDS} with no fault message.",
        (
            "The oldest has waited {oldest_age_s}.",
            "{unscheduled:# was|# were} never placed on a host.",
            "Task states: {task_states}.",
        ),
    ),
    facts=StuckFacts,
    samples=Samples(
        fires={SHOW: server("BUILD", "2026-03-02T09:10:00Z")},
        near_miss={SHOW: server("BUILD", "2026-03-02T09:29:00Z")},  # two minutes old
    ),
    subcause=False,
)
