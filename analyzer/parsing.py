"""Parsing the identified files of one bundle: in batches where a parser can, else one by one.

Each file is a ``Job`` carrying its place in the bundle (its rank). What parsing gives,
rows, problems, kinds and the use of a zone-less clock, is kept by rank in ``Parsed``, so
the caller lays it out in file order whichever way each file was parsed: a batch of one
kind's files (``ParserSpec.parse_batch``) gives the same as those files one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from analyzer.frames import SCHEMAS, conform
from analyzer.model import LOCAL_CLOCKS, BundleProblem, SourceContext, SourceFile
from analyzer.parsers import own_clock
from analyzer.parsers.base import ParseResult, ParserSpec
from analyzer.parsers.folded_logs import (
    folded_counts,
    folded_counts_of,
    folded_templates_of,
    renumber,
)
from analyzer.sanitize import implausible_times


def parse_jobs(
    jobs: Sequence[Job], collected_at: datetime | None, *, batch: bool, into: Parsed | None = None
) -> Parsed:
    """Parse every job, the files of one kind in batches of at most BATCH_BYTES when
    ``batch`` (and the kind's parser can); the results go ``into`` a Parsed if given."""
    parsed = Parsed() if into is None else into
    by_kind: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        by_kind[job.spec.kind].append(job)
    for group in by_kind.values():
        for part in _batches(group) if batch else [[job] for job in group]:
            if len(part) > 1 and _parse_batch(part, collected_at, parsed):
                continue
            for job in part:
                _parse_one(job, collected_at, parsed)
    return parsed


@dataclass
class Job:
    rank: int  # the file's place in the bundle: rows, problems and notes follow it
    src: SourceFile
    spec: ParserSpec
    ctx: SourceContext


@dataclass
class Parsed:
    """What the files of one bundle gave, by file rank, before it joins the inventory."""

    problems: dict[int, list[BundleProblem]] = field(default_factory=lambda: defaultdict(list))
    kinds: dict[int, str] = field(default_factory=dict)
    local: dict[int, timedelta | None] = field(default_factory=dict)  # zone-less clock used
    own_clocks: dict[int, own_clock.OwnClock] = field(default_factory=dict)  # kubectl logs
    tables: dict[str, list[tuple[pd.DataFrame, np.ndarray]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # each piece with the rank of each of its rows


BATCH_BYTES = 16 * 1024 * 1024
"""Files of one kind are parsed together up to this much text: past it the fixed cost per
file no longer shows, and one batch of every large log would hold all their rows'
intermediate columns at once."""


def _batches(group: list[Job]) -> list[list[Job]]:
    """The jobs in runs of at most BATCH_BYTES of text (a larger file makes a run alone)."""
    runs: list[list[Job]] = []
    size = 0
    for job in group:
        n = len(job.src.data)
        if not runs or size + n > BATCH_BYTES:
            runs.append([])
            size = 0
        runs[-1].append(job)
        size += n
    return runs


def _parse_one(job: Job, collected_at: datetime | None, parsed: Parsed) -> None:
    src, spec, ctx = job.src, job.spec, job.ctx
    folded = src.folded
    try:
        if folded is None:
            result = spec.parse(src, ctx)
        else:
            result = spec.parse(src, ctx) if src.data.strip() else ParseResult()
            if "logs" in result.tables:
                result.tables["logs"] = renumber(result.tables["logs"], folded)
            if spec.fold is not None:
                result.add("log_counts", folded_counts(folded, spec.fold, ctx))
        result = implausible_times(result, src.path, collected_at)
        if folded is not None and spec.fold is not None:
            templates = folded_templates_of([(folded, ctx)], spec.fold)
            result.add("log_templates", plausible(templates, src.path, collected_at))
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the analysis
        parsed.problems[job.rank].append(
            BundleProblem(src.path, f"could not be parsed ({type(exc).__name__}: {exc})")
        )
        return
    clock = _own_clocks(result).get(src.path)
    if clock is not None:
        parsed.own_clocks[job.rank] = clock
    parsed.kinds[job.rank] = spec.kind
    parsed.problems[job.rank].extend(result.problems)
    for table, frame in result.tables.items():
        parsed.tables[table].append((frame, np.full(len(frame), job.rank, dtype=np.int64)))
        if _local_clock(table, frame).any():
            parsed.local[job.rank] = ctx.utc_offset


def _parse_batch(group: list[Job], collected_at: datetime | None, parsed: Parsed) -> bool:
    """Parse files of one kind in one pass (``ParserSpec.parse_batch``): the per-file cost
    of pandas is paid once. False, with nothing recorded, when that cannot be done: the
    files are then parsed one by one, and a parser bug costs only its own file."""
    spec = group[0].spec
    if spec.parse_batch is None:
        return False
    rank_of = {job.src.path: job.rank for job in group}
    offset_of = {job.rank: job.ctx.utc_offset for job in group}
    try:
        items = [
            (job.src, job.ctx, job.src.folded.line_numbers if job.src.folded else None)
            for job in group
            if job.src.data.strip()
        ]
        result = spec.parse_batch(items) if items else ParseResult()
        if spec.fold is not None:
            folded = [(job.src.folded, job.ctx) for job in group if job.src.folded is not None]
            result.add("log_counts", folded_counts_of(folded, spec.fold))
        result = implausible_times(result, None, collected_at)
        if spec.fold is not None:
            templates = folded_templates_of(folded, spec.fold)
            result.add("log_templates", plausible(templates, None, collected_at))
        clocks = {rank_of[path]: clock for path, clock in _own_clocks(result).items()}
        problems = [(rank_of[p.file], p) for p in result.problems]
        tables = [
            (table, frame, frame["file"].map(rank_of).to_numpy(dtype=np.int64))
            for table, frame in result.tables.items()
        ]
        local = {
            rank_of[str(path)]
            for table, frame in result.tables.items()
            for path in frame["file"][_local_clock(table, frame)].unique()
        }
    except Exception:  # noqa: BLE001 - parsed file by file instead, each failing on its own
        return False
    for rank, problem in problems:
        parsed.problems[rank].append(problem)
    for job in group:
        parsed.kinds[job.rank] = spec.kind
    for table, frame, ranks in tables:
        parsed.tables[table].append((frame, ranks))
    for rank in local:
        parsed.local[rank] = offset_of[rank]
    parsed.own_clocks.update(clocks)
    return True


def plausible(frame: pd.DataFrame, path: str | None, collected_at: datetime | None) -> pd.DataFrame:
    """``frame`` (``log_templates``) with the times no working clock could have written
    blanked, and no problem listed: the same stamps are the folded counts' (listed there)."""
    if frame.empty:
        return frame
    return implausible_times(ParseResult({"t": frame}), path, collected_at).tables["t"]


def _own_clocks(result: ParseResult) -> dict[str, own_clock.OwnClock]:
    """The files whose own times differ steadily from kubectl's; the per-row differences
    leave the rows here."""
    if "logs" not in result.tables:
        return {}
    result.tables["logs"], clocks = own_clock.summarised(result.tables["logs"])
    return clocks


def _local_clock(table: str, frame: pd.DataFrame) -> np.ndarray:
    """Per row: its time was read as zone-less local time (for the clock notes)."""
    if table not in ("logs", "log_counts") or "clock" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    local = frame["clock"].astype("string").isin(LOCAL_CLOCKS)
    return local.to_numpy(dtype=bool)


def in_file_order(table: str, pieces: list[tuple[pd.DataFrame, np.ndarray]]) -> pd.DataFrame:
    """One frame of the pieces, rows in file order as if each file had been parsed alone
    (a batch holds several files' rows; a stable sort by file rank puts them back)."""
    frames = [conform(table, frame) for frame, _ in pieces] if table in SCHEMAS else None
    if frames is None:
        return pd.concat([frame for frame, _ in pieces], ignore_index=True)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    ranks = np.concatenate([ranks for _, ranks in pieces])
    if len(ranks) > 1 and (np.diff(ranks) < 0).any():
        frame = frame.iloc[np.argsort(ranks, kind="stable")].reset_index(drop=True)
    return frame
