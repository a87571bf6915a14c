"""The advice in words: recovery for this deployment, the escalation packet, clean-up of
stuck VMs and prevention."""

from __future__ import annotations

from analyzer.document import (
    AnalysisDocument,
    Burst,
    ServiceState,
    Step,
    StuckVm,
)
from analyzer.document import (
    Escalation as EscalationEntry,
)
from reports import wording as w
from reports.findings_view import evidence_rows, memory_limit
from reports.text import DASH, duration, second, text
from reports.view_types import (
    Cleanup,
    Escalation,
    FixView,
    Recovery,
    ServiceView,
    StepView,
    VmView,
)


def vm_view(vm: StuckVm) -> VmView:
    return VmView(
        id=text(vm.id),
        name=text(vm.name),
        status=text(vm.status),
        task_state=text(vm.task_state),
        host=text(vm.host, "none"),
        created=text(vm.created_at),
        age=duration(vm.age_s) if vm.age_s is not None else DASH,
    )


def _service(svc: ServiceState) -> ServiceView:
    return ServiceView(
        binary=text(svc.binary),
        host=text(svc.host),
        status=text(svc.status),
        state=text(svc.state),
        updated_at=text(svc.updated_at),
    )


def _down_hosts(doc: AnalysisDocument) -> list[str]:
    hosts: list[str] = []
    for finding in doc.findings:
        if finding.key == "compute_service_down":
            down = finding.facts.get("down_hosts")
            hosts += [text(h) for h in down] if isinstance(down, list) else []
    escalation = doc.recovery.escalation
    for svc in escalation.services if escalation is not None else []:
        if (svc.state or "").lower() == "down" and svc.host is not None:
            hosts.append(text(svc.host))
    return sorted(set(hosts))


def _escalation(esc: EscalationEntry | None) -> Escalation | None:
    if esc is None:
        return None
    return Escalation(
        start=text(esc.time_range.start, "unknown"),
        end=text(esc.time_range.end, "unknown"),
        servers=[vm_view(v) for v in esc.build_servers],
        services=[_service(s) for s in esc.services],
        lines=evidence_rows(esc.ostackhost_lines),
    )


def _advice(doc: AnalysisDocument, cls: str, deployment: str) -> list[str]:
    if cls == w.MESSAGING and deployment == "saas":
        advice = [w.MESSAGING_SAAS]
    else:
        advice = [w.CLASS_RECOVERY.get(cls, w.CLASS_RECOVERY[w.INCONCLUSIVE])]
    if (cls not in w.CLASS_RECOVERY or cls == w.INCONCLUSIVE) and not doc.missing_sources:
        advice.append(w.INCONCLUSIVE_NOTHING_MISSING)
    return advice


def recovery(doc: AnalysisDocument, cls: str, deployment: str) -> Recovery:
    rec = doc.recovery
    steps = [
        StepView(number=i, text=w.lookup(w.STEP_WORDS, step.key), commands=list(step.commands))
        for i, step in enumerate(rec.steps, start=1)
    ]
    escalation = _escalation(rec.escalation)
    missing_commands: list[tuple[str, str]] = []
    found = ""
    if cls == w.HOST:
        hosts = _down_hosts(doc)
        if hosts:
            found = w.HOST_DOWN.format(hosts=", ".join(hosts))
    if cls not in w.CLASS_RECOVERY or cls == w.INCONCLUSIVE:
        missing_commands = [
            (text(m.what, w.humanise(m.source)), text(m.command)) for m in doc.missing_sources
        ]
    block = cls == w.MESSAGING or bool(steps) or (cls == w.INCONCLUSIVE and escalation is not None)
    return Recovery(
        facts=found,
        advice=_advice(doc, cls, deployment),
        missing_commands=missing_commands,
        block=block,
        preface=w.INCONCLUSIVE_MESSAGING if block and cls != w.MESSAGING else "",
        unknown_deployment=w.UNKNOWN_DEPLOYMENT if deployment == "unknown" else "",
        self_hosted=deployment != "saas",
        saas=deployment != "self-hosted",
        steps=steps,
        no_steps=w.NO_STEPS,
        after=[w.RUNBOOK_AFTER_RESTART, w.RUNBOOK_ESCALATE],
        fixes=[fix_view(f) for f in rec.fixes],
        escalation=escalation,
        escalation_intro=w.SELF_HOSTED_ESCALATION,
        saas_intro=w.SAAS_INTRO,
        saas_no_packet=w.SAAS_NO_PACKET,
    )


def fix_facts(fix: Step) -> dict[str, str]:
    """The fix's facts, with the words of its coded ones (``peak_basis`` -> ``peak_words``)."""
    facts = {k: text(v) for k, v in fix.facts.items()}
    for name, table in w.FIX_FACT_WORDS.items():
        code = fix.facts.get(name.replace("_words", "_basis"))
        if code in table:
            facts[name] = table[code]
    return facts


def fix_view(fix: Step) -> FixView:
    facts = fix_facts(fix)
    sentences = [w.fill(t, facts) for t in w.FIX_FACTS.get(fix.key, ())]
    advice = w.FIX_ADVICE.get(fix.key, "")
    if fix.key == "raise_memory_limit" and "owner" not in facts:
        advice = f"{w.FIX_NO_OWNER} {advice}"
    return FixView(
        key=fix.key,
        title=w.lookup(w.FIX_TITLES, fix.key),
        facts=[s for s in sentences if s is not None],
        advice=advice,
        commands=list(fix.commands),
        evidence=evidence_rows(fix.evidence),
    )


def cleanup(doc: AnalysisDocument) -> Cleanup:
    return Cleanup(check=doc.cleanup.check, commands=list(doc.cleanup.commands))


def prevention(doc: AnalysisDocument, deployment: str) -> list[str]:
    prev = doc.prevention
    batch = prev.batch_size
    low, high = (str(batch[0]), str(batch[-1])) if len(batch) >= 2 else ("20", "50")
    out = [w.PREVENT_BATCH.format(low=low, high=high)]
    burst_line = _prevention_burst(doc.burst, low, high)
    if burst_line:
        out.append(burst_line)
    monitor = w.PREVENT_MONITOR
    if deployment != "saas":
        monitor += " " + w.PREVENT_MONITOR_SELF_HOSTED
        limit = memory_limit(doc)
        if limit:
            monitor += " " + w.NOTE_MEMORY_LIMIT.format(memory_limit=limit)
    out.append(monitor)
    out.append(w.PREVENT_QUOTAS)
    return out


def _prevention_burst(burst: Burst | None, low: str, high: str) -> str:
    """The timeline's burst before the onset, the same figures as its burst analysis."""
    if burst is None or not burst.preceded_failure:
        return ""
    if burst.burst_first is None or burst.burst_last is None:
        return ""
    size = w.PREVENT_BURST_SIZE.get(burst.versus_runbook)
    if size is None:
        return ""
    return w.PREVENT_BURST.format(
        creates=burst.creates_before_onset,
        span=duration(burst.burst_span_s),
        first=second(burst.burst_first),
        last=second(burst.burst_last),
        size=size.format(low=low, high=high),
    )
