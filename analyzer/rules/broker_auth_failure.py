"""Clients cannot log in to the broker (credentials or vhost permissions)."""

from analyzer.model import FailureClass
from analyzer.rules.base import log_pattern_rule

RULE = log_pattern_rule(
    "broker_auth_failure",
    FailureClass.MESSAGING,
    0.6,
    r"login refused|ACCESS_REFUSED|"
    r"invalid credentials|Check login credentials|access to vhost .* refused",
    description="Clients cannot log in to the broker (credentials or vhost permissions).",
    resolved_by=r"Reconnected to AMQP server",
    in_detail=True,
)
