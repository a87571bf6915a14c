"""End to end: the collector against fake pcdctl/kubectl writes the docs/bundle-format.md layout."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from analyzer.bundle import read_bundle
from tests.collector.fakes import (
    BUILD_IDS,
    HOST,
    NAMESPACE,
    REGION,
    bundle_path_from,
    item,
    make_bundle,
    make_fake_tools,
    manifest,
    members,
)

SELF_HOSTED_FILES = {
    "manifest.json",
    "openstack/servers.json",
    "openstack/servers-build.json",
    "openstack/servers-error.json",
    "openstack/compute-services.json",
    *(f"openstack/server-show/{sid}.json" for sid in BUILD_IDS),
    "commands/namespace-discovery.txt",
    "kubernetes/pods.json",
    "kubernetes/events.json",
    "kubernetes/describe/rabbitmq-0.txt",
    "kubernetes/describe/nova-conductor-6d9f7c8b5-x2x7q.txt",
    "kubernetes/describe/nova-scheduler-7b8c9d6f4-k9m2p.txt",
    "kubernetes/describe/nova-api-osapi-5c6d7e8f9-q4r5s.txt",
    "kubernetes/logs/rabbitmq-0/rabbitmq.log",
    "kubernetes/logs/rabbitmq-0/rabbitmq.previous.log",
    "kubernetes/logs/nova-conductor-6d9f7c8b5-x2x7q/nova-conductor.log",
    "kubernetes/logs/nova-scheduler-7b8c9d6f4-k9m2p/nova-scheduler.log",
    "kubernetes/logs/nova-api-osapi-5c6d7e8f9-q4r5s/nova-api-osapi.log",
    f"hosts/{HOST}/clock.json",
    f"hosts/{HOST}/ostackhost.log",
    f"hosts/{HOST}/hostagent.log",
    f"hosts/{HOST}/comms-stdout.log",
}


def test_self_hosted_messaging_bundle_has_the_documented_layout(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, "messaging", "self-hosted")
    assert re.fullmatch(rf"pcd-bundle-{REGION}-\d{{8}}T\d{{6}}Z\.tgz", bundle.name)
    files = members(bundle)
    assert set(files) == SELF_HOSTED_FILES
    doc = manifest(bundle)
    assert doc["schema"] == "pcd-bundle/1.1"
    assert doc["deployment"] == "self-hosted"
    assert doc["namespace"] == NAMESPACE
    assert doc["region"] == REGION
    assert doc["interrupted"] is False
    assert doc["host"]["name"] == HOST
    assert doc["host"]["utc_offset_s"] == 0
    assert doc["host"]["host_id"] == "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    assert sum(doc["redaction"]["rules"].values()) > 0
    # no messaging pod restarted except rabbitmq: only it has a --previous log
    prev = item(doc, "kubernetes/logs/rabbitmq-0/rabbitmq.previous.log")
    assert prev["command"][-1] == "--previous"
    assert prev["exit_code"] == 0


def test_manifest_checksums_describe_every_file(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, "messaging", "self-hosted")
    files = members(bundle)
    doc = manifest(bundle)
    assert set(doc["files"]) == set(files) - {"manifest.json"}
    for path, meta in doc["files"].items():
        assert meta["bytes"] == len(files[path])
        assert meta["sha256"] == hashlib.sha256(files[path]).hexdigest()
    for entry in doc["items"]:
        if entry["bytes"] is not None:
            assert entry["sha256"] == hashlib.sha256(files[entry["path"]]).hexdigest()
        assert entry["command"] is None or isinstance(entry["command"], list)
    servers = item(doc, "openstack/servers.json")
    assert servers["command"] == [
        "pcdctl", "server", "list", "--all-projects", "--long", "-f", "json",
    ]  # fmt: skip
    assert servers["exit_code"] == 0
    assert servers["timed_out"] is False
    assert servers["error"] is None
    assert servers["duration_s"] >= 0
    log = item(doc, f"hosts/{HOST}/ostackhost.log")
    assert log["command"] is None
    assert log["source"].endswith("pf9/ostackhost.log")


def test_analyzer_reader_sees_the_layout(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, "messaging", "self-hosted")
    read = read_bundle(bundle)
    assert not read.problems
    assert {f.path for f in read.files} == SELF_HOSTED_FILES


def test_saas_without_kubectl(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, "messaging", "saas")
    files = members(bundle)
    assert not any(p.startswith("kubernetes/") for p in files)
    assert "openstack/servers-build.json" in files
    doc = manifest(bundle)
    assert doc["deployment"] == "saas"
    assert doc["namespace"] is None
    # no kubectl is what SaaS looks like: a note, not a failed command
    assert not any(i["path"].startswith(("kubernetes/", "commands/")) for i in doc["items"])
    assert not any(i["error"] for i in doc["items"])
    assert "kubectl not found: no Kubernetes data (SaaS-style bundle)" in doc["notes"]


def test_saas_when_kubectl_has_no_access(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging", kubectl="unauthorized")
    result = fakes.run("-q")
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    doc = manifest(bundle)
    assert doc["deployment"] == "saas"
    entry = item(doc, "commands/namespace-discovery.txt")
    assert entry["exit_code"] == 1
    assert "Unauthorized" in entry["error"]
    assert entry["stderr_path"] in members(bundle)


def test_deployment_can_be_told(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging", kubectl="missing")
    result = fakes.run("-q", "--deployment", "self-hosted")
    assert result.returncode == 0, result.stderr
    assert manifest(bundle_path_from(result))["deployment"] == "self-hosted"


def test_namespace_flag_skips_discovery(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    result = fakes.run("-q", "--namespace", NAMESPACE)
    assert result.returncode == 0, result.stderr
    assert not any("deployments,statefulsets" in call for call in fakes.calls())
    doc = manifest(bundle_path_from(result))
    assert doc["namespace"] == NAMESPACE
    assert doc["deployment"] == "self-hosted"


def test_healthy_system(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, "healthy", "self-hosted")
    files = members(bundle)
    assert files["openstack/servers-build.json"].strip() == b"[]"
    assert not any(p.startswith("openstack/server-show/") for p in files)
    # rabbitmq never restarted: no --previous call at all
    assert "kubernetes/logs/rabbitmq-0/rabbitmq.previous.log" not in files
    assert manifest(bundle)["deployment"] == "self-hosted"


def test_hypervisor_only_run(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging", kubectl="missing", pcdctl=False)
    result = fakes.run()
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    assert bundle.name.startswith(f"pcd-bundle-{REGION}-")
    doc = manifest(bundle)
    assert doc["deployment"] == "unknown"
    assert f"hosts/{HOST}/ostackhost.log" in members(bundle)
    assert "Attach the bundle from the admin workstation" in result.stderr


def test_summary_names_size_failures_and_what_to_attach(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    fakes.prepend_rules("kubectl", [{"match": ["get", "events"], "exit": 1,
                                     "stderr": "Error from server (Forbidden): events\n"}])  # fmt: skip
    result = fakes.run()
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    assert result.stdout.strip() == str(bundle)
    assert f"Bundle: {bundle} (" in result.stderr
    assert "Failed or skipped: 1" in result.stderr
    assert "kubernetes/events.json: exit status 1: Error from server (Forbidden)" in result.stderr
    assert f"Attach {bundle.name} to your support ticket" in result.stderr


@pytest.mark.parametrize("deployment", ["self-hosted", "saas"])
def test_make_bundle_helper_for_the_round_trip(tmp_path: Path, deployment: str) -> None:
    bundle = make_bundle(tmp_path, "messaging", deployment)
    assert manifest(bundle)["deployment"] == deployment
