"""RPC calls time out waiting for a reply (no consumer, or the broker loses messages)."""

from analyzer.model import FailureClass
from analyzer.rules.base import log_pattern_rule

RULE = log_pattern_rule(
    "rpc_timeout",
    FailureClass.MESSAGING,
    0.4,
    r"MessagingTimeout|Timed out waiting for a reply to message ID|"
    r"Timed out waiting for nova-conductor",
    description=(
        "RPC calls time out waiting for a reply (no consumer, or the broker loses messages)."
    ),
    in_detail=True,
    # a reconnect or a build that completes after the timeout: the RPC path works again
    resolved_by=r"Reconnected to AMQP server|Took [0-9.]+ seconds to (?:build|spawn)",
    reopened_by=r"AMQP server on \S+ is unreachable|Unable to connect to AMQP server",
    corroborate=r"client unexpectedly closed TCP connection|missed heartbeats from client",
)
