"""Hypervisor logs: rotations merged oldest first, cut to --since and to a byte cap."""

from __future__ import annotations

import gzip
import json
import os
import time
from datetime import UTC
from pathlib import Path

import pytest

from collectors.pcd_collect import LineClock, cut_log_family, find_log_families
from tests.collector.fakes import HOST, bundle_path_from, item, make_fake_tools, manifest, members

LOG = f"hosts/{HOST}/ostackhost.log"


def _collect(tmp_path: Path, *args: str, tz: str = "UTC", offset_h: int = 0) -> Path:
    fakes = make_fake_tools(tmp_path, "messaging", kubectl="missing", pcdctl=False, tz=tz,
                            tz_offset_h=offset_h)  # fmt: skip
    result = fakes.run("-q", "--no-openstack", "--no-kubernetes", *args)
    assert result.returncode == 0, result.stderr
    return bundle_path_from(result)


def _order(data: bytes, *markers: bytes) -> list[int]:
    return [data.index(m) for m in markers]


def test_default_window_is_24h_and_rotations_are_merged_oldest_first(tmp_path: Path) -> None:
    bundle = _collect(tmp_path)
    files = members(bundle)
    data = files[LOG]
    first, current, last = _order(data, b"IN-WINDOW-ROTATION-MARKER", b"CURRENT-FILE-FIRST-MARKER",
                                  b"CURRENT-FILE-LAST-MARKER")  # fmt: skip
    assert first < current < last
    assert b"BEFORE-WINDOW-MARKER" not in data  # record and its continuation line
    assert b"OLD-ROTATION-MARKER" not in data
    assert b"MessagingTimeout" in data
    entry = item(manifest(bundle), LOG)
    assert [Path(p).name for p in entry["sources"]] == ["ostackhost.log.1", "ostackhost.log"]
    assert {f"hosts/{HOST}/hostagent.log", f"hosts/{HOST}/comms-stdout.log"} <= set(files)
    clock = json.loads(files[f"hosts/{HOST}/clock.json"])
    assert clock["utc_offset_s"] == 0
    assert clock["timezone"] == "UTC"
    assert clock["utc"].endswith("Z")
    assert clock["host_id"] == "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def test_a_longer_window_reads_the_gzip_rotation(tmp_path: Path) -> None:
    bundle = _collect(tmp_path, "--since", "40h")
    data = members(bundle)[LOG]
    positions = _order(data, b"OLD-ROTATION-MARKER", b"BEFORE-WINDOW-MARKER",
                       b"IN-WINDOW-ROTATION-MARKER", b"CURRENT-FILE-LAST-MARKER")  # fmt: skip
    assert positions == sorted(positions)
    assert b"continuation line of the old record" in data
    entry = item(manifest(bundle), LOG)
    assert [Path(p).name for p in entry["sources"]] == [
        "ostackhost.log.2.gz", "ostackhost.log.1", "ostackhost.log",
    ]  # fmt: skip


def test_a_short_window_keeps_only_recent_records(tmp_path: Path) -> None:
    bundle = _collect(tmp_path, "--since", "2h")
    data = members(bundle)[LOG]
    assert b"CURRENT-FILE-FIRST-MARKER" not in data
    assert b"IN-WINDOW-ROTATION-MARKER" not in data
    assert data.startswith(b"20")
    assert b"AMQP server on broker.pcd.svc.cluster.local:5672 is unreachable" in data
    assert b"Traceback (most recent call last)" in data
    assert [Path(p).name for p in item(manifest(bundle), LOG)["sources"]] == ["ostackhost.log"]


def test_local_time_lines_are_placed_with_the_host_offset(tmp_path: Path) -> None:
    # Etc/GMT-2 is UTC+2. The line written 5 h ago reads "3 h ago" if taken for UTC.
    bundle = _collect(tmp_path, "--since", "4h", tz="Etc/GMT-2", offset_h=2)
    files = members(bundle)
    data = files[LOG]
    assert b"CURRENT-FILE-FIRST-MARKER" not in data
    assert b"CURRENT-FILE-LAST-MARKER" in data
    assert b"heartbeat ok" in files[f"hosts/{HOST}/hostagent.log"]  # written 1 h ago
    clock = json.loads(files[f"hosts/{HOST}/clock.json"])
    assert clock["utc_offset_s"] == 7200
    assert clock["timezone"] == "Etc/GMT-2"
    assert manifest(bundle)["host"]["utc_offset_s"] == 7200


