"""The funnel's last stage: every retry failed on a host, then NoValidHost.

When a compute host fails to spawn a guest it raises RescheduledException and the
conductor tries the next host, logging "Error from last host: <host> (node <node>): ..."
with that host's error (nova/scheduler/utils.py). With no host left it gives up:
MaxRetriesExceeded, "Exceeded maximum number of retries. Exhausted all hosts available for
retrying build failures" (nova/conductor/manager.py), or in older releases "No valid host
was found. Exceeded max scheduling attempts". The fault says no host; the cause is the
host that failed to spawn.
"""

from __future__ import annotations

from typing import TypedDict

import pandas as pd

from analyzer.model import FailureClass, Finding
from analyzer.rules import funnel
from analyzer.rules.base import Feeds, Rule, Samples, Sentence
from analyzer.rules.context import RuleContext, log_evidence
from analyzer.rules.samples import CONDUCTOR_LOG, SHOW, VM, pod_oslo, server
from analyzer.runbook import Source, Symptom


class RetriesFacts(TypedDict, total=False):
    last_hosts: list[str]
    reason: str  # the last host's own error
    servers: int  # servers faulted with MaxRetriesExceeded or NoValidHost
    log_records: int


def evaluate(ctx: RuleContext) -> Finding | None:
    if not funnel.retries_stage(ctx):
        return None
    errors = funnel.last_host_errors(ctx)
    retried_servers, retried_logs = funnel.retries_exhausted(ctx)
    nvh_servers, _nvh_logs = funnel.no_valid_host(ctx)
    servers = pd.concat([retried_servers, nvh_servers]).drop_duplicates("id")
    facts: RetriesFacts = {
        "last_hosts": funnel.failed_hosts(errors),
        "servers": len(servers),
        "log_records": len(errors) + len(retried_logs),
    }
    reason = funnel.reschedule_reason(errors)
    if reason is not None:
        facts["reason"] = reason
    # the host's own error first: it is what the support engineer acts on
    evidence = (
        log_evidence(errors, 3) + funnel.fault_evidence(servers) + log_evidence(retried_logs, 2)
    )
    return Finding("reschedules_exhausted", FailureClass.HOST, 0.7, dict(facts), evidence)


# github.com/openstack/nova: nova/scheduler/utils.py (_log_compute_error) and
# nova/exception.py (RescheduledException), printed as a Python 2 nova-conductor prints the
# traceback list; the reason is libvirt's own "qemu unexpectedly closed the monitor"
_LAST_HOST = pod_oslo(
    "09:20:02",
    "ERROR",
    "nova.scheduler.utils",
    f"[instance: {VM}] Error from last host: hv-01 (node hv-01.example.com): "
    "[u'Traceback (most recent call last):\\n', u'  File \"/var/lib/kolla/venv/lib/"
    'python2.7/site-packages/nova/compute/manager.py", line 1840, in '
    "_do_build_and_run_instance\\n    filter_properties, request_spec)\\n', "
    f"u'RescheduledException: Build of instance {VM} was re-scheduled: internal error: "
    "qemu unexpectedly closed the monitor\\n']",
)

# the fault as `openstack server show` printed it in
# github.com/elasticluster/elasticluster/issues/660
_RETRIES = (
    f"Exceeded maximum number of retries. Exhausted all hosts available for retrying build "
    f"failures for instance {VM}."
)


def _fires() -> dict[str, object]:
    fault = {"code": 500, "created": "2026-03-02T09:20:03Z", "message": _RETRIES}
    return {
        SHOW: server("ERROR", "2026-03-02T09:20:00Z", fault=fault),
        CONDUCTOR_LOG: _LAST_HOST,
    }


def _near_miss() -> dict[str, object]:
    # one host failed, the reschedule built the guest elsewhere: no NoValidHost at all
    built = server("ACTIVE", "2026-03-02T09:20:00Z")
    built["OS-EXT-SRV-ATTR:host"] = "hv-02"
    return {SHOW: built, CONDUCTOR_LOG: _LAST_HOST}


RULE = Rule(
    "reschedules_exhausted",
    FailureClass.HOST,
    "Builds were rescheduled after hosts failed to spawn them until no host was left.",
    evaluate,
    inputs=(Source.SERVERS, Source.CONTROL_PLANE_LOGS),
    title="Retries exhausted on failing hosts",
    sentence=Sentence(
        "Builds were rescheduled after the host failed to spawn them until no host was left: "
        'the last host ({last_hosts}) failed with "{reason}". The "No valid host was found" '
        "that followed is a host failure, not a lack of capacity.",
        "Builds were rescheduled after a host failed to spawn them until no host was left: "
        'the "No valid host was found" that followed is a host failure, not a lack of '
        "capacity.",
        ("Servers in the bundle with that fault: {servers}.",),
    ),
    facts=RetriesFacts,
    feeds=Feeds(
        Symptom.ERROR_MESSAGE,
        "No valid host was found, but only after the last host failed to spawn",
    ),
    rebuts=Sentence(
        "No valid host was found, but only after the last host ({last_hosts}) failed to "
        "spawn the guest: this is a host failure, not capacity.",
        "No valid host was found, but only after the hosts failed to spawn the guest: this is "
        "a host failure, not capacity.",
    ),
    samples=Samples(fires=_fires(), near_miss=_near_miss()),
)
