"""Differential diagnosis: run the rules, fill the symptom table, rank the hypotheses."""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.model import Deployment, FailureClass, Finding, once_per_meaning
from analyzer.rules import RULES, Rule
from analyzer.rules.context import RuleContext
from analyzer.runbook import CLASSES, SOURCES, Source
from analyzer.symptoms import SymptomRow, symptom_table

NO_FAILURE_BELOW = 0.25
CONTESTED = 0.85  # runner-up within this share of the winner: inconclusive


@dataclass
class Verdict:
    cls: FailureClass
    confidence: float
    subcauses: list[str]
    scores: dict[FailureClass, float]


@dataclass
class Diagnosis:
    verdict: Verdict
    findings: list[Finding]
    history: list[Finding]  # matched, but over or too old to be the current failure
    symptoms: list[SymptomRow]
    missing: list[dict[str, str]]
    counter_evidence: list[dict[str, object]] = field(default_factory=list)


def run_rules(ctx: RuleContext, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    """Each rule's finding; a rule none of whose inputs has a row in the frames is not run."""
    findings = []
    for rule in rules:
        if not any(ctx.frames.has(SOURCES[source].table) for source in rule.inputs):
            continue
        finding = rule.evaluate(ctx)
        if finding is not None:
            finding.subcause = rule.subcause
            finding.evidence = once_per_meaning(finding.evidence)
            findings.append(finding)
    return findings


def diagnose(ctx: RuleContext, rules: tuple[Rule, ...] = RULES) -> Diagnosis:
    found = run_rules(ctx, rules)
    current = [f for f in found if f.strength > 0]
    history = [f for f in found if f.strength <= 0]
    symptoms = symptom_table(ctx, current, rules)
    missing, coverage = missing_sources(ctx, rules)
    verdict = rank(ctx, current, symptoms, coverage)
    return Diagnosis(
        verdict=verdict,
        findings=current,
        history=history,
        symptoms=symptoms,
        missing=missing,
        counter_evidence=counter_evidence(verdict, symptoms),
    )


def _combine(strengths: list[float]) -> float:
    remaining = 1.0
    for s in strengths:
        remaining *= 1.0 - min(max(s, 0.0), 1.0)
    return 1.0 - remaining


def rank(
    ctx: RuleContext, findings: list[Finding], symptoms: list[SymptomRow], coverage: float
) -> Verdict:
    scores: dict[FailureClass, float] = {}
    for cls in CLASSES:
        support = [f.strength for f in findings if f.supports is cls]
        if not support:
            scores[cls] = 0.0
            continue
        rows = [r for r in symptoms if r.matches]
        agreement = sum(cls in r.matches for r in rows) / len(rows) if rows else 0.5
        scores[cls] = _combine(support) * (0.7 + 0.3 * agreement)
    ordered = sorted(CLASSES, key=lambda c: scores[c], reverse=True)
    best, runner = ordered[0], ordered[1]
    top, second = scores[best], scores[runner]
    has_data = ctx.frames.has("servers") or ctx.frames.has("logs")
    if top < NO_FAILURE_BELOW:
        if not has_data:
            return Verdict(FailureClass.INCONCLUSIVE, 0.2, [], scores)
        confidence = (1.0 - top) * coverage
        return Verdict(FailureClass.NONE, round(confidence, 2), [], scores)
    subcauses = _subcauses(findings, best)
    if second >= CONTESTED * top:
        both = _subcauses(findings, best) + _subcauses(findings, runner)
        return Verdict(FailureClass.INCONCLUSIVE, round(0.5 * coverage, 2), both, scores)
    confidence = top * (1.0 - 0.5 * second / top) * coverage
    return Verdict(best, round(min(confidence, 0.99), 2), subcauses, scores)


def _subcauses(findings: list[Finding], cls: FailureClass) -> list[str]:
    chosen = [f for f in findings if f.supports is cls and f.subcause]
    return [f.key for f in sorted(chosen, key=lambda f: f.strength, reverse=True)]


def wanted_sources(deployment: Deployment, rules: tuple[Rule, ...] = RULES) -> list[Source]:
    """The sources the rules read, in the runbook's order; a SaaS customer has no access to
    the management plane's."""
    needed = {source for rule in rules for source in rule.inputs}
    saas = deployment is Deployment.SAAS
    return [s for s in Source if s in needed and not (saas and SOURCES[s].management_plane)]


def present_sources(ctx: RuleContext) -> set[Source]:
    frames = ctx.frames
    logs = frames.logs
    # distinct values first: a set of a million Python strings was most of this function
    services = {str(v) for v in logs["service"].dropna().unique()} if not logs.empty else set()
    folded = frames.log_counts  # a large log folded whole still shows its service
    services |= {str(v) for v in folded["service"].dropna().unique()} if not folded.empty else set()
    present = {
        Source.SERVERS: frames.has("servers"),
        Source.SERVICES: frames.has("services"),
        Source.HYPERVISOR_LOGS: "nova-compute" in services,
        Source.PODS: frames.has("pods"),
        Source.BROKER_LOGS: "rabbitmq" in services,
        Source.CONTROL_PLANE_LOGS: bool(services & {"nova-conductor", "nova-scheduler"}),
    }
    return {source for source, here in present.items() if here}


def missing_sources(
    ctx: RuleContext, rules: tuple[Rule, ...] = RULES
) -> tuple[list[dict[str, str]], float]:
    """The wanted sources the bundle lacks, each with the command that collects it, and the
    share of confidence left without them."""
    inv = ctx.inventory
    present = present_sources(ctx)
    ns = inv.namespace or "<namespace>"
    broker_pods: list[str] = sorted(set(ctx.broker_pods["pod"].dropna().astype(str)))
    broker = broker_pods[0] if broker_pods else "<broker-pod>"
    missing = []
    coverage = 1.0
    for source in wanted_sources(inv.deployment, rules):
        if source in present:
            continue
        info = SOURCES[source]
        coverage *= info.factor
        missing.append(
            {
                "source": source.value,
                "what": info.what,
                "command": info.command.format(ns=ns, broker=broker),
            }
        )
    return missing, coverage


def counter_evidence(verdict: Verdict, symptoms: list[SymptomRow]) -> list[dict[str, object]]:
    """For each class not chosen, the observed rows that argued against it."""
    out: list[dict[str, object]] = []
    for cls in CLASSES:
        if cls is verdict.cls:
            continue
        against = [
            {"symptom": r.symptom, "observed": r.observed, "expected": r.expected[cls]}
            for r in symptoms
            if r.matches and cls not in r.matches
        ]
        if against:
            out.append({"class": cls.value, "against": against})
    return out
