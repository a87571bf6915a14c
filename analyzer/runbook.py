"""The runbook's numbers and words, in one place: its symptom table, the sources that feed
it, the ten-minute threshold for a stuck BUILD, and the batch size it advises.

Everything here is data the rules, the diagnosis and the reports read; nothing computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from analyzer.model import FailureClass

M, R, H = FailureClass.MESSAGING, FailureClass.RESOURCE, FailureClass.HOST

# The runbook's three failure modes, in the order of its symptom table's columns.
CLASSES = (M, R, H)

# "VMs stuck in BUILD indefinitely": a VM in BUILD for longer than this at collection time.
STUCK_AFTER = timedelta(minutes=10)
STUCK_AFTER_WORDS = "ten minutes"  # STUCK_AFTER as the reports write it

# Log lines older than this before collection (and before the oldest stuck VM) are history.
RECENT = timedelta(hours=2)

# "Stage VM creation in batches ... in groups of 20-50 and wait for each batch to reach ACTIVE"
BATCH = (20, 50)


class Symptom(StrEnum):
    """The rows of the runbook's symptom table, in its order."""

    STUCK_IN_BUILD = "stuck_in_build"
    ERROR_MESSAGE = "error_message"
    SIMULTANEOUS = "simultaneous"
    EXISTING_AFFECTED = "existing_affected"
    SERVICES_UP = "services_up"


# Each row: the symptom in the runbook's words, and what it reads for each failure class.
SYMPTOMS: dict[Symptom, tuple[str, dict[FailureClass, str]]] = {
    Symptom.STUCK_IN_BUILD: (
        "VMs stuck in BUILD indefinitely",
        {M: "Yes", R: "No — fails quickly", H: "Partial — depends on timing"},
    ),
    Symptom.ERROR_MESSAGE: (
        "Error message",
        {
            M: "None, or generic timeout",
            R: '"No valid host was found"',
            H: '"Failed to spawn" or libvirt error',
        },
    ),
    Symptom.SIMULTANEOUS: (
        "Affects all new VM creates simultaneously",
        {
            M: "Yes (all fail at the same time)",
            R: "Yes (all fail at the same time)",
            H: "No (only VMs on the affected host)",
        },
    ),
    Symptom.EXISTING_AFFECTED: (
        "Existing running VMs affected",
        {M: "No", R: "No", H: "Yes (VMs on failed host)"},
    ),
    Symptom.SERVICES_UP: (
        "pcdctl compute service list shows hosts up",
        {M: "Yes", R: "Yes", H: "No (affected host shows down)"},
    ),
}


class Source(StrEnum):
    """A kind of data the diagnosis reads; a rule names the ones it needs."""

    SERVERS = "servers"
    SERVICES = "services"
    HYPERVISOR_LOGS = "hypervisor_logs"
    PODS = "pods"
    BROKER_LOGS = "broker_logs"
    CONTROL_PLANE_LOGS = "control_plane_logs"


@dataclass(frozen=True)
class SourceInfo:
    what: str  # how the report names it when it is missing
    command: str  # what collects it ({ns}, {broker}: the deployment's namespace and pod)
    factor: float  # confidence is multiplied by this when it is missing
    table: str  # the frame it is read into (analyzer.frames.Frames)
    # only a Self-Hosted management plane has it: a SaaS customer cannot collect it
    management_plane: bool = False


SOURCES: dict[Source, SourceInfo] = {
    Source.SERVERS: SourceInfo(
        "server list", "pcdctl server list --all-projects --long -f json", 0.75, "servers"
    ),
    Source.SERVICES: SourceInfo(
        "compute service list", "pcdctl compute service list --long -f json", 0.85, "services"
    ),
    Source.HYPERVISOR_LOGS: SourceInfo(
        "hypervisor compute log",
        "copy /var/log/pf9/ostackhost.log from an affected hypervisor",
        0.9,
        "logs",
    ),
    Source.PODS: SourceInfo(
        "messaging-layer pod status",
        "kubectl -n {ns} get pods -o json",
        0.85,
        "pods",
        management_plane=True,
    ),
    Source.BROKER_LOGS: SourceInfo(
        "messaging-layer (RabbitMQ) logs",
        "kubectl -n {ns} logs {broker} --timestamps (and --previous)",
        0.9,
        "logs",
        management_plane=True,
    ),
    Source.CONTROL_PLANE_LOGS: SourceInfo(
        "nova-conductor / nova-scheduler logs",
        "kubectl -n {ns} logs deploy/nova-conductor --timestamps",
        0.95,
        "logs",
        management_plane=True,
    ),
}
