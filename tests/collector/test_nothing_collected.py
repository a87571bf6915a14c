"""A run that gathers nothing the analyzer can read says so, exits 4 and names what to fix.

With no pcdctl, no reachable cluster and no hypervisor logs the bundle holds only the manifest
(what was tried, why it failed): it used to be written with status 0 and "Attach it to your
support ticket". ``--dry-run`` says which listed commands' tools are not installed.
"""

from __future__ import annotations

from pathlib import Path

from tests.collector.fakes import bundle_path_from, make_fake_tools, manifest

EXIT_NOTHING_COLLECTED = 4

# kubectl with no kubeconfig: its real message, as pasted in
# github.com/kubernetes/website/issues/12075 (kubectl v1.13.1 right after installing it)
REFUSED = (
    "The connection to the server localhost:8080 was refused - did you specify the right host "
    "or port?\n"
)
# openstackclient without an RC file sourced: keystoneauth's message, as DevStack and kolla
# install notes quote it after `openstack service list`; pcdctl wraps the same client
NO_RC = "Missing value auth-url required for auth plugin password\n"


def test_no_tool_and_no_logs_is_nothing_collected(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, kubectl="missing", pcdctl=False, hypervisor=False)
    result = fakes.run("-q")
    assert result.returncode == EXIT_NOTHING_COLLECTED, result.stderr
    assert "NOTHING USEFUL WAS COLLECTED" in result.stderr
    assert "Attach" not in result.stderr
    assert "pcdctl is not installed or not on PATH. Install pcdctl" in result.stderr
    assert "--pcdctl PATH" in result.stderr
    assert "kubectl is not installed or not on PATH" in result.stderr
    assert "Run this on an affected hypervisor" in result.stderr
    bundle = bundle_path_from(result)  # kept: its manifest says what was tried
    assert manifest(bundle)["deployment"] == "unknown"


def test_an_unreachable_cluster_and_a_failing_pcdctl_are_named(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, kubectl="unauthorized", hypervisor=False)
    fakes.set_rules("kubectl", [{"match": [], "exit": 1, "stderr": REFUSED}])
    fakes.set_rules("pcdctl", [{"match": [], "exit": 1, "stderr": NO_RC}])
    result = fakes.run("-q")
    assert result.returncode == EXIT_NOTHING_COLLECTED, result.stderr
    assert "every pcdctl command failed" in result.stderr
    assert "Source the region's RC file" in result.stderr
    assert "kubectl cannot reach the management cluster. Point KUBECONFIG" in result.stderr
    assert "Missing value auth-url" in result.stderr  # the errors themselves are listed


def test_skipped_sources_are_not_asked_for(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, kubectl="missing", pcdctl=False, hypervisor=False)
    result = fakes.run("-q", "--no-kubernetes", "--no-host-logs")
    assert result.returncode == EXIT_NOTHING_COLLECTED, result.stderr
    assert "pcdctl is not installed" in result.stderr
    assert "  - OpenStack data: " in result.stderr
    assert "  - Kubernetes data" not in result.stderr
    assert "  - Hypervisor logs" not in result.stderr


def test_a_saas_workstation_alone_is_useful(tmp_path: Path) -> None:
    """Near miss: no kubectl access and no hypervisor logs, but pcdctl answered."""
    fakes = make_fake_tools(tmp_path, kubectl="unauthorized", hypervisor=False)
    result = fakes.run("-q")
    assert result.returncode == 0, result.stderr
    assert "NOTHING USEFUL" not in result.stderr
    assert "Attach " in result.stderr


def test_dry_run_names_the_tools_not_installed(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, kubectl="missing", pcdctl=False, hypervisor=False)
    result = fakes.run("--dry-run")
    assert result.returncode == 0, result.stderr
    assert "NOT INSTALLED: pcdctl (not found on PATH)" in result.stdout
    assert "NOT INSTALLED: kubectl (not found on PATH)" in result.stdout
    assert "give its path with --kubectl PATH" in result.stdout
    assert "Nothing useful would be collected here" in result.stdout
    assert not fakes.out_dir.exists() or not any(fakes.out_dir.iterdir())


def test_dry_run_with_the_tools_says_nothing_of_the_kind(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, hypervisor=False)
    result = fakes.run("--dry-run")
    assert result.returncode == 0, result.stderr
    assert "NOT INSTALLED" not in result.stdout
    assert "Nothing useful would be collected" not in result.stdout
