"""oslo.log parser (nova-compute/ostackhost.log, conductor, scheduler, api) and pf9 host logs."""

from __future__ import annotations

import re
from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import SCHEMAS, build_frames
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import logframe, loglines, logtime, oslo_log, pf9_log, service_names
from analyzer.parsers.base import ParseResult

UUID = "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"
REQ = "req-3b1c7e0a-5d52-4f0e-9c7b-2a8d0f61e4b9"
REQ2 = "req-5e0a9c2d-1f3b-4c6d-8e7f-0a1b2c3d4e5f"

# Shaped exactly like formats.md: a record with context and instance, then its traceback.
SAMPLE = f"""\
2026-03-02 09:13:40.118 2817 INFO nova.compute.manager [{REQ2} admin admin - - -] [instance: {UUID}] Attaching volume
2026-03-02 09:14:02.004 2817 ERROR oslo.messaging._drivers.impl_rabbit [-] [5c1d2e3f-0a9b-4c8d-b7e6-f5a4b3c2d1e0] AMQP server on broker.pcd.svc.cluster.local:5672 is unreachable: timed out. Trying again in 1 seconds.
2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager [None {REQ} - - - - - -] [instance: {UUID}] Build failed: oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1
2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager Traceback (most recent call last):
2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager   File "/opt/pf9/venv/lib/python3.9/site-packages/oslo_messaging/_drivers/amqpdriver.py", line 441, in get
2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1
2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager\x20
2026-03-02 09:20:41.200 2817 INFO nova.compute.manager [-] [instance: {UUID}] Took 41.23 seconds to build instance.
"""

HOST_PATH = "hosts/hv-04/ostackhost.log"


def ctx_for(
    path: str, host: str | None = "hv-04", offset: timedelta | None = None
) -> SourceContext:
    return SourceContext(bundle="b", path=path, host=host, utc_offset=offset, collected_at=None)


def run(
    text: str | bytes,
    path: str = HOST_PATH,
    host: str | None = "hv-04",
    offset: timedelta | None = None,
    module: object = oslo_log,
) -> ParseResult:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    src = SourceFile(bundle="b", path=path, data=data)
    parse = module.parse  # type: ignore[attr-defined]
    result = parse(src, ctx_for(path, host, offset))
    assert isinstance(result, ParseResult)
    return result


def logs(result: ParseResult) -> pd.DataFrame:
    return result.tables.get("logs", logframe.empty_logs())


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# --------------------------------------------------------------------------- records


def test_sample_records_and_fields() -> None:
    result = run(SAMPLE, offset=timedelta(hours=1))
    df = logs(result)
    assert result.problems == []
    assert list(df.columns) == list(SCHEMAS["logs"])
    assert len(df) == 4
    assert df["line"].tolist() == [1, 2, 3, 8]

    first = df.iloc[0]
    assert first["timestamp"] == ts("2026-03-02 08:13:40.118")  # UTC = local - 1 h
    assert first["clock"] == "local-offset"
    assert first["source"] == "oslo"
    assert first["service"] == "nova-compute"
    assert first["host"] == "hv-04"
    assert first["level"] == "INFO"
    assert first["logger"] == "nova.compute.manager"
    assert first["pid"] == 2817
    assert first["request_id"] == REQ2
    assert pd.isna(first["global_request_id"])
    assert first["instance"] == UUID
    assert first["message"] == "Attaching volume"
    assert pd.isna(first["detail"])
    assert first["file"] == HOST_PATH

    amqp = df.iloc[1]
    assert amqp["logger"] == "oslo.messaging._drivers.impl_rabbit"
    assert pd.isna(amqp["request_id"])
    assert amqp["message"].startswith("[5c1d2e3f-0a9b-4c8d-b7e6-f5a4b3c2d1e0] AMQP server on")

    failed = df.iloc[2]
    assert failed["level"] == "ERROR"
    assert failed["request_id"] == REQ
    assert failed["instance"] == UUID
    assert failed["message"].startswith("Build failed: oslo_messaging.exceptions.MessagingTimeout")
    detail = failed["detail"].split("\n")
    assert detail[0] == "Traceback (most recent call last):"
    assert detail[1].startswith('  File "/opt/pf9/venv/')  # indentation kept
    assert detail[2].startswith("oslo_messaging.exceptions.MessagingTimeout: Timed out")
    assert len(detail) == 3  # the prefix-only line adds nothing

    assert df.iloc[3]["message"] == "Took 41.23 seconds to build instance."


