"""pcdctl server list parser (and the shared osc_* readers it uses)."""

from __future__ import annotations

import codecs

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import SCHEMAS
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import osc_json, osc_table, servers
from analyzer.parsers.base import PARSER_FAILED, ParseResult

UUID1 = "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"
UUID2 = "8a2b4c6d-1e3f-4a5b-9c7d-0e1f2a3b4c5d"
PROJECT = "9a3f2c1d0e5b4a6c8d7e1f2a3b4c5d6e"
NAIVE = "2026-03-02T09:12:55"

LONG_JSON = f"""[
  {{
    "ID": "{UUID1}",
    "Name": "web-07",
    "Status": "BUILD",
    "Task State": "scheduling",
    "Power State": 0,
    "Networks": {{}},
    "Image Name": "ubuntu-22.04",
    "Image ID": "0b8e1f57-6f5c-4a7e-8d0a-3c2b1e9f4d21",
    "Flavor": "m1.small",
    "Availability Zone": "nova",
    "Host": null,
    "Properties": {{}},
    "Project ID": "{PROJECT}"
  }},
  {{
    "ID": "{UUID2}",
    "Name": "db-01",
    "Status": "ACTIVE",
    "Task State": null,
    "Power State": 1,
    "Networks": {{"private": ["10.0.0.12", "fd00::12"]}},
    "Image Name": "N/A (booted from volume)",
    "Image ID": "N/A (booted from volume)",
    "Flavor": "m1.large",
    "Availability Zone": "nova",
    "Host": "hv-04",
    "Properties": {{"owner": "ops"}},
    "Project ID": "{PROJECT}"
  }}
]
"""

OLD_MICROVERSION_JSON = f"""[
  {{"ID": "{UUID1}", "Name": "web-07", "Status": "ERROR", "Task State": null,
    "Power State": 0, "Networks": {{}}, "Image Name": "cirros", "Image ID": "1f2e",
    "Flavor Name": "m1.tiny", "Flavor ID": "1", "Availability Zone": "",
    "Host": null, "Properties": "", "Project ID": "{PROJECT}"}}
]
"""

DEFAULT_JSON = f"""[
  {{"ID": "{UUID1}", "Name": "web-07", "Status": "BUILD", "Networks": {{}},
    "Image": "ubuntu", "Flavor": "m1.small"}}
]
"""

TABLE = f"""\
+--------------------------------------+--------+--------+------------+-------------+----------------------------------+--------------+----------+-------+----------------------------------+
| ID                                   | Name   | Status | Task State | Power State | Networks                         | Image Name   | Flavor   | Host  | Project ID                       |
+--------------------------------------+--------+--------+------------+-------------+----------------------------------+--------------+----------+-------+----------------------------------+
| {UUID1} | web-07 | BUILD  | scheduling | NOSTATE     |                                  | ubuntu-22.04 | m1.small | None  | {PROJECT} |
| {UUID2} | db-01  | ACTIVE | None       | Running     | private=10.0.0.12, fd00::12;     | ubuntu-22.04 | m1.large | hv-04 | {PROJECT} |
|                                      |        |        |            |             | public=203.0.113.7               |              |          |       |                                  |
+--------------------------------------+--------+--------+------------+-------------+----------------------------------+--------------+----------+-------+----------------------------------+
"""

DEFAULT_TABLE = f"""\
+--------------------------------------+--------+--------+----------+--------+----------+
| ID                                   | Name   | Status | Networks | Image  | Flavor   |
+--------------------------------------+--------+--------+----------+--------+----------+
| {UUID1} | web-07 | BUILD  |          | ubuntu | m1.small |
+--------------------------------------+--------+--------+----------+--------+----------+
"""

CSV = f'''"ID","Name","Status","Task State","Power State","Networks","Image Name","Flavor","Host"
"{UUID1}","web-07","BUILD","scheduling","NOSTATE","","ubuntu","m1.small",""
"{UUID2}","db-01","ACTIVE","","Running","private=10.0.0.12","ubuntu","m1.large","hv-04"
'''

CTX = SourceContext(bundle="b", path="p", host=None, utc_offset=None, collected_at=None)


def run(text: str | bytes, path: str = "openstack/servers.json") -> ParseResult:
    data = text.encode() if isinstance(text, str) else text
    return servers.parse(SourceFile(bundle="b", path=path, data=data), CTX)


def frame(text: str | bytes, path: str = "openstack/servers.json") -> pd.DataFrame:
    result = run(text, path)
    assert result.problems == []
    return result.tables["servers"]


