"""oslo.log files: nova-compute (``ostackhost.log``), nova-conductor, nova-scheduler, nova-api.

Input (``hosts/<host>/ostackhost.log``; local time of the host, no zone; PID optional)::

    2026-03-02 09:13:40.118 2817 INFO nova.compute.manager [req-5e0a9c2d-1f3b-4c6d-8e7f-0a1b2c3d4e5f admin admin - - -] [instance: 6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13] Attaching volume
    2026-03-02 09:14:02.004 2817 ERROR oslo.messaging._drivers.impl_rabbit [-] [5c1d2e3f-0a9b-4c8d-b7e6-f5a4b3c2d1e0] AMQP server on broker.pcd.svc.cluster.local:5672 is unreachable: timed out. Trying again in 1 seconds.
    2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager [None req-3b1c7e0a-5d52-4f0e-9c7b-2a8d0f61e4b9 - - - - - -] [instance: 6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13] Build failed: oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1
    2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager Traceback (most recent call last):
    2026-03-02 09:14:07.331 2817 ERROR nova.compute.manager   File "/opt/pf9/venv/lib/python3.9/site-packages/oslo_messaging/_drivers/amqpdriver.py", line 441, in get

Output: rows of the ``logs`` table, one per record. The three ERROR lines above are one
record: ``message`` is the text after the context and the ``[instance: ...]`` block of
the first line, ``detail`` holds the traceback lines (text after the prefix) joined with
newlines, ``instance`` the instance UUID, ``request_id`` the ``req-<uuid>`` of the context
(``global_request_id`` the first of two). A line continues the previous record when it
has no context block and either repeats the previous line's prefix or has level
``TRACE`` (older releases); a line with no prefix at all (raw stdout) continues too.
Times are converted to UTC with the host's offset (``clock`` = ``local-offset``, or
``local-assumed-utc`` when the offset is unknown).
"""  # noqa: E501 - real log lines are long

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from analyzer.fold import FoldFormat
from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers import logframe, loglines, logtime, service_names
from analyzer.parsers.base import ParseResult, ParserSpec
from analyzer.parsers.batch import Batch

OSLO_HEAD = (
    r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d{1,9})?) "
    r"(?:(?P<pid>\d{1,9}) )?"
    r"(?P<level>TRACE|DEBUG|INFO|AUDIT|WARNING|WARN|ERROR|CRITICAL|FATAL) "
    r"(?P<logger>\S+)(?: |$)"
)
"""The prefix of an oslo.log line (time, optional PID, level, logger) and its space."""
OSLO_LINE = OSLO_HEAD[: -len("(?: |$)")] + r"(?: (?P<rest>.*))?$"
"""One oslo.log line: prefix and the rest (parsing uses OSLO_HEAD: see loglines.extract_head)."""

_CTX = r"-|None|None [^\[\]]*|req-[^\[\]]*|[^\[\]]* - [^\[\]]*"
CONTEXT = r"^\[(?:" + _CTX + r")\](?: |$)"
"""The context block: ``[-]``, ``[req-... user project - - -]``, ``[None req-... ...]``."""

_INSTANCE = r"^\[instance: [0-9a-fA-F-]{36}\]"
_INSTANCE_START, _INSTANCE_END = len("[instance: "), len("[instance: ") + 36
_REQ = r"(?P<first>req-[0-9a-fA-F-]{36})(?: (?P<second>req-[0-9a-fA-F-]{36}))?"

_OPENSTACK_LOGGER = re.compile(
    r"(?:nova|oslo|oslo_\w+|keystone\w*|keystoneauth1|neutron\w*|cinder|glance\w*|placement"
    r"|os_\w+|novaclient|eventlet|amqp|kombu|pf9\w*|ostackhost)(?:[.\s]|$)"
)
_SNIFF_LINE = re.compile(OSLO_LINE)
_SNIFF_CONTEXT = re.compile(CONTEXT)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

