"""RabbitMQ broker logs, all three generations.

3.9 and later (zoned; a multi-line message repeats the full prefix on every line)::

    2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> memory resource limit alarm set on node rabbit@rabbitmq-0.
    2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> **********************************************************
    2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> *** Publishers will be blocked until this alarm clears ***
    2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> **********************************************************

3.7-3.8 (lager; local time; continuation lines carry no prefix)::

    2026-03-02 09:10:44.120 [error] <0.1053.0> Error on AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672, state: starting):
    PLAIN login refused: user 'nova' - invalid credentials

3.6 and older (Erlang reports: header, body lines, blank line; local time)::

    =WARNING REPORT==== 2-Mar-2026::09:10:44 ===
    closing AMQP connection <0.679.0> (10.0.0.5:33174 -> 10.0.0.9:5672):
    missed heartbeats from client, timeout: 60s

    =INFO REPORT==== 2-Mar-2026::09:10:45 ===
        alarm_handler: {set,{system_memory_high_watermark,[]}}

Output: rows of the ``logs`` table, one per record, ``service`` = ``rabbitmq``. 3.9+ lines
with the same timestamp, level and Erlang pid as the line before are folded into one
record (the asterisk banner above is the ``detail`` of the alarm record). Levels are
normalised (``noti``/``notice`` -> INFO, ``warn`` -> WARNING, ``erro`` -> ERROR, ``crit``
-> CRITICAL). For 3.6 reports (whose header may end in blanks) ``message`` is the whole
body, its lines stripped and joined with single spaces (``closing AMQP connection
<0.679.0> (...): missed heartbeats from client, timeout: 60s``), ``detail`` the body
lines after the first as written, ``logger`` the report kind (``INFO REPORT``,
``WARNING REPORT``...), and the level follows the kind (CRASH/SUPERVISOR -> ERROR, PROGRESS -> INFO): a plain
``alarm_handler`` INFO REPORT is kept as a record; the diagnosis tells it apart. The
Erlang pid (``<0.1053.0>``) has no integer form and is not kept. ``clock`` is ``zoned``
for 3.9+, else ``local-offset``/``local-assumed-utc``.
"""  # noqa: E501 - real log lines are long

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyzer.fold import FoldFormat
from analyzer.model import BundleProblem, Clock, SourceContext, SourceFile
from analyzer.parsers import logframe, loglines, logtime
from analyzer.parsers.base import ParseResult, ParserSpec

_LEVELS = r"debug|info|notice|noti|warning|warn|error|erro|critical|crit|alert|emergency"

RABBIT_LINE = (
    r"^(?:"
    r"(?P<ts>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?)(?P<tz>Z|[+-]\d\d:?\d\d)? "
    r"\[(?P<level>" + _LEVELS + r")\] "
    r"(?:<(?P<pid>[^<>\s]*)>(?:@\S*)? ?)?"
    r"(?P<message>.*)"
    r"|=(?P<report>[A-Z]+) (?:REPORT|MSG)=+ "
    r"(?P<rts>\d{1,2}-[A-Za-z]{3}-\d{4}::\d\d:\d\d:\d\d)(?:\.\d+)? =+[ \t]*"
    r")$"
)
"""A 3.9+/lager prefixed line, or a 3.6 report header."""

_REPORT_LEVELS = {
    "INFO": "INFO",
    "PROGRESS": "INFO",
    "WARNING": "WARNING",
    "ERROR": "ERROR",
    "CRASH": "ERROR",
    "SUPERVISOR": "ERROR",
}

_SNIFF_LINE = re.compile(
    r"^(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? "
    r"\[(?:" + _LEVELS + r")\] <\d+\.\d+\.\d+>"
    r"|=[A-Z]+ REPORT=+ \d{1,2}-[A-Za-z]{3}-\d{4}::\d\d:\d\d:\d\d(?:\.\d+)? =+\s*$)"
)

LAGER_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

_FOLD_TIME = r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?"
FOLD = FoldFormat(
    level=_FOLD_TIME + r" \[(?P<level>" + _LEVELS + r")\] ",
    # the head of a 3.9+ line its continuations repeat: time, level, Erlang pid
    head=r"^(?P<head>" + _FOLD_TIME[1:] + r" \[(?:" + _LEVELS + r")\] (?:<[^<> ]*>)?)",
    levels=frozenset(_LEVELS.split("|")),
    keep=frozenset({"warning", "warn", "error", "erro", "critical", "crit", "alert", "emergency"}),
    debug=frozenset({"debug"}),
    source="rabbitmq",
    time=_FOLD_TIME,
    time_format=LAGER_FORMAT,
    lead=_FOLD_TIME + r" \[(?:" + _LEVELS + r")\] ",
    service="rabbitmq",
    repeats_if=r"(?:Z|[+-]\d\d:?\d\d) \[",  # 3.9+ (zoned) only: lager lines do not
    stamp_width=32,  # 3.9+: microseconds and the zone (2026-03-02 09:10:44.120391+00:00)
)
"""How a large 3.7+ broker log is read folded (analyzer.fold); 3.6 reports are read whole."""
REPORT_FORMAT = "%d-%b-%Y::%H:%M:%S"


