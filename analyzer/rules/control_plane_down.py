"""Every nova service is down at the same moment, controllers included.

nova-compute reports its state through nova-conductor over RPC; the conductor and the
scheduler report theirs over the same broker. When all of them stop reporting within a
few seconds of each other, no host has failed: the messaging layer under them has. One
compute down among peers that are up is a host failure instead (``compute_service_down``).
"""

from __future__ import annotations

from typing import TypedDict

from analyzer.model import FailureClass, Finding
from analyzer.rules.base import Feeds, Rule, Samples, Sentence
from analyzer.rules.context import RuleContext
from analyzer.rules.samples import SERVICES, service
from analyzer.rules.services import all_down_at_once, is_compute, service_evidence
from analyzer.runbook import Source, Symptom


class ControlPlaneFacts(TypedDict):
    services: int
    computes: int
    controllers: list[str]  # the controller binaries down with the computes
    last_update: object  # the newest "updated at" of them: when reporting stopped


def evaluate(ctx: RuleContext) -> Finding | None:
    down = all_down_at_once(ctx.frames.services)
    if down is None:
        return None
    controllers = down[~is_compute(down)]
    # the controllers first: they are what tells this apart from dead hosts
    evidence = service_evidence(controllers, 3) + service_evidence(down[is_compute(down)], 3)
    facts: ControlPlaneFacts = {
        "services": len(down),
        "computes": int(is_compute(down).sum()),
        "controllers": sorted(set(controllers["binary"].astype(str))),
        "last_update": down["updated_at"].max(),
    }
    return Finding("control_plane_down", FailureClass.MESSAGING, 0.6, dict(facts), evidence)


def _services(state_of_conductor: str) -> list[dict[str, object]]:
    return [
        service(state_of_conductor, "ctl-1", "nova-conductor", 2, "2026-03-02T09:12:44.000000"),
        service("down", "ctl-1", "nova-scheduler", 5, "2026-03-02T09:12:41.000000"),
        service("down", "hv-01", "nova-compute", 7, "2026-03-02T09:12:39.000000"),
        service("down", "hv-02", "nova-compute", 8, "2026-03-02T09:12:46.000000"),
    ]


RULE = Rule(
    "control_plane_down",
    FailureClass.MESSAGING,
    "Every nova service, controllers included, stopped reporting at the same moment.",
    evaluate,
    inputs=(Source.SERVICES,),
    title="All services down at once",
    sentence=Sentence(
        "All {services} nova services report down, the controllers ({controllers}) as well "
        "as the {computes:# compute service|# compute services}, and they stopped reporting "
        "at the same moment ({last_update}): services report their state over the "
        "messaging layer, so this is the messaging layer failing, not the hosts.",
        "Every nova service, controllers included, reports down since the same moment: "
        "services report their state over the messaging layer, so this is the messaging "
        "layer failing, not the hosts.",
    ),
    facts=ControlPlaneFacts,
    rebuts=Sentence(
        "Every nova service went down at the same moment ({last_update}), the controllers "
        "({controllers}) with the {computes:# compute service|# compute services}: services "
        "report over the "
        "messaging layer, so this is the messaging layer failing, not "
        "{computes:# dead host|# dead hosts}.",
        "Every nova service went down at the same moment, controllers included: the "
        "messaging layer failing, not dead hosts.",
    ),
    feeds=Feeds(
        Symptom.SERVICES_UP,
        "No: all {services} nova services down at once, controllers included",
    ),
    samples=Samples(
        fires={SERVICES: _services("down")},
        # the computes are down but the conductor still reports: the hosts, not the broker
        near_miss={SERVICES: _services("up")},
    ),
)
