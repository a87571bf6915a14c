"""Never hangs, never aborts, never writes where it should not."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from analyzer.bundle import read_bundle
from collectors import pcd_collect
from tests.collector.fakes import (
    HOST,
    bundle_path_from,
    item,
    make_fake_tools,
    manifest,
    members,
)

HANG = 60  # seconds a hanging fake sleeps; every test must finish long before


def test_a_hanging_command_costs_its_timeout_and_no_more(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    fakes.prepend_rules("pcdctl", [{"match": ["server", "list", "ERROR"], "sleep": HANG,
                                    "stdout": "[]"}])  # fmt: skip
    started = time.monotonic()
    result = fakes.run("-q", "--command-timeout", "2")
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 2 + 5, elapsed  # a bound, not a benchmark
    doc = manifest(bundle_path_from(result))
    hung = item(doc, "openstack/servers-error.json")
    assert hung["timed_out"] is True
    assert 2 <= hung["duration_s"] < 3.5
    assert hung["error"].startswith("timed out after 2.")
    assert hung["exit_code"] is not None  # killed by a signal: negative
    # the run went on
    assert item(doc, "kubernetes/pods.json")["exit_code"] == 0


def test_a_hang_whose_child_keeps_the_pipe_open(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging", kubectl="missing")
    fakes.prepend_rules("pcdctl", [{"match": ["server", "list", "BUILD"], "sleep": HANG,
                                    "child_holds_pipe": 20}])  # fmt: skip
    started = time.monotonic()
    result = fakes.run("-q", "--command-timeout", "2")
    assert time.monotonic() - started < 2 + 5
    assert result.returncode == 0, result.stderr
    assert item(manifest(bundle_path_from(result)), "openstack/servers-build.json")["timed_out"]


def test_failures_garbage_and_missing_tools_are_recorded(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    fakes.prepend_rules("pcdctl", [
        {"match": ["compute", "service", "list"], "stdout": "<html>502 Bad Gateway</html>\n"},
        {"match": ["server", "list", "BUILD"], "exit": 1,
         "stderr": "Unable to establish connection to https://acme/compute/v2.1: timed out\n"},
    ])  # fmt: skip
    fakes.prepend_rules("kubectl", [{"match": ["get", "pods"], "stdout": "not json {{{"}])
    result = fakes.run("-q", "--pcdctl", "pcdctl")
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    files = members(bundle)
    doc = manifest(bundle)
    garbage = item(doc, "openstack/compute-services.json")
    assert garbage["exit_code"] == 0
    assert files["openstack/compute-services.json"] == b"<html>502 Bad Gateway</html>\n"
    failed = item(doc, "openstack/servers-build.json")
    assert failed["exit_code"] == 1
    assert failed["error"].startswith("exit status 1: Unable to establish connection")
    assert "openstack/servers-build.json" not in files
    assert files[failed["stderr_path"]].startswith(b"Unable to establish connection")
    # BUILD list failed: the BUILD servers come from the full list instead
    assert any(p.startswith("openstack/server-show/") for p in files)
    # pods.json is garbage: kept as is, no describe/logs, said in the notes
    assert files["kubernetes/pods.json"] == b"not json {{{"
    assert not any(p.startswith("kubernetes/describe/") for p in files)
    assert any("no JSON" in note for note in doc["notes"])


def test_a_missing_tool_is_a_note_and_a_broken_one_a_failure(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging", kubectl="missing", pcdctl=False)
    result = fakes.run("-q")
    assert result.returncode == 0, result.stderr
    doc = manifest(bundle_path_from(result))
    assert not any(i["path"].startswith("openstack/") for i in doc["items"])
    assert any(note.startswith("pcdctl not found") for note in doc["notes"])
    # present but not executable: it ran and failed, so it is a failed item
    broken = fakes.bin_dir / "pcdctl"
    broken.write_text("#!/nonexistent/interpreter\n")
    broken.chmod(0o755)
    result = fakes.run("-q", "--output", str(fakes.out_dir / "second.tgz"))
    assert result.returncode == 0, result.stderr
    entry = item(manifest(bundle_path_from(result)), "openstack/compute-services.json")
    assert entry["exit_code"] is None
    assert entry["error"].startswith("command not found") or "cannot run" in entry["error"]


def test_time_budget_cuts_commands_and_says_so(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    fakes.prepend_rules("pcdctl", [{"match": ["server", "list", "BUILD"], "sleep": HANG}])
    started = time.monotonic()
    result = fakes.run("-q", "--time-budget", "3", "--command-timeout", "60")
    assert time.monotonic() - started < 3 + 5
    assert result.returncode == 0, result.stderr
    doc = manifest(bundle_path_from(result))
    assert {"path": "openstack/servers-build.json", "reason": "time budget"} in doc["truncated"]
    skipped = item(doc, "commands/namespace-discovery.txt")
    assert skipped["error"] == "not collected: time budget"
    assert skipped["exit_code"] is None
    assert {"path": "commands/namespace-discovery.txt", "reason": "time budget"} in doc["truncated"]


def test_size_budget_and_byte_caps(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    result = fakes.run("-q", "--size-budget", "6K", "--pod-log-cap", "200")
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    doc = manifest(bundle)
    assert sum(f["bytes"] for f in doc["files"].values()) <= 6 * 1024
    reasons = {t["reason"] for t in doc["truncated"]}
    assert "size budget" in reasons
    capped = "kubernetes/logs/rabbitmq-0/rabbitmq.previous.log"
    if capped in members(bundle):
        assert {"path": capped, "reason": "byte cap"} in doc["truncated"]


def test_pod_log_byte_cap_keeps_the_newest_lines(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    result = fakes.run("-q", "--pod-log-cap", "300")
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    path = "kubernetes/logs/rabbitmq-0/rabbitmq.previous.log"
    data = members(bundle)[path]
    assert len(data) <= 300
    assert data.rstrip().endswith(b"*** Publishers will be blocked until this alarm clears ***")
    assert b"Memory high watermark set" not in data  # the oldest line went
    assert data.startswith(b"20")  # starts at a whole line
    assert {"path": path, "reason": "byte cap"} in manifest(bundle)["truncated"]


def _wait_for_call(fakes_calls: object, needle: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = fakes_calls() if callable(fakes_calls) else []
        if any(needle in call for call in calls):
            return
        time.sleep(0.05)
    raise AssertionError(f"{needle} never ran")


def test_ctrl_c_leaves_a_valid_partial_bundle(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    fakes.prepend_rules("pcdctl", [{"match": ["server", "list", "BUILD"], "sleep": HANG}])
    proc = subprocess.Popen(
        fakes.command("-q", "--command-timeout", "60"),
        env=fakes.env(),
        cwd=fakes.cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_call(fakes.calls, "BUILD")
        time.sleep(0.3)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        assert time.monotonic() - sent < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    bundle = Path(out.strip().splitlines()[-1])
    assert "PARTIAL bundle (interrupted)" in err
    doc = manifest(bundle)
    assert doc["interrupted"] is True
    hung = item(doc, "openstack/servers-build.json")
    assert hung["error"].startswith("interrupted after")
    assert {"path": "openstack/servers-build.json", "reason": "interrupted"} in doc["truncated"]
    assert item(doc, "commands/namespace-discovery.txt")["error"] == "not collected: interrupted"
    assert item(doc, f"hosts/{HOST}/ostackhost.log")["error"] == "not collected: interrupted"
    assert "openstack/servers.json" in members(bundle)  # what was done is kept
    read = read_bundle(bundle)
    assert not read.problems
    assert {f.path for f in read.files} >= {"manifest.json", "openstack/servers.json"}
    assert not list(fakes.out_dir.glob("*.partial"))


def test_dry_run_runs_nothing_and_writes_nothing(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    result = fakes.run("--dry-run", "--obfuscate")
    assert result.returncode == 0, result.stderr
    assert fakes.calls() == []
    assert not fakes.out_dir.exists()
    plan = result.stdout
    for expected in (
        "pcdctl server list --all-projects --long -f json",
        "pcdctl server list --all-projects --long --status BUILD -f json",
        "pcdctl server list --all-projects --long --status ERROR -f json",
        "pcdctl server show '<id>' -f json",
        "pcdctl compute service list --long -f json",
        "kubectl -n '<namespace>' get pods -o json",
        "kubectl -n '<namespace>' get events -o json",
        "kubectl -n '<namespace>' describe pod '<pod>'",
        "--timestamps --previous",
        str(fakes.pf9_dir / "ostackhost.log"),
        str(fakes.pf9_dir / "ostackhost.log.2.gz"),
        str(fakes.pf9_dir / "comms" / "comms-stdout.log"),
        "obfuscation mapping",
    ):
        assert expected in plan, expected


def test_refuses_to_overwrite_an_existing_bundle(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "healthy", kubectl="missing")
    target = fakes.out_dir / "case-123.tgz"
    first = fakes.run("-q", "--output", str(target))
    assert first.returncode == 0, first.stderr
    before = target.read_bytes()
    calls = len(fakes.calls())
    second = fakes.run("-q", "--output", str(target))
    assert second.returncode == 2
    assert second.stderr.strip() == f"Error: {target} already exists; not overwritten"
    assert target.read_bytes() == before
    assert len(fakes.calls()) == calls  # refused before running anything
    assert sorted(p.name for p in fakes.out_dir.iterdir()) == ["case-123.tgz"]
    assert {m.split("/")[0] for m in members(target)} >= {"manifest.json"}


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and directory under root: (size, mtime) of files, (-1, 0) of directories."""
    out = {}
    for dirpath, dirs, names in os.walk(root):
        for name in dirs:
            out[str((Path(dirpath) / name).relative_to(root))] = (-1, 0)
        for name in names:
            full = Path(dirpath) / name
            st = full.lstat()
            out[str(full.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.mark.parametrize("obfuscate", [True, False])
def test_writes_nothing_outside_its_output_directory(tmp_path: Path, obfuscate: bool) -> None:
    """TMPDIR, HOME and the working directory are all in the scratch tree, and stay empty."""
    fakes = make_fake_tools(tmp_path, "messaging")
    scratch = {"tmp": tmp_path / "tmp", "home": tmp_path / "home", "cwd": fakes.cwd}
    scratch["tmp"].mkdir()
    fakes.extra_env["TMPDIR"] = str(scratch["tmp"])
    assert fakes.env()["HOME"] == str(scratch["home"])
    before = _snapshot(tmp_path)
    result = fakes.run("-q", *(["--obfuscate"] if obfuscate else []))
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    after = _snapshot(tmp_path)
    changed = {p for p in after if before.get(p) != after[p]}
    changed.discard("bin/calls.jsonl")  # written by the fakes, not the collector
    expected = {"out", f"out/{bundle.name}"}
    if obfuscate:
        expected.add("out/pcd-collect-obfuscation-map.json")
    assert changed == expected
    assert not set(before) - set(after)  # nothing removed either
    for place in scratch.values():
        assert not any(place.iterdir()), place


def test_bad_usage_is_one_line_and_status_2(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "healthy")
    for args, message in (
        (["--since", "yesterday"], "Error: --since: not a duration or a time: 'yesterday'"),
        (["--namespace", "Bad_NS"], "Error: --namespace: not a Kubernetes namespace name"),
    ):
        result = fakes.run(*args)
        assert result.returncode == 2
        assert result.stderr.startswith(message), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert fakes.calls() == []


def test_manifest_is_json_even_for_empty_outputs(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "healthy")
    fakes.prepend_rules("kubectl", [{"match": ["logs", "nova-api-osapi-5c6d7e8f9-q4r5s"]}])
    result = fakes.run("-q")
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    path = "kubernetes/logs/nova-api-osapi-5c6d7e8f9-q4r5s/nova-api-osapi.log"
    assert members(bundle)[path] == b""
    assert item(manifest(bundle), path)["bytes"] == 0
    json.loads(members(bundle)["manifest.json"])


def test_an_internal_error_in_one_source_spares_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    for key, value in fakes.env().items():
        monkeypatch.setenv(key, value)

    def broken(*args: object) -> object:
        raise RuntimeError("bug in pod selection")

    monkeypatch.setattr(pcd_collect, "select_pods", broken)
    assert pcd_collect.main(fakes.command("-q")[2:]) == 0
    bundle = next(fakes.out_dir.glob("*.tgz"))
    files = members(bundle)
    assert "openstack/servers.json" in files
    assert "kubernetes/pods.json" in files
    assert f"hosts/{HOST}/ostackhost.log" in files
    notes = manifest(bundle)["notes"]
    assert (
        "Kubernetes collection stopped by an internal error (RuntimeError: bug in pod selection)"
        in notes[0]
    )
