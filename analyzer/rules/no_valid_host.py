"""Scheduling found no host with room: resource exhaustion, not a messaging problem.

Unless the funnel says otherwise (``analyzer.rules.funnel``): a NoValidHost that came from
every host being down, or from retries that failed on the hosts, is theirs to name
(``filters_hosts_down``, ``reschedules_exhausted``) and this rule stays silent.
"""

from dataclasses import replace

from analyzer.model import FailureClass, Finding
from analyzer.rules import funnel
from analyzer.rules.base import Feeds, Samples, Sentence
from analyzer.rules.context import RuleContext
from analyzer.rules.faults import FAULT_EXTRAS, fault_and_log_rule
from analyzer.rules.samples import SHOW, server
from analyzer.runbook import Source, Symptom


def _faulted(message: str) -> dict[str, object]:
    fault = {"code": 500, "created": "2026-03-02T09:20:03Z", "message": message}
    return {SHOW: server("ERROR", "2026-03-02T09:20:00Z", fault=fault)}


_ANY_NO_VALID_HOST = fault_and_log_rule(
    "no_valid_host",
    FailureClass.RESOURCE,
    0.8,
    r"No valid host",
    r"No valid host was found|Got no allocation candidates|"
    r"returned 0 hosts|Filtering removed all hosts",
    "Creates fail fast with 'No valid host was found' (NoValidHost), not put down to the hosts.",
    inputs=(Source.SERVERS, Source.CONTROL_PLANE_LOGS),
    title="No valid host was found",
    sentence=Sentence(
        'Creates fail fast with "No valid host was found": '
        "{servers:# server carries|# servers carry} this fault and "
        "{log_records:# log record reports|# log records report} it.",
        'Creates fail fast with "No valid host was found": the scheduler finds no host with room.',
        FAULT_EXTRAS,
    ),
    feeds=Feeds(Symptom.ERROR_MESSAGE, "No valid host was found"),
    samples=Samples(
        fires=_faulted("No valid host was found. There are not enough hosts available."),
        near_miss=_faulted("Unexpected API Error."),
    ),
)


def evaluate(ctx: RuleContext) -> Finding | None:
    if funnel.host_stage(ctx):
        return None
    return _ANY_NO_VALID_HOST.evaluate(ctx)


RULE = replace(_ANY_NO_VALID_HOST, evaluate=evaluate)
