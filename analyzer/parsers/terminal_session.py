"""A pasted terminal session: prompt lines, each followed by that command's output.

Input (a ticket's ``session.txt``)::

    [root@controller ~]# nova service-list
    +--------------------------------------+----------------+------------+----------+---------+-------+----------------------------+-----------------+-------------+
    | Id                                   | Binary         | Host       | Zone     | Status  | State | Updated_at                 | Disabled Reason | Forced down |
    +--------------------------------------+----------------+------------+----------+---------+-------+----------------------------+-----------------+-------------+
    | c606ddf6-2213-459e-b07e-e8219c9c24fc | nova-conductor | controller | internal | enabled | up    | 2021-12-17T07:13:17.000000 | -               | False       |
    +--------------------------------------+----------------+------------+----------+---------+-------+----------------------------+-----------------+-------------+
    AMQP server on controller:5672 closed the connection. Check login credentials: Socket closed
    $ openstack server show web-3 -c fault -f value
    {u'code': 500, u'message': u'No valid host was found. There are not enough hosts available.', u'created': u'2016-05-05T14:02:10Z'}

The file is cut at its prompt lines (``[user@host dir]#``, ``user@host:dir$``, a bare
``$``/``#`` before a known command, osc's interactive ``(openstack)``). Each command's
output is read by the parser its command calls for (``server list``, ``server show``,
``compute service list``/``nova service-list``, ``kubectl get pods|events``, ``kubectl
describe``), else by the parser its content is recognised by, and every row keeps its
line in the pasted file. ``server show NAME -c fault -f value`` prints only the fault
(a Python dict, ``u''`` strings from Python 2 included): it becomes a ``servers`` row of
that name with the fault. Lines left over below a table, or in an output no parser
reads, are kept as ``logs`` rows without a time (``clock`` = ``undated``,
``source`` = ``paste``): a pasted error line is evidence even when it carries no stamp.
"""  # noqa: E501 - real output lines are long

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyzer.model import BundleProblem, Clock, SourceContext, SourceFile
from analyzer.parsers import (
    k8s_describe,
    k8s_events,
    k8s_pods,
    kubectl_logs,
    logframe,
    loglines,
    server_show,
    servers,
    service_names,
    services,
)
from analyzer.parsers.base import ParseResult, ParserSpec, fail_forward
from analyzer.parsers.one_source import ONE_SOURCE

_KNOWN = (
    r"(?:openstack|nova|pcdctl|kubectl|sudo|journalctl|docker|tail|cat|grep|zgrep|less|head"
    r"|rabbitmqctl|rabbitmq-diagnostics|systemctl|virsh|cinder|neutron)\b"
)
PROMPT = (
    r"^[ \t]*(?:\([\w.-]+\)[ \t]*)?"
    r"(?:(?:\[[^\]\n]*@[^\]\n]*\][ \t]*[#$]|[\w.-]+@[\w.-]+:[^ \t#$]*[#$])[ \t]+(?P<cmd>\S.*)"
    r"|[#$][ \t]+(?P<bare>" + _KNOWN + r".*)"
    r"|\(openstack\)[ \t]+(?P<osc>\S.*))$"
)
"""A prompt line and the command typed after it."""

_PROMPT = re.compile(PROMPT)
_TABLE_LINE = r"^[ \t]*[+|│┃┌└├╞╘╒╔╚║═─━]"
UNDATED_SOURCE = "paste"


@dataclass(frozen=True)
class Section:
    command: str | None  # None: the text above the first prompt
    first: int  # the file line (1-based) of its first output line
    lines: list[str]


def sections(text: str) -> list[Section]:
    """The session cut at its prompt lines."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    found: list[Section] = []
    command: str | None = None
    start = 0
    for i, line in enumerate(lines):
        m = _PROMPT.match(line.rstrip("\r"))
        if m is None:
            continue
        found.append(Section(command, start + 1, lines[start:i]))
        command = (m["cmd"] or m["bare"] or ("openstack " + m["osc"])).strip()
        start = i + 1
    found.append(Section(command, start + 1, lines[start:]))
    return [s for s in found if s.command is not None or any(x.strip() for x in s.lines)]


def sniff(head: str) -> bool:
    """Two prompt lines or more, or one whose table has lines pasted below it: a session,
    not one command's output under its prompt (the parser of that output reads those)."""
    found = sections(head)
    prompts = sum(1 for s in found if s.command is not None)
    if prompts >= 2:
        return True
    return prompts == 1 and any(s.command is not None and _lines_below_table(s) for s in found)


def _lines_below_table(section: Section) -> bool:
    left = _below_table(section.lines)
    return left is not None and any(line.strip() for line in left[1])


def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
    def fill(result: ParseResult) -> None:
        text = src.data.decode("utf-8", errors="replace").replace("\x00", "")
        for section in sections(text):
            _parse_section(section, src, ctx, result)

    return fail_forward(src, "terminal session", fill)


def _parse_section(
    section: Section, src: SourceFile, ctx: SourceContext, result: ParseResult
) -> None:
    body = "\n".join(section.lines).strip("\n")
    if not body.strip():
        return
    lead = len(section.lines) - len("\n".join(section.lines).lstrip("\n").split("\n"))
    first = section.first + lead
    if section.command is not None and _is_fault_only(section.command):
        row = _fault_row(section.command, body, src.path, first)
        if row is not None:
            result.add(servers.TABLE, servers.frame_of([row], src.path, result.problems))
            return
    parser = _by_command(section.command) or _by_content(body)
    part = SourceFile(bundle=src.bundle, path=src.path, data=(body + "\n").encode("utf-8"))
    if parser is None:
        result.add("logs", _undated(section.lines[lead:], first, src.path, ctx, section.command))
        return
    spec, tables_only = parser
    found = spec.parse(part, ctx)
    result.problems.extend(_shift_problems(found.problems))
    for table, frame in found.tables.items():
        result.add(table, _shift(frame, first))
    if tables_only:
        left = _below_table(section.lines[lead:])
        if left is not None:
            offset, rest = left
            result.add("logs", _undated(rest, first + offset, src.path, ctx, section.command))


