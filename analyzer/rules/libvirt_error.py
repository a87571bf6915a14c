"""The hypervisor's libvirt fails or is unreachable."""

from analyzer.model import FailureClass
from analyzer.rules.base import LOG_EXTRAS, Feeds, Samples, Sentence, log_pattern_rule
from analyzer.rules.samples import HV_LOG, oslo
from analyzer.runbook import Source, Symptom

RULE = log_pattern_rule(
    "libvirt_error",
    FailureClass.HOST,
    0.4,
    r"libvirtError|Connection to libvirt lost|Failed to start libvirt guest",
    description="The hypervisor's libvirt fails or is unreachable.",
    inputs=(Source.HYPERVISOR_LOGS,),
    title="libvirt errors",
    sentence=Sentence(
        "The hypervisor's libvirt fails or is unreachable.",
        "The hypervisor's libvirt fails or is unreachable.",
        LOG_EXTRAS,
    ),
    feeds=Feeds(Symptom.ERROR_MESSAGE, "Failed to spawn / libvirt error"),
    samples=Samples(
        fires={
            HV_LOG: oslo(
                "09:20:00", "ERROR", "nova.virt.libvirt.driver", "Connection to libvirt lost: 1"
            )
        },
        near_miss={
            HV_LOG: oslo(
                "09:20:00", "INFO", "nova.virt.libvirt.driver", "Connection event '1' reason 'None'"
            )
        },
    ),
    in_detail=True,
)
