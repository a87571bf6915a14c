"""``analyze timeline BUNDLE...``: the merged, skew-corrected timeline of every source.

Thin, like every command: parse the options, call the library, map errors to one
``Error:`` line and exit status 2 (:mod:`analyzer.cli.common`). ``analyze BUNDLE...``
stays the report command; the first argument ``timeline`` selects this one
(:func:`analyzer.cli.main`; a bundle literally named ``timeline`` is given as
``./timeline``).
"""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from analyzer.cli.common import EXIT_OK, Bundles, error, reported_errors, write_errors

HELP = """Print the merged timeline of one or more bundles: every event of every source
(logs, servers, pods, Kubernetes events, services) on one UTC clock, each source's
estimated clock skew corrected, with its source, host or pod, severity, message family
and file:line.

--since/--until take ISO 8601 times (UTC unless they carry an offset). --grep keeps rows
whose message, host/pod or family contains the text (case-insensitive, not a pattern).
--format csv|parquet writes every column; parquet needs --out.

Logs of 512 KiB or more are read as the analysis reads them: records below WARNING that no
rule, message family or VM story uses are counted, not listed, and of routine results (a
build's "Took N seconds") a few per minute are listed (a note on stderr says how many
were not). --all-records lists them too (slower on large bundles); --grep implies it.

Exit status: 0 printed; 2 usage error or unreadable input.
"""


class TimelineFormat(StrEnum):
    table = "table"
    csv = "csv"
    parquet = "parquet"


def _when(value: str | None, option: str) -> pd.Timestamp | None:
    if value is None:
        return None
    if not re.match(r"\d{4}-\d\d-\d\d", value):  # a bare "09:07" would mean today
        raise error(f"{option}: not an ISO 8601 time with a date: {value!r}")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise error(f"{option}: not an ISO 8601 time: {value!r}") from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def timeline_command(
    bundles: Bundles,
    since: Annotated[str | None, typer.Option("--since", help="Keep rows from this time.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Keep rows up to this time.")] = None,
    grep: Annotated[
        str | None, typer.Option("--grep", help="Keep rows containing this text.")
    ] = None,
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", "-f", help="table, csv or parquet.")
    ] = TimelineFormat.table,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file, not stdout.")
    ] = None,
    all_records: Annotated[
        bool,
        typer.Option("--all-records", help="List routine records of large logs too."),
    ] = False,
) -> None:
    from analyzer.analysis import folded_records, read_bundles
    from analyzer.ingest import ingest
    from analyzer.timeline import build_timeline
    from analyzer.timeline.events import filter_events
    from analyzer.timeline.export import csv_text, table_text, write_parquet

    start, stop = _when(since, "--since"), _when(until, "--until")
    if fmt is TimelineFormat.parquet and out is None:
        raise error("--format parquet writes a binary file: give --out FILE")
    with reported_errors():
        fold = not (all_records or grep)
        frames, _inv = ingest(read_bundles(bundles, fold=fold), prefix_bundle=len(bundles) > 1)
        frame = filter_events(build_timeline(frames).frame, start, stop, grep)
    folded = folded_records(frames)
    if folded:
        sys.stderr.write(
            f"analyze: {folded:,} routine records of large logs are counted, not listed "
            "(--all-records lists them)\n"
        )
    with write_errors(out, "cannot write"):
        if fmt is TimelineFormat.parquet:
            assert out is not None
            write_parquet(frame, out)
        else:
            text = table_text(frame) if fmt is TimelineFormat.table else csv_text(frame)
            if out is None:
                sys.stdout.write(text)
            else:
                out.write_text(text, encoding="utf-8")
    raise typer.Exit(EXIT_OK)
