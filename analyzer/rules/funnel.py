"""The NoValidHost funnel: which stage of scheduling left no host.

"No valid host was found" is the one fault nova gives for three different failures:

- placement returned no allocation candidates (nova/scheduler/manager.py logs "Got no
  allocation candidates from the Placement API"): no provider has the room or the quota
  left, the runbook's resource exhaustion;
- the filters removed every host because none is reporting (ComputeFilter drops a host
  whose service "has not been heard from in a while", nova/scheduler/filters/
  compute_filter.py; nova/filters.py then logs "Filter ComputeFilter returned 0 hosts"):
  the hosts have failed, not the capacity;
- the build was rescheduled after a host failed to spawn it until no host was left
  (nova/scheduler/utils.py logs "Error from last host: ..." before each retry;
  nova/conductor/manager.py raises MaxRetriesExceeded, "Exceeded maximum number of
  retries. Exhausted all hosts available for retrying build failures"): a host failure.

The rules of each stage read these functions; ``no_valid_host`` yields to a host stage.
"""

from __future__ import annotations

import re

import pandas as pd

from analyzer.model import Evidence
from analyzer.patterns import searched
from analyzer.rules.context import RuleContext, log_evidence, row_evidence
from analyzer.rules.faults import faulted_servers
from analyzer.rules.services import all_down_at_once, is_compute, is_down

# nova.exception.NoValidHost and its subclass MaxRetriesExceeded, as faults and log lines.
# nova translates the message into the deployment's language ("NoValidHost_Remote: 找不到
# 有效主机..."), never the exception's name: a record naming the exception raised counts
# too (its name followed by the message, not "raise exception.NoValidHost(...)").
NO_VALID_HOST = searched(
    r"No valid host was found|Exceeded maximum number of retries|\bNoValidHost(?:_Remote)?: "
)
NO_VALID_HOST_FAULT = r"No valid host|Exceeded maximum number of retries"

PLACEMENT_EMPTY = searched(r"Got no allocation candidates from the Placement API")

# the count of nova/filters.py, or its summary of the filters' results
COMPUTE_FILTER_EMPTY = searched(
    r"Filter ComputeFilter returned 0 hosts|'ComputeFilter: \(start: \d+, end: 0\)'"
)
NOT_HEARD = searched(r"has not been heard from in a while")
SEEMS_DOWN = searched(r"Seems service \S+ on host \S+ is down")

RETRIES_EXHAUSTED = searched(
    r"Exceeded maximum number of retries|Exhausted all hosts available for retrying build"
    r"|Exceeded max scheduling attempts"
)
RETRIES_FAULT = r"Exceeded maximum number of retries|Exceeded max scheduling attempts"
LAST_HOST_ERROR = searched(r"Error from last host: ")

# "(hv-03, hv-03.example) ram: ... has not been heard from in a while": the host, then node
_NOT_HEARD_HOST = re.compile(r"^\(([^,)]+)")
# nova/servicegroup/drivers/db.py: "Seems service nova-compute on host hv-03 is down."
_SEEMS_DOWN_HOST = re.compile(r"Seems service \S+ on host (\S+) is down")
_LAST_HOST = re.compile(r"Error from last host: (\S+) \(node")
# the reason nova gave the RescheduledException, up to the end of its traceback entry
_RESCHEDULED = re.compile(r"was re-scheduled: (.+?)(?:\\n|'\]|\"\]|$)")


