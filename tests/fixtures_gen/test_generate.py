"""The scenario generator: deterministic, well-formed, in the documented layout, shipped
bundles up to date and small. The analyzer's verdicts are tested elsewhere."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fixtures.generate import SCENARIOS, build, generate, main, tarball, write_directory
from fixtures.model import utc

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_DIR = ROOT / "fixtures" / "bundles"
SHIPPED = sorted(n for n, s in SCENARIOS.items() if s.shipped)
ALL = sorted(SCENARIOS)
HANDMADE = {"handmade-renamed", "handmade-legacy-rabbit"}
COLLECTED = sorted(set(ALL) - HANDMADE)
MAX_BYTES = 300 * 1024

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
LAYOUT = [
    r"manifest\.json",
    r"openstack/(servers|servers-build|servers-error|compute-services)\.json",
    rf"openstack/server-show/{UUID}\.json",
    r"hosts/[A-Za-z0-9.-]+/(ostackhost|hostagent|hostagent-daemon|comms-stdout)\.log",
    r"hosts/[A-Za-z0-9.-]+/clock\.json",
    r"kubernetes/(pods|events)\.json",
    r"kubernetes/describe/[a-z0-9-]+\.txt",
    r"kubernetes/logs/[a-z0-9-]+/[a-z0-9-]+(\.previous)?\.log",
    r"commands/[A-Za-z0-9._-]+\.stderr",
]
OSLO_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL|TRACE) \S+ "
)
KUBECTL_PREFIX = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z ")


@pytest.fixture(scope="module")
def built() -> dict[str, object]:
    return {name: build(name) for name in ALL}


def members(data: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return tar.getmembers()


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_bytes(name: str) -> None:
    top = SCENARIOS[name].folder
    assert tarball(build(name), top) == tarball(build(name), top)


def test_other_seed_other_ids() -> None:
    a = build("healthy", seed=0).files["openstack/servers.json"]
    b = build("healthy", seed=1).files["openstack/servers.json"]
    assert a != b


@pytest.mark.parametrize("name", ALL)
def test_json_files_parse(name: str, built: dict) -> None:
    for path, data in built[name].files.items():
        if path.endswith(".json"):
            json.loads(data)


@pytest.mark.parametrize("name", COLLECTED)
def test_layout_matches_bundle_format(name: str, built: dict) -> None:
    files = built[name].files
    for path in files:
        assert any(re.fullmatch(p, path) for p in LAYOUT), path
    for required in ("manifest.json", "openstack/servers.json", "openstack/compute-services.json"):
        assert required in files
    hosts = {p.split("/")[1] for p in files if p.startswith("hosts/")}
    assert len(hosts) >= 3
    for h in hosts:
        assert f"hosts/{h}/ostackhost.log" in files
        assert f"hosts/{h}/clock.json" in files


@pytest.mark.parametrize("name", COLLECTED)
def test_manifest_describes_every_file(name: str, built: dict) -> None:
    b = built[name]
    manifest = json.loads(b.files["manifest.json"])
    assert manifest["schema"] == "pcd-bundle/1"
    assert utc(manifest["collected_at"]) == b.collected_at
    assert manifest["deployment"] in ("self-hosted", "saas")
    listed = {item["path"]: item for item in manifest["items"]}
    assert set(listed) == set(b.files) - {"manifest.json"}
    for path, item in listed.items():
        assert item["bytes"] == len(b.files[path])
        assert item["sha256"] == hashlib.sha256(b.files[path]).hexdigest()
        assert utc(item["started_at"]) <= b.collected_at
    if manifest["deployment"] == "saas":
        assert not any(p.startswith("kubernetes/") for p in b.files)
    else:
        assert "kubernetes/pods.json" in b.files


@pytest.mark.parametrize("name", COLLECTED)
def test_clock_json_matches_the_host_offset(name: str, built: dict) -> None:
    b = built[name]
    spec = SCENARIOS[name].defaults
    for path, data in b.files.items():
        if path.endswith("clock.json"):
            clock = json.loads(data)
            host = path.split("/")[1]
            want = spec.offset_s if host == spec.offset_host else 0
            assert clock["utc_offset_s"] == want
            assert abs(utc(clock["utc"]) - b.collected_at) < timedelta(minutes=2)


@pytest.mark.parametrize("name", COLLECTED)
def test_log_lines_are_shaped_like_the_real_ones(name: str, built: dict) -> None:
    b = built[name]
    for path, data in b.files.items():
        lines = data.decode().splitlines()
        if path.endswith("ostackhost.log"):
            assert lines
            assert all(OSLO_LINE.match(line) for line in lines), path
        elif path.startswith("kubernetes/logs/"):
            assert all(KUBECTL_PREFIX.match(line) for line in lines), path


@pytest.mark.parametrize("name", COLLECTED)
def test_ids_consistent_between_list_show_and_logs(name: str, built: dict) -> None:
    files = built[name].files
    listed = {row["ID"]: row for row in json.loads(files["openstack/servers.json"])}
    build_rows = json.loads(files["openstack/servers-build.json"])
    assert {r["ID"] for r in build_rows} == {i for i, r in listed.items() if r["Status"] == "BUILD"}
    # an operator's reset to ERROR (the runbook's clean-up) records no fault and no log line
    reset = set(built[name].facts.get("reset_vm_ids", []))
    for path, data in files.items():
        if path.startswith("openstack/server-show/"):
            show = json.loads(data)
            row = listed[show["id"]]
            assert show["status"] == row["Status"]
            assert show["OS-EXT-STS:task_state"] == row["Task State"]
            assert ("fault" in show) == (show["status"] == "ERROR" and show["id"] not in reset)
    # a create whose cast was lost names no instance anywhere; a failed one does
    logs = "".join(d.decode() for p, d in files.items() if p.endswith(".log"))
    for vm_id, row in listed.items():
        if row["Status"] == "ERROR" and vm_id not in reset:
            assert f"[instance: {vm_id}]" in logs, vm_id


def test_scenario_facts_for_the_lead(built: dict) -> None:
    oom = built["selfhosted-broker-oom"]
    now = oom.collected_at
    assert now == datetime(2026, 3, 2, 9, 31, tzinfo=UTC)
    assert oom.facts["stuck_count"] == 12
    rows = json.loads(oom.files["openstack/servers-build.json"])
    assert {r["ID"] for r in rows} == set(oom.facts["stuck_vm_ids"])
    shows = [
        json.loads(oom.files[f"openstack/server-show/{i}.json"]) for i in oom.facts["stuck_vm_ids"]
    ]
    ages = [now - utc(s["created"]) for s in shows]
    assert all(timedelta(minutes=15) <= a <= timedelta(minutes=25) for a in ages)
    assert all(s["OS-EXT-STS:task_state"] == "scheduling" and "fault" not in s for s in shows)
    pods = json.loads(oom.files["kubernetes/pods.json"])
    rabbit = next(p for p in pods["items"] if p["metadata"]["name"] == "rabbitmq-0")
    cs = rabbit["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 12
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert cs["lastState"]["terminated"]["exitCode"] == 137
    services = json.loads(oom.files["openstack/compute-services.json"])
    assert all(s["State"] == "up" for s in services)
    hand = built["handmade-renamed"].files
    assert "12 (2m13s ago)" in hand["pods.txt"].decode()

    host = built["host-failure"]
    services = json.loads(host.files["openstack/compute-services.json"])
    down = [s for s in services if s["State"] == "down"]
    assert [s["Host"] for s in down] == ["hv-03"]
    age = host.collected_at - utc(down[0]["Updated At"] + "Z")
    assert age > timedelta(minutes=20)

    exhausted = built["resource-exhaustion"]
    assert json.loads(exhausted.files["openstack/servers-build.json"]) == []
    assert all(0 < d < 10 for d in exhausted.facts["fault_delay_s"])


@pytest.mark.parametrize("name", sorted(HANDMADE))
def test_handmade_is_flat_without_manifest(name: str, built: dict) -> None:
    files = built[name].files
    assert "manifest.json" not in files
    assert all("/" not in p for p in files)
    assert {"server_list.txt", "services.txt", "rabbit.log", "conductor.log"} <= set(files)
    assert {"describe-rabbit.txt", "pods.txt", "compute-hv01.log"} <= set(files)
    rabbit = files["rabbit.log"].decode()
    if name == "handmade-renamed":
        assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[warning\] ", rabbit, re.M)
    else:
        assert "=WARNING REPORT==== 2-Mar-2026::" in rabbit


@pytest.mark.parametrize("name", ALL)
def test_tarball_is_deterministic_and_wrapped(name: str, built: dict) -> None:
    b = built[name]
    top = SCENARIOS[name].folder
    data = tarball(b, top)
    assert data[:2] == b"\x1f\x8b"
    assert data[4:8] == b"\0\0\0\0"  # gzip header mtime 0
    ms = members(data)
    names = [m.name for m in ms]
    assert names == sorted(names)
    assert all(n == top or n.startswith(top + "/") for n in names)
    assert {m.mtime for m in ms} == {int(b.collected_at.timestamp())}
    files = {m.name[len(top) + 1 :] for m in ms if m.isfile()}
    assert files == set(b.files)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_bundle_is_up_to_date_and_small(name: str, tmp_path: Path) -> None:
    shipped = SHIPPED_DIR / f"{name}.tgz"
    assert shipped.exists(), "run: python -m fixtures.generate --out fixtures/bundles"
    fresh = generate(name, tmp_path)
    assert fresh.read_bytes() == shipped.read_bytes(), (
        f"{shipped} is stale; run: python -m fixtures.generate --out fixtures/bundles"
    )
    assert shipped.stat().st_size < MAX_BYTES


def test_no_stray_shipped_bundles() -> None:
    assert sorted(p.stem for p in SHIPPED_DIR.glob("*.tgz")) == SHIPPED


def test_overrides_change_the_scenario() -> None:
    b = build("selfhosted-memory-alarm", stuck_count=3, stuck_age_min=(1.0, 2.0))
    rows = json.loads(b.files["openstack/servers-build.json"])
    assert len(rows) == 3
    with pytest.raises(TypeError):
        build("healthy", no_such_knob=1)
    with pytest.raises(ValueError, match="unknown scenario"):
        build("no-such-scenario")


def test_write_directory_sets_mtimes(tmp_path: Path) -> None:
    root = write_directory("handmade-renamed", tmp_path)
    stamp = build("handmade-renamed").collected_at.timestamp()
    paths = sorted(root.iterdir())
    assert [p.name for p in paths] == sorted(build("handmade-renamed").files)
    assert all(p.stat().st_mtime == stamp for p in paths)


def test_cli_writes_requested_scenarios(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--out", str(tmp_path), "--scenario", "healthy", "--scenario", "old-incident"]) == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["healthy.tgz", "old-incident.tgz"]
    assert "healthy.tgz" in capsys.readouterr().err
    with gzip.open(tmp_path / "healthy.tgz") as fh:
        assert fh.read(512)
