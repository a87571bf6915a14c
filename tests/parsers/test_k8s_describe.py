"""kubectl describe pod: containers, states, Events table; never raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import conform
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers.base import ParseResult
from analyzer.parsers.k8s_describe import SPEC, parse, sniff

COLLECTED = datetime(2026, 3, 2, 9, 31, 0, tzinfo=UTC)

RABBITMQ = """\
Name:             rabbitmq-0
Namespace:        pcd
Priority:         0
Service Account:  rabbitmq
Node:             mgmt-node-2/10.0.0.12
Start Time:       Mon, 02 Mar 2026 08:01:12 +0000
Labels:           app.kubernetes.io/instance=rabbitmq
                  app.kubernetes.io/name=rabbitmq
                  controller-revision-hash=rabbitmq-5d8f7c9b6
                  statefulset.kubernetes.io/pod-name=rabbitmq-0
Annotations:      checksum/config: 4f1c2b7e9d0a3c5e8b6f1d2a7c9e0b3d4f5a6c7e8d9b0a1c2e3f4a5b6c7d8e9f
Status:           Running
IP:               10.244.2.17
IPs:
  IP:           10.244.2.17
Controlled By:  StatefulSet/rabbitmq
Init Containers:
  setup-container:
    Container ID:  containerd://9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
    Image:         docker.io/bitnami/rabbitmq:3.12.13
    Image ID:      docker.io/bitnami/rabbitmq@sha256:0d5e3c1b2a4f6e8d0c2b4a6f8e0d2c4b6a8f0e2d4c6b8a0f2e4d6c8b0a2f4e6d
    Port:          <none>
    Host Port:     <none>
    Command:
      sh
      -c
      cp /tmp/erlang-cookie-secret/.erlang.cookie /var/lib/rabbitmq/.erlang.cookie
    State:          Terminated
      Reason:       Completed
      Exit Code:    0
      Started:      Mon, 02 Mar 2026 08:01:20 +0000
      Finished:     Mon, 02 Mar 2026 08:01:20 +0000
    Ready:          True
    Restart Count:  0
    Limits:
      cpu:     100m
      memory:  128Mi
    Requests:
      cpu:        100m
      memory:     128Mi
    Environment:  <none>
    Mounts:
      /var/lib/rabbitmq/ from rabbitmq-erlang-cookie (rw)
Containers:
  rabbitmq:
    Container ID:   containerd://1f2e3d4c5b6a79880f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a6978
    Image:          docker.io/bitnami/rabbitmq:3.12.13
    Image ID:       docker.io/bitnami/rabbitmq@sha256:0d5e3c1b2a4f6e8d0c2b4a6f8e0d2c4b6a8f0e2d4c6b8a0f2e4d6c8b0a2f4e6d
    Ports:          5672/TCP, 15672/TCP, 25672/TCP, 4369/TCP
    Host Ports:     0/TCP, 0/TCP, 0/TCP, 0/TCP
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Started:      Mon, 02 Mar 2026 09:22:40 +0000
      Finished:     Mon, 02 Mar 2026 09:26:03 +0000
    Ready:          False
    Restart Count:  12
    Limits:
      memory:  2Gi
    Requests:
      cpu:      500m
      memory:   1Gi
    Liveness:   exec [rabbitmq-diagnostics -q ping] delay=120s timeout=20s period=30s #success=1 #failure=6
    Readiness:  exec [rabbitmq-diagnostics -q check_running] delay=10s timeout=20s period=30s #success=1 #failure=3
    Environment:
      MY_POD_IP:               (v1:status.podIP)
      MY_POD_NAME:            rabbitmq-0 (v1:metadata.name)
      RABBITMQ_PASSWORD:      <set to the key 'rabbitmq-password' in secret 'rabbitmq'>  Optional: false
      RABBITMQ_VM_MEMORY_HIGH_WATERMARK:  0.4
    Mounts:
      /bitnami/rabbitmq/mnesia from data (rw)
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-x7k2p (ro)
Conditions:
  Type              Status
  Initialized       True
  Ready             False
  ContainersReady   False
  PodScheduled      True
