"""kubectl get events: core/v1 and events.k8s.io JSON, text tables; never raises."""

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
from analyzer.parsers.k8s_events import SPEC, parse, sniff

COLLECTED = datetime(2026, 3, 2, 9, 31, 0, tzinfo=UTC)

BACKOFF = {
    "apiVersion": "v1",
    "count": 41,
    "eventTime": None,
    "firstTimestamp": "2026-03-02T08:30:12Z",
    "involvedObject": {
        "apiVersion": "v1",
        "fieldPath": "spec.containers{rabbitmq}",
        "kind": "Pod",
        "name": "rabbitmq-0",
        "namespace": "pcd",
        "resourceVersion": "48213",
        "uid": "3f1b7c2e-8d4a-4e6b-9c0f-2a5d7e9b1c3f",
    },
    "kind": "Event",
    "lastTimestamp": "2026-03-02T09:26:25Z",
    "message": "Back-off restarting failed container rabbitmq in pod "
    "rabbitmq-0_pcd(3f1b7c2e-8d4a-4e6b-9c0f-2a5d7e9b1c3f)",
    "metadata": {
        "creationTimestamp": "2026-03-02T08:30:12Z",
        "name": "rabbitmq-0.17f8a2c4d1e3b5a7",
        "namespace": "pcd",
        "resourceVersion": "51877",
        "uid": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    },
    "reason": "BackOff",
    "reportingComponent": "kubelet",
    "reportingInstance": "mgmt-node-2",
    "source": {"component": "kubelet", "host": "mgmt-node-2"},
    "type": "Warning",
}

OOM_SINGLE = {
    "apiVersion": "v1",
    "count": 1,
    "firstTimestamp": "2026-03-02T09:26:03Z",
    "involvedObject": {"kind": "Node", "name": "mgmt-node-2", "uid": "mgmt-node-2"},
    "kind": "Event",
    "lastTimestamp": "2026-03-02T09:26:03Z",
    "message": "Memory cgroup out of memory: Killed process 48211 (beam.smp) "
    "total-vm:3198084kB, anon-rss:2094012kB, file-rss:0kB, shmem-rss:0kB",
    "metadata": {"name": "mgmt-node-2.17f8a3e0b2c4d6f8", "namespace": "default"},
    "reason": "OOMKilling",
    "source": {"component": "kernel-monitor", "host": "mgmt-node-2"},
    "type": "Warning",
}

SERIES = {
    "action": "Scheduling",
    "apiVersion": "v1",
    "eventTime": "2026-03-02T09:10:44.120391Z",
    "firstTimestamp": None,
    "involvedObject": {"kind": "Pod", "name": "broker-1", "namespace": "pcd"},
    "kind": "Event",
    "lastTimestamp": None,
    "message": "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are "
    "available: 3 No preemption victims found for incoming pod.",
    "metadata": {"name": "broker-1.17f8a1b0c2d3e4f5", "namespace": "pcd"},
    "reason": "FailedScheduling",
    "reportingComponent": "default-scheduler",
    "reportingInstance": "default-scheduler-mgmt-node-1",
    "series": {"count": 7, "lastObservedTime": "2026-03-02T09:26:25.481203Z"},
    "source": {},
    "type": "Warning",
}

EVENTS_K8S_IO = {
    "apiVersion": "events.k8s.io/v1",
    "deprecatedCount": 30,
    "deprecatedFirstTimestamp": "2026-03-02T08:07:00Z",
    "deprecatedLastTimestamp": "2026-03-02T09:22:00Z",
    "deprecatedSource": {"component": "kubelet", "host": "mgmt-node-2"},
    "kind": "Event",
    "metadata": {"name": "rabbitmq-0.17f8a2c4d1e3b5b0", "namespace": "pcd"},
    "note": "Readiness probe failed: Error: unable to perform an operation on node "
    "'rabbit@rabbitmq-0.rabbitmq-headless.pcd.svc.cluster.local'.",
    "reason": "Unhealthy",
    "regarding": {"kind": "Pod", "name": "rabbitmq-0", "namespace": "pcd"},
    "type": "Warning",
}


def _list(*items: dict) -> str:
    doc = {
        "apiVersion": "v1",
        "items": list(items),
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }
    return json.dumps(doc, indent=4, sort_keys=True)


EVENTS_JSON = _list(BACKOFF, OOM_SINGLE, SERIES, EVENTS_K8S_IO)

