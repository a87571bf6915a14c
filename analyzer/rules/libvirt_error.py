"""The hypervisor's libvirt fails or is unreachable."""

from analyzer.model import FailureClass
from analyzer.rules.base import log_pattern_rule

RULE = log_pattern_rule(
    "libvirt_error",
    FailureClass.HOST,
    0.4,
    r"libvirtError|Connection to libvirt lost|Failed to start libvirt guest",
    description="The hypervisor's libvirt fails or is unreachable.",
    in_detail=True,
)