def test_long_json_all_columns() -> None:
    df = frame(LONG_JSON)
    assert list(df.columns) == list(SCHEMAS["servers"])
    assert df["id"].tolist() == [UUID1, UUID2]
    assert df["status"].tolist() == ["BUILD", "ACTIVE"]
    assert df.loc[0, "task_state"] == "scheduling"
    assert pd.isna(df.loc[1, "task_state"])
    assert df["power_state"].tolist() == ["NOSTATE", "Running"]
    assert pd.isna(df.loc[0, "host"])
    assert df.loc[1, "host"] == "hv-04"
    assert df["flavor"].tolist() == ["m1.small", "m1.large"]
    assert df["image"].tolist() == ["ubuntu-22.04", "N/A (booted from volume)"]
    assert df["project_id"].tolist() == [PROJECT, PROJECT]
    assert df["file"].tolist() == ["openstack/servers.json"] * 2
    assert df["line"].tolist() == [2, 17]  # where each object opens
    assert df["created_at"].isna().all()


def test_declared_dtypes() -> None:
    df = frame(LONG_JSON)
    for col, dtype in SCHEMAS["servers"].items():
        assert str(df[col].dtype) == dtype, col


def test_old_microversion_flavor_name_and_id() -> None:
    df = frame(OLD_MICROVERSION_JSON)
    assert df.loc[0, "flavor"] == "m1.tiny"
    assert df.loc[0, "image"] == "cirros"
    assert df.loc[0, "status"] == "ERROR"


def test_default_columns_image_and_flavor() -> None:
    df = frame(DEFAULT_JSON)
    assert (df.loc[0, "image"], df.loc[0, "flavor"]) == ("ubuntu", "m1.small")
    assert pd.isna(df.loc[0, "power_state"])


def test_image_id_only_when_no_name() -> None:
    text = f'[{{"ID": "{UUID1}", "Name": "a", "Status": "BUILD", "Image ID": "0b8e"}}]'
    assert frame(text).loc[0, "image"] == "0b8e"


@pytest.mark.parametrize(
    ("value", "word"),
    [
        (0, "NOSTATE"),
        (1, "Running"),
        (3, "Paused"),
        (4, "Shutdown"),
        (6, "Crashed"),
        (7, "Suspended"),
        (9, "9"),
        ('"Running"', "Running"),
        ('"running"', "Running"),
        ('"4"', "Shutdown"),
        ("null", None),
        ('"N/A"', None),
    ],
)
def test_power_state_mapping(value: object, word: str | None) -> None:
    text = f'[{{"ID": "{UUID1}", "Name": "a", "Status": "ACTIVE", "Power State": {value}}}]'
    got = frame(text).loc[0, "power_state"]
    assert (pd.isna(got) and word is None) or got == word


def test_created_and_updated_at_are_utc() -> None:
    text = f"""[{{"ID": "{UUID1}", "Name": "a", "Status": "BUILD", "Networks": {{}},
      "Created At": "2026-03-02T09:12:55Z", "Updated At": "2026-03-02T09:13:40.000000"}}]"""
    df = frame(text)
    assert df.loc[0, "created_at"] == pd.Timestamp("2026-03-02T09:12:55Z")
    assert df.loc[0, "updated_at"] == pd.Timestamp("2026-03-02T09:13:40Z")


def test_utc_offset_is_not_applied_to_api_times() -> None:
    text = f'[{{"ID": "{UUID1}", "Name": "a", "Status": "BUILD", "Created At": "{NAIVE}"}}]'
    ctx = SourceContext("b", "p", None, pd.Timedelta(hours=2).to_pytimedelta(), None)
    result = servers.parse(SourceFile("b", "openstack/servers.json", text.encode()), ctx)
    assert result.tables["servers"].loc[0, "created_at"] == pd.Timestamp("2026-03-02T09:12:55Z")


def test_network_is_the_first_attached_network() -> None:
    assert frame(LONG_JSON)["network"].tolist()[1] == "private"
    assert pd.isna(frame(LONG_JSON)["network"].tolist()[0])  # BUILD: no port yet
    table = frame(TABLE, "openstack/servers.txt")
    assert table["network"].tolist()[1] == "private"  # "private=10.0.0.12, fd00::12; public=..."
    assert pd.isna(table["network"].tolist()[0])


def test_table_form() -> None:
    df = frame(TABLE, "openstack/servers.txt")
    assert df["id"].tolist() == [UUID1, UUID2]
    assert df["power_state"].tolist() == ["NOSTATE", "Running"]
    assert df.loc[0, "task_state"] == "scheduling"
    assert pd.isna(df.loc[1, "task_state"])  # "None" in a table
    assert pd.isna(df.loc[0, "host"])
    assert df.loc[1, "host"] == "hv-04"
    assert df["line"].tolist() == [4, 5]


