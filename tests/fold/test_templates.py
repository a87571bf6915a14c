"""The templates of a folded log's routine records (analyzer.fold_templates): what masking
gives on real lines, that the sample is the same however the log is chunked, and that the
sample's figures add up to the folded records."""

from __future__ import annotations

import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from analyzer import fold_templates
from analyzer.analysis import sampled_patterns, searched_patterns
from analyzer.fold import Folded, Folder
from analyzer.fold_templates import in_sample, templates
from analyzer.jobs import fold_policy
from analyzer.line_match import Searched
from analyzer.parsers import oslo_log, rabbitmq_log

ROOT = Path(__file__).resolve().parents[2]
WANTED = Searched(searched_patterns(), frozenset(sampled_patterns()))

# https://github.com/nii-cloud/dodai-deploy/issues/18 (Essex nova-compute: no process id,
# whole seconds)
ESSEX = [
    "2012-07-05 22:03:52 DEBUG nova.manager [-] Skipping ComputeManager._sync_power_states, "
    "7 ticks left until next run from (pid=2575) periodic_tasks "
    "/usr/lib/python2.7/dist-packages/nova/manager.py:147",
    "2012-07-05 22:03:53 INFO nova.virt.libvirt.connection [-] Compute_service record "
    "updated for server3.faveones.com",
]
# the lab (tests/lab: a real RabbitMQ under real oslo.messaging), fixtures/lab/auth-failure
LAB = (
    "2026-11-25 23:23:50.027 32172 INFO nova.compute.manager [None "
    "req-263ea622-9921-4b9d-a1e3-de311808f03b admin admin - - - -] "
    "[instance: 24228c89-81c1-41da-98f9-4de294066374] Took 1.01 seconds to build instance."
)
# https://github.com/bitnami/containers/issues/53771 (RabbitMQ 3.12, zoned stamps)
RABBIT = (
    "2023-12-13 05:57:01.466885+00:00 [info] <0.872.0> closing AMQP connection <0.872.0> "
    "(172.19.0.6:35956 -> 172.19.0.4:5672)"
)


def _templates(lines: list[str], lead: str) -> list[str]:
    arr = pa.array([(x + "\n").encode() for x in lines], pa.large_binary())
    return [t.decode() for t in templates(arr, lead).to_pylist()]


def test_time_pid_and_level_cut_and_ids_and_numbers_masked_on_real_lines() -> None:
    assert _templates(ESSEX, oslo_log.FOLD.lead) == [
        "nova.manager [-] Skipping ComputeManager._sync_power_states, <n> ticks left "
        "until next run from (pid=<n>) periodic_tasks "
        "/usr/lib/python<n>/dist-packages/nova/manager.py:<n>",
        "nova.virt.libvirt.connection [-] Compute_service record updated for "
        "server<n>.faveones.com",
    ]
    assert _templates([LAB], oslo_log.FOLD.lead) == [
        "nova.compute.manager [None req-<id> admin admin - - - -] "
        "[instance: <id>] Took <n> seconds to build instance."
    ]
    assert _templates([RABBIT], rabbitmq_log.FOLD.lead) == [
        "<<n>> closing AMQP connection <<n>> (<n> -> <n>)"
    ]


def test_the_same_message_for_other_ids_and_numbers_is_one_template() -> None:
    other = (
        LAB.replace("263ea622-9921-4b9d-a1e3-de311808f03b", "aba77d0b-a16d-4e18-9466-a8b36bd9b1b3")
        .replace("24228c89-81c1-41da-98f9-4de294066374", "c2b78907-db6c-4142-b00a-e4a91977d3d5")
        .replace("23:23:50.027 32172", "23:23:54.156 32173")
        .replace("1.01", "12.5")
    )
    first, second = _templates([LAB, other], oslo_log.FOLD.lead)
    assert first == second


def test_sample_rate_holds_on_a_periodic_log() -> None:
    # lines of one length: every 32nd line would sample the same line of each period
    for width in (200, 32 * 7, 64):
        offsets = np.arange(100_000, dtype=np.int64) * width
        share = in_sample(offsets, 32).mean()
        assert 0.9 / 32 < share < 1.1 / 32, width
    assert in_sample(np.arange(10, dtype=np.int64), 1).all()
    assert (in_sample(np.arange(1000), 32) == in_sample(np.arange(1000), 32)).all()


