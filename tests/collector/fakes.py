"""Fake ``pcdctl`` and ``kubectl`` for the collector tests, and bundles collected with them.

The fakes are small Python scripts written into a temporary ``bin`` directory that becomes the
whole ``PATH`` of the collector. Each records its argument list in ``bin/calls.jsonl`` and
answers from ``bin/<tool>.spec.json``: a list of rules, the first whose ``match`` tokens all
appear in the arguments wins. A rule gives ``stdout``, ``stderr``, ``exit``, and optionally
``sleep`` (hang after printing half of stdout) or ``child_holds_pipe`` (leave a grandchild
holding stdout open).

Outputs follow ``shared/reference/formats.md``: ``-f json`` lists keyed by column header,
``server show`` keys, ``kubectl get -o json`` documents, ``describe`` text and
``logs --timestamps`` lines. Times are relative to now, so a BUILD server is always 25 minutes
old. Every source carries a planted secret (``SECRETS``) that must never reach a bundle.

Reusable entry points: ``make_fake_tools(tmp_path, scenario=...)`` and
``make_bundle(tmp_path, scenario=..., deployment=...)``.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# the collector names the hypervisor directory hosts/<hostname>/ after this machine
HOST = re.sub(r"[^A-Za-z0-9._-]+", "_", socket.gethostname()).strip("._-")[:120]
COLLECTOR = ROOT / "collectors" / "pcd_collect.py"

NAMESPACE = "pcd"
REGION = "region1"
OS_PASSWORD = "Os-Pa55word!"
TRANSPORT_PASSWORD = "S3cretPass"
FERNET = "gAAAAABpX2ZlcnRldC10b2tlbi12YWx1ZS1mb3ItdGVzdHMtb25seS0xMjM0NTY3ODkwYWJjZGVm"
AUTH_TOKEN = "4b2d8e1f0a9c7b6d5e3f2a1b0c9d8e7f"
KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLWJ5dGVz"

# Every value planted somewhere in the fake sources; none may appear in a bundle.
SECRETS = {
    "transport_url password (ostackhost.log, conductor log, describe args)": TRANSPORT_PASSWORD,
    "password= in hostagent.log": "Hunter2Password",
    "X-Auth-Token header (ostackhost.log, pcdctl stderr)": AUTH_TOKEN,
    "Fernet token (ostackhost.log, nova-api log)": FERNET,
    "OS_PASSWORD (collector environment, pod JSON env)": OS_PASSWORD,
    "PEM private key body (hostagent.log, nova-api log)": KEY_BODY,
    "RABBITMQ_DEFAULT_PASS (describe env, pod JSON env, last-applied annotation)": "Rabb1tDefaultPw",
    "Erlang cookie (describe env)": "CookieSecretValue123",
    "server property admin_password (pcdctl JSON)": "ServerAdminPw9",
    "database connection password (conductor log)": "DbPassw0rd77",
    "service account token (nova-api log)": JWT,
}

HYPERVISORS = ("hv-01", "hv-02")
BUILD_IDS = (
    "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13",
    "7a1e5d2f-3c8b-4e4f-8b62-1d9f3a7c0e24",
    "8b2f6e3a-4d9c-4f5a-9c73-2eaf4b8d1f35",
)
ACTIVE_IDS = ("9c3a7f4b-5e0d-4a6b-8d84-3fb05c9e2a46", "0d4b8a5c-6f1e-4b7c-9e95-4ac16daf3b57")
PROJECT = "3f2b8c1d9e4a4f6b8c7d2e1f0a9b8c7d"

FAKE_TOOL = """#!{python}
import json, os, subprocess, sys, time
here = os.path.dirname(os.path.abspath(__file__))
name = os.path.basename(sys.argv[0])
args = sys.argv[1:]
with open(os.path.join(here, "calls.jsonl"), "a") as fh:
    fh.write(json.dumps([name] + args) + "\\n")
with open(os.path.join(here, name + ".spec.json")) as fh:
    spec = json.load(fh)
for rule in spec:
    if all(t in args for t in rule["match"]):
        break
else:
    sys.stderr.write("error: unknown command %r\\n" % (args,))
    sys.exit(2)