Volumes:
  data:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  data-rabbitmq-0
    ReadOnly:   false
  configuration:
    Type:      ConfigMap (a volume populated by a ConfigMap)
    Name:      rabbitmq-config
    Optional:  false
QoS Class:                   Burstable
Node-Selectors:              <none>
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type     Reason     Age                  From     Message
  ----     ------     ----                 ----     -------
  Normal   Pulled     12m (x13 over 85m)   kubelet  Container image "docker.io/bitnami/rabbitmq:3.12.13" already present on machine
  Warning  Unhealthy  9m (x30 over 84m)    kubelet  Readiness probe failed: Error: unable to perform an operation on node 'rabbit@rabbitmq-0.rabbitmq-headless.pcd.svc.cluster.local'. Please see diagnostics information and suggestions below.
  Warning  OOMKilling  5m                  kernel-monitor  Memory cgroup out of memory: Killed process 48211 (beam.smp)
  Warning  BackOff    4m35s (x41 over 1h)  kubelet  Back-off restarting failed container rabbitmq in pod rabbitmq-0_pcd(3f1b7c2e-8d4a-4e6b-9c0f-2a5d7e9b1c3f)
"""

CONDUCTOR = """\
Name:             nova-conductor-6b9f7d8c5-4kx2q
Namespace:        pcd
Priority:         0
Node:             mgmt-node-1/10.0.0.11
Start Time:       Fri, 27 Feb 2026 07:12:40 +0000
Labels:           app=nova-conductor
Status:           Running
IP:               10.244.1.9
Controlled By:  ReplicaSet/nova-conductor-6b9f7d8c5
Containers:
  nova-conductor:
    Container ID:   containerd://77aa88bb99cc00dd11ee22ff33aa44bb55cc66dd77ee88ff99aa00bb11cc22dd
    Image:          quay.io/platform9/nova:2025.1
    State:          Running
      Started:      Fri, 27 Feb 2026 07:13:02 +0000
    Ready:          True
    Restart Count:  0
    Limits:
      cpu:     2
      memory:  1Gi
Conditions:
  Type              Status
  Initialized       True
  Ready             True
Events:                      <none>
"""

# kubectl 1.8-era describe: tab-separated, FirstSeen/LastSeen/Count/SubObjectPath columns
OLD_TABS = (
    "Name:\t\trabbitmq-0\n"
    "Namespace:\tpcd\n"
    "Node:\t\tmgmt-node-2/10.0.0.12\n"
    "Start Time:\tMon, 02 Mar 2026 08:01:12 +0000\n"
    "Status:\t\tRunning\n"
    "Containers:\n"
    "  rabbitmq:\n"
    "    Image:\t\trabbitmq:3.6.16\n"
    "    State:\t\tRunning\n"
    "      Started:\t\tMon, 02 Mar 2026 09:27:01 +0000\n"
    "    Last State:\t\tTerminated\n"
    "      Reason:\t\tOOMKilled\n"
    "      Exit Code:\t137\n"
    "      Started:\t\tMon, 02 Mar 2026 09:22:40 +0000\n"
    "      Finished:\t\tMon, 02 Mar 2026 09:26:03 +0000\n"
    "    Ready:\t\tTrue\n"
    "    Restart Count:\t3\n"
    "Events:\n"
    "  FirstSeen\tLastSeen\tCount\tFrom\t\t\tSubObjectPath\t\t\tType\t\tReason\t\tMessage\n"
    "  ---------\t--------\t-----\t----\t\t\t-------------\t\t\t--------\t------\t\t-------\n"
    "  1h\t\t5m\t\t4\t{kubelet mgmt-node-2}\tspec.containers{rabbitmq}\tNormal\t\tPulled"
    '\t\tContainer image "rabbitmq:3.6.16" already present on machine\n'
)

NEW_FIELD_PATH = """\
Name:         rabbitmq-0
Namespace:    pcd
Node:         <none>
Status:       Pending
Containers:
  rabbitmq:
    Image:      docker.io/bitnami/rabbitmq:3.12.13
    State:      Waiting
      Reason:   ContainerCreating
    Ready:      False
    Restart Count:  0
