"""Each rule with a bundle where it fires and a near miss where it must not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.analysis import analyse
from analyzer.document import to_builtins
from analyzer.rules import RULES

COLLECTED = "2026-03-02T09:31:00Z"
VM = "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"


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


def service(state: str, host: str = "hv-01") -> dict[str, object]:
    return {
        "ID": 7,
        "Binary": "nova-compute",
        "Host": host,
        "Zone": "nova",
        "Status": "enabled",
        "State": state,
        "Updated At": "2026-03-02T09:30:41.000000",
    }


def oslo(time: str, level: str, logger: str, message: str) -> str:
    return f"2026-03-02 {time}.331 2817 {level} {logger} [-] {message}\n"


def rabbit(time: str, level: str, message: str) -> str:
    return f"2026-03-02T{time}.120391532Z 2026-03-02 {time}.120391+00:00 [{level}] <0.1053.0> {message}\n"


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


def write(tmp: Path, files: dict[str, object]) -> Path:
    manifest = {
        "schema": "pcd-bundle/1",
        "collected_at": COLLECTED,
        "deployment": "self-hosted",
        "namespace": "pcd",
    }
    files = {"manifest.json": manifest, **files}
    for rel, content in files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return tmp


def findings(tmp: Path, files: dict[str, object]) -> dict[str, dict[str, object]]:
    doc, _frames, _inv = analyse([write(tmp, files)])
    return {f["key"]: f for f in to_builtins(doc)["findings"]}


def history(tmp: Path, files: dict[str, object]) -> set[str]:
    doc, _frames, _inv = analyse([write(tmp, files)])
    return {f.key for f in doc.history}


SHOW = f"openstack/server-show/{VM}.json"
HV_LOG = "hosts/hv-01/ostackhost.log"
BROKER_LOG = "kubernetes/logs/rabbitmq-0/rabbitmq.log"
IMPL = "oslo.messaging._drivers.impl_rabbit"

CASES: list[tuple[str, dict[str, object], dict[str, object]]] = [
    (
        "stuck_in_build",
        {SHOW: server("BUILD", "2026-03-02T09:10:00Z")},
        {SHOW: server("BUILD", "2026-03-02T09:29:00Z")},  # two minutes old
    ),
    (
        "broker_unreachable",
        {
            HV_LOG: oslo(
                "09:20:00",
                "ERROR",
                IMPL,
                "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
            )
        },
        {
            HV_LOG: oslo(
                "09:20:00",
                "ERROR",
                IMPL,
                "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
            )
            + oslo(
                "09:20:05",
                "INFO",
                IMPL,
                "[c1] Reconnected to AMQP server on 10.0.0.9:5672 via [amqp] client with port 40122.",
            )
        },
    ),
    (
        "rpc_timeout",
        {
            HV_LOG: oslo(
                "09:20:00",
                "ERROR",
                "nova.compute.manager",
                "MessagingTimeout: Timed out waiting for a reply to message ID 5d0c",
            )
        },
        {
            HV_LOG: oslo(
                "03:20:00",
                "ERROR",
                "nova.compute.manager",
                "MessagingTimeout: Timed out waiting for a reply to message ID 5d0c",
            )
        },  # six hours old
    ),
    (
        "broker_memory_alarm",
        {
            BROKER_LOG: rabbit(
                "09:20:00", "warning", "memory resource limit alarm set on node rabbit@rabbitmq-0."
            )
        },
        {
            BROKER_LOG: rabbit(
                "09:00:00",
                "info",
                "Memory high watermark set to 1638 MiB (1717986918 bytes) of 4096 MiB (4294967296 bytes) total",
            )
        },
    ),
    (
        "broker_disk_alarm",
        {
            BROKER_LOG: rabbit(
                "09:20:00", "warning", "disk resource limit alarm set on node rabbit@rabbitmq-0."
            )
        },
        {BROKER_LOG: rabbit("09:00:00", "info", "Disk free limit set to 50MB")},
    ),
    (
        "broker_auth_failure",
        {
            BROKER_LOG: rabbit(
                "09:20:00", "error", "PLAIN login refused: user 'nova' - invalid credentials"
            )
        },
        {
            BROKER_LOG: rabbit(
                "09:20:00",
                "info",
                "connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672): user 'nova' authenticated and granted access to vhost '/'",
            )
        },
    ),
    (
        "broker_partition",
        {BROKER_LOG: rabbit("09:20:00", "error", "Partial partition detected:")},
        {BROKER_LOG: rabbit("09:20:00", "info", "Server startup complete; 4 plugins started.")},
    ),
    (
        "missed_heartbeats",
        {
            BROKER_LOG: rabbit(
                "09:20:00",
                "error",
                "closing AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672): missed heartbeats from client, timeout: 60s",
            )
        },
        {
            BROKER_LOG: rabbit(
                "09:20:00",
                "info",
                "closing AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672)",
            )
        },
    ),
    (
        "broker_pod_crashloop",
        {
            "kubernetes/pods.json": pod(
                "rabbitmq-0",
                ready=False,
                waiting="CrashLoopBackOff",
                last="OOMKilled",
                finished="2026-03-02T09:25:00Z",
            )
        },
        {
            "kubernetes/pods.json": pod(
                "rabbitmq-0", ready=True, waiting=None, last=None, finished=""
            )
        },
    ),
    (
        "broker_pod_oomkilled",
        {
            "kubernetes/pods.json": pod(
                "rabbitmq-0",
                ready=False,
                waiting="CrashLoopBackOff",
                last="OOMKilled",
                finished="2026-03-02T09:25:00Z",
            )
        },
        # OOMKilled days ago, Running and ready since: history, not the current failure
        {
            "kubernetes/pods.json": pod(
                "rabbitmq-0",
                ready=True,
                waiting=None,
                last="OOMKilled",
                finished="2026-02-27T09:25:00Z",
            )
        },
    ),
    (
        "broker_pod_error",
        {
            "kubernetes/pods.json": pod(
                "rabbitmq-0",
                ready=False,
                waiting="CrashLoopBackOff",
                last="Error",
                finished="2026-03-02T09:25:00Z",
            )
        },
        {
            "kubernetes/pods.json": pod(
                "rabbitmq-0",
                ready=True,
                waiting=None,
                last="Completed",
                finished="2026-03-02T09:25:00Z",
            )
        },
    ),
    (
        "broker_pod_pending",
        {
            "kubernetes/pods.json": pod(
                "rabbitmq-0", ready=False, waiting="ContainerCreating", last=None, finished=""
            )
        },
        {
            "kubernetes/pods.json": pod(
                "nova-conductor-7d9f",
                ready=False,
                waiting="ContainerCreating",
                last=None,
                finished="",
                container="nova-conductor",
            )
        },
    ),
    (
        "no_valid_host",
        {
            SHOW: server(
                "ERROR",
                "2026-03-02T09:20:00Z",
                fault={
                    "code": 500,
                    "created": "2026-03-02T09:20:03Z",
                    "message": "No valid host was found. There are not enough hosts available.",
                },
            )
        },
        {
            SHOW: server(
                "ERROR",
                "2026-03-02T09:20:00Z",
                fault={
                    "code": 500,
                    "created": "2026-03-02T09:20:03Z",
                    "message": "Unexpected API Error.",
                },
            )
        },
    ),
    (
        "compute_service_down",
        {"openstack/compute-services.json": [service("down"), service("up", "hv-02")]},
        {"openstack/compute-services.json": [service("up"), service("up", "hv-02")]},
    ),
    (
        "spawn_failure",
        {
            HV_LOG: oslo(
                "09:20:00",
                "ERROR",
                "nova.compute.manager",
                f"[instance: {VM}] Instance failed to spawn",
            )
        },
        {
            HV_LOG: oslo(
                "09:20:00",
                "INFO",
                "nova.compute.manager",
                f"[instance: {VM}] Took 12.31 seconds to spawn the instance on the hypervisor.",
            )
        },
    ),
    (
        "libvirt_error",
        {
            HV_LOG: oslo(
                "09:20:00", "ERROR", "nova.virt.libvirt.driver", "Connection to libvirt lost: 1"
            )
        },
        {
            HV_LOG: oslo(
                "09:20:00", "INFO", "nova.virt.libvirt.driver", "Connection event '1' reason 'None'"
            )
        },
    ),
    (
        "existing_vms_affected",
        {
            "openstack/compute-services.json": [service("down")],
            SHOW: server(
                "SHUTOFF",
                "2026-02-01T09:20:00Z",
                **{
                    "OS-EXT-SRV-ATTR:host": "hv-01",
                    "OS-SRV-USG:launched_at": "2026-02-01T09:21:00.000000",
                    "OS-EXT-STS:power_state": 4,
                },
            ),
        },
        {
            "openstack/compute-services.json": [service("down")],
            SHOW: server(
                "ACTIVE",
                "2026-02-01T09:20:00Z",
                **{
                    "OS-EXT-SRV-ATTR:host": "hv-02",
                    "OS-SRV-USG:launched_at": "2026-02-01T09:21:00.000000",
                    "OS-EXT-STS:power_state": 1,
                },
            ),
        },
    ),
]


@pytest.mark.parametrize(("key", "fires", "near_miss"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_and_near_miss_does_not(
    tmp_path: Path, key: str, fires: dict[str, object], near_miss: dict[str, object]
) -> None:
    hit = findings(tmp_path / "pos", fires)
    assert key in hit, sorted(hit)
    assert hit[key]["evidence"], "a finding always carries evidence"
    assert key not in findings(tmp_path / "neg", near_miss)


def test_recovered_reconnect_is_history(tmp_path: Path) -> None:
    files = next(c[2] for c in CASES if c[0] == "broker_unreachable")
    assert "broker_unreachable" in history(tmp_path, files)


def test_every_rule_has_a_positive_and_negative_case() -> None:
    covered = {c[0] for c in CASES}
    keys = [r.key for r in RULES]
    assert len(keys) == len(set(keys)), "rule keys are unique"
    assert set(keys) <= covered
    for rule in RULES:
        assert rule.description.endswith("."), rule.key


BLOCKED = "The broker has blocked the connection: connection blocked, see broker logs"


def test_reasonless_block_goes_to_the_alarm_the_broker_logged(tmp_path: Path) -> None:
    files: dict[str, object] = {
        HV_LOG: oslo("09:20:01", "WARNING", IMPL, BLOCKED),
        BROKER_LOG: rabbit(
            "09:20:00", "warning", "disk resource limit alarm set on node rabbit@rabbitmq-0."
        ),
    }
    hit = findings(tmp_path, files)
    assert "broker_disk_alarm" in hit
    assert "broker_memory_alarm" not in hit
    assert hit["broker_disk_alarm"]["facts"]["sides"] == ["broker", "client"]


def test_reasonless_block_without_broker_logs_is_put_down_to_memory(tmp_path: Path) -> None:
    hit = findings(tmp_path, {HV_LOG: oslo("09:20:01", "WARNING", IMPL, BLOCKED)})
    assert "broker_memory_alarm" in hit
    assert "broker_disk_alarm" not in hit


def test_timeout_followed_by_a_completed_build_is_history(tmp_path: Path) -> None:
    log = oslo(
        "09:20:00",
        "ERROR",
        "nova.compute.manager",
        "MessagingTimeout: Timed out waiting for a reply to message ID 5d0c",
    ) + oslo(
        "09:22:00",
        "INFO",
        "nova.compute.manager",
        f"[instance: {VM}] Took 12.31 seconds to build instance.",
    )
    assert "rpc_timeout" in history(tmp_path, {HV_LOG: log})


def test_reconnect_to_a_broker_that_fails_again_does_not_resolve_timeouts(tmp_path: Path) -> None:
    log = (
        oslo(
            "09:20:00",
            "ERROR",
            "nova.compute.manager",
            "MessagingTimeout: Timed out waiting for a reply to message ID 5d0c",
        )
        + oslo(
            "09:21:00",
            "INFO",
            IMPL,
            "[c1] Reconnected to AMQP server on 10.0.0.9:5672 via [amqp] client with port 40122.",
        )
        + oslo(
            "09:22:00",
            "ERROR",
            IMPL,
            "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
        )
    )
    assert "rpc_timeout" in findings(tmp_path, {HV_LOG: log})


def test_client_that_never_logs_its_recovery_is_resolved_by_later_reconnects(
    tmp_path: Path,
) -> None:
    api_log = "hosts/hv-01/nova-api.log"
    files: dict[str, object] = {
        api_log: oslo(
            "09:20:00",
            "ERROR",
            IMPL,
            "Connection failed: [Errno 111] Connection refused (retrying in 1.0 seconds)",
        ),
        HV_LOG: oslo(
            "09:20:00",
            "ERROR",
            IMPL,
            "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
        )
        + oslo(
            "09:21:00",
            "INFO",
            IMPL,
            "[c1] Reconnected to AMQP server on 10.0.0.9:5672 via [amqp] client with port 40122.",
        ),
    }
    assert "broker_unreachable" in history(tmp_path, files)


def test_broker_stop_lines_join_the_unreachable_evidence(tmp_path: Path) -> None:
    files: dict[str, object] = {
        HV_LOG: oslo(
            "09:20:00",
            "ERROR",
            IMPL,
            "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
        ),
        BROKER_LOG: rabbit(
            "09:19:59", "info", "Successfully stopped RabbitMQ and its dependencies"
        ),
    }
    evidence = findings(tmp_path, files)["broker_unreachable"]["evidence"]
    assert {e["file"] for e in evidence} == {HV_LOG, BROKER_LOG}