out = rule.get("stdout", "")
if rule.get("child_holds_pipe"):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(%d)" % rule["child_holds_pipe"]])
if rule.get("sleep"):
    sys.stdout.write(out[: len(out) // 2])
    sys.stdout.flush()
    time.sleep(rule["sleep"])
sys.stdout.write(out)
sys.stderr.write(rule.get("stderr", ""))
sys.exit(rule.get("exit", 0))
"""


# --------------------------------------------------------------------------------------------
# time helpers
# --------------------------------------------------------------------------------------------


def _z(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _micro(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _kts(t: datetime) -> str:
    """kubectl --timestamps prefix (RFC3339Nano, UTC)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def _oslo(
    t: datetime, level: str, logger: str, msg: str, pid: int = 2817, ctx: str | None = "-"
) -> str:
    """An oslo.log line in local time of ``t``'s zone (``ctx=None``: a traceback line)."""
    stamp = t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"
    context = "" if ctx is None else f"[{ctx}] "
    return f"{stamp} {pid} {level} {logger} {context}{msg}\n"


def _rabbit(t: datetime, level: str, msg: str) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + f"+00:00 [{level}] <0.1053.0> {msg}"


# --------------------------------------------------------------------------------------------
# pcdctl
# --------------------------------------------------------------------------------------------


def _server_row(sid: str, name: str, status: str, host: str | None) -> dict[str, Any]:
    building = status == "BUILD"
    return {
        "ID": sid,
        "Name": name,
        "Status": status,
        "Task State": "scheduling" if building else None,
        "Power State": 0 if building else 1,
        "Networks": {} if building else {"private": ["10.0.0.21"]},
        "Image Name": "ubuntu-22.04",
        "Image ID": "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
        "Flavor": "m1.small",
        "Availability Zone": "nova",
        "Host": host,
        "Properties": "" if building else "admin_password='ServerAdminPw9'",
        "Project ID": PROJECT,
    }


def _server_show(
    sid: str, name: str, status: str, host: str | None, now: datetime
) -> dict[str, Any]:
    created = now - timedelta(minutes=25)
    building = status == "BUILD"
    return {
        "id": sid,
        "name": name,
        "status": status,
        "OS-EXT-STS:task_state": "scheduling" if building else None,
        "OS-EXT-STS:vm_state": "building" if building else "active",
        "OS-EXT-STS:power_state": "NOSTATE" if building else "Running",
        "OS-EXT-SRV-ATTR:host": host,
        "OS-EXT-SRV-ATTR:hypervisor_hostname": host,
        "created": _z(created),
        "updated": _z(created + timedelta(seconds=2)),
        "OS-SRV-USG:launched_at": None if building else _micro(created + timedelta(seconds=45)),
        "flavor": "m1.small (1)",
        "image": "ubuntu-22.04 (b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e)",
        "project_id": PROJECT,
        "addresses": {} if building else {"private": ["10.0.0.21"]},
    }


def pcdctl_spec(scenario: str, now: datetime) -> list[dict[str, Any]]:
    servers = [
        _server_row(ACTIVE_IDS[0], "db-01", "ACTIVE", HYPERVISORS[0]),
        _server_row(ACTIVE_IDS[1], "web-01", "ACTIVE", HYPERVISORS[1]),
    ]
    if scenario == "messaging":
        servers += [
            _server_row(sid, f"web-{i + 7:02d}", "BUILD", None) for i, sid in enumerate(BUILD_IDS)
        ]
    updated = _micro(now - timedelta(seconds=12))
    services = [
        {
            "ID": 1,
            "Binary": "nova-conductor",
            "Host": "nova-conductor-6d9f7c8b5-x2x7q",
            "Zone": "internal",
        },
        {
            "ID": 2,
            "Binary": "nova-scheduler",
            "Host": "nova-scheduler-7b8c9d6f4-k9m2p",
            "Zone": "internal",
        },
        {"ID": 7, "Binary": "nova-compute", "Host": HYPERVISORS[0], "Zone": "nova"},
        {"ID": 8, "Binary": "nova-compute", "Host": HYPERVISORS[1], "Zone": "nova"},
    ]
    for svc in services:
        svc.update(
            {
                "Status": "enabled",
                "State": "up",
                "Updated At": updated,
                "Disabled Reason": None,
                "Forced Down": False,
            }
        )
    build = [s for s in servers if s["Status"] == "BUILD"]
    rules: list[dict[str, Any]] = [
        {"match": ["compute", "service", "list"], "stdout": json.dumps(services, indent=2)},
        {"match": ["server", "list", "BUILD"], "stdout": json.dumps(build, indent=2)},
        {"match": ["server", "list", "ERROR"], "stdout": "[]"},
        {"match": ["server", "list"], "stdout": json.dumps(servers, indent=2)},
    ]
    for s in servers:
        show = _server_show(s["ID"], s["Name"], s["Status"], s["Host"], now)
        rules.append({"match": ["server", "show", s["ID"]], "stdout": json.dumps(show, indent=2)})
    return rules


# --------------------------------------------------------------------------------------------
# kubectl
# --------------------------------------------------------------------------------------------

PODS = {
    "rabbitmq-0": ("rabbitmq", "rabbitmq:3.12-management"),
    "nova-conductor-6d9f7c8b5-x2x7q": ("nova-conductor", "pf9/nova:2025.1"),
    "nova-scheduler-7b8c9d6f4-k9m2p": ("nova-scheduler", "pf9/nova:2025.1"),
    "nova-api-osapi-5c6d7e8f9-q4r5s": ("nova-api-osapi", "pf9/nova:2025.1"),
    "keystone-api-58f7d6c4b9-z8y7x": ("keystone-api", "pf9/keystone:2025.1"),
}


def _pod(name: str, messaging_down: bool, now: datetime) -> dict[str, Any]:
    container, image = PODS[name]
    started = now - timedelta(hours=2)
    env: list[dict[str, Any]] = [{"name": "OS_PASSWORD", "value": OS_PASSWORD}]
    annotations: dict[str, str] = {}
    status: dict[str, Any] = {
        "name": container,
        "ready": True,
        "restartCount": 0,
        "image": image,
        "state": {"running": {"startedAt": _z(started)}},
    }
    if name == "rabbitmq-0":
        env = [
            {"name": "RABBITMQ_DEFAULT_USER", "value": "nova"},
            {"name": "RABBITMQ_DEFAULT_PASS", "value": "Rabb1tDefaultPw"},
            {
                "name": "RABBITMQ_ERLANG_COOKIE",
                "valueFrom": {"secretKeyRef": {"name": "rabbitmq", "key": "cookie"}},
            },
        ]
        applied = {
            "kind": "StatefulSet",
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "rabbitmq",
                                "env": [
                                    {"name": "RABBITMQ_DEFAULT_PASS", "value": "Rabb1tDefaultPw"}
                                ],
                            }
                        ]
                    }
                }
            },
        }
        annotations["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(
            applied, separators=(",", ":")
        )
        if messaging_down:
            status.update(
                ready=False,
                restartCount=12,
                state={
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": "back-off 5m0s restarting failed container=rabbitmq pod=rabbitmq-0_pcd(5e1c)",
                    }
                },
                lastState={
                    "terminated": {
                        "reason": "OOMKilled",
                        "exitCode": 137,
                        "startedAt": _z(now - timedelta(minutes=9)),
                        "finishedAt": _z(now - timedelta(minutes=6)),
                    }
                },
            )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "annotations": annotations,
            "labels": {"app.kubernetes.io/name": container},
        },
        "spec": {
            "nodeName": "mgmt-node-1",
            "containers": [
                {
                    "name": container,
                    "image": image,
                    "env": env,
                    "args": ["--config-file=/etc/nova/nova.conf"],
                }
            ],
        },
        "status": {
            "phase": "Running",
            "hostIP": "10.20.0.11",
            "podIP": "10.244.1.5",
            "startTime": _z(started),
            "containerStatuses": [status],
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False" if (messaging_down and name == "rabbitmq-0") else "True",
                }
            ],
        },
    }


