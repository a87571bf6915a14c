"""The funnel's filter stage: every host removed because none is reporting.

ComputeFilter drops a host whose compute service "has not been heard from in a while"
(nova/scheduler/filters/compute_filter.py); when it drops the last one, nova/filters.py logs
"Filter ComputeFilter returned 0 hosts" and the build fails with NoValidHost. The fault
reads like capacity, but the hosts are down: a host failure. Every nova service down at
once, controllers included, is the messaging layer instead (``control_plane_down``).
"""

from __future__ import annotations

from typing import TypedDict

from analyzer.model import FailureClass, Finding
from analyzer.rules import funnel
from analyzer.rules.base import Feeds, Rule, Samples, Sentence
from analyzer.rules.context import RuleContext, log_evidence
from analyzer.rules.samples import SCHEDULER_LOG, SERVICES, SHOW, pod_oslo, server, service
from analyzer.rules.services import service_evidence, stopped_together
from analyzer.runbook import Source, Symptom


class FiltersFacts(TypedDict):
    hosts_down: list[str]
    servers: int  # servers faulted with NoValidHost
    log_records: int  # the scheduler's records of hosts not heard from, filters emptied


def evaluate(ctx: RuleContext) -> Finding | None:
    if not funnel.seen(ctx):
        return None
    found = funnel.hosts_not_reporting(ctx)
    if found is None:
        return None
    hosts, down_services, records = found
    servers, _logs = funnel.no_valid_host(ctx)
    evidence = (
        service_evidence(down_services, 3) + log_evidence(records, 3) + funnel.nvh_evidence(ctx)
    )
    facts: FiltersFacts = {
        "hosts_down": hosts,
        "servers": len(servers),
        "log_records": len(records),
    }
    # many computes that stopped reporting together, the controllers still up, may be the
    # computes losing the broker rather than the hosts dying (compute_service_down weighs
    # it so): not capacity either way, and no more a host failure than those services say
    together = len(down_services) > 2 and stopped_together(down_services)
    strength = 0.1 if together else 0.7
    return Finding("filters_hosts_down", FailureClass.HOST, strength, dict(facts), evidence)


NVH = "No valid host was found. There are not enough hosts available."


def _bundle(state: str, scheduler_log: str) -> dict[str, object]:
    fault = {"code": 500, "created": "2026-03-02T09:20:03Z", "message": NVH}
    return {
        SHOW: server("ERROR", "2026-03-02T09:20:00Z", fault=fault),
        SERVICES: [
            service("up", "ctl-1", "nova-conductor", 2),
            service("up", "ctl-1", "nova-scheduler", 5),
            service(state, "hv-01", "nova-compute", 7, "2026-03-02T09:02:11.000000"),
        ],
        SCHEDULER_LOG: scheduler_log,
    }


# github.com/openstack/nova: the warning of nova/scheduler/filters/compute_filter.py after
# the host state as nova/scheduler/host_manager.py prints it (before allocation candidates
# joined it), and the count of nova/filters.py
_UNHEARD = pod_oslo(
    "09:20:01",
    "WARNING",
    "nova.scheduler.filters.compute_filter",
    "(hv-01, hv-01) ram: 3258MB disk: 32768MB io_ops: 0 instances: 0 "
    "has not been heard from in a while",
) + pod_oslo("09:20:01", "INFO", "nova.filters", "Filter ComputeFilter returned 0 hosts")

# the same filter emptied by an operator's disable (logged at DEBUG, compute_filter.py)
_DISABLED = pod_oslo(
    "09:20:01",
    "DEBUG",
    "nova.scheduler.filters.compute_filter",
    "(hv-01, hv-01) ram: 3258MB disk: 32768MB io_ops: 0 instances: 0 is disabled, "
    "reason: maintenance",
) + pod_oslo("09:20:01", "INFO", "nova.filters", "Filter ComputeFilter returned 0 hosts")


RULE = Rule(
    "filters_hosts_down",
    FailureClass.HOST,
    "No valid host was found because the scheduler's filters removed every host as down.",
    evaluate,
    inputs=(Source.SERVICES, Source.CONTROL_PLANE_LOGS),
    title="No host up to schedule on",
    sentence=Sentence(
        "The scheduler's filters removed every host as down or not reporting ({hosts_down}): "
        '"No valid host was found" comes from the hosts failing, not from a lack of capacity.',
        "The scheduler's filters removed every host as down or not reporting: "
        '"No valid host was found" comes from the hosts failing, not from a lack of capacity.',
        ("Servers in the bundle with that fault: {servers}.",),
    ),
    facts=FiltersFacts,
    feeds=Feeds(
        Symptom.ERROR_MESSAGE,
        "No valid host was found, but every compute host is down or not reporting",
    ),
    rebuts=Sentence(
        "No valid host was found because every compute host is down or not reporting "
        "({hosts_down}): the hosts, not capacity. Bring their compute services back rather "
        "than freeing capacity.",
        "No valid host was found because every compute host is down or not reporting: the "
        "hosts, not capacity.",
    ),
    samples=Samples(
        fires=_bundle("down", _UNHEARD),
        near_miss=_bundle("up", _DISABLED),
    ),
)
