"""RabbitMQ broker logs, folded: 3.9+ and lager heads; 3.6 reports are read whole."""

from __future__ import annotations

import pandas as pd

from analyzer.analysis import searched_patterns
from analyzer.fold import Folder
from analyzer.jobs import fold_policy
from analyzer.line_match import Searched
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import rabbitmq_log
from analyzer.parsers.folded_logs import folded_counts, renumber
from tests.fold.test_folder import WANTED

ZONED = "\n".join(
    [
        "2026-03-02 09:10:40.001000+00:00 [info] <0.33.0> Statistics database started.",
        "2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> memory resource limit alarm set",
        "2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> *** Publishers will be blocked",
        "2026-03-02 09:10:45.000000+00:00 [info] <0.33.0> Management plugin: HTTP listener started",
        "2026-03-02 09:10:45.000000+00:00 [info] <0.33.0> second line of the same record",
        "2026-03-02 09:11:01.500000+00:00 [debug] <0.40.0> Sending heartbeat",
    ]
).encode()
LAGER = "\n".join(
    [
        "2026-03-02 09:07:34.828 [info] <0.9.0> Feature flags: list of feature flags found:",
        "2026-03-02 09:07:34.828 [info] <0.9.0> Feature flags: states written to disk: yes",
        "2026-03-02 09:07:35.100 [error] <0.679.0> Error on AMQP connection <0.679.0>:",
        "PLAIN login refused: user 'nova' - invalid credentials",
    ]
).encode()


def fold(data: bytes) -> object:
    folder = Folder("rabbitmq_log", rabbitmq_log.FOLD, WANTED)
    folder.feed(data)
    return folder.finish()


def test_a_zoned_multi_line_record_is_kept_or_counted_whole() -> None:
    folded = fold(ZONED)
    assert folded.line_numbers.tolist() == [2, 3]  # type: ignore[attr-defined]
    assert folded.folded_records == 3  # type: ignore[attr-defined]


def test_zoned_counts_are_placed_by_their_own_zone() -> None:
    ctx = SourceContext("b", "rabbitmq/rabbit@rabbitmq-0.log", None, None, None)
    frame = folded_counts(fold(ZONED), rabbitmq_log.FOLD, ctx)  # type: ignore[arg-type]
    assert set(frame["clock"]) == {"zoned"}
    assert set(frame["service"]) == {"rabbitmq"}
    assert frame["minute"].min() == pd.Timestamp("2026-03-02 09:10", tz="UTC")
    assert int(frame["records"].sum()) == 3


def test_lager_lines_with_one_head_are_two_records() -> None:
    """Lager (3.7-3.8) never continues a record by repeating the head, unlike 3.9+."""
    folded = fold(LAGER)
    assert folded.folded_records == 2  # type: ignore[attr-defined]
    ctx = SourceContext("b", "rabbitmq/rabbit.log", None, None, None)
    kept = SourceFile("b", ctx.path, folded.kept)  # type: ignore[attr-defined]
    rows = renumber(rabbitmq_log.parse(kept, ctx).tables["logs"], folded)  # type: ignore[arg-type]
    assert rows["line"].tolist() == [3]
    assert "invalid credentials" in str(rows["detail"].iloc[0])


def test_a_3_6_report_log_is_read_whole() -> None:
    report = b"=WARNING REPORT==== 2-Mar-2026::09:10:44 ===\nclosing AMQP connection\n\n" * 10
    assert (
        fold_policy(Searched(searched_patterns()))("hosts/hv-01/rabbit@rabbitmq-0.log", report)
        is None
    )
    assert (
        fold_policy(Searched(searched_patterns()))("hosts/hv-01/rabbit@rabbitmq-0.log", ZONED)
        is not None
    )