def _events(messaging_down: bool, now: datetime) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    if messaging_down:
        items.append(
            {
                "type": "Warning",
                "reason": "BackOff",
                "count": 41,
                "message": "Back-off restarting failed container rabbitmq in pod rabbitmq-0_pcd(5e1c)",
                "involvedObject": {"kind": "Pod", "name": "rabbitmq-0", "namespace": NAMESPACE},
                "firstTimestamp": _z(now - timedelta(hours=1)),
                "lastTimestamp": _z(now - timedelta(minutes=4)),
            }
        )
        items.append(
            {
                "type": "Warning",
                "reason": "Unhealthy",
                "count": 9,
                "message": "Readiness probe failed: dial tcp 10.244.1.5:5672: connect: connection refused",
                "involvedObject": {"kind": "Pod", "name": "rabbitmq-0", "namespace": NAMESPACE},
                "firstTimestamp": _z(now - timedelta(minutes=50)),
                "lastTimestamp": _z(now - timedelta(minutes=5)),
            }
        )
    else:
        items.append(
            {
                "type": "Normal",
                "reason": "Pulled",
                "count": 1,
                "message": 'Container image "rabbitmq:3.12-management" already present on machine',
                "involvedObject": {"kind": "Pod", "name": "rabbitmq-0", "namespace": NAMESPACE},
                "firstTimestamp": _z(now - timedelta(hours=2)),
                "lastTimestamp": _z(now - timedelta(hours=2)),
            }
        )
    return {"apiVersion": "v1", "kind": "List", "items": items}


