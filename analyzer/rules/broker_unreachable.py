"""Clients cannot reach the broker and have not reconnected since."""

from analyzer.model import FailureClass
from analyzer.rules.base import LOG_EXTRAS, Feeds, Samples, Sentence, log_pattern_rule
from analyzer.rules.samples import HV_LOG, IMPL, oslo
from analyzer.runbook import Source, Symptom

UNREACHABLE = oslo(
    "09:20:00",
    "ERROR",
    IMPL,
    "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
)
RECONNECTED = oslo(
    "09:20:05",
    "INFO",
    IMPL,
    "[c1] Reconnected to AMQP server on 10.0.0.9:5672 via [amqp] client with port 40122.",
)

RULE = log_pattern_rule(
    "broker_unreachable",
    FailureClass.MESSAGING,
    0.5,
    r"AMQP server on \S+ is unreachable|Unable to connect to AMQP server|"
    r"Connection failed: .*retrying|recoverable connection/channel error",
    description="Clients cannot reach the broker and have not reconnected since.",
    inputs=(Source.HYPERVISOR_LOGS, Source.CONTROL_PLANE_LOGS),
    title="Broker unreachable",
    sentence=Sentence(
        "Compute Service components cannot reach the broker and have not reconnected since.",
        "Compute Service components cannot reach the broker and have not reconnected since.",
        LOG_EXTRAS,
    ),
    feeds=Feeds(Symptom.ERROR_MESSAGE, "generic timeout ({keys})"),
    samples=Samples(
        fires={HV_LOG: UNREACHABLE},
        near_miss={HV_LOG: UNREACHABLE + RECONNECTED},  # a reconnect that recovered
    ),
    # a build completing on the host after the error: its RPC path works again (a kombu
    # publisher that reconnects inside ensure() logs nothing, even after an INFO
    # "recoverable connection/channel error ... trying to reconnect")
    resolved_by=r"Reconnected to AMQP server|Took [0-9.]+ seconds to (?:build|spawn)",
    silent_recovery=True,
    corroborate=(
        r"RabbitMQ is asked to stop|Stopping RabbitMQ|Successfully stopped RabbitMQ|"
        r"stopped TCP listener|node \S+ down|BOOT FAILED|Kernel pid terminated|"
        r"eheap_alloc: Cannot allocate|SIGTERM received"
    ),
)