_TIME = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d{1,9})?"
_PID = r" (?:\d{1,9} )?"
_FOLD_LEVELS = "TRACE|DEBUG|INFO|AUDIT|WARN|WARNING|ERROR|CRITICAL|FATAL"
FOLD = FoldFormat(
    level=_TIME + _PID + r"(?P<level>" + _FOLD_LEVELS + r") [^ ]",
    # the head the parser compares to tell a continuation: time, PID, level, logger
    head=r"^(?P<head>" + _TIME[1:] + _PID + r"(?:" + _FOLD_LEVELS + r") [^ ]+)(?: |$)",
    # TRACE lines continue the record before them (older releases' tracebacks)
    levels=frozenset({"DEBUG", "INFO", "AUDIT", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL"}),
    keep=frozenset({"TRACE", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL"}),
    debug=frozenset({"DEBUG"}),
    source="oslo",
    time=_TIME,
    time_format=TIME_FORMAT,
    lead=_TIME + _PID + r"(?:" + _FOLD_LEVELS + r") ",
)
"""How a large oslo.log file is read folded (analyzer.fold)."""


def parse_oslo_lines(
    lines: Iterable[str] | pd.Series,
    ctx: SourceContext,
    *,
    file: str | None = None,
    source: str = "oslo",
    service: str | None = None,
) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """Parse oslo.log lines (position ``i`` = line ``i + 1``) into logs-table rows.

    ``service`` overrides what the path says; without either, it is guessed per record from
    the logger (``nova.conductor...`` -> nova-conductor).
    """
    return parse_oslo_batch(loglines.one_batch(lines, ctx, file, service), source=source)


def parse_oslo_batch(
    batch: Batch, *, source: str = "oslo"
) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """``parse_oslo_lines`` of every file of ``batch`` in one pass, rows in file order."""
    text = batch.text
    fields = loglines.extract_head(text, OSLO_HEAD, "rest")
    prefixed = fields["matched"].to_numpy(dtype=bool)
    problems = logframe.no_lines_problems(batch, prefixed, "oslo.log")
    if not prefixed.any():
        return logframe.empty_logs(), problems

    rest = fields["rest"]
    # The context and instance blocks of every line, in one pass that also says which lines
    # open with a context block (the CONTEXT test): records are taken from it below.
    blocks = context_blocks(rest.fillna(""))
    has_ctx = prefixed & blocks["ctx"].notna().to_numpy(dtype=bool)
    key = (
        fields["ts"]
        + "|"
        + fields["pid"].fillna("")
        + "|"
        + fields["level"].fillna("")
        + "|"
        + fields["logger"].fillna("")
    )
    key = key.where(pd.Series(prefixed, index=key.index)).ffill()
    repeats = loglines.same_as_previous(key) & prefixed & batch.same_file_as_previous(prefixed)
    trace = (fields["level"] == "TRACE").fillna(False).to_numpy(dtype=bool)
    starts = prefixed & ~(~has_ctx & (repeats | trace))
    cont_text = rest.where(pd.Series(prefixed, index=rest.index), text)
    positions, detail = loglines.fold(starts, cont_text, batch.file)

    rec = fields.iloc[positions].reset_index(drop=True)
    parts = blocks.iloc[positions].reset_index(drop=True)
    reqs = loglines.extract(parts["ctx"].fillna(""), _REQ)
    two = reqs["second"].notna()
    request_id = reqs["second"].where(two, reqs["first"])
    global_request_id = reqs["first"].where(two)

    timestamps = logtime.parse_local(rec["ts"], batch.offsets(positions), TIME_FORMAT)
    service = batch.per_file(
        lambda f: f.service or service_names.service_from_path(f.path), positions
    )
    unnamed = service.isna()
    if bool(unnamed.any()):
        service = service.where(~unnamed, service_names.service_from_logger(rec["logger"]))
    return logframe.batch_logs(
        batch,
        positions,
        rec,
        timestamps,
        problems,
        source=source,
        service=service,
        pid=pd.to_numeric(rec["pid"], errors="coerce").astype(logframe.INT),
        request_id=request_id,
        global_request_id=global_request_id,
        instance=parts["instance"].str.lower(),
        message=parts["message"].fillna(""),
        detail=detail,
    )


def context_blocks(rest: pd.Series) -> pd.DataFrame:
    """``ctx``, ``instance`` and ``message`` of each line's text after the prefix.

    What one capturing regex gave (an optional ``[<context>]`` block followed by a space or
    the end, an optional ``[instance: <uuid>]`` block and an optional space, the message;
    empty parts <NA>), without its cost: RE2 answers "does it match" with its fast
    automaton, and the pieces are cut at known places (a context holds no bracket, so it
    ends at the first ``]``; an instance block has a fixed width). The capturing regex was
    the most expensive step of reading a log (tests/speed holds the two to each other).
    """
    arr = loglines.arrow_strings(rest)
    has_ctx = pc.match_substring_regex(arr, CONTEXT)
    pieces = pc.split_pattern(arr, "]", max_splits=1)
    ctx = pc.utf8_slice_codeunits(pc.list_element(pieces, 0), 1)
    after = pc.binary_join(pc.list_slice(pieces, 1, 2), pa.scalar("", type=pa.large_string()))
    after = pc.if_else(pc.starts_with(after, " "), pc.utf8_slice_codeunits(after, 1), after)
    text = pc.if_else(has_ctx, after, arr)
    has_vm = pc.match_substring_regex(text, _INSTANCE)
    instance = pc.utf8_slice_codeunits(text, _INSTANCE_START, _INSTANCE_END)
    message = pc.if_else(has_vm, pc.utf8_slice_codeunits(text, _INSTANCE_END + 1), text)
    spaced = pc.and_(has_vm, pc.starts_with(message, " "))
    message = pc.if_else(spaced, pc.utf8_slice_codeunits(message, 1), message)
    # the columns' arrays, positional, under the lines' index: no alignment of Series
    return pd.DataFrame(
        {
            "ctx": loglines.strings(pc.if_else(has_ctx, ctx, None)).array,
            "instance": loglines.strings(pc.if_else(has_vm, instance, None)).array,
            "message": loglines.strings(pc.if_else(pc.equal(message, ""), None, message)).array,
        },
        index=rest.index,
    )


def sniff(head: str) -> bool:
    """oslo.log prefix with a context block or an OpenStack logger name."""
    for line in head.split("\n")[:200]:
        m = _SNIFF_LINE.match(line.rstrip("\r"))
        if m is None:
            continue
        if _SNIFF_CONTEXT.match(m["rest"] or "") or _OPENSTACK_LOGGER.match(m["logger"]):
            return True
    return False


def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
    return logframe.guarded(src, lambda lines: parse_oslo_lines(lines, ctx, file=src.path), ctx)


SPEC = ParserSpec(
    kind="oslo_log",
    tables=("logs",),
    paths=(
        "hosts/*/ostackhost.log*",
        "hosts/*/nova-*.log*",
        "*/hosts/*/ostackhost.log*",  # a hypervisor bundle nested in the admin bundle
        "*/hosts/*/nova-*.log*",
    ),
    sniff=sniff,
    parse=parse,
    parse_batch=lambda items: logframe.guarded_batch(items, parse_oslo_batch),
    fold=FOLD,
)
