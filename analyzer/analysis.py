"""One analysis: bundles in, the analysis.json document out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from analyzer import __version__, recovery, rules
from analyzer import document as d
from analyzer.bundle import Bundle, Limits, read_bundle
from analyzer.collection_time import with_corrected_lanes
from analyzer.diagnosis import Diagnosis, diagnose
from analyzer.document import SCHEMA, AnalysisDocument
from analyzer.finding_entries import finding_entry
from analyzer.fold import FOLD_FROM
from analyzer.frames import Frames
from analyzer.ingest import ingest
from analyzer.jobs import fold_policy
from analyzer.line_match import Searched
from analyzer.model import FailureClass, Finding, Inventory, iso
from analyzer.next_steps import next_steps
from analyzer.patterns import registered_patterns, sampled_patterns
from analyzer.recovery import cleanup, prevention, recovery_plan, stuck_vm_rows
from analyzer.routine_messages import routine_messages
from analyzer.rules import RULES
from analyzer.rules.context import RuleContext
from analyzer.runbook import Source
from analyzer.sanitize import displayable
from analyzer.timeline import families
from analyzer.timeline.core import Timeline, build_timeline
from analyzer.timeline.document import timeline_sections

DESCRIPTIONS = {rule.key: rule.description for rule in RULES}
SEARCHERS = (rules, families, recovery)
"""The modules that search log text: importing one registers its patterns
(``analyzer.patterns``). A new module that searches belongs here, so its patterns are
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
    policy, prepare = None, None
    if fold:
        wanted = Searched(searched_patterns(), frozenset(sampled_patterns()))
        policy = fold_policy(wanted)
        # Hyperscan compiles the patterns (60 ms) beside the reading of the first large log,
        # for the scans of the Folders the policy gives this same ``wanted``
        prepare = wanted.prepare
    bundles = [
        read_bundle(loc, limits, fold=policy, fold_from=fold_from, prepare=prepare)
        for loc in locations
    ]
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
) -> tuple[AnalysisDocument, Frames, Inventory]:
    report = progress or (lambda _msg: None)
    report("reading bundles")
    bundles = read_bundles(locations, limits, fold=fold, fold_from=fold_from)
    report("parsing")
    frames, inventory = ingest(bundles, prefix_bundle=len(bundles) > 1)
    del bundles  # the files' bytes are parsed: free them before the timeline's copies
    # Built before the diagnosis: a lane whose clock skew it corrects may tell when the
    # bundle was collected, and the rules measure ages against that time.
    timeline = _timeline(frames)
    if timeline is not None:
        with_corrected_lanes(inventory, timeline.newest_corrected)
    report("diagnosing")
    ctx = RuleContext(frames, inventory)
    dx = diagnose(ctx)
    report("building the timeline and report")
    clean: AnalysisDocument = displayable(document(ctx, dx, timeline))
    return clean, frames, inventory


def _timeline(frames: Frames) -> Timeline | None:
    """The merged timeline, or None when building it fails: the timeline's sections then
    try again and name the error (``timeline_error``), and the diagnosis goes on."""
    try:
        return build_timeline(frames)
    except Exception:  # noqa: BLE001 - fail forward: timeline_sections names it
        return None


def folded_records(frames: Frames) -> int:
    counts = frames.log_counts
    return int(counts["records"].sum()) if not counts.empty else 0


