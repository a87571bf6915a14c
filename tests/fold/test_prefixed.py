"""Logs behind a journal's or compose's prefix, folded like plain ones: the same analysis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analyzer.analysis import analyse, searched_patterns
from analyzer.document import to_json
from analyzer.fold import scan
from analyzer.jobs import fold_policy
from analyzer.line_match import Searched

# https://github.com/doccano/doccano/issues/2107 (compose v2 service column): routine
# broker start-up lines, each with the broker's own time
COMPOSE = """\
docker-rabbitmq-1  | 2023-01-06 09:35:13.922897+00:00 [info] <0.222.0> Running boot step rabbit_mirror_queue_mode_all defined by app rabbit
docker-rabbitmq-1  | 2023-01-06 09:35:13.923616+00:00 [info] <0.222.0> Priority queues enabled, real BQ is rabbit_variable_queue
"""

# RabbitMQ 3.13 stopping (https://github.com/OpenCTI-Platform/opencti/issues/13763) behind
# the journal's short prefix, as the pasted-journald scenario writes it
JOURNAL = """\
Dec 18 10:46:38 mq-1 rabbitmq-server[1185]: 2025-12-18 10:46:38.495570+00:00 [notice] <0.61.0> SIGTERM received - shutting down
Dec 18 10:46:38 mq-1 rabbitmq-server[1185]: 2025-12-18 10:46:38.498134+00:00 [warning] <0.1377.0> HTTP listener registry could not find context rabbitmq_prometheus_tls
Dec 18 10:46:38 mq-1 rabbitmq-server[1185]: 2025-12-18 10:46:38.541218+00:00 [info] <0.1507.0> stopped TCP listener on [::]:5672
"""

# devstack's nova-compute in the journal, its records without a time of their own (a
# public `journalctl -u devstack@n-cpu` paste): only a whole read stamps them
DEVSTACK = """\
Jan 31 14:56:23 gelani-lab-1 nova-compute[1932170]: DEBUG oslo_service.periodic_task [None req-609abe85-1516-4898-9bd6-025478f235e7 None None] Running periodic task ComputeManager._instance_usage_audit {{(pid=1932170) run_periodic_tasks /opt/stack/data/venv/lib/python3.10/site-packages/oslo_service/periodic_task.py:210}}
Jan 31 14:56:51 gelani-lab-1 nova-compute[1932170]: DEBUG nova.compute.manager [None req-609abe85-1516-4898-9bd6-025478f235e7 None None] Cleaning up deleted instances {{(pid=1932170) _run_pending_deletes /opt/stack/nova/nova/compute/manager.py:11955}}
"""


def test_a_journal_or_compose_prefix_is_cut_for_the_fold_and_kept_in_its_lines() -> None:
    policy = fold_policy(Searched(searched_patterns()))
    for name, text in (("compose.log", COMPOSE), ("rabbit-journal.log", JOURNAL)):
        folder = policy(name, text.encode())
        assert folder is not None, name
        assert folder.prefix is not None
        folder.feed(text.encode())
        folded = folder.finish()
        # every broker line is one the analysis searches: kept as written, prefix and all
        assert folded.kept == text.encode()
        assert folded.line_numbers.tolist() == list(range(1, len(text.splitlines()) + 1))


def test_routine_prefixed_records_are_counted_by_their_own_time() -> None:
    folder = fold_policy(Searched(searched_patterns()))("compose.log", COMPOSE.encode())
    assert folder is not None
    # searching for nothing, both records are routine: counted under the broker's minute
    found = scan(
        COMPOSE.encode() * 2, folder.fmt, Searched(("searched for nothing",)), folder.prefix
    )
    assert found.kept == []
    assert [(c[0], c[2]) for c in found.counts] == [(b"2023-01-06 09:35", 2)]


def test_near_miss_journal_lines_without_their_own_time_are_read_whole() -> None:
    assert fold_policy(Searched(searched_patterns()))("n-cpu.log", DEVSTACK.encode()) is None


def _doc(path: Path, **kwargs: Any) -> tuple[dict[str, Any], int]:
    doc, _frames, _inv = analyse([path], **kwargs)
    plain: dict[str, Any] = json.loads(to_json(doc))
    return plain, plain["counts"].pop("log_records_folded")


def test_folded_prefixed_logs_change_no_conclusion(tmp_path: Path) -> None:
    (tmp_path / "compose.log").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "rabbit-journal.log").write_text(JOURNAL, encoding="utf-8")
    whole, none = _doc(tmp_path, fold=False)
    folded, count = _doc(tmp_path, fold_from=0)
    assert none == count == 0  # the broker's lines are all kept
    assert folded == whole