def _describe(name: str, messaging_down: bool, now: datetime) -> str:
    container, image = PODS[name]
    start = format_datetime(now - timedelta(hours=2))
    lines = [
        f"Name:             {name}",
        f"Namespace:        {NAMESPACE}",
        "Priority:         0",
        "Node:             mgmt-node-1/10.20.0.11",
        f"Start Time:       {start}",
        f"Labels:           app.kubernetes.io/name={container}",
        "Status:           Running",
        "IP:               10.244.1.5",
        "Containers:",
        f"  {container}:",
        "    Container ID:   containerd://4f5e6d7c8b9a",
        f"    Image:          {image}",
    ]
    if name == "rabbitmq-0" and messaging_down:
        lines += [
            "    State:          Waiting",
            "      Reason:       CrashLoopBackOff",
            "    Last State:     Terminated",
            "      Reason:       OOMKilled",
            "      Exit Code:    137",
            f"      Started:      {format_datetime(now - timedelta(minutes=9))}",
            f"      Finished:     {format_datetime(now - timedelta(minutes=6))}",
            "    Ready:          False",
            "    Restart Count:  12",
        ]
    else:
        lines += [
            "    State:          Running",
            f"      Started:      {start}",
            "    Ready:          True",
            "    Restart Count:  0",
        ]
    if name == "rabbitmq-0":
        lines += [
            "    Limits:",
            "      memory:  512Mi",
            "    Environment:",
            "      RABBITMQ_DEFAULT_USER:   nova",
            "      RABBITMQ_DEFAULT_PASS:   Rabb1tDefaultPw",
            "      RABBITMQ_ERLANG_COOKIE:  CookieSecretValue123",
        ]
    else:
        lines += [
            "    Args:",
            f"      --transport-url=rabbit://nova:{TRANSPORT_PASSWORD}@rabbitmq.{NAMESPACE}.svc.cluster.local:5672/",
            "    Environment:",
            f"      OS_PASSWORD:  {OS_PASSWORD}",
            "      OS_USERNAME:  nova",
        ]
    lines += [
        "    Mounts:",
        "      /etc/nova from config (ro)",
        "Conditions:",
        "  Type              Status",
        f"  Ready             {'False' if (messaging_down and name == 'rabbitmq-0') else 'True'}",
    ]
    if name == "rabbitmq-0" and messaging_down:
        lines += [
            "Events:",
            "  Type     Reason     Age                  From     Message",
            "  ----     ------     ----                 ----     -------",
            "  Warning  Unhealthy  5m (x9 over 50m)     kubelet  Readiness probe failed: dial tcp 10.244.1.5:5672: connect: connection refused",
            "  Warning  BackOff    4m35s (x41 over 1h)  kubelet  Back-off restarting failed container rabbitmq in pod rabbitmq-0_pcd(5e1c)",
        ]
    else:
        lines.append("Events:                      <none>")
    return "\n".join(lines) + "\n"


