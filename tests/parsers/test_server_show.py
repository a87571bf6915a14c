"""pcdctl server show parser."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import SCHEMAS
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import server_show
from analyzer.parsers.base import PARSER_FAILED, ParseResult

UUID = "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"
IMAGE = "0b8e1f57-6f5c-4a7e-8d0a-3c2b1e9f4d21"
PROJECT = "9a3f2c1d0e5b4a6c8d7e1f2a3b4c5d6e"

ERROR_JSON = f"""{{
  "OS-DCF:diskConfig": "MANUAL",
  "OS-EXT-AZ:availability_zone": "nova",
  "OS-EXT-SRV-ATTR:host": null,
  "OS-EXT-SRV-ATTR:hypervisor_hostname": null,
  "OS-EXT-SRV-ATTR:instance_name": "instance-0000002a",
  "OS-EXT-STS:power_state": 0,
  "OS-EXT-STS:task_state": null,
  "OS-EXT-STS:vm_state": "error",
  "OS-SRV-USG:launched_at": null,
  "OS-SRV-USG:terminated_at": null,
  "accessIPv4": "",
  "accessIPv6": "",
  "addresses": {{}},
  "config_drive": "",
  "created": "2026-03-02T09:12:55Z",
  "fault": {{
    "code": 500,
    "created": "2026-03-02T09:14:07Z",
    "message": "No valid host was found. There are not enough hosts available.",
    "details": "Traceback (most recent call last):\\n  File ..."
  }},
  "flavor": "m1.small (1)",
  "hostId": "",
  "id": "{UUID}",
  "image": "ubuntu-22.04 ({IMAGE})",
  "key_name": null,
  "name": "web-07",
  "project_id": "{PROJECT}",
  "properties": {{}},
  "status": "ERROR",
  "updated": "2026-03-02T09:14:07Z",
  "user_id": "5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e"
}}
"""

ACTIVE_JSON = f"""{{
  "OS-EXT-SRV-ATTR:host": "hv-04",
  "OS-EXT-SRV-ATTR:hypervisor_hostname": "hv-04.example.net",
  "OS-EXT-STS:power_state": 1,
  "OS-EXT-STS:task_state": null,
  "OS-EXT-STS:vm_state": "active",
  "OS-SRV-USG:launched_at": "2026-03-02T09:13:40.000000",
  "addresses": {{"private": ["10.0.0.12"]}},
  "created": "2026-03-02T09:12:55Z",
  "flavor": {{"vcpus": 1, "ram": 2048, "disk": 20, "ephemeral": 0, "swap": 0,
             "original_name": "m1.small", "extra_specs": {{}}}},
  "id": "{UUID}",
  "image": "N/A (booted from volume)",
  "name": "web-07",
  "project_id": "{PROJECT}",
  "status": "ACTIVE",
  "updated": "2026-03-02T09:13:41Z"
}}
"""

# openstackclient on the SDK: old and new names side by side (or only the new ones)
SDK_JSON = f"""{{
  "compute_host": null,
  "created_at": "2026-03-02T09:12:55Z",
  "flavor": {{"original_name": "m1.small", "vcpus": 1}},
  "id": "{UUID}",
  "image": "ubuntu-22.04 ({IMAGE})",
  "launched_at": null,
  "name": "web-07",
  "power_state": 0,
  "project_id": "{PROJECT}",
  "status": "BUILD",
  "task_state": "scheduling",
  "updated_at": "2026-03-02T09:12:56Z",
  "vm_state": "building"
}}
"""

ERROR_TABLE = f"""\
+-------------------------------------+-------------------------------------------------------------------+
| Field                               | Value                                                             |
+-------------------------------------+-------------------------------------------------------------------+
| OS-DCF:diskConfig                   | MANUAL                                                            |
| OS-EXT-AZ:availability_zone         | nova                                                              |
| OS-EXT-SRV-ATTR:host                | None                                                              |
| OS-EXT-SRV-ATTR:hypervisor_hostname | None                                                              |
| OS-EXT-STS:power_state              | NOSTATE                                                           |
| OS-EXT-STS:task_state               | None                                                              |
| OS-EXT-STS:vm_state                 | error                                                             |
| OS-SRV-USG:launched_at              | None                                                              |
| addresses                           |                                                                   |
| created                             | 2026-03-02T09:12:55Z                                              |
| fault                               | {{'code': 500, 'created': '2026-03-02T09:14:07Z', 'message': 'No   |
|                                     | valid host was found. There are not enough hosts available.',     |
|                                     | 'details': 'Traceback (most recent call last):\\n  File ...'}}      |
| flavor                              | m1.small (1)                                                      |
| id                                  | {UUID}                              |
| image                               | ubuntu-22.04 ({IMAGE})       |
| name                                | web-07                                                            |
| project_id                          | {PROJECT}                                  |
| status                              | ERROR                                                             |
| updated                             | 2026-03-02T09:14:07Z                                              |
+-------------------------------------+-------------------------------------------------------------------+
"""

BUILD_TABLE = f"""\
+-----------------------------+----------------------------------------------------------------------+
| Field                       | Value                                                                |
+-----------------------------+----------------------------------------------------------------------+
| OS-EXT-SRV-ATTR:host        | None                                                                 |
| OS-EXT-STS:power_state      | NOSTATE                                                              |
| OS-EXT-STS:task_state       | scheduling                                                           |
| OS-EXT-STS:vm_state         | building                                                             |
| OS-SRV-USG:launched_at      | None                                                                 |
| created                     | 2026-03-02T09:12:55Z                                                 |
| flavor                      | disk='20', ephemeral='0', original_name='m1.small', ram='2048',      |
|                             | swap='0', vcpus='1'                                                  |
| id                          | {UUID}                                 |
| image                       | N/A (booted from volume)                                             |
| name                        | web-07                                                               |
| status                      | BUILD                                                                |
| updated                     | 2026-03-02T09:12:56Z                                                 |
+-----------------------------+----------------------------------------------------------------------+
"""

NOVA_SHOW = f"""\
+--------------------------------------+----------------------------------------------------------+
| Property                             | Value                                                    |
+--------------------------------------+----------------------------------------------------------+
| OS-EXT-SRV-ATTR:host                 | -                                                        |
| OS-EXT-STS:power_state               | 0                                                        |
| OS-EXT-STS:task_state                | -                                                        |
| OS-EXT-STS:vm_state                  | error                                                    |
| created                              | 2026-03-02T09:12:55Z                                     |
| fault                                | {{"message": "No valid host was found. ", "code": 500,    |
|                                      | "created": "2026-03-02T09:14:07Z"}}                       |
| id                                   | {UUID}                     |
| status                               | ERROR                                                    |
+--------------------------------------+----------------------------------------------------------+
"""

CTX = SourceContext(bundle="b", path="p", host=None, utc_offset=None, collected_at=None)
PATH = f"openstack/server-show/{UUID}.json"


def run(text: str | bytes, path: str = PATH) -> ParseResult:
    data = text.encode() if isinstance(text, str) else text
    return server_show.parse(SourceFile(bundle="b", path=path, data=data), CTX)


def row(text: str, path: str = PATH) -> pd.Series:
    result = run(text, path)
    assert result.problems == []
    df = result.tables["servers"]
    assert len(df) == 1
    assert list(df.columns) == list(SCHEMAS["servers"])
    return df.iloc[0]


def test_error_json_with_fault() -> None:
    r = row(ERROR_JSON)
    assert (r["id"], r["name"], r["status"], r["vm_state"]) == (UUID, "web-07", "ERROR", "error")
    assert pd.isna(r["task_state"])
    assert r["power_state"] == "NOSTATE"
    assert pd.isna(r["host"])
    assert r["flavor"] == "m1.small"
    assert r["image"] == "ubuntu-22.04"
    assert r["project_id"] == PROJECT
    assert r["created_at"] == pd.Timestamp("2026-03-02T09:12:55Z")
    assert r["updated_at"] == pd.Timestamp("2026-03-02T09:14:07Z")
    assert pd.isna(r["launched_at"])
    assert r["fault_code"] == 500
    assert r["fault_message"] == "No valid host was found. There are not enough hosts available."
    assert r["fault_created"] == pd.Timestamp("2026-03-02T09:14:07Z")
    assert (r["file"], r["line"]) == (PATH, 1)


def test_active_json_launched_at_without_zone_is_utc() -> None:
    r = row(ACTIVE_JSON)
    assert r["launched_at"] == pd.Timestamp("2026-03-02T09:13:40Z")
    assert r["host"] == "hv-04"
    assert r["power_state"] == "Running"
    assert r["flavor"] == "m1.small"  # embedded flavor (microversion >= 2.47)
    assert r["image"] == "N/A (booted from volume)"
    assert pd.isna(r["fault_code"])
    assert pd.isna(r["fault_message"])


def test_sdk_key_names() -> None:
    r = row(SDK_JSON)
    assert (r["status"], r["task_state"], r["vm_state"]) == ("BUILD", "scheduling", "building")
    assert r["power_state"] == "NOSTATE"
    assert r["created_at"] == pd.Timestamp("2026-03-02T09:12:55Z")
    assert r["updated_at"] == pd.Timestamp("2026-03-02T09:12:56Z")
    assert r["flavor"] == "m1.small"


def test_error_table_with_wrapped_repr_fault() -> None:
    r = row(ERROR_TABLE, PATH.replace(".json", ".txt"))
    assert (r["id"], r["status"], r["vm_state"], r["power_state"]) == (
        UUID,
        "ERROR",
        "error",
        "NOSTATE",
    )
    assert pd.isna(r["host"])
    assert pd.isna(r["task_state"])
    assert r["image"] == "ubuntu-22.04"
    assert r["flavor"] == "m1.small"
    assert r["fault_code"] == 500
    assert r["fault_message"] == "No valid host was found. There are not enough hosts available."
    assert r["fault_created"] == pd.Timestamp("2026-03-02T09:14:07Z")
    assert r["line"] == 2


def test_build_table_without_fault() -> None:
    r = row(BUILD_TABLE, PATH.replace(".json", ".txt"))
    assert (r["status"], r["task_state"], r["vm_state"]) == ("BUILD", "scheduling", "building")
    assert r["flavor"] == "m1.small"  # DictColumn form
    assert r["image"] == "N/A (booted from volume)"
    assert pd.isna(r["fault_message"])
    assert pd.isna(r["fault_code"])


def test_novaclient_property_table() -> None:
    r = row(NOVA_SHOW, "server.txt")
    assert r["power_state"] == "NOSTATE"
    assert pd.isna(r["host"])
    assert pd.isna(r["task_state"])
    assert r["fault_code"] == 500
    assert r["fault_message"] == "No valid host was found."
    assert r["fault_created"] == pd.Timestamp("2026-03-02T09:14:07Z")


def test_api_response_wrapper() -> None:
    r = row('{"server": ' + ERROR_JSON + "}")
    assert r["id"] == UUID
    assert r["fault_code"] == 500


def test_several_outputs_in_one_file() -> None:
    other = ACTIVE_JSON.replace(UUID, "8a2b4c6d-1e3f-4a5b-9c7d-0e1f2a3b4c5d")
    result = run(ERROR_JSON + other)
    df = result.tables["servers"]
    assert result.problems == []
    assert df["status"].tolist() == ["ERROR", "ACTIVE"]
    assert df["line"].tolist() == [1, ERROR_JSON.count("\n") + 1]


def test_several_tables_in_one_file() -> None:
    result = run(ERROR_TABLE + "\n$ pcdctl server show web-08\n" + BUILD_TABLE, "shows.txt")
    assert result.tables["servers"]["status"].tolist() == ["ERROR"]  # same id: first kept
    assert "repeated server" in result.problems[0].problem


@pytest.mark.parametrize(
    ("fault", "code", "message", "created"),
    [
        (
            {"code": 500, "created": "2026-03-02T09:14:07Z", "message": "No valid host"},
            500,
            "No valid host",
            "2026-03-02T09:14:07Z",
        ),
        ({"code": "500", "message": "x"}, 500, "x", None),
        ("{'code': 500, 'message': \"It's gone\"}", 500, "It's gone", None),
        (
            "code='500', created='2026-03-02T09:14:07Z', details='...', message='No valid host'",
            500,
            "No valid host",
            "2026-03-02T09:14:07Z",
        ),
        ("{'code': 500, 'message': 'cut off in the middl", 500, "cut off in the middl", None),
        ("Build of instance aborted", None, "Build of instance aborted", None),
        ("None", None, None, None),
        ("", None, None, None),
        (None, None, None, None),
        ({}, None, None, None),
    ],
)
def test_fault_fields(
    fault: object, code: int | None, message: str | None, created: str | None
) -> None:
    got = server_show.fault_fields(fault)
    assert got.get("fault_code") == code
    assert got.get("fault_message") == message
    assert got.get("fault_created") == created


def test_huge_fault_text_uses_regexes() -> None:
    details = "x" * 300_000
    fault = f"{{'code': 500, 'message': 'No valid host', 'details': '{details}'}}"
    got = server_show.fault_fields(fault)
    assert (got["fault_code"], got["fault_message"]) == (500, "No valid host")


def test_object_without_server_fields_is_a_problem() -> None:
    result = run('{"error": {"code": 404, "message": "No server with a name or ID"}}')
    assert result.tables == {}
    assert "no server id, name or status" in result.problems[0].problem


def test_list_form_is_not_show_output() -> None:
    result = run("[1, 2]")
    assert result.tables == {}
    assert len(result.problems) == 1
    assert "2 JSON value(s)" in result.problems[0].problem


def test_list_of_show_objects() -> None:
    result = run("[" + ERROR_JSON + ",\n" + ACTIVE_JSON.replace(UUID, "x") + "]")
    assert result.problems == []
    assert result.tables["servers"]["status"].tolist() == ["ERROR", "ACTIVE"]


def test_many_appended_documents_are_bounded() -> None:
    result = run("{}" * 50_000)
    assert not any(PARSER_FAILED in p.problem for p in result.problems)
    assert any("more than" in p.problem for p in result.problems)


@pytest.mark.parametrize("text", ["", "No server with a name or ID of 'web-07' exists.\n"])
def test_empty_or_error_text(text: str) -> None:
    result = run(text)
    assert result.tables == {}
    assert len(result.problems) == 1


def test_truncated_json() -> None:
    result = run(ERROR_JSON[:200])
    assert result.tables == {}
    assert "invalid JSON" in result.problems[0].problem


@pytest.mark.parametrize(("year", "kept"), [("1970", True), ("2999", True), ("10000", False)])
def test_extreme_years_never_raise(year: str, kept: bool) -> None:
    result = run(ERROR_JSON.replace("2026-03-02T09:12:55Z", f"{year}-01-01T00:00:00Z"))
    created = result.tables["servers"].loc[0, "created_at"]
    if kept:
        assert created == pd.Timestamp(f"{year}-01-01T00:00:00Z")
        assert result.problems == []
    else:
        assert pd.isna(created)
        assert "created_at" in result.problems[0].problem


# --- sniffing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [ERROR_JSON, ACTIVE_JSON, SDK_JSON, ERROR_TABLE, BUILD_TABLE, NOVA_SHOW, ERROR_JSON[:300]],
    ids=["error-json", "active-json", "sdk-json", "error-table", "build-table", "nova", "cut"],
)
def test_sniff_claims_server_show(head: str) -> None:
    assert server_show.sniff(head)


@pytest.mark.parametrize(
    "head",
    [
        "",
        "{}",
        # server list
        f'[{{"ID": "{UUID}", "Name": "web-07", "Status": "BUILD", "Networks": {{}}}}]',
        f'{{"servers": [{{"id": "{UUID}", "status": "BUILD", "OS-EXT-STS:vm_state": "x"}}]}}',
        # network show (Field | Value with id, status, created_at)
        "+-------------+-------+\n| Field       | Value |\n+-------------+-------+\n"
        "| created_at  | 2026  |\n| id          | n1    |\n| status      | ACTIVE|\n"
        "+-------------+-------+\n",
        # image show json
        '{"id": "i1", "status": "active", "created_at": "2026-03-02T09:12:55Z", "name": "x"}',
        # compute services
        '[{"ID": 7, "Binary": "nova-compute", "Host": "hv-04", "State": "down"}]',
        # kubernetes
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", '
        '"creationTimestamp": "2026-03-02T09:12:55Z"}, "status": {"phase": "Running"}}',
        "2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager [-] fault\n",
    ],
)
def test_sniff_rejects_other_kinds(head: str) -> None:
    assert not server_show.sniff(head)


# --- never raises ----------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        '"id"',
        '"fault"',
        '"status"',
        '"created"',
        '"2999-01-01T00:00:00Z"',
        '{"code": "x"}',
        "'code': 99999999999999999999",
        "+-------+-------+",
        "| Field | Value |",
        "| fault | {'code': |",
        "|       | 500}     |",
        "| id    | x        |",
        "\n",
        "\x00",
    ]
)


def _no_internal_error(result: ParseResult) -> None:
    assert not any(PARSER_FAILED in p.problem for p in result.problems)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_format_fragments_never_raise(text: str) -> None:
    _no_internal_error(run(text))
    server_show.sniff(text)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(), st.dictionaries(st.text(max_size=8), st.text(max_size=20))))
def test_fault_fields_never_raises(value: object) -> None:
    server_show.fault_fields(value)
