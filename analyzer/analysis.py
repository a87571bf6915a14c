"""One analysis: bundles in, the analysis.json document out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from analyzer import __version__, recovery, rules
from analyzer.bundle import Bundle, Limits, read_bundle
from analyzer.diagnosis import Diagnosis, diagnose
from analyzer.fold import FOLD_FROM
from analyzer.frames import Frames
from analyzer.ingest import ingest
from analyzer.jobs import fold_policy
from analyzer.model import Finding, Inventory, iso
from analyzer.recovery import cleanup, prevention, recovery_plan, stuck_vm_rows
from analyzer.rules import RULES
from analyzer.rules.context import RuleContext
from analyzer.sanitize import displayable
from analyzer.searched import registered_patterns
from analyzer.timeline import families
from analyzer.timeline.document import timeline_sections

SCHEMA = "pcd-analysis/1"
DESCRIPTIONS = {rule.key: rule.description for rule in RULES}
SEARCHERS = (rules, families, recovery)
"""The modules that search log text: importing one registers its patterns
(``analyzer.searched``). A new module that searches belongs here, so its patterns are
registered before ``searched_patterns`` reads them, whatever else this module imports."""


def searched_patterns() -> tuple[str, ...]:
    """Every pattern the analysis searches log text for: what a folded log must keep.

    Gathered here, at the top, where every searching module (``SEARCHERS``) is imported,
    and passed down to the reading of bundles as a value.
    """
    return registered_patterns()


def read_bundles(
    locations: Sequence[str | Path],
    limits: Limits | None = None,
    *,
    fold: bool = True,
    fold_from: int = FOLD_FROM,
) -> list[Bundle]:
    """The bundles, logs of ``fold_from`` bytes or more folded (``analyzer.fold``) unless
    ``fold`` is False."""
    policy = fold_policy(searched_patterns()) if fold else None
    bundles = [read_bundle(loc, limits, fold=policy, fold_from=fold_from) for loc in locations]
    names = [b.name for b in bundles]
    if len(bundles) > 1:
        # Several bundles: evidence names the bundle too, and equal names get a suffix.
        for i, b in enumerate(bundles):
            if names.count(b.name) > 1:
                b.name = f"{b.name}#{i + 1}"
    return bundles


def analyse(
    locations: Sequence[str | Path],
    limits: Limits | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    fold: bool = True,
    fold_from: int = FOLD_FROM,
) -> tuple[dict[str, Any], Frames, Inventory]:
    report = progress or (lambda _msg: None)
    report("reading bundles")
    bundles = read_bundles(locations, limits, fold=fold, fold_from=fold_from)
    report("parsing")
    frames, inventory = ingest(bundles, prefix_bundle=len(bundles) > 1)
    del bundles  # the files' bytes are parsed: free them before the timeline's copies
    report("diagnosing")
    ctx = RuleContext(frames, inventory)
    dx = diagnose(ctx)
    report("building the timeline and report")
    return displayable(document(ctx, dx)), frames, inventory


def folded_records(frames: Frames) -> int:
    counts = frames.log_counts
    return int(counts["records"].sum()) if not counts.empty else 0


def _finding(f: Finding) -> dict[str, Any]:
    d = f.to_dict()
    d["description"] = DESCRIPTIONS.get(f.key, "")
    return d


def document(ctx: RuleContext, dx: Diagnosis) -> dict[str, Any]:
    inv, frames = ctx.inventory, ctx.frames
    servers = ctx.servers
    status = servers["status"].fillna("") if not servers.empty else None
    return {
        "schema": SCHEMA,
        "generator": {"name": "analyze", "version": __version__},
        "bundles": [
            {
                "name": b.name,
                "files": b.files,
                "collected_at": iso(b.collected_at),
                "collected_at_basis": b.collected_at_basis.value,
                "collector": b.manifest.collector if b.manifest else None,
                "utc_offset_s": b.utc_offset.total_seconds() if b.utc_offset is not None else None,
            }
            for b in inv.bundles
        ],
        "collected_at": iso(inv.collected_at),
        "collected_at_basis": inv.collected_at_basis.value,
        "deployment": inv.deployment.value,
        "deployment_basis": inv.deployment_basis.value,
        "region": inv.region,
        "namespace": inv.namespace,
        "verdict": {
            "class": dx.verdict.cls.value,
            "confidence": dx.verdict.confidence,
            "subcauses": dx.verdict.subcauses,
            "scores": {c.value: round(s, 3) for c, s in dx.verdict.scores.items()},
        },
        "symptoms": [
            {
                "key": r.key,
                "symptom": r.symptom,
                "observed": r.observed,
                "matches": [c.value for c in r.matches],
                "expected": {c.value: text for c, text in r.expected.items()},
            }
            for r in dx.symptoms
        ],
        "findings": [_finding(f) for f in sorted(dx.findings, key=lambda f: -f.strength)],
        "history": [_finding(f) for f in dx.history],
        "counter_evidence": dx.counter_evidence,
        "stuck_vms": stuck_vm_rows(ctx.stuck_vms),
        "recovery": recovery_plan(ctx, dx),
        "cleanup": cleanup(ctx),
        "prevention": prevention(ctx),
        "missing_sources": dx.missing,
        "problems": [
            {"file": p.file, "problem": p.problem, "skipped": p.skipped} for p in inv.problems
        ],
        "unrecognised_files": inv.unrecognised,
        "failed_collections": inv.failed_collections,
        "clock_assumptions": inv.clock_assumptions,
        # incident, clock_offsets, vm_stories, burst, key_events, charts (analyzer/timeline)
        **timeline_sections(ctx),
        "counts": {
            "servers": len(servers),
            "build": int((status == "BUILD").sum()) if status is not None else 0,
            "error": int((status == "ERROR").sum()) if status is not None else 0,
            "active": int((status == "ACTIVE").sum()) if status is not None else 0,
            "compute_services": len(frames.services),
            "services_down": len(ctx.down_hosts),
            # every record read; folded ones (routine lines of large logs) are only counted
            "log_records": len(frames.logs) + folded_records(frames),
            "log_records_folded": folded_records(frames),
            "pods": int(frames.pods["pod"].nunique()) if frames.has("pods") else 0,
            "events": len(frames.events),
        },
    }
