"""Shared helpers of the log parsers: reading lines, one-regex extraction, UTC times, folding.

Every log parser works on a whole file at once: the text is split into a pandas Series of
lines (position ``i`` is line ``i + 1`` of the file), one compiled regex extracts the fields
of every line in a single vectorised pass (RE2 through pyarrow, so patterns must avoid
look-arounds and back-references), and multi-line records are folded with a cumulative sum
over a boolean "a record starts here" mask. Nothing here loops over lines in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from pandas.api.extensions import ExtensionDtype
from pandas.api.types import pandas_dtype

from analyzer.fold import Folded, FoldFormat
from analyzer.frames import TS
from analyzer.model import BundleProblem, Clock, SourceContext, SourceFile
from analyzer.parsers.base import BatchItem, ParseResult, fail_forward
from analyzer.parsers.batch import Batch, LogFile, offsets_per_row, per_row

MAX_LINE_CHARS = 64 * 1024
"""Longer lines are cut to this many characters (a 50 MB line must not become a cell)."""

STRING = pd.StringDtype("pyarrow")
_TS_DTYPE = pandas_dtype(TS)
TS_UTC = _TS_DTYPE if isinstance(_TS_DTYPE, pd.DatetimeTZDtype) else pd.DatetimeTZDtype(tz="UTC")
"""The timestamp dtype of SCHEMAS (analyzer.frames.TS), so conform() never has to shift it."""
INT = pd.Int64Dtype()

# What the unit can hold, with a day's margin for the offset shift.
_TS_MIN, _TS_MAX = (
    (pd.Timestamp("1677-09-23", tz="UTC"), pd.Timestamp("2262-04-10", tz="UTC"))
    if TS_UTC.unit == "ns"
    else (pd.Timestamp("0001-01-02", tz="UTC"), pd.Timestamp("9999-12-30", tz="UTC"))
)
_BEYOND_MICROSECONDS = r"(\.\d{6})\d+"

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


# --------------------------------------------------------------------------- reading


def read_lines(src: SourceFile) -> tuple[pd.Series, list[BundleProblem]]:
    """Decode a source file and split it into lines; problems for what had to be repaired."""
    problems: list[BundleProblem] = []
    try:
        text = src.data.decode("utf-8")
    except UnicodeDecodeError:
        text = src.data.decode("utf-8", errors="replace")
        problems.append(
            BundleProblem(
                src.path,
                "not valid UTF-8: undecodable bytes were replaced by U+FFFD",
                "nothing (the rest of the text was read)",
            )
        )
    if "\x00" in text:
        nuls = text.count("\x00")
        text = text.replace("\x00", "")
        problems.append(
            BundleProblem(src.path, f"{nuls} NUL bytes in a text log (damaged file?)", "NUL bytes")
        )
    lines = split_lines(text)
    lines, cut = cap_lines(lines)
    if cut:
        problems.append(
            BundleProblem(
                src.path,
                f"{cut} line(s) longer than {MAX_LINE_CHARS} characters",
                "the text beyond that length",
            )
        )
    return lines, problems


def split_lines(text: str) -> pd.Series:
    """Split on ``\\n`` only (line numbers match ``wc -l``/editors), trailing ``\\r`` removed."""
    if not text:
        return pd.Series([], dtype=STRING)
    arr = pc.split_pattern(pa.array([text], type=pa.large_string()), "\n").flatten()
    if text.endswith("\n"):
        arr = arr.slice(0, len(arr) - 1)
    if "\r" in text:
        arr = pc.utf8_rtrim(arr, characters="\r")
    return _series(arr)


def as_lines(lines: Iterable[str] | pd.Series) -> pd.Series:
    """Any list/Series of lines as a positional Series of pyarrow strings (NA becomes "")."""
    series = lines if isinstance(lines, pd.Series) else pd.Series(list(lines), dtype=object)
    return series.astype(STRING).fillna("").reset_index(drop=True)


def one_batch(
    lines: Iterable[str] | pd.Series,
    ctx: SourceContext,
    file: str | None,
    service: str | None = None,
) -> Batch:
    """The lines of one file as a batch; ``file`` is its path, the context's when None."""
    return Batch.one(as_lines(lines), ctx, file if file is not None else ctx.path, service)