def _pod_logs(name: str, previous: bool, messaging_down: bool, now: datetime) -> str:
    out: list[tuple[datetime, str]] = []
    if name == "rabbitmq-0":
        if previous:
            t = now - timedelta(minutes=9)
            out += [
                (
                    t,
                    _rabbit(
                        t,
                        "info",
                        "Memory high watermark set to 204 MiB (214748364 bytes) of 512 MiB (536870912 bytes) total",
                    ),
                ),
                (t, _rabbit(t, "info", "Server startup complete; 4 plugins started.")),
                (
                    t + timedelta(minutes=2),
                    _rabbit(
                        t + timedelta(minutes=2),
                        "warning",
                        "memory resource limit alarm set on node rabbit@rabbitmq-0.",
                    ),
                ),
                (
                    t + timedelta(minutes=2),
                    _rabbit(
                        t + timedelta(minutes=2),
                        "warning",
                        "*** Publishers will be blocked until this alarm clears ***",
                    ),
                ),
            ]
        else:
            t = now - timedelta(minutes=3)
            text = (
                "Server startup complete; 4 plugins started."
                if not messaging_down
                else "Starting RabbitMQ 3.12.13 on Erlang 26.2"
            )
            out += [
                (t, _rabbit(t, "info", text)),
                (
                    t,
                    _rabbit(
                        t,
                        "info",
                        "Memory high watermark set to 204 MiB (214748364 bytes) of 512 MiB (536870912 bytes) total",
                    ),
                ),
            ]
    elif name.startswith("nova-conductor"):
        t = now - timedelta(minutes=20)
        out.append(
            (
                t,
                _oslo(
                    t,
                    "INFO",
                    "nova.conductor",
                    f"Loaded config transport_url = rabbit://nova:{TRANSPORT_PASSWORD}@rabbitmq.pcd.svc.cluster.local:5672/ connection = mysql+pymysql://nova:DbPassw0rd77@mariadb/nova",
                    pid=1,
                ),
            )
        )
        if messaging_down:
            for i in range(3):
                ti = t + timedelta(minutes=2 * i + 1)
                out.append(
                    (
                        ti,
                        _oslo(
                            ti,
                            "ERROR",
                            "oslo.messaging._drivers.impl_rabbit",
                            "[c0ffee00-1111-4222-8333-944455556666] AMQP server on rabbitmq.pcd.svc.cluster.local:5672 is unreachable: [Errno 111] ECONNREFUSED. Trying again in 2 seconds.",
                            pid=1,
                        ),
                    )
                )
            ti = t + timedelta(minutes=8)
            out.append(
                (
                    ti,
                    _oslo(
                        ti,
                        "ERROR",
                        "nova.conductor.manager",
                        "Failed to compute_task_build_instances: Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1: oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1",
                        pid=1,
                        ctx="None req-3b1c7e0a-5d52-4f0e-9c7b-2a8d0f61e4b9 - - - - - -",
                    ),
                )
            )
    elif name.startswith("nova-api"):
        t = now - timedelta(minutes=15)
        out += [
            (
                t,
                _oslo(
                    t,
                    "DEBUG",
                    "keystonemiddleware.auth_token",
                    f"Authenticating user token {FERNET} process_request",
                    pid=7,
                ),
            ),
            (t, _oslo(t, "DEBUG", "nova.api", f"kubeconfig user token: {JWT}", pid=7)),
            (
                t,
                _oslo(
                    t,
                    "DEBUG",
                    "nova.api",
                    f"loaded key -----BEGIN PRIVATE KEY-----\\n{KEY_BODY}\\n-----END PRIVATE KEY-----",
                    pid=7,
                ),
            ),
            (
                t,
                _oslo(
                    t,
                    "INFO",
                    "nova.osapi_compute.wsgi.server",
                    '10.244.1.9 "POST /v2.1/servers HTTP/1.1" status: 202 len: 1118 time: 0.71',
                    pid=7,
                ),
            ),
        ]
    else:
        t = now - timedelta(minutes=10)
        out.append(
            (
                t,
                _oslo(
                    t,
                    "INFO",
                    "nova.scheduler.host_manager",
                    "Received a sync request from an unknown host 'hv-01'.",
                    pid=1,
                ),
            )
        )
    return "".join(f"{_kts(ts)} {line.rstrip()}\n" for ts, line in out)


