"""Pasted terminal sessions: cut at prompts, each output read by its own parser."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from analyzer.jobs import identify
from analyzer.model import Clock, SourceContext, SourceFile
from analyzer.parsers import terminal_session
from analyzer.parsers.base import ParseResult

# `[root@controller ~]# nova service-list` with UUID ids and a Forced down column: an
# OpenStack install walkthrough on GitHub (found by the text "| Forced down |"), 2021-12-17
SERVICE_LIST = """\
[root@controller ~]# nova service-list
+--------------------------------------+----------------+------------+----------+---------+-------+----------------------------+-----------------+-------------+
| Id                                   | Binary         | Host       | Zone     | Status  | State | Updated_at                 | Disabled Reason | Forced down |
+--------------------------------------+----------------+------------+----------+---------+-------+----------------------------+-----------------+-------------+
| c606ddf6-2213-459e-b07e-e8219c9c24fc | nova-conductor | controller | internal | enabled | up    | 2021-12-17T07:13:17.000000 | -               | False       |
| 6608eb09-0130-4cdd-8311-f53082e14508 | nova-scheduler | controller | internal | enabled | up    | 2021-12-17T07:13:18.000000 | -               | False       |
+--------------------------------------+----------------+------------+----------+---------+-------+----------------------------+-----------------+-------------+
"""

# a 2016 blog post on anti-affinity server groups, kept on GitHub (found by the text
# "-c fault -f shell"): the fault printed by a Python 2 client, cut short by its author
FAULT_SHELL = """\
$ openstack server show prod-db-5 -c fault -f shell
fault="{u'message': u'No valid host was found. There are not enough hosts available.', u'code': 500...
"""

# the line a Jekyll blog on GitHub (an OpenStack Juno install diary, March 2015) pasted
# under its `nova service-list`: every service's log repeated it; no time of its own
CREDENTIALS = (
    "AMQP server controller:5672 closed the connection. Check login credentials: Socket closed\n"
)

# https://github.com/nii-cloud/dodai-deploy/issues/18 (the prompt of a root shell)
OTHER_PROMPT = "root@server1:/var/log/nova# nova-manage service list\n"

COLLECTED = datetime(2021, 12, 17, 8, 0, tzinfo=UTC)


def parse(text: str, path: str = "ticket.txt") -> ParseResult:
    src = SourceFile(bundle="b", path=path, data=text.encode())
    spec = identify(src)
    assert spec is not None
    assert spec.kind == "terminal_session"
    ctx = SourceContext(bundle="b", path=path, host=None, utc_offset=None, collected_at=COLLECTED)
    return spec.parse(src, ctx)


def test_each_output_is_read_by_its_commands_parser_at_its_own_lines() -> None:
    result = parse(SERVICE_LIST + CREDENTIALS + FAULT_SHELL)
    assert result.problems == []
    services = result.tables["services"]
    assert services["id"].tolist() == [
        "c606ddf6-2213-459e-b07e-e8219c9c24fc",
        "6608eb09-0130-4cdd-8311-f53082e14508",
    ]
    assert services["forced_down"].tolist() == [False, False]
    assert services["line"].tolist() == [5, 6]  # lines of the pasted file, not of the output
    servers = result.tables["servers"]
    assert servers["name"].tolist() == ["prod-db-5"]
    assert servers["fault_code"].tolist() == [500]
    assert servers["fault_message"][0] == (
        "No valid host was found. There are not enough hosts available."
    )
    assert servers["line"].tolist() == [10]


def test_a_line_pasted_under_a_table_is_undated_evidence() -> None:
    result = parse(SERVICE_LIST + CREDENTIALS + FAULT_SHELL)
    logs = result.tables["logs"]
    assert logs["message"].tolist() == [CREDENTIALS.strip()]
    assert logs["line"].tolist() == [8]
    assert logs["clock"].tolist() == [Clock.UNDATED]
    assert logs["timestamp"].isna().all()


def test_fault_dict_with_python2_strings_and_value_format() -> None:
    text = (
        "(openstack) server show web-3 -c fault -f value\n"
        # the fault as `-f value` prints a Python 2 dict: the message of FAULT_SHELL, with
        # the code and created keys the API returns
        "{u'code': 500, u'message': u'No valid host was found. There are not enough hosts "
        "available.', u'created': u'2016-08-09T14:46:12Z'}\n" + OTHER_PROMPT
    )
    servers = parse(text).tables["servers"]
    assert servers["name"].tolist() == ["web-3"]
    assert servers["fault_created"][0] == pd.Timestamp("2016-08-09 14:46:12", tz="UTC")


def test_sections_are_cut_at_every_prompt_form() -> None:
    text = SERVICE_LIST + FAULT_SHELL + OTHER_PROMPT + "(openstack) server list\n"
    commands = [s.command for s in terminal_session.sections(text)]
    assert commands == [
        "nova service-list",
        "openstack server show prod-db-5 -c fault -f shell",
        "nova-manage service list",
        "openstack server list",
    ]


def test_one_prompt_over_its_own_output_is_not_a_session() -> None:
    # near miss: what the services parser reads by itself (nothing below the table)
    assert not terminal_session.sniff(SERVICE_LIST)
    assert terminal_session.sniff(SERVICE_LIST + CREDENTIALS)
    src = SourceFile(bundle="b", path="services.txt", data=SERVICE_LIST.encode())
    spec = identify(src)
    assert spec is not None
    assert spec.kind == "services"


def test_a_comment_is_not_a_prompt() -> None:
    assert terminal_session.sections("# restart the broker first\n$ echo done\n")[0].command is None