def cap_lines(lines: pd.Series) -> tuple[pd.Series, int]:
    """Cut over-long lines to MAX_LINE_CHARS; returns the lines and how many were cut."""
    if lines.empty:
        return lines, 0
    long = (lines.str.len() > MAX_LINE_CHARS).fillna(False).to_numpy(dtype=bool)
    count = int(long.sum())
    if count:
        lines = lines.copy()
        lines[long] = lines[long].str.slice(0, MAX_LINE_CHARS)
    return lines, count


def _series(arr: object) -> pd.Series:
    """A pyarrow (chunked) string array as a pandas Series of pyarrow strings."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    arr = pc.cast(arr, pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def _arrow(lines: pd.Series) -> object:
    return pa.array(lines.astype(STRING).array, type=pa.large_string())


def arrow_strings(lines: pd.Series) -> object:
    """The Series as one pyarrow large_string array (for pyarrow.compute)."""
    arr = _arrow(lines)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def strings(arr: object) -> pd.Series:
    """A pyarrow string array as a positional Series of pyarrow strings."""
    return _series(arr)


# --------------------------------------------------------------------------- extraction


def extract(lines: pd.Series, pattern: str) -> pd.DataFrame:
    """Match ``pattern`` (named groups, RE2 syntax) against every line in one pass.

    Returns one column per named group (<NA> where the group did not match or matched
    nothing) plus a boolean ``matched`` column. The index is positional like ``lines``.
    """
    names = list(re.compile(pattern).groupindex)
    if lines.empty:
        frame = pd.DataFrame({name: pd.Series([], dtype=STRING) for name in names})
        frame["matched"] = pd.Series([], dtype=bool)
        return frame
    result = pc.extract_regex(_arrow(lines), pattern)
    fields = result.flatten()
    frame = pd.DataFrame(
        {
            name: _series(pc.if_else(pc.equal(f, ""), None, f))
            for name, f in zip(names, fields, strict=True)
        }
    )
    frame["matched"] = pc.is_valid(result).to_numpy(zero_copy_only=False)
    frame.index = lines.index
    return frame


def extract_head(lines: pd.Series, head: str, rest: str) -> pd.DataFrame:
    """Like ``extract(lines, head + "(?P<rest>.*)$")``, about ten times faster.

    A capture group that runs to the end of a long line makes RE2 leave its fast engines;
    so ``head`` (named groups, anchored with ``^``) is extracted alone and the text after
    its match is what is left once the match is replaced by nothing. The ``rest`` column
    is <NA> where the line did not match or nothing follows the head.
    """
    frame = extract(lines, head)
    if lines.empty:
        frame[rest] = pd.Series([], dtype=STRING)
        return frame
    after = pc.replace_substring_regex(_arrow(lines), head, "", max_replacements=1)
    keep = pc.and_(pa.array(frame["matched"].to_numpy(dtype=bool)), pc.not_equal(after, ""))
    column = _series(pc.if_else(keep, after, None))
    column.index = lines.index
    frame[rest] = column
    return frame


def matches(lines: pd.Series, pattern: str) -> np.ndarray:
    """Boolean array: the line matches ``pattern`` (searched, so anchor it with ``^``)."""
    if lines.empty:
        return np.zeros(0, dtype=bool)
    found = pc.match_substring_regex(_arrow(lines), pattern)
    return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)


def non_empty(values: pd.Series) -> np.ndarray:
    """Boolean array: the value is present and not the empty string."""
    return (values.fillna("") != "").to_numpy(dtype=bool)


# --------------------------------------------------------------------------- time


def parse_local(stamps: pd.Series, offset: timedelta | np.ndarray | None, fmt: str) -> pd.Series:
    """Zone-less local times to UTC: UTC = local - offset (None: the text is taken as UTC).

    ``offset`` may also be an array, one offset per stamp (a batch of files,
    ``analyzer.parsers.batch``). ``fmt`` is tried first (fast path); what it cannot read is
    retried as ISO 8601. Values that cannot be read or that TS_UTC cannot hold become NaT.
    """
    utc = _to_datetime(stamps, fmt, utc=False)
    if isinstance(offset, np.ndarray):
        utc = utc - pd.to_timedelta(offset)
    elif offset is not None:
        utc = utc - pd.Timedelta(offset)
    return utc.astype(TS_UTC)


def parse_zoned(stamps: pd.Series, fmt: str = "ISO8601") -> pd.Series:
    """Timestamps carrying their own zone (``+01:00``, ``Z``) to UTC; unreadable -> NaT."""
    return _to_datetime(stamps, fmt, utc=True).astype(TS_UTC)


def clock_of(ctx: SourceContext) -> Clock:
    return Clock.LOCAL_OFFSET if ctx.utc_offset is not None else Clock.LOCAL_ASSUMED_UTC


def _to_datetime(stamps: pd.Series, fmt: str, utc: bool) -> pd.Series:
    """Parse to TS_UTC (naive text is labelled UTC as is); NaT when unreadable.

    Fractions beyond microseconds (kubectl's nanoseconds) are cut so one resolution holds
    every value and far years stay readable.
    """
    text = stamps.astype(STRING).str.replace(",", ".", regex=False)
    text = text.str.replace(_BEYOND_MICROSECONDS, r"\1", regex=True)
    parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=utc)
    retry = (parsed.isna() & text.notna()).to_numpy(dtype=bool)
    if fmt != "ISO8601" and retry.any():
        again = pd.to_datetime(text[retry], format="ISO8601", errors="coerce", utc=utc)
        parsed = parsed.copy()
        parsed[retry] = again
    if not utc:
        parsed = parsed.dt.tz_localize("UTC")
    return parsed.where((parsed >= _TS_MIN) & (parsed <= _TS_MAX)).astype(TS_UTC)


BAD_TIME = "with an unreadable or out-of-range timestamp"


def bad_time_problem(file: str, timestamps: pd.Series) -> list[BundleProblem]:
    missing = int(timestamps.isna().sum())
    return [_bad_time(file, missing)] if missing else []


def bad_time_problems(
    batch: Batch, files: np.ndarray, timestamps: pd.Series
) -> list[BundleProblem]:
    """``bad_time_problem`` per file of a batch; ``files``: the file of each record."""
    unread = files[timestamps.isna().to_numpy(dtype=bool)]
    missing = np.bincount(unread, minlength=len(batch.files))
    return batch.problems(missing, lambda f, n: _bad_time(f.path, n))


def _bad_time(file: str, missing: int) -> BundleProblem:
    return BundleProblem(
        file, f"{missing} record(s) {BAD_TIME}", "their timestamp (the records are kept)"
    )


# --------------------------------------------------------------------------- folding


def fold(
    starts: np.ndarray, cont_text: pd.Series, files: np.ndarray | None = None
) -> tuple[np.ndarray, pd.Series]:
    """Fold continuation lines into the record they follow.

    ``starts``: boolean per line, True where a record starts. ``cont_text``: what each line
    contributes when it is a continuation (empty/<NA> contributes nothing). Lines before
    the first record belong to no record and are dropped; with ``files`` (the file of each
    line, ``Batch.file``), so are the lines before the first record of each file.

    Returns the positions of the record starts and, aligned with them, the ``detail`` of
    each record: its continuation lines joined with ``\\n`` (<NA> when there are none).
    """
    starts = np.asarray(starts, dtype=bool)
    positions = np.flatnonzero(starts)
    group = np.cumsum(starts)
    continues = ~starts & (group > 0) & non_empty(cont_text)
    if files is not None and positions.size:
        continues[continues] = files[continues] == files[positions[group[continues] - 1]]
    cont = np.flatnonzero(continues)
    if not cont.size:
        return positions, pd.Series([pd.NA] * len(positions), dtype=STRING)
    # Continuation rows are already ordered by record: one list per record, joined in C.
    cont_group = group[cont]
    offsets = np.concatenate(([0], np.flatnonzero(np.diff(cont_group)) + 1, [cont.size]))
    lists = pa.LargeListArray.from_arrays(
        pa.array(offsets, type=pa.int64()), _arrow(cont_text.iloc[cont])
    )
    joined = pc.binary_join(lists, pa.scalar("\n", type=pa.large_string()))
    take = np.full(len(positions), -1, dtype=np.int64)
    take[cont_group[offsets[:-1]] - 1] = np.arange(len(offsets) - 1)
    return positions, _series(pc.take(joined, pa.array(take, mask=take < 0)))


def same_as_previous(values: pd.Series) -> np.ndarray:
    """Boolean array: the value equals the one on the previous line (never for NA)."""
    eq = values.eq(values.shift(1)).fillna(False)
    return eq.to_numpy(dtype=bool)


# --------------------------------------------------------------------------- levels, services


def normalise_level(levels: pd.Series) -> pd.Series:
    """DEBUG INFO WARNING ERROR CRITICAL from any spelling (``warn``, ``noti``, ``erro``...)."""
    upper = levels.astype(STRING).str.upper()
    return upper.map(LEVELS, na_action="ignore").astype(STRING)


_SERVICE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("ostackhost", "nova-compute"),
    ("pf9-ostackhost", "nova-compute"),
    ("nova-compute", "nova-compute"),
    ("nova-conductor", "nova-conductor"),
    ("nova-scheduler", "nova-scheduler"),
    ("nova-api", "nova-api"),
    ("nova-novncproxy", "nova-novncproxy"),
    ("nova-serialproxy", "nova-serialproxy"),
    ("placement", "placement"),
    ("rabbitmq", "rabbitmq"),
    ("rabbit", "rabbitmq"),
    ("broker", "rabbitmq"),
    ("hostagent", "pf9-hostagent"),
    ("pf9-hostagent", "pf9-hostagent"),
    ("comms", "pf9-comms"),
    ("pf9-comms", "pf9-comms"),
)

_LOGGER_SERVICES: tuple[tuple[str, str], ...] = (
    ("nova.conductor", "nova-conductor"),
    ("nova.scheduler", "nova-scheduler"),
    ("nova.api", "nova-api"),
    ("nova.compute", "nova-compute"),
    ("nova.virt", "nova-compute"),
)


def service_from_name(name: str) -> str | None:
    """Service a file or pod name stands for (``nova-conductor-7d9f...`` -> nova-conductor)."""
    lowered = name.lower()
    for prefix, service in _SERVICE_PREFIXES:
        if lowered.startswith(prefix):
            return service
    return None


def service_from_path(path: str) -> str | None:
    """Service from the file name, else from the folders (not the host folder of hosts/<h>/)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    candidates = [parts[-1]]
    for i in range(len(parts) - 2, -1, -1):
        if i > 0 and parts[i - 1] == "hosts":
            continue
        candidates.append(parts[i])
    for name in candidates:
        found = service_from_name(name)
        if found:
            return found
    return None


def service_from_logger(loggers: pd.Series) -> pd.Series:
    """Per-record service guessed from the logger name (nova.conductor.manager -> ...)."""
    out = pd.Series(pd.NA, index=loggers.index, dtype=STRING)
    text = loggers.astype(STRING).fillna("")
    for prefix, service in _LOGGER_SERVICES:
        hit = text.str.startswith(prefix).to_numpy(dtype=bool) & out.isna().to_numpy(dtype=bool)
        out[hit] = service
    return out


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
            data[col] = value.reset_index(drop=True).astype(dtype)
        elif value is None:
            data[col] = pd.Series([pd.NA] * n, dtype=dtype)
        else:
            data[col] = pd.Series([value] * n, dtype=dtype)
    return pd.DataFrame(data)


_DTYPES: dict[str, ExtensionDtype] = {"timestamp": TS_UTC, "pid": INT, "line": INT}


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


def no_lines_problem(file: str, what: str) -> BundleProblem:
    return BundleProblem(file, f"no {what} lines recognised", "this file")


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


def guarded(src: SourceFile, parse_lines: LinesParser) -> ParseResult:
    """Read a log file and run a lines parser on it; never raises (fail forward)."""

    def fill(result: ParseResult) -> None:
        lines, problems = read_lines(src)
        result.problems.extend(problems)
        frame, more = parse_lines(lines)
        result.problems.extend(more)
        result.add("logs", frame)

    return fail_forward(src, "log", fill)


def guarded_batch(items: Sequence[BatchItem], parse: BatchParser) -> ParseResult:
    """``guarded`` for several files of one format, parsed in one pass (``Batch``).

    Unlike ``guarded`` it raises on a parser bug: the caller then parses the files one by
    one, so one odd file costs only itself.
    """
    result = ParseResult()
    files: list[LogFile] = []
    for src, ctx, numbers in items:
        lines, problems = read_lines(src)
        result.problems.extend(problems)
        files.append(LogFile(src.path, ctx, lines, numbers))
    frame, more = parse(Batch(files))
    result.problems.extend(more)
    result.add("logs", frame)
    return result


# --------------------------------------------------------------------------- folded logs


def folded_counts(folded: Folded, fmt: FoldFormat, ctx: SourceContext) -> pd.DataFrame:
    """The counts of a folded log as ``log_counts`` rows, on UTC.

    A stamp with a zone (RabbitMQ 3.9+) is read as is, one without by the file's clock
    rule. The minute is that of the first record counted in it, on UTC (zones are whole
    minutes, so it is the written minute moved by the zone).
    """
    return folded_counts_of([(folded, ctx)], fmt)


def folded_counts_of(logs: Sequence[tuple[Folded, SourceContext]], fmt: FoldFormat) -> pd.DataFrame:
    """``folded_counts`` of several logs of one format in one pass, rows in their order."""
    logs = [(folded, ctx) for folded, ctx in logs if len(folded.counts)]
    if not logs:
        return pd.DataFrame()
    counts = pa.concat_tables([folded.counts for folded, _ in logs])
    index = np.repeat(np.arange(len(logs)), [len(folded.counts) for folded, _ in logs])
    contexts = [ctx for _, ctx in logs]
    offset = offsets_per_row(contexts, index)

    def text(column: str) -> pd.Series:
        return _series(pc.cast(counts[column].combine_chunks(), pa.large_string()))

    time_only = "^(?P<t>" + fmt.time.removeprefix("^") + ")"
    zoned = np.zeros(len(counts), dtype=bool)

    def times(column: str) -> pd.Series:
        stamps = extract(text(column), time_only)["t"]
        has_zone = stamps.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
        has_zone_np = has_zone.fillna(False).to_numpy(dtype=bool)
        if not has_zone_np.any():
            return parse_local(stamps, offset, fmt.time_format)
        zoned[has_zone_np] = True
        out = pd.Series(pd.NaT, index=stamps.index, dtype=TS_UTC)
        out[has_zone_np] = parse_zoned(stamps[has_zone_np])
        local = ~has_zone_np
        if local.any():
            mine = offset[local] if isinstance(offset, np.ndarray) else offset
            out[local] = parse_local(stamps[local], mine, fmt.time_format)
        return out

    first, last = times("first"), times("last")
    clock = per_row([clock_of(ctx) for ctx in contexts], index)
    clock.index = first.index
    return pd.DataFrame(
        {
            "minute": first.dt.floor("min"),
            "source": fmt.source,
            "service": per_row(
                [fmt.service or service_from_path(ctx.path) for ctx in contexts], index
            ),
            "host": per_row([ctx.host for ctx in contexts], index),
            "level": text("level"),
            "records": pd.Series(counts["records"].to_numpy(), dtype=INT),
            "first": first,
            "last": last,
            "clock": clock.where(~pd.Series(zoned, index=first.index), Clock.ZONED),
            "file": per_row([ctx.path for ctx in contexts], index),
        }
    )


def renumber(frame: pd.DataFrame, folded: Folded) -> pd.DataFrame:
    """A parse of the kept lines with each row's ``line`` back at its line in the file."""
    if frame.empty or "line" not in frame.columns:
        return frame
    lines = frame["line"].to_numpy(dtype="float64", na_value=np.nan)
    valid = ~np.isnan(lines)
    original = np.full(len(lines), np.nan)
    original[valid] = folded.line_numbers[lines[valid].astype(np.int64) - 1]
    return frame.assign(line=pd.array(original, dtype="Float64").astype(INT))
