"""RabbitMQ log parser: 3.9+ (zoned), 3.7-3.8 (lager) and 3.6 (Erlang reports)."""

from __future__ import annotations

import re
from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import SCHEMAS, build_frames
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import logframe, rabbitmq_log
from analyzer.parsers.base import ParseResult

PATH = "hosts/ctl-1/rabbit@ctl-1.log"

MODERN = """\
2026-03-02 09:10:44.118000+00:00 [info] <0.1053.0> vm_memory_high_watermark set. Memory used:3301654528 allowed:3298534883
2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> memory resource limit alarm set on node rabbit@rabbitmq-0.
2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0>\x20
2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> **********************************************************
2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> *** Publishers will be blocked until this alarm clears ***
2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> **********************************************************
2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0>\x20
2026-03-02 09:12:10.441207+00:00 [error] <0.2111.0> closing AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672 - nova-compute:2817:7b3e2f10-4c5d-4e6f-8a9b-0c1d2e3f4a5b):
2026-03-02 09:12:10.441207+00:00 [error] <0.2111.0> missed heartbeats from client, timeout: 60s
2026-03-02 10:15:02.900100+01:00 [noti] <0.1053.0> memory resource limit alarm cleared on node rabbit@rabbitmq-0
"""

LAGER = """\
2026-03-02 09:10:40.001 [info] <0.33.0> Memory high watermark set to 3145 MiB (3298534883 bytes) of 7864 MiB (8246337208 bytes) total
2026-03-02 09:10:44.120 [error] <0.1053.0> Error on AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672, state: starting):
PLAIN login refused: user 'nova' - invalid credentials
2026-03-02 09:10:45.500 [warning] <0.1054.0> Free disk space is insufficient. Free bytes: 41943040. Limit: 50000000
"""

OLD = """\
=INFO REPORT==== 2-Mar-2026::09:10:40 ===
Memory limit set to 3145MB of 7864MB total.

=WARNING REPORT==== 2-Mar-2026::09:10:44 ===
closing AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672):
missed heartbeats from client, timeout: 60s

=INFO REPORT==== 2-Mar-2026::09:10:45 ===
    alarm_handler: {set,{system_memory_high_watermark,[]}}

=CRASH REPORT==== 2-Mar-2026::09:10:46 ===
  crasher:
    initial call: rabbit_reader:init/2

=ERROR REPORT==== 2-Mar-2026::09:10:47 ===
"""


def run(
    text: str | bytes, path: str = PATH, offset: timedelta | None = None, host: str | None = "ctl-1"
) -> ParseResult:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    src = SourceFile(bundle="b", path=path, data=data)
    ctx = SourceContext(bundle="b", path=path, host=host, utc_offset=offset, collected_at=None)
    return rabbitmq_log.parse(src, ctx)


def logs(result: ParseResult) -> pd.DataFrame:
    return result.tables.get("logs", logframe.empty_logs())


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# --------------------------------------------------------------------------- 3.9+


def test_modern_banner_folds_into_the_alarm() -> None:
    result = run(MODERN)
    df = logs(result)
    assert result.problems == []
    assert list(df.columns) == list(SCHEMAS["logs"])
    assert df["line"].tolist() == [1, 2, 8, 10]
    alarm = df.iloc[1]
    assert alarm["message"] == "memory resource limit alarm set on node rabbit@rabbitmq-0."
    assert alarm["detail"].split("\n") == [
        "**********************************************************",
        "*** Publishers will be blocked until this alarm clears ***",
        "**********************************************************",
    ]
    assert alarm["level"] == "WARNING"
    assert alarm["timestamp"] == ts("2026-03-02 09:10:44.120391")
    assert set(df["clock"]) == {"zoned"}
    assert set(df["service"]) == {"rabbitmq"}
    assert set(df["source"]) == {"rabbitmq"}
    assert set(df["host"]) == {"ctl-1"}
    closing = df.iloc[2]
    assert closing["message"].startswith("closing AMQP connection <0.679.0>")
    assert closing["detail"] == "missed heartbeats from client, timeout: 60s"