def test_default_table_form() -> None:
    df = frame(DEFAULT_TABLE, "openstack/servers.txt")
    assert df.loc[0, "id"] == UUID1
    assert (df.loc[0, "image"], df.loc[0, "flavor"]) == ("ubuntu", "m1.small")


def test_csv_form() -> None:
    df = frame(CSV, "openstack/servers.txt")
    assert df["id"].tolist() == [UUID1, UUID2]
    assert df["line"].tolist() == [2, 3]
    assert pd.isna(df.loc[0, "host"])
    assert df.loc[1, "power_state"] == "Running"


def test_api_response_form() -> None:
    text = f"""{{"servers": [{{"id": "{UUID1}", "name": "web-07", "status": "BUILD",
      "OS-EXT-STS:task_state": "scheduling", "OS-EXT-STS:vm_state": "building",
      "OS-EXT-STS:power_state": 0, "OS-EXT-SRV-ATTR:host": null,
      "created": "2026-03-02T09:12:55Z", "tenant_id": "{PROJECT}"}}]}}"""
    df = frame(text)
    assert df.loc[0, "id"] == UUID1
    assert df.loc[0, "vm_state"] == "building"
    assert df.loc[0, "project_id"] == PROJECT
    assert df.loc[0, "created_at"] == pd.Timestamp("2026-03-02T09:12:55Z")


def test_duplicate_id_in_one_file_keeps_first() -> None:
    text = f"""[
  {{"ID": "{UUID1}", "Name": "first", "Status": "BUILD", "Networks": {{}}}},
  {{"ID": "{UUID1}", "Name": "second", "Status": "ERROR", "Networks": {{}}}}
]"""
    result = run(text)
    df = result.tables["servers"]
    assert df["name"].tolist() == ["first"]
    assert len(result.problems) == 1
    assert UUID1 in result.problems[0].problem


def test_same_id_in_two_files_is_kept() -> None:
    a = frame(DEFAULT_JSON, "openstack/servers.json")
    b = frame(DEFAULT_JSON, "openstack/servers-build.json")
    assert a.loc[0, "id"] == b.loc[0, "id"] == UUID1
    assert b.loc[0, "file"] == "openstack/servers-build.json"


def test_empty_list_gives_no_rows_and_no_problem() -> None:
    result = run("[]\n")
    assert result.tables == {}
    assert result.problems == []


@pytest.mark.parametrize("text", ["", "   \n", b"\xef\xbb\xbf"])
def test_empty_file_is_a_problem(text: str | bytes) -> None:
    result = run(text)
    assert result.tables == {}
    assert [p.problem for p in result.problems] == ["empty file"]


def test_truncated_json_keeps_complete_objects() -> None:
    text = LONG_JSON[: LONG_JSON.index('"db-01"')]
    result = run(text)
    assert result.tables["servers"]["id"].tolist() == [UUID1]
    assert len(result.problems) == 1
    assert "invalid JSON" in result.problems[0].problem


def test_prompt_line_before_json() -> None:
    result = run("$ pcdctl server list --all-projects --long -f json\n" + DEFAULT_JSON)
    assert result.tables["servers"].loc[0, "line"] == 3
    assert len(result.problems) == 1
    assert "text before the JSON" in result.problems[0].problem


def test_json_object_instead_of_list() -> None:
    result = run('{"error": "Unauthorized"}')
    assert result.tables == {}
    assert "where a list of server was expected" in result.problems[0].problem


def test_non_object_elements_are_reported() -> None:
    result = run(f'[1, "x", {{"ID": "{UUID1}", "Name": "a", "Status": "BUILD"}}]')
    assert len(result.tables["servers"]) == 1
    assert "2 JSON value(s)" in result.problems[0].problem


def test_utf16_with_bom() -> None:
    data = codecs.BOM_UTF16_LE + DEFAULT_JSON.encode("utf-16-le")
    assert frame(data).loc[0, "id"] == UUID1


def test_invalid_utf8_is_reported_and_rest_read() -> None:
    data = DEFAULT_JSON.replace("web-07", "web-\udcff").encode("utf-8", "surrogateescape")
    result = run(data)
    assert result.tables["servers"].loc[0, "id"] == UUID1
    assert "not valid UTF-8" in result.problems[0].problem


