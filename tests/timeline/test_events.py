"""The merged timeline: message families, rows from every table, offsets and filters."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import build_frames
from analyzer.timeline import events
from analyzer.timeline.events import (
    apply_offsets,
    classify,
    filter_events,
    from_rows,
    merged_events,
)
from analyzer.timeline.families import FAMILIES, RECOVERS, role_of

FAMILY_CASES = [
    (
        "[c1] AMQP server on rabbitmq.pcd.svc:5672 is unreachable: [Errno 111]. Trying again in 1 seconds.",
        "amqp_unreachable",
    ),
    (
        "[c1] Reconnected to AMQP server on rabbitmq.pcd.svc:5672 via [amqp] client with port 4.",
        "amqp_reconnected",
    ),
    ("The broker has blocked the connection: low on memory", "broker_blocked"),
    ("The broker has unblocked the connection", "broker_unblocked"),
    ("Lost connection to nova-conductor for reporting service status.", "lost_conductor"),
    ("Recovered from being unable to report status.", "conductor_recovered"),
    (
        "Error: oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID 5d",
        "messaging_timeout",
    ),
    ("memory resource limit alarm set on node rabbit@rabbitmq-0.", "alarm_set"),
    ("memory resource limit alarm cleared on node rabbit@rabbitmq-0.", "alarm_cleared"),
    ("RabbitMQ is asked to stop...", "broker_down"),
    ("Server startup complete; 3 plugins started.", "broker_started"),
    (
        '10.244.0.1 "POST /v2.1/servers" status: 202 len: 421 microversion: 2.95 time: 0.6',
        "create_request",
    ),
    (
        '10.244.0.1 "POST /v2.1/servers/6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13/action" status: 202',
        "vm_action",
    ),
    (
        '10.244.0.1 "DELETE /v2.1/servers/6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13" status: 204',
        "vm_delete",
    ),
    (
        "Starting to schedule for instances: ['6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13']",
        "schedule_start",
    ),
    ("Took 12.31 seconds to build instance.", "build_ok"),
    (
        "Failed to compute_task_build_instances: No valid host was found. There are not",
        "no_valid_host",
    ),
    ("Instance failed to spawn", "build_fail"),
    ("Caught SIGTERM, stopping children", "service_stop"),
]
NEAR_MISSES = [
    "Memory high watermark set to 1638 MiB (1717986918 bytes) of 4096 MiB total",
    "Disk free limit set to 50MB",
    '10.244.0.1 "GET /v2.1/servers/detail?all_tenants=True" status: 200',
    "Took 9.16 seconds to spawn the instance on the hypervisor.",
    "Running periodic task ComputeManager._heal_instance_info_cache",
]


@pytest.mark.parametrize(("message", "family"), FAMILY_CASES)
def test_each_family_is_recognised(message: str, family: str) -> None:
    assert classify(pd.Series([message]))[0] == family


@pytest.mark.parametrize("message", NEAR_MISSES)
def test_near_misses_have_no_family(message: str) -> None:
    assert pd.isna(classify(pd.Series([message]))[0])


def test_every_fault_with_an_end_names_a_known_family() -> None:
    names = {f.name for f in FAMILIES}
    for fault, end in RECOVERS.items():
        assert role_of(fault) == "fault"
        assert end in names
        assert role_of(end) == "recovery"


def test_rows_come_from_every_table() -> None:
    ts = pd.Timestamp("2026-03-02T09:00:00Z")
    frames = build_frames(
        {
            "logs": [
                pd.DataFrame(
                    {
                        "timestamp": [ts],
                        "source": ["oslo"],
                        "host": ["hv-01"],
                        "level": ["ERROR"],
                        "message": ["AMQP server on x:1 is unreachable: boom"],
                        "clock": ["local-offset"],
                        "file": ["hosts/hv-01/ostackhost.log"],
                        "line": [7],
                    }
                )
            ],
            "servers": [
                pd.DataFrame(
                    {
                        "id": ["vm-1"],
                        "name": ["web-1"],
                        "status": ["ERROR"],
                        "created_at": [ts],
                        "fault_created": [ts + pd.Timedelta(seconds=2)],
                        "fault_message": ["No valid host was found."],
                        "file": ["openstack/server-show/vm-1.json"],
                        "line": [1],
                    }
                )
            ],
            "pods": [
                pd.DataFrame(
                    {
                        "pod": ["rabbitmq-0"],
                        "container": ["rabbitmq"],
                        "started_at": [ts + pd.Timedelta(seconds=30)],
                        "last_reason": ["OOMKilled"],
                        "last_finished_at": [ts + pd.Timedelta(seconds=20)],
                        "file": ["kubernetes/pods.json"],
                        "line": [3],
                    }
                )
            ],
            "events": [
                pd.DataFrame(
                    {
                        "timestamp": [ts + pd.Timedelta(minutes=5)],
                        "first_timestamp": [ts + pd.Timedelta(minutes=1)],
                        "type": ["Warning"],
                        "reason": ["BackOff"],
                        "object_kind": ["Pod"],
                        "object_name": ["rabbitmq-0"],
                        "message": ["Back-off restarting failed container"],
                        "count": [4],
                        "approximate": [False],
                        "file": ["kubernetes/events.json"],
                        "line": [9],
                    }
                )
            ],
        }
    )
    tl = merged_events(frames)
    assert list(tl["family"].fillna("-")) == [
        "amqp_unreachable",
        "vm_created",
        "vm_fault",
        "broker_oom_killed",
        "broker_pod_started",
        "k8s_warning",
        "k8s_warning",
    ]
    assert tl["timestamp"].is_monotonic_increasing
    assert set(tl["lane"]) == {"hv-01", "compute API", "rabbitmq-0", "kubernetes"}
    assert tl.loc[tl["family"] == "vm_fault", "severity"].item() == "ERROR"


def _rows() -> pd.DataFrame:
    ts = pd.Timestamp("2026-03-02T09:00:00Z")
    return from_rows(
        [
            {"timestamp": ts, "lane": "hv-01", "message": "alpha (x.y)", "family": None},
            {"timestamp": ts + pd.Timedelta(minutes=1), "lane": "hv-02", "message": "beta"},
            {"timestamp": ts + pd.Timedelta(minutes=2), "lane": "hv-01", "message": "gamma"},
        ]
    )


def test_offsets_shift_only_their_lane_and_keep_the_time_read() -> None:
    frame = apply_offsets(_rows(), {"hv-01": 180.0})
    shifted = frame[frame["lane"] == "hv-01"]
    assert list(shifted["offset_s"]) == [180.0, 180.0]
    assert ((shifted["read_at"] - shifted["timestamp"]).dt.total_seconds() == 180).all()
    other = frame[frame["lane"] == "hv-02"]
    assert (other["timestamp"] == other["read_at"]).all()
    assert frame["timestamp"].is_monotonic_increasing


def test_filter_by_time_and_plain_text() -> None:
    frame = _rows()
    start = pd.Timestamp("2026-03-02T09:01:00Z")
    assert list(filter_events(frame, since=start)["message"]) == ["beta", "gamma"]
    assert list(filter_events(frame, until=start)["message"]) == ["alpha (x.y)", "beta"]
    # --grep is a plain substring: regex characters match themselves only
    assert list(filter_events(frame, grep="(X.Y)")["message"]) == ["alpha (x.y)"]
    assert filter_events(frame, grep=".*").empty
    assert list(filter_events(frame, grep="HV-02")["message"]) == ["beta"]


_TIMES = st.one_of(
    st.none(), st.integers(min_value=0, max_value=5).map(lambda s: f"2026-03-02T09:00:0{s}Z")
)


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            _TIMES,
            st.one_of(st.none(), st.sampled_from(["b.log", "a.log", "é.log", "B.log"])),
            st.one_of(st.none(), st.integers(min_value=1, max_value=4)),
        ),
        max_size=30,
    )
)
def test_sort_on_integer_keys_is_the_stable_sort_by_time_file_and_line(
    rows: list[tuple[str | None, str | None, int | None]],
) -> None:
    frame = events.from_rows(
        [
            {"timestamp": t, "file": f, "line": n, "message": str(i)}
            for i, (t, f, n) in enumerate(rows)
        ]
    ).sample(frac=1.0, random_state=len(rows))
    expected = frame.sort_values(
        ["timestamp", "file", "line"], na_position="last", kind="stable"
    ).reset_index(drop=True)
    pd.testing.assert_frame_equal(events.sort(frame), expected)


def test_roles_are_those_of_each_family() -> None:
    families = pd.Series(["claim", pd.NA, "vm_created", "no_such_family", "claim"], dtype="string")
    assert events.roles(families).tolist() == ["build", "other", "create", "other", "build"]
