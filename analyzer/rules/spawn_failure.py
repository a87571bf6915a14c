"""The hypervisor fails to spawn the guest."""

from analyzer.model import FailureClass
from analyzer.rules.base import Feeds, Samples, Sentence
from analyzer.rules.faults import FAULT_EXTRAS, fault_and_log_rule
from analyzer.rules.samples import HV_LOG, VM, oslo
from analyzer.runbook import Source, Symptom

RULE = fault_and_log_rule(
    "spawn_failure",
    FailureClass.HOST,
    0.5,
    r"spawn|Build of instance \S+ aborted|Failed to build and run",
    r"Instance failed to spawn|Failed to spawn|Failed to build and run instance|"
    r"Build of instance \S+ aborted",
    "Builds fail on the hypervisor ('Failed to spawn', build aborted).",
    inputs=(Source.SERVERS, Source.HYPERVISOR_LOGS),
    title="Failed to spawn",
    sentence=Sentence(
        'Builds fail on the hypervisor ("Failed to spawn", build aborted): '
        "{servers:# server carries|# servers carry} this fault and "
        "{log_records:# log record reports|# log records report} it.",
        'Builds fail on the hypervisor ("Failed to spawn", build aborted).',
        FAULT_EXTRAS,
    ),
    feeds=Feeds(Symptom.ERROR_MESSAGE, "Failed to spawn / libvirt error"),
    samples=Samples(
        fires={
            HV_LOG: oslo(
                "09:20:00",
                "ERROR",
                "nova.compute.manager",
                f"[instance: {VM}] Instance failed to spawn",
            )
        },
        near_miss={
            HV_LOG: oslo(
                "09:20:00",
                "ERROR",
                "nova.compute.manager",
                f"[instance: {VM}] Failed to build and run instance: "
                "oslo_messaging.exceptions.MessageDeliveryFailure: Unable to connect to AMQP "
                "server on 127.0.0.1:58911 after inf tries: (0, 0): (403) ACCESS_REFUSED - "
                "Login was refused using authentication mechanism AMQPLAIN. For details see the "
                "broker logfile.",
            )
        },
    ),
    # the failure lab's auth-failure-fixed bundle (fixtures/lab): the build's RPC to the
    # conductor was refused by the broker; the messaging rules own that line
    not_caused_by=r"oslo_messaging\.exceptions\.|MessageDeliveryFailure|MessagingTimeout",
)