TABLE = """\
LAST SEEN   TYPE      REASON             OBJECT                          MESSAGE
9m          Warning   Unhealthy          pod/rabbitmq-0                  Readiness probe failed: Error: unable to perform an operation on node 'rabbit@rabbitmq-0'
5m          Warning   OOMKilling         node/mgmt-node-2                Memory cgroup out of memory: Killed process 48211 (beam.smp)
4m35s       Warning   BackOff            pod/rabbitmq-0                  Back-off restarting failed container rabbitmq in pod rabbitmq-0_pcd(3f1b7c2e)
<unknown>   Normal    SuccessfulCreate   statefulset/rabbitmq            create Pod rabbitmq-0 in StatefulSet rabbitmq successful
"""

TABLE_ALL = """\
NAMESPACE       LAST SEEN   TYPE      REASON    OBJECT           MESSAGE
pcd-community   2d14h       Normal    Pulled    pod/rabbitmq-0   Container image "docker.io/bitnami/rabbitmq:3.12.13" already present on machine
"""

TABLE_WIDE = """\
LAST SEEN   TYPE      REASON      OBJECT           SUBOBJECT                   SOURCE                 MESSAGE                                       FIRST SEEN   COUNT   NAME
4m35s       Warning   BackOff     pod/rabbitmq-0   spec.containers{rabbitmq}   kubelet, mgmt-node-2   Back-off restarting failed container rabbitmq   1h           41      rabbitmq-0.17f8a2c4d1e3b5a7
2m          Normal    Scheduled   pod/broker-1                                 default-scheduler      Successfully assigned pcd/broker-1 to node-3   2m           1       broker-1.17f8a1b0c2d3e4f5
"""

TABLE_OLD = """\
LAST SEEN   FIRST SEEN   COUNT     NAME         KIND      SUBOBJECT                   TYPE      REASON    SOURCE                  MESSAGE
4m          1h           41        rabbitmq-0   Pod       spec.containers{rabbitmq}   Warning   BackOff   kubelet, mgmt-node-2    Back-off restarting failed container
"""

KUBECTL_EVENTS = """\
LAST SEEN             TYPE      REASON    OBJECT           MESSAGE
4m35s (x41 over 1h)   Warning   BackOff   pod/rabbitmq-0   Back-off restarting failed container rabbitmq in pod rabbitmq-0_pcd(3f1b7c2e)
"""


def _parse(
    text: str | bytes, collected: datetime | None = COLLECTED, path: str = "x"
) -> ParseResult:
    data = text.encode() if isinstance(text, str) else text
    src = SourceFile(bundle="b", path=path, data=data)
    ctx = SourceContext(bundle="b", path=path, host=None, utc_offset=None, collected_at=collected)
    return parse(src, ctx)


def _events(result: ParseResult) -> pd.DataFrame:
    return conform("events", result.tables["events"])


def test_json_list() -> None:
    result = _parse(EVENTS_JSON, path="kubernetes/events.json")
    assert result.problems == []
    events = _events(result)
    assert list(events["reason"]) == ["BackOff", "OOMKilling", "FailedScheduling", "Unhealthy"]
    assert not events["approximate"].any()
    assert set(events["file"]) == {"kubernetes/events.json"}
    lines = EVENTS_JSON.splitlines()
    for line in events["line"]:
        assert lines[line - 1] == "        {"


def test_json_core_v1_counted_event() -> None:
    row = _events(_parse(EVENTS_JSON)).iloc[0]
    assert row["timestamp"] == pd.Timestamp("2026-03-02T09:26:25Z")
    assert row["first_timestamp"] == pd.Timestamp("2026-03-02T08:30:12Z")
    assert row["count"] == 41
    assert row["type"] == "Warning"
    assert (row["object_kind"], row["object_name"], row["namespace"]) == (
        "Pod",
        "rabbitmq-0",
        "pcd",
    )
    assert row["message"].startswith("Back-off restarting failed container rabbitmq")


def test_json_node_event_takes_metadata_namespace() -> None:
    row = _events(_parse(EVENTS_JSON)).iloc[1]
    assert (row["object_kind"], row["object_name"]) == ("Node", "mgmt-node-2")
    assert row["namespace"] == "default"
    assert row["count"] == 1
    assert row["timestamp"] == row["first_timestamp"]


