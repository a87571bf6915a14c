"""RabbitMQ memory alarm set and not cleared: publishers are blocked."""

from analyzer.model import FailureClass
from analyzer.rules.base import log_pattern_rule

RULE = log_pattern_rule(
    "broker_memory_alarm",
    FailureClass.MESSAGING,
    0.6,
    r"memory resource limit alarm set|"
    r"vm_memory_high_watermark set\.|broker has blocked the connection: .*mem",
    description="RabbitMQ memory alarm set and not cleared: publishers are blocked.",
    resolved_by=(
        r"memory resource limit alarm cleared|"
        r"vm_memory_high_watermark clear|broker has unblocked the connection"
    ),
)