def parse_rabbitmq_lines(
    lines: Iterable[str] | pd.Series,
    ctx: SourceContext,
    *,
    file: str | None = None,
    source: str = "rabbitmq",
) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """Parse RabbitMQ log lines (position ``i`` = line ``i + 1``) into logs-table rows."""
    path = file if file is not None else ctx.path
    text = loglines.as_lines(lines)
    fields = loglines.extract(text, RABBIT_LINE)
    matched = fields["matched"].to_numpy(dtype=bool)
    if not matched.any():
        problems = (
            [] if logframe.is_blank(text) else [logframe.no_lines_problem(path, "RabbitMQ log")]
        )
        return logframe.empty_logs(), problems

    header = matched & fields["report"].notna().to_numpy(dtype=bool)
    prefixed = matched & ~header
    zoned = prefixed & fields["tz"].notna().to_numpy(dtype=bool)
    key = (
        fields["ts"] + fields["tz"] + "|" + fields["level"] + "|" + fields["pid"].fillna("")
    ).where(pd.Series(zoned, index=fields.index))
    repeats = zoned & loglines.same_as_previous(key)
    starts = header | (prefixed & ~repeats)

    # 3.6 reports only: a 3.9+ log (no report header) has no report bodies to join
    reports = _report_bodies(text, starts, header) if header.any() else None

    cont_text = fields["message"].where(pd.Series(prefixed, index=fields.index), text)
    if reports is not None:  # a report's first body line is its message, not its detail
        first_body = pd.Series(~reports.first_line, index=fields.index)
        cont_text = cont_text.where(first_body, "")
    positions, detail = loglines.fold(starts, cont_text)

    rec = fields.iloc[positions].reset_index(drop=True)
    rec_header = pd.Series(header[positions])
    rec_zoned = pd.Series(zoned[positions])
    local = pd.Series(prefixed[positions] & ~zoned[positions])

    timestamps = pd.Series(pd.NaT, index=rec.index, dtype=logtime.TS_UTC)
    if rec_zoned.any():
        timestamps[rec_zoned] = logtime.parse_zoned(rec["ts"][rec_zoned] + rec["tz"][rec_zoned])
    if local.any():
        timestamps[local] = logtime.parse_local(rec["ts"][local], ctx.utc_offset, LAGER_FORMAT)
    if rec_header.any():
        timestamps[rec_header] = logtime.parse_local(
            rec["rts"][rec_header], ctx.utc_offset, REPORT_FORMAT
        )

    report = rec["report"]
    level = logframe.normalise_level(rec["level"])
    message = rec["message"]
    if reports is not None:  # a report's level follows its kind, its message is its body
        kind_level = report.map(_REPORT_LEVELS, na_action="ignore").astype(loglines.STRING)
        level = level.where(~rec_header, kind_level)
        message = message.where(~rec_header, reports.message.reset_index(drop=True))
    clock = pd.Series(logtime.clock_of(ctx), index=rec.index, dtype=loglines.STRING).where(
        ~rec_zoned, Clock.ZONED
    )
    frame = logframe.logs_frame(
        {
            "timestamp": timestamps,
            "source": source,
            "service": "rabbitmq",
            "host": ctx.host,
            "level": level,
            "logger": (report + " REPORT").where(rec_header),
            "message": message.fillna(""),
            "detail": detail,
            "clock": clock,
            "file": path,
            "line": pd.Series(positions + 1, dtype=logframe.INT),
        },
        len(positions),
    )
    return frame, logtime.bad_time_problem(path, timestamps)


@dataclass(frozen=True)
class _Reports:
    first_line: np.ndarray  # per line: the first line of a report's body
    message: pd.Series  # per record: its report body joined (<NA> for other records)


def _report_bodies(text: pd.Series, starts: np.ndarray, header: np.ndarray) -> _Reports:
    """3.6: a report's message is its whole body, an Erlang term spread over lines joined
    with single spaces (the patterns searched for may span its lines); ``detail`` keeps
    the lines after the first as they stand."""
    group = np.cumsum(starts)
    in_report = np.concatenate(([False], header[np.flatnonzero(starts)]))[group]
    stripped = text.str.strip()
    body = ~starts & in_report & loglines.non_empty(stripped)
    first_line = np.zeros(len(text), dtype=bool)
    body_pos = np.flatnonzero(body)
    if body_pos.size:
        body_group = group[body_pos]
        first_line[body_pos[np.concatenate(([True], body_group[1:] != body_group[:-1]))]] = True
    _, message = loglines.fold(starts, stripped.where(pd.Series(body, index=text.index), ""))
    return _Reports(first_line, message.str.replace(r"\s+", " ", regex=True))


def sniff(head: str) -> bool:
    """A 3.9+/lager ``<time> [level] <0.1.0>`` line or a ``=... REPORT====`` header."""
    return any(_SNIFF_LINE.match(line.rstrip("\r")) is not None for line in head.split("\n")[:200])


def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
    return logframe.guarded(src, lambda lines: parse_rabbitmq_lines(lines, ctx, file=src.path), ctx)


SPEC = ParserSpec(
    kind="rabbitmq_log",
    tables=("logs",),
    paths=(
        "hosts/*/rabbit*.log*",
        "rabbitmq/*.log*",
        "*/hosts/*/rabbit*.log*",  # nested bundle
        "*/rabbitmq/*.log*",
    ),
    sniff=sniff,
    parse=parse,
    fold=FOLD,
)
