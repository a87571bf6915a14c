"""Running VMs on a down host stopped too: a host failure, not a control-plane one."""

from __future__ import annotations

from typing import TypedDict

from analyzer.cells import show_time
from analyzer.model import FailureClass, Finding
from analyzer.rules.base import Feeds, Rule, Samples, Sentence
from analyzer.rules.context import RuleContext, row_evidence
from analyzer.rules.samples import SERVICES, SHOW, server, service
from analyzer.runbook import Source, Symptom


class AffectedFacts(TypedDict):
    count: int
    hosts: list[str]


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
    facts: AffectedFacts = {"count": len(hit), "hosts": sorted(set(hit["host"].astype(str)))}
    return Finding("existing_vms_affected", FailureClass.HOST, 0.4, dict(facts), evidence)


def _launched(status: str, host: str, power_state: int) -> dict[str, object]:
    return server(
        status,
        "2026-02-01T09:20:00Z",
        **{
            "OS-EXT-SRV-ATTR:host": host,
            "OS-SRV-USG:launched_at": "2026-02-01T09:21:00.000000",
            "OS-EXT-STS:power_state": power_state,
        },
    )


RULE = Rule(
    "existing_vms_affected",
    FailureClass.HOST,
    "VMs that were running on a host whose compute service is down are stopped or in ERROR.",
    evaluate,
    inputs=(Source.SERVERS, Source.SERVICES),
    title="Running VMs affected",
    sentence=Sentence(
        "{count:# VM that was|# VMs that were} running on a down host ({hosts}) "
        "{count:is|are} stopped or in ERROR.",
        "VMs that were running on a down host are stopped or in ERROR.",
    ),
    facts=AffectedFacts,
    feeds=Feeds(
        Symptom.EXISTING_AFFECTED, "Yes: {count:# VM|# VMs} on a down host stopped or in ERROR"
    ),
    samples=Samples(
        fires={SERVICES: [service("down")], SHOW: _launched("SHUTOFF", "hv-01", 4)},
        # a running VM on another host than the down one
        near_miss={SERVICES: [service("down")], SHOW: _launched("ACTIVE", "hv-02", 1)},
    ),
    subcause=False,
)
