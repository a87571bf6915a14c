"""Running VMs on a down host stopped too: a host failure, not a control-plane one."""

from __future__ import annotations

from analyzer.model import FailureClass, Finding
from analyzer.rules.base import Rule
from analyzer.rules.context import RuleContext, row_evidence
from analyzer.values import show_time

BAD_POWER = ("Shutdown", "Crashed", "NOSTATE", "Paused")


def evaluate(ctx: RuleContext) -> Finding | None:
    s = ctx.servers
    if s.empty or not ctx.down_hosts:
        return None
    on_down = s[s["host"].isin(ctx.down_hosts) & s["launched_at"].notna()]
    hit = on_down[
        on_down["status"].isin(["ERROR", "SHUTOFF"]) | on_down["power_state"].isin(BAD_POWER)
    ]
    if hit.empty:
        return None
    evidence = [
        row_evidence(
            r["file"],
            r["line"],
            r["updated_at"],
            f"server {r['id']} ({r['name']}) on {r['host']}: {r['status']}, "
            f"power {r['power_state']}, launched {show_time(r['launched_at'])}",
        )
        for _, r in hit.head(5).iterrows()
    ]
    facts: dict[str, object] = {"count": len(hit), "hosts": sorted(set(hit["host"].astype(str)))}
    return Finding("existing_vms_affected", FailureClass.HOST, 0.4, facts, evidence, False)


RULE = Rule(
    "existing_vms_affected",
    FailureClass.HOST,
    "VMs that were running on a host whose compute service is down are stopped or in ERROR.",
    evaluate,
    subcause=False,
)