def test_modern_offset_is_applied() -> None:
    df = logs(run(MODERN, offset=timedelta(hours=5)))  # the line's own zone wins
    cleared = df.iloc[3]
    assert cleared["timestamp"] == ts("2026-03-02 09:15:02.9001")
    assert cleared["level"] == "INFO"


def test_modern_same_time_different_pid_is_not_folded() -> None:
    text = (
        "2026-03-02 09:10:44.120391+00:00 [info] <0.1.0> accepting AMQP connection\n"
        "2026-03-02 09:10:44.120391+00:00 [info] <0.2.0> accepting AMQP connection\n"
        "2026-03-02 09:10:44.120392+00:00 [info] <0.2.0> connection authenticated\n"
        "2026-03-02 09:10:44.120392+00:00 [error] <0.2.0> different level\n"
    )
    assert len(logs(run(text))) == 4


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("debug", "DEBUG"),
        ("info", "INFO"),
        ("notice", "INFO"),
        ("noti", "INFO"),
        ("warning", "WARNING"),
        ("warn", "WARNING"),
        ("error", "ERROR"),
        ("erro", "ERROR"),
        ("critical", "CRITICAL"),
        ("crit", "CRITICAL"),
    ],
)
def test_levels(raw: str, level: str) -> None:
    df = logs(run(f"2026-03-02 09:10:44.120391+00:00 [{raw}] <0.1.0> m\n"))
    assert df["level"].tolist() == [level]


def test_t_separator_and_z_zone() -> None:
    df = logs(run("2026-03-02T09:10:44.120391Z [info] <0.1.0> Server startup complete\n"))
    assert df.iloc[0]["timestamp"] == ts("2026-03-02 09:10:44.120391")
    assert df.iloc[0]["message"] == "Server startup complete"


# --------------------------------------------------------------------------- 3.7-3.8


def test_lager_continuations_and_local_time() -> None:
    result = run(LAGER, offset=timedelta(hours=1))
    df = logs(result)
    assert result.problems == []
    assert df["line"].tolist() == [1, 2, 4]
    assert df.iloc[0]["message"].startswith("Memory high watermark set to 3145 MiB")
    refused = df.iloc[1]
    assert refused["level"] == "ERROR"
    assert refused["message"].startswith("Error on AMQP connection <0.679.0>")
    assert refused["detail"] == "PLAIN login refused: user 'nova' - invalid credentials"
    assert refused["timestamp"] == ts("2026-03-02 08:10:44.120")
    assert set(df["clock"]) == {"local-offset"}


def test_lager_without_offset_assumes_utc() -> None:
    df = logs(run(LAGER))
    assert df.iloc[1]["timestamp"] == ts("2026-03-02 09:10:44.120")
    assert set(df["clock"]) == {"local-assumed-utc"}


def test_upgrade_mixes_generations() -> None:
    text = LAGER + MODERN
    df = logs(run(text, offset=timedelta(hours=1)))
    assert len(df) == 7
    assert df["clock"].tolist() == ["local-offset"] * 3 + ["zoned"] * 4


# --------------------------------------------------------------------------- 3.6


def test_old_reports() -> None:
    result = run(OLD, offset=timedelta(hours=-1))
    df = logs(result)
    assert result.problems == []
    assert df["line"].tolist() == [1, 4, 8, 11, 15]
    assert df["logger"].tolist() == [
        "INFO REPORT",
        "WARNING REPORT",
        "INFO REPORT",
        "CRASH REPORT",
        "ERROR REPORT",
    ]
    assert df["level"].tolist() == ["INFO", "WARNING", "INFO", "ERROR", "ERROR"]
    assert df.iloc[1]["message"] == (
        "closing AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672): "
        "missed heartbeats from client, timeout: 60s"
    )
    assert df.iloc[1]["detail"] == "missed heartbeats from client, timeout: 60s"
    assert df.iloc[1]["timestamp"] == ts("2026-03-02 10:10:44")
    # plain Erlang alarm_handler report: kept as a record, the diagnosis decides
    assert df.iloc[2]["message"] == "alarm_handler: {set,{system_memory_high_watermark,[]}}"
    assert pd.isna(df.iloc[2]["detail"])
    assert df.iloc[3]["message"] == "crasher: initial call: rabbit_reader:init/2"
    assert df.iloc[3]["detail"] == "    initial call: rabbit_reader:init/2"
    assert df.iloc[4]["message"] == ""  # header without a body
    assert set(df["clock"]) == {"local-offset"}


