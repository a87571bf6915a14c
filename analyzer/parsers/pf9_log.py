"""Other Platform9 host logs: ``hostagent.log``, ``hostagent-daemon.log``, ``comms-stdout.log``...

These vary by component and release, so the parser is lenient. When most recognised lines
are oslo.log-shaped they are parsed exactly like ``oslo_log`` does; otherwise lines in the
Python ``logging`` shapes are read (``<time> - <name> - LEVEL - <message>``, also
``<time> - <name> LEVEL - <message>`` and ``<time> - LEVEL - <message>``)::

    2026-03-02 09:12:01,733 - pf9app.hostagent - INFO - Sending heartbeat to du.pcd.example.com
    2026-03-02 09:12:31,734 - pf9app.hostagent - ERROR - Failed to reach du.pcd.example.com: timed out
    Traceback (most recent call last):
      File "/opt/pf9/hostagent/lib/python3.9/site-packages/pf9app/hostagent.py", line 212, in heartbeat

Lines in neither shape continue the record before them (tracebacks, raw stdout). Output:
rows of the ``logs`` table with ``source`` = ``pf9``, ``service`` from the file name
(``hostagent*`` -> pf9-hostagent, ``comms*`` -> pf9-comms, ``ostackhost`` -> nova-compute,
else the file's stem) and times converted from host local time like oslo.log.
"""  # noqa: E501 - real log lines are long

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

import pandas as pd

from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers import logframe, loglines, logtime, oslo_log, service_names
from analyzer.parsers.base import ParseResult, ParserSpec
from analyzer.parsers.batch import Batch

PYLOG_LINE = (
    r"^(?P<ts>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?)\s+-\s+"
    r"(?:(?P<logger>\S+)(?:\s+-)?\s+)?"
    r"(?P<level>TRACE|DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)"
    r"(?:\s+-|:)?(?:\s(?P<message>.*))?$"
)
"""Python logging: ``<asctime> - <name> - <levelname> - <message>`` and close variants."""

_SNIFF_LINE = re.compile(PYLOG_LINE)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def file_service(path: str) -> str:
    """Service of a pf9 log from its path; the file's stem when the name is not known."""
    known = service_names.service_from_path(path)
    if known:
        return known
    stem = re.sub(r"\.(?:log|txt|out)(?:\.\d+)?$", "", posixpath.basename(path))
    return stem or "pf9"


def parse_python_batch(
    batch: Batch, *, source: str = "pf9"
) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """Python-logging-shaped lines of every file of ``batch`` in one pass, rows in file
    order; other lines fold into the record before them."""
    fields = loglines.extract(batch.text, PYLOG_LINE)
    starts = fields["matched"].to_numpy(dtype=bool)
    problems = logframe.no_lines_problems(batch, starts, "log")
    if not starts.any():
        return logframe.empty_logs(), problems
    positions, detail = loglines.fold(starts, batch.text, batch.file)
    rec = fields.iloc[positions].reset_index(drop=True)
    stamps = rec["ts"].str.replace("T", " ", regex=False)
    timestamps = logtime.parse_local(stamps, batch.offsets(positions), TIME_FORMAT)
    return logframe.batch_logs(
        batch,
        positions,
        rec,
        timestamps,
        problems,
        source=source,
        service=batch.per_file(lambda f: f.service or file_service(f.path), positions),
        message=rec["message"].fillna(""),
        detail=detail,
    )


def parse_pf9_lines(
    lines: Iterable[str] | pd.Series,
    ctx: SourceContext,
    *,
    file: str | None = None,
    source: str = "pf9",
    service: str | None = None,
) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """oslo.log when most recognised lines are oslo-shaped, else the Python-logging shape."""
    return parse_pf9_batch(loglines.one_batch(lines, ctx, file, service), source=source)


def parse_pf9_batch(
    batch: Batch, *, source: str = "pf9"
) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """``parse_pf9_lines`` of every file of ``batch``: each file's shape decided on its own."""
    batch = batch.with_services([f.service or file_service(f.path) for f in batch.files])
    oslo = batch.counts(loglines.matches(batch.text, oslo_log.OSLO_LINE))
    python = batch.counts(loglines.matches(batch.text, PYLOG_LINE))
    is_oslo = (oslo > 0) & (oslo >= python)
    frames: list[pd.DataFrame] = []
    problems: list[BundleProblem] = []
    if is_oslo.any():
        frame, found = oslo_log.parse_oslo_batch(batch.subset(is_oslo), source=source)
        frames.append(frame)
        problems += found
    if not is_oslo.all():
        frame, found = parse_python_batch(batch.subset(~is_oslo), source=source)
        frames.append(frame)
        problems += found
    frame, problems, _file = batch.in_file_order(frames, problems)
    return frame, problems


def sniff(head: str) -> bool:
    """Python-logging ``<time> - <name> - LEVEL - <message>`` lines (oslo is oslo_log's)."""
    return any(_SNIFF_LINE.match(line.rstrip("\r")) is not None for line in head.split("\n")[:200])


def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
    return logframe.guarded(src, lambda lines: parse_pf9_lines(lines, ctx, file=src.path), ctx)


SPEC = ParserSpec(
    kind="pf9_log",
    tables=("logs",),
    paths=(
        "hosts/*/*.log",
        "hosts/*/*.log.[0-9]*",
        "*/hosts/*/*.log",  # nested bundle
        "*/hosts/*/*.log.[0-9]*",
    ),
    sniff=sniff,
    parse=parse,
    parse_batch=lambda items: logframe.guarded_batch(items, parse_pf9_batch),
)
