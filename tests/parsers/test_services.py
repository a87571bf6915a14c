"""pcdctl compute service list parser."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frames import SCHEMAS
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import services
from analyzer.parsers.base import PARSER_FAILED, ParseResult

HOST_UUID = "3c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f"

LONG_JSON = f"""[
  {{
    "ID": "c3f1a2b4-5d6e-4f70-8a9b-0c1d2e3f4a5b",
    "Binary": "nova-conductor",
    "Host": "nova-conductor-7d9f8b6c5-x2x9k",
    "Zone": "internal",
    "Status": "enabled",
    "State": "up",
    "Updated At": "2026-03-02T09:20:41.000000",
    "Disabled Reason": null,
    "Forced Down": false
  }},
  {{
    "ID": "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70",
    "Binary": "nova-compute",
    "Host": "{HOST_UUID}",
    "Zone": "nova",
    "Status": "disabled",
    "State": "down",
    "Updated At": "2026-03-02T09:01:02.000000",
    "Disabled Reason": "maintenance",
    "Forced Down": true
  }}
]
"""

OLD_JSON = """[
  {"ID": 7, "Binary": "nova-compute", "Host": "hv-04", "Zone": "nova", "Status": "enabled",
   "State": "down", "Updated At": "2026-03-02T09:01:02.000000"},
  {"ID": 8, "Binary": "nova-scheduler", "Host": "ctl-1", "Zone": "internal",
   "Status": "enabled", "State": "up", "Updated At": null}
]
"""

TABLE = """\
+----+----------------+-------+----------+---------+-------+----------------------------+
| ID | Binary         | Host  | Zone     | Status  | State | Updated At                 |
+----+----------------+-------+----------+---------+-------+----------------------------+
| 7  | nova-compute   | hv-04 | nova     | enabled | down  | 2026-03-02T09:01:02.000000 |
| 8  | nova-scheduler | ctl-1 | internal | enabled | up    | 2026-03-02T09:20:40.000000 |
+----+----------------+-------+----------+---------+-------+----------------------------+
"""

LONG_TABLE = """\
+----+--------------+-------+------+----------+-------+----------------------------+-----------------+-------------+
| ID | Binary       | Host  | Zone | Status   | State | Updated At                 | Disabled Reason | Forced Down |
+----+--------------+-------+------+----------+-------+----------------------------+-----------------+-------------+
| 7  | nova-compute | hv-04 | nova | disabled | down  | 2026-03-02T09:01:02.000000 | hv reboot       | True        |
| 9  | nova-compute | hv-05 | nova | enabled  | up    | 2026-03-02T09:20:41.000000 | None            | False       |
+----+--------------+-------+------+----------+-------+----------------------------+-----------------+-------------+
"""

NOVA_TABLE = """\
+----+----------------+-------+----------+---------+-------+----------------------------+-----------------+-------------+
| Id | Binary         | Host  | Zone     | Status  | State | Updated_at                 | Disabled Reason | Forced down |
+----+----------------+-------+----------+---------+-------+----------------------------+-----------------+-------------+
| 7  | nova-compute   | hv-04 | nova     | enabled | down  | 2026-03-02T09:01:02.000000 | -               | False       |
| 8  | nova-conductor | ctl-1 | internal | enabled | up    | 2026-03-02T09:20:40.000000 | -               | False       |
+----+----------------+-------+----------+---------+-------+----------------------------+-----------------+-------------+
"""

CSV = """"ID","Binary","Host","Zone","Status","State","Updated At","Disabled Reason","Forced Down"
7,"nova-compute","hv-04","nova","enabled","down","2026-03-02T09:01:02.000000","",False
"""

CTX = SourceContext(bundle="b", path="p", host=None, utc_offset=None, collected_at=None)


def run(text: str | bytes, path: str = "openstack/compute-services.json") -> ParseResult:
    data = text.encode() if isinstance(text, str) else text
    return services.parse(SourceFile(bundle="b", path=path, data=data), CTX)


def frame(text: str | bytes, path: str = "openstack/compute-services.json") -> pd.DataFrame:
    result = run(text, path)
    assert result.problems == []
    df = result.tables["services"]
    assert list(df.columns) == list(SCHEMAS["services"])
    for col, dtype in SCHEMAS["services"].items():
        assert str(df[col].dtype) == dtype, col
    return df


def test_long_json() -> None:
    df = frame(LONG_JSON)
    assert df["binary"].tolist() == ["nova-conductor", "nova-compute"]
    assert df.loc[1, "host"] == HOST_UUID
    assert df["zone"].tolist() == ["internal", "nova"]
    assert df["status"].tolist() == ["enabled", "disabled"]
    assert df["state"].tolist() == ["up", "down"]
    assert df.loc[0, "updated_at"] == pd.Timestamp("2026-03-02T09:20:41Z")
    assert pd.isna(df.loc[0, "disabled_reason"])
    assert df.loc[1, "disabled_reason"] == "maintenance"
    assert df["forced_down"].tolist() == [False, True]
    assert df["line"].tolist() == [2, 13]
    assert df.loc[0, "id"] == "c3f1a2b4-5d6e-4f70-8a9b-0c1d2e3f4a5b"


def test_old_microversion_integer_ids() -> None:
    df = frame(OLD_JSON)
    assert df["id"].tolist() == ["7", "8"]
    assert pd.isna(df.loc[1, "updated_at"])
    assert df["forced_down"].isna().all()


def test_table() -> None:
    df = frame(TABLE, "openstack/compute-services.txt")
    assert df["id"].tolist() == ["7", "8"]
    assert df["state"].tolist() == ["down", "up"]
    assert df.loc[0, "updated_at"] == pd.Timestamp("2026-03-02T09:01:02Z")
    assert df["line"].tolist() == [4, 5]


def test_long_table() -> None:
    df = frame(LONG_TABLE, "openstack/compute-services.txt")
    assert df["disabled_reason"].tolist()[0] == "hv reboot"
    assert pd.isna(df.loc[1, "disabled_reason"])
    assert df["forced_down"].tolist() == [True, False]


def test_nova_service_list_headers() -> None:
    df = frame(NOVA_TABLE, "nova-service-list.txt")
    assert df["id"].tolist() == ["7", "8"]
    assert df.loc[1, "updated_at"] == pd.Timestamp("2026-03-02T09:20:40Z")
    assert df["disabled_reason"].isna().all()  # "-"
    assert df["forced_down"].tolist() == [False, False]


def test_csv() -> None:
    df = frame(CSV, "openstack/compute-services.txt")
    assert (df.loc[0, "id"], df.loc[0, "state"], df.loc[0, "forced_down"]) == ("7", "down", False)
    assert df.loc[0, "line"] == 2


def test_values_are_lower_cased() -> None:
    text = '[{"ID": 1, "Binary": "nova-compute", "Host": "h", "Status": "Enabled", "State": "UP"}]'
    df = frame(text)
    assert (df.loc[0, "status"], df.loc[0, "state"]) == ("enabled", "up")


def test_api_response_form() -> None:
    text = """{"services": [{"id": 7, "binary": "nova-compute", "host": "hv-04", "zone": "nova",
      "status": "enabled", "state": "down", "updated_at": "2026-03-02T09:01:02.000000",
      "disabled_reason": null, "forced_down": false}]}"""
    df = frame(text)
    assert (df.loc[0, "id"], df.loc[0, "state"]) == ("7", "down")
    assert df.loc[0, "updated_at"] == pd.Timestamp("2026-03-02T09:01:02Z")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ('"False"', False), ('"yes"', True), ("0", False), ('"maybe"', None)],
)
def test_forced_down_values(value: str, expected: bool | None) -> None:
    text = f'[{{"ID": 1, "Binary": "b", "Host": "h", "State": "up", "Forced Down": {value}}}]'
    got = frame(text).loc[0, "forced_down"]
    assert (pd.isna(got) and expected is None) or got == expected


def test_offset_is_not_applied() -> None:
    ctx = SourceContext("b", "p", None, pd.Timedelta(hours=-5).to_pytimedelta(), None)
    src = SourceFile("b", "openstack/compute-services.json", OLD_JSON.encode())
    df = services.parse(src, ctx).tables["services"]
    assert df.loc[0, "updated_at"] == pd.Timestamp("2026-03-02T09:01:02Z")


@pytest.mark.parametrize(("year", "kept"), [("1970", True), ("2999", True), ("10000", False)])
def test_extreme_years_never_raise(year: str, kept: bool) -> None:
    result = run(OLD_JSON.replace("2026-03-02T09:01:02", f"{year}-01-01T00:00:00"))
    updated = result.tables["services"].loc[0, "updated_at"]
    if kept:
        assert updated == pd.Timestamp(f"{year}-01-01T00:00:00Z")
        assert result.problems == []
    else:
        assert pd.isna(updated)
        assert "updated_at" in result.problems[0].problem


def test_truncated_json_keeps_first_service() -> None:
    result = run(LONG_JSON[: LONG_JSON.index('"nova-compute"')])
    assert result.tables["services"]["binary"].tolist() == ["nova-conductor"]
    assert "invalid JSON" in result.problems[0].problem


@pytest.mark.parametrize(
    "text", ["", "garbage", "Unable to establish connection to https://pcd.example/compute"]
)
def test_unreadable_text_is_one_problem(text: str) -> None:
    result = run(text)
    assert result.tables == {}
    assert len(result.problems) == 1


# --- sniffing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        LONG_JSON,
        OLD_JSON,
        TABLE,
        LONG_TABLE,
        NOVA_TABLE,
        CSV,
        '{"services": [{"binary": "x", "state": "up"}]}',
    ],
    ids=["long-json", "old-json", "table", "long-table", "nova", "csv", "api"],
)
def test_sniff_claims_service_lists(head: str) -> None:
    assert services.sniff(head)


@pytest.mark.parametrize(
    "head",
    [
        "",
        "[]",
        # volume service list (no ID column)
        '[{"Binary": "cinder-volume", "Host": "c1@lvm", "Zone": "nova", "Status": "enabled", '
        '"State": "up", "Updated At": "2026-03-02T09:20:41.000000"}]',
        "+------------------+-------+------+---------+-------+\n"
        "| Binary           | Host  | Zone | Status  | State |\n"
        "+------------------+-------+------+---------+-------+\n",
        # network agent list
        '[{"ID": "a", "Agent Type": "Open vSwitch agent", "Host": "hv-04", '
        '"Availability Zone": null, "Alive": true, "State": true, '
        '"Binary": "neutron-openvswitch-agent"}]',
        # servers, server show
        '[{"ID": "x", "Name": "web-07", "Status": "BUILD", "Networks": {}}]',
        '{"id": "x", "status": "BUILD", "OS-EXT-STS:vm_state": "building", "created": "2026"}',
        # logs, kubectl
        "2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager [-] nova-compute state down\n",
        "NAME                 READY   STATUS    RESTARTS   AGE\n"
        "nova-conductor-0     1/1     Running   0          3d\n",
    ],
)
def test_sniff_rejects_other_kinds(head: str) -> None:
    assert not services.sniff(head)


# --- never raises ----------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "[",
        "]",
        "{",
        "}",
        ",",
        '"ID": 1',
        '"Binary": "nova-compute"',
        '"State": 5',
        '"Forced Down": "x"',
        '"Updated At": "2999-01-01T00:00:00"',
        "+----+--------+------+-------+",
        "| ID | Binary | Host | State |",
        "| 1  | b      | h    |",
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
    services.sniff(text)
