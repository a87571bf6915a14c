"""Each rule with the bundle where it fires and the near miss where it must not, both
declared by the rule itself (``Rule.samples``), and the cases between rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from analyzer.analysis import analyse
from analyzer.document import to_builtins
from analyzer.rules import RULES, Rule
from analyzer.rules.samples import BROKER_LOG, HV_LOG, IMPL, VM, oslo, rabbit, with_manifest


def write(tmp: Path, files: Mapping[str, object]) -> Path:
    for rel, content in with_manifest(files).items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return tmp


def findings(tmp: Path, files: Mapping[str, object]) -> dict[str, dict[str, object]]:
    doc, _frames, _inv = analyse([write(tmp, files)])
    return {f["key"]: f for f in to_builtins(doc)["findings"]}


def history(tmp: Path, files: Mapping[str, object]) -> set[str]:
    doc, _frames, _inv = analyse([write(tmp, files)])
    return {f.key for f in doc.history}


@pytest.mark.parametrize("rule", RULES, ids=[r.key for r in RULES])
def test_rule_fires_on_its_sample_and_not_on_its_near_miss(tmp_path: Path, rule: Rule) -> None:
    hit = findings(tmp_path / "pos", rule.samples.fires)
    assert rule.key in hit, sorted(hit)
    assert hit[rule.key]["evidence"], "a finding always carries evidence"
    declared = rule.facts.__required_keys__ | rule.facts.__optional_keys__
    assert set(hit[rule.key]["facts"]) <= declared, "facts follow the rule's declared type"
    assert rule.key not in findings(tmp_path / "neg", rule.samples.near_miss)


def test_recovered_reconnect_is_history(tmp_path: Path) -> None:
    files = next(r.samples.near_miss for r in RULES if r.key == "broker_unreachable")
    assert "broker_unreachable" in history(tmp_path, files)


BLOCKED = "The broker has blocked the connection: connection blocked, see broker logs"


def test_reasonless_block_goes_to_the_alarm_the_broker_logged(tmp_path: Path) -> None:
    files: dict[str, object] = {
        HV_LOG: oslo("09:20:01", "WARNING", IMPL, BLOCKED),
        BROKER_LOG: rabbit(
            "09:20:00", "warning", "disk resource limit alarm set on node rabbit@rabbitmq-0."
        ),
    }
    hit = findings(tmp_path, files)
    assert "broker_disk_alarm" in hit
    assert "broker_memory_alarm" not in hit
    assert hit["broker_disk_alarm"]["facts"]["sides"] == ["broker", "client"]


def test_reasonless_block_without_broker_logs_is_put_down_to_memory(tmp_path: Path) -> None:
    hit = findings(tmp_path, {HV_LOG: oslo("09:20:01", "WARNING", IMPL, BLOCKED)})
    assert "broker_memory_alarm" in hit
    assert "broker_disk_alarm" not in hit


def test_timeout_followed_by_a_completed_build_is_history(tmp_path: Path) -> None:
    log = oslo(
        "09:20:00",
        "ERROR",
        "nova.compute.manager",
        "MessagingTimeout: Timed out waiting for a reply to message ID 5d0c",
    ) + oslo(
        "09:22:00",
        "INFO",
        "nova.compute.manager",
        f"[instance: {VM}] Took 12.31 seconds to build instance.",
    )
    assert "rpc_timeout" in history(tmp_path, {HV_LOG: log})


def test_reconnect_to_a_broker_that_fails_again_does_not_resolve_timeouts(tmp_path: Path) -> None:
    log = (
        oslo(
            "09:20:00",
            "ERROR",
            "nova.compute.manager",
            "MessagingTimeout: Timed out waiting for a reply to message ID 5d0c",
        )
        + oslo(
            "09:21:00",
            "INFO",
            IMPL,
            "[c1] Reconnected to AMQP server on 10.0.0.9:5672 via [amqp] client with port 40122.",
        )
        + oslo(
            "09:22:00",
            "ERROR",
            IMPL,
            "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
        )
    )
    assert "rpc_timeout" in findings(tmp_path, {HV_LOG: log})


def test_client_that_never_logs_its_recovery_is_resolved_by_later_reconnects(
    tmp_path: Path,
) -> None:
    api_log = "hosts/hv-01/nova-api.log"
    files: dict[str, object] = {
        api_log: oslo(
            "09:20:00",
            "ERROR",
            IMPL,
            "Connection failed: [Errno 111] Connection refused (retrying in 1.0 seconds)",
        ),
        HV_LOG: oslo(
            "09:20:00",
            "ERROR",
            IMPL,
            "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
        )
        + oslo(
            "09:21:00",
            "INFO",
            IMPL,
            "[c1] Reconnected to AMQP server on 10.0.0.9:5672 via [amqp] client with port 40122.",
        ),
    }
    assert "broker_unreachable" in history(tmp_path, files)


def test_broker_stop_lines_join_the_unreachable_evidence(tmp_path: Path) -> None:
    files: dict[str, object] = {
        HV_LOG: oslo(
            "09:20:00",
            "ERROR",
            IMPL,
            "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
        ),
        BROKER_LOG: rabbit(
            "09:19:59", "info", "Successfully stopped RabbitMQ and its dependencies"
        ),
    }
    evidence = findings(tmp_path, files)["broker_unreachable"]["evidence"]
    assert {e["file"] for e in evidence} == {HV_LOG, BROKER_LOG}


def test_every_service_down_at_once_is_the_messaging_layer_not_the_hosts(
    tmp_path: Path,
) -> None:
    rule = next(r for r in RULES if r.key == "control_plane_down")
    doc, _frames, _inv = analyse([write(tmp_path / "all", rule.samples.fires)])
    assert doc.verdict.cls == "messaging_layer_failure"
    row = next(r for r in doc.symptoms if r.key == "services_up")
    assert row.matches == ["messaging_layer_failure"]
    assert row.observed.startswith("No: all 4 nova services down at once")
    doc, _frames, _inv = analyse([write(tmp_path / "hosts", rule.samples.near_miss)])
    assert doc.verdict.cls == "host_failure"


# RabbitMQ 3.10.8 and oslo.messaging 18.3.1 lines from the failure lab's auth-failure-fixed
# recording (fixtures/lab/auth-failure-fixed.tgz, hosts/vm/rabbit@localhost.log and
# ostackhost.log), with this module's sample times and addresses
REFUSED = "AMQPLAIN login refused: user 'nova' - invalid credentials"
LOGGED_IN = (
    "connection <0.3564.0> (10.0.0.5:41248 -> 10.0.0.9:5672 - "
    "nova_lab.py:21735:a3ad48e6-25fc-4621-a124-2a3cfd4ffd2a): "
    "user 'nova' authenticated and granted access to vhost '/'"
)
CLIENT_REFUSED = (
    "Failed to consume message from queue: (0, 0): (403) ACCESS_REFUSED - Login was refused "
    "using authentication mechanism AMQPLAIN. For details see the broker logfile."
)


def test_refused_logins_followed_by_one_that_succeeds_are_history(tmp_path: Path) -> None:
    files: dict[str, object] = {
        BROKER_LOG: rabbit("09:20:00", "error", REFUSED) + rabbit("09:21:00", "info", LOGGED_IN),
        # the refused consumer logs nothing once its login succeeds
        HV_LOG: oslo("09:20:01", "ERROR", IMPL, CLIENT_REFUSED),
    }
    assert "broker_auth_failure" in history(tmp_path, files)


def test_a_login_refused_after_the_last_success_is_current(tmp_path: Path) -> None:
    files: dict[str, object] = {
        BROKER_LOG: rabbit("09:20:00", "info", LOGGED_IN) + rabbit("09:21:00", "error", REFUSED),
        HV_LOG: oslo("09:21:01", "ERROR", IMPL, CLIENT_REFUSED),
    }
    assert "broker_auth_failure" in findings(tmp_path, files)


UNREACHABLE_LATE = (
    "A recoverable connection/channel error occurred, trying to reconnect: (0, 0): (320) "
    "CONNECTION_FORCED - password rotated by the lab"
)
BUILT = f"[instance: {VM}] Took 1.03 seconds to build instance."


def test_unreachable_followed_by_a_build_on_the_host_is_history(tmp_path: Path) -> None:
    log = oslo("09:20:00", "INFO", IMPL, UNREACHABLE_LATE) + oslo(
        "09:20:01", "INFO", "nova.compute.manager", BUILT
    )
    assert "broker_unreachable" in history(tmp_path, {HV_LOG: log})


def test_unreachable_after_the_last_build_is_current(tmp_path: Path) -> None:
    log = oslo("09:20:00", "INFO", "nova.compute.manager", BUILT) + oslo(
        "09:20:01", "INFO", IMPL, UNREACHABLE_LATE
    )
    assert "broker_unreachable" in findings(tmp_path, {HV_LOG: log})


def test_refusals_are_cited_from_the_broker_and_the_client(tmp_path: Path) -> None:
    # the broker's refusals come first and last, as in the failure lab's auth-failure-2
    broker = "".join(rabbit(f"09:20:0{s}", "error", REFUSED) for s in range(4)) + "".join(
        rabbit(f"09:20:1{s}", "error", REFUSED) for s in range(4)
    )
    client = oslo("09:20:05", "ERROR", IMPL, CLIENT_REFUSED)
    hit = findings(tmp_path, {BROKER_LOG: broker, HV_LOG: client})
    cited = {e["file"] for e in hit["broker_auth_failure"]["evidence"]}
    assert cited == {BROKER_LOG, HV_LOG}
