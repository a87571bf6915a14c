"""Names read from pcdctl and kubectl output are data: never a shell word, option or path.

The fakes answer with server ids, pod, container and namespace names (and this machine's host
name) made of shell syntax, path traversal, option injection, newlines, NUL bytes and absurd
lengths. Every test checks the three things a hostile name could do: run a command (the
canary file), become an option or several arguments (the fakes' recorded argv), or escape
the bundle layout (the tar member names).
"""

from __future__ import annotations

import json
import os
import re
import socket
import tarfile
from pathlib import Path
from typing import Any

import pytest

from collectors import pcd_collect
from tests.collector.fakes import (
    BUILD_IDS,
    NAMESPACE,
    FakeTools,
    bundle_path_from,
    make_fake_tools,
    manifest,
)

# Options the collector itself puts on command lines; anything else starting with "-" would
# be an injected option.
OWN_OPTIONS = {
    "-n", "-o", "-c", "-f", "--timestamps", "--previous", "--all-namespaces", "--no-headers",
    "--all-projects", "--long", "--status",
}  # fmt: skip
PLAIN_ARG = re.compile(r"^[A-Za-z0-9=,:._/-]+$")
PLAIN_COMPONENT = re.compile(r"^[A-Za-z0-9._-]+$")
GLOBAL_CANARY = Path("/tmp/pwned")


def hostile(canary: Path) -> list[str]:
    return [
        f"x; touch {canary}",
        f"$(touch {canary})",
        f"`touch {canary}`",
        f"a | touch {canary}",
        "$(touch /tmp/pwned)",
        "two words",
        "line\nbreak",
        "../../etc/passwd",
        "/abs/path",
        "--kubeconfig=/x",
        "-x",
        "a" * 5000,
        "nul\x00byte",
        "lone\ud800surrogate",
    ]


def _pod(name: str, containers: list[str]) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {"nodeName": "mgmt-node-1", "containers": [{"name": c} for c in containers]},
        "status": {
            "containerStatuses": [{"name": c, "restartCount": 3} for c in containers],
        },
    }


def _plant(fakes: FakeTools, names: list[str]) -> None:
    """Answer every listing with hostile names next to one plain name of each kind."""
    pods = [_pod("rabbitmq-0", ["rabbitmq", *names])]
    for name in names:
        # each one would be selected by its role if its name were accepted
        pods += [_pod(p, ["nova-conductor"]) for p in (name, f"nova-conductor-{name}",
                                                       f"-rabbitmq-{name}")]  # fmt: skip
    # the discovery output is text split on white space: hostile namespaces have no white
    # space, and a lone surrogate exists only as a JSON escape
    namespaces = [re.sub(r"\s+", "", n) for n in names if "\ud800" not in n]
    workloads = f"{NAMESPACE} nova-conductor\n" + "".join(
        f"{ns} nova-conductor\n" for ns in namespaces if not pcd_collect.NAMESPACE_RE.match(ns)
    )
    fakes.prepend_rules("kubectl", [
        {"match": ["get", "deployments,statefulsets"], "stdout": workloads},
        {"match": ["get", "pods"], "stdout": json.dumps({"items": pods})},
    ])  # fmt: skip
    rows = [{"ID": sid, "Name": sid, "Status": "BUILD", "Host": sid} for sid in names]
    rows.append({"ID": BUILD_IDS[0], "Name": "web-07", "Status": "BUILD", "Host": None})
    services = [{"Binary": "nova-compute", "Host": n, "State": "up"} for n in names]
    fakes.prepend_rules("pcdctl", [
        {"match": ["server", "list", "BUILD"], "stdout": json.dumps(rows)},
        {"match": ["compute", "service", "list"], "stdout": json.dumps(services)},
    ])  # fmt: skip


def _snapshot(root: Path) -> dict[str, tuple[bool, int, int]]:
    out = {}
    for dirpath, dirs, names in os.walk(root):
        for name in dirs + names:
            st = (Path(dirpath) / name).lstat()
            is_dir = os.path.isdir(Path(dirpath) / name)
            out[str((Path(dirpath) / name).relative_to(root))] = (
                is_dir, 0 if is_dir else st.st_size, 0 if is_dir else st.st_mtime_ns
            )  # fmt: skip
    return out


def _assert_argv_are_plain(calls: list[list[str]], names: list[str]) -> None:
    assert calls
    for call in calls:
        for arg in call[1:]:
            assert PLAIN_ARG.match(arg), f"unexpected argument {arg!r} in {call}"
            if arg.startswith("-"):
                assert arg in OWN_OPTIONS or arg.startswith("--since="), (arg, call)
        for name in names:
            assert name not in call
        assert not any("touch" in arg or "pwned" in arg for arg in call), call


