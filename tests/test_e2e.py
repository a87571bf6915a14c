"""End to end: each shipped scenario bundle through the `analyze` command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from analyzer.bundle import read_bundle
from analyzer.cli import build_app
from fixtures.generate import SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
BUNDLES = ROOT / "fixtures" / "bundles"
GOLDEN = Path(__file__).resolve().parent / "golden"
SHIPPED = sorted(p.name.removesuffix(".tgz") for p in BUNDLES.glob("*.tgz"))


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


def analyse_json(bundle: Path) -> tuple[int, dict[str, Any]]:
    code, out, _err = run_cli(str(bundle), "--format", "json", "--quiet")
    return code, json.loads(out)


def test_every_scenario_is_shipped() -> None:
    assert SHIPPED, "no bundles in fixtures/bundles"
    assert set(SHIPPED) <= set(SCENARIOS)


@pytest.mark.parametrize("name", SHIPPED)
def test_scenario_verdict(name: str) -> None:
    expected = SCENARIOS[name].expected
    code, doc = analyse_json(BUNDLES / f"{name}.tgz")
    assert doc["schema"] == "pcd-analysis/1"
    assert doc["verdict"]["class"] == expected["class"], doc["verdict"]
    assert set(expected["subcauses"]) <= set(doc["verdict"]["subcauses"]), doc["verdict"]
    assert code == (0 if expected["class"] == "no_failure_found" else 1)
    if expected["class"] == "no_failure_found":
        assert doc["verdict"]["subcauses"] == []
        assert doc["stuck_vms"] == []


@pytest.mark.parametrize("name", SHIPPED)
def test_evidence_points_at_the_right_file_and_line(name: str) -> None:
    bundle = read_bundle(BUNDLES / f"{name}.tgz")
    files = {f.path: f.text().splitlines() for f in bundle.files}
    _code, doc = analyse_json(BUNDLES / f"{name}.tgz")
    checked = 0
    for finding in doc["findings"]:
        assert finding["evidence"], finding["key"]
        for ev in finding["evidence"]:
            assert ev["file"] in files, ev
            lines = files[ev["file"]]
            if ev["line"] is None:
                continue
            assert 1 <= ev["line"] <= len(lines), ev
            undated = ev["timestamp"] is None and not ev["file"].endswith(".json")
            if ev["file"].endswith(".log") or ev["file"].endswith("log.txt") or undated:
                # a log record's message ends its first line (RabbitMQ 3.6 reports: the
                # line after the `=LEVEL REPORT====` header the record starts on)
                tail = ev["text"].splitlines()[0][-30:]
                record = lines[ev["line"] - 1 : ev["line"] + 1]
                if record[0].startswith("="):  # a 3.6 report: its message is its whole body
                    body = lines[ev["line"] : ev["line"] + 20]
                    end = next((i for i, x in enumerate(body) if x.startswith("=")), len(body))
                    record = [" ".join(x.strip() for x in body[:end] if x.strip())]
                # a record a terminal wrapped (analyzer.parsers.terminal_wrap) goes on over
                # the lines after its first, joined without a break
                wrapped = "".join(lines[ev["line"] - 1 : ev["line"] + 9])
                assert any(tail in line for line in record) or tail in wrapped, (ev, record)
                checked += 1
    if any(f["supports"] == "messaging_layer_failure" for f in doc["findings"]):
        assert checked or name.startswith("selfhosted"), "no log evidence was checked"


def test_hand_assembled_bundle_gets_the_collected_verdict() -> None:
    collected = analyse_json(BUNDLES / "selfhosted-broker-oom.tgz")[1]
    handmade = analyse_json(BUNDLES / "handmade-renamed.tgz")[1]
    assert handmade["verdict"]["class"] == collected["verdict"]["class"]
    assert {"broker_pod_crashloop", "broker_pod_oomkilled"} <= set(handmade["verdict"]["subcauses"])
    assert handmade["collected_at_basis"] == "archive-mtime"
    assert handmade["unrecognised_files"] == []


def test_stuck_vms_are_measured_against_collection_time() -> None:
    _code, doc = analyse_json(BUNDLES / "selfhosted-broker-oom.tgz")
    assert doc["stuck_vms"]
    for vm in doc["stuck_vms"]:
        assert vm["status"] == "BUILD"
        assert vm["age_s"] > 600
    ids = {vm["id"] for vm in doc["stuck_vms"]}
    cleanup_ids = {c["id"] for c in doc["cleanup"]["vms"]}
    assert ids == cleanup_ids
    (loop,) = doc["cleanup"]["commands"]
    assert all(vm_id in loop for vm_id in ids)


def test_selfhosted_recovery_names_the_real_pod() -> None:
    _code, doc = analyse_json(BUNDLES / "selfhosted-broker-oom.tgz")
    commands = [c for step in doc["recovery"]["steps"] for c in step["commands"]]
    assert any(re.fullmatch(r"kubectl -n pcd delete pod rabbitmq-\S+", c) for c in commands)
    assert doc["recovery"]["escalation"] is None


def test_saas_recovery_is_the_escalation_packet() -> None:
    _code, doc = analyse_json(BUNDLES / "saas-hypervisor-only.tgz")
    assert doc["deployment"] == "saas"
    packet = doc["recovery"]["escalation"]
    assert packet["build_servers"]
    assert packet["services"]
    assert packet["ostackhost_lines"]
    assert packet["time_range"]["start"] < packet["time_range"]["end"]
    assert doc["recovery"]["steps"] == []
    assert doc["next_steps"] == {"kind": "escalate", "refs": ["recovery/escalation"]}


@pytest.mark.parametrize("name", SHIPPED)
def test_markdown_golden(name: str) -> None:
    _code, out, _err = run_cli(str(BUNDLES / f"{name}.tgz"), "--format", "md", "--quiet")
    out = re.sub(r"analyze \d+\.\d+\.\d+\S*", "analyze X.Y.Z", out)
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN") or not golden.exists():
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_writes_three_reports_into_out(tmp_path: Path) -> None:
    code, _out, err = run_cli(str(BUNDLES / "healthy.tgz"), "--out", str(tmp_path / "r"))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "analysis.json",
        "report.html",
        "report.md",
    ]
    assert "no_failure_found" in err or "No failure" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not an archive at all", "not a tar archive"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage", "gzip"),
    ],
)
def test_unreadable_bundle_is_one_line_and_status_2(
    tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.tgz"
    bad.write_bytes(content)
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("Error: ")
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_bundle_is_status_2() -> None:
    code, _out, err = run_cli("/nonexistent/x.tgz")
    assert code == 2
    assert err.startswith("Error: /nonexistent/x.tgz: no such file")


def test_partly_bad_bundle_is_analysed_with_problems(tmp_path: Path) -> None:
    d = tmp_path / "b"
    (d / "openstack").mkdir(parents=True)
    (d / "openstack" / "servers.json").write_text("[{broken json")
    (d / "openstack" / "compute-services.json").write_text(
        json.dumps(
            [
                {
                    "ID": 1,
                    "Binary": "nova-compute",
                    "Host": "hv-01",
                    "Zone": "nova",
                    "Status": "enabled",
                    "State": "up",
                    "Updated At": "2026-03-02T09:20:41.000000",
                }
            ]
        )
    )
    (d / "garbage.bin").write_bytes(os.urandom(4096))
    code, out, _err = run_cli(str(d), "--format", "json", "--quiet")
    doc = json.loads(out)
    assert code in (0, 1)
    assert any(p["file"] == "openstack/servers.json" for p in doc["problems"])
    assert doc["counts"]["compute_services"] == 1


def _unpack(bundle: Path, dest: Path) -> Path:
    """Unpack a shipped bundle for a test (the analyzer itself never extracts)."""
    import tarfile

    with tarfile.open(bundle) as tar:
        tar.extractall(dest, filter="data")
    (top,) = dest.iterdir()
    return top


def test_admin_and_hypervisor_bundles_are_merged(tmp_path: Path) -> None:
    import shutil

    whole = _unpack(BUNDLES / "saas-hypervisor-only.tgz", tmp_path / "whole")
    admin, hyper = tmp_path / "admin", tmp_path / "hv"
    shutil.copytree(whole, admin, ignore=shutil.ignore_patterns("hosts"))
    hyper.mkdir()
    shutil.copytree(whole / "hosts", hyper / "hosts")
    _alone_code, alone = analyse_json(admin)
    code, out, _err = run_cli(str(admin), str(hyper), "--format", "json", "--quiet")
    merged = json.loads(out)
    expected = SCENARIOS["saas-hypervisor-only"].expected
    assert merged["verdict"]["class"] == expected["class"]
    assert set(expected["subcauses"]) <= set(merged["verdict"]["subcauses"])
    assert code == 1
    # the admin bundle alone has no hypervisor log: lower confidence, the log named as missing
    assert "hypervisor_logs" in {m["source"] for m in alone["missing_sources"]}
    assert alone["verdict"]["confidence"] < merged["verdict"]["confidence"]
    files = {e["file"] for f in merged["findings"] for e in f["evidence"]}
    assert any(f.startswith("hv:hosts/") for f in files), files


def test_directory_without_manifest_takes_time_from_the_data(tmp_path: Path) -> None:
    whole = _unpack(BUNDLES / "selfhosted-broker-oom.tgz", tmp_path / "d")
    (whole / "manifest.json").unlink()
    _code, doc = analyse_json(whole)
    assert doc["collected_at_basis"] == "newest-data"
    assert doc["collected_at"] > "2026-03-02T09:28:00Z"  # the newest kubectl log line
    assert doc["verdict"]["class"] == "messaging_layer_failure"


def test_the_process_ends_with_every_report_whole(tmp_path: Path) -> None:
    """The command skips Python's teardown at exit: what it wrote must be complete."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analyzer",
            str(BUNDLES / "selfhosted-broker-oom.tgz"),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.rstrip().endswith("report.md, analysis.json")  # the summary, all of it
    assert json.loads((out / "analysis.json").read_text())["verdict"]["class"]
    assert (out / "report.html").read_text().rstrip().endswith("</html>")
    assert (out / "report.md").read_text().endswith("\n")


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analyzer",
            str(BUNDLES / "selfhosted-broker-oom.tgz"),
            "--format",
            "html",
            "-q",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()  # like `| head -c 100`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) != 0
    assert "Traceback" not in err


