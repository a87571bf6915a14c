"""From bundles to frames, in three stages per bundle, each feeding the next:

1. **metadata** (``analyzer.metadata``): the manifest, the hosts' clocks, the collection
   time and what failed to collect;
2. **jobs** (``analyzer.jobs``): which parser reads each file, with its host and clock;
3. **absorb** (here): the parse results (``analyzer.parsing``) join the inventory and the
   frames in file order.

The server listings of every bundle are parsed first: they say which VMs get a story, and
the routine lines of large logs naming those VMs come back from the folded logs' index
(``analyzer.fold_index``) before the logs are parsed.

Only this module writes the inventory, so the stages below it are functions of one bundle.
Once every bundle is in, the collection time and the deployment are settled across them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

import pandas as pd

from analyzer import fold_index
from analyzer.bundle import Bundle
from analyzer.collection_time import settle_collection_time
from analyzer.frames import Frames, build_frames
from analyzer.jobs import Jobs, make_jobs
from analyzer.metadata import Metadata, read_metadata
from analyzer.model import (
    BundleProblem,
    Deployment,
    DeploymentBasis,
    Inventory,
)
from analyzer.parsers import PARSERS, own_clock
from analyzer.parsing import Job, Parsed, in_file_order, parse_jobs

Parts = dict[str, list[pd.DataFrame]]  # table -> its pieces, bundle after bundle


def ingest(
    bundles: Sequence[Bundle], *, prefix_bundle: bool = False, batch: bool = True
) -> tuple[Frames, Inventory]:
    """Parse every file of every bundle into one set of frames.

    With ``prefix_bundle`` (several bundles merged), each row's ``file`` and each problem
    names its bundle as ``<bundle>:<path>``. ``batch`` parses the files of a kind that can
    be in one pass (``ParserSpec.parse_batch``); the result is the same without it.
    """
    inv = Inventory()
    parts: Parts = defaultdict(list)
    staged = [_stage(bundle, batch=batch) for bundle in bundles]
    _restore_indexed(staged)
    for bundle, (meta, work, parsed) in zip(bundles, staged, strict=True):
        before = {t: len(p) for t, p in parts.items()}
        n_problems = len(inv.problems)
        _ingest_bundle(bundle, meta, work, parsed, inv, parts, batch=batch)
        if prefix_bundle:
            _prefix(bundle.name, inv, parts, before, n_problems)
    frames = build_frames(parts)
    settle_collection_time(inv, frames)
    _settle_deployment(inv, frames)
    return frames, inv


Staged = tuple[Metadata, Jobs, Parsed]


def _stage(bundle: Bundle, *, batch: bool) -> Staged:
    """A bundle's metadata and jobs, and its server listings parsed."""
    meta = read_metadata(bundle)
    work = make_jobs(bundle, meta)
    first = [job for job in work.jobs if "servers" in job.spec.tables]
    return meta, work, parse_jobs(first, meta.info.collected_at, batch=batch)


def _restore_indexed(staged: list[Staged]) -> None:
    """The indexed records a story may read back among their logs' kept lines (see
    ``analyzer.fold_index``), before any log is parsed."""
    indexed = [job for _, work, _ in staged for job in work.jobs if _has_index(job)]
    if not indexed:
        return
    ids = [
        str(i)
        for _, _, parsed in staged
        for frame, _ranks in parsed.tables.get("servers", [])
        if {"id", "status"} <= set(frame.columns)
        for i in frame["id"][
            frame["status"]
            .astype("string")
            .str.upper()
            .isin(fold_index.STORY_STATUSES)
            .fillna(False)
        ].dropna()
    ]
    instances = fold_index.story_instances(ids)
    logs = [job.src.folded for job in indexed if job.src.folded is not None]
    parsed_of = {id(job): parsed for _, work, parsed in staged for job in work.jobs}
    try:
        requests = fold_index.request_ids(
            job.src.data for _, work, _ in staged for job in work.jobs
        ) | fold_index.linked_requests(logs, instances)
    except Exception as exc:  # noqa: BLE001 - a bug here costs the stories, not the analysis
        for job in indexed:
            parsed_of[id(job)].problems[job.rank].append(_not_restored(job, exc))
        return
    for job in indexed:
        folded, fmt = job.src.folded, job.spec.fold
        assert folded is not None
        assert fmt is not None
        try:
            restored = fold_index.restore(folded, instances, requests, fmt.minute_width)
        except Exception as exc:  # noqa: BLE001 - as above, for this log alone
            parsed_of[id(job)].problems[job.rank].append(_not_restored(job, exc))
            continue
        if restored is not folded:
            job.src = dataclasses.replace(job.src, data=restored.kept, folded=restored)


