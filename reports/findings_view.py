"""The diagnosis in words: findings and their evidence, the symptom table, the
counter-evidence and what the bundle lacked."""

from __future__ import annotations

from analyzer.document import (
    AnalysisDocument,
    CounterEvidence,
    Evidence,
    FailedCollection,
    Finding,
    Symptom,
)
from analyzer.model import FailureClass
from reports import wording as w
from reports.text import class_name, facts, second, shown, text
from reports.view_types import (
    CounterRow,
    CounterView,
    EvidenceRow,
    FailedView,
    FindingView,
    Gaps,
    MissingView,
    ProblemView,
    SymptomCell,
    SymptomView,
)


def evidence_rows(items: list[Evidence]) -> list[EvidenceRow]:
    rows = []
    for e in items:
        file = e.file or "?"
        rows.append(
            EvidenceRow(
                where=f"{file}:{e.line}" if e.line is not None else file,
                timestamp=second(e.timestamp, "-"),
                text=e.text,
                also=list(e.also) if e.also else [],
            )
        )
    return rows


def finding_sentence(finding: Finding) -> str:
    words = w.FINDING_SENTENCES.get(finding.key)
    if words is None:
        return finding.description or w.humanise(finding.key) + "."
    main = w.fill(words.text, facts(finding.facts)) or words.fallback
    extra_facts = facts(finding.facts, drop_zero=True)
    extras = [s for s in (w.fill(t, extra_facts) for t in words.extras) if s is not None]
    return " ".join([main, *extras])


def rebuttals(findings: list[Finding]) -> list[str]:
    """The findings' own words against the explanation the symptom table alone suggests."""
    out = []
    for finding in findings:
        words = w.FINDING_REBUTTALS.get(finding.key)
        if words is not None:
            out.append(w.fill(words.text, facts(finding.facts)) or words.fallback)
    return out


def _history_status(finding: Finding) -> str:
    if finding.facts.get("resolved"):
        at = shown(finding.facts.get("resolved_at"))
        return w.HISTORY_RESOLVED.format(at=at) if at else w.HISTORY_RESOLVED_NO_TIME
    at = shown(finding.facts.get("last"))
    return w.HISTORY_OLD.format(at=at) if at else w.HISTORY_OLD_NO_TIME


def finding_view(finding: Finding, *, history: bool = False) -> FindingView:
    return FindingView(
        key=finding.key,
        title=w.lookup(w.FINDING_TITLES, finding.key),
        sentence=finding_sentence(finding),
        supports=class_name(finding.supports),
        strength=f"{finding.strength:.2f}",
        evidence=evidence_rows(finding.evidence),
        status=_history_status(finding) if history else "",
    )


def memory_limit(doc: AnalysisDocument) -> str | None:
    """The broker's memory limit, as the OOM finding (else any finding) states it."""
    findings = doc.findings + doc.history
    ordered = sorted(findings, key=lambda f: f.key != "broker_pod_oomkilled")
    for finding in ordered:
        limit = shown(finding.facts.get("memory_limit"))
        if limit:
            return limit
    return None


def symptom_views(symptoms: list[Symptom], table_classes: list[str]) -> list[SymptomView]:
    columns = [FailureClass(c) for c in table_classes]
    return [
        SymptomView(
            symptom=s.symptom or w.humanise(s.key),
            observed=s.observed or "unknown",
            cells=[
                SymptomCell(expected=text(s.expected.get(c)), matched=c in s.matches)
                for c in columns
            ],
        )
        for s in symptoms
    ]


def counter_views(counter: list[CounterEvidence]) -> list[CounterView]:
    return [
        CounterView(
            class_name=class_name(c.cls),
            rows=[
                CounterRow(
                    symptom=text(r.symptom), observed=text(r.observed), expected=text(r.expected)
                )
                for r in c.against
            ],
        )
        for c in counter
    ]


def _failed(f: FailedCollection) -> FailedView:
    return FailedView(
        path=text(f.path),
        command=text(f.command),
        exit_code=text(f.exit_code, "did not start"),
        timed_out=text(f.timed_out),
        error=text(f.error),
    )


def gaps(doc: AnalysisDocument) -> Gaps:
    return Gaps(
        missing=[
            MissingView(
                source=text(m.source),
                what=text(m.what),
                why=w.SOURCE_WHY.get(m.source, ""),
                command=text(m.command),
            )
            for m in doc.missing_sources
        ],
        failed=[_failed(f) for f in doc.failed_collections],
        problems=[
            ProblemView(file=text(p.file), problem=text(p.problem), skipped=text(p.skipped))
            for p in doc.problems
        ],
        unrecognised=[text(u) for u in doc.unrecognised_files],
        clock=[text(c) for c in doc.clock_assumptions],
        history=[finding_view(f, history=True) for f in doc.history],
    )
