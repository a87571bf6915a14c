"""Clock skew with little data: a hand-gathered bundle of the broker's log and one
hypervisor's log (real lab recordings, see ``little_data.py``), the hypervisor's clock
five minutes fast. The broker's own events anchor the hypervisor's reactions; an instance's
``created`` against its build is a second, independent pair."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analyzer.analysis import analyse
from analyzer.document import from_builtins, to_builtins
from analyzer.timeline.skew_anchors import anchor_events
from reports import render_html, render_markdown
from tests.timeline.little_data import lab_file, little_bundle

FAST = 300.0
MINUTE = 60.0
HYPERVISOR = "ostackhost.log"


def broker_time(case: str, text: str, last: bool = False) -> datetime:
    """When the recorded broker log first (or last) says ``text`` (exact UTC)."""
    log = lab_file(case, "hosts/vm/rabbit@localhost.log")
    line = re.compile(r"^(\S+ \S+) \[\w+\] <[^>]+> " + re.escape(text), re.MULTILINE)
    found = [datetime.fromisoformat(m.group(1)) for m in line.finditer(log)]
    assert found, text
    return found[-1] if last else found[0]


def t(value: object) -> datetime:
    assert isinstance(value, str), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def within(value: object, truth: datetime, seconds: float = MINUTE) -> bool:
    return abs((t(value) - truth).total_seconds()) <= seconds


def hypervisor(doc: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in doc["clock_offsets"] if o["source"] == HYPERVISOR)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., dict[str, Any]]:
    cache: dict[str, dict[str, Any]] = {}

    def run(name: str, case: str, shift_s: float, **more: Any) -> dict[str, Any]:
        if name not in cache:
            folder = little_bundle(tmp_path_factory.mktemp(name), case, shift_s, **more)
            doc, _frames, _inventory = analyse([folder])
            cache[name] = to_builtins(doc)
        return cache[name]

    return run


def test_five_minutes_fast_against_the_broker_stop(analysed: Callable[..., Any]) -> None:
    """Done-when: offset within a minute of +300 s with its basis, onset at the broker stop."""
    doc = analysed("stopped-fast", "broker-stopped", FAST)
    entry = hypervisor(doc)
    assert abs(entry["offset_s"] - FAST) <= MINUTE, entry
    assert entry["basis"] == "broker-events"
    stop = broker_time("broker-stopped", "RabbitMQ is asked to stop")
    assert within(doc["incident"]["onset"], stop)
    # one broker event, one pair: named, and not trusted enough to correct
    assert entry["pairs"] == 1
    assert entry["applied"] is False
    [pair] = entry["evidence"]
    assert pair["reference"]["file"] == "rabbit.log"
    assert pair["reference"]["text"].startswith("RabbitMQ is asked to stop")
    assert pair["own"]["file"] == HYPERVISOR
    assert "is unreachable" in pair["own"]["text"]


def test_the_report_says_the_offset_rests_on_one_pair(analysed: Callable[..., Any]) -> None:
    doc = from_builtins(analysed("stopped-fast", "broker-stopped", FAST))
    md = render_markdown(doc)
    note = next(line for line in md.splitlines() if line.startswith(f"- {HYPERVISOR}: +300 s"))
    assert "rests on one pair of events" in note
    assert 'rabbit.log:330 at 2026-11-25T23:23:19Z "RabbitMQ is asked to stop..."' in note
    assert "kept as written" in note
    html = render_html(doc)
    assert f"<p>{HYPERVISOR}: +300 s (5 min) rests on one pair of events" in html
    assert "&#34;RabbitMQ is asked to stop...&#34;" in html  # log text escaped


def test_near_miss_without_skew_corrects_nothing(analysed: Callable[..., Any]) -> None:
    doc = analysed("stopped-true", "broker-stopped", 0.0)
    entry = hypervisor(doc)
    assert abs(entry["offset_s"]) < 5, entry
    assert entry["applied"] is False
    assert entry["warning"] is False
    stop = broker_time("broker-stopped", "RabbitMQ is asked to stop")
    assert within(doc["incident"]["onset"], stop, 1)


def test_stop_and_restart_are_two_independent_pairs(analysed: Callable[..., Any]) -> None:
    """The restart's "Reconnected" is a second broker event: two pairs agree, corrected."""
    doc = analysed("recovered-fast", "broker-stopped-recovered", FAST)
    entry = hypervisor(doc)
    assert entry["basis"] == "broker-events"
    assert entry["pairs"] == 2
    assert abs(entry["offset_s"] - FAST) <= MINUTE, entry
    assert entry["applied"] is True
    assert entry["evidence"] == []
    case = "broker-stopped-recovered"
    incident = doc["incident"]
    assert within(incident["onset"], broker_time(case, "RabbitMQ is asked to stop"))
    restart = broker_time(case, "Server startup complete", last=True)  # the first: boot
    assert within(incident["recovered_at"], restart)


def test_a_created_time_that_agrees_makes_the_offset_clear(
    analysed: Callable[..., Any],
) -> None:
    doc = analysed("stopped-fast-show", "broker-stopped", FAST, show="lab-vm-001")
    entry = hypervisor(doc)
    assert entry["basis"] == "broker-events-and-instance"
    assert entry["pairs"] == 2
    assert abs(entry["offset_s"] - FAST) <= MINUTE, entry
    assert entry["applied"] is True
    assert entry["warning"] is True
    stop = broker_time("broker-stopped", "RabbitMQ is asked to stop")
    assert within(doc["incident"]["onset"], stop)


