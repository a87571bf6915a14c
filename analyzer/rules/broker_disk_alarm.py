"""RabbitMQ disk alarm set and not cleared: publishers are blocked."""

from analyzer.rules.alarms import alarm_rule

RULE = alarm_rule("disk", 0.6, "RabbitMQ disk alarm set and not cleared: publishers are blocked.")