def _not_restored(job: Job, exc: Exception) -> BundleProblem:
    what = f"its routine lines naming instances could not be read back ({type(exc).__name__})"
    return BundleProblem(job.src.path, what, "those lines (counted, not listed)")


def _has_index(job: Job) -> bool:
    return job.src.folded is not None and bool(job.src.folded.index) and job.spec.fold is not None


def _ingest_bundle(
    bundle: Bundle,
    meta: Metadata,
    work: Jobs,
    parsed: Parsed,
    inv: Inventory,
    parts: Parts,
    *,
    batch: bool,
) -> None:
    _absorb_metadata(inv, meta)
    inv.unrecognised.extend(work.unrecognised)
    rest = [job for job in work.jobs if "servers" not in job.spec.tables]
    parse_jobs(rest, meta.info.collected_at, batch=batch, into=parsed)
    _note_empty(parsed, bundle, work.empty)
    _note_cut_short(parsed, bundle)
    _absorb_files(inv, bundle, parsed)
    _absorb_tables(parts, parsed)


def _absorb_metadata(inv: Inventory, meta: Metadata) -> None:
    inv.problems.extend(meta.problems)
    inv.bundles.append(meta.info)
    inv.failed_collections.extend(meta.failed_collections)


def _note_empty(parsed: Parsed, bundle: Bundle, empty: list[int]) -> None:
    """An empty file is a problem in its place among the parsed files' problems."""
    for rank in empty:
        parsed.problems[rank].append(
            BundleProblem(bundle.files[rank].path, "empty file", "this file")
        )


CUT_LOG = "the last line has no end of line: the file may be cut short (a truncated copy?)"
CUT_JSON = "the JSON document ends before it is complete: the file may be cut short"


def _note_cut_short(parsed: Parsed, bundle: Bundle) -> None:
    """A file that ends where its format cannot (a log mid-line, a JSON document before
    its last bracket) is named as cut short, as the partial member of a truncated archive
    is (docs/security.md): a folder unpacked from a cut archive holds such a file."""
    for rank in sorted(parsed.problems.keys() | parsed.kinds.keys()):
        src = bundle.files[rank]
        problems = parsed.problems[rank]
        if parsed.kinds.get(rank) in _LOG_KINDS:
            unended = (
                src.folded.unended
                if src.folded is not None
                else bool(src.data) and not src.data.endswith(b"\n")
            )
            if unended:
                problems.append(
                    BundleProblem(src.path, CUT_LOG, "nothing (the line is read as it is)")
                )
        elif any(p.problem.startswith("invalid JSON") for p in problems):
            end = src.data.rstrip()[-1:]
            if end not in (b"}", b"]"):
                problems.append(BundleProblem(src.path, CUT_JSON, "this file"))


_LOG_KINDS = frozenset(spec.kind for spec in PARSERS if "logs" in spec.tables)


def _absorb_files(inv: Inventory, bundle: Bundle, parsed: Parsed) -> None:
    """Each file's problems, kind and clock note, in file order."""
    for rank in sorted(parsed.problems.keys() | parsed.kinds.keys()):
        path = bundle.files[rank].path
        inv.problems.extend(parsed.problems.get(rank, []))
        if rank in parsed.kinds:
            inv.kinds[parsed.kinds[rank]].append(path)
        if rank in parsed.local:
            _note_clock(inv, path, parsed.local[rank])
        if rank in parsed.own_clocks:
            inv.clock_assumptions.append(own_clock.note(path, parsed.own_clocks[rank]))


def _absorb_tables(parts: Parts, parsed: Parsed) -> None:
    for table, pieces in parsed.tables.items():
        parts[table].append(in_file_order(table, pieces))


def _prefix(
    name: str,
    inv: Inventory,
    parts: Parts,
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


def _settle_deployment(inv: Inventory, frames: Frames) -> None:
    for b in inv.bundles:
        m = b.manifest
        if m is None:
            continue
        if inv.deployment is Deployment.UNKNOWN and m.deployment is not Deployment.UNKNOWN:
            inv.deployment, inv.deployment_basis = m.deployment, DeploymentBasis.MANIFEST
        inv.namespace = inv.namespace or m.namespace
        inv.region = inv.region or m.region
    if inv.namespace is None and frames.has("pods"):
        ns = frames.pods["namespace"].dropna()
        if not ns.empty:
            inv.namespace = str(ns.mode().iloc[0])
    if inv.deployment is Deployment.UNKNOWN and (frames.has("pods") or frames.has("events")):
        inv.deployment = Deployment.SELF_HOSTED
        inv.deployment_basis = DeploymentBasis.KUBERNETES_DATA
