"""Differential diagnosis: run the rules, fill the symptom table, rank the hypotheses."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analyzer.model import Deployment, FailureClass, Finding
from analyzer.rules import RULES, Rule
from analyzer.rules.context import RuleContext
from analyzer.runbook import CLASSES, SOURCES, SYMPTOMS

NO_FAILURE_BELOW = 0.25
CONTESTED = 0.85  # runner-up within this share of the winner: inconclusive


@dataclass
class SymptomRow:
    key: str
    symptom: str
    observed: str
    matches: list[FailureClass]
    expected: dict[FailureClass, str]


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
    findings = []
    for rule in rules:
        finding = rule.evaluate(ctx)
        if finding is not None:
            finding.subcause = rule.subcause
            findings.append(finding)
    return findings


def diagnose(ctx: RuleContext) -> Diagnosis:
    found = run_rules(ctx)
    current = [f for f in found if f.strength > 0]
    history = [f for f in found if f.strength <= 0]
    symptoms = symptom_table(ctx, current)
    missing, coverage = missing_sources(ctx)
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


def _by_key(findings: list[Finding]) -> dict[str, Finding]:
    return {f.key: f for f in findings}


def symptom_table(ctx: RuleContext, findings: list[Finding]) -> list[SymptomRow]:
    f = _by_key(findings)
    M, R, H = CLASSES
    rows: list[SymptomRow] = []

    def row(key: str, observed: str, matches: list[FailureClass]) -> None:
        symptom, expected = SYMPTOMS[key]
        rows.append(SymptomRow(key, symptom, observed, matches, expected))

    # 1. stuck in BUILD
    build, stuck = ctx.build_vms, ctx.stuck_vms
    if not ctx.frames.has("servers"):
        row("stuck_in_build", "unknown: no server list in the bundle", [])
    elif stuck.empty:
        young = len(build)
        extra = f"; {young} in BUILD for under ten minutes" if young else ""
        unknown_age = int(build["created_at"].isna().sum()) if young else 0
        if unknown_age:
            extra += f" ({unknown_age} of unknown age)"
        row("stuck_in_build", f"No VM in BUILD for over ten minutes{extra}", [R])
    else:
        oldest = stuck["age"].max()
        on_down = stuck["host"].isin(ctx.down_hosts).sum()
        observed = (
            f"Yes: {len(stuck)} VMs in BUILD for over ten minutes "
            f"(oldest {int(oldest.total_seconds() // 60)} min), "
            f"{int(stuck['fault_message'].notna().sum())} with a fault"
        )
        if on_down:
            observed += f", {int(on_down)} on a down host"
        row(
            "stuck_in_build", observed, [H] if on_down == len(stuck) else [M, H] if on_down else [M]
        )

    # 2. error message family
    families = []
    matches = []
    if "no_valid_host" in f:
        families.append("No valid host was found")
        matches.append(R)
    if "spawn_failure" in f or "libvirt_error" in f:
        families.append("Failed to spawn / libvirt error")
        matches.append(H)
    timeouts = [k for k in ("rpc_timeout", "broker_unreachable") if k in f]
    has_data = ctx.frames.has("servers") or ctx.frames.has("logs")
    if (timeouts or not families) and has_data:
        families.append("generic timeout (" + ", ".join(timeouts) + ")" if timeouts else "None")
        if timeouts or not stuck.empty:
            matches.append(M)
    row("error_message", "; ".join(families) or "unknown", matches)

    # 3. simultaneity
    failing = _recent_failures(ctx)
    if failing.empty:
        row("simultaneous", "No recent failed or hanging creates", [])
    else:
        hosts = failing["host"].dropna().astype(str)
        n_hosts = hosts.nunique()
        concentrated = not hosts.empty and n_hosts == 1 and len(hosts) == len(failing)
        if concentrated or (hosts.isin(ctx.down_hosts).all() and len(hosts) == len(failing)):
            observed = f"No: all {len(failing)} failures on {', '.join(sorted(set(hosts)))}"
            row("simultaneous", observed, [H])
        else:
            first = failing["when"].min()
            last = failing["when"].max()
            span = int((last - first).total_seconds() // 60) if pd.notna(first) else None
            observed = (
                f"Yes: {len(failing)} creates failed or hang"
                + (f" within {span} min" if span is not None else "")
                + (
                    f", across {n_hosts} hosts"
                    if n_hosts > 1
                    else ", not placed on any host"
                    if n_hosts == 0
                    else ""
                )
            )
            row("simultaneous", observed, [M, R])

    # 4. existing running VMs
    if "existing_vms_affected" in f:
        n = f["existing_vms_affected"].facts["count"]
        row("existing_affected", f"Yes: {n} VMs on a down host stopped or in ERROR", [H])
    elif ctx.frames.has("servers"):
        active = int((ctx.servers["status"] == "ACTIVE").sum())
        row("existing_affected", f"No: {active} VMs ACTIVE", [M, R])
    else:
        row("existing_affected", "unknown: no server list in the bundle", [])

    # 5. services up
    svc = ctx.frames.services
    if svc.empty:
        row("services_up", "unknown: no compute service list in the bundle", [])
    else:
        compute = svc[svc["binary"].fillna("").str.contains("compute")]
        down = sorted(ctx.down_hosts)
        if down:
            row(
                "services_up",
                f"No: {len(down)} of {len(compute)} compute services down ({', '.join(down)})",
                [H],
            )
        else:
            row("services_up", f"Yes: all {len(compute)} compute services up", [M, R])
    return rows


def _recent_failures(ctx: RuleContext) -> pd.DataFrame:
    s = ctx.servers
    if s.empty:
        return s
    stuck = (
        ctx.stuck_vms.assign(when=ctx.stuck_vms["created_at"])
        if not ctx.stuck_vms.empty
        else s.iloc[0:0].assign(when=pd.Series(dtype="datetime64[us, UTC]"))
    )
    errors = s[(s["status"] == "ERROR") & s["fault_message"].notna()]
    errors = ctx.only_recent(errors, "fault_created").assign(when=lambda d: d["fault_created"])
    return pd.concat([stuck, errors], ignore_index=True)


def missing_sources(ctx: RuleContext) -> tuple[list[dict[str, str]], float]:
    frames, inv = ctx.frames, ctx.inventory
    logs = frames.logs
    # distinct values first: a set of a million Python strings was most of this function
    services = {str(v) for v in logs["service"].dropna().unique()} if not logs.empty else set()
    folded = frames.log_counts  # a large log folded whole still shows its service
    services |= {str(v) for v in folded["service"].dropna().unique()} if not folded.empty else set()
    present = {
        "servers": frames.has("servers"),
        "services": frames.has("services"),
        "hypervisor_logs": "nova-compute" in services,
        "pods": frames.has("pods"),
        "broker_logs": "rabbitmq" in services,
        "control_plane_logs": bool(services & {"nova-conductor", "nova-scheduler"}),
    }
    wanted = ["servers", "services", "hypervisor_logs"]
    if inv.deployment is not Deployment.SAAS:
        wanted += ["pods", "broker_logs", "control_plane_logs"]
    ns = inv.namespace or "<namespace>"
    broker_pods: list[str] = sorted(set(ctx.broker_pods["pod"].dropna().astype(str)))
    broker = broker_pods[0] if broker_pods else "<broker-pod>"
    missing = []
    coverage = 1.0
    for kind in wanted:
        if present[kind]:
            continue
        what, command, factor = SOURCES[kind]
        coverage *= factor
        missing.append(
            {"source": kind, "what": what, "command": command.format(ns=ns, broker=broker)}
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