def test_json_series_event() -> None:
    row = _events(_parse(EVENTS_JSON)).iloc[2]
    assert row["timestamp"] == pd.Timestamp("2026-03-02T09:26:25.481203Z")
    assert row["first_timestamp"] == pd.Timestamp("2026-03-02T09:10:44.120391Z")
    assert row["count"] == 7


def test_json_events_k8s_io() -> None:
    row = _events(_parse(EVENTS_JSON)).iloc[3]
    assert row["message"].startswith("Readiness probe failed")
    assert (row["object_kind"], row["object_name"]) == ("Pod", "rabbitmq-0")
    assert row["count"] == 30
    assert row["timestamp"] == pd.Timestamp("2026-03-02T09:22:00Z")
    assert row["first_timestamp"] == pd.Timestamp("2026-03-02T08:07:00Z")


def test_json_event_time_only_single() -> None:
    single = {**SERIES, "series": None}
    row = _events(_parse(json.dumps(single, indent=4))).iloc[0]
    assert row["timestamp"] == pd.Timestamp("2026-03-02T09:10:44.120391Z")
    assert row["first_timestamp"] == row["timestamp"]
    assert row["count"] == 1
    assert row["line"] == 1


def test_json_bad_timestamps_reported() -> None:
    odd = {
        **BACKOFF,
        "lastTimestamp": "2999-01-01T00:00:00Z",
        "firstTimestamp": "1970-01-01T00:00:00Z",
    }
    result = _parse(_list(odd))
    row = _events(result).iloc[0]
    assert pd.isna(row["timestamp"])
    assert row["first_timestamp"] == pd.Timestamp("1970-01-01T00:00:00Z")
    assert len(result.problems) == 1
    assert "timestamps" in result.problems[0].problem


def test_text_table() -> None:
    result = _parse(TABLE, path="kubernetes/events.txt")
    assert result.problems == []
    events = _events(result)
    assert list(events["reason"]) == ["Unhealthy", "OOMKilling", "BackOff", "SuccessfulCreate"]
    assert list(events["object_kind"]) == ["Pod", "Node", "Pod", "StatefulSet"]
    assert list(events["object_name"]) == ["rabbitmq-0", "mgmt-node-2", "rabbitmq-0", "rabbitmq"]
    assert events["approximate"].all()
    assert events["count"].isna().all()
    assert list(events["line"]) == [2, 3, 4, 5]
    backoff = events.iloc[2]
    assert backoff["timestamp"] == pd.Timestamp(COLLECTED - timedelta(minutes=4, seconds=35))
    assert pd.isna(backoff["first_timestamp"])
    assert backoff["message"].endswith("in pod rabbitmq-0_pcd(3f1b7c2e)")
    assert pd.isna(events.iloc[3]["timestamp"])


def test_text_table_without_collection_time() -> None:
    events = _events(_parse(TABLE, collected=None))
    assert len(events) == 4
    assert events["timestamp"].isna().all()


def test_text_all_namespaces() -> None:
    row = _events(_parse(TABLE_ALL)).iloc[0]
    assert row["namespace"] == "pcd-community"
    assert row["timestamp"] == pd.Timestamp(COLLECTED - timedelta(days=2, hours=14))
    assert row["message"].startswith('Container image "docker.io/bitnami/rabbitmq:3.12.13"')


def test_text_wide() -> None:
    result = _parse(TABLE_WIDE)
    assert result.problems == []
    events = _events(result)
    first, second = events.iloc[0], events.iloc[1]
    assert first["count"] == 41
    assert first["first_timestamp"] == pd.Timestamp(COLLECTED - timedelta(hours=1))
    assert first["message"] == "Back-off restarting failed container rabbitmq"
    assert (second["object_kind"], second["object_name"]) == ("Pod", "broker-1")
    assert second["reason"] == "Scheduled"
    assert second["count"] == 1


def test_text_old_layout() -> None:
    row = _events(_parse(TABLE_OLD)).iloc[0]
    assert (row["object_kind"], row["object_name"]) == ("Pod", "rabbitmq-0")
    assert row["count"] == 41
    assert row["type"] == "Warning"
    assert row["timestamp"] == pd.Timestamp(COLLECTED - timedelta(minutes=4))
    assert row["first_timestamp"] == pd.Timestamp(COLLECTED - timedelta(hours=1))


def test_text_kubectl_events_aggregated_age() -> None:
    row = _events(_parse(KUBECTL_EVENTS)).iloc[0]
    assert row["count"] == 41
    assert row["timestamp"] == pd.Timestamp(COLLECTED - timedelta(minutes=4, seconds=35))
    assert row["first_timestamp"] == pd.Timestamp(COLLECTED - timedelta(hours=1))


