"""The funnel's first stage: placement returned no allocation candidates.

The scheduler asks placement for the compute nodes that can hold the request before any
filter runs; with none, it logs "Got no allocation candidates from the Placement API" and
raises NoValidHost (nova/scheduler/manager.py). That is the runbook's resource exhaustion:
no node has the room, or the project's quota is used up.
"""

from __future__ import annotations

from typing import TypedDict

from analyzer.model import FailureClass, Finding
from analyzer.rules import funnel
from analyzer.rules.base import Feeds, Rule, Samples, Sentence
from analyzer.rules.context import RuleContext, log_evidence
from analyzer.rules.samples import SCHEDULER_LOG, SHOW, pod_oslo, server
from analyzer.runbook import Source, Symptom


class PlacementFacts(TypedDict):
    log_records: int
    servers: int  # servers faulted with NoValidHost
    first: object
    last: object


def evaluate(ctx: RuleContext) -> Finding | None:
    empty = ctx.logs(funnel.PLACEMENT_EMPTY)
    if empty.empty:
        return None
    servers, _logs = funnel.no_valid_host(ctx)
    facts: PlacementFacts = {
        "log_records": len(empty),
        "servers": len(servers),
        "first": empty["timestamp"].min(),
        "last": empty["timestamp"].max(),
    }
    evidence = log_evidence(empty, 3) + funnel.nvh_evidence(ctx)
    return Finding("placement_no_candidates", FailureClass.RESOURCE, 0.3, dict(facts), evidence)


NVH = "No valid host was found. There are not enough hosts available."


def _bundle(scheduler_log: str) -> dict[str, object]:
    fault = {"code": 500, "created": "2026-03-02T09:20:03Z", "message": NVH}
    return {
        SHOW: server("ERROR", "2026-03-02T09:20:00Z", fault=fault),
        SCHEDULER_LOG: scheduler_log,
    }


RULE = Rule(
    "placement_no_candidates",
    FailureClass.RESOURCE,
    "Placement returned no allocation candidates: no compute node has room for the request.",
    evaluate,
    inputs=(Source.CONTROL_PLANE_LOGS,),
    title="No allocation candidates",
    sentence=Sentence(
        "Placement returned no allocation candidates {log_records:once|# times}, from {first} to "
        '{last}: "No valid host was found" comes from the first stage of scheduling, where '
        "no compute node has the room for the request (or its project has no quota left).",
        "Placement returned no allocation candidates: no compute node has the room for the "
        "request (or its project has no quota left).",
    ),
    facts=PlacementFacts,
    feeds=Feeds(Symptom.ERROR_MESSAGE, "No valid host was found"),
    rebuts=Sentence(
        "No valid host was found because placement had no allocation candidates: no compute "
        "node has the room for the request, or its quota is used up. That is capacity, not "
        "a failed host or the messaging layer.",
        "No valid host was found because placement had no allocation candidates: capacity, "
        "not a failed host or the messaging layer.",
    ),
    samples=Samples(
        # the wording is nova's own, nova/scheduler/manager.py (github.com/openstack/nova)
        fires=_bundle(
            pod_oslo(
                "09:20:01",
                "INFO",
                "nova.scheduler.manager",
                "Got no allocation candidates from the Placement API. This could be due to "
                "insufficient resources or a temporary occurrence as compute nodes start up.",
            )
        ),
        # placement found hosts, a filter removed them all (nova/filters.py): not this stage
        near_miss=_bundle(
            pod_oslo(
                "09:20:01",
                "INFO",
                "nova.filters",
                "Filter AggregateInstanceExtraSpecsFilter returned 0 hosts",
            )
        ),
    ),
)
