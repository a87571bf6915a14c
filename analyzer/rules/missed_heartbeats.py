"""The broker closed client connections for missed heartbeats."""

from analyzer.model import FailureClass
from analyzer.rules.base import log_pattern_rule

RULE = log_pattern_rule(
    "missed_heartbeats",
    FailureClass.MESSAGING,
    0.2,
    r"missed heartbeats from client",
    description="The broker closed client connections for missed heartbeats.",
)