def _assert_layout(bundle: Path) -> set[str]:
    """Every member is ``<root>/<plain>/<plain>...``: no ``..``, no absolute path."""
    with tarfile.open(bundle, "r:gz") as tar:
        names = tar.getnames()
    roots = {n.split("/", 1)[0] for n in names}
    assert len(roots) == 1, roots
    for name in names:
        assert not name.startswith("/"), name
        parts = name.split("/")
        assert all(PLAIN_COMPONENT.match(p) and p not in (".", "..") for p in parts), name
    return {n.split("/", 1)[1] for n in names}


def test_hostile_names_from_the_tools_are_never_arguments_or_paths(tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    names = hostile(canary)
    fakes = make_fake_tools(tmp_path, "messaging")
    _plant(fakes, names)
    global_canary_before = GLOBAL_CANARY.exists()
    before = _snapshot(tmp_path)
    result = fakes.run("-q")
    assert result.returncode == 0, result.stderr

    calls = fakes.calls()
    _assert_argv_are_plain(calls, names)
    # the plain names next to them still reach the tools, each as one argument
    assert ["kubectl", "-n", NAMESPACE, "describe", "pod", "rabbitmq-0"] in calls
    assert ["pcdctl", "server", "show", BUILD_IDS[0], "-f", "json"] in calls
    logs = [c for c in calls if c[4:5] == ["rabbitmq-0"] and "logs" in c]
    assert {c[c.index("-c") + 1] for c in logs} == {"rabbitmq"}

    bundle = bundle_path_from(result)
    files = _assert_layout(bundle)
    assert "kubernetes/describe/rabbitmq-0.txt" in files
    assert f"openstack/server-show/{BUILD_IDS[0]}.json" in files
    # what was refused is said in the manifest
    notes = manifest(bundle)["notes"]
    server_note = next(n for n in notes if "server ids" in n)
    assert server_note.startswith(f"skipped {len(names)} server ids that are not plain names")
    assert "never passed to pcdctl" in server_note
    pod_note = next(n for n in notes if "pod or container names" in n)
    # "nova-conductor--x" is a legal pod name: described like any other, as one argument
    assert ["kubectl", "-n", NAMESPACE, "describe", "pod", "nova-conductor--x"] in calls
    assert pod_note.startswith(f"skipped {4 * len(names) - 1} pod or container names")
    assert "'--kubeconfig=/x'" in next(n for n in notes if "namespace names" in n)
    assert all("\x00" not in n and "\n" not in n for n in notes)

    # nothing ran, nothing was created outside the output directory
    assert not canary.exists()
    assert GLOBAL_CANARY.exists() == global_canary_before
    after = _snapshot(tmp_path)
    changed = {p for p in after if before.get(p) != after[p]} - {"bin/calls.jsonl"}
    assert changed == {"out", f"out/{bundle.name}"}, changed


def test_a_name_that_got_past_validation_is_still_one_inert_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the name patterns switched off, the argv and path guards alone still hold."""
    canary = tmp_path / "pwned"
    names = hostile(canary)
    fakes = make_fake_tools(tmp_path, "messaging")
    _plant(fakes, names)
    for tool, fallback in (("pcdctl", ["server", "show"]), ("kubectl", ["-n"])):
        rules = json.loads((fakes.bin_dir / f"{tool}.spec.json").read_text())
        fakes.set_rules(tool, [*rules, {"match": fallback, "stdout": "{}\n"}])
    anything = re.compile(r"(?s).+")
    for pattern in ("SERVER_ID_RE", "K8S_NAME_RE"):
        monkeypatch.setattr(pcd_collect, pattern, anything)
    for key, value in fakes.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(fakes.cwd)
    before = _snapshot(tmp_path)
    command = fakes.command("-q", "--namespace", NAMESPACE, "--no-host-logs")
    assert pcd_collect.main(command[2:]) == 0

    calls = fakes.calls()
    passed = [n for n in names if pcd_collect.refused_operand(n) is None]
    refused = [n for n in names if n not in passed]
    assert {"--kubeconfig=/x", "-x", "a" * 5000, "nul\x00byte", "lone\ud800surrogate"} == set(
        refused
    )
    for name in passed:
        # no shell split it, joined it or expanded it: exactly one element, unchanged
        assert ["pcdctl", "server", "show", name, "-f", "json"] in calls, name
        pod = f"nova-conductor-{name}"
        assert ["kubectl", "-n", NAMESPACE, "describe", "pod", pod] in calls, name
        assert any(c[-4:-1] == ["-c", name, "--timestamps"] for c in calls), name
    for call in calls:
        options = [a for a in call[1:] if a.startswith("-")]
        assert all(a in OWN_OPTIONS or a.startswith("--since=") for a in options), call
        assert not any(n in call for n in refused), call

    bundle = next(fakes.out_dir.glob("*.tgz"))
    files = _assert_layout(bundle)
    assert "kubernetes/describe/rabbitmq-0.txt" in files
    shows = [f for f in files if f.startswith("openstack/server-show/")]
    assert len(shows) == len(set(shows)) >= len(passed)
    notes = manifest(bundle)["notes"]
    assert any(n.startswith(f"skipped {len(refused)} server ids") for n in notes), notes
    assert not any("internal error" in n for n in notes), notes

    assert not canary.exists()
    after = _snapshot(tmp_path)
    changed = {p for p in after if before.get(p) != after[p]} - {"bin/calls.jsonl"}
    assert changed == {"out", f"out/{bundle.name}"}, changed


def test_run_command_passes_each_argument_verbatim_and_never_raises(tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    fakes = make_fake_tools(tmp_path, "messaging")
    fakes.set_rules("pcdctl", [{"match": [], "stdout": "ok\n"}])
    unencodable = ["nul\x00byte", "lone\ud800surrogate"]
    args = [n for n in hostile(canary) if n not in unencodable]
    tool = str(fakes.bin_dir / "pcdctl")
    res = pcd_collect.run_command([tool, *args], 30, 1024, False, pcd_collect.Stop())
    assert res.ok, res
    assert fakes.calls() == [["pcdctl", *args]]
    assert not canary.exists()
    # a NUL byte or a lone surrogate cannot be an argument at all: a failed item, no traceback
    for arg in unencodable:
        res = pcd_collect.run_command([tool, arg], 30, 1024, False, pcd_collect.Stop())
        assert res.exit_code is None
        assert res.start_error is not None
        assert res.start_error.startswith(f"cannot run {tool}: ")
    assert len(fakes.calls()) == 1


@pytest.mark.parametrize(
    "name", ["-x", "--kubeconfig=/x", "nul\x00byte", "lone\ud800surrogate", "a" * 254, ""]
)
def test_argument_builders_refuse_what_would_be_an_option(name: str) -> None:
    builders = [
        lambda: pcd_collect.server_show_argv("pcdctl", name),
        lambda: pcd_collect.describe_argv("kubectl", NAMESPACE, name),
        lambda: pcd_collect.describe_argv("kubectl", name, "rabbitmq-0"),
        lambda: pcd_collect.logs_argv("kubectl", NAMESPACE, "rabbitmq-0", name, False, 60),
        lambda: pcd_collect.kubectl_commands("kubectl", name),
    ]
    for build in builders:
        with pytest.raises(ValueError, match="refusing command argument"):
            build()


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("rabbitmq-0", True),
        ("nova-conductor-6d9f7c8b5-x2x7q", True),
        (BUILD_IDS[0], True),
        ("../../etc/passwd", False),
        ("/abs/path", False),
        ("..", False),
        ("a/b", False),
        ("-rf", False),
        ("line\nbreak", False),
        ("lone\ud800surrogate", False),
        ("a" * 5000, False),
        ("", False),
    ],
)
def test_member_component_is_one_plain_path_component(name: str, kept: bool) -> None:
    part = pcd_collect.member_component(name)
    assert (part == name) is kept
    assert PLAIN_COMPONENT.match(part)
    assert part not in (".", "..")
    assert len(part) <= 253
    assert not part.startswith("-")
    if not kept:  # two hostile names never share a member
        assert part != pcd_collect.member_component(name + "x")


def test_a_hostile_host_name_and_region_stay_inside_the_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = tmp_path / "pwned"
    fakes = make_fake_tools(tmp_path, "messaging", kubectl="missing", pcdctl=False)
    for key, value in fakes.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("OS_REGION_NAME", f"../../$(touch {canary})")
    monkeypatch.setattr(socket, "gethostname", lambda: f"../../etc/`touch {canary}`\n-x")
    monkeypatch.chdir(fakes.cwd)
    assert pcd_collect.main(fakes.command("-q", "--no-openstack", "--no-kubernetes")[2:]) == 0
    bundles = list(fakes.out_dir.iterdir())
    assert len(bundles) == 1
    assert PLAIN_COMPONENT.match(bundles[0].name), bundles
    files = _assert_layout(bundles[0])
    host_dirs = {f.split("/")[1] for f in files if f.startswith("hosts/")}
    assert len(host_dirs) == 1
    assert not canary.exists()