def test_frames_conform() -> None:
    frames = build_frames({"logs": [logs(run(SAMPLE))]})
    out = frames.logs
    assert len(out) == 4
    assert str(out["timestamp"].dtype) == SCHEMAS["logs"]["timestamp"]
    assert out["timestamp"].dtype == logtime.TS_UTC  # conform() need not shift anything
    assert str(out["line"].dtype) == "Int64"


@pytest.mark.parametrize(
    ("context", "request_id", "global_request_id"),
    [
        (f"[{REQ} admin admin - - -]", REQ, None),
        (f"[None {REQ} - - - - - -]", REQ, None),
        (f"[None {REQ} 5f2d admin - default default]", REQ, None),
        (f"[{REQ2} {REQ} admin admin - - -]", REQ, REQ2),
        ("[-]", None, None),
    ],
)
def test_context_variants(
    context: str, request_id: str | None, global_request_id: str | None
) -> None:
    line = f"2026-03-02 09:14:07.331 2817 WARNING nova.compute.manager {context} Something odd\n"
    df = logs(run(line))
    assert len(df) == 1
    row = df.iloc[0]
    assert row["message"] == "Something odd"
    assert (None if pd.isna(row["request_id"]) else row["request_id"]) == request_id
    got_global = None if pd.isna(row["global_request_id"]) else row["global_request_id"]
    assert got_global == global_request_id
    assert row["level"] == "WARNING"


def test_without_pid() -> None:
    text = (
        f"2026-03-02 09:14:07.331 ERROR nova.compute.manager [None {REQ} - - - - - -] "
        f"[instance: {UUID}] Instance failed to spawn\n"
        "2026-03-02 09:14:07.331 ERROR nova.compute.manager Traceback (most recent call last):\n"
    )
    df = logs(run(text))
    assert len(df) == 1
    assert pd.isna(df.iloc[0]["pid"])
    assert df.iloc[0]["instance"] == UUID
    assert df.iloc[0]["message"] == "Instance failed to spawn"
    assert df.iloc[0]["detail"] == "Traceback (most recent call last):"


def test_trace_lines_of_older_releases_fold() -> None:
    text = (
        f"2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager [{REQ} admin admin - - -] "
        f"[instance: {UUID}] Instance failed to spawn\n"
        f"2026-03-02 09:14:07.331 2817 TRACE nova.compute.manager [instance: {UUID}] "
        "Traceback (most recent call last):\n"
        '2026-03-02 09:14:07.331 2817 TRACE nova.compute.manager   File "x.py", line 1, in f\n'
        "2026-03-02 09:14:08.000 2817 INFO nova.compute.manager [-] next record\n"
    )
    df = logs(run(text))
    assert df["message"].tolist() == ["Instance failed to spawn", "next record"]
    assert df.iloc[0]["detail"].split("\n") == [
        f"[instance: {UUID}] Traceback (most recent call last):",
        '  File "x.py", line 1, in f',
    ]
    assert set(df["level"]) == {"ERROR", "INFO"}


def test_same_prefix_with_context_is_a_new_record() -> None:
    text = (
        "2026-03-02 09:14:07.331 2817 INFO nova.compute.manager [-] one\n"
        "2026-03-02 09:14:07.331 2817 INFO nova.compute.manager [-] two\n"
    )
    assert logs(run(text))["message"].tolist() == ["one", "two"]


def test_lines_without_prefix_fold_and_leading_ones_are_dropped() -> None:
    text = (
        '  File "orphan.py", line 1\n'  # cut in the middle of a traceback
        "2026-03-02 09:14:07.331 2817 INFO nova.compute.manager [-] started\n"
        "raw stdout from a child process\n"
        "\n"
        "more raw output\n"
    )
    result = run(text)
    df = logs(result)
    assert result.problems == []
    assert len(df) == 1
    assert df.iloc[0]["line"] == 2
    assert df.iloc[0]["detail"] == "raw stdout from a child process\nmore raw output"


def test_no_offset_means_assumed_utc() -> None:
    df = logs(run(SAMPLE, offset=None))
    assert df.iloc[0]["timestamp"] == ts("2026-03-02 09:13:40.118")
    assert set(df["clock"]) == {"local-assumed-utc"}


def test_negative_offset_and_crlf() -> None:
    text = "2026-03-02 23:30:00.500 2817 INFO nova.compute.manager [-] late\r\n"
    df = logs(run(text, offset=timedelta(hours=-5)))
    assert df.iloc[0]["timestamp"] == ts("2026-03-03 04:30:00.500")
    assert df.iloc[0]["message"] == "late"


