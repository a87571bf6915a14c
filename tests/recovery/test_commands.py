"""The commands of the recovery, run against stand-in kubectl, openstack and pcdctl: the
argv they produce carries the bundle's real names, and every snippet parses and ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analysis import analyse
from analyzer.document import AnalysisDocument
from analyzer.recovery_scripts import POLL_TRIES, CheckVm, cleanup_loop, verify_create
from reports.next_steps_view import next_steps
from tests.recovery.bundles import RABBIT, broker_bundle, fix_of, rabbit_line
from tests.recovery.standins import TEST_VM_ID, StandIns, syntax_ok

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"
SHIPPED = sorted(p.name.removesuffix(".tgz") for p in BUNDLES.glob("*.tgz"))

_DOCS: dict[str, AnalysisDocument] = {}


def document(name: str) -> AnalysisDocument:
    if name not in _DOCS:
        _DOCS[name] = analyse([BUNDLES / f"{name}.tgz"])[0]
    return _DOCS[name]


def every_command(doc: AnalysisDocument) -> list[str]:
    steps = doc.recovery.fixes + doc.recovery.steps
    return [c for s in steps for c in s.commands] + list(doc.cleanup.commands)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_command_of_every_fixture_parses(name: str) -> None:
    doc = document(name)
    for command in every_command(doc):
        assert syntax_ok(command), command
    for step in next_steps(doc).steps:
        assert all(syntax_ok(c) for c in step.commands)


def test_oom_next_steps_raise_the_limit_of_the_owning_statefulset(tmp_path: Path) -> None:
    doc = document("selfhosted-broker-oom")
    box = next_steps(doc)
    run = StandIns(tmp_path).run("\n".join(box.steps[0].commands))
    assert run.status == 0
    assert run.calls == [
        [
            "kubectl",
            *("-n", "pcd", "set", "resources", "statefulset/rabbitmq"),
            *("-c", "rabbitmq", "--limits=memory=2560Mi"),
        ],
        ["kubectl", "-n", "pcd", "rollout", "status", "statefulset/rabbitmq", "--timeout=300s"],
    ]
    assert "statefulset.apps/rabbitmq resource requirements updated" in run.stdout
    restart = StandIns(tmp_path / "restart").run("\n".join(box.steps[1].commands))
    assert restart.calls == [["kubectl", "-n", "pcd", "delete", "pod", "rabbitmq-0"]]


def test_verify_create_uses_the_bundles_servers_and_sees_active(tmp_path: Path) -> None:
    doc = document("selfhosted-broker-oom")
    (verify,) = next(s for s in doc.recovery.steps if s.key == "verify_create").commands
    run = StandIns(tmp_path, build_polls=2).run(verify)
    assert run.status == 0
    create, *polls, delete = run.calls
    assert create[:3] == ["openstack", "server", "create"]
    # an ACTIVE server of the bundle: ci-runner VMs ran on prod-net with m1.small
    assert create[create.index("--flavor") + 1] == "m1.small"
    assert create[create.index("--image") + 1] == "ubuntu-22.04"
    assert create[create.index("--network") + 1] == "prod-net"
    assert polls == [["openstack", "server", "show", TEST_VM_ID, "-f", "value", "-c", "status"]] * 3
    assert delete == ["openstack", "server", "delete", TEST_VM_ID]
    assert f"test VM {TEST_VM_ID}: ACTIVE" in run.stdout


def test_verify_create_stops_at_error_and_fails(tmp_path: Path) -> None:
    script = verify_create(CheckVm("m1.small", "cirros", "private"))
    run = StandIns(tmp_path, build_polls=1, final="ERROR").run(script)
    assert run.status != 0
    shows = [c for c in run.calls if c[1:3] == ["server", "show"]]
    assert len(shows) == 2  # BUILD, then ERROR: no more polling
    assert run.calls[-1] == ["openstack", "server", "delete", TEST_VM_ID]


def test_verify_create_gives_up_after_its_timeout(tmp_path: Path) -> None:
    script = verify_create(CheckVm("m1.small", "cirros", "private"))
    run = StandIns(tmp_path, build_polls=10_000).run(script)
    assert run.status != 0
    assert len([c for c in run.calls if c[1:3] == ["server", "show"]]) == POLL_TRIES
    assert run.calls[-1] == ["openstack", "server", "delete", TEST_VM_ID]


def test_verify_create_without_known_servers_uses_marked_placeholders(tmp_path: Path) -> None:
    script = verify_create(CheckVm(None, None, None))
    assert syntax_ok(script)
    create = StandIns(tmp_path).run(script).calls[0]
    assert create[create.index("--flavor") + 1].startswith("REPLACE-with-a-flavor")
    assert create[create.index("--network") + 1].startswith("REPLACE-with-a-network")


def test_cleanup_is_one_loop_over_the_stuck_ids(tmp_path: Path) -> None:
    doc = document("selfhosted-broker-oom")
    ids = [vm.id for vm in doc.cleanup.vms]
    assert len(ids) == 12
    (loop,) = doc.cleanup.commands
    assert loop.startswith("for id in")
    assert loop.count("pcdctl") == 2
    run = StandIns(tmp_path).run(loop)
    assert run.status == 0
    expected = []
    for vm_id in ids:
        expected += [
            ["pcdctl", "server", "set", "--state", "error", vm_id],
            ["pcdctl", "server", "delete", vm_id],
        ]
    assert run.calls == expected


def test_values_from_the_bundle_are_quoted(tmp_path: Path) -> None:
    hostile = "x; touch pwned"
    loop = cleanup_loop([hostile, "$(touch pwned)"])
    assert loop is not None
    run = StandIns(tmp_path).run(f"cd {tmp_path} && {loop}")
    assert not (tmp_path / "pwned").exists()
    assert ["pcdctl", "server", "delete", hostile] in run.calls
    script = verify_create(CheckVm("m1'small", "$(touch pwned)", "net`touch pwned`"))
    StandIns(tmp_path / "v").run(f"cd {tmp_path} && {script}")
    assert not (tmp_path / "pwned").exists()


# --- the other sub-causes, on small bundles built like the rules' samples -----------------
def test_auth_fix_names_the_user_of_the_cited_line(tmp_path: Path) -> None:
    # the broker's words: rabbitmq-server rabbit_reader ("PLAIN login refused: user '~ts' -
    # invalid credentials"), as the JFrog Xray troubleshooting guide quotes it
    doc = broker_bundle(
        tmp_path,
        rabbit_line("09:20:00", "error", "PLAIN login refused: user 'nova' - invalid credentials"),
    )
    fix = fix_of(doc, "check_credentials")
    assert fix["facts"]["user"] == "nova"
    assert fix["evidence"][0]["file"] == RABBIT
    assert fix["evidence"][0]["line"] == 1
    run = StandIns(tmp_path / "s").run("\n".join(fix["commands"]))
    assert [
        "kubectl",
        "-n",
        "pcd",
        "exec",
        "rabbitmq-0",
        "-c",
        "rabbitmq",
        "--",
        "rabbitmqctl",
        "list_user_permissions",
        "nova",
    ] in run.calls
    # the password is never empty when pasted: a placeholder fails loudly instead
    assert [
        *["kubectl", "-n", "pcd", "exec", "rabbitmq-0", "-c", "rabbitmq", "--", "rabbitmqctl"],
        *["authenticate_user", "nova", "REPLACE-with-the-password-in-transport_url"],
    ] in run.calls
    assert doc.next_steps.refs[0] == "fixes/check_credentials"
    assert "steps/restart_broker" not in doc.next_steps.refs  # a restart fixes no password


def test_auth_near_miss_gives_no_credentialsfix_of(tmp_path: Path) -> None:
    doc = broker_bundle(
        tmp_path,
        rabbit_line(
            "09:20:00",
            "info",
            "connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672): user 'nova' "
            "authenticated and granted access to vhost '/'",
        ),
    )
    assert not [f for f in doc.recovery.fixes if f.key == "check_credentials"]


def test_partition_fix_restarts_the_side_the_others_saw_down(tmp_path: Path) -> None:
    # rabbitmq-server rabbit_node_monitor: "Partial partition detected: * We saw DOWN from
    # ~s * We can still see ~s which can see ~s", one record per line since RabbitMQ 3.9
    node = "rabbitmq-{}.rabbitmq-nodes.pcd"
    log = "".join(
        rabbit_line("09:20:00", "error", text)
        for text in (
            "Partial partition detected:",
            f" * We saw DOWN from rabbit@{node.format(2)}",
            f" * We can still see rabbit@{node.format(1)} which can see rabbit@{node.format(2)}",
            "We will therefore intentionally disconnect from rabbit@" + node.format(1),
        )
    )
    doc = broker_bundle(tmp_path, log, pods=3)
    fix = fix_of(doc, "restart_minority")
    assert fix["facts"]["minority"] == "rabbitmq-2"
    run = StandIns(tmp_path / "s").run("\n".join(fix["commands"]))
    assert run.status == 0
    assert ["kubectl", "-n", "pcd", "delete", "pod", "rabbitmq-2"] in run.calls
    assert not [c for c in run.calls if c[3:5] == ["pod", "rabbitmq-0"]]


def test_disk_fix_looks_at_the_broker_volume(tmp_path: Path) -> None:
    # rabbitmq-server rabbit_disk_monitor: "Free disk space is insufficient. Free bytes: ~b.
    # Limit: ~b", then rabbit_alarm: "disk resource limit alarm set on node ~tp."
    log = rabbit_line(
        "09:20:00",
        "warning",
        "Free disk space is insufficient. Free bytes: 41385984. Limit: 50000000",
    ) + rabbit_line(
        "09:20:00", "warning", "disk resource limit alarm set on node rabbit@rabbitmq-0."
    )
    doc = broker_bundle(tmp_path, log)
    fix = fix_of(doc, "check_disk")
    assert fix["facts"]["config"] == "disk_free_limit.absolute = 2GB"
    run = StandIns(tmp_path / "s").run("\n".join(fix["commands"]))
    prefix = ["kubectl", "-n", "pcd", "exec", "rabbitmq-0", "-c", "rabbitmq", "--"]
    assert [*prefix, "df", "-h", "/var/lib/rabbitmq"] in run.calls
    assert [*prefix, "rabbitmq-diagnostics", "status"] in run.calls
