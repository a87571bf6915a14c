"""RPC calls time out waiting for a reply (no consumer, or the broker loses messages)."""

from analyzer.model import FailureClass
from analyzer.rules.base import log_pattern_rule

RULE = log_pattern_rule(
    "rpc_timeout",
    FailureClass.MESSAGING,
    0.4,
    r"MessagingTimeout|"
    r"Timed out waiting for a reply to message ID|Timed out waiting for nova-conductor",
    description=(
        "RPC calls time out waiting for a reply (no consumer, or the broker loses messages)."
    ),
    in_detail=True,
)
