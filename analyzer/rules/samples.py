"""Builders for the small bundles a rule declares as its samples (``Rule.samples``).

Every sample is collected at ``COLLECTED`` from a Self-Hosted region whose namespace is
``pcd`` (``with_manifest`` adds the manifest); each builder writes one source in the shape
its real tool prints: `server show -f json`, `compute service list -f json`, oslo.log
lines, RabbitMQ 3.8+ lines behind `kubectl logs --timestamps`, `kubectl get pods -o json`.
"""

from __future__ import annotations

from collections.abc import Mapping

COLLECTED = "2026-03-02T09:31:00Z"
VM = "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"

SHOW = f"openstack/server-show/{VM}.json"
SERVICES = "openstack/compute-services.json"
PODS = "kubernetes/pods.json"
HV_LOG = "hosts/hv-01/ostackhost.log"
BROKER_LOG = "kubernetes/logs/rabbitmq-0/rabbitmq.log"
IMPL = "oslo.messaging._drivers.impl_rabbit"


def with_manifest(files: Mapping[str, object]) -> dict[str, object]:
    manifest = {
        "schema": "pcd-bundle/1",
        "collected_at": COLLECTED,
        "deployment": "self-hosted",
        "namespace": "pcd",
    }
    return {"manifest.json": manifest, **files}


def server(status: str, created: str, **extra: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": VM,
        "name": "web-07",
        "status": status,
        "OS-EXT-STS:task_state": "scheduling" if status == "BUILD" else None,
        "OS-EXT-STS:vm_state": "building" if status == "BUILD" else status.lower(),
        "OS-EXT-STS:power_state": 0,
        "OS-EXT-SRV-ATTR:host": None,
        "created": created,
        "updated": created,
        "project_id": "p1",
    }
    doc.update(extra)
    return doc


def service(
    state: str,
    host: str = "hv-01",
    binary: str = "nova-compute",
    ident: int = 7,
    updated: str = "2026-03-02T09:30:41.000000",
) -> dict[str, object]:
    # controller services sit in the "internal" zone, as `nova service-list` shows them
    # (e.g. github.com/redhat-openstack/infrared/issues/181)
    return {
        "ID": ident,
        "Binary": binary,
        "Host": host,
        "Zone": "internal" if binary != "nova-compute" else "nova",
        "Status": "enabled",
        "State": state,
        "Updated At": updated,
    }


def oslo(time: str, level: str, logger: str, message: str) -> str:
    return f"2026-03-02 {time}.331 2817 {level} {logger} [-] {message}\n"


def rabbit(time: str, level: str, message: str) -> str:
    return (
        f"2026-03-02T{time}.120391532Z 2026-03-02 {time}.120391+00:00 [{level}] <0.1053.0> "
        f"{message}\n"
    )


def pod(
    name: str,
    *,
    ready: bool,
    waiting: str | None,
    last: str | None,
    finished: str,
    container: str = "rabbitmq",
) -> dict[str, object]:
    status: dict[str, object] = {
        "name": container,
        "ready": ready,
        "restartCount": 12,
        "state": {"waiting": {"reason": waiting}}
        if waiting
        else {"running": {"startedAt": "2026-03-02T09:00:00Z"}},
    }
    if last:
        status["lastState"] = {
            "terminated": {
                "reason": last,
                "exitCode": 137,
                "startedAt": "2026-02-27T09:00:00Z",
                "finishedAt": finished,
            }
        }
    return {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "metadata": {"name": name, "namespace": "pcd"},
                "spec": {"containers": [{"name": container}]},
                "status": {"phase": "Running", "containerStatuses": [status]},
            }
        ],
    }


def crashing_broker(last: str) -> dict[str, object]:
    """The broker pod in CrashLoopBackOff six minutes before collection, its last container
    terminated with ``last`` (OOMKilled, Error)."""
    return pod(
        "rabbitmq-0",
        ready=False,
        waiting="CrashLoopBackOff",
        last=last,
        finished="2026-03-02T09:25:00Z",
    )


SCHEDULER_LOG = "kubernetes/logs/nova-scheduler-0/nova-scheduler.log"
CONDUCTOR_LOG = "kubernetes/logs/nova-conductor-0/nova-conductor.log"


def pod_oslo(time: str, level: str, logger: str, message: str) -> str:
    """An oslo.log line of a control-plane pod behind `kubectl logs --timestamps`."""
    return (
        f"2026-03-02T{time}.331000000Z 2026-03-02 {time}.331 1 {level} {logger} "
        f"[req-5d0c9b2e-1f3a-4c6d-8e7f-9a0b1c2d3e4f - - - - -] {message}\n"
    )
