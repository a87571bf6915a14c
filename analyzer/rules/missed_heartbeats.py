"""The broker closed client connections for missed heartbeats."""

from analyzer.model import FailureClass
from analyzer.rules.base import LOG_EXTRAS, Samples, Sentence, log_pattern_rule
from analyzer.rules.samples import BROKER_LOG, rabbit
from analyzer.runbook import Source

CLOSING = "closing AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672)"

RULE = log_pattern_rule(
    "missed_heartbeats",
    FailureClass.MESSAGING,
    0.2,
    r"missed heartbeats from client",
    description="The broker closed client connections for missed heartbeats.",
    inputs=(Source.BROKER_LOGS,),
    title="Missed heartbeats",
    sentence=Sentence(
        "The broker closed client connections for missed heartbeats.",
        "The broker closed client connections for missed heartbeats.",
        LOG_EXTRAS,
    ),
    samples=Samples(
        fires={
            BROKER_LOG: rabbit(
                "09:20:00", "error", f"{CLOSING}: missed heartbeats from client, timeout: 60s"
            )
        },
        near_miss={BROKER_LOG: rabbit("09:20:00", "info", CLOSING)},
    ),
)