def _log(bundle: str) -> bytes:
    with tarfile.open(ROOT / "fixtures" / "bundles" / bundle) as tar:
        for member in tar.getmembers():
            if member.name.endswith("hv-01/ostackhost.log"):
                f = tar.extractfile(member)
                assert f is not None
                return f.read()
    raise AssertionError("no hv-01 log")


def _fold(data: bytes, chunk: int, every: int, pool: ThreadPoolExecutor | None = None) -> Folded:
    folder = Folder("oslo_log", oslo_log.FOLD, WANTED, pool=pool, every=every)
    for i in range(0, len(data), chunk):
        folder.feed(data[i : i + chunk])
    return folder.finish()


def test_every_counted_record_is_in_a_full_sample() -> None:
    data = _log("selfhosted-broker-oom.tgz")
    folded = _fold(data, 1 << 16, every=1)
    table = folded.templates.table().to_pylist()
    assert folded.folded_records > 1000
    assert folded.templates.sampled == folded.folded_records
    assert sum(row["sampled"] for row in table) == folded.folded_records
    lines = data.splitlines()
    for row in table:
        first = lines[row["first_line"] - 1]
        assert first == row["example"]
        assert first.startswith(row["first"])
        assert lines[row["last_line"] - 1].startswith(row["last"])
        assert _templates([first.decode()], oslo_log.FOLD.lead) == [row["template"].decode()]


@pytest.mark.parametrize("every", [1, 4])
def test_chunking_and_threads_do_not_change_the_sample(every: int) -> None:
    data = _log("healthy.tgz")
    whole = _fold(data, 1 << 24, every).templates.table()
    with ThreadPoolExecutor(max_workers=3) as pool:
        for chunk in (997, 1 << 12, 1 << 16):
            assert _fold(data, chunk, every, pool).templates.table().equals(whole), chunk


def test_templates_beyond_the_cap_are_counted_as_overflow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fold_templates, "MAX_TEMPLATES", 3)
    folded = _fold(_log("healthy.tgz"), 1 << 16, every=1)
    kept = folded.templates.table()
    assert len(kept) == 3
    assert folded.templates.overflow > 0
    assert sum(kept["sampled"].to_pylist()) + folded.templates.overflow == folded.folded_records


def test_a_long_line_makes_a_template_of_its_first_kib() -> None:
    long = ESSEX[1] + " x" * 50_000
    (template,) = _templates([long], oslo_log.FOLD.lead)
    assert len(template.encode()) <= fold_templates.TEMPLATE_BYTES
    assert template.startswith("nova.virt.libvirt.connection [-] Compute_service record")


# https://github.com/doccano/doccano/issues/2107 (compose v2 service column): routine
# broker start-up lines, each with the broker's own time
COMPOSE = """\
docker-rabbitmq-1  | 2023-01-06 09:35:13.922897+00:00 [info] <0.222.0> Running boot step rabbit_mirror_queue_mode_all defined by app rabbit
docker-rabbitmq-1  | 2023-01-06 09:35:13.923616+00:00 [info] <0.222.0> Priority queues enabled, real BQ is rabbit_variable_queue
"""


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_a_prefixed_log_is_sampled_behind_its_prefix(chunk: int) -> None:
    policy = fold_policy(Searched(searched_patterns()))("compose.log", COMPOSE.encode())
    assert policy is not None
    assert policy.prefix is not None
    # searching for nothing, every record is routine: counted, and sampled (every=1)
    folder = Folder(policy.kind, policy.fmt, Searched(("searched for nothing",)), policy.prefix)
    folder.every = 1
    data = COMPOSE.encode()
    for i in range(0, len(data), chunk):
        folder.feed(data[i : i + chunk])
    rows = folder.finish().templates.table().to_pylist()
    assert [(r["template"], r["first_line"], r["first"], r["example"]) for r in rows] == [
        (
            b"<<n>> Running boot step rabbit_mirror_queue_mode_all defined by app rabbit",
            1,
            b"2023-01-06 09:35:13.922897+00:00",
            COMPOSE.splitlines()[0].encode(),
        ),
        (
            b"<<n>> Priority queues enabled, real BQ is rabbit_variable_queue",
            2,
            b"2023-01-06 09:35:13.923616+00:00",
            COMPOSE.splitlines()[1].encode(),
        ),
    ]