def kubectl_spec(scenario: str, now: datetime) -> list[dict[str, Any]]:
    down = scenario == "messaging"
    workloads = "".join(
        f"{ns:<14}{name}\n"
        for ns, name in [
            ("kube-system", "coredns"),
            (NAMESPACE, "keystone-api"),
            (NAMESPACE, "nova-api-osapi"),
            (NAMESPACE, "nova-conductor"),
            (NAMESPACE, "nova-scheduler"),
            (NAMESPACE, "rabbitmq"),
        ]
    )
    pods = {"apiVersion": "v1", "kind": "List", "items": [_pod(n, down, now) for n in PODS]}
    rules: list[dict[str, Any]] = [
        {"match": ["get", "deployments,statefulsets"], "stdout": workloads},
        {"match": ["get", "pods"], "stdout": json.dumps(pods, indent=4)},
        {"match": ["get", "events"], "stdout": json.dumps(_events(down, now), indent=4)},
    ]
    for name in PODS:
        rules.append({"match": ["describe", "pod", name], "stdout": _describe(name, down, now)})
        previous = {"match": ["logs", name, "--previous"]}
        if name == "rabbitmq-0" and down:
            previous["stdout"] = _pod_logs(name, True, down, now)
        else:
            previous.update(
                exit=1,
                stderr=f'Error from server (BadRequest): previous terminated container "{PODS[name][0]}" in pod "{name}" not found\n',
            )
        rules.append(previous)
        rules.append({"match": ["logs", name], "stdout": _pod_logs(name, False, down, now)})
    return rules


UNAUTHORIZED = [
    {
        "match": [],
        "exit": 1,
        "stderr": "error: You must be logged in to the server (Unauthorized)\n",
    }
]


# --------------------------------------------------------------------------------------------
# /var/log/pf9 of a hypervisor
# --------------------------------------------------------------------------------------------


