"""The RabbitMQ cluster is partitioned."""

from analyzer.model import FailureClass
from analyzer.rules.base import LOG_EXTRAS, Samples, Sentence, log_pattern_rule
from analyzer.rules.samples import BROKER_LOG, rabbit
from analyzer.runbook import Source

RULE = log_pattern_rule(
    "broker_partition",
    FailureClass.MESSAGING,
    0.5,
    r"running_partitioned_network|Partial partition detected|partitioned network",
    description="The RabbitMQ cluster is partitioned.",
    inputs=(Source.BROKER_LOGS,),
    title="Broker cluster partitioned",
    sentence=Sentence(
        "The RabbitMQ cluster is partitioned.", "The RabbitMQ cluster is partitioned.", LOG_EXTRAS
    ),
    samples=Samples(
        fires={BROKER_LOG: rabbit("09:20:00", "error", "Partial partition detected:")},
        near_miss={
            BROKER_LOG: rabbit("09:20:00", "info", "Server startup complete; 4 plugins started.")
        },
    ),
)