@pytest.mark.parametrize(
    ("stamp", "kept"),
    [
        ("1970-01-01T00:00:00Z", True),
        ("2999-01-01T00:00:00Z", True),
        ("0001-01-01T00:00:00Z", True),
        ("10000-01-01T00:00:00Z", False),
        ("yesterday", False),
    ],
)
def test_extreme_timestamps_never_raise(stamp: str, kept: bool) -> None:
    text = f'[{{"ID": "{UUID1}", "Name": "a", "Status": "BUILD", "Created At": "{stamp}"}}]'
    result = run(text)
    created = result.tables["servers"].loc[0, "created_at"]
    if kept:
        assert created == pd.Timestamp(stamp)
        assert result.problems == []
    else:
        assert pd.isna(created)
        assert "created_at" in result.problems[0].problem


def test_nanosecond_digits_do_not_push_far_dates_out_of_range() -> None:
    text = f"""[
  {{"ID": "{UUID1}", "Name": "a", "Status": "BUILD", "Created At": "2026-03-02T09:12:55.123456789Z"}},
  {{"ID": "{UUID2}", "Name": "b", "Status": "BUILD", "Created At": "2999-01-01T00:00:00Z"}}
]"""
    df = frame(text)
    assert df["created_at"].tolist() == [
        pd.Timestamp("2026-03-02T09:12:55.123456Z"),
        pd.Timestamp("2999-01-01T00:00:00Z"),
    ]


def test_unrecognised_text() -> None:
    result = run("web-07 BUILD\nweb-08 ACTIVE\n", "openstack/servers.txt")
    assert result.tables == {}
    assert "not recognised as server output" in result.problems[0].problem


def test_foreign_table_is_reported() -> None:
    text = "+----+------+\n| ID | Size |\n+----+------+\n| 1  | 10   |\n+----+------+\n"
    result = run(text, "openstack/servers.txt")
    assert result.tables == {}
    assert "no server table found" in result.problems[0].problem


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "{" * 100_000,
        '[{"ID": "' + "a" * 3_000_000,
        "|" * 3_000_000,
        "+-" * 1_500_000 + "+",
        "+--+\n|" + "x" * 3_000_000 + "|\n+--+\n",
        '"ID",' + "x" * 3_000_000,
    ],
    ids=["deep-list", "deep-dict", "long-string", "pipes", "border", "long-cell", "long-csv"],
)
def test_hostile_inputs_never_raise(text: str) -> None:
    result = run(text)
    assert not any(PARSER_FAILED in p.problem for p in result.problems)


# --- sniffing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        LONG_JSON,
        OLD_MICROVERSION_JSON,
        DEFAULT_JSON,
        TABLE,
        DEFAULT_TABLE,
        CSV,
        "$ pcdctl server list -f json\n" + DEFAULT_JSON,
        f'{{"servers": [{{"id": "{UUID1}", "OS-EXT-STS:vm_state": "building"}}]}}',
    ],
)
def test_sniff_claims_server_lists(head: str) -> None:
    assert servers.sniff(head)


def test_sniff_claims_utf16_head() -> None:
    data = codecs.BOM_UTF16_LE + DEFAULT_JSON.encode("utf-16-le")
    assert servers.sniff(data.decode("utf-8", errors="replace"))


@pytest.mark.parametrize(
    "head",
    [
        "",
        "[]",
        # compute service list
        '[{"ID": 7, "Binary": "nova-compute", "Host": "hv-04", "Zone": "nova", '
        '"Status": "enabled", "State": "down", "Updated At": "2026-03-02T09:01:02.000000"}]',
        # volume list: ID/Name/Status but no server columns
        '[{"ID": "a1", "Name": "vol", "Status": "available", "Size": 10, "Attached to": ""}]',
        # server show
        f'{{"id": "{UUID1}", "name": "web-07", "status": "BUILD", "OS-EXT-STS:vm_state": '
        '"building", "created": "2026-03-02T09:12:55Z", "flavor": "m1.small (1)"}',
        "+-------+-------+\n| Field | Value |\n+-------+-------+\n"
        "| id    | x     |\n+-------+-------+\n",
        # kubectl, logs
        '{"apiVersion": "v1", "items": [{"metadata": {"name": "rabbitmq-0"}}], "kind": "List"}',
        "NAME         READY   STATUS    RESTARTS   AGE\n"
        "rabbitmq-0   1/1     Running   0          3d\n",
        "2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager [-] Build failed\n",
        "2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> memory resource limit alarm\n",
    ],
)
def test_sniff_rejects_other_kinds(head: str) -> None:
    assert not servers.sniff(head)


# --- shared table and JSON readers ---------------------------------------------------------


def test_parse_tables_folds_continuation_lines() -> None:
    (table,) = osc_table.parse_tables(TABLE)
    assert table.header[:3] == ["ID", "Name", "Status"]
    assert table.rows[1][5] == "private=10.0.0.12, fd00::12;\npublic=203.0.113.7"
    assert table.row_lines == [4, 5]
    assert table.line == 2


