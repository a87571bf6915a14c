"""Scheduling found no host with room: resource exhaustion, not a messaging problem."""

from analyzer.model import FailureClass
from analyzer.rules.faults import fault_and_log_rule

RULE = fault_and_log_rule(
    "no_valid_host",
    FailureClass.RESOURCE,
    0.8,
    r"No valid host",
    r"No valid host was found|Got no allocation candidates|"
    r"returned 0 hosts|Filtering removed all hosts",
    "Creates fail fast with 'No valid host was found' (NoValidHost, no allocation candidates).",
)