def test_text_collapsed_whitespace_and_wrapped_line() -> None:
    text = (
        "LAST SEEN TYPE REASON OBJECT MESSAGE\n"
        "4m35s Warning BackOff pod/rabbitmq-0 Back-off restarting failed container rabbitmq\n"
        "   in pod rabbitmq-0_pcd(3f1b7c2e)\n"
    )
    result = _parse(text)
    events = _events(result)
    assert list(events["reason"]) == ["BackOff"]
    assert events.iloc[0]["message"] == "Back-off restarting failed container rabbitmq"
    assert len(result.problems) == 1
    assert "line 3" in result.problems[0].problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EVENTS_JSON, True),
        (json.dumps(EVENTS_K8S_IO), True),
        (TABLE, True),
        (TABLE_ALL, True),
        (TABLE_OLD, True),
        (KUBECTL_EVENTS, True),
        ('{"apiVersion": "v1", "items": [{"kind": "Pod", "metadata": {}}], "kind": "List"}', False),
        ("NAME   READY   STATUS   RESTARTS   AGE\n", False),
        ('[{"ID": 7, "Binary": "nova-compute", "State": "down"}]', False),
        ("2026-03-02 09:10:44.120 [warning] <0.1053.0> memory resource limit alarm set", False),
        ("", False),
    ],
)
def test_sniff(text: str, expected: bool) -> None:
    assert sniff(text) is expected


def test_spec() -> None:
    assert SPEC.kind == "k8s_events"
    assert SPEC.tables == ("events",)
    assert SPEC.matches_path("kubernetes/events.json")
    assert SPEC.matches_path("kubernetes/events.txt")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b'{"items": [', "invalid JSON"),
        (b'{"kind": "Service", "spec": {}}', "not an event list"),
        (b'{"items": [1, {"kind": "Pod"}]}', "not Event objects"),
        (b"\xff\xfe\x00garbage", "no `kubectl get events` table"),
    ],
)
def test_bad_content_becomes_problem(data: bytes, problem: str) -> None:
    result = _parse(data)
    assert any(problem in p.problem for p in result.problems)


@pytest.mark.parametrize(
    "item",
    [
        {"kind": "Event", "count": 10**40, "involvedObject": "x", "message": 5, "type": None},
        {"kind": "Event", "count": True, "series": {"count": -1, "lastObservedTime": 12}},
        {"kind": "Event", "lastTimestamp": "0001-01-01T00:00:00Z", "message": " padded "},
        {"kind": "Event", "firstTimestamp": "not a time", "count": 2.0},
    ],
)
def test_odd_json_values_never_raise(item: dict) -> None:
    result = _parse(_list(item))
    conform("events", result.tables["events"])


def test_large_single_line_never_raises() -> None:
    result = _parse("LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\n" + "y" * 50_000_000)
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
                        "count",
                        "series",
                        "lastObservedTime",
                        "eventTime",
                        "firstTimestamp",
                        "lastTimestamp",
                        "involvedObject",
                        "regarding",
                        "name",
                        "message",
                        "note",
                        "type",
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
        st.sampled_from(
            TABLE.splitlines() + TABLE_WIDE.splitlines() + TABLE_OLD.splitlines() + ["", "  x"]
        ),
        max_size=30,
    )
)
def test_shuffled_table_lines_never_raise(lines: list[str]) -> None:
    result = _parse("\n".join(lines))
    for table, frame in result.tables.items():
        conform(table, frame)


def test_module_docstring_table_parses() -> None:
    import analyzer.parsers.k8s_events as module

    doc = module.__doc__ or ""
    block = doc.split("KIND, ...)::\n\n", 1)[1].split("\n\n", 1)[0]
    sample = "\n".join(line[4:] for line in block.splitlines())
    assert sniff(sample)
    result = _parse(sample)
    assert result.problems == []
    assert list(_events(result)["reason"]) == ["BackOff", "Unhealthy", "Pulled"]


def test_pasted_prompt_before_json() -> None:
    text = "$ kubectl -n pcd get events -o json\n" + json.dumps(BACKOFF, indent=4)
    assert sniff(text)
    result = _parse(text)
    assert result.problems == []
    assert _events(result).iloc[0]["line"] == 2
