"""VMs in BUILD for over ten minutes with no fault: the runbook's messaging signature."""

from __future__ import annotations

import pandas as pd

from analyzer.model import FailureClass, Finding
from analyzer.rules.base import Rule
from analyzer.rules.context import RuleContext, row_evidence
from analyzer.values import show_time


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
    facts: dict[str, object] = {
        "count": len(silent),
        "oldest_age_s": float(silent["age"].max().total_seconds()),
        "task_states": {str(k): int(v) for k, v in task_states.items()},
        "unscheduled": int(silent["host"].isna().sum()),
    }
    strength = 0.6 if len(silent) >= 3 else 0.45
    return Finding("stuck_in_build", FailureClass.MESSAGING, strength, facts, evidence, False)


RULE = Rule(
    "stuck_in_build",
    FailureClass.MESSAGING,
    "VMs in BUILD for over ten minutes at collection time, with no fault, not on a down host.",
    evaluate,
    subcause=False,
)