# https://github.com/rabbitmq/rabbitmq-server/issues/2003 (3.6 log as pasted: headers and
# a body line end in blanks, no blank line between reports)
TRAILING_BLANKS = (
    "=WARNING REPORT==== 6-May-2019::03:41:49 ===                             \n"
    "memory resource limit alarm cleared across the cluster                \n"
    "=WARNING REPORT==== 6-May-2019::03:56:36 ===\n"
    "memory resource limit alarm set on node rabbit@ctl001.\n"
    "**********************************************************\n"
    "*** Publishers will be blocked until this alarm clears ***\n"
    "**********************************************************\n"
    "=INFO REPORT==== 6-May-2019::03:56:47 ===\n"
    "node rabbit@ctl001 down: connection_closed\n"
)

# https://github.com/alanxz/rabbitmq-c/issues/400 (rabbitmq-server 3.6.5: the Erlang term
# that says why the connection closed is on the line after the report's first)
SPREAD_TERM = """\
=ERROR REPORT==== 3-Feb-2017::00:22:30 ===
closing AMQP connection <0.8402.0> (127.0.0.1:59370 -> 127.0.0.1:5672):
{writer,send_failed,{error,timeout}}

=ERROR REPORT==== 3-Feb-2017::13:54:41 ===
closing AMQP connection <0.26131.12> (127.0.0.1:38632 -> 127.0.0.1:5672):
{inet_error,enotconn}
"""


def test_report_headers_ending_in_blanks_are_reports() -> None:
    result = run(TRAILING_BLANKS)
    df = logs(result)
    assert result.problems == []
    assert df["line"].tolist() == [1, 3, 8]
    assert df.iloc[0]["message"] == "memory resource limit alarm cleared across the cluster"
    assert df.iloc[1]["message"] == (
        "memory resource limit alarm set on node rabbit@ctl001. "
        "********************************************************** "
        "*** Publishers will be blocked until this alarm clears *** "
        "**********************************************************"
    )
    assert df.iloc[2]["timestamp"] == ts("2019-05-06 03:56:47")


def test_a_term_spread_over_lines_is_one_message() -> None:
    df = logs(run(SPREAD_TERM))
    assert df["message"].tolist() == [
        "closing AMQP connection <0.8402.0> (127.0.0.1:59370 -> 127.0.0.1:5672): "
        "{writer,send_failed,{error,timeout}}",
        "closing AMQP connection <0.26131.12> (127.0.0.1:38632 -> 127.0.0.1:5672): "
        "{inet_error,enotconn}",
    ]
    assert df["detail"].tolist() == [
        "{writer,send_failed,{error,timeout}}",
        "{inet_error,enotconn}",
    ]
    assert df["level"].tolist() == ["ERROR", "ERROR"]


def test_a_header_followed_by_text_is_not_a_report() -> None:
    # near miss: something after the closing equals signs other than blanks
    df = logs(run("=ERROR REPORT==== 3-Feb-2017::00:22:30 === and more\nbody\n"))
    assert df.empty


# --------------------------------------------------------------------------- bad content


def test_leading_lines_before_first_record_are_dropped() -> None:
    text = "  ##  ##      RabbitMQ 3.12.1\n" + MODERN
    result = run(text)
    assert len(logs(result)) == 4
    assert result.problems == []


