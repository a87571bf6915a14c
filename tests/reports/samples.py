"""Sample ``analysis.json`` documents (schema ``pcd-analysis/1``) for the renderer tests.

Each builder returns a fresh dict (the JSON text as parsed), so a test may mutate it
freely; the tests decode it into the typed document, as the report worker does.
"""

from __future__ import annotations

import copy
from typing import Any

from analyzer.recovery_scripts import CheckVm, verify_create

SCHEMA = "pcd-analysis/1"
GENERATOR = {"name": "analyze", "version": "0.1.0"}
COLLECTED = "2026-03-02T09:31:00Z"


def _no_cleanup() -> dict[str, Any]:
    return {"check": "pcdctl server list --all-projects --status BUILD", "vms": [], "commands": []}


# the timeline's sections of a bundle whose logs show no incident
NO_TIMELINE: dict[str, Any] = {
    "incident": None,
    "clock_offsets": [],
    "vm_stories": [],
    "burst": None,
    "key_events": [],
    "charts": None,
}

STUCK_IDS = [
    "6f0d4c1e-2b7a-4e51-9d1c-0a8b7c6d5e41",
    "8a2e9f10-5c3d-47b8-a1e2-3f4d5c6b7a82",
    "c3b1d2e4-9f8a-4b7c-8d6e-5a4b3c2d1e03",
]
STUCK_NAMES = ["web-07", "web-08", "db-02"]
SERVICE_LIST = [
    {
        "binary": "nova-compute",
        "host": f"hv-0{i}",
        "status": "enabled",
        "state": "up",
        "updated_at": f"2026-03-02T09:30:5{i}Z",
    }
    for i in range(1, 5)
]


def _bundle(basis: str = "manifest") -> dict[str, Any]:
    return {
        "name": "pcd-bundle-pcd-region1-20260302T093100Z",
        "files": 23,
        "collected_at": COLLECTED,
        "collected_at_basis": basis,
        "collector": "pcd-collect 0.1.0",
        "utc_offset_s": 0,
    }


def _stuck_vms() -> list[dict[str, Any]]:
    created = ["2026-03-02T09:07:12Z", "2026-03-02T09:08:12Z", "2026-03-02T09:12:40Z"]
    ages = [1428.0, 1368.0, 1100.0]
    return [
        {
            "id": vm_id,
            "name": name,
            "status": "BUILD",
            "task_state": "scheduling" if i < 2 else None,
            "host": None,
            "created_at": created[i],
            "age_s": ages[i],
        }
        for i, (vm_id, name) in enumerate(zip(STUCK_IDS, STUCK_NAMES, strict=True))
    ]


def _symptoms_messaging() -> list[dict[str, Any]]:
    m, r, h = "messaging_layer_failure", "resource_exhaustion", "host_failure"
    return [
        {
            "key": "stuck_in_build",
            "symptom": "VMs stuck in BUILD indefinitely",
            "observed": "Yes: 3 VMs in BUILD for over ten minutes (oldest 23 min), 0 with a fault",
            "matches": [m],
            "expected": {m: "Yes", r: "No — fails quickly", h: "Partial — depends on timing"},
        },
        {
            "key": "error_message",
            "symptom": "Error message",
            "observed": "generic timeout (rpc_timeout, broker_unreachable)",
            "matches": [m],
            "expected": {
                m: "None, or generic timeout",
                r: '"No valid host was found"',
                h: '"Failed to spawn" or libvirt error',
            },
        },
        {
            "key": "simultaneous",
            "symptom": "Affects all new VM creates simultaneously",
            "observed": "Yes: 3 creates failed or hang within 5 min, not placed on any host",
            "matches": [m, r],
            "expected": {
                m: "Yes (all fail at the same time)",
                r: "Yes (all fail at the same time)",
                h: "No (only VMs on the affected host)",
            },
        },
        {
            "key": "existing_affected",
            "symptom": "Existing running VMs affected",
            "observed": "No: 28 VMs ACTIVE",
            "matches": [m, r],
            "expected": {m: "No", r: "No", h: "Yes (VMs on failed host)"},
        },
        {
            "key": "services_up",
            "symptom": "pcdctl compute service list shows hosts up",
            "observed": "Yes: all 4 compute services up",
            "matches": [m, r],
            "expected": {m: "Yes", r: "Yes", h: "No (affected host shows down)"},
        },
    ]