@pytest.mark.parametrize(
    ("path", "logger", "service"),
    [
        ("hosts/hv-04/ostackhost.log", "nova.compute.manager", "nova-compute"),
        ("hosts/hv-04/ostackhost.log.1", "oslo.service.loopingcall", "nova-compute"),
        (
            "kubernetes/logs/nova-conductor-7d9f8b6c5d-x2x4k/conductor.log",
            "nova.conductor.manager",
            "nova-conductor",
        ),
        ("nova-scheduler.log", "nova.scheduler.manager", "nova-scheduler"),
        ("hosts/ctl-1/nova-api.log", "nova.api.openstack.wsgi", "nova-api"),
        ("pasted.txt", "nova.conductor.manager", "nova-conductor"),
        ("pasted.txt", "nova.scheduler.host_manager", "nova-scheduler"),
        ("pasted.txt", "oslo.messaging._drivers.impl_rabbit", None),
    ],
)
def test_service(path: str, logger: str, service: str | None) -> None:
    line = f"2026-03-02 09:14:07.331 2817 INFO {logger} [-] hello\n"
    got = logs(run(line, path=path)).iloc[0]["service"]
    assert (None if pd.isna(got) else got) == service


def test_host_is_context_host() -> None:
    line = "2026-03-02 09:14:07.331 2817 INFO nova.compute.manager [-] hello\n"
    assert pd.isna(logs(run(line, host=None)).iloc[0]["host"])


def test_levels_normalised() -> None:
    text = "".join(
        f"2026-03-02 09:14:0{i}.331 2817 {level} nova.compute.manager [-] m\n"
        for i, level in enumerate(["DEBUG", "AUDIT", "WARN", "CRITICAL", "FATAL"])
    )
    assert logs(run(text))["level"].tolist() == ["DEBUG", "INFO", "WARNING", "CRITICAL", "CRITICAL"]


def test_comma_milliseconds_and_no_fraction() -> None:
    text = (
        "2026-03-02 09:14:07,331 2817 INFO nova.compute.manager [-] comma\n"
        "2026-03-02 09:14:08 2817 INFO nova.compute.manager [-] whole second\n"
    )
    df = logs(run(text))
    assert df["timestamp"].tolist() == [ts("2026-03-02 09:14:07.331"), ts("2026-03-02 09:14:08")]


# --------------------------------------------------------------------------- bad content


def test_far_and_impossible_dates_do_not_raise() -> None:
    text = (
        "1970-01-01 00:00:00.000 2817 INFO nova.compute.manager [-] epoch\n"
        "2999-01-01 00:00:00.000 2817 INFO nova.compute.manager [-] far future\n"
        "2026-13-45 00:00:00.000 2817 INFO nova.compute.manager [-] impossible date\n"
        "9999-12-31 23:59:59.999 2817 INFO nova.compute.manager [-] end of time\n"
    )
    result = run(text, offset=timedelta(hours=-2))
    df = logs(result)
    assert df["message"].tolist() == ["epoch", "far future", "impossible date", "end of time"]
    assert df.iloc[0]["timestamp"] == ts("1970-01-01 02:00")
    assert df.iloc[1]["timestamp"] == ts("2999-01-01 02:00")
    assert df["timestamp"].isna().tolist() == [False, False, True, True]
    assert any("2 record(s)" in p.problem for p in result.problems)
    assert len(build_frames({"logs": [df]}).logs) == 4


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x00\x01\x02\xff\xfe garbage \x89PNG\r\n\x1a\n", "no oslo.log lines recognised"),
        (b'{"not": "a log"}', "no oslo.log lines recognised"),
    ],
)
def test_unreadable_content_becomes_a_problem(data: bytes, problem: str) -> None:
    result = run(data)
    assert logs(result).empty
    assert any(problem in p.problem for p in result.problems)
    assert all(p.file == HOST_PATH for p in result.problems)


def test_invalid_utf8_keeps_the_rest() -> None:
    data = b"2026-03-02 09:14:07.331 2817 INFO nova.compute.manager [-] caf\xe9 \xff\n"
    result = run(data)
    assert len(logs(result)) == 1
    assert "\ufffd" in logs(result).iloc[0]["message"]
    assert any("UTF-8" in p.problem for p in result.problems)


