"""From the typed ``analysis.json`` document to what the report shows, in words.

Both templates render the same :class:`~reports.view_types.Report`, built here from the
document of the same run (in process, or decoded and validated by the report worker), so
every key is there with its type. Values are left as plain strings; escaping is the
templates' job (HTML autoescape, Markdown filters). The parts are built by
:mod:`reports.findings_view`, :mod:`reports.recovery_view` and
:mod:`reports.routine_view`.
"""

from __future__ import annotations

from msgspec.structs import asdict

from analyzer import plural
from analyzer.document import AnalysisDocument, Verdict
from analyzer.runbook import Source
from reports import wording as w
from reports.findings_view import counter_views, finding_view, gaps, rebuttals, symptom_views
from reports.next_steps_view import next_steps
from reports.recovery_view import cleanup, prevention, recovery, vm_view
from reports.routine_view import routine_view
from reports.text import class_name, grouped, nothing_read, text
from reports.view_types import BundleView, Report


def _bundles(doc: AnalysisDocument) -> list[BundleView]:
    out = []
    for b in doc.bundles:
        parts = [f"{b.files} file" if b.files == 1 else f"{b.files} files"]
        if b.collected_at is not None:
            parts.append(f"collected {text(b.collected_at)}")
        parts.append(w.lookup(w.COLLECTED_BASIS, b.collected_at_basis))
        if b.collector is not None:
            parts.append(f"collector {text(b.collector)}")
        out.append(BundleView(name=text(b.name), details="; ".join(parts)))
    return out


def _counts(doc: AnalysisDocument) -> str:
    counts = asdict(doc.counts)
    known = dict(w.COUNT_WORDS)
    parts = [
        plural.render(words, {"n": grouped(counts[k])})
        for k, words in w.COUNT_WORDS
        if k in counts and (counts[k] or k not in w.COUNTS_SHOWN_WHEN_NONZERO)
    ]
    parts += [
        f"{grouped(v) if isinstance(v, int) else v} {w.humanise(k).lower()}"
        for k, v in counts.items()
        if k not in known and k not in w.COUNTS_NOT_SHOWN
    ]
    return ", ".join(parts)


def _scores(verdict: Verdict) -> str:
    return ", ".join(f"{class_name(cls)} {n:.2f}" for cls, n in verdict.scores.items())


def build(doc: AnalysisDocument) -> Report:
    verdict = doc.verdict
    cls = verdict.cls.value
    confidence = verdict.confidence
    deployment = doc.deployment.value
    generator = doc.generator
    gen_name = generator.name or "analyze"
    table_classes = list(w.TABLE_CLASSES)
    nothing = nothing_read(doc)
    headline = w.NOTHING_READ_TITLE if nothing else class_name(cls)
    return Report(
        title=f"PCD support bundle analysis: {headline}",
        class_key=cls if cls in w.CLASS_NAMES else "unknown",
        class_name=class_name(cls),
        confidence=f"{round(confidence * 100)}%",
        confidence_label=w.confidence_label(confidence),
        confidence_note=w.EVIDENCE_BASIS.get(str(verdict.evidence_basis or ""), ""),
        subcauses=[w.lookup(w.FINDING_TITLES, s) for s in verdict.subcauses],
        deployment=w.lookup(w.DEPLOYMENT_NAMES, deployment),
        deployment_basis=w.lookup(w.DEPLOYMENT_BASIS, doc.deployment_basis),
        region=text(doc.region, "unknown"),
        namespace=text(doc.namespace, "unknown"),
        collected_at=text(doc.collected_at, "unknown"),
        collected_basis=w.lookup(w.COLLECTED_BASIS, doc.collected_at_basis),
        bundles=_bundles(doc),
        scores=_scores(verdict),
        counts=_counts(doc),
        table_classes=[class_name(c) for c in table_classes],
        verdict_column=table_classes.index(cls) if cls in table_classes else -1,
        next_steps=next_steps(doc),
        symptoms=symptom_views(doc.symptoms, table_classes),
        findings=[finding_view(f) for f in doc.findings],
        counter=counter_views(doc.counter_evidence),
        rebuttals=rebuttals(doc.findings),
        recovery=recovery(doc, cls, deployment),
        stuck=[vm_view(v) for v in doc.stuck_vms],
        stuck_none=w.STUCK_UNKNOWN
        if any(m.source is Source.SERVERS for m in doc.missing_sources)
        else w.STUCK_NONE,
        cleanup=cleanup(doc),
        cleanup_intro=w.CLEANUP_INTRO
        if cls in (w.MESSAGING, w.INCONCLUSIVE)
        else w.CLEANUP_INTRO_OTHER,
        cleanup_each=w.CLEANUP_EACH,
        cleanup_saas=w.CLEANUP_SAAS,
        prevention=prevention(doc, deployment),
        gaps=gaps(doc),
        gaps_none=w.GAPS_NONE,
        generator=f"{gen_name} {generator.version}" if generator.version else gen_name,
        schema=text(doc.schema, "unknown"),
        nothing_read=nothing,
        routine=routine_view(doc.routine_messages),
    )