def test_byte_cap_keeps_the_newest_records(tmp_path: Path) -> None:
    bundle = _collect(tmp_path, "--log-cap", "600")
    data = members(bundle)[LOG]
    assert 0 < len(data) <= 600
    assert data.rstrip().endswith(b"CURRENT-FILE-LAST-MARKER")
    assert b"CURRENT-FILE-FIRST-MARKER" not in data
    assert data.startswith(b"20")  # starts at a record, not inside one
    assert {"path": LOG, "reason": "byte cap"} in manifest(bundle)["truncated"]


def test_an_unreadable_log_is_explained(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging", kubectl="missing", pcdctl=False)
    (fakes.pf9_dir / "broken.log.1.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    os.mkfifo(fakes.pf9_dir / "fifo.log")  # must not be opened (it would block)
    result = fakes.run("-q", "--no-openstack", "--no-kubernetes", "--since", "48h",
                       timeout=30)  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = manifest(bundle_path_from(result))
    assert "corrupt gzip data" in item(doc, f"hosts/{HOST}/broken.log")["error"]
    assert "not a regular file" in item(doc, f"hosts/{HOST}/fifo.log")["error"]


def test_find_log_families_orders_rotations_newest_first(tmp_path: Path) -> None:
    root = tmp_path / "pf9"
    (root / "comms").mkdir(parents=True)
    for name in ("ostackhost.log", "ostackhost.log.1", "ostackhost.log.2.gz", "ostackhost.log.10.gz",
                 "hostagent.log", "hostagent.log-20260301", "notes.txt", "comms/comms-stdout.log"):  # fmt: skip
        (root / name).write_text("x\n")
    families = dict(find_log_families(str(root), limit=10))
    assert next(iter(families)) == "ostackhost.log"
    assert [Path(p).name for p in families["ostackhost.log"]] == [
        "ostackhost.log", "ostackhost.log.1", "ostackhost.log.2.gz", "ostackhost.log.10.gz",
    ]  # fmt: skip
    assert [Path(p).name for p in families["hostagent.log"]] == [
        "hostagent.log", "hostagent.log-20260301",
    ]  # fmt: skip
    assert families["comms-stdout.log"] == [str(root / "comms" / "comms-stdout.log")]
    assert "notes.txt" not in families


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"2026-03-02 09:14:07.331 2817 ERROR nova", "2026-03-02T09:14:07+00:00"),
        (b"2026-03-02 09:14:07,331 - hostagent - INFO", "2026-03-02T09:14:07+00:00"),
        (b"2026-03-02T09:10:44.120391532Z 2026-03-02 ...", "2026-03-02T09:10:44+00:00"),
        (b"2026-03-02 11:10:44.120391+02:00 [warning] <0.1.0>", "2026-03-02T09:10:44+00:00"),
    ],
)
def test_line_clock(line: bytes, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        moment = LineClock()(line)
        assert moment is not None
        assert datetime.fromtimestamp(moment, UTC).isoformat() == expected
        assert LineClock()(b'  File "x.py", line 3') is None
    finally:
        monkeypatch.undo()
        time.tzset()


def test_cut_log_family_without_timestamps_keeps_the_tail(tmp_path: Path) -> None:
    path = tmp_path / "plain.log"
    path.write_bytes(b"".join(b"line %03d\n" % i for i in range(100)))
    cut = cut_log_family([str(path)], since=0, cap=50, should_stop=lambda: None)
    assert cut.truncated == "byte cap"
    assert cut.data.endswith(b"line 099\n")
    assert len(cut.data) <= 50
    gz = tmp_path / "plain.log.1.gz"
    gz.write_bytes(gzip.compress(b"older\n"))
    cut = cut_log_family([str(path), str(gz)], since=0, cap=10_000, should_stop=lambda: None)
    assert cut.data.startswith(b"older\nline 000\n")