def _ostackhost_lines() -> list[dict[str, Any]]:
    return [
        {
            "file": "hosts/hv-01/ostackhost.log",
            "line": 2041,
            "timestamp": "2026-03-02T09:09:13Z",
            "text": "ERROR oslo.messaging._drivers.impl_rabbit AMQP server on "
            "rabbitmq.pcd.svc:5672 is unreachable: [Errno 111] ECONNREFUSED. "
            "Trying again in 1 seconds.",
        },
        {
            "file": "hosts/hv-01/ostackhost.log",
            "line": 2188,
            "timestamp": "2026-03-02T09:10:14Z",
            "text": "ERROR nova.compute.manager MessagingTimeout: Timed out waiting for a "
            "reply to message ID 3b1c0f6a2d9e4f7b",
        },
    ]


def selfhosted() -> dict[str, Any]:
    """A Self-Hosted messaging layer failure: broker pod OOMKilled and crash-looping."""
    stuck = _stuck_vms()
    return {
        "schema": SCHEMA,
        "generator": dict(GENERATOR),
        "bundles": [_bundle()],
        "collected_at": COLLECTED,
        "collected_at_basis": "manifest",
        "deployment": "self-hosted",
        "deployment_basis": "manifest",
        "region": "pcd-region1",
        "namespace": "pcd",
        "verdict": {
            "class": "messaging_layer_failure",
            "confidence": 0.86,
            "subcauses": ["broker_pod_crashloop", "broker_pod_oomkilled"],
            "scores": {
                "messaging_layer_failure": 0.97,
                "resource_exhaustion": 0.0,
                "host_failure": 0.0,
            },
        },
        "next_steps": {
            "kind": "commands",
            "refs": ["fixes/raise_memory_limit", "steps/restart_broker", "steps/verify_create"],
        },
        "symptoms": _symptoms_messaging(),
        "findings": [
            {
                "key": "broker_pod_crashloop",
                "supports": "messaging_layer_failure",
                "strength": 0.7,
                "subcause": True,
                "description": "",
                "facts": {
                    "pods": ["rabbitmq-0"],
                    "namespace": "pcd",
                    "restarts": 12,
                    "memory_limit": "1Gi",
                },
                "evidence": [
                    {
                        "file": "kubernetes/pods.json",
                        "line": 14,
                        "timestamp": "2026-03-02T09:29:47Z",
                        "text": "pod rabbitmq-0, container rabbitmq, status CrashLoopBackOff, "
                        "restarts 12, last terminated OOMKilled (exit code 137)",
                    },
                    {
                        "file": "kubernetes/events.json",
                        "line": 88,
                        "timestamp": "2026-03-02T09:30:02Z",
                        "text": "Warning BackOff rabbitmq-0: Back-off restarting failed "
                        "container rabbitmq (x41)",
                    },
                ],
            },
            {
                "key": "broker_pod_oomkilled",
                "supports": "messaging_layer_failure",
                "strength": 0.6,
                "subcause": True,
                "description": "",
                "facts": {
                    "pods": ["rabbitmq-0"],
                    "namespace": "pcd",
                    "restarts": 12,
                    "memory_limit": "1Gi",
                },
                "evidence": [
                    {
                        "file": "kubernetes/pods.json",
                        "line": 14,
                        "timestamp": "2026-03-02T09:29:47Z",
                        "text": "pod rabbitmq-0, container rabbitmq, status CrashLoopBackOff, "
                        "restarts 12, last terminated OOMKilled (exit code 137)",
                    }
                ],
            },
            {
                "key": "stuck_in_build",
                "supports": "messaging_layer_failure",
                "strength": 0.6,
                "subcause": False,
                "description": "",
                "facts": {
                    "count": 3,
                    "oldest_age_s": 1428.0,
                    "task_states": {"scheduling": 2, "none": 1},
                    "unscheduled": 3,
                },
                "evidence": [
                    {
                        "file": "openstack/servers.json",
                        "line": None,
                        "timestamp": vm["created_at"],
                        "text": f"server {vm['id']} ({vm['name']}) BUILD/"
                        f"{vm['task_state']} since {vm['created_at']}, host none, no fault",
                    }
                    for vm in stuck
                ],
            },
            {
                "key": "rpc_timeout",
                "supports": "messaging_layer_failure",
                "strength": 0.4,
                "subcause": True,
                "description": "",
                "facts": {
                    "count": 17,
                    "first": "2026-03-02T09:10:14Z",
                    "last": "2026-03-02T09:30:41Z",
                    "hosts": ["hv-01", "hv-03"],
                },
                "evidence": [_ostackhost_lines()[1]],
            },
        ],
        "history": [
            {
                "key": "broker_memory_alarm",
                "supports": "messaging_layer_failure",
                "strength": 0.0,
                "subcause": True,
                "description": "",
                "facts": {
                    "count": 1,
                    "first": "2026-03-01T22:14:00Z",
                    "last": "2026-03-01T22:14:00Z",
                    "hosts": [],
                    "resolved": True,
                    "resolved_at": "2026-03-01T22:19:31Z",
                },
                "evidence": [
                    {
                        "file": "kubernetes/logs/rabbitmq-0/rabbitmq.previous.log",
                        "line": 311,
                        "timestamp": "2026-03-01T22:14:00Z",
                        "text": "memory resource limit alarm set on node rabbit@rabbitmq-0",
                    },
                    {
                        "file": "kubernetes/logs/rabbitmq-0/rabbitmq.previous.log",
                        "line": 340,
                        "timestamp": "2026-03-01T22:19:31Z",
                        "text": "memory resource limit alarm cleared on node rabbit@rabbitmq-0",
                    },
                ],
            }
        ],
        "counter_evidence": [
            {
                "class": "resource_exhaustion",
                "against": [
                    {
                        "symptom": "VMs stuck in BUILD indefinitely",
                        "observed": "Yes: 3 VMs in BUILD for over ten minutes (oldest 23 min), "
                        "0 with a fault",
                        "expected": "No — fails quickly",
                    }
                ],
            },
            {
                "class": "host_failure",
                "against": [
                    {
                        "symptom": "pcdctl compute service list shows hosts up",
                        "observed": "Yes: all 4 compute services up",
                        "expected": "No (affected host shows down)",
                    }
                ],
            },
        ],
        "stuck_vms": stuck,
        "recovery": {
            "deployment": "self-hosted",
            "namespace": "pcd",
            "broker_pods": ["rabbitmq-0"],
            "fixes": [
                {
                    "key": "raise_memory_limit",
                    "commands": [
                        "kubectl -n pcd set resources statefulset/rabbitmq -c rabbitmq "
                        "--limits=memory=1280Mi",
                        "kubectl -n pcd rollout status statefulset/rabbitmq --timeout=300s",
                    ],
                    "facts": {
                        "pod": "rabbitmq-0",
                        "owner": "statefulset/rabbitmq",
                        "owner_basis": "owner",
                        "current_limit": "1Gi",
                        "new_limit": "1280Mi",
                        "peak": "1024 MiB",
                        "peak_basis": "limit_at_oom",
                        "watermark": "0.8",
                        "watermark_basis": "startup_line",
                    },
                    "evidence": [],
                }
            ],
            "steps": [
                {"key": "restart_broker", "commands": ["kubectl -n pcd delete pod rabbitmq-0"]},
                {
                    "key": "wait_ready",
                    "commands": [
                        "kubectl -n pcd wait --for=condition=Ready pod/rabbitmq-0 --timeout=300s"
                    ],
                },
                {
                    "key": "verify_reconnect",
                    "commands": [
                        "kubectl -n pcd logs deploy/nova-conductor --since=5m | "
                        "grep -i 'Reconnected to AMQP server'"
                    ],
                },
                {
                    "key": "verify_create",
                    "commands": [verify_create(CheckVm("m1.small", "cirros", "private"))],
                },
            ],
            "escalation": {
                "time_range": {"start": "2026-03-02T09:05:00Z", "end": COLLECTED},
                "build_servers": copy.deepcopy(stuck),
                "services": copy.deepcopy(SERVICE_LIST),
                "ostackhost_lines": _ostackhost_lines(),
            },
        },
        "cleanup": {
            "check": "pcdctl server list --all-projects --status BUILD",
            "vms": [{"id": vm["id"], "name": vm["name"]} for vm in stuck],
            "commands": [
                "for id in "
                + " ".join(vm["id"] for vm in stuck)
                + '; do\n  pcdctl server set --state error "$id"\n'
                + '  pcdctl server delete "$id"\ndone'
            ],
        },
        "prevention": {"batch_size": [20, 50]},
        "missing_sources": [
            {
                "source": "control_plane_logs",
                "what": "nova-conductor / nova-scheduler logs",
                "command": "kubectl -n pcd logs deploy/nova-conductor --timestamps",
            }
        ],
        "problems": [
            {
                "file": "hosts/hv-02/ostackhost.log.gz",
                "problem": "truncated gzip stream",
                "skipped": "the rest of this file",
            }
        ],
        "unrecognised_files": ["notes.txt"],
        "failed_collections": [
            {
                "path": "kubernetes/logs/rabbitmq-0/rabbitmq.log",
                "command": "kubectl -n pcd logs rabbitmq-0 --timestamps",
                "exit_code": 1,
                "timed_out": False,
                "error": "Error from server (BadRequest): container rabbitmq is waiting to start",
            }
        ],
        "clock_assumptions": [
            "hosts/hv-01/ostackhost.log: lines carry no time zone; read as local time at UTC+1h"
        ],
        **NO_TIMELINE,
        "routine_messages": None,
        "counts": {
            "servers": 31,
            "build": 3,
            "error": 0,
            "active": 28,
            "services": 6,
            "compute_services": 4,
            "services_down": 0,
            "log_records": 5120,
            "log_records_folded": 0,
            "pods": 6,
            "events": 31,
            "data_files": 22,
        },
    }


