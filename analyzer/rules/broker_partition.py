"""The RabbitMQ cluster is partitioned."""

from analyzer.model import FailureClass
from analyzer.rules.base import log_pattern_rule

RULE = log_pattern_rule(
    "broker_partition",
    FailureClass.MESSAGING,
    0.5,
    r"running_partitioned_network|Partial partition detected|partitioned network",
    description="The RabbitMQ cluster is partitioned.",
)
