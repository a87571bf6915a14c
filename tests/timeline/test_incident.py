"""Incident window rules on small hand-made timelines: each with a case where it holds and
a near miss where it must not."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analyzer.timeline.burst import burst_document
from analyzer.timeline.events import from_rows
from analyzer.timeline.incident import episodes, incident_document, primary, status
from analyzer.timeline.stitching import stories

T0 = pd.Timestamp("2026-03-02T09:00:00Z")


def at(seconds: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(seconds=seconds)


def row(seconds: float, lane: str, family: str | None, message: str = "", **more: Any) -> dict:
    return {"timestamp": at(seconds), "lane": lane, "family": family, "message": message, **more}


def outage(lane: str, start: float, end: float | None, step: float = 5) -> list[dict]:
    rows = []
    t = start
    while t < (end if end is not None else start + 300):
        rows.append(row(t, lane, "amqp_unreachable", "AMQP server on x is unreachable"))
        t += step
    if end is not None:
        rows.append(row(end, lane, "amqp_reconnected", "Reconnected to AMQP server"))
    return rows


def test_a_few_seconds_blip_is_not_an_incident() -> None:
    tl = from_rows(outage("hv-01", 0, 4, step=1))
    eps = episodes(tl)
    assert len(eps) == 1
    assert not eps[0].significant
    assert primary(eps) is None


def test_recovered_when_every_client_reconnected() -> None:
    tl = from_rows(outage("hv-01", 0, 120) + outage("hv-02", 1, 150))
    (ep,) = episodes(tl)
    assert ep.recovered_at == at(150)
    assert ep.reconnected_at == at(150)
    assert status(ep, at(600)) == "recovered"
    assert status(ep, at(3 * 3600)) == "history"


def test_one_client_still_failing_keeps_it_ongoing() -> None:
    tl = from_rows(outage("hv-01", 0, 120) + outage("hv-02", 1, None))
    (ep,) = episodes(tl)
    assert ep.recovered_at is None
    assert ep.unrecovered == ["hv-02: amqp_unreachable"]
    assert status(ep, at(600)) == "ongoing"


def test_a_reconnect_on_another_host_does_not_end_this_one() -> None:
    rows = [*outage("hv-02", 0, None), row(200, "hv-01", "amqp_reconnected")]
    (ep,) = episodes(from_rows(rows))
    assert ep.recovered_at is None


def test_alarm_ends_when_it_clears_not_before() -> None:
    rows = [row(0, "rabbitmq-0", "alarm_set"), row(185, "rabbitmq-0", "alarm_cleared")]
    (ep,) = episodes(from_rows(rows))
    assert ep.broker_side
    assert ep.significant
    assert ep.recovered_at == at(185)
    (open_ep,) = episodes(from_rows(rows[:1]))
    assert open_ep.recovered_at is None


def test_killed_broker_recovers_only_when_it_runs_again() -> None:
    rows = [
        row(0, "kubernetes", "broker_oom_killed"),
        row(10, "rabbitmq-0", "broker_pod_started"),
        row(70, "kubernetes", "broker_oom_killed"),
    ]
    (ep,) = episodes(from_rows(rows))
    assert ep.recovered_at is None  # the start came before the last kill
    (ep,) = episodes(from_rows([*rows, row(90, "rabbitmq-0", "broker_started")]))
    assert ep.recovered_at == at(90)
    assert ep.broker_running_at == at(90)


def test_faults_far_apart_are_separate_episodes_and_the_open_one_is_reported() -> None:
    rows = outage("hv-01", 0, 120) + outage("hv-01", 3600, None)
    eps = episodes(from_rows(rows))
    assert len(eps) == 2
    assert primary(eps) is eps[1]


def test_incident_counts_stuck_vms_and_finds_the_first() -> None:
    rows = [
        *outage("hv-01", 0, None),
        row(30, "api", "create_request", '"POST /v2.1/servers" status: 202', request_id="req-1"),
        row(90, "api", "create_request", '"POST /v2.1/servers" status: 202', request_id="req-2"),
    ]
    tl = from_rows(rows)
    servers = pd.DataFrame(
        {
            "id": ["vm-1", "vm-2"],
            "name": ["a", "b"],
            "status": ["BUILD", "BUILD"],
            "host": [pd.NA, pd.NA],
            "created_at": [at(30), at(90)],
        }
    )
    now = at(1800)
    told = stories(tl, servers, now)
    assert [(s.id, s.outcome(now), s.stage) for s in told] == [
        ("vm-1", "stuck", "api"),
        ("vm-2", "stuck", "api"),
    ]
    assert told[0].request_ids == ["req-1"]
    eps = episodes(tl)
    doc = incident_document(primary(eps), eps, tl, told, now)
    assert doc is not None
    assert doc.vms_affected == 2
    assert doc.first_stuck_vm == "2026-03-02T09:00:30Z"
    assert doc.first_stuck_vm_id == "vm-1"
    assert doc.detected_at == "2026-03-02T09:10:30Z"  # ten minutes in BUILD
    assert doc.duration_s == 1800.0
    assert doc.status == "ongoing"


def test_a_young_build_is_not_stuck() -> None:
    tl = from_rows([row(0, "api", "create_request", "", request_id="req-1")])
    servers = pd.DataFrame(
        {"id": ["vm-1"], "name": ["a"], "status": ["BUILD"], "host": [pd.NA], "created_at": [at(0)]}
    )
    (story,) = stories(tl, servers, at(120))
    assert story.outcome(at(120)) == "building"


def _creates(times: list[float]) -> list[dict]:
    return [
        row(s, "api", "create_request", '"POST /v2.1/servers" status: 202', request_id=f"r{i}")
        for i, s in enumerate(times)
    ]


def test_burst_before_onset_gives_batch_advice() -> None:
    rows = _creates([-150 + 15 * i for i in range(9)]) + outage("hv-01", 0, None)
    doc = burst_document(from_rows(rows), at(0), at(600), at(600), pd.DataFrame())
    assert doc is not None
    assert doc.preceded_failure is True
    assert doc.creates_before_onset == 9
    assert doc.versus_runbook == "below"
    assert doc.suggested_batch == 8
    assert doc.peak_concurrent_build == 9  # nothing ever finished building


def test_sparse_creates_are_not_a_burst() -> None:
    rows = _creates([-560, -300]) + outage("hv-01", 0, None)
    doc = burst_document(from_rows(rows), at(0), at(600), at(600), pd.DataFrame())
    assert doc is not None
    assert doc.preceded_failure is False
    assert doc.suggested_batch is None


def test_builds_that_finish_do_not_count_as_concurrent() -> None:
    rows = [
        *_creates([-100, -50]),
        row(-90, "hv-01", "build_ok", "Took 10 seconds to build instance.", request_id="r0"),
        row(-40, "hv-01", "build_ok", "Took 10 seconds to build instance.", request_id="r1"),
    ]
    doc = burst_document(from_rows(rows), at(0), at(60), at(60), pd.DataFrame())
    assert doc is not None
    assert doc.peak_concurrent_build == 1
    assert doc.concurrent_at_onset == 0