def write_pf9_logs(pf9: Path, scenario: str, now: datetime, tz: timezone) -> None:
    """ostackhost.log (+ .1, .2.gz), hostagent.log, comms/comms-stdout.log in local time ``tz``."""
    local = now.astimezone(tz)
    pf9.mkdir(parents=True, exist_ok=True)
    (pf9 / "comms").mkdir(exist_ok=True)
    old = [local - timedelta(hours=32) + timedelta(minutes=i) for i in range(3)]
    rot2 = "".join(
        _oslo(t, "INFO", "nova.compute.manager", "OLD-ROTATION-MARKER periodic task") for t in old
    )
    before = local - timedelta(hours=26)
    rot1 = _oslo(before, "INFO", "nova.compute.manager", "BEFORE-WINDOW-MARKER in rotation 1")
    rot1 += "continuation line of the old record BEFORE-WINDOW-MARKER\n"
    t1 = local - timedelta(hours=12)
    rot1 += _oslo(t1, "INFO", "nova.compute.manager", "IN-WINDOW-ROTATION-MARKER resumed")
    rot1 += _oslo(
        t1,
        "DEBUG",
        "keystoneauth.session",
        f'REQ: curl -g -i -X GET http://10.0.0.5:8774/v2.1 -H "X-Auth-Token: {AUTH_TOKEN}"',
    )
    cur = _oslo(
        local - timedelta(hours=5),
        "INFO",
        "nova.compute.manager",
        "CURRENT-FILE-FIRST-MARKER started",
    )
    cur += _oslo(
        local - timedelta(hours=5),
        "DEBUG",
        "oslo_service.service",
        f"transport_url = rabbit://nova:{TRANSPORT_PASSWORD}@broker.{NAMESPACE}.svc.cluster.local:5672/",
    )
    cur += _oslo(
        local - timedelta(hours=4),
        "DEBUG",
        "keystonemiddleware",
        f"validating token {FERNET} for user admin",
    )
    if scenario == "messaging":
        for i in range(3):
            t = local - timedelta(minutes=24 - 2 * i)
            cur += _oslo(
                t,
                "ERROR",
                "oslo.messaging._drivers.impl_rabbit",
                "[c0ffee00-2222-4333-8444-955566667777] AMQP server on broker.pcd.svc.cluster.local:5672 is unreachable: [Errno 111] ECONNREFUSED. Trying again in 4 seconds.",
            )
        t = local - timedelta(minutes=14)
        ctx = "None req-3b1c7e0a-5d52-4f0e-9c7b-2a8d0f61e4b9 - - - - - -"
        cur += _oslo(
            t,
            "ERROR",
            "nova.compute.manager",
            f"[instance: {ACTIVE_IDS[0]}] Build failed: oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1",
            ctx=ctx,
        )
        cur += _oslo(
            t, "ERROR", "nova.compute.manager", "Traceback (most recent call last):", ctx=None
        )
        cur += _oslo(
            t,
            "ERROR",
            "nova.compute.manager",
            '  File "/opt/pf9/venv/lib/python3.9/site-packages/oslo_messaging/_drivers/amqpdriver.py", line 441, in get',
            ctx=None,
        )
    else:
        t = local - timedelta(minutes=14)
        cur += _oslo(
            t,
            "INFO",
            "nova.compute.manager",
            f"[instance: {ACTIVE_IDS[0]}] Took 41.22 seconds to build instance.",
        )
    cur += _oslo(
        local - timedelta(minutes=1), "INFO", "nova.compute.manager", "CURRENT-FILE-LAST-MARKER"
    )
    (pf9 / "ostackhost.log").write_text(cur)
    (pf9 / "ostackhost.log.1").write_text(rot1)
    with gzip.open(pf9 / "ostackhost.log.2.gz", "wt") as fh:
        fh.write(rot2)
    stamp = local - timedelta(hours=1)
    hostagent = stamp.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3] + " - hostagent - INFO - heartbeat ok\n"
    hostagent += (
        stamp.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        + " - hostagent - DEBUG - login password=Hunter2Password user=admin\n"
    )
    hostagent += stamp.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3] + " - hostagent - DEBUG - cert key:\n"
    hostagent += f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\nAbCdEf0123456789\n-----END RSA PRIVATE KEY-----\n"
    (pf9 / "hostagent.log").write_text(hostagent)
    comms = (local - timedelta(minutes=30)).strftime(
        "%Y-%m-%d %H:%M:%S"
    ) + " INFO comms: connected to du\n"
    (pf9 / "comms" / "comms-stdout.log").write_text(comms)
    epoch = now.timestamp()
    os.utime(pf9 / "ostackhost.log.1", (epoch - 6 * 3600, epoch - 6 * 3600))
    os.utime(pf9 / "ostackhost.log.2.gz", (epoch - 30 * 3600, epoch - 30 * 3600))


# --------------------------------------------------------------------------------------------
# the whole setup
# --------------------------------------------------------------------------------------------


@dataclass
class FakeTools:
    root: Path
    bin_dir: Path
    pf9_dir: Path
    out_dir: Path
    cwd: Path
    scenario: str
    tz: str = "UTC"
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {
            "PATH": str(self.bin_dir),
            "HOME": str(self.root / "home"),
            "TZ": self.tz,
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "OS_AUTH_URL": "https://acme.app.pcd.platform9.com/keystone/v3",
            "OS_USERNAME": "admin@acme.example.com",
            "OS_PASSWORD": OS_PASSWORD,
            "OS_REGION_NAME": REGION,
            "OS_PROJECT_NAME": "service",
            "KUBECONFIG": str(self.root / "home" / "kubeconfig"),
        }
        env.update(self.extra_env)
        return env

    def calls(self) -> list[list[str]]:
        path = self.bin_dir / "calls.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def command(self, *args: str) -> list[str]:
        base = [
            sys.executable,
            str(COLLECTOR),
            "--output-dir",
            str(self.out_dir),
            "--pf9-log-dir",
            str(self.pf9_dir),
            "--host-id-file",
            str(self.root / "host_id.conf"),
        ]
        return [*base, *args]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env=self.env(),
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def set_rules(self, tool: str, rules: list[dict[str, Any]]) -> None:
        (self.bin_dir / f"{tool}.spec.json").write_text(json.dumps(rules))

    def prepend_rules(self, tool: str, rules: list[dict[str, Any]]) -> None:
        path = self.bin_dir / f"{tool}.spec.json"
        self.set_rules(tool, rules + json.loads(path.read_text()))


