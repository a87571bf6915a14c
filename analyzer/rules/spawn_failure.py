"""The hypervisor fails to spawn the guest."""

from analyzer.model import FailureClass
from analyzer.rules.faults import fault_and_log_rule

RULE = fault_and_log_rule(
    "spawn_failure",
    FailureClass.HOST,
    0.5,
    r"spawn|Build of instance \S+ aborted|Failed to build and run",
    r"Instance failed to spawn|Failed to spawn|Failed to build and run instance|"
    r"Build of instance \S+ aborted",
    "Builds fail on the hypervisor ('Failed to spawn', build aborted).",
)