def test_pairs_that_disagree_correct_nothing(analysed: Callable[..., Any]) -> None:
    """The clock ran five minutes fast while it built lab-vm-001 and was stepped back just
    before the broker stopped: the build says +300 s, the outage 0 s."""
    step = broker_time("broker-stopped", "RabbitMQ is asked to stop").replace(tzinfo=None)
    doc = analysed("stepped", "broker-stopped", FAST, show="lab-vm-001", step_at=step)
    entry = hypervisor(doc)
    assert entry["basis"] == "pairs-disagree"
    assert entry["offset_s"] is None
    assert entry["applied"] is False
    said = {p["kind"]: p["offset_s"] for p in entry["evidence"]}
    assert set(said) == {"broker-events", "instance"}
    assert abs(said["broker-events"]) < 5
    assert abs(said["instance"] - FAST) <= MINUTE
    md = render_markdown(from_builtins(doc))
    assert f"- {HYPERVISOR}: independent pairs of events disagree" in md


def test_an_alarm_anchors_the_blocked_clients(analysed: Callable[..., Any]) -> None:
    doc = analysed("alarm-fast", "memory-alarm", FAST)
    entry = hypervisor(doc)
    assert entry["basis"] == "broker-events"
    assert abs(entry["offset_s"] - FAST) <= MINUTE, entry
    [pair] = entry["evidence"]
    assert pair["reference"]["family"] == "alarm_set"  # the watermark lowered: the alarm
    assert pair["reference"]["text"].startswith("vm_memory_high_watermark set.")
    assert "has blocked the connection" in pair["own"]["text"]


def test_nothing_to_anchor_leaves_the_offset_unknown(analysed: Callable[..., Any]) -> None:
    """Near miss: a healthy broker and hypervisor share no event; no offset is guessed."""
    entry = hypervisor(analysed("healthy-fast", "healthy", FAST))
    assert entry["offset_s"] is None
    assert entry["basis"] == "none"
    assert entry["applied"] is False


def _broker_rows(rows: list[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([at for at, _ in rows], utc=True, format="ISO8601"),
            "family": [family for _, family in rows],
            "lane": "rabbit.log",
        }
    )
    return frame


def test_the_broker_boot_is_no_anchor_a_restart_is() -> None:
    rows = _broker_rows(
        [
            ("2026-11-25T23:23:06Z", "broker_started"),  # boot: no client to reconnect
            ("2026-11-25T23:23:19Z", "broker_down"),
            ("2026-11-25T23:23:19.5Z", "broker_closed_connections"),  # the same stop
            ("2026-11-25T23:23:36Z", "broker_started"),
        ]
    )
    seconds = (rows["timestamp"] - pd.Timestamp(0, tz=UTC)).dt.total_seconds().to_numpy()
    events = anchor_events(rows, seconds)
    got = sorted(zip(events["family"], events["row"], strict=True))
    assert got == [("amqp_reconnected", 3), ("amqp_unreachable", 1)]


def test_builder_moves_only_the_hypervisor_times(tmp_path: Path) -> None:
    folder = little_bundle(tmp_path / "b", "broker-stopped", FAST)
    broker = lab_file("broker-stopped", "hosts/vm/rabbit@localhost.log")
    assert (folder / "rabbit.log").read_text() == broker
    recorded = lab_file("broker-stopped", "hosts/vm/ostackhost.log").splitlines()
    moved = (folder / HYPERVISOR).read_text().splitlines()
    assert len(moved) == len(recorded)
    assert moved[0][23:] == recorded[0][23:]
    first = datetime.fromisoformat(recorded[0][:23])
    assert datetime.fromisoformat(moved[0][:23]) == first + pd.Timedelta(seconds=FAST)


def test_every_basis_is_worded_and_documented() -> None:
    from analyzer.timeline.skew import OffsetBasis
    from reports.timeline_wording import CLOCK_BASIS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "analysis-json.md").read_text()
    for basis in OffsetBasis:
        assert basis.value in CLOCK_BASIS, basis
        assert basis.value in docs, basis


def test_a_single_outage_pair_is_named_too() -> None:
    """Any basis resting on one pair keeps it: here one outage start on a client pod
    (exact UTC) against the host's. Texts from the lab's broker-stopped recording."""
    from analyzer.timeline.events import from_rows
    from analyzer.timeline.skew import estimate_offsets

    unreachable = (
        "[cecf55ac-a54b-4bfb-ae5d-54171e7f62fd] AMQP server on 127.0.0.1:43985 is "
        "unreachable: [Errno 111] Connection refused. Trying again in 2 seconds."
    )
    row = {"family": "amqp_unreachable", "message": unreachable, "source": "oslo"}
    frame = from_rows(
        [
            {
                **row,
                "timestamp": "2026-11-25T23:23:19Z",
                "lane": "nova-conductor-0",
                "clock": "kubectl",
                "file": "conductor.log",
                "line": 7,
            },
            {
                **row,
                "timestamp": "2026-11-25T23:26:40Z",
                "lane": "hv-01",
                "clock": "local-offset",
                "file": "ostackhost.log",
                "line": 12,
            },
        ]
    )
    entry = next(o for o in estimate_offsets(frame) if o.source == "hv-01")
    assert entry.basis == "fault-episodes"
    assert entry.pairs == 1
    assert entry.applied is False
    [pair] = entry.evidence
    assert pair.offset_s == 201.0  # 23:26:40 - 23:23:19
    assert (pair.reference.file, pair.reference.line) == ("conductor.log", 7)
    assert (pair.own.file, pair.own.line) == ("ostackhost.log", 12)
