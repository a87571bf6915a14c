"""A compute service reports state down in `compute service list`."""

from __future__ import annotations

from typing import TypedDict

from analyzer.model import FailureClass, Finding
from analyzer.patterns import searched
from analyzer.rules.base import Rule, Samples, Sentence
from analyzer.rules.context import RuleContext, log_evidence
from analyzer.rules.samples import SERVICES, service
from analyzer.rules.services import all_down_at_once, is_compute, is_down, service_evidence
from analyzer.runbook import Source

NOT_HEARD = searched(r"has not been heard from in a while")


class ServiceFacts(TypedDict):
    down_hosts: list[str]
    compute_services: int
    down: int


def evaluate(ctx: RuleContext) -> Finding | None:
    svc = ctx.frames.services
    if svc.empty:
        return None
    compute = svc[is_compute(svc)]
    down = compute[is_down(compute)]
    if down.empty:
        return None
    evidence = service_evidence(down)
    heard = ctx.logs(NOT_HEARD)
    evidence += log_evidence(heard, 2)
    facts: ServiceFacts = {
        "down_hosts": sorted(ctx.down_hosts),
        "compute_services": len(compute),
        "down": len(down),
    }
    # All computes down at once looks like the service group losing the broker,
    # a messaging symptom more than a host failure; with the controllers down at the
    # same moment, it is one (see the control_plane_down rule).
    strength = 0.3 if len(down) == len(compute) and len(compute) > 2 else 0.6
    if all_down_at_once(svc) is not None:
        strength = 0.1
    return Finding("compute_service_down", FailureClass.HOST, strength, dict(facts), evidence)


RULE = Rule(
    "compute_service_down",
    FailureClass.HOST,
    "One or more nova-compute services are down.",
    evaluate,
    inputs=(Source.SERVICES,),
    title="Compute service down",
    sentence=Sentence(
        "{down} of {compute_services} compute services are down: {down_hosts}.",
        "One or more compute services are down.",
    ),
    facts=ServiceFacts,
    samples=Samples(
        fires={SERVICES: [service("down"), service("up", "hv-02")]},
        near_miss={SERVICES: [service("up"), service("up", "hv-02")]},
    ),
)