def saas() -> dict[str, Any]:
    """The same failure seen from a SaaS deployment: no pods, escalate to Support."""
    doc = selfhosted()
    doc["deployment"] = "saas"
    doc["deployment_basis"] = "manifest"
    doc["namespace"] = None
    doc["verdict"] = {
        "class": "messaging_layer_failure",
        "confidence": 0.62,
        "subcauses": ["rpc_timeout"],
        "scores": {
            "messaging_layer_failure": 0.72,
            "resource_exhaustion": 0.0,
            "host_failure": 0.0,
        },
    }
    doc["findings"] = [f for f in doc["findings"] if f["key"] in ("stuck_in_build", "rpc_timeout")]
    doc["history"] = []
    doc["recovery"]["deployment"] = "saas"
    doc["recovery"]["namespace"] = None
    doc["recovery"]["broker_pods"] = []
    doc["recovery"]["steps"] = []
    doc["recovery"]["fixes"] = []
    doc["next_steps"] = {"kind": "escalate", "refs": ["recovery/escalation"]}
    doc["missing_sources"] = []
    doc["failed_collections"] = []
    doc["problems"] = []
    doc["unrecognised_files"] = []
    return doc


def unknown() -> dict[str, Any]:
    """No manifest: deployment unknown, collection time from archive member times."""
    doc = selfhosted()
    doc["deployment"] = "unknown"
    doc["deployment_basis"] = "unknown"
    doc["collected_at_basis"] = "archive-mtime"
    doc["bundles"] = [_bundle("archive-mtime")]
    doc["recovery"]["deployment"] = "unknown"
    doc["failed_collections"] = []
    return doc


