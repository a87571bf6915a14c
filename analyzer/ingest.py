"""From bundles to frames, in three stages per bundle, each feeding the next:

1. **metadata** (``analyzer.metadata``): the manifest, the hosts' clocks, the collection
   time and what failed to collect;
2. **jobs** (``analyzer.jobs``): which parser reads each file, with its host and clock;
3. **absorb** (here): the parse results (``analyzer.parsing``) join the inventory and the
   frames in file order.

Only this module writes the inventory, so the stages below it are functions of one bundle.
Once every bundle is in, the collection time and the deployment are settled across them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

import pandas as pd

from analyzer.bundle import Bundle
from analyzer.collection_time import settle_collection_time
from analyzer.frames import Frames, build_frames
from analyzer.jobs import make_jobs
from analyzer.metadata import Metadata, read_metadata
from analyzer.model import (
    BundleProblem,
    Deployment,
    DeploymentBasis,
    Inventory,
)
from analyzer.parsers import PARSERS
from analyzer.parsing import Parsed, in_file_order, parse_jobs

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
    for bundle in bundles:
        before = {t: len(p) for t, p in parts.items()}
        n_problems = len(inv.problems)
        _ingest_bundle(bundle, inv, parts, batch=batch)
        if prefix_bundle:
            _prefix(bundle.name, inv, parts, before, n_problems)
    frames = build_frames(parts)
    settle_collection_time(inv, frames)
    _settle_deployment(inv, frames)
    return frames, inv


def _ingest_bundle(bundle: Bundle, inv: Inventory, parts: Parts, *, batch: bool) -> None:
    meta = read_metadata(bundle)
    _absorb_metadata(inv, meta)
    work = make_jobs(bundle, meta)
    inv.unrecognised.extend(work.unrecognised)
    parsed = parse_jobs(work.jobs, meta.info.collected_at, batch=batch)
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