Events:
  Type     Reason            Age    From               Message
  ----     ------            ----   ----               -------
  Warning  FailedScheduling  2m13s  default-scheduler  0/3 nodes are available: 3 Insufficient memory.
  Normal   Killing           <unknown>  kubelet        spec.containers{rabbitmq}: Stopping container rabbitmq
"""


def _parse(
    text: str | bytes, collected: datetime | None = COLLECTED, path: str = "p.txt"
) -> ParseResult:
    data = text.encode() if isinstance(text, str) else text
    src = SourceFile(bundle="b", path=path, data=data)
    ctx = SourceContext(bundle="b", path=path, host=None, utc_offset=None, collected_at=collected)
    return parse(src, ctx)


def _pods(result: ParseResult) -> pd.DataFrame:
    return conform("pods", result.tables["pods"])


def _events(result: ParseResult) -> pd.DataFrame:
    return conform("events", result.tables["events"])


def test_rabbitmq_oomkilled_crashloop() -> None:
    result = _parse(RABBITMQ, path="kubernetes/describe/rabbitmq-0.txt")
    assert result.problems == []
    pods = _pods(result)
    assert list(pods["container"]) == ["rabbitmq"]  # completed init container left out
    row = pods.iloc[0]
    assert row["namespace"] == "pcd"
    assert row["pod"] == "rabbitmq-0"
    assert row["node"] == "mgmt-node-2"
    assert row["phase"] == "Running"
    assert row["status"] == "CrashLoopBackOff"
    assert row["state"] == "waiting"
    assert row["reason"] == "CrashLoopBackOff"
    assert not row["ready"]
    assert row["restart_count"] == 12
    assert row["last_reason"] == "OOMKilled"
    assert row["last_exit_code"] == 137
    assert row["last_finished_at"] == pd.Timestamp("2026-03-02T09:26:03Z")
    assert pd.isna(row["started_at"])
    assert row["memory_limit"] == "2Gi"
    assert row["owner"] == "StatefulSet/rabbitmq"  # Controlled By:
    assert row["file"] == "kubernetes/describe/rabbitmq-0.txt"
    assert RABBITMQ.splitlines()[row["line"] - 1] == "  rabbitmq:"


def test_rabbitmq_events_against_collection_time() -> None:
    events = _events(_parse(RABBITMQ))
    assert list(events["reason"]) == ["Pulled", "Unhealthy", "OOMKilling", "BackOff"]
    assert set(events["object_kind"]) == {"Pod"}
    assert set(events["object_name"]) == {"rabbitmq-0"}
    assert set(events["namespace"]) == {"pcd"}
    assert events["approximate"].all()
    backoff = events.iloc[3]
    assert backoff["type"] == "Warning"
    assert backoff["count"] == 41
    assert backoff["timestamp"] == pd.Timestamp(COLLECTED - timedelta(minutes=4, seconds=35))
    assert backoff["first_timestamp"] == pd.Timestamp(COLLECTED - timedelta(hours=1))
    assert backoff["message"].startswith("Back-off restarting failed container rabbitmq in pod")
    assert RABBITMQ.splitlines()[backoff["line"] - 1].startswith("  Warning  BackOff")
    oom = events.iloc[2]
    assert oom["count"] == 1
    assert oom["timestamp"] == oom["first_timestamp"]
    assert oom["message"].startswith("Memory cgroup out of memory")
    unhealthy = events.iloc[1]
    assert unhealthy["message"].startswith("Readiness probe failed: Error: unable to perform")


def test_events_without_collection_time_have_no_times() -> None:
    events = _events(_parse(RABBITMQ, collected=None))
    assert len(events) == 4
    assert events["timestamp"].isna().all()
    assert events["first_timestamp"].isna().all()
    assert list(events["count"]) == [13, 30, 1, 41]


def test_several_pods_concatenated() -> None:
    result = _parse(RABBITMQ + "\n\n" + CONDUCTOR)
    assert result.problems == []
    pods = _pods(result)
    assert list(pods["pod"]) == ["rabbitmq-0", "nova-conductor-6b9f7d8c5-4kx2q"]
    conductor = pods.iloc[1]
    assert conductor["status"] == "Running"
    assert conductor["state"] == "running"
    assert conductor["ready"]
    assert conductor["started_at"] == pd.Timestamp("2026-02-27T07:13:02Z")
    assert conductor["memory_limit"] == "1Gi"
    assert set(_events(result)["object_name"]) == {"rabbitmq-0"}  # <none> for the conductor


def test_old_tab_separated_describe() -> None:
    result = _parse(OLD_TABS)
    assert result.problems == []
    row = _pods(result).iloc[0]
    assert (row["pod"], row["namespace"], row["node"]) == ("rabbitmq-0", "pcd", "mgmt-node-2")
    assert row["state"] == "running"
    assert row["status"] == "Running"
    assert row["restart_count"] == 3
    assert row["last_reason"] == "OOMKilled"
    assert row["last_exit_code"] == 137
    event = _events(result).iloc[0]
    assert event["reason"] == "Pulled"
    assert event["type"] == "Normal"
    assert event["count"] == 4
    assert event["timestamp"] == pd.Timestamp(COLLECTED - timedelta(minutes=5))
    assert event["first_timestamp"] == pd.Timestamp(COLLECTED - timedelta(hours=1))
    assert event["message"] == 'Container image "rabbitmq:3.6.16" already present on machine'


def test_field_path_prefix_stripped_and_unknown_age() -> None:
    result = _parse(NEW_FIELD_PATH)
    assert result.problems == []
    row = _pods(result).iloc[0]
    assert pd.isna(row["node"])
    assert row["status"] == "ContainerCreating"
    events = _events(result)
    assert list(events["reason"]) == ["FailedScheduling", "Killing"]
    assert events.iloc[1]["message"] == "Stopping container rabbitmq"
    assert pd.isna(events.iloc[1]["timestamp"])
    assert events.iloc[0]["timestamp"] == pd.Timestamp(COLLECTED - timedelta(minutes=2, seconds=13))


def test_terminating_pod() -> None:
    text = CONDUCTOR.replace(
        "Status:           Running",
        "Status:           Terminating (lasts 2m3s)\nTermination Grace Period:  30s",
    )
    row = _pods(_parse(text)).iloc[0]
    assert row["status"] == "Terminating"
    assert pd.isna(row["phase"])


def test_pending_pod_without_containers_section() -> None:
    text = "Name:  broker-0\nNamespace:  pcd-community\nNode:  <none>\nStatus:  Pending\n"
    pods = _pods(_parse(text))
    assert len(pods) == 1
    assert pd.isna(pods.iloc[0]["container"])
    assert pods.iloc[0]["status"] == "Pending"
    assert pods.iloc[0]["line"] == 1


def test_init_container_crashing_shows_init_status() -> None:
    text = RABBITMQ.replace(
        "    State:          Terminated\n      Reason:       Completed\n      Exit Code:    0\n",
        "    State:          Waiting\n      Reason:       CrashLoopBackOff\n",
    ).replace("  Initialized       True", "  Initialized       False")
    pods = _pods(_parse(text))
    assert list(pods["container"]) == ["setup-container", "rabbitmq"]
    assert set(pods["status"]) == {"Init:CrashLoopBackOff"}


def test_bad_dates_become_problems() -> None:
    text = RABBITMQ.replace(
        "Finished:     Mon, 02 Mar 2026 09:26:03 +0000",
        "Finished:     Sat, 02 Mar 2999 09:26:03 +0000",
    ).replace("Started:      Mon, 02 Mar 2026 09:22:40 +0000", "Started:      yesterday")
    result = _parse(text)
    row = _pods(result).iloc[0]
    assert pd.isna(row["last_finished_at"])
    assert any("timestamps" in p.problem for p in result.problems)


def test_year_one_and_1970_dates() -> None:
    text = RABBITMQ.replace(
        "Finished:     Mon, 02 Mar 2026 09:26:03 +0000",
        "Finished:     Mon, 01 Jan 0001 00:00:00 +0000",
    ).replace(
        "Started:      Mon, 02 Mar 2026 09:22:40 +0000",
        "Started:      Thu, 01 Jan 1970 00:00:00 +0000",
    )
    result = _parse(text)
    assert result.problems == []
    assert pd.isna(_pods(result).iloc[0]["last_finished_at"])


def test_unreadable_event_lines_reported() -> None:
    text = CONDUCTOR.replace(
        "Events:                      <none>\n",
        "Events:\n  Type  Reason  Age  From  Message\n  ----  ------  ----  ----  -------\n"
        "  this is not an event row\n",
    )
    result = _parse(text)
    assert len(result.problems) == 1
    assert "Events" in result.problems[0].problem
    assert "events" not in result.tables


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (RABBITMQ, True),
        ("\n\n" + CONDUCTOR, True),
        (OLD_TABS, True),
        ("Name:  broker-0\nNamespace:  pcd\nNode:  <none>\nStatus:  Pending\n", True),
        # a Deployment describe has Containers: under Pod Template:
        (
            "Name:  nova-api\nNamespace:  pcd\nSelector:  app=nova-api\n"
            "Pod Template:\n  Labels:  app=nova-api\n  Containers:\n   nova-api:\n",
            False,
        ),
        # a PVC describe has Status: but no Node:
        ("Name:  data-rabbitmq-0\nNamespace:  pcd\nStatus:  Bound\nVolume:  pvc-1\n", False),
        ("Name:  mgmt-node-1\nRoles:  control-plane\nConditions:\n", False),
        ("NAME  READY  STATUS  RESTARTS  AGE\n", False),
        ('{"kind": "Pod"}', False),
        ("", False),
    ],
)
def test_sniff(text: str, expected: bool) -> None:
    assert sniff(text) is expected


def test_spec() -> None:
    assert SPEC.kind == "k8s_describe"
    assert set(SPEC.tables) == {"pods", "events"}
    assert SPEC.matches_path("kubernetes/describe/rabbitmq-0.txt")
    assert not SPEC.matches_path("kubernetes/pods.json")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\xff\xfe garbage \x89PNG\r\n",
        b"Name:",
        b"Name:\nNamespace:\nContainers:\n  :\n    State:\n",
        ("Name: x\nEvents:\n  " + "y" * 5_000_000).encode(),
        b"Name: x\n" + b"\xc3\x28" * 1000,
        b"Name: x\nContainers:\n  c:\n    Restart Count:  99999999999999999999999\n",
    ],
)
def test_never_raises(data: bytes) -> None:
    result = _parse(data)
    for table, frame in result.tables.items():
        conform(table, frame)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from([*RABBITMQ.splitlines(), "", "  ", "\t", "Name: z", "Events:"]),
        max_size=60,
    )
)
def test_shuffled_describe_lines_never_raise(lines: list[str]) -> None:
    result = _parse("\n".join(lines))
    for table, frame in result.tables.items():
        conform(table, frame)


def _docstring_block(doc: str, marker: str) -> str:
    """The indented sample that follows ``marker`` in a module docstring."""
    after = doc.split(marker, 1)[1].split("\n\n", 1)[1]
    block = after.split("\n\n", 1)[0]
    return "\n".join(line[4:] for line in block.splitlines()) + "\n"


def test_module_docstring_sample_parses() -> None:
    import analyzer.parsers.k8s_describe as module

    sample = _docstring_block(module.__doc__ or "", "A sample")
    assert sniff(sample)
    result = _parse(sample)
    assert result.problems == []
    row = _pods(result).iloc[0]
    assert (row["pod"], row["status"], row["last_reason"]) == (
        "rabbitmq-0",
        "CrashLoopBackOff",
        "OOMKilled",
    )
    assert list(_events(result)["count"]) == [13, 41]


def test_events_pasted_without_header() -> None:
    text = CONDUCTOR.replace(
        "Events:                      <none>\n",
        "Events:\n  Warning  BackOff  4m35s (x41 over 1h)  kubelet  Back-off restarting failed\n",
    )
    result = _parse(text)
    assert result.problems == []
    row = _events(result).iloc[0]
    assert (row["reason"], row["count"]) == ("BackOff", 41)
    assert row["message"] == "Back-off restarting failed"


def test_pasted_prompt_before_describe() -> None:
    text = "[root@admin-ws ~]# kubectl -n pcd describe pod rabbitmq-0\n" + RABBITMQ
    assert sniff(text)
    result = _parse(text)
    assert result.problems == []
    assert _pods(result).iloc[0]["status"] == "CrashLoopBackOff"