# --- nothing to read, and one file on its own -------------------------------------------


def _member(bundle: Path, suffix: str) -> bytes:
    import tarfile

    with tarfile.open(bundle) as tar:
        (member,) = [m for m in tar.getmembers() if m.name.endswith(suffix)]
        fh = tar.extractfile(member)
        assert fh is not None
        return fh.read()


def test_an_empty_folder_is_one_error_line_and_status_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, out, err = run_cli(str(tmp_path / "empty"), "--format", "md")
    assert code == 2
    assert out == ""
    assert err == f"Error: {tmp_path / 'empty'}: nothing to read: the folder holds no files\n"


def test_a_folder_of_unrecognised_files_says_there_was_nothing_to_analyse(
    tmp_path: Path,
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("the customer says it is slow\n")
    code, md, err = run_cli(str(tmp_path / "b"), "--format", "md")
    assert code in (0, 1)
    head = md.split("## ")[0]
    assert head.startswith("# PCD support bundle analysis: Nothing to analyse\n")
    assert "**Nothing to analyse.** No file in the bundle held data" in head
    assert "listed under Unrecognised files" in head
    assert "Verdict" not in head
    assert "confidence" not in head
    assert "### Unrecognised files\n\n- `notes.txt`" in md
    assert "Unknown: without a server list" in md
    assert err.splitlines()[0].startswith("Nothing to analyse: no file in the bundle")
    assert "None" not in err


def test_a_pasted_broker_log_is_analysed_as_a_one_file_bundle(tmp_path: Path) -> None:
    log = tmp_path / "rabbit.log"
    log.write_bytes(_member(BUNDLES / "selfhosted-broker-oom.tgz", "rabbitmq-0/rabbitmq.log"))
    code, doc = analyse_json(log)
    assert code in (0, 1)
    assert doc["bundles"][0]["name"] == "rabbit.log"
    assert doc["counts"]["data_files"] == 1
    assert doc["counts"]["log_records"] > 0
    assert doc["unrecognised_files"] == []
    rows = {r["key"]: r["observed"] for r in doc["symptoms"]}
    assert rows["simultaneous"] == "unknown: no server list in the bundle"


def test_a_pasted_server_list_is_analysed_without_claiming_ages(tmp_path: Path) -> None:
    listing = tmp_path / "server_list.txt"
    listing.write_bytes(_member(BUNDLES / "selfhosted-broker-oom.tgz", "openstack/servers.json"))
    code, doc = analyse_json(listing)
    assert code in (0, 1)
    assert doc["counts"]["servers"] > 0
    assert doc["collected_at"] is None
    rows = {r["key"]: r["observed"] for r in doc["symptoms"]}
    build = doc["counts"]["build"]
    assert rows["stuck_in_build"] == f"unknown: {build} VMs in BUILD, none of known age"
    _code, _out, err = run_cli(str(listing), "--format", "md")
    assert "collection time None" not in err
    assert "no manifest and no usable timestamps" in err


def test_pasted_line_without_time_is_cited_and_marked_undated() -> None:
    _code, doc = analyse_json(BUNDLES / "pasted-session.tgz")
    cited = [e for f in doc["findings"] if f["key"] == "broker_auth_failure" for e in f["evidence"]]
    assert [(e["file"], e["line"], e["timestamp"]) for e in cited] == [
        ("nova-services-paste.txt", 11, None)
    ]
    _code, md, _err = run_cli(str(BUNDLES / "pasted-session.tgz"), "--format", "md", "--quiet")
    assert "nova-services-paste.txt:11  undated  " in md


def test_a_verdict_on_a_single_line_says_so() -> None:
    _code, doc = analyse_json(BUNDLES / "pasted-rabbit36.tgz")
    assert doc["verdict"]["evidence_basis"] == "single-line"
    assert doc["verdict"]["confidence"] <= 0.5
    _code, md, _err = run_cli(str(BUNDLES / "pasted-rabbit36.tgz"), "--format", "md", "--quiet")
    assert "rests on a single line of the bundle" in md


def test_one_compute_down_among_peers_up_is_a_host_not_the_control_plane() -> None:
    _code, doc = analyse_json(BUNDLES / "pasted-service-down.tgz")
    assert doc["verdict"]["class"] == "host_failure"
    assert "compute_service_down" in doc["verdict"]["subcauses"]
    assert "control_plane_down" not in doc["verdict"]["subcauses"]
