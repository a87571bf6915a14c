"""RPC calls time out waiting for a reply (no consumer, or the broker loses messages)."""

from analyzer.model import FailureClass
from analyzer.rules.base import LOG_EXTRAS, Feeds, Samples, Sentence, log_pattern_rule
from analyzer.rules.samples import HV_LOG, oslo
from analyzer.runbook import Source, Symptom

TIMED_OUT = "MessagingTimeout: Timed out waiting for a reply to message ID 5d0c"

RULE = log_pattern_rule(
    "rpc_timeout",
    FailureClass.MESSAGING,
    0.4,
    r"MessagingTimeout|Timed out waiting for a reply to message ID|"
    r"Timed out waiting for nova-conductor",
    description=(
        "RPC calls time out waiting for a reply (no consumer, or the broker loses messages)."
    ),
    inputs=(Source.HYPERVISOR_LOGS, Source.CONTROL_PLANE_LOGS),
    title="RPC timeouts",
    sentence=Sentence(
        "RPC calls time out waiting for a reply (MessagingTimeout): no consumer answers, "
        "or the broker loses the messages.",
        "RPC calls time out waiting for a reply (MessagingTimeout).",
        LOG_EXTRAS,
    ),
    feeds=Feeds(Symptom.ERROR_MESSAGE, "generic timeout ({keys})"),
    samples=Samples(
        fires={HV_LOG: oslo("09:20:00", "ERROR", "nova.compute.manager", TIMED_OUT)},
        # six hours before collection: history, not the current failure
        near_miss={HV_LOG: oslo("03:20:00", "ERROR", "nova.compute.manager", TIMED_OUT)},
    ),
    in_detail=True,
    # a reconnect or a build that completes after the timeout: the RPC path works again
    resolved_by=r"Reconnected to AMQP server|Took [0-9.]+ seconds to (?:build|spawn)",
    reopened_by=r"AMQP server on \S+ is unreachable|Unable to connect to AMQP server",
    corroborate=r"client unexpectedly closed TCP connection|missed heartbeats from client",
)