def test_parse_tables_value_with_pipe_and_misaligned_row() -> None:
    text = (
        "+----+--------+\n"
        "| ID | Name   |\n"
        "+----+--------+\n"
        "| 1  | a|b |\n"  # shorter than the border: split on '|', surplus to the last cell
        "+----+--------+\n"
    )
    (table,) = osc_table.parse_tables(text)
    assert table.rows == [["1", "a|b"]]


def test_parse_tables_rules_between_rows_and_two_tables() -> None:
    text = (
        "+----+\n| ID |\n+----+\n| 1  |\n+----+\n| 2  |\n+----+\n"
        "+-------+\n| Other |\n+-------+\n| x     |\n+-------+\n"
    )
    first, second = osc_table.parse_tables(text)
    assert first.rows == [["1"], ["2"]]
    assert second.header == ["Other"]
    assert second.rows == [["x"]]


def test_parse_tables_unicode_box() -> None:
    text = "┌────┬──────┐\n│ ID │ Name │\n├────┼──────┤\n│ 1  │ a    │\n└────┴──────┘\n"
    (table,) = osc_table.parse_tables(text)
    assert table.header == ["ID", "Name"]
    assert table.rows == [["1", "a"]]


def test_scan_json_lines_and_concatenated_documents() -> None:
    scan = osc_json.scan_json('[\n {"a": 1},\n {"a": 2}\n]\n{"b": 3}\n7\n')
    assert scan.error is None
    assert [(i.value, i.line, i.in_list) for i in scan.items] == [
        ({"a": 1}, 2, True),
        ({"a": 2}, 3, True),
        ({"b": 3}, 5, False),
    ]
    assert scan.others == 1


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ('[{"a": 1}, {"a": 2}]', [1, 1]),  # one line
        ('[{"a": 1},\n{"a": 2}]', [1, 2]),  # first element on the '[' line: read one by one
        ('[\n    {\n        "a": [\n            1\n        ]\n    },\n    {}\n]', [2, 7]),
    ],
)
def test_scan_json_element_lines(text: str, lines: list[int]) -> None:
    assert [i.line for i in osc_json.scan_json(text).items] == lines


def test_scan_json_recovery_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(osc_json, "MAX_SCANNED", 10)
    scan = osc_json.scan_json("[" + '{"a": 1},' * 50)  # cut short: read one by one
    assert len(scan.items) == 10
    assert scan.error is not None
    assert "stopped reading after 10 elements" in scan.error


def test_many_stray_values_are_one_problem() -> None:
    result = run("[" + "1," * 100_000 + "1]")
    assert result.tables == {}
    assert len(result.problems) == 1
    assert "100001 JSON value(s)" in result.problems[0].problem


# --- never raises ----------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "[",
        "]",
        "{",
        "}",
        ",",
        '"ID": ',
        '"Name": "x"',
        '"Status": "BUILD"',
        '"Power State": 99',
        '"Created At": "2999-01-01T00:00:00Z"',
        "null",
        "+----+------+",
        "| ID | Name |",
        "|    | x    |",
        "| 1 | a | b |",
        "\n",
        '"ID","Name","Status","Networks"',
        "\x00",
        "\ufffd",
    ]
)


def _no_internal_error(result: ParseResult) -> None:
    assert not any(PARSER_FAILED in p.problem for p in result.problems)
    for df in result.tables.values():
        assert list(df.columns) == list(SCHEMAS["servers"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_format_fragments_never_raise(text: str) -> None:
    _no_internal_error(run(text))
    _no_internal_error(run(text, "openstack/servers.txt"))
    servers.sniff(text)


def test_table_pasted_under_a_shell_prompt_is_a_table_not_json() -> None:
    text = (
        "[root@admin-ws ~]# openstack server list --all-projects --long\n"
        "+--------------------------------------+--------+--------+------------+\n"
        "| ID                                   | Name   | Status | Task State |\n"
        "+--------------------------------------+--------+--------+------------+\n"
        "| 6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13 | web-07 | BUILD  | scheduling |\n"
        "+--------------------------------------+--------+--------+------------+\n"
    )
    src = SourceFile(bundle="b", path="server_list.txt", data=text.encode())
    assert servers.SPEC.sniff(text)
    result = servers.SPEC.parse(src, SourceContext("b", src.path, None, None, None))
    assert result.problems == []
    frame = result.tables["servers"]
    assert list(frame["id"]) == ["6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"]
    assert list(frame["task_state"]) == ["scheduling"]
