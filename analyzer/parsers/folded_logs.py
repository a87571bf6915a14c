"""Folded logs (``analyzer.fold``) back into tables: ``log_counts`` rows on UTC, and the
rows parsed from the kept lines renumbered to their lines in the file."""

from __future__ import annotations

from collections.abc import Sequence

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
