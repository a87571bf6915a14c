"""The broker's new memory limit: the arithmetic, and where its numbers come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.broker_fixes import Broker, controller, raise_memory_limit
from analyzer.broker_memory import (
    DEFAULT_WATERMARK,
    GiB,
    MiB,
    memory_plan,
    quantity_bytes,
    quantity_text,
    round_up,
)
from analyzer.bundle import read_bundle
from analyzer.ingest import ingest
from analyzer.rules.context import RuleContext
from tests.recovery.bundles import broker_bundle, fix_of, rabbit_line
from tests.recovery.standins import StandIns

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("2Gi", 2 * GiB),
        ("2048Mi", 2 * GiB),
        ("1.5Gi", 3 * GiB // 2),
        ("2G", 2_000_000_000),
        ("1073741824", GiB),
        ("512Ki", 512 * 1024),
        ("lots", None),
        ("", None),
    ],
)
def test_kubernetes_quantities(text: str, size: int | None) -> None:
    assert quantity_bytes(text) == size


def test_limits_are_written_as_kubernetes_writes_them() -> None:
    assert quantity_text(2 * GiB) == "2Gi"
    assert quantity_text(2560 * MiB) == "2560Mi"
    assert round_up(2.1 * GiB) == int(2.25 * GiB)  # 256 MiB steps below 4 GiB
    assert round_up(5.1 * GiB) == int(5.5 * GiB)  # 512 MiB steps below 16 GiB
    assert round_up(17.2 * GiB) == 18 * GiB


def _context(name: str) -> RuleContext:
    frames, inventory = ingest([read_bundle(BUNDLES / f"{name}.tgz")])
    return RuleContext(frames, inventory)


def test_oomkilled_broker_needs_its_limit_over_the_watermark() -> None:
    # rabbitmq-0 was OOMKilled at 2Gi; its start-up line says "Memory high watermark set to
    # 1638 MiB (1717986918 bytes) of 2048 MiB (2147483648 bytes) total": watermark 0.8
    plan = memory_plan(_context("selfhosted-broker-oom"), "2Gi", oomkilled=True)
    assert plan.watermark == 0.8
    assert plan.watermark_basis == "startup_line"
    assert plan.peak_bytes == 2 * GiB
    assert plan.peak_basis == "limit_at_oom"
    assert plan.new_limit == "2560Mi"  # 2 GiB / 0.8


def test_memory_alarm_takes_the_memory_used_it_logged() -> None:
    # "vm_memory_high_watermark set. Memory used:... allowed:1717986918" under a 2Gi limit
    plan = memory_plan(_context("selfhosted-memory-alarm"), "2Gi", oomkilled=False)
    assert plan.peak_basis == "alarm_line"
    assert plan.peak_bytes is not None
    assert 1.5 * GiB < plan.peak_bytes < 2 * GiB
    assert plan.new_limit == "2560Mi"  # at least a quarter above 2Gi, above peak / 0.8


def test_without_broker_lines_the_default_watermark_is_assumed() -> None:
    plan = memory_plan(_context("saas-hypervisor-only"), "1Gi", oomkilled=True)
    assert plan.watermark == DEFAULT_WATERMARK
    assert plan.watermark_basis == "default"
    assert plan.new_limit == "2560Mi"  # 1 GiB / 0.4


def test_no_limit_and_no_peak_gives_no_number() -> None:
    plan = memory_plan(_context("saas-hypervisor-only"), None, oomkilled=False)
    assert plan.new_limit is None


@pytest.mark.parametrize(
    ("owner", "target"),
    [
        ("StatefulSet/rabbitmq", "statefulset/rabbitmq"),
        ("ReplicaSet/rabbitmq-6b9f7d8c5", "deployment/rabbitmq"),
        ("RabbitmqCluster/rabbit", None),
        (None, None),
    ],
)
def test_the_controller_that_holds_the_pod_template(owner: str | None, target: str | None) -> None:
    assert controller(owner)[0] == target


def test_unknown_owner_gives_the_command_that_finds_it(tmp_path: Path) -> None:
    broker = Broker("pcd", "rabbitmq-0", "rabbitmq", None, "2Gi", oomkilled=True)
    fix = raise_memory_limit(_context("selfhosted-broker-oom"), broker)
    assert "owner" not in fix.facts
    run = StandIns(tmp_path).run("owner=$(" + fix.commands[0] + ")\n" + "\n".join(fix.commands[1:]))
    find, set_resources, _rollout = run.calls
    assert find[3:6] == ["get", "pod", "rabbitmq-0"]
    # the stand-in answers StatefulSet/rabbitmq, which the next commands use as given
    assert set_resources[5] == "StatefulSet/rabbitmq"
    assert set_resources[-1] == "--limits=memory=2560Mi"


def test_a_broker_that_sees_the_node_memory_is_named(tmp_path: Path) -> None:
    # rabbitmq-server vm_memory_monitor: "Memory high watermark set to ~p MiB (~p bytes) of
    # ~p MiB (~p bytes) total", here the node's 7844 MiB while the container has 4Gi
    # (a case seen in the wild: a 3 GiB container whose broker counted the host's memory)
    log = rabbit_line(
        "09:00:00",
        "info",
        "Memory high watermark set to 4706 MiB (4935146291 bytes) of 7844 MiB "
        "(8225243955 bytes) total",
    ) + rabbit_line("09:20:00", "warning", "memory resource limit alarm set on node rabbit@x.")
    fix = fix_of(broker_bundle(tmp_path, log), "raise_memory_limit")
    assert fix["facts"]["seen_total"] == "7844 MiB"
    assert fix["facts"]["watermark"] == "0.6"


def test_a_broker_that_sees_its_limit_is_not_flagged() -> None:
    plan = memory_plan(_context("selfhosted-broker-oom"), "2Gi", oomkilled=True)
    assert plan.seen_total is None