def test_huge_single_line_is_cut() -> None:
    head = "2026-03-02 09:14:07.331 2817 INFO nova.compute.manager [-] "
    data = (head + "x" * 50_000_000 + "\n" + head + "after\n").encode()
    result = run(data)
    df = logs(result)
    assert df["message"].str.len().iloc[0] < loglines.MAX_LINE_CHARS
    assert df["message"].iloc[1] == "after"
    assert any("longer than" in p.problem for p in result.problems)


prefix_line = st.builds(
    "2026-03-02 09:14:{:02d}.{:03d} {} {} nova.compute.manager {}".format,
    st.integers(0, 59),
    st.integers(0, 999),
    st.integers(1, 99999),
    st.sampled_from(["INFO", "ERROR", "TRACE", "DEBUG"]),
    st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=40),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(prefix_line, st.text(max_size=30)), max_size=30))
def test_mixed_lines_never_raise_and_lines_point_back(lines: list[str]) -> None:
    text = "\n".join(lines)
    result = run(text)
    df = logs(result)
    assert not any("parser failed" in p.problem for p in result.problems)
    file_lines = text.split("\n")
    for number in df["line"]:
        assert oslo_log._SNIFF_LINE.match(file_lines[number - 1].rstrip("\r"))


# --------------------------------------------------------------------------- sniff, spec


def test_sniff() -> None:
    assert oslo_log.sniff(SAMPLE)
    assert oslo_log.sniff("2026-03-02 09:14:07.331 INFO nova.compute.manager started\n")
    assert not oslo_log.sniff(
        "2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> memory resource limit alarm\n"
    )
    assert not oslo_log.sniff(
        "2026-03-02T09:14:07.331902114Z 2026-03-02 09:14:07.331 1 ERROR nova.x [-] m\n"
    )
    assert not oslo_log.sniff("2026-03-02 09:12:01,733 - pf9app.hostagent - INFO - hello\n")
    assert not oslo_log.sniff('[{"ID": "x", "Status": "BUILD"}]')
    assert not oslo_log.sniff("")


def test_spec() -> None:
    spec = oslo_log.SPEC
    assert spec.tables == ("logs",)
    assert spec.matches_path("hosts/hv-04/ostackhost.log")
    assert spec.matches_path("hosts/hv-04/ostackhost.log.1")
    assert spec.matches_path("hosts/hv-04/nova-compute.log")
    assert spec.matches_path("pcd-bundle-hv-04/hosts/hv-04/ostackhost.log")  # nested bundle
    assert not spec.matches_path("rabbit.log")


def docstring_samples(doc: str) -> list[str]:
    """The indented sample blocks that follow ``::`` in a module docstring."""
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", doc)
    return ["\n".join(line[4:] for line in block.rstrip().split("\n")) + "\n" for block in blocks]


def test_docstring_sample_parses() -> None:
    (sample,) = docstring_samples(oslo_log.__doc__ or "")
    df = logs(run(sample))
    assert len(df) == 3
    assert df.iloc[2]["detail"].startswith("Traceback (most recent call last):")


# --------------------------------------------------------------------------- pf9 logs

PF9_SAMPLE = """\
2026-03-02 09:12:01,733 - pf9app.hostagent - INFO - Sending heartbeat to du.pcd.example.com
2026-03-02 09:12:31,734 - pf9app.hostagent - ERROR - Failed to reach du.pcd.example.com: timed out
Traceback (most recent call last):
  File "/opt/pf9/hostagent/lib/python3.9/site-packages/pf9app/hostagent.py", line 212, in heartbeat
2026-03-02 09:12:32,000 - WARNING - no logger name
"""


def test_pf9_python_logging_shape() -> None:
    result = run(
        PF9_SAMPLE, path="hosts/hv-04/hostagent.log", offset=timedelta(hours=2), module=pf9_log
    )
    df = logs(result)
    assert result.problems == []
    assert df["line"].tolist() == [1, 2, 5]
    assert df["level"].tolist() == ["INFO", "ERROR", "WARNING"]
    assert df.iloc[0]["timestamp"] == ts("2026-03-02 07:12:01.733")
    assert df.iloc[0]["logger"] == "pf9app.hostagent"
    assert pd.isna(df.iloc[2]["logger"])
    assert df.iloc[1]["detail"].startswith("Traceback (most recent call last):\n  File")
    assert set(df["source"]) == {"pf9"}
    assert set(df["service"]) == {"pf9-hostagent"}
    assert set(df["clock"]) == {"local-offset"}


