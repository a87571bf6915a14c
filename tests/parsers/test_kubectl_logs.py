"""kubectl logs --timestamps parser: prefix stripped, inner content parsed by its own rules."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import SCHEMAS, build_frames
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import kubectl_logs, logframe, loglines, own_clock
from analyzer.parsers.base import ParseResult

REQ = "req-3b1c7e0a-5d52-4f0e-9c7b-2a8d0f61e4b9"
UUID = "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"
RABBIT_PATH = "kubernetes/logs/rabbitmq-0/rabbitmq.log"
CONDUCTOR_POD = "nova-conductor-7d9f8b6c5d-x2x4k"
CONDUCTOR_PATH = f"kubernetes/logs/{CONDUCTOR_POD}/nova-conductor.previous.log"

RABBIT = """\
2026-03-02T09:10:44.120391532Z 2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> memory resource limit alarm set on node rabbit@rabbitmq-0.
2026-03-02T09:10:44.120398001Z 2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> **********************************************************
2026-03-02T09:10:44.120399117Z 2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> *** Publishers will be blocked until this alarm clears ***
2026-03-02T09:10:44.120400023Z 2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> **********************************************************
2026-03-02T09:12:10.441300555Z 2026-03-02 09:12:10.441207+00:00 [error] <0.2111.0> closing AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672 - nova-compute:2817:7b3e2f10-4c5d-4e6f-8a9b-0c1d2e3f4a5b):
2026-03-02T09:12:10.441301000Z 2026-03-02 09:12:10.441207+00:00 [error] <0.2111.0> missed heartbeats from client, timeout: 60s
"""

CONDUCTOR = f"""\
2026-03-02T09:14:07.331902114Z 2026-03-02 09:14:07.331 1 ERROR nova.conductor.manager [None {REQ} - - - - - -] [instance: {UUID}] Failed to compute_task_build_instances: Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1
2026-03-02T09:14:07.332015870Z 2026-03-02 09:14:07.331 1 ERROR nova.conductor.manager Traceback (most recent call last):
2026-03-02T09:14:07.332020001Z 2026-03-02 09:14:07.331 1 ERROR nova.conductor.manager   File "/var/lib/openstack/lib/python3.10/site-packages/oslo_messaging/_drivers/amqpdriver.py", line 441, in get
2026-03-02T09:14:09.000000001Z 2026-03-02 09:14:09.000 1 WARNING nova.scheduler.utils [None {REQ} - - - - - -] Setting instance to ERROR state.
"""


def run(text: str | bytes, path: str = RABBIT_PATH, host: str | None = None) -> ParseResult:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    src = SourceFile(bundle="b", path=path, data=data)
    ctx = SourceContext(bundle="b", path=path, host=host, utc_offset=None, collected_at=None)
    return kubectl_logs.parse(src, ctx)


def logs(result: ParseResult) -> pd.DataFrame:
    return result.tables.get("logs", logframe.empty_logs())


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_rabbitmq_inside() -> None:
    result = run(RABBIT)
    df = logs(result)
    assert result.problems == []
    # the schema's columns, and the line's own time against kubectl's until it is summarised
    assert list(df.columns) == [*SCHEMAS["logs"], own_clock.COLUMN]
    assert df["line"].tolist() == [1, 5]
    alarm = df.iloc[0]
    assert alarm["timestamp"] == ts("2026-03-02 09:10:44.120391")  # kubectl's (to the µs)
    assert alarm["clock"] == "kubectl"
    assert alarm["source"] == "kubectl"
    assert alarm["service"] == "rabbitmq"
    assert alarm["host"] == "rabbitmq-0"
    assert alarm["level"] == "WARNING"
    assert alarm["message"] == "memory resource limit alarm set on node rabbit@rabbitmq-0."
    assert alarm["detail"].count("\n") == 2
    assert df.iloc[1]["detail"] == "missed heartbeats from client, timeout: 60s"


def test_oslo_inside() -> None:
    result = run(CONDUCTOR, path=CONDUCTOR_PATH)
    df = logs(result)
    assert result.problems == []
    assert df["line"].tolist() == [1, 4]
    failed = df.iloc[0]
    assert failed["timestamp"] == ts("2026-03-02 09:14:07.331902")
    assert failed["service"] == "nova-conductor"
    assert failed["host"] == CONDUCTOR_POD
    assert failed["logger"] == "nova.conductor.manager"
    assert failed["pid"] == 1
    assert failed["request_id"] == REQ
    assert failed["instance"] == UUID
    assert failed["message"].startswith("Failed to compute_task_build_instances")
    assert failed["detail"].split("\n")[1].startswith('  File "/var/lib/openstack/')
    assert set(df["clock"]) == {"kubectl"}
    assert set(df["source"]) == {"kubectl"}


def test_python_logging_inside() -> None:
    text = (
        "2026-03-02T09:12:01.733000000Z 2026-03-02 09:12:01,733 - app.main - ERROR - boom\n"
        "2026-03-02T09:12:01.733100000Z Traceback (most recent call last):\n"
    )
    df = logs(run(text, path="kubernetes/logs/du-api-5c4f6d8b9-abcde/api.log"))
    assert df["message"].tolist() == ["boom"]
    assert df.iloc[0]["detail"] == "Traceback (most recent call last):"
    assert df.iloc[0]["service"] == "du-api"
    assert df.iloc[0]["timestamp"] == ts("2026-03-02 09:12:01.733")


GENERIC = """\
2026-03-02T09:14:07.331902114Z E0302 09:14:07.331902       1 reflector.go:138] failed to list
2026-03-02T09:14:08.000000000Z {"level":"warn","ts":1772442848.0,"msg":"slow"}
2026-03-02T09:14:09.000000000Z time="2026-03-02T09:14:09Z" level=error msg="cannot connect"
2026-03-02T09:14:10.000000000Z something ERROR happened
2026-03-02T09:14:11.000000000Z [debug] noisy
2026-03-02T09:14:12.000000000Z panic: runtime error: invalid memory address
goroutine 1 [running]:
2026-03-02T09:14:13.000000000Z\x20
2026-03-02T09:14:14Z plain words
"""


def test_generic_content() -> None:
    result = run(GENERIC, path="kubernetes/logs/keystone-5c4f6d8b9-abcde/keystone.log")
    df = logs(result)
    assert result.problems == []
    assert df["line"].tolist() == [1, 2, 3, 4, 5, 6, 9]
    assert df["level"].tolist() == [
        "ERROR",
        "WARNING",
        "ERROR",
        "ERROR",
        "DEBUG",
        "CRITICAL",
        "INFO",
    ]
    assert df.iloc[5]["detail"] == "goroutine 1 [running]:"
    assert df.iloc[6]["timestamp"] == ts("2026-03-02 09:14:14")
    assert set(df["service"]) == {"keystone"}
    assert set(df["clock"]) == {"kubectl"}


@pytest.mark.parametrize(
    ("pod", "service"),
    [
        ("rabbitmq-0", "rabbitmq"),
        ("rabbitmq-server-1", "rabbitmq"),
        ("broker-0", "rabbitmq"),
        ("nova-conductor-7d9f8b6c5d-x2x4k", "nova-conductor"),
        ("nova-scheduler-6b5c4d3e2f-abcde", "nova-scheduler"),
        ("nova-api-osapi-5f7c9d8b6-qwert", "nova-api"),
        ("keystone-api-5c4f6d8b9-abcde", "keystone-api"),
        ("memcached-0", "memcached"),
    ],
)
def test_service_of_pod(pod: str, service: str) -> None:
    assert kubectl_logs.service_of_pod(pod) == service


def test_hand_gathered_file_without_pod_in_path() -> None:
    df = logs(run(RABBIT, path="rabbit-pod.txt", host=None))
    assert set(df["service"]) == {"rabbitmq"}
    assert df["host"].isna().all()
    df = logs(run(CONDUCTOR, path="conductor.txt", host=None))
    assert df["service"].tolist() == ["nova-conductor", "nova-scheduler"]  # from the loggers


def test_inner_kind() -> None:
    def kind(text: str) -> str:
        fields = loglines.extract(loglines.split_lines(text), kubectl_logs.KUBECTL_LINE)
        return kubectl_logs.inner_kind(fields["inner"].fillna(""))

    assert kind(RABBIT) == "rabbitmq"
    assert kind(CONDUCTOR) == "oslo"
    assert kind(GENERIC) == "generic"


def test_bad_kubectl_time_falls_back_to_inner_time() -> None:
    text = (
        "2026-02-30T09:10:44.120391532Z 2026-03-02 09:10:44.120391+00:00 [info] <0.1.0> a\n"
        "2026-03-02T09:10:45.000000000Z 2026-03-02 09:10:45.000000+00:00 [info] <0.1.0> b\n"
    )
    result = run(text)
    df = logs(result)
    assert df["timestamp"].tolist() == [ts("2026-03-02 09:10:44.120391"), ts("2026-03-02 09:10:45")]
    assert df["clock"].tolist() == ["zoned", "kubectl"]
    assert result.problems == []


def test_lines_without_prefix_continue_the_record() -> None:
    text = RABBIT.splitlines()[0] + "\nstray line without prefix\n"
    df = logs(run(text))
    assert len(df) == 1
    assert df.iloc[0]["detail"] == "stray line without prefix"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b"\x00\xff\xfe\x01", "no kubectl logs lines recognised"),
        (b"unable to retrieve container logs for containerd://abc\n", "no kubectl logs lines"),
    ],
)
def test_unreadable_content(data: bytes, problem: str) -> None:
    result = run(data)
    assert logs(result).empty
    assert any(problem in p.problem for p in result.problems)


kube_line = st.builds(
    "2026-03-02T09:10:{:02d}.{:09d}Z {}".format,
    st.integers(0, 59),
    st.integers(0, 999_999_999),
    st.one_of(
        st.sampled_from(RABBIT.splitlines() + CONDUCTOR.splitlines() + GENERIC.splitlines()),
        st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=30),
    ),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(kube_line, st.text(max_size=20)), max_size=20))
def test_mixed_lines_never_raise(lines: list[str]) -> None:
    result = run("\n".join(lines))
    assert not any("parser failed" in p.problem for p in result.problems)
    build_frames({"logs": [logs(result)]})


def test_sniff() -> None:
    assert kubectl_logs.sniff(RABBIT)
    assert kubectl_logs.sniff(CONDUCTOR)
    assert kubectl_logs.sniff(GENERIC)
    assert not kubectl_logs.sniff("2026-03-02 09:10:44.120391+00:00 [warning] <0.1.0> m\n")
    assert not kubectl_logs.sniff("2026-03-02 09:14:07.331 2817 ERROR nova.x [-] m\n")
    assert not kubectl_logs.sniff('{"items": [{"lastTimestamp": "2026-03-02T09:10:44Z"}]}')
    assert not kubectl_logs.sniff("")


def test_spec() -> None:
    spec = kubectl_logs.SPEC
    assert spec.matches_path(RABBIT_PATH)
    assert spec.matches_path(CONDUCTOR_PATH)
    assert spec.matches_path("pcd-bundle-admin/" + RABBIT_PATH)
    assert not spec.matches_path("kubernetes/pods.json")
    assert not spec.matches_path("hosts/hv-04/ostackhost.log")


def test_docstring_samples_parse() -> None:
    doc = kubectl_logs.__doc__ or ""
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", doc)
    rabbit, conductor = ("\n".join(x[4:] for x in b.rstrip().split("\n")) + "\n" for b in blocks)
    df = logs(run(rabbit))
    assert len(df) == 1
    assert df.iloc[0]["detail"].startswith("*** Publishers")
    df = logs(run(conductor, path=CONDUCTOR_PATH))
    assert len(df) == 1
    assert df.iloc[0]["detail"] == "Traceback (most recent call last):"
