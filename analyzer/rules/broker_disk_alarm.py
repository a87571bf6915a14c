"""RabbitMQ disk alarm set and not cleared: publishers are blocked."""

from analyzer.model import FailureClass
from analyzer.rules.base import log_pattern_rule

RULE = log_pattern_rule(
    "broker_disk_alarm",
    FailureClass.MESSAGING,
    0.6,
    r"disk resource limit alarm set|"
    r"Free disk space is insufficient|broker has blocked the connection: .*disk",
    description="RabbitMQ disk alarm set and not cleared: publishers are blocked.",
    resolved_by=r"disk resource limit alarm cleared|broker has unblocked the connection",
)