def make_fake_tools(
    tmp_path: Path,
    scenario: str = "messaging",
    kubectl: str = "ok",
    pcdctl: bool = True,
    hypervisor: bool = True,
    tz: str = "UTC",
    tz_offset_h: int = 0,
) -> FakeTools:
    """Fake tools for ``scenario`` ("messaging" or "healthy").

    ``kubectl``: "ok" (Self-Hosted), "missing" (SaaS: no kubectl on PATH) or "unauthorized"
    (SaaS: kubectl present without access). ``hypervisor`` writes a fake /var/log/pf9.
    ``tz``/``tz_offset_h``: the collector's TZ and the matching local offset of the log lines.
    """
    if scenario not in ("messaging", "healthy"):
        raise ValueError(scenario)
    now = datetime.now(UTC)
    root = tmp_path
    fakes = FakeTools(
        root=root,
        bin_dir=root / "bin",
        pf9_dir=root / "pf9",
        out_dir=root / "out",
        cwd=root / "cwd",
        scenario=scenario,
        tz=tz,
    )
    for d in (fakes.bin_dir, fakes.cwd, root / "home"):
        d.mkdir(parents=True, exist_ok=True)
    (root / "host_id.conf").write_text(
        "[hostagent]\nhost_id = 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\n"
    )
    script = FAKE_TOOL.replace("{python}", sys.executable)
    tools = {"pcdctl": pcdctl_spec(scenario, now) if pcdctl else None}
    if kubectl == "ok":
        tools["kubectl"] = kubectl_spec(scenario, now)
    elif kubectl == "unauthorized":
        tools["kubectl"] = UNAUTHORIZED
    elif kubectl != "missing":
        raise ValueError(kubectl)
    for tool, rules in tools.items():
        if rules is None:
            continue
        path = fakes.bin_dir / tool
        path.write_text(script)
        path.chmod(0o755)
        fakes.set_rules(tool, rules)
    if hypervisor:
        write_pf9_logs(fakes.pf9_dir, scenario, now, timezone(timedelta(hours=tz_offset_h)))
    return fakes


def bundle_path_from(result: subprocess.CompletedProcess[str]) -> Path:
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines, f"no bundle path printed\nstdout={result.stdout}\nstderr={result.stderr}"
    return Path(lines[-1])


def make_bundle(
    tmp_path: Path,
    scenario: str = "messaging",
    deployment: str = "self-hosted",
    hypervisor: bool = True,
    *args: str,
) -> Path:
    """Collect a bundle with the fakes: ``deployment`` "self-hosted" or "saas" (no kubectl)."""
    kubectl = "ok" if deployment == "self-hosted" else "missing"
    fakes = make_fake_tools(tmp_path, scenario=scenario, kubectl=kubectl, hypervisor=hypervisor)
    result = fakes.run("-q", *args)
    assert result.returncode == 0, result.stderr
    return bundle_path_from(result)


def members(bundle: Path) -> dict[str, bytes]:
    """Every regular member of a bundle, by path relative to the bundle root."""
    out: dict[str, bytes] = {}
    with tarfile.open(bundle, "r:gz") as tar:
        for member in tar:
            fh = tar.extractfile(member) if member.isfile() else None
            if fh is not None:
                out[member.name.split("/", 1)[1]] = fh.read()
    return out


def manifest(bundle: Path) -> dict[str, Any]:
    doc = json.loads(members(bundle)["manifest.json"])
    assert isinstance(doc, dict)
    return doc


def item(doc: dict[str, Any], path: str) -> dict[str, Any]:
    found = [i for i in doc["items"] if i["path"] == path]
    assert found, f"no manifest item {path}: {[i['path'] for i in doc['items']]}"
    return dict(found[0])
