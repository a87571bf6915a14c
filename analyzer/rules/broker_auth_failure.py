"""Clients cannot log in to the broker (credentials or vhost permissions)."""

from analyzer.model import FailureClass
from analyzer.rules.base import LOG_EXTRAS, Samples, Sentence, log_pattern_rule
from analyzer.rules.samples import BROKER_LOG, rabbit
from analyzer.runbook import Source

RULE = log_pattern_rule(
    "broker_auth_failure",
    FailureClass.MESSAGING,
    0.6,
    r"login refused|ACCESS_REFUSED|"
    r"invalid credentials|Check login credentials|access to vhost .* refused",
    description="Clients cannot log in to the broker (credentials or vhost permissions).",
    inputs=(Source.BROKER_LOGS, Source.HYPERVISOR_LOGS, Source.CONTROL_PLANE_LOGS),
    title="Broker login refused",
    sentence=Sentence(
        "Clients cannot log in to the broker (credentials or vhost permissions refused).",
        "Clients cannot log in to the broker (credentials or vhost permissions refused).",
        LOG_EXTRAS,
    ),
    samples=Samples(
        fires={
            BROKER_LOG: rabbit(
                "09:20:00", "error", "PLAIN login refused: user 'nova' - invalid credentials"
            )
        },
        near_miss={
            BROKER_LOG: rabbit(
                "09:20:00",
                "info",
                "connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672): user 'nova' "
                "authenticated and granted access to vhost '/'",
            )
        },
    ),
    # the broker's side ends with a login that succeeds; a client whose login was refused
    # logs nothing when a later one succeeds (oslo.messaging 18.3, the failure lab), so a
    # refusal on a host that never logs its own recovery is over once a later login or
    # reconnect anywhere shows the credentials work again
    resolved_by=r"Reconnected to AMQP server|authenticated and granted access",
    silent_recovery=True,
    in_detail=True,
    # a client retries a refused login without pause and the broker logs each refusal: the
    # first and last records of either side alone would hide the other
    both_sides=True,
)
