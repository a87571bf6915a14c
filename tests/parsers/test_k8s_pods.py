"""kubectl get pods: JSON list, single Pod, text table (plain, -A, -o wide); never raises."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import conform
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers.base import ParseResult
from analyzer.parsers.k8s_pod_view import ContainerView, PodView, kubectl_status
from analyzer.parsers.k8s_pods import SPEC, parse, sniff

COLLECTED = datetime(2026, 3, 2, 9, 31, 0, tzinfo=UTC)


def _pod(
    name: str, status: dict, spec_extra: dict | None = None, meta_extra: dict | None = None
) -> dict:
    spec = {
        "containers": [
            {
                "image": "docker.io/bitnami/rabbitmq:3.12.13",
                "name": "rabbitmq",
                "resources": {"limits": {"memory": "2Gi"}, "requests": {"cpu": "500m"}},
            }
        ],
        "nodeName": "mgmt-node-2",
        "restartPolicy": "Always",
    }
    spec.update(spec_extra or {})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "creationTimestamp": "2026-03-02T08:01:10Z",
            "labels": {"app.kubernetes.io/name": "rabbitmq"},
            "name": name,
            "namespace": "pcd",
            "uid": "3f1b7c2e-8d4a-4e6b-9c0f-2a5d7e9b1c3f",
            **(meta_extra or {}),
        },
        "spec": spec,
        "status": status,
    }


CRASHLOOP_STATUS = {
    "conditions": [
        {"lastTransitionTime": "2026-03-02T08:01:21Z", "status": "True", "type": "Initialized"},
        {
            "lastTransitionTime": "2026-03-02T09:26:04Z",
            "message": "containers with unready status: [rabbitmq]",
            "reason": "ContainersNotReady",
            "status": "False",
            "type": "Ready",
        },
    ],
    "containerStatuses": [
        {
            "containerID": "containerd://1f2e3d4c5b6a7988",
            "image": "docker.io/bitnami/rabbitmq:3.12.13",
            "lastState": {
                "terminated": {
                    "containerID": "containerd://0a1b2c3d4e5f",
                    "exitCode": 137,
                    "finishedAt": "2026-03-02T09:26:03Z",
                    "reason": "OOMKilled",
                    "startedAt": "2026-03-02T09:22:40Z",
                }
            },
            "name": "rabbitmq",
            "ready": False,
            "restartCount": 12,
            "started": False,
            "state": {
                "waiting": {
                    "message": "back-off 5m0s restarting failed container=rabbitmq "
                    "pod=rabbitmq-0_pcd(3f1b7c2e-8d4a-4e6b-9c0f-2a5d7e9b1c3f)",
                    "reason": "CrashLoopBackOff",
                }
            },
        }
    ],
    "hostIP": "10.0.0.12",
    "initContainerStatuses": [
        {
            "name": "setup-container",
            "ready": True,
            "restartCount": 0,
            "state": {
                "terminated": {
                    "exitCode": 0,
                    "finishedAt": "2026-03-02T08:01:20Z",
                    "reason": "Completed",
                    "startedAt": "2026-03-02T08:01:20Z",
                }
            },
        }
    ],
    "phase": "Running",
    "podIP": "10.244.2.17",
    "qosClass": "Burstable",
    "startTime": "2026-03-02T08:01:12Z",
}

RUNNING_STATUS = {
    "conditions": [{"status": "True", "type": "Ready"}],
    "containerStatuses": [
        {
            "lastState": {},
            "name": "nova-conductor",
            "ready": True,
            "restartCount": 0,
            "started": True,
            "state": {"running": {"startedAt": "2026-02-27T07:13:02Z"}},
        }
    ],
    "phase": "Running",
}

PENDING_STATUS = {
    "conditions": [
        {
            "message": "0/3 nodes are available: 3 Insufficient memory.",
            "reason": "Unschedulable",
            "status": "False",
            "type": "PodScheduled",
        }
    ],
    "phase": "Pending",
    "qosClass": "Burstable",
}

CONDUCTOR_SPEC = {
    "containers": [{"name": "nova-conductor", "resources": {"limits": {"memory": "1Gi"}}}],
    "nodeName": "mgmt-node-1",
}


def _list(*items: dict) -> str:
    doc = {
        "apiVersion": "v1",
        "items": list(items),
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }
    return json.dumps(doc, indent=4, sort_keys=True)


PODS_JSON = _list(
    _pod("rabbitmq-0", CRASHLOOP_STATUS, {"initContainers": [{"name": "setup-container"}]}),
    _pod("nova-conductor-6b9f7d8c5-4kx2q", RUNNING_STATUS, CONDUCTOR_SPEC),
    _pod("broker-1", PENDING_STATUS, {"nodeName": None}),
)

TABLE = """\
NAME                             READY   STATUS             RESTARTS         AGE
rabbitmq-0                       0/1     CrashLoopBackOff   12 (2m13s ago)   85m
nova-conductor-6b9f7d8c5-4kx2q   1/1     Running            0                3d
broker-1                         0/1     Pending            0                4m
"""

TABLE_ALL_WIDE = """\
NAMESPACE       NAME                             READY   STATUS      RESTARTS       AGE     IP            NODE          NOMINATED NODE   READINESS GATES
pcd-community   rabbitmq-0                       0/1     OOMKilled   3 (45s ago)    2d14h   10.244.2.17   mgmt-node-2   <none>           <none>
pcd-community   nova-scheduler-5c7d9f8b6-z8w2m   1/1     Running     0              2d14h   10.244.1.12   mgmt-node-1   <none>           <none>
pcd-community   nova-api-osapi-7f6d5c4b3-q9r8t   0/1     Pending     0              5m      <none>        <none>        <none>           <none>
"""


def _parse(
    text: str | bytes, collected: datetime | None = COLLECTED, path: str = "x"
) -> ParseResult:
    data = text.encode() if isinstance(text, str) else text
    src = SourceFile(bundle="b", path=path, data=data)
    ctx = SourceContext(bundle="b", path=path, host=None, utc_offset=None, collected_at=collected)
    return parse(src, ctx)


def _pods(result: ParseResult) -> pd.DataFrame:
    return conform("pods", result.tables["pods"])


def test_json_list_one_row_per_container() -> None:
    result = _parse(PODS_JSON, path="kubernetes/pods.json")
    assert result.problems == []
    pods = _pods(result)
    assert list(pods["pod"]) == ["rabbitmq-0", "nova-conductor-6b9f7d8c5-4kx2q", "broker-1"]
    assert list(pods["container"].fillna("-")) == ["rabbitmq", "nova-conductor", "-"]
    assert set(pods["file"]) == {"kubernetes/pods.json"}
    lines = PODS_JSON.splitlines()
    for line in pods["line"]:
        assert lines[line - 1] == "        {"
    assert pods["line"].is_monotonic_increasing


def test_json_crashloop_after_oomkill() -> None:
    row = _pods(_parse(PODS_JSON)).iloc[0]
    assert row["namespace"] == "pcd"
    assert row["node"] == "mgmt-node-2"
    assert row["phase"] == "Running"
    assert row["status"] == "CrashLoopBackOff"
    assert row["state"] == "waiting"
    assert row["reason"] == "CrashLoopBackOff"
    assert row["message"].startswith("back-off 5m0s restarting failed container=rabbitmq")
    assert not row["ready"]
    assert row["restart_count"] == 12
    assert row["last_reason"] == "OOMKilled"
    assert row["last_exit_code"] == 137
    assert row["last_finished_at"] == pd.Timestamp("2026-03-02T09:26:03Z")
    assert pd.isna(row["started_at"])
    assert row["memory_limit"] == "2Gi"


def test_json_running_and_pending() -> None:
    pods = _pods(_parse(PODS_JSON))
    running, pending = pods.iloc[1], pods.iloc[2]
    assert running["status"] == "Running"
    assert running["ready"]
    assert running["state"] == "running"
    assert running["started_at"] == pd.Timestamp("2026-02-27T07:13:02Z")
    assert running["memory_limit"] == "1Gi"
    assert pd.isna(running["last_reason"])
    assert pending["status"] == "Pending"
    assert pending["phase"] == "Pending"
    assert pd.isna(pending["node"])
    assert pd.isna(pending["container"])


def test_single_pod_object() -> None:
    text = json.dumps(_pod("rabbitmq-0", CRASHLOOP_STATUS), indent=4)
    pods = _pods(_parse(text))
    assert list(pods["pod"]) == ["rabbitmq-0"]
    assert pods.iloc[0]["line"] == 1


def test_owner_is_the_controlling_reference() -> None:
    refs = [
        {"apiVersion": "v1", "kind": "Node", "name": "mgmt-node-2", "uid": "1"},
        {
            "apiVersion": "apps/v1",
            "blockOwnerDeletion": True,
            "controller": True,
            "kind": "StatefulSet",
            "name": "rabbitmq",
            "uid": "2",
        },
    ]
    owned = _pod("rabbitmq-0", CRASHLOOP_STATUS, meta_extra={"ownerReferences": refs})
    assert _pods(_parse(json.dumps(owned))).iloc[0]["owner"] == "StatefulSet/rabbitmq"
    # a bare pod has no owner
    assert pd.isna(_pods(_parse(json.dumps(_pod("x", CRASHLOOP_STATUS)))).iloc[0]["owner"])


def test_compact_json_lines_fall_back_to_one() -> None:
    text = json.dumps(json.loads(PODS_JSON))
    pods = _pods(_parse(text))
    assert set(pods["line"]) == {1}


def test_terminated_oomkilled_and_terminating() -> None:
    oom = {
        "containerStatuses": [
            {
                "name": "rabbitmq",
                "ready": False,
                "restartCount": 3,
                "state": {
                    "terminated": {
                        "exitCode": 137,
                        "reason": "OOMKilled",
                        "startedAt": "2026-03-02T09:22:40Z",
                        "finishedAt": "2026-03-02T09:26:03Z",
                    }
                },
            }
        ],
        "phase": "Running",
    }
    deleting = {"deletionTimestamp": "2026-03-02T09:30:00Z", "deletionGracePeriodSeconds": 30}
    text = _list(_pod("rabbitmq-0", oom), _pod("rabbitmq-1", RUNNING_STATUS, None, deleting))
    pods = _pods(_parse(text))
    first, second = pods.iloc[0], pods.iloc[1]
    assert first["status"] == "OOMKilled"
    assert first["state"] == "terminated"
    assert first["reason"] == "OOMKilled"
    assert first["started_at"] == pd.Timestamp("2026-03-02T09:22:40Z")
    assert second["status"] == "Terminating"


def test_init_container_status() -> None:
    status = {
        "conditions": [{"status": "False", "type": "Initialized"}],
        "initContainerStatuses": [
            {
                "name": "wait-for-broker",
                "ready": False,
                "restartCount": 0,
                "state": {"running": {"startedAt": "2026-03-02T09:20:00Z"}},
            },
            {
                "name": "db-sync",
                "ready": False,
                "restartCount": 0,
                "state": {"waiting": {"reason": "PodInitializing"}},
            },
        ],
        "containerStatuses": [
            {
                "name": "nova-conductor",
                "ready": False,
                "restartCount": 0,
                "state": {"waiting": {"reason": "PodInitializing"}},
            },
        ],
        "phase": "Pending",
    }
    spec = {"initContainers": [{"name": "wait-for-broker"}, {"name": "db-sync"}]}
    pods = _pods(_parse(_list(_pod("nova-conductor-0", status, spec))))
    assert list(pods["container"]) == ["wait-for-broker", "db-sync", "nova-conductor"]
    assert set(pods["status"]) == {"Init:0/2"}


@pytest.mark.parametrize(
    ("containers", "extra", "expected"),
    [
        ([ContainerView("c", state="waiting", reason="ImagePullBackOff")], {}, "ImagePullBackOff"),
        ([ContainerView("c", state="terminated", exit_code=1)], {}, "ExitCode:1"),
        ([ContainerView("c", state="terminated", signal=9)], {}, "Signal:9"),
        (
            [ContainerView("c", init=True, state="terminated", reason="Error", exit_code=1)],
            {"init_total": 1},
            "Init:Error",
        ),
        (
            [ContainerView("c", state="running", ready=True)],
            {"reason": "NodeLost", "deleting": True},
            "Unknown",
        ),
        (
            [
                ContainerView("c", state="terminated", reason="Completed", exit_code=0),
                ContainerView("d", state="running", ready=True),
            ],
            {"ready_condition": True},
            "Running",
        ),
        (
            [
                ContainerView("c", state="terminated", reason="Completed", exit_code=0),
                ContainerView("d", state="running", ready=True),
            ],
            {},
            "NotReady",
        ),
        ([], {"reason": "Evicted", "phase": "Failed"}, "Evicted"),
        ([], {"scheduling_gated": True}, "SchedulingGated"),
        ([], {"phase": "Succeeded", "deleting": True}, "Succeeded"),
    ],
)
def test_kubectl_status(containers: list[ContainerView], extra: dict, expected: str) -> None:
    pod = PodView(name="p", phase=extra.pop("phase", "Running"), containers=containers, **extra)
    assert kubectl_status(pod) == expected


def test_text_table() -> None:
    result = _parse(TABLE, path="kubernetes/pods.txt")
    assert result.problems == []
    pods = _pods(result)
    assert list(pods["pod"]) == ["rabbitmq-0", "nova-conductor-6b9f7d8c5-4kx2q", "broker-1"]
    assert pods["container"].isna().all()
    assert list(pods["line"]) == [2, 3, 4]
    rabbit = pods.iloc[0]
    assert rabbit["status"] == "CrashLoopBackOff"
    assert pd.isna(rabbit["phase"])
    assert not rabbit["ready"]
    assert rabbit["restart_count"] == 12
    assert rabbit["last_finished_at"] == pd.Timestamp(COLLECTED - timedelta(minutes=2, seconds=13))
    assert pods.iloc[1]["ready"]
    assert pods.iloc[1]["phase"] == "Running"
    assert pd.isna(pods.iloc[1]["last_finished_at"])


def test_text_table_without_collection_time() -> None:
    pods = _pods(_parse(TABLE, collected=None))
    assert pods.iloc[0]["restart_count"] == 12
    assert pods["last_finished_at"].isna().all()


def test_text_table_all_namespaces_wide() -> None:
    result = _parse(TABLE_ALL_WIDE)
    assert result.problems == []
    pods = _pods(result)
    assert set(pods["namespace"]) == {"pcd-community"}
    assert list(pods["node"].fillna("-")) == ["mgmt-node-2", "mgmt-node-1", "-"]
    assert pods.iloc[0]["status"] == "OOMKilled"
    assert pods.iloc[0]["restart_count"] == 3
    assert pods.iloc[0]["last_finished_at"] == pd.Timestamp(COLLECTED - timedelta(seconds=45))


def test_text_table_collapsed_whitespace_and_junk() -> None:
    text = (
        "NAME READY STATUS RESTARTS AGE\n"
        "rabbitmq-0 0/1 CrashLoopBackOff 12 (2m13s ago) 85m\n"
        "some pasted junk line\n"
    )
    result = _parse(text)
    pods = _pods(result)
    assert list(pods["pod"]) == ["rabbitmq-0"]
    assert pods.iloc[0]["restart_count"] == 12
    assert len(result.problems) == 1
    assert "line 3" in result.problems[0].problem


def test_text_two_tables_and_no_resources() -> None:
    text = TABLE + "\nNo resources found in pcd namespace.\n" + TABLE_ALL_WIDE
    result = _parse(text)
    pods = _pods(result)
    assert len(pods) == 6
    assert len(result.problems) == 1  # the 'No resources found' line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PODS_JSON, True),
        (json.dumps(_pod("rabbitmq-0", RUNNING_STATUS)), True),
        (TABLE, True),
        ("\n" + TABLE_ALL_WIDE, True),
        (
            '{"apiVersion": "v1", "items": [{"involvedObject": {"kind": "Pod"}, "kind": "Event"}]}',
            False,
        ),
        ("LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\n", False),
        ("Name:  rabbitmq-0\nNamespace:  pcd\n", False),
        ('[{"ID": "6f0d4c1e", "Name": "web-07", "Status": "BUILD"}]', False),
        ("NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n", False),
        ("", False),
    ],
)
def test_sniff(text: str, expected: bool) -> None:
    assert sniff(text) is expected


def test_spec() -> None:
    assert SPEC.kind == "k8s_pods"
    assert SPEC.tables == ("pods",)
    assert SPEC.matches_path("kubernetes/pods.json")
    assert SPEC.matches_path("kubernetes/pods.txt")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"{not json", "invalid JSON"),
        (b'{"kind": "Service"}', "not a pod list"),
        (b"[1, 2, null]", "not Pod objects"),
        (b"\x00\xff\xfe\x89PNG", "no `kubectl get pods` table"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_bad_content_becomes_problem(data: bytes, problem: str) -> None:
    result = _parse(data)
    assert any(problem in p.problem for p in result.problems)


@pytest.mark.parametrize(
    "status",
    [
        {"containerStatuses": "nope", "phase": 7},
        {
            "containerStatuses": [
                {
                    "name": 5,
                    "restartCount": 10**30,
                    "ready": "yes",
                    "state": {"terminated": "x"},
                    "lastState": [],
                }
            ]
        },
        {"containerStatuses": [{"state": {"running": {"startedAt": "2999-01-01T00:00:00Z"}}}]},
        {"containerStatuses": [{"state": {"running": {"startedAt": "1970-01-01T00:00:00Z"}}}]},
        {"containerStatuses": [{"state": {"running": {"startedAt": "0001-01-01T00:00:00Z"}}}]},
        {"containerStatuses": [{"state": {"running": {"startedAt": "yesterday"}}}]},
    ],
)
def test_odd_json_values_never_raise(status: dict) -> None:
    result = _parse(_list(_pod("rabbitmq-0", status)))
    conform("pods", result.tables["pods"])


def test_out_of_range_timestamps_reported() -> None:
    status = {
        "containerStatuses": [
            {"name": "c", "state": {"running": {"startedAt": "2999-01-01T00:00:00Z"}}}
        ]
    }
    result = _parse(_list(_pod("rabbitmq-0", status)))
    assert pd.isna(_pods(result).iloc[0]["started_at"])
    assert any("timestamps" in p.problem for p in result.problems)


def test_large_single_line_never_raises() -> None:
    result = _parse("x" * 50_000_000)
    assert result.problems


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "items",
                        "kind",
                        "metadata",
                        "spec",
                        "status",
                        "containerStatuses",
                        "state",
                        "name",
                        "restartCount",
                        "running",
                        "waiting",
                        "terminated",
                        "startedAt",
                        "phase",
                    ]
                ),
                children,
                max_size=5,
            )
        ),
        max_leaves=30,
    )
)
def test_arbitrary_json_never_raises(doc: object) -> None:
    result = _parse(json.dumps(doc))
    for table, frame in result.tables.items():
        conform(table, frame)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(TABLE_ALL_WIDE.splitlines() + TABLE.splitlines() + ["", " "]), max_size=30
    )
)
def test_shuffled_table_lines_never_raise(lines: list[str]) -> None:
    result = _parse("\n".join(lines))
    for table, frame in result.tables.items():
        conform(table, frame)


def test_module_docstring_table_parses() -> None:
    import analyzer.parsers.k8s_pods as module

    doc = module.__doc__ or ""
    block = doc.split("READINESS GATES after AGE)::\n\n", 1)[1].split("\n\n", 1)[0]
    sample = "\n".join(line[4:] for line in block.splitlines())
    assert sniff(sample)
    result = _parse(sample)
    assert result.problems == []
    assert list(_pods(result)["status"]) == ["CrashLoopBackOff", "Running"]


def test_pasted_prompt_before_json_and_table() -> None:
    prompt = "[root@admin-ws ~]# kubectl -n pcd get pods -o json\n"
    text = prompt + PODS_JSON
    assert sniff(text)
    pods = _pods(_parse(text))
    assert len(pods) == 3
    assert text.splitlines()[pods.iloc[0]["line"] - 1] == "        {"
    table = "[root@admin-ws ~]# kubectl -n pcd get pods\n" + TABLE
    assert sniff(table)
    result = _parse(table)
    assert result.problems == []
    assert list(_pods(result)["line"]) == [3, 4, 5]