def document(ctx: RuleContext, dx: Diagnosis, built: Timeline | None = None) -> AnalysisDocument:
    inv = ctx.inventory
    timeline = timeline_sections(ctx, built)
    plan = recovery_plan(ctx, dx)
    missing = [
        d.MissingSource(source=Source(m["source"]), what=m["what"], command=m["command"])
        for m in dx.missing
    ]
    return AnalysisDocument(
        schema=SCHEMA,
        generator=d.Generator(name="analyze", version=__version__),
        bundles=[
            d.BundleEntry(
                name=b.name,
                files=b.files,
                collected_at=iso(b.collected_at),
                collected_at_basis=b.collected_at_basis,
                collector=b.manifest.collector if b.manifest else None,
                utc_offset_s=b.utc_offset.total_seconds() if b.utc_offset is not None else None,
            )
            for b in inv.bundles
        ],
        collected_at=iso(inv.collected_at),
        collected_at_basis=inv.collected_at_basis,
        deployment=inv.deployment,
        deployment_basis=inv.deployment_basis,
        region=inv.region,
        namespace=inv.namespace,
        verdict=d.Verdict(
            cls=dx.verdict.cls,
            confidence=dx.verdict.confidence,
            subcauses=dx.verdict.subcauses,
            scores={c: round(s, 3) for c, s in dx.verdict.scores.items()},
            evidence_basis=dx.verdict.evidence_basis,
        ),
        next_steps=next_steps(dx.verdict.cls, plan, missing),
        symptoms=[
            d.Symptom(
                key=r.key,
                symptom=r.symptom,
                observed=r.observed,
                matches=list(r.matches),
                expected=dict(r.expected),
            )
            for r in dx.symptoms
        ],
        findings=[_finding(f) for f in sorted(dx.findings, key=lambda f: -f.strength)],
        history=[_finding(f) for f in dx.history],
        counter_evidence=[_counter(c) for c in dx.counter_evidence],
        stuck_vms=stuck_vm_rows(ctx.stuck_vms),
        recovery=plan,
        cleanup=cleanup(ctx),
        prevention=prevention(),
        missing_sources=missing,
        problems=[
            d.Problem(file=p.file, problem=p.problem, skipped=p.skipped) for p in inv.problems
        ],
        unrecognised_files=inv.unrecognised,
        failed_collections=[_failed(f) for f in inv.failed_collections],
        clock_assumptions=inv.clock_assumptions,
        incident=timeline.incident,
        clock_offsets=timeline.clock_offsets,
        vm_stories=timeline.vm_stories,
        burst=timeline.burst,
        key_events=timeline.key_events,
        charts=timeline.charts,
        timeline_error=timeline.error,
        routine_messages=routine_messages(ctx.frames, folded_records(ctx.frames)),
        counts=counts(ctx),
    )


def _finding(f: Finding) -> d.Finding:
    return finding_entry(f, DESCRIPTIONS.get(f.key, ""))


def _counter(entry: dict[str, object]) -> d.CounterEvidence:
    """analyzer.diagnosis writes counter-evidence as plain dicts: typed here."""
    against = entry["against"]
    assert isinstance(against, list)
    return d.CounterEvidence(
        cls=FailureClass(str(entry["class"])),
        against=[
            d.CounterRow(symptom=r["symptom"], observed=r["observed"], expected=r["expected"])
            for r in against
        ],
    )


def _failed(item: dict[str, object]) -> d.FailedCollection:
    """analyzer.ingest lists failed collections as plain dicts: typed here."""
    command, exit_code, error = item["command"], item["exit_code"], item["error"]
    return d.FailedCollection(
        path=str(item["path"]),
        command=None if command is None else str(command),
        exit_code=exit_code if isinstance(exit_code, int) else None,
        timed_out=bool(item["timed_out"]),
        error=None if error is None else str(error),
    )


def counts(ctx: RuleContext) -> d.Counts:
    frames, servers = ctx.frames, ctx.servers
    status = servers["status"].fillna("") if not servers.empty else None
    return d.Counts(
        servers=len(servers),
        build=int((status == "BUILD").sum()) if status is not None else 0,
        error=int((status == "ERROR").sum()) if status is not None else 0,
        active=int((status == "ACTIVE").sum()) if status is not None else 0,
        services=len(frames.services),
        compute_services=_compute_services(frames),
        services_down=len(ctx.down_hosts),
        # every record read; folded ones (routine lines of large logs) are only counted
        log_records=len(frames.logs) + folded_records(frames),
        log_records_folded=folded_records(frames),
        pods=int(frames.pods["pod"].nunique()) if frames.has("pods") else 0,
        events=len(frames.events),
        data_files=sum(len(paths) for paths in ctx.inventory.kinds.values()),
    )


def _compute_services(frames: Frames) -> int:
    svc = frames.services
    if svc.empty:
        return 0
    return int(svc["binary"].fillna("").str.contains("compute").sum())
