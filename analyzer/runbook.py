"""The runbook's symptom table, as data: what each failure class looks like."""

from __future__ import annotations

from analyzer.model import FailureClass

M, R, H = FailureClass.MESSAGING, FailureClass.RESOURCE, FailureClass.HOST

# key -> (symptom, expected value per class), in the runbook's order and words.
SYMPTOMS: dict[str, tuple[str, dict[FailureClass, str]]] = {
    "stuck_in_build": (
        "VMs stuck in BUILD indefinitely",
        {M: "Yes", R: "No — fails quickly", H: "Partial — depends on timing"},
    ),
    "error_message": (
        "Error message",
        {
            M: "None, or generic timeout",
            R: '"No valid host was found"',
            H: '"Failed to spawn" or libvirt error',
        },
    ),
    "simultaneous": (
        "Affects all new VM creates simultaneously",
        {
            M: "Yes (all fail at the same time)",
            R: "Yes (all fail at the same time)",
            H: "No (only VMs on the affected host)",
        },
    ),
    "existing_affected": (
        "Existing running VMs affected",
        {M: "No", R: "No", H: "Yes (VMs on failed host)"},
    ),
    "services_up": (
        "pcdctl compute service list shows hosts up",
        {M: "Yes", R: "Yes", H: "No (affected host shows down)"},
    ),
}

CLASSES = (M, R, H)

# Missing sources: what they would have told, and the command that collects them.
SOURCES: dict[str, tuple[str, str, float]] = {
    # kind -> (description, command, confidence factor when missing)
    "servers": ("server list", "pcdctl server list --all-projects --long -f json", 0.75),
    "services": ("compute service list", "pcdctl compute service list --long -f json", 0.85),
    "hypervisor_logs": (
        "hypervisor compute log",
        "copy /var/log/pf9/ostackhost.log from an affected hypervisor",
        0.9,
    ),
    "pods": ("messaging-layer pod status", "kubectl -n {ns} get pods -o json", 0.85),
    "broker_logs": (
        "messaging-layer (RabbitMQ) logs",
        "kubectl -n {ns} logs {broker} --timestamps (and --previous)",
        0.9,
    ),
    "control_plane_logs": (
        "nova-conductor / nova-scheduler logs",
        "kubectl -n {ns} logs deploy/nova-conductor --timestamps",
        0.95,
    ),
}

# "Stage VM creation in batches ... in groups of 20-50 and wait for each batch to reach ACTIVE"
BATCH = (20, 50)