def resource_exhaustion() -> dict[str, Any]:
    """Creates fail fast with No valid host: no broker restart."""
    m, r, h = "messaging_layer_failure", "resource_exhaustion", "host_failure"
    doc = selfhosted()
    doc["verdict"] = {
        "class": r,
        "confidence": 0.71,
        "subcauses": ["no_valid_host"],
        "scores": {m: 0.0, r: 0.8, h: 0.0},
    }
    doc["symptoms"][0].update(observed="No VM in BUILD for over ten minutes", matches=[r])
    doc["symptoms"][1].update(observed="No valid host was found", matches=[r])
    doc["findings"] = [
        {
            "key": "no_valid_host",
            "supports": r,
            "strength": 0.8,
            "subcause": True,
            "description": "",
            "facts": {
                "servers": 9,
                "server_ids": ["0b1f6a8e-1111-4c2d-9e3f-4a5b6c7d8e90"],
                "log_records": 14,
                "hosts": [],
            },
            "evidence": [
                {
                    "file": "openstack/servers-error.json",
                    "line": None,
                    "timestamp": "2026-03-02T09:20:03Z",
                    "text": "server 0b1f6a8e-1111-4c2d-9e3f-4a5b6c7d8e90 (batch-01) ERROR: "
                    "fault No valid host was found. There are not enough hosts available.",
                }
            ],
        }
    ]
    doc["history"] = []
    doc["counter_evidence"] = [
        {
            "class": m,
            "against": [
                {
                    "symptom": "Error message",
                    "observed": "No valid host was found",
                    "expected": "None, or generic timeout",
                }
            ],
        }
    ]
    doc["stuck_vms"] = []
    doc["cleanup"] = _no_cleanup()
    doc["recovery"] = {
        "deployment": "self-hosted",
        "namespace": "pcd",
        "broker_pods": [],
        "fixes": [],
        "steps": [],
        "escalation": None,
    }
    doc["prevention"] = {"batch_size": [20, 50]}
    doc["next_steps"] = {"kind": "advice", "refs": []}
    return doc


