"""RabbitMQ memory alarm set and not cleared: publishers are blocked."""

from analyzer.rules.alarms import alarm_rule
from analyzer.rules.base import Samples
from analyzer.rules.samples import BROKER_LOG, rabbit

RULE = alarm_rule(
    "memory",
    0.6,
    "RabbitMQ memory alarm set and not cleared: publishers are blocked.",
    title="Broker memory alarm",
    samples=Samples(
        fires={
            BROKER_LOG: rabbit(
                "09:20:00", "warning", "memory resource limit alarm set on node rabbit@rabbitmq-0."
            )
        },
        # a start-up line that merely mentions the watermark
        near_miss={
            BROKER_LOG: rabbit(
                "09:00:00",
                "info",
                "Memory high watermark set to 1638 MiB (1717986918 bytes) of 4096 MiB "
                "(4294967296 bytes) total",
            )
        },
    ),
)
