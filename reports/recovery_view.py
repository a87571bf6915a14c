"""The advice in words: recovery for this deployment, the escalation packet, clean-up of
stuck VMs and prevention."""

from __future__ import annotations

from analyzer.document import (
    AnalysisDocument,
    ServiceState,
    StuckVm,
)
from analyzer.document import (
    Escalation as EscalationEntry,
)
from reports import wording as w
from reports.findings_view import evidence_rows, memory_limit
from reports.text import DASH, duration, text
from reports.view_types import (
    Cleanup,
    CleanupVm,
    Escalation,
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
    notes = []
    limit = memory_limit(doc)
    for key in rec.notes:
        note = w.lookup(w.NOTE_WORDS, key)
        if key == "oom" and limit:
            note += " " + w.NOTE_MEMORY_LIMIT.format(memory_limit=limit)
        notes.append(note)
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
        notes=notes,
        escalation=escalation,
        escalation_intro=w.SELF_HOSTED_ESCALATION,
        saas_intro=w.SAAS_INTRO,
        saas_no_packet=w.SAAS_NO_PACKET,
    )


def cleanup(doc: AnalysisDocument) -> Cleanup:
    vms = []
    for vm in doc.cleanup.commands:
        title = f"{vm.name} ({vm.id})" if vm.name and vm.id else vm.name or vm.id or DASH
        vms.append(CleanupVm(title=title, commands=list(vm.commands)))
    return Cleanup(check=doc.cleanup.check, vms=vms)


def prevention(doc: AnalysisDocument, deployment: str) -> list[str]:
    prev = doc.prevention
    batch = prev.batch_size
    low, high = (str(batch[0]), str(batch[-1])) if len(batch) >= 2 else ("20", "50")
    out = [w.PREVENT_BATCH.format(low=low, high=high)]
    burst = prev.burst
    if burst is not None:
        out.append(w.PREVENT_BURST.format(creates=burst.creates, window=duration(burst.window_s)))
        size = (w.PREVENT_BURST_OVER if burst.over_batch else w.PREVENT_BURST_WITHIN).format(
            high=high
        )
        if burst.first is not None and burst.last is not None:
            out.append(
                w.PREVENT_BURST_SPAN.format(
                    first=text(burst.first), last=text(burst.last), size=size
                )
            )
        else:
            out.append(w.PREVENT_BURST_SIZE.format(size=size))
    monitor = w.PREVENT_MONITOR
    if deployment != "saas":
        monitor += " " + w.PREVENT_MONITOR_SELF_HOSTED
        limit = memory_limit(doc)
        if limit:
            monitor += " " + w.NOTE_MEMORY_LIMIT.format(memory_limit=limit)
    out.append(monitor)
    out.append(w.PREVENT_QUOTAS)
    return out
