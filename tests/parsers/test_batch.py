"""Parsing several log files in one pass gives what parsing each alone gives, in file order."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import parsing
from analyzer.bundle import read_bundle
from analyzer.frames import conform
from analyzer.ingest import ingest
from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers import kubectl_logs, oslo_log, pf9_log, server_show, servers
from analyzer.parsers.batch import Batch, LogFile
from analyzer.parsers.loglines import split_lines

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = sorted((ROOT / "fixtures" / "bundles").glob("*.tgz")) + sorted(
    (ROOT / "fixtures" / "lab").glob("*.tgz")
)
REQ = "req-5e0a9c2d-1f3b-4c6d-8e7f-0a1b2c3d4e5f"
VM = "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"

OSLO_LINES = [
    f"2026-03-02 09:13:40.118 2817 INFO nova.compute.manager [{REQ} admin admin - - -] "
    f"[instance: {VM}] Attaching volume",
    "2026-03-02 09:13:40.118 2817 INFO nova.compute.manager continued with the same prefix",
    "2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager [None req-3b1c7e0a-5d52-4f0e-"
    "9c7b-2a8d0f61e4b9 - - - - - -] Build failed: MessagingTimeout",
    "2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager Traceback (most recent call last):",
    '2026-03-02 09:14:07.331 2817 TRACE nova.compute.manager   File "x.py", line 1',
    "2026-03-02 09:14:09,002 INFO oslo.messaging._drivers.impl_rabbit [-] Reconnected",
    '  File "/opt/pf9/venv/lib/python3.9/site-packages/oslo_messaging/amqpdriver.py"',
    "",
    "2026-19-45 09:14:07.331 2817 INFO nova.compute.manager [-] month nineteen",
]
PYTHON_LINES = [
    "2026-03-02 09:12:01,733 - pf9app.hostagent - INFO - Sending heartbeat",
    "2026-03-02 09:12:31,734 - pf9app.hostagent - ERROR - Failed to reach du: timed out",
    "Traceback (most recent call last):",
    "2026-03-02T09:12:40.000 - WARNING - no logger name",
    "",
    "not a log line at all",
]
OFFSETS = [None, timedelta(hours=1), timedelta(hours=-5, minutes=-30), timedelta(0)]
HOSTS = ["hv-01", "hv-02", None]
NAMES = ["hosts/{h}/ostackhost.log", "hosts/{h}/hostagent.log", "hosts/{h}/comms-stdout.log"]


def _file(
    i: int, lines: list[str], offset: int, name: int, numbered: bool, names: list[str] = NAMES
) -> LogFile:
    host = HOSTS[i % len(HOSTS)]
    path = f"{i}/" + names[name % len(names)].format(h=host or "x")
    ctx = SourceContext(
        bundle="b", path=path, host=host, utc_offset=OFFSETS[offset], collected_at=None
    )
    series = (
        split_lines("\n".join(lines) + "\n") if lines else pd.Series([], dtype="string[pyarrow]")
    )
    numbers = np.arange(3, 3 + 7 * len(series), 7, dtype=np.int64) if numbered else None
    return LogFile(path, ctx, series, numbers)


def _files(
    pool: list[str], names: list[str] = NAMES, numbered: bool = True
) -> st.SearchStrategy[list[LogFile]]:
    one = st.tuples(
        st.lists(st.sampled_from(pool), max_size=8),
        st.integers(0, len(OFFSETS) - 1),
        st.integers(0, len(names) - 1),
        st.booleans() if numbered else st.just(False),
    )
    return st.lists(one, min_size=1, max_size=5).map(
        lambda specs: [_file(i, *spec, names=names) for i, spec in enumerate(specs)]
    )


RABBIT_LINES = [
    "2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> memory resource limit alarm set",
    "2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> *** Publishers will be blocked ***",
    "2026-03-02 09:11:02.001 [error] <0.2.0> closing AMQP connection",
]
GENERIC_LINES = ["E0302 09:14:07.331 1 reflector failed", "level=warn msg=slow", "plain text"]
KUBE_PREFIXES = ["2026-03-02T09:14:07.331902114Z ", "2026-03-02T09:20:00Z ", ""]
POD_NAMES = [
    "kubernetes/logs/nova-conductor-7d9f8b6c5d-x2x4k/nova-conductor.log",
    "kubernetes/logs/rabbitmq-0/rabbitmq.log",
    "kubernetes/logs/mystery-{h}/app.log",
]
KUBECTL_LINES = [
    prefix + line
    for prefix in KUBE_PREFIXES
    for line in OSLO_LINES[:6] + PYTHON_LINES[:4] + RABBIT_LINES + GENERIC_LINES
] + ["", "  continuation without a prefix"]


Parse = Callable[[Batch], tuple[pd.DataFrame, list[BundleProblem]]]


def _one_by_one(files: list[LogFile], parse: Parse) -> tuple[pd.DataFrame, list[BundleProblem]]:
    frames, problems = [], []
    for f in files:
        frame, found = parse(Batch([f]))
        frames.append(conform("logs", frame))
        problems += found
    return pd.concat(frames, ignore_index=True), problems


def _assert_same(files: list[LogFile], parse: Parse) -> None:
    frame, problems = parse(Batch(files))
    alone, alone_problems = _one_by_one(files, parse)
    pd.testing.assert_frame_equal(conform("logs", frame), alone)
    order = {f.path: i for i, f in enumerate(files)}
    assert sorted(problems, key=lambda p: order[p.file]) == alone_problems


@settings(max_examples=50, deadline=None)
@given(_files(OSLO_LINES))
def test_oslo_batch_is_the_files_one_by_one(files: list[LogFile]) -> None:
    _assert_same(files, oslo_log.parse_oslo_batch)


@settings(max_examples=50, deadline=None)
@given(_files(OSLO_LINES + PYTHON_LINES))
def test_pf9_batch_is_the_files_one_by_one(files: list[LogFile]) -> None:
    _assert_same(files, pf9_log.parse_pf9_batch)


@settings(max_examples=50, deadline=None)
@given(_files(KUBECTL_LINES, POD_NAMES, numbered=False))
def test_kubectl_batch_is_the_files_one_by_one(files: list[LogFile]) -> None:
    _assert_same(files, kubectl_logs.parse_kubectl_batch)


def test_a_record_never_runs_into_the_next_file() -> None:
    head = "2026-03-02 09:13:40.118 2817 ERROR nova.compute.manager [-] Build failed"
    same_prefix = "2026-03-02 09:13:40.118 2817 ERROR nova.compute.manager second file"
    first = _file(0, [head], 0, 0, False)
    second = _file(1, ["  stray continuation", same_prefix], 0, 0, False)
    frame, _ = oslo_log.parse_oslo_batch(Batch([first, second]))
    assert frame["message"].tolist() == ["Build failed", "second file"]
    assert frame["detail"].isna().all()  # neither the stray line nor the prefix joined file 1
    assert frame["file"].tolist() == [first.path, second.path]
    assert frame["line"].tolist() == [1, 2]


def test_each_file_keeps_its_clock_offset_host_and_line_numbers() -> None:
    line = "2026-03-02 09:00:00.000 1 INFO nova.compute.manager [-] hello"
    utc = _file(0, [line], 3, 0, False)
    ahead = _file(1, [line], 1, 0, True)
    frame, _ = oslo_log.parse_oslo_batch(Batch([utc, ahead]))
    assert frame["timestamp"].tolist() == [
        pd.Timestamp("2026-03-02 09:00", tz="UTC"),
        pd.Timestamp("2026-03-02 08:00", tz="UTC"),
    ]
    assert frame["host"].tolist() == ["hv-01", "hv-02"]
    assert frame["line"].tolist() == [1, 3]  # the second file's kept line was line 3


def test_line_numbers_must_fit_the_lines() -> None:
    bad = LogFile("f", _file(0, [], 0, 0, False).ctx, split_lines("a\nb\n"), np.array([1]))
    with pytest.raises(ValueError, match="1 line numbers for 2 lines"):
        Batch([bad])


def _tables(path: Path, batch: bool) -> tuple[dict[str, pd.DataFrame], list[object]]:
    frames, inv = ingest([read_bundle(path)], batch=batch)
    return frames.tables, [inv.problems, dict(inv.kinds), inv.clock_assumptions]


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_ingest_in_batches_is_ingest_file_by_file(path: Path) -> None:
    batched, batched_inv = _tables(path, batch=True)
    _same(batched, batched_inv, path)


def test_batches_are_cut_by_size_and_still_give_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz"
    runs: list[list[str]] = []
    batches = parsing._batches

    def spy(group: list[parsing.Job]) -> list[list[parsing.Job]]:
        found = batches(group)
        runs.extend([job.spec.kind for job in run] for run in found)
        return found

    # the four hostagent.log files are about 5.6 kB each: two per run
    monkeypatch.setattr(parsing, "BATCH_BYTES", 12_000)
    monkeypatch.setattr(parsing, "_batches", spy)
    batched, batched_inv = _tables(path, batch=True)
    assert [len(run) for run in runs if run[0] == "pf9_log"] == [2, 2]
    _same(batched, batched_inv, path)


def _same(batched: dict[str, pd.DataFrame], batched_inv: list[object], path: Path) -> None:
    alone, alone_inv = _tables(path, batch=False)
    assert batched.keys() == alone.keys()
    for table, frame in alone.items():
        pd.testing.assert_frame_equal(batched[table], frame, obj=table)
    assert batched_inv == alone_inv


def test_a_failing_batch_falls_back_to_file_by_file(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz"
    alone, alone_inv = _tables(path, batch=False)

    sizes: list[int] = []

    def broken(batch: Batch, source: str = "oslo") -> tuple[pd.DataFrame, list[BundleProblem]]:
        sizes.append(len(batch.files))
        if len(batch.files) > 1:
            raise RuntimeError("a bug only a batch trips over")
        return original(batch, source=source)

    original = oslo_log.parse_oslo_batch
    monkeypatch.setattr(oslo_log, "parse_oslo_batch", broken)
    batched, batched_inv = _tables(path, batch=True)
    assert max(sizes) > 1  # batches were tried (hypervisor logs, pod logs) and failed,
    assert sizes.count(1) >= 4  # then their files were parsed one by one
    for table, frame in alone.items():
        pd.testing.assert_frame_equal(batched[table], frame, obj=table)
    assert batched_inv == alone_inv


def _show(vm_id: str, created: str, status: str = "BUILD") -> dict[str, object]:
    return {
        "id": vm_id,
        "name": f"vm-{vm_id[:4]}",
        "status": status,
        "created": created,
        "updated": created,
        "OS-EXT-STS:vm_state": "building",
        "fault": {"code": 500, "message": "MessagingTimeout", "created": created},
    }


def test_server_show_batch_is_the_files_one_by_one() -> None:
    """Repeats count within a file only; bad times and empty objects are each file's."""
    ok = "2026-03-02T09:13:11Z"
    docs: dict[str, list[dict[str, object]]] = {
        "a.json": [_show(VM, ok)],
        "b.json": [_show("11111111-2222-4333-8444-555555555555", "2026-99-99T00:00:00Z")],
        "c.json": [_show(VM, ok, "ERROR"), _show(VM, ok)],  # same id as a.json, and repeated
        "d.json": [{"OS-EXT-STS:vm_state": "building"}],  # no id, name or status
    }
    sources = [
        SourceFile(
            "b", f"openstack/server-show/{name}", "\n".join(json.dumps(o) for o in objs).encode()
        )
        for name, objs in docs.items()
    ]
    ctx = SourceContext(bundle="b", path="", host=None, utc_offset=None, collected_at=None)
    batch = server_show.parse_batch([(src, ctx, None) for src in sources])
    alone = [server_show.parse(src, ctx) for src in sources]
    frames = [r.tables["servers"] for r in alone if "servers" in r.tables]
    pd.testing.assert_frame_equal(
        conform("servers", batch.tables["servers"]),
        conform("servers", pd.concat(frames, ignore_index=True)),
    )
    order = {src.path: i for i, src in enumerate(sources)}
    assert sorted(batch.problems, key=lambda p: order[p.file]) == [
        p for r in alone for p in r.problems
    ]
    assert {p.file.rsplit("/", 1)[1] for p in batch.problems} == {"b.json", "c.json", "d.json"}


