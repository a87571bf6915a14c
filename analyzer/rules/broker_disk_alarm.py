"""RabbitMQ disk alarm set and not cleared: publishers are blocked."""

from analyzer.rules.alarms import alarm_rule
from analyzer.rules.base import Samples
from analyzer.rules.samples import BROKER_LOG, rabbit

RULE = alarm_rule(
    "disk",
    0.6,
    "RabbitMQ disk alarm set and not cleared: publishers are blocked.",
    title="Broker disk alarm",
    samples=Samples(
        fires={
            BROKER_LOG: rabbit(
                "09:20:00", "warning", "disk resource limit alarm set on node rabbit@rabbitmq-0."
            )
        },
        near_miss={BROKER_LOG: rabbit("09:00:00", "info", "Disk free limit set to 50MB")},
    ),
)