def test_bad_timestamps_are_kept_empty() -> None:
    text = (
        "2999-03-02 09:10:44.120391+00:00 [info] <0.1.0> far future\n"
        "2026-02-30 09:10:44.120391+00:00 [info] <0.1.0> impossible\n"
        "=INFO REPORT==== 31-Feb-2026::09:10:40 ===\nimpossible date\n"
    )
    result = run(text)
    df = logs(result)
    assert df["message"].tolist() == ["far future", "impossible", "impossible date"]
    assert df["timestamp"].tolist()[0] == ts("2999-03-02 09:10:44.120391")
    assert df["timestamp"].isna().tolist() == [False, True, True]
    assert any("2 record(s)" in p.problem for p in result.problems)
    assert len(build_frames({"logs": [df]}).logs) == 3


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b"\xff\xfe\x00\x00binary", "no RabbitMQ log lines recognised"),
        (b"hello\nworld\n", "no RabbitMQ log lines recognised"),
    ],
)
def test_unreadable_content(data: bytes, problem: str) -> None:
    result = run(data)
    assert logs(result).empty
    assert any(problem in p.problem for p in result.problems)


def test_huge_line() -> None:
    data = ("2026-03-02 09:10:44.120 [info] <0.1.0> " + "y" * 5_000_000 + "\n").encode()
    result = run(data)
    assert len(logs(result)) == 1
    assert any("longer than" in p.problem for p in result.problems)


rabbit_line = st.one_of(
    st.builds(
        "2026-03-02 09:10:{:02d}.{:06d}{} [{}] <0.{}.0> {}".format,
        st.integers(0, 59),
        st.integers(0, 999999),
        st.sampled_from(["", "+00:00", "-05:00", "Z"]),
        st.sampled_from(["info", "warn", "error", "noti"]),
        st.integers(0, 3),
        st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=20),
    ),
    st.builds("=INFO REPORT==== {}-Mar-2026::09:10:44 ===".format, st.integers(0, 40)),
    st.text(max_size=20),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(rabbit_line, max_size=30))
def test_mixed_lines_never_raise(lines: list[str]) -> None:
    text = "\n".join(lines)
    result = run(text)
    assert not any("parser failed" in p.problem for p in result.problems)
    df = logs(result)
    file_lines = text.split("\n")
    for number in df["line"]:
        assert rabbitmq_log._SNIFF_LINE.match(file_lines[number - 1]) or file_lines[
            number - 1
        ].startswith("=")


# --------------------------------------------------------------------------- sniff, spec


def test_sniff() -> None:
    assert rabbitmq_log.sniff(MODERN)
    assert rabbitmq_log.sniff(LAGER)
    assert rabbitmq_log.sniff(OLD)
    assert not rabbitmq_log.sniff(
        "2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager [-] Build failed\n"
    )
    assert not rabbitmq_log.sniff(
        "2026-03-02T09:10:44.120391532Z 2026-03-02 09:10:44.120391+00:00 [warning] <0.1.0> m\n"
    )
    assert not rabbitmq_log.sniff("2026-03-02 09:12:01,733 - pf9app.hostagent - INFO - hi\n")
    assert not rabbitmq_log.sniff("NAME READY STATUS RESTARTS AGE\nrabbitmq-0 1/1 Running 0 1d\n")


def test_spec() -> None:
    spec = rabbitmq_log.SPEC
    assert spec.matches_path("hosts/ctl-1/rabbit@ctl-1.log")
    assert spec.matches_path("hosts/ctl-1/rabbitmq.log.1")
    assert spec.matches_path("rabbitmq/rabbit@rabbitmq-0.log")
    assert spec.matches_path("pcd-bundle-ctl/hosts/ctl-1/rabbit@ctl-1.log")
    assert not spec.matches_path("hosts/hv-04/ostackhost.log")


def test_docstring_samples_parse() -> None:
    doc = rabbitmq_log.__doc__ or ""
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", doc)
    samples = ["\n".join(line[4:] for line in b.rstrip().split("\n")) + "\n" for b in blocks]
    assert [len(logs(run(sample))) for sample in samples] == [1, 1, 2]