def _listed(vm_id: str, created: str, status: str = "BUILD") -> dict[str, object]:
    return {
        "ID": vm_id,
        "Name": f"vm-{vm_id[:4]}",
        "Status": status,
        "Networks": "net=10.0.0.5",
        "Image": "ubuntu",
        "Flavor": "m1.small",
        "Created At": created,
    }


def test_server_list_batch_is_the_files_one_by_one() -> None:
    """Repeats count within a file only; bad times and unreadable files are each file's."""
    ok = "2026-03-02T09:13:11Z"
    other = "11111111-2222-4333-8444-555555555555"
    docs: dict[str, object] = {
        "servers-a.json": [_listed(VM, ok)],
        "servers-b.json": [_listed(other, "2026-99-99T00:00:00Z")],
        "servers-c.json": [_listed(VM, ok, "ERROR"), _listed(VM, ok)],  # a.json's id, twice
        "servers-d.json": {"not": "a server list"},
    }
    sources = [
        SourceFile("b", f"openstack/{name}", json.dumps(doc).encode()) for name, doc in docs.items()
    ]
    ctx = SourceContext(bundle="b", path="", host=None, utc_offset=None, collected_at=None)
    batch = servers.parse_batch([(src, ctx, None) for src in sources])
    alone = [servers.parse(src, ctx) for src in sources]
    frames = [r.tables["servers"] for r in alone if "servers" in r.tables]
    pd.testing.assert_frame_equal(
        conform("servers", batch.tables["servers"]),
        conform("servers", pd.concat([f for f in frames if not f.empty], ignore_index=True)),
    )
    order = {src.path: i for i, src in enumerate(sources)}
    assert sorted(batch.problems, key=lambda p: order[p.file]) == [
        p for r in alone for p in r.problems
    ]
    assert {p.file.rsplit("/", 1)[1] for p in batch.problems} == {
        "servers-b.json",
        "servers-c.json",
        "servers-d.json",
    }