def _shift(frame: pd.DataFrame, first: int) -> pd.DataFrame:
    """Line numbers of a section's output as lines of the pasted file."""
    if "line" not in frame.columns or frame.empty:
        return frame
    frame = frame.copy()
    frame["line"] = frame["line"] + (first - 1)
    return frame


def _shift_problems(problems: list[BundleProblem]) -> list[BundleProblem]:
    # a section in which its parser found nothing says nothing about the file as a whole
    return [p for p in problems if not logframe.is_no_lines_problem(p)]


_COMMANDS: tuple[tuple[re.Pattern[str], ParserSpec, bool], ...] = (
    (re.compile(r"\b(?:server|nova) show\b|\bnova show\b"), server_show.SPEC, True),
    (re.compile(r"\bserver list\b|\bnova list\b"), servers.SPEC, True),
    (re.compile(r"\bcompute service list\b|\bnova service-list\b"), services.SPEC, True),
    (re.compile(r"\bkubectl\b.*\bget (?:pods?|po)\b"), k8s_pods.SPEC, True),
    (re.compile(r"\bkubectl\b.*\bget (?:events?|ev)\b"), k8s_events.SPEC, True),
    (re.compile(r"\bkubectl\b.*\bdescribe\b"), k8s_describe.SPEC, False),
)
_TABLES = {servers.TABLE, services.TABLE, "pods", "events"}


def _by_command(command: str | None) -> tuple[ParserSpec, bool] | None:
    if command is None:
        return None
    for pattern, spec, tables_only in _COMMANDS:
        if pattern.search(command):
            return spec, tables_only
    return None


def _by_content(body: str) -> tuple[ParserSpec, bool] | None:
    head = body[:8192]
    for spec in ONE_SOURCE:
        try:
            if spec.sniff(head):
                return spec, bool(set(spec.tables) & _TABLES)
        except Exception:  # noqa: BLE001, S112 - a sniffer bug must not stop the session
            continue
    return None


def _is_fault_only(command: str) -> bool:
    """``server show NAME -c fault -f value|shell``: the output is the fault alone."""
    words = _words(command)
    return (
        "show" in words
        and _option(words, "-c", "--column") == "fault"
        and _option(words, "-f", "--format") in ("value", "shell")
    )


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:  # an unbalanced quote: the words as typed
        return command.split()


def _option(words: list[str], short: str, long: str) -> str | None:
    for i, word in enumerate(words):
        if word in (short, long) and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(long + "="):
            return word.split("=", 1)[1]
        if word.startswith(short) and len(word) > len(short) and not word.startswith("--"):
            return word[len(short) :]
    return None


def _fault_row(command: str, body: str, path: str, line: int) -> dict[str, object] | None:
    """The server a ``server show NAME -c fault -f value`` names, with its fault."""
    words = _words(command)
    after = words[words.index("show") + 1 :]
    name = next(
        (w for w in after if not w.startswith("-") and not _is_option_value(after, w)), None
    )
    text = body.strip()
    if text.startswith("fault="):  # -f shell: fault="{...}"
        text = text[len("fault=") :].strip().strip('"')
    fault = server_show.fault_fields(text)
    if name is None or not fault.get("fault_message"):
        return None
    row = servers.server_row({}, show=True)
    is_id = re.fullmatch(r"[0-9a-fA-F-]{36}", name) is not None
    row.update(fault)
    row["id" if is_id else "name"] = name
    row["file"] = path
    row["line"] = line
    return row


def _is_option_value(words: list[str], word: str) -> bool:
    i = words.index(word)
    return i > 0 and words[i - 1] in ("-c", "--column", "-f", "--format", "--os-cloud")


def _below_table(lines: list[str]) -> tuple[int, list[str]] | None:
    """The lines after the last table line of an output, and where they start."""
    series = loglines.as_lines(lines)
    table = np.flatnonzero(loglines.matches(series, _TABLE_LINE))
    if not table.size or table[-1] + 1 >= len(lines):
        return None
    start = int(table[-1]) + 1
    return start, lines[start:]


def _undated(
    lines: list[str], first: int, path: str, ctx: SourceContext, command: str | None
) -> pd.DataFrame:
    """One undated ``logs`` row per non-blank line (``first``: the file line of the first)."""
    series = loglines.as_lines([line.rstrip("\r") for line in lines])
    keep = loglines.non_empty(series.str.strip())
    if not keep.any():
        return logframe.empty_logs()
    positions = np.flatnonzero(keep)
    message = series.iloc[positions].str.strip().reset_index(drop=True)
    service = _service_of(command)
    return logframe.logs_frame(
        {
            "source": UNDATED_SOURCE,
            "service": service,
            "host": ctx.host,
            "level": kubectl_logs.guess_level(message),
            "message": message,
            "clock": Clock.UNDATED,
            "file": path,
            "line": pd.Series(positions + first, dtype=logframe.INT),
        },
        len(positions),
    )


def _service_of(command: str | None) -> str | None:
    """The service a command's log file names (``tail /var/log/nova/nova-compute.log``)."""
    if command is None:
        return None
    for word in reversed(_words(command)):
        found = service_names.service_from_path(word) if "/" in word or "." in word else None
        if found:
            return found
    return None


SPEC = ParserSpec(
    kind="terminal_session",
    tables=("logs", servers.TABLE, services.TABLE, "pods", "events"),
    paths=(),
    sniff=sniff,
    parse=parse,
)