def host_failure() -> dict[str, Any]:
    """One compute host down, its running VMs stopped."""
    m, r, h = "messaging_layer_failure", "resource_exhaustion", "host_failure"
    doc = resource_exhaustion()
    doc["verdict"] = {
        "class": h,
        "confidence": 0.55,
        "subcauses": ["compute_service_down"],
        "scores": {m: 0.0, r: 0.0, h: 0.7},
    }
    doc["symptoms"][4].update(observed="No: 1 of 4 compute services down (hv-02)", matches=[h])
    doc["counter_evidence"][0]["against"].append(
        {
            "symptom": "pcdctl compute service list shows hosts up",
            "observed": "No: 1 of 4 compute services down (hv-02)",
            "expected": "Yes",
        }
    )
    doc["findings"] = [
        {
            "key": "compute_service_down",
            "supports": h,
            "strength": 0.6,
            "subcause": True,
            "description": "",
            "facts": {"down_hosts": ["hv-02"], "compute_services": 4, "down": 1},
            "evidence": [
                {
                    "file": "openstack/compute-services.json",
                    "line": 9,
                    "timestamp": "2026-03-02T08:58:00Z",
                    "text": "nova-compute on hv-02: status enabled, state down",
                }
            ],
        }
    ]
    return doc


def no_failure() -> dict[str, Any]:
    """A healthy bundle: nothing to recover."""
    m, r, h = "messaging_layer_failure", "resource_exhaustion", "host_failure"
    doc = resource_exhaustion()
    doc["verdict"] = {
        "class": "no_failure_found",
        "confidence": 0.8,
        "subcauses": [],
        "scores": {m: 0.0, r: 0.0, h: 0.0},
    }
    doc["findings"] = []
    doc["counter_evidence"] = []
    doc["cleanup"] = _no_cleanup()
    doc["next_steps"] = {"kind": "nothing", "refs": []}
    doc["missing_sources"] = []
    doc["problems"] = []
    doc["unrecognised_files"] = []
    doc["failed_collections"] = []
    doc["clock_assumptions"] = []
    return doc