def no_valid_host(ctx: RuleContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The recent servers faulted with NoValidHost and the log records reporting it."""
    return (
        faulted_servers(ctx, NO_VALID_HOST_FAULT),
        ctx.logs(NO_VALID_HOST, in_detail=True),
    )


def seen(ctx: RuleContext) -> bool:
    servers, logs = no_valid_host(ctx)
    return not (servers.empty and logs.empty)


def fault_evidence(servers: pd.DataFrame, limit: int = 2) -> list[Evidence]:
    return [
        row_evidence(
            r["file"],
            r["line"],
            r["fault_created"],
            f"server {r['id']} ({r['name']}) {r['status']}: fault {r['fault_message']}",
        )
        for _, r in servers.sort_values("fault_created").head(limit).iterrows()
    ]


def nvh_evidence(ctx: RuleContext) -> list[Evidence]:
    """The first NoValidHost fault and record: the stage's findings cite what they explain."""
    servers, logs = no_valid_host(ctx)
    return fault_evidence(servers, 1) + log_evidence(logs, 1)


def unheard_hosts(records: pd.DataFrame) -> list[str]:
    """The hosts the scheduler says it has not heard from, or finds down."""
    hosts = set()
    for message in records["message"].dropna().astype(str):
        m = _NOT_HEARD_HOST.match(message) or _SEEMS_DOWN_HOST.search(message)
        if m:
            hosts.add(m.group(1).strip())
    return sorted(hosts)


def hosts_not_reporting(ctx: RuleContext) -> tuple[list[str], pd.DataFrame, pd.DataFrame] | None:
    """Every compute host down or not reporting when the filters ran: the hosts named, the
    compute services listed down and the scheduler's records saying so; None otherwise.

    Every nova service down at one moment, controllers included, is the messaging layer
    (``control_plane_down``), so it is not taken for dead hosts here.
    """
    svc = ctx.frames.services
    down_services = svc.iloc[0:0]
    if not svc.empty:
        if all_down_at_once(svc) is not None:
            return None
        compute = svc[is_compute(svc)]
        if not compute.empty and is_down(compute).all():
            down_services = compute
    unheard = ctx.logs(NOT_HEARD)
    seems_down = ctx.logs(SEEMS_DOWN)
    emptied = ctx.logs(COMPUTE_FILTER_EMPTY)
    # ComputeFilter also drops disabled hosts (at DEBUG): an empty result counts only with
    # the scheduler saying the hosts were not heard from
    filtered_down = not emptied.empty and not (unheard.empty and seems_down.empty)
    if down_services.empty and not filtered_down:
        return None
    reported = pd.concat([unheard, seems_down])
    hosts = sorted(set(down_services["host"].dropna().astype(str)) | set(unheard_hosts(reported)))
    records = pd.concat([reported, emptied]).sort_values("timestamp", na_position="first")
    return hosts, down_services, records


def retries_exhausted(ctx: RuleContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The recent servers faulted with MaxRetriesExceeded and the records reporting it."""
    return faulted_servers(ctx, RETRIES_FAULT), ctx.logs(RETRIES_EXHAUSTED, in_detail=True)


def last_host_errors(ctx: RuleContext) -> pd.DataFrame:
    """The "Error from last host" records of builds that then ended in NoValidHost.

    Each reschedule logs one, also when the next host builds the guest: only a record
    naming an instance that failed (or, without instance ids, any) counts.
    """
    errors = ctx.logs(LAST_HOST_ERROR, in_detail=True)
    if errors.empty:
        return errors
    servers, logs = no_valid_host(ctx)
    retried_servers, retried_logs = retries_exhausted(ctx)
    failed = pd.concat([servers, retried_servers])
    ended = pd.concat([logs, retried_logs])
    if failed.empty and ended.empty:
        return errors.iloc[0:0]
    ids = set(failed["id"].dropna().astype(str)) | set(ended["instance"].dropna().astype(str))
    if not ids:
        return errors
    return errors[errors["instance"].astype(str).isin(ids)]


def failed_hosts(records: pd.DataFrame) -> list[str]:
    """The hosts named in "Error from last host: <host> (node <node>)" records."""
    hosts = set()
    for text in _texts(records):
        hosts.update(_LAST_HOST.findall(text))
    return sorted(hosts)


def reschedule_reason(records: pd.DataFrame) -> str | None:
    """The last host's own error, as the RescheduledException carried it."""
    for text in reversed(_texts(records)):
        m = _RESCHEDULED.search(text)
        if m:
            return m.group(1).strip()
    return None


def _texts(records: pd.DataFrame) -> list[str]:
    if records.empty:
        return []
    message = records["message"].fillna("").astype(str)
    detail = records["detail"].fillna("").astype(str)
    return [f"{m} {d}" for m, d in zip(message, detail, strict=True)]


def filters_stage(ctx: RuleContext) -> bool:
    return seen(ctx) and hosts_not_reporting(ctx) is not None


def retries_stage(ctx: RuleContext) -> bool:
    servers, logs = retries_exhausted(ctx)
    return not (servers.empty and logs.empty and last_host_errors(ctx).empty)


def host_stage(ctx: RuleContext) -> bool:
    """A NoValidHost explained by the hosts (none reporting, or every retry failed on a
    host) and not by placement running out of room."""
    if not ctx.logs(PLACEMENT_EMPTY).empty:
        return False
    return filters_stage(ctx) or retries_stage(ctx)