@pytest.mark.parametrize(
    ("line", "logger", "level", "message"),
    [
        ("2026-03-02 09:10:44,120 - slave.py INFO - Sending heartbeat", "slave.py", "INFO", None),
        ("2026-03-02 09:10:44,120 - a.b - WARNING - Sending heartbeat", "a.b", "WARNING", None),
        ("2026-03-02 09:10:44,120 - ERROR - Sending heartbeat", None, "ERROR", None),
        ("2026-03-02T09:10:44.120 - x:12 - DEBUG - Sending heartbeat", "x:12", "DEBUG", None),
        ("2026-03-02 09:10:44,120 - x - INFO - ", "x", "INFO", ""),
    ],
)
def test_pf9_python_logging_variants(
    line: str, logger: str | None, level: str, message: str | None
) -> None:
    df = logs(run(line + "\n", path="hosts/hv-04/hostagent.log", module=pf9_log))
    row = df.iloc[0]
    assert (None if pd.isna(row["logger"]) else row["logger"]) == logger
    assert row["level"] == level
    assert row["message"] == ("Sending heartbeat" if message is None else message)
    assert row["timestamp"] == ts("2026-03-02 09:10:44.120")


def test_pf9_oslo_shaped_file_uses_oslo_rules() -> None:
    df = logs(run(SAMPLE, path="hosts/hv-04/ostackhost.log", module=pf9_log))
    assert len(df) == 4
    assert set(df["source"]) == {"pf9"}
    assert set(df["service"]) == {"nova-compute"}
    assert df.iloc[2]["instance"] == UUID


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("hosts/hv-04/hostagent-daemon.log", "pf9-hostagent"),
        ("hosts/hv-04/comms-stdout.log", "pf9-comms"),
        ("hosts/hv-04/sidekick.log", "sidekick"),
        ("hosts/hv-04/sidekick.log.2", "sidekick"),
    ],
)
def test_pf9_service_from_file_name(path: str, service: str) -> None:
    assert pf9_log.file_service(path) == service


def test_pf9_unknown_shape_is_a_problem() -> None:
    result = run("some free text\nmore\n", path="hosts/hv-04/comms-stdout.log", module=pf9_log)
    assert logs(result).empty
    assert [p.problem for p in result.problems] == ["no log lines recognised"]


def test_pf9_sniff_and_spec() -> None:
    assert pf9_log.sniff(PF9_SAMPLE)
    assert not pf9_log.sniff(SAMPLE)  # oslo content is oslo_log's
    assert not pf9_log.sniff("2026-03-02 09:10:44.120 [warning] <0.1053.0> x\n")
    assert pf9_log.SPEC.matches_path("hosts/hv-04/hostagent.log")
    assert pf9_log.SPEC.matches_path("hosts/hv-04/hostagent.log.1")
    assert not pf9_log.SPEC.matches_path("kubernetes/logs/p/c.log")


def test_pf9_docstring_sample_parses() -> None:
    (sample,) = docstring_samples(pf9_log.__doc__ or "")
    assert len(logs(run(sample, path="hosts/h/hostagent.log", module=pf9_log))) == 2


# --------------------------------------------------------------------------- shared helpers


def test_split_lines_numbers_like_an_editor() -> None:
    lines = loglines.split_lines("a\r\nb\x0bc\n\nd")  # \x0b is not a line break
    assert lines.tolist() == ["a", "b\x0bc", "", "d"]
    assert loglines.split_lines("").tolist() == []
    assert loglines.split_lines("x\n").tolist() == ["x"]


def test_fold() -> None:
    starts = [False, True, False, False, True, False]
    text = pd.Series(["orphan", "r1", "c1", "", "r2", "c2"], dtype=loglines.STRING)
    positions, detail = loglines.fold(starts, text)
    assert positions.tolist() == [1, 4]
    assert detail.tolist() == ["c1", "c2"]
    positions, detail = loglines.fold([True, True], pd.Series(["a", "b"], dtype=loglines.STRING))
    assert detail.isna().all()


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("hosts/hv-04/ostackhost.log", "nova-compute"),
        ("hosts/rabbitmq-host/ostackhost.log", "nova-compute"),
        ("hosts/rabbitmq-host/unknown.log", None),  # the host folder is not a service
        ("kubernetes/logs/nova-conductor-7d9f8b6c5d-x2x4k/main.log", "nova-conductor"),
        ("kubernetes/logs/broker-0/broker.log", "rabbitmq"),
    ],
)
def test_service_from_path(path: str, service: str | None) -> None:
    assert service_names.service_from_path(path) == service
