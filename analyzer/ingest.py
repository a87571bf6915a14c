"""From bundles to frames: identify every file, parse it, and place it on the UTC clock.

Identification goes by the collector layout first and by content second, so a bundle
assembled by hand from renamed files is read like a collected one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pandas as pd

from analyzer.bundle import Bundle, FoldPolicy
from analyzer.fold import Folder
from analyzer.frames import Frames, build_frames
from analyzer.manifest import load_clock, load_manifest
from analyzer.model import (
    BundleInfo,
    BundleProblem,
    Deployment,
    Inventory,
    Manifest,
    SourceContext,
    SourceFile,
    iso,
)
from analyzer.parsers import PARSERS
from analyzer.parsers.base import ParserSpec
from analyzer.parsing import Job, in_file_order, parse_jobs
from analyzer.sanitize import plausible
from analyzer.searched import union

SNIFF_BYTES = 8192


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


def fold_policy(patterns: Sequence[str], parsers: Sequence[ParserSpec] = PARSERS) -> FoldPolicy:
    """Which large files to read folded: the logs of a parser that declares how. A folded
    log keeps the lines matching ``patterns`` (every pattern the analysis searches for)."""
    wanted = union(tuple(patterns))

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
    empty: list[int] = []
    jobs: list[Job] = []
    for rank, src in enumerate(bundle.files):
        name = src.path.rsplit("/", 1)[-1]
        if name in ("manifest.json", "clock.json") or src.path.startswith("commands/"):
            continue
        folded = src.folded
        if folded is None and not src.data.strip():
            empty.append(rank)
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
        jobs.append(Job(rank, src, spec, ctx))
    parsed = parse_jobs(jobs, collected_at, batch=batch)
    for rank in empty:
        parsed.problems[rank].append(
            BundleProblem(bundle.files[rank].path, "empty file", "this file")
        )
    for rank in sorted(parsed.problems.keys() | parsed.kinds.keys()):
        path = bundle.files[rank].path
        inv.problems.extend(parsed.problems.get(rank, []))
        if rank in parsed.kinds:
            inv.kinds[parsed.kinds[rank]].append(path)
        if rank in parsed.local:
            _note_clock(inv, path, parsed.local[rank])
    for table, pieces in parsed.tables.items():
        parts[table].append(in_file_order(table, pieces))


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