def inconclusive() -> dict[str, Any]:
    """Too little data: the verdict asks for the missing sources."""
    doc = minimal()
    doc["counts"]["data_files"] = 2  # some logs, but neither server list nor services
    doc["verdict"]["subcauses"] = ["rpc_timeout", "no_valid_host"]
    doc["deployment"] = "saas"
    doc["missing_sources"] = [
        {
            "source": "servers",
            "what": "server list",
            "command": "pcdctl server list --all-projects --long -f json",
        },
        {
            "source": "services",
            "what": "compute service list",
            "command": "pcdctl compute service list --long -f json",
        },
    ]
    doc["next_steps"] = {
        "kind": "collect",
        "refs": ["missing_sources/servers", "missing_sources/services"],
    }
    return doc


def minimal() -> dict[str, Any]:
    """An empty bundle: every section there, and nothing in it (no file read: no verdict)."""
    return {
        "schema": SCHEMA,
        "generator": dict(GENERATOR),
        "bundles": [],
        "collected_at": None,
        "collected_at_basis": "unknown",
        "deployment": "unknown",
        "deployment_basis": "unknown",
        "region": None,
        "namespace": None,
        "verdict": {"class": "inconclusive", "confidence": 0.2, "subcauses": [], "scores": {}},
        "next_steps": {"kind": "advice", "refs": []},
        "symptoms": [],
        "findings": [],
        "history": [],
        "counter_evidence": [],
        "stuck_vms": [],
        "recovery": {
            "deployment": "unknown",
            "namespace": None,
            "broker_pods": [],
            "fixes": [],
            "steps": [],
            "escalation": None,
        },
        "cleanup": _no_cleanup(),
        "prevention": {"batch_size": [20, 50]},
        "missing_sources": [],
        "problems": [],
        "unrecognised_files": [],
        "failed_collections": [],
        "clock_assumptions": [],
        **NO_TIMELINE,
        "routine_messages": None,
        "counts": dict.fromkeys(
            (
                "servers",
                "build",
                "error",
                "active",
                "services",
                "compute_services",
                "services_down",
                "log_records",
                "log_records_folded",
                "pods",
                "events",
                "data_files",
            ),
            0,
        ),
    }


ALL = {
    "selfhosted": selfhosted,
    "saas": saas,
    "unknown": unknown,
    "resource_exhaustion": resource_exhaustion,
    "host_failure": host_failure,
    "no_failure": no_failure,
    "inconclusive": inconclusive,
    "minimal": minimal,
    "folded": lambda: with_routine_messages(selfhosted()),
}


def _routine_message(
    template: str,
    level: str,
    sampled: int,
    hosts: list[str],
    host_count: int,
    times: tuple[str, str],
    example: str,
    where: tuple[str, int],
) -> dict[str, Any]:
    return {
        "template": template,
        "level": level,
        "records_estimated": sampled * ROUTINE_SAMPLE_EVERY,
        "sampled": sampled,
        "hosts": hosts,
        "host_count": host_count,
        "first": times[0],
        "last": times[1],
        "example": example,
        "example_file": where[0],
        "example_line": where[1],
    }


ROUTINE_SAMPLE_EVERY = 32
HYPERVISORS = [f"hv-{i:02d}" for i in range(1, 21)]


