"""Clients cannot reach the broker and have not reconnected since."""

from analyzer.model import FailureClass
from analyzer.rules.base import log_pattern_rule

RULE = log_pattern_rule(
    "broker_unreachable",
    FailureClass.MESSAGING,
    0.5,
    r"AMQP server on \S+ is unreachable|Unable to connect to AMQP server|"
    r"Connection failed: .*retrying|recoverable connection/channel error",
    description="Clients cannot reach the broker and have not reconnected since.",
    resolved_by=r"Reconnected to AMQP server",
    silent_recovery=True,
    corroborate=(
        r"RabbitMQ is asked to stop|Stopping RabbitMQ|Successfully stopped RabbitMQ|"
        r"stopped TCP listener|node \S+ down|BOOT FAILED|Kernel pid terminated|"
        r"eheap_alloc: Cannot allocate|SIGTERM received"
    ),
)
