"""Folded logs (``analyzer.fold``) back into tables: ``log_counts`` rows on UTC, and the
rows parsed from the kept lines renumbered to their lines in the file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from analyzer.fold import Folded, FoldFormat
from analyzer.model import Clock, SourceContext
from analyzer.parsers.batch import offsets_per_row, per_row
from analyzer.parsers.logframe import INT
from analyzer.parsers.loglines import extract, strings
from analyzer.parsers.logtime import TS_UTC, clock_of, parse_local, parse_zoned
from analyzer.parsers.service_names import service_from_path


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
        return strings(pc.cast(counts[column].combine_chunks(), pa.large_string()))

    zoned = np.zeros(len(counts), dtype=bool)

    def times(column: str) -> pd.Series:
        return _stamp_times(text(column), fmt, offset, zoned)

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


def _stamp_times(
    stamps: pd.Series,
    fmt: FoldFormat,
    offset: timedelta | np.ndarray | None,
    zoned: np.ndarray,
) -> pd.Series:
    """The times of stamps as a fold keeps them, on UTC: a zoned one as is (``zoned`` set
    for its row), one without a zone by the file's clock rule (``offset``)."""
    time_only = "^(?P<t>" + fmt.time.removeprefix("^") + ")"
    found = extract(stamps, time_only)["t"]
    has_zone = found.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    has_zone_np = has_zone.fillna(False).to_numpy(dtype=bool)
    if not has_zone_np.any():
        return parse_local(found, offset, fmt.time_format)
    zoned[has_zone_np] = True
    out = pd.Series(pd.NaT, index=found.index, dtype=TS_UTC)
    out[has_zone_np] = parse_zoned(found[has_zone_np])
    local = ~has_zone_np
    if local.any():
        mine = offset[local] if isinstance(offset, np.ndarray) else offset
        out[local] = parse_local(found[local], mine, fmt.time_format)
    return out


def folded_templates_of(
    logs: Sequence[tuple[Folded, SourceContext]], fmt: FoldFormat
) -> pd.DataFrame:
    """The sampled templates of several folded logs of one format as ``log_templates``
    rows (``analyzer.fold_templates``), times on UTC, rows in the logs' order."""
    tables = [(folded.templates.table(), folded.templates.every, ctx) for folded, ctx in logs]
    tables = [(table, every, ctx) for table, every, ctx in tables if len(table)]
    if not tables:
        return pd.DataFrame()
    rows = pa.concat_tables([table for table, _, _ in tables])
    index = np.repeat(np.arange(len(tables)), [len(table) for table, _, _ in tables])
    contexts = [ctx for _, _, ctx in tables]
    offset = offsets_per_row(contexts, index)
    zoned = np.zeros(len(rows), dtype=bool)

    def text(column: str) -> pd.Series:
        as_text = pc.cast(rows[column].combine_chunks(), pa.large_string(), safe=False)
        return strings(as_text)

    return pd.DataFrame(
        {
            "source": fmt.source,
            "service": per_row(
                [fmt.service or service_from_path(ctx.path) for ctx in contexts], index
            ),
            "host": per_row([ctx.host for ctx in contexts], index),
            "file": per_row([ctx.path for ctx in contexts], index),
            "level": text("level"),
            "template": _decoded(rows["template"]),
            "sampled": pd.Series(rows["sampled"].to_numpy(), dtype=INT),
            "sample_every": pd.Series(
                np.repeat([every for _, every, _ in tables], [len(t) for t, _, _ in tables]),
                dtype=INT,
            ),
            "first": _stamp_times(_decoded(rows["first"]), fmt, offset, zoned),
            "last": _stamp_times(_decoded(rows["last"]), fmt, offset, zoned),
            "first_line": pd.Series(rows["first_line"].to_numpy(), dtype=INT),
            "last_line": pd.Series(rows["last_line"].to_numpy(), dtype=INT),
            "example": _decoded(rows["example"]),
        }
    )


def _decoded(column: pa.ChunkedArray) -> pd.Series:
    """Bytes as text, invalid UTF-8 replaced as the parsers read a log's lines."""
    values = [v.decode("utf-8", errors="replace") for v in column.to_pylist()]
    return pd.Series(values, dtype="string[pyarrow]")


def renumber(frame: pd.DataFrame, folded: Folded) -> pd.DataFrame:
    """A parse of the kept lines with each row's ``line`` back at its line in the file."""
    if frame.empty or "line" not in frame.columns:
        return frame
    lines = frame["line"].to_numpy(dtype="float64", na_value=np.nan)
    valid = ~np.isnan(lines)
    original = np.full(len(lines), np.nan)
    original[valid] = folded.line_numbers[lines[valid].astype(np.int64) - 1]
    return frame.assign(line=pd.array(original, dtype="Float64").astype(INT))