def routine_messages() -> dict[str, Any]:
    """``routine_messages`` of a bundle whose large logs were folded: what they said."""
    return {
        "sample_every": ROUTINE_SAMPLE_EVERY,
        "folded_records": 1184220,
        "sampled": 37007,
        "templates": 41,
        "messages": [
            _routine_message(
                "nova.compute.manager [req-<id> - - - - -] [instance: <id>] "
                "Took <n> seconds to build instance.",
                "INFO",
                12566,
                HYPERVISORS[:5],
                20,
                ("2026-03-02T07:00:01.123Z", "2026-03-02T09:29:58.871Z"),
                "2026-03-02 07:00:01.123 23615 INFO nova.compute.manager "
                "[req-0d3e5f2a-7b41-4c8e-9a6d-2f1b3c4d5e6f - - - - -] "
                "[instance: 6f0d4c1e-2b7a-4e51-9d1c-0a8b7c6d5e41] Took 12.31 seconds to "
                "build instance.",
                ("hosts/hv-01/ostackhost.log", 1042),
            ),
            _routine_message(
                'oslo_concurrency.lockutils [-] Lock "compute_resources" acquired '
                'by "nova.compute.resource_tracker.ResourceTracker._update_available_resource" '
                ":: waited <n>s inner /usr/lib/python3/dist-packages/oslo_concurrency/"
                "lockutils.py:<n>",
                "DEBUG",
                9871,
                HYPERVISORS[:5],
                20,
                ("2026-03-02T07:00:00.412Z", "2026-03-02T09:30:00.397Z"),
                "2026-03-02 07:00:00.412 23615 DEBUG oslo_concurrency.lockutils [-] Lock "
                '"compute_resources" acquired by '
                '"nova.compute.resource_tracker.ResourceTracker._update_available_resource" '
                ":: waited 0.000s inner /usr/lib/python3/dist-packages/oslo_concurrency/"
                "lockutils.py:386",
                ("hosts/hv-03/ostackhost.log", 88),
            ),
            _routine_message(
                "oslo.messaging._drivers.amqpdriver [-] received reply msg_id: <id> "
                "__call__ /usr/lib/python3/dist-packages/oslo_messaging/_drivers/"
                "amqpdriver.py:<n>",
                "DEBUG",
                6204,
                ["hv-02", "hv-01", "hv-04", "hv-03"],
                4,
                ("2026-03-02T07:00:02.950Z", "2026-03-02T09:29:59.004Z"),
                "2026-03-02 07:00:02.950 23615 DEBUG oslo.messaging._drivers.amqpdriver [-] "
                "received reply msg_id: 5b0a8c2e1f3d4a6b9c7e0d2f4a6b8c1e __call__ "
                "/usr/lib/python3/dist-packages/oslo_messaging/_drivers/amqpdriver.py:393",
                ("hosts/hv-02/ostackhost.log", 5120),
            ),
            _routine_message(
                "nova.scheduler.host_manager [req-<id> - - - - -] Successfully "
                "synced instances from host '<id>'.",
                "INFO",
                3,
                ["scheduler-0"],
                1,
                ("2026-03-02T08:12:40Z", "2026-03-02T09:02:11Z"),
                "2026-03-02 08:12:40.001 7 INFO nova.scheduler.host_manager "
                "[req-9c1f2e3d-4a5b-4c6d-8e7f-0a1b2c3d4e5f - - - - -] Successfully synced "
                "instances from host 'hv-07'.",
                ("pods/nova-scheduler-0/nova-scheduler.log", 20311),
            ),
        ],
    }


def with_routine_messages(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (a sample) as if its large logs had been folded: ``routine_messages`` set
    and the folded records counted among the log records read."""
    routine = routine_messages()
    doc["routine_messages"] = routine
    doc["counts"]["log_records"] += routine["folded_records"]
    doc["counts"]["log_records_folded"] = routine["folded_records"]
    return doc
