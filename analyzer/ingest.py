"""From bundles to frames: identify every file, parse it, and place it on the UTC clock.

Identification goes by the collector layout first and by content second, so a bundle
assembled by hand from renamed files is read like a collected one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from analyzer.bundle import Bundle, FoldPolicy
from analyzer.fold import Folder
from analyzer.frames import SCHEMAS, Frames, build_frames, conform
from analyzer.manifest import Manifest, load_clock, load_manifest
from analyzer.model import BundleProblem, Deployment, SourceContext, SourceFile, iso
from analyzer.parsers import PARSERS
from analyzer.parsers.base import ParseResult, ParserSpec
from analyzer.parsers.logtime import folded_counts, folded_counts_of, renumber
from analyzer.sanitize import implausible_times, plausible
from analyzer.searched import all_patterns, union

SNIFF_BYTES = 8192


@dataclass
class BundleInfo:
    name: str
    files: int
    manifest: Manifest | None
    collected_at: datetime | None
    collected_at_basis: str  # manifest | archive-mtime | newest-data | unknown
    utc_offset: timedelta | None


@dataclass
class Inventory:
    """What was read, from where, and what could not be."""

    bundles: list[BundleInfo] = field(default_factory=list)
    kinds: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unrecognised: list[str] = field(default_factory=list)
    problems: list[BundleProblem] = field(default_factory=list)
    failed_collections: list[dict[str, object]] = field(default_factory=list)
    clock_assumptions: list[str] = field(default_factory=list)
    collected_at: datetime | None = None
    collected_at_basis: str = "unknown"
    deployment: Deployment = Deployment.UNKNOWN
    deployment_basis: str = "unknown"
    namespace: str | None = None
    region: str | None = None

    def has_kind(self, *kinds: str) -> bool:
        return any(self.kinds.get(k) for k in kinds)


def identify(src: SourceFile, parsers: Sequence[ParserSpec] = PARSERS) -> ParserSpec | None:
    for spec in parsers:
        if spec.matches_path(src.path):
            return spec
    head = src.data[:SNIFF_BYTES].decode("utf-8", errors="replace")
    for spec in parsers:
        try:
            if spec.sniff(head):
                return spec
        except Exception:  # noqa: BLE001, S112 - a sniffer bug must not stop identification
            continue
    return None


def fold_policy(parsers: Sequence[ParserSpec] = PARSERS) -> FoldPolicy:
    """Which large files to read folded: the logs of a parser that declares how."""
    wanted = union(all_patterns())

    def policy(path: str, head: bytes) -> Folder | None:
        src = SourceFile(bundle="", path=path, data=head[:SNIFF_BYTES])
        spec = identify(src, parsers)
        if spec is None and "/" in path:  # the bundle's top folder is not stripped yet
            spec = identify(SourceFile(bundle="", path=path.split("/", 1)[1], data=src.data))
        if spec is None or spec.fold is None:
            return None
        # A format the fold cannot tell records in (RabbitMQ 3.6 reports, a file named like
        # a log of another kind) is read whole: folded, it would vanish without a count.
        text = head[:SNIFF_BYTES].decode("utf-8", errors="replace")
        if not re.search(spec.fold.level, text, flags=re.MULTILINE):
            return None
        return Folder(spec.kind, spec.fold, wanted)

    return policy


_BY_KIND = {spec.kind: spec for spec in PARSERS}


def _host_of(path: str) -> str | None:
    parts = path.split("/")
    if "hosts" in parts:
        i = parts.index("hosts")
        if i + 2 < len(parts) + 1 and i + 1 < len(parts) - 1:
            return parts[i + 1]
    return None


def _prefix_of(path: str) -> str:
    """The nested bundle folder a file sits in ('' at the top), for per-host clocks."""
    parts = path.split("/")
    if "hosts" in parts:
        return "/".join(parts[: parts.index("hosts")])
    return ""


def ingest(
    bundles: Sequence[Bundle], *, prefix_bundle: bool = False, batch: bool = True
) -> tuple[Frames, Inventory]:
    """Parse every file of every bundle into one set of frames.

    With ``prefix_bundle`` (several bundles merged), each row's ``file`` and each problem
    names its bundle as ``<bundle>:<path>``. ``batch`` parses the files of a kind that can
    be in one pass (``ParserSpec.parse_batch``); the result is the same without it.
    """
    inv = Inventory()
    parts: dict[str, list[pd.DataFrame]] = defaultdict(list)
    for bundle in bundles:
        before = {t: len(p) for t, p in parts.items()}
        n_problems = len(inv.problems)
        _ingest_bundle(bundle, inv, parts, batch=batch)
        if prefix_bundle:
            _prefix(bundle.name, inv, parts, before, n_problems)
    frames = build_frames(parts)
    _settle_collection_time(inv, frames)
    _settle_deployment(inv, frames)
    return frames, inv


def _ingest_bundle(
    bundle: Bundle, inv: Inventory, parts: dict[str, list[pd.DataFrame]], *, batch: bool
) -> None:
    inv.problems.extend(bundle.problems)
    manifest: Manifest | None = None
    clocks: dict[tuple[str, str], timedelta] = {}
    for src in bundle.files:
        name = src.path.rsplit("/", 1)[-1]
        if src.path == "manifest.json":
            manifest, problems = _load_manifest(src)
            inv.problems.extend(problems)
        elif name == "clock.json" and (host := _host_of(src.path)) is not None:
            offset = _load_clock(src, inv)
            if offset is not None:
                clocks[(_prefix_of(src.path), host)] = offset
    collected_at = manifest.collected_at if manifest else None
    if collected_at is not None and not plausible(collected_at, None):
        inv.problems.append(
            BundleProblem(
                "manifest.json",
                f"collected_at {iso(collected_at)} is before 2000 or in the future",
                "the collection time",
            )
        )
        collected_at = None
    basis = "manifest" if collected_at else "unknown"
    if collected_at is None and bundle.newest_mtime is not None:
        collected_at, basis = bundle.newest_mtime, "archive-mtime"
    offset = manifest.utc_offset if manifest else None
    inv.bundles.append(
        BundleInfo(bundle.name, len(bundle.files), manifest, collected_at, basis, offset)
    )
    if manifest is not None:
        for item in manifest.items:
            if item.failed:
                inv.failed_collections.append(
                    {
                        "path": item.path,
                        "command": " ".join(item.command) if item.command else None,
                        "exit_code": item.exit_code,
                        "timed_out": item.timed_out,
                        "error": item.error,
                    }
                )
        for t in manifest.truncated:
            inv.problems.append(
                BundleProblem(
                    t["path"], f"truncated by the collector ({t['reason']})", "the older part"
                )
            )
    parsed = _Parsed()
    jobs: list[_Job] = []
    for rank, src in enumerate(bundle.files):
        name = src.path.rsplit("/", 1)[-1]
        if name in ("manifest.json", "clock.json") or src.path.startswith("commands/"):
            continue
        folded = src.folded
        if folded is None and not src.data.strip():
            parsed.problems[rank].append(BundleProblem(src.path, "empty file", "this file"))
            continue
        spec = _BY_KIND.get(folded.kind) if folded is not None else identify(src)
        if spec is None:
            inv.unrecognised.append(src.path)
            continue
        host = _host_of(src.path)
        host_offset = clocks.get((_prefix_of(src.path), host)) if host else None
        ctx = SourceContext(
            bundle=bundle.name,
            path=src.path,
            host=host,
            utc_offset=host_offset if host_offset is not None else offset,
            collected_at=collected_at,
        )
        jobs.append(_Job(rank, src, spec, ctx))
    by_spec: dict[str, list[_Job]] = defaultdict(list)
    for job in jobs:
        by_spec[job.spec.kind].append(job)
    for group in by_spec.values():
        for part in _batches(group) if batch else [[job] for job in group]:
            if len(part) > 1 and _parse_batch(part, collected_at, parsed):
                continue
            for job in part:
                _parse_one(job, collected_at, parsed)
    for rank in sorted(parsed.problems.keys() | parsed.kinds.keys()):
        path = bundle.files[rank].path
        inv.problems.extend(parsed.problems.get(rank, []))
        if rank in parsed.kinds:
            inv.kinds[parsed.kinds[rank]].append(path)
        if rank in parsed.local:
            _note_clock(inv, path, parsed.local[rank])
    for table, pieces in parsed.tables.items():
        parts[table].append(_in_file_order(table, pieces))


@dataclass
class _Job:
    rank: int  # the file's place in the bundle: rows, problems and notes follow it
    src: SourceFile
    spec: ParserSpec
    ctx: SourceContext


@dataclass
class _Parsed:
    """What the files of one bundle gave, by file rank, before it joins the inventory."""

    problems: dict[int, list[BundleProblem]] = field(default_factory=lambda: defaultdict(list))
    kinds: dict[int, str] = field(default_factory=dict)
    local: dict[int, timedelta | None] = field(default_factory=dict)  # zone-less clock used
    tables: dict[str, list[tuple[pd.DataFrame, np.ndarray]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # each piece with the rank of each of its rows


BATCH_BYTES = 16 * 1024 * 1024
"""Files of one kind are parsed together up to this much text: past it the fixed cost per
file no longer shows, and one batch of every large log would hold all their rows'
intermediate columns at once."""


def _batches(group: list[_Job]) -> list[list[_Job]]:
    """The jobs in runs of at most BATCH_BYTES of text (a larger file makes a run alone)."""
    runs: list[list[_Job]] = []
    size = 0
    for job in group:
        n = len(job.src.data)
        if not runs or size + n > BATCH_BYTES:
            runs.append([])
            size = 0
        runs[-1].append(job)
        size += n
    return runs


def _parse_one(job: _Job, collected_at: datetime | None, parsed: _Parsed) -> None:
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
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the analysis
        parsed.problems[job.rank].append(
            BundleProblem(src.path, f"could not be parsed ({type(exc).__name__}: {exc})")
        )
        return
    result = implausible_times(result, src.path, collected_at)
    parsed.kinds[job.rank] = spec.kind
    parsed.problems[job.rank].extend(result.problems)
    for table, frame in result.tables.items():
        parsed.tables[table].append((frame, np.full(len(frame), job.rank, dtype=np.int64)))
        if _local_clock(table, frame).any():
            parsed.local[job.rank] = ctx.utc_offset


def _parse_batch(group: list[_Job], collected_at: datetime | None, parsed: _Parsed) -> bool:
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
    return True


def _local_clock(table: str, frame: pd.DataFrame) -> np.ndarray:
    """Per row: its time was read as zone-less local time (for the clock notes)."""
    if table not in ("logs", "log_counts") or "clock" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    local = frame["clock"].astype("string").isin(["local-offset", "local-assumed-utc"])
    return local.to_numpy(dtype=bool)


def _in_file_order(table: str, pieces: list[tuple[pd.DataFrame, np.ndarray]]) -> pd.DataFrame:
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


def _load_manifest(src: SourceFile) -> tuple[Manifest, list[BundleProblem]]:
    """The manifest, or an empty one and a problem: a bad manifest never stops the analysis."""
    try:
        return load_manifest(src)
    except Exception as exc:  # noqa: BLE001 - untrusted JSON: fail forward
        return Manifest(), [
            BundleProblem(src.path, f"unreadable manifest ({type(exc).__name__})", "the manifest")
        ]


def _load_clock(src: SourceFile, inv: Inventory) -> timedelta | None:
    try:
        return load_clock(src)
    except Exception as exc:  # noqa: BLE001 - untrusted JSON: fail forward
        inv.problems.append(
            BundleProblem(src.path, f"unreadable clock ({type(exc).__name__})", "the host offset")
        )
        return None


def _prefix(
    name: str,
    inv: Inventory,
    parts: dict[str, list[pd.DataFrame]],
    before: dict[str, int],
    n_problems: int,
) -> None:
    for table, pieces in parts.items():
        for i in range(before.get(table, 0), len(pieces)):
            frame = pieces[i]
            if "file" in frame.columns:
                pieces[i] = frame.assign(file=name + ":" + frame["file"].astype("string"))
    inv.problems[n_problems:] = [
        BundleProblem(f"{name}:{p.file}", p.problem, p.skipped) for p in inv.problems[n_problems:]
    ]


def _note_clock(inv: Inventory, path: str, offset: timedelta | None) -> None:
    if offset is None:
        text = f"{path}: lines carry no time zone; read as UTC (no host offset in the bundle)"
    else:
        hours = offset.total_seconds() / 3600
        text = f"{path}: lines carry no time zone; read as local time at UTC{hours:+.2g}h"
    if text not in inv.clock_assumptions:
        inv.clock_assumptions.append(text)


def _settle_collection_time(inv: Inventory, frames: Frames) -> None:
    known = [(b.collected_at, b.collected_at_basis) for b in inv.bundles if b.collected_at]
    manifest_times = [t for t, basis in known if basis == "manifest"]
    if manifest_times:
        inv.collected_at, inv.collected_at_basis = max(manifest_times), "manifest"
    elif known:
        inv.collected_at, inv.collected_at_basis = max(t for t, _ in known), "archive-mtime"
    else:
        newest = _newest_in_data(frames)
        if newest is not None:
            inv.collected_at, inv.collected_at_basis = newest, "newest-data"
    if inv.collected_at is not None and inv.collected_at.tzinfo is None:
        inv.collected_at = inv.collected_at.replace(tzinfo=UTC)


def _newest_in_data(frames: Frames) -> datetime | None:
    candidates = []
    sane_max = pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)
    for table, col in (
        ("logs", "timestamp"),
        ("log_counts", "last"),
        ("servers", "updated_at"),
        ("servers", "created_at"),
        ("services", "updated_at"),
        ("events", "timestamp"),
    ):
        series = frames[table][col].dropna()
        series = series[series <= sane_max]
        if not series.empty:
            candidates.append(series.max())
    if not candidates:
        return None
    newest: pd.Timestamp = max(candidates)
    return newest.to_pydatetime()


def _settle_deployment(inv: Inventory, frames: Frames) -> None:
    for b in inv.bundles:
        m = b.manifest
        if m is None:
            continue
        if inv.deployment is Deployment.UNKNOWN and m.deployment is not Deployment.UNKNOWN:
            inv.deployment, inv.deployment_basis = m.deployment, "manifest"
        inv.namespace = inv.namespace or m.namespace
        inv.region = inv.region or m.region
    if inv.namespace is None and frames.has("pods"):
        ns = frames.pods["namespace"].dropna()
        if not ns.empty:
            inv.namespace = str(ns.mode().iloc[0])
    if inv.deployment is Deployment.UNKNOWN and (frames.has("pods") or frames.has("events")):
        inv.deployment, inv.deployment_basis = Deployment.SELF_HOSTED, "kubernetes data present"
