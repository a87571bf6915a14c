"""Collector prefixes (journal, docker, Docker Desktop, compose) cut before the log parsers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from analyzer.jobs import identify
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import line_prefix, loglines
from analyzer.parsers.base import ParseResult

COLLECTED = datetime(2025, 12, 18, 11, 0, tzinfo=UTC)

# https://github.com/rabbitmq/rabbitmq-server/pull/2940 (journalctl -f of a node started
# with the journald handler: the message has no time or level of its own)
JOURNAL_HANDLER = """\
Mar 26 11:58:31 ip-172-31-43-179 rabbitmq-server[19286]: Ready to start client connection listeners
Mar 26 11:58:31 ip-172-31-43-179 rabbitmq-server[19286]: started TCP listener on [::]:5672
"""

# devstack's nova-compute in the journal (`journalctl -u devstack@n-cpu`, gelani-lab-1,
# pasted in a public GitHub notes file): oslo.log records written without their time
DEVSTACK_JOURNAL = """\
Jan 31 14:56:23 gelani-lab-1 nova-compute[1932170]: DEBUG oslo_service.periodic_task [None req-609abe85-1516-4898-9bd6-025478f235e7 None None] Running periodic task ComputeManager._instance_usage_audit {{(pid=1932170) run_periodic_tasks /opt/stack/data/venv/lib/python3.10/site-packages/oslo_service/periodic_task.py:210}}
Jan 31 14:56:51 gelani-lab-1 nova-compute[1932170]: DEBUG nova.compute.manager [None req-609abe85-1516-4898-9bd6-025478f235e7 None None] Cleaning up deleted instances {{(pid=1932170) _run_pending_deletes /opt/stack/nova/nova/compute/manager.py:11955}}
"""

# https://github.com/bitnami/containers/issues/53771 (Docker Desktop's log view: the
# host's local time, then the broker's own UTC line)
DOCKER_DESKTOP = """\
2023-12-13 06:57:01 2023-12-13 05:57:01.466724+00:00 [error] <0.872.0> Error on AMQP connection <0.872.0> (172.19.0.6:35956 -> 172.19.0.4:5672, state: starting):
2023-12-13 06:57:01 2023-12-13 05:57:01.466724+00:00 [error] <0.872.0> PLAIN login refused: user 'root' can only connect via localhost
2023-12-13 06:57:01 2023-12-13 05:57:01.466885+00:00 [info] <0.872.0> closing AMQP connection <0.872.0> (172.19.0.6:35956 -> 172.19.0.4:5672)
"""

# https://github.com/doccano/doccano/issues/2107 (compose v2 service column)
COMPOSE_V2 = """\
docker-rabbitmq-1  | 2023-01-06 09:35:13.922897+00:00 [info] <0.222.0> Running boot step rabbit_mirror_queue_mode_all defined by app rabbit
docker-rabbitmq-1  | 2023-01-06 09:35:13.923616+00:00 [info] <0.222.0> Priority queues enabled, real BQ is rabbit_variable_queue
"""

# https://github.com/dunbarcyber/cyphondock/issues/43 (compose v1, RabbitMQ 3.6 reports;
# an empty report line keeps only the service column)
COMPOSE_36 = """\
rabbit_1         | =INFO REPORT==== 6-Nov-2017::17:30:53 ===
rabbit_1         |     application: rabbitmq_management
rabbit_1         |     exited: stopped
rabbit_1         |     type: temporary
rabbit_1         |
rabbit_1         | =INFO REPORT==== 6-Nov-2017::17:30:53 ===
rabbit_1         | Stopping application 'amqp_client'
"""

# https://github.com/nii-cloud/dodai-deploy/issues/18 (Essex nova: whole seconds, no
# fraction): a line's own time, not Docker Desktop's prefix
OLD_NOVA = """\
2012-07-05 22:00:30 TRACE nova.rpc.amqp File "/usr/lib/python2.7/dist-packages/nova/rpc/amqp.py", line 343, in call
2012-07-05 22:00:30 TRACE nova.rpc.amqp rv = list(rv)
"""


def ctx(path: str, offset: timedelta | None = None) -> SourceContext:
    return SourceContext(
        bundle="b", path=path, host=None, utc_offset=offset, collected_at=COLLECTED
    )


def parse(text: str, path: str, offset: timedelta | None = None) -> tuple[str, ParseResult]:
    src = SourceFile(bundle="b", path=path, data=text.encode())
    spec = identify(src)
    assert spec is not None, path
    return spec.kind, spec.parse(src, ctx(path, offset))


def test_kinds_of_real_prefixes() -> None:
    for text, kind in (
        (JOURNAL_HANDLER, "syslog"),
        (DEVSTACK_JOURNAL, "syslog"),
        (DOCKER_DESKTOP, "desktop"),
        (COMPOSE_V2, "compose"),
        (COMPOSE_36, "compose"),
    ):
        assert line_prefix.kind_of(loglines.split_lines(text)) == kind, text


def test_a_line_of_whole_seconds_is_not_docker_desktops() -> None:
    assert line_prefix.kind_of(loglines.split_lines(OLD_NOVA)) is None


def test_devstack_journal_is_read_as_oslo_with_the_journal_time_host_and_program() -> None:
    kind, result = parse(DEVSTACK_JOURNAL, "n-cpu.txt", offset=timedelta(hours=1))
    assert kind == "oslo_log"
    logs = result.tables["logs"]
    assert result.problems == []
    assert logs["line"].tolist() == [1, 2]
    assert logs["host"].tolist() == ["gelani-lab-1"] * 2
    assert logs["service"].tolist() == ["nova-compute"] * 2
    assert logs["message"][1].startswith("Cleaning up deleted instances")
    # local 14:56:51 on a host one hour ahead of UTC, in the year of the collection
    expected = pd.Timestamp("2025-01-31 13:56:51", tz="UTC")
    assert logs["timestamp"][1] == expected
    assert logs["reported_at"][1] == expected


def test_docker_desktop_keeps_its_local_stamp_as_reported_at() -> None:
    kind, result = parse(DOCKER_DESKTOP, "rabbit.txt", offset=timedelta(hours=1))
    assert kind == "rabbitmq_log"
    logs = result.tables["logs"]
    assert logs["line"].tolist() == [1, 3]
    assert logs["detail"][0] == "PLAIN login refused: user 'root' can only connect via localhost"
    # the broker's own stamp stays the time; Docker Desktop's (local, UTC+1) is kept beside
    assert logs["timestamp"][0] == pd.Timestamp("2023-12-13 05:57:01.466724", tz="UTC")
    assert logs["reported_at"][0] == pd.Timestamp("2023-12-13 05:57:01", tz="UTC")


def test_compose_columns_are_cut_v1_and_v2() -> None:
    kind, result = parse(COMPOSE_V2, "compose.txt")
    assert kind == "rabbitmq_log"
    assert result.tables["logs"]["message"][1] == (
        "Priority queues enabled, real BQ is rabbit_variable_queue"
    )
    assert result.tables["logs"]["reported_at"].isna().all()  # compose without -t
    kind, result = parse(COMPOSE_36, "compose36.txt")
    assert kind == "rabbitmq_log"
    logs = result.tables["logs"]
    assert logs["line"].tolist() == [1, 6]
    assert logs["message"][0] == "application: rabbitmq_management exited: stopped type: temporary"


def test_a_journal_line_without_time_or_level_is_not_made_a_record() -> None:
    # the journald handler's lines carry no level: nothing says how grave they are
    src = SourceFile(bundle="b", path="rabbit.txt", data=JOURNAL_HANDLER.encode())
    assert identify(src) is None


def test_unprefixed_logs_are_left_as_they_are() -> None:
    lines = loglines.split_lines(OLD_NOVA)
    cut = line_prefix.strip(lines, ctx("x.log"))
    assert cut.kind is None
    assert cut.lines.tolist() == lines.tolist()
    assert cut.reported_at.isna().all()


# `journalctl -o short-iso` sample output in the docs of an EKS hybrid nodes log collector
# on GitHub (its nodeadm/ page: "nodeadm-config.log ... Sample output")
SHORT_ISO = (
    '2026-03-18T22:26:05+0000 ip-192-168-xxx-xxx nodeadm-config[1234]: {"level":"info",'
    '"ts":"...","msg":"Starting nodeadm config"}\n'
)


def test_short_iso_journal_keeps_its_zoned_stamp_host_and_program() -> None:
    lines = loglines.split_lines(SHORT_ISO)
    assert line_prefix.kind_of(lines) == "isolog"
    cut = line_prefix.strip(lines, ctx("journal.log", offset=timedelta(hours=9)))
    assert cut.lines[0].startswith('{"level":"info"')
    # the stamp carries its zone: the host's offset does not move it
    assert cut.reported_at[0] == pd.Timestamp("2026-03-18 22:26:05", tz="UTC")
    assert cut.host[0] == "ip-192-168-xxx-xxx"
    assert cut.program[0] == "nodeadm-config"


# `grep -n` of a nova-scheduler.log, pasted in a Chinese Jekyll blog kept on GitHub (an
# OpenStack Train placement post, July 2021): the line number, then oslo.log's own line
GREP_N = (
    "20596:2021-07-30 14:46:16.665 175316 INFO nova.scheduler.manager [None "
    "req-cb66e713-19a8-45d2-b107-dd31569f4653 b5957a478f0d4c328ef10cee0210a948 "
    "0fe34a6944b4416195ff5176f681c34f - default default] Got no allocation candidates from "
    "the Placement API. This could be due to insufficient resources or a temporary occurrence "
    "as compute nodes start up.\n"
)

# `grep` over several rotated devstack logs (the file name first), in a German blog post
# about DevStack on XenServer (December 2015)
GREP_H = (
    "n-cond.log.2015-12-19-215531:2015-12-20 17:20:47.176 ERROR nova.scheduler.utils "
    "[req-50c29e27-4982-40a9-be91-21621c351c2b demo demo] [instance: "
    "d0999a8c-3c01-49e5-aab5-639d2787d1ab] Error from last host: DevStackOSDomU (node "
    "xenti.dsl.eumel.local): [u'Traceback (most recent call last):\\n', u' File "
    '"/opt/stack/nova/nova/compute/manager.py", line 1914, in _do_build_and_run_instance'
    "\\n filter_properties)\\n', u' File \"/opt/stack/nova/nova/compute/manager.py\", line "
    "2078, in _build_and_run_instance\\n instance_uuid=instance.uuid, "
    "reason=six.text_type(e))\\n', u'RescheduledException: Build of instance "
    "d0999a8c-3c01-49e5-aab5-639d2787d1ab was re-scheduled: Only file-based SRs (ext/NFS) are "
    "supported by this feature. SR 6891a31e-48c3-ab73-6d90-85981a03577d is of type lvm\\n']\n"
)

# the Train placement post's conductor excerpt: a line that starts "Word:" is not grep's
# prefix
TRACEBACK_TAIL = "NoValidHost: No valid host was found.\n"


def test_greps_line_number_or_file_name_is_cut_and_the_line_keeps_its_time() -> None:
    assert line_prefix.kind_of(loglines.split_lines(GREP_N)) == "grep"
    kind, result = parse(GREP_N, "nova-scheduler.log")
    assert kind == "oslo_log"
    logs = result.tables["logs"]
    assert logs["message"][0].startswith("Got no allocation candidates from the Placement API")
    assert logs["timestamp"][0] == pd.Timestamp("2021-07-30 14:46:16.665", tz="UTC")
    assert logs["reported_at"].isna().all()  # grep adds no time of its own
    kind, result = parse(GREP_H, "conductor-grep.txt")
    assert kind == "oslo_log"
    logs = result.tables["logs"]
    assert logs["message"][0].startswith("Error from last host: DevStackOSDomU")
    assert logs["timestamp"][0] == pd.Timestamp("2015-12-20 17:20:47.176", tz="UTC")


def test_near_miss_a_word_and_colon_without_a_time_after_it_is_no_prefix() -> None:
    assert line_prefix.kind_of(loglines.split_lines(TRACEBACK_TAIL)) is None
