"""RabbitMQ memory alarm set and not cleared: publishers are blocked."""

from analyzer.rules.alarms import alarm_rule

RULE = alarm_rule(
    "memory", 0.6, "RabbitMQ memory alarm set and not cleared: publishers are blocked."
)
