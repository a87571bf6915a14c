"""The ``logs`` table frame, built from what a log parser found in a batch of files.

Its columns, dtypes and level names are fixed here; ``batch_logs`` takes each record's
host, clock, file and line from the file it came from. ``guarded`` reads one file and runs
a lines parser on it without ever raising, ``guarded_batch`` several files in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from analyzer.frames import frame_of_columns, missing_column
from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers import line_prefix, service_names, terminal_wrap
from analyzer.parsers.base import BatchItem, ParseResult, fail_forward
from analyzer.parsers.batch import Batch, LogFile
from analyzer.parsers.loglines import STRING, read_lines
from analyzer.parsers.logtime import TS_UTC, bad_time_problems, clock_of

INT = pd.Int64Dtype()

LOGS_COLUMNS = (
    "timestamp",
    "source",
    "service",
    "host",
    "level",
    "logger",
    "pid",
    "request_id",
    "global_request_id",
    "instance",
    "message",
    "detail",
    "clock",
    "file",
    "line",
    "reported_at",
)

LEVELS = {
    "DEBUG": "DEBUG",
    "TRACE": "ERROR",
    "INFO": "INFO",
    "AUDIT": "INFO",
    "NOTICE": "INFO",
    "NOTI": "INFO",
    "WARNING": "WARNING",
    "WARN": "WARNING",
    "ERROR": "ERROR",
    "ERRO": "ERROR",
    "ERR": "ERROR",
    "CRITICAL": "CRITICAL",
    "CRIT": "CRITICAL",
    "FATAL": "CRITICAL",
    "ALERT": "CRITICAL",
    "EMERGENCY": "CRITICAL",
    "PANIC": "CRITICAL",
}


def normalise_level(levels: pd.Series) -> pd.Series:
    """DEBUG INFO WARNING ERROR CRITICAL from any spelling (``warn``, ``noti``, ``erro``...)."""
    # a log has a handful of distinct spellings: each is looked up once, then spread
    codes, spellings = pd.factorize(levels.astype(STRING).str.upper())
    names = np.array([*(LEVELS.get(str(s)) for s in spellings), None], dtype=object)
    return pd.Series(names[codes], index=levels.index, name=levels.name, dtype=STRING)


# --------------------------------------------------------------------------- frames


def logs_frame(columns: Mapping[str, pd.Series | str | int | None], n: int) -> pd.DataFrame:
    """A logs-table frame of ``n`` rows with every column of SCHEMAS['logs'].

    Series are taken positionally (their index is dropped), scalars are broadcast and
    missing columns are <NA>.
    """
    data: dict[str, pd.Series] = {}
    for col in LOGS_COLUMNS:
        value = columns.get(col)
        dtype = _DTYPES.get(col, STRING)
        if isinstance(value, pd.Series):
            data[col] = value.astype(dtype)  # (positional: frame_of_columns reads its array)
        elif value is None:
            data[col] = missing_column(dtype, n)
        else:  # a scalar, broadcast
            data[col] = pd.Series(value, index=range(n), dtype=dtype)
    return frame_of_columns(data, n)


_DTYPES: dict[str, ExtensionDtype] = {
    "timestamp": TS_UTC,
    "pid": INT,
    "line": INT,
    "reported_at": TS_UTC,
}


def batch_logs(
    batch: Batch,
    positions: np.ndarray,
    rec: pd.DataFrame,
    timestamps: pd.Series,
    problems: list[BundleProblem],
    **columns: pd.Series | str | None,
) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """The logs rows of a batch's records, and ``problems`` with the bad-time ones added.

    ``positions``: the line of each record in the batch; ``rec``: its fields (``level``,
    ``logger``); ``columns``: what the format says itself (source, service, message...).
    Host, clock, file and line come from each record's file.
    """
    frame = logs_frame(
        {
            "timestamp": timestamps,
            "host": batch.per_file(lambda f: f.ctx.host, positions),
            "level": normalise_level(rec["level"]),
            "logger": rec["logger"],
            "clock": batch.per_file(lambda f: clock_of(f.ctx), positions),
            "file": batch.per_file(lambda f: f.path, positions),
            "line": pd.Series(batch.line[positions], dtype=INT),
            **columns,
        },
        len(positions),
    )
    return frame, problems + bad_time_problems(batch, batch.file[positions], timestamps)


def empty_logs() -> pd.DataFrame:
    return logs_frame({}, 0)


NO_LINES = "lines recognised"


def no_lines_problem(file: str, what: str) -> BundleProblem:
    return BundleProblem(file, f"no {what} {NO_LINES}", "this file")


def is_no_lines_problem(problem: BundleProblem) -> bool:
    """``problem`` is a ``no_lines_problem`` (a file in which a parser found nothing)."""
    return problem.problem.startswith("no ") and problem.problem.endswith(f" {NO_LINES}")


def no_lines_problems(batch: Batch, matched: np.ndarray, what: str) -> list[BundleProblem]:
    """``no_lines_problem`` for each file of the batch with no ``matched`` line but text."""
    missing = batch.counts(matched) == 0
    if not missing.any():
        return []
    text = batch.text.str.contains(r"\S", regex=True).fillna(False).to_numpy(dtype=bool)
    lost = missing & (batch.counts(text) > 0)
    return batch.problems(lost, lambda f, _n: no_lines_problem(f.path, what))


def is_blank(lines: pd.Series) -> bool:
    """True when no line holds anything but whitespace."""
    if lines.empty:
        return True
    return not bool(lines.str.contains(r"\S", regex=True).fillna(False).any())


LinesParser = Callable[[pd.Series], tuple[pd.DataFrame, list[BundleProblem]]]
BatchParser = Callable[[Batch], tuple[pd.DataFrame, list[BundleProblem]]]


def guarded(
    src: SourceFile, parse_lines: LinesParser, ctx: SourceContext | None = None
) -> ParseResult:
    """Read a log file and run a lines parser on it; never raises (fail forward).

    With ``ctx``, a terminal's wrapping is undone (``terminal_wrap``) and the collector's
    prefix of its lines (journald, docker, compose: ``line_prefix``) is cut first: the
    parser reads the program's own lines.
    """

    def fill(result: ParseResult) -> None:
        lines, problems = read_lines(src)
        result.problems.extend(problems)
        if ctx is not None and src.folded is None:
            lines = terminal_wrap.unwrapped(lines)
        cut = line_prefix.strip(lines, ctx)  # kept lines of a folded log too
        frame, more = parse_lines(cut.lines)
        result.problems.extend(more)
        if cut.kind is not None and not frame.empty:
            rows = frame["line"].to_numpy(dtype=np.int64) - 1
            frame = with_prefix(frame, cut, rows)
        result.add("logs", frame)

    return fail_forward(src, "log", fill)


def guarded_batch(
    items: Sequence[BatchItem], parse: BatchParser, *, prefixes: bool = True
) -> ParseResult:
    """``guarded`` for several files of one format, parsed in one pass (``Batch``); each
    file's collector prefix is cut first unless ``prefixes`` is False.

    Unlike ``guarded`` it raises on a parser bug: the caller then parses the files one by
    one, so one odd file costs only itself.
    """
    result = ParseResult()
    files: list[LogFile] = []
    cuts: list[line_prefix.Stripped] = []
    for src, ctx, numbers in items:
        lines, problems = read_lines(src)
        result.problems.extend(problems)
        if prefixes and numbers is None:
            lines = terminal_wrap.unwrapped(lines)
        cut = line_prefix.strip(lines, ctx if prefixes else None)
        cuts.append(cut)
        files.append(LogFile(src.path, ctx, cut.lines, numbers))
    batch = Batch(files)
    frame, more = parse(batch)
    result.problems.extend(more)
    if not frame.empty and any(cut.kind is not None for cut in cuts):
        frame = with_prefix(frame, line_prefix.joined(cuts), batch.positions(frame))
    result.add("logs", frame)
    return result


def with_prefix(frame: pd.DataFrame, cut: line_prefix.Stripped, rows: np.ndarray) -> pd.DataFrame:
    """The records with the collector's stamp of their first line (``reported_at``) and,
    where the file's path (or the logger) named none, the host and service the journal
    names."""
    frame = frame.copy()
    stamps = cut.reported_at.iloc[rows].astype(TS_UTC)
    named = cut.host.iloc[rows].astype(STRING)
    program = (
        cut.program.iloc[rows]
        .astype(STRING)
        .map(service_names.service_from_name, na_action="ignore")
    )
    stamps.index = named.index = program.index = frame.index
    frame["reported_at"] = stamps
    frame["host"] = frame["host"].astype(STRING).fillna(named)
    frame["service"] = frame["service"].astype(STRING).fillna(program.astype(STRING))
    return frame
