"""From an ``analysis.json`` document to what the report shows, in words.

Both templates render the same :class:`Report`. Building it is tolerant: any key may be
missing, null or of the wrong type (documents come from older or newer analyzers, or are
edited by hand); the report then says less, it never fails. Values are left as plain
strings here; escaping is the templates' job (HTML autoescape, Markdown filters).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reports import wording as w

DASH = "—"


# --- tolerant accessors ----------------------------------------------------------------


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in _list(value) if isinstance(v, dict)]


def _str(value: object) -> str | None:
    """A scalar as text; None (and empty containers) as None."""
    if value is None or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(t for t in (_str(v) for v in value) if t is not None)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_str(v) or DASH}" for k, v in value.items())
    return str(value)


def _text(value: object, default: str = DASH) -> str:
    text = _str(value)
    return default if text is None or text == "" else text


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def duration(seconds: object) -> str:
    """Seconds as a short human duration: ``45 s``, ``24 min``, ``2 h 5 min``, ``3 d 4 h``."""
    s = _num(seconds)
    if s is None:
        return _text(seconds)
    if s < 0:
        return f"-{duration(-s)}"
    if s < 60:
        return f"{int(s)} s"
    minutes = int(s // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _fact_text(key: str, value: object) -> str | None:
    if key.endswith("_s") and _num(value) is not None:
        return duration(value)
    return _str(value)


def _facts(facts: Mapping[str, Any], *, drop_zero: bool = False) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in facts.items():
        if drop_zero and (value is False or (_num(value) == 0)):
            continue
        text = _fact_text(str(key), value)
        if text is not None and text != "":
            out[str(key)] = text
    return out


# --- the view model --------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRow:
    where: str
    timestamp: str
    text: str

    @property
    def line(self) -> str:
        return f"{self.where}  {self.timestamp}  {self.text}"


@dataclass(frozen=True)
class FindingView:
    key: str
    title: str
    sentence: str
    supports: str
    strength: str
    evidence: list[EvidenceRow]
    status: str = ""  # history only: resolved / too old


@dataclass(frozen=True)
class SymptomCell:
    expected: str
    matched: bool


@dataclass(frozen=True)
class SymptomView:
    symptom: str
    observed: str
    cells: list[SymptomCell]


@dataclass(frozen=True)
class CounterRow:
    symptom: str
    observed: str
    expected: str


@dataclass(frozen=True)
class CounterView:
    class_name: str
    rows: list[CounterRow]


@dataclass(frozen=True)
class VmView:
    id: str
    name: str
    status: str
    task_state: str
    host: str
    created: str
    age: str


@dataclass(frozen=True)
class ServiceView:
    binary: str
    host: str
    status: str
    state: str
    updated_at: str


@dataclass(frozen=True)
class StepView:
    number: int
    text: str
    commands: list[str]


@dataclass(frozen=True)
class Escalation:
    start: str
    end: str
    servers: list[VmView]
    services: list[ServiceView]
    lines: list[EvidenceRow]


@dataclass(frozen=True)
class Recovery:
    facts: str  # data-bearing sentence (down hosts), shown before the advice
    advice: list[str]  # constant words (may mark commands with backticks)
    missing_commands: list[tuple[str, str]]  # inconclusive: (what, command)
    block: bool  # show the deployment-specific messaging-layer recovery
    preface: str
    unknown_deployment: str
    self_hosted: bool
    saas: bool
    steps: list[StepView]
    no_steps: str
    after: list[str]
    notes: list[str]
    escalation: Escalation | None
    escalation_intro: str
    saas_intro: str
    saas_no_packet: str


@dataclass(frozen=True)
class CleanupVm:
    title: str
    commands: list[str]


@dataclass(frozen=True)
class Cleanup:
    check: str | None
    vms: list[CleanupVm]


@dataclass(frozen=True)
class BundleView:
    name: str
    details: str


@dataclass(frozen=True)
class MissingView:
    source: str
    what: str
    why: str
    command: str


@dataclass(frozen=True)
class FailedView:
    path: str
    command: str
    exit_code: str
    timed_out: str
    error: str


@dataclass(frozen=True)
class ProblemView:
    file: str
    problem: str
    skipped: str


@dataclass(frozen=True)
class Gaps:
    missing: list[MissingView]
    failed: list[FailedView]
    problems: list[ProblemView]
    unrecognised: list[str]
    clock: list[str]
    history: list[FindingView]

    @property
    def empty(self) -> bool:
        return not (
            self.missing
            or self.failed
            or self.problems
            or self.unrecognised
            or self.clock
            or self.history
        )


@dataclass(frozen=True)
class Report:
    title: str
    class_key: str  # one of the known classes or "unknown": safe for a CSS class name
    class_name: str
    confidence: str
    confidence_label: str
    subcauses: list[str]
    deployment: str
    deployment_basis: str
    region: str
    namespace: str
    collected_at: str
    collected_basis: str
    bundles: list[BundleView]
    scores: str
    counts: str
    table_classes: list[str]
    verdict_column: int  # index into table_classes, -1 when the verdict is not a column
    symptoms: list[SymptomView]
    findings: list[FindingView]
    counter: list[CounterView]
    recovery: Recovery
    stuck: list[VmView]
    stuck_none: str
    cleanup: Cleanup
    cleanup_intro: str
    cleanup_each: str
    cleanup_saas: str
    prevention: list[str]
    gaps: Gaps
    gaps_none: str
    generator: str
    schema: str
    runbook: str = w.RUNBOOK_TITLE


# --- building it -----------------------------------------------------------------------


def class_name(cls: object) -> str:
    return w.lookup(w.CLASS_NAMES, cls)


def _evidence(items: object) -> list[EvidenceRow]:
    rows = []
    for e in _dicts(items):
        file = _text(e.get("file"), "?")
        line = _str(e.get("line"))
        rows.append(
            EvidenceRow(
                where=f"{file}:{line}" if line is not None else file,
                timestamp=_text(e.get("timestamp"), "-"),
                text=_text(e.get("text"), ""),
            )
        )
    return rows


def finding_sentence(finding: Mapping[str, Any]) -> str:
    key = _text(finding.get("key"), "")
    facts = _dict(finding.get("facts"))
    words = w.FINDING_SENTENCES.get(key)
    if words is None:
        known = _str(finding.get("description"))
        return known if known else w.humanise(key) + "."
    main = w.fill(words.text, _facts(facts)) or words.fallback
    extra_facts = _facts(facts, drop_zero=True)
    extras = [s for s in (w.fill(t, extra_facts) for t in words.extras) if s is not None]
    return " ".join([main, *extras])


def _history_status(finding: Mapping[str, Any]) -> str:
    facts = _dict(finding.get("facts"))
    if facts.get("resolved"):
        at = _str(facts.get("resolved_at"))
        return w.HISTORY_RESOLVED.format(at=at) if at else w.HISTORY_RESOLVED_NO_TIME
    at = _str(facts.get("last"))
    return w.HISTORY_OLD.format(at=at) if at else w.HISTORY_OLD_NO_TIME


def _finding(finding: Mapping[str, Any], *, history: bool = False) -> FindingView:
    key = _text(finding.get("key"), "")
    strength = _num(finding.get("strength"))
    return FindingView(
        key=key,
        title=w.lookup(w.FINDING_TITLES, key),
        sentence=finding_sentence(finding),
        supports=class_name(finding.get("supports")),
        strength=f"{strength:.2f}" if strength is not None else DASH,
        evidence=_evidence(finding.get("evidence")),
        status=_history_status(finding) if history else "",
    )


def _vm(vm: Mapping[str, Any]) -> VmView:
    return VmView(
        id=_text(vm.get("id")),
        name=_text(vm.get("name")),
        status=_text(vm.get("status")),
        task_state=_text(vm.get("task_state")),
        host=_text(vm.get("host"), "none"),
        created=_text(vm.get("created_at")),
        age=duration(vm.get("age_s")) if vm.get("age_s") is not None else DASH,
    )


def _service(svc: Mapping[str, Any]) -> ServiceView:
    return ServiceView(
        binary=_text(svc.get("binary")),
        host=_text(svc.get("host")),
        status=_text(svc.get("status")),
        state=_text(svc.get("state")),
        updated_at=_text(svc.get("updated_at")),
    )


def _commands(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [c if isinstance(c, str) else _text(c, "") for c in _list(value) if c is not None]


def _command_line(value: object) -> str:
    """A manifest command: an argument list (shown shell-quoted) or a string."""
    if isinstance(value, list):
        return shlex.join(str(a) for a in value)
    return _text(value)


def _memory_limit(doc: Mapping[str, Any]) -> str | None:
    findings = _dicts(doc.get("findings")) + _dicts(doc.get("history"))
    ordered = sorted(findings, key=lambda f: f.get("key") != "broker_pod_oomkilled")
    for finding in ordered:
        limit = _str(_dict(finding.get("facts")).get("memory_limit"))
        if limit:
            return limit
    return None


def _down_hosts(doc: Mapping[str, Any]) -> list[str]:
    hosts: list[str] = []
    for finding in _dicts(doc.get("findings")):
        facts = _dict(finding.get("facts"))
        if finding.get("key") == "compute_service_down":
            hosts += [_text(h) for h in _list(facts.get("down_hosts"))]
    escalation = _dict(_dict(doc.get("recovery")).get("escalation"))
    for svc in _dicts(escalation.get("services")):
        if str(svc.get("state", "")).lower() == "down" and svc.get("host") is not None:
            hosts.append(_text(svc.get("host")))
    return sorted(set(hosts))


def _deployment(doc: Mapping[str, Any]) -> str:
    dep = doc.get("deployment") or _dict(doc.get("recovery")).get("deployment")
    dep = str(dep).lower() if dep is not None else "unknown"
    return dep if dep in ("self-hosted", "saas") else "unknown"


def _escalation(value: object) -> Escalation | None:
    esc = _dict(value)
    if not esc:
        return None
    span = _dict(esc.get("time_range"))
    return Escalation(
        start=_text(span.get("start"), "unknown"),
        end=_text(span.get("end"), "unknown"),
        servers=[_vm(v) for v in _dicts(esc.get("build_servers"))],
        services=[_service(s) for s in _dicts(esc.get("services"))],
        lines=_evidence(esc.get("ostackhost_lines")),
    )


def _recovery(doc: Mapping[str, Any], cls: str, deployment: str) -> Recovery:
    rec = _dict(doc.get("recovery"))
    steps = [
        StepView(
            number=i,
            text=w.lookup(w.STEP_WORDS, step.get("key")),
            commands=_commands(step.get("commands")),
        )
        for i, step in enumerate(_dicts(rec.get("steps")), start=1)
    ]
    escalation = _escalation(rec.get("escalation"))
    if cls == w.MESSAGING and deployment == "saas":
        advice = [w.MESSAGING_SAAS]
    else:
        advice = [w.CLASS_RECOVERY.get(cls, w.CLASS_RECOVERY[w.INCONCLUSIVE])]
    missing_commands: list[tuple[str, str]] = []
    facts = ""
    if cls == w.HOST:
        hosts = _down_hosts(doc)
        if hosts:
            facts = w.HOST_DOWN.format(hosts=", ".join(hosts))
    if cls not in w.CLASS_RECOVERY or cls == w.INCONCLUSIVE:
        missing_commands = [
            (_text(m.get("what"), w.humanise(_text(m.get("source"), ""))), _text(m.get("command")))
            for m in _dicts(doc.get("missing_sources"))
        ]
        if not missing_commands and isinstance(doc.get("missing_sources"), list):
            advice.append(w.INCONCLUSIVE_NOTHING_MISSING)
    block = cls == w.MESSAGING or bool(steps) or (cls == w.INCONCLUSIVE and escalation is not None)
    notes = []
    memory_limit = _memory_limit(doc)
    for key in _list(rec.get("notes")):
        note = w.lookup(w.NOTE_WORDS, key)
        if key == "oom" and memory_limit:
            note += " " + w.NOTE_MEMORY_LIMIT.format(memory_limit=memory_limit)
        notes.append(note)
    return Recovery(
        facts=facts,
        advice=advice,
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


def _cleanup(doc: Mapping[str, Any]) -> Cleanup:
    clean = _dict(doc.get("cleanup"))
    vms = []
    for vm in _dicts(clean.get("commands")):
        name, vm_id = _str(vm.get("name")), _str(vm.get("id"))
        title = f"{name} ({vm_id})" if name and vm_id else name or vm_id or DASH
        vms.append(CleanupVm(title=title, commands=_commands(vm.get("commands"))))
    return Cleanup(check=_str(clean.get("check")), vms=vms)


def _prevention(doc: Mapping[str, Any], deployment: str) -> list[str]:
    prev = _dict(doc.get("prevention"))
    batch = [b for b in _list(prev.get("batch_size")) if _num(b) is not None]
    low, high = (_text(batch[0]), _text(batch[-1])) if len(batch) >= 2 else ("20", "50")
    out = [w.PREVENT_BATCH.format(low=low, high=high)]
    burst = _dict(prev.get("burst"))
    if burst:
        creates, window = burst.get("creates"), burst.get("window_s")
        if creates is not None and window is not None:
            out.append(w.PREVENT_BURST.format(creates=_text(creates), window=duration(window)))
        rest = {k: v for k, v in burst.items() if k not in ("creates", "window_s")}
        details = _facts(rest)
        if details:
            out.append(
                w.PREVENT_BURST_EXTRA.format(
                    details=", ".join(f"{k.replace('_', ' ')} {v}" for k, v in details.items())
                )
            )
    monitor = w.PREVENT_MONITOR
    if deployment != "saas":
        monitor += " " + w.PREVENT_MONITOR_SELF_HOSTED
        limit = _memory_limit(doc)
        if limit:
            monitor += " " + w.NOTE_MEMORY_LIMIT.format(memory_limit=limit)
    out.append(monitor)
    out.append(w.PREVENT_QUOTAS)
    return out


def _gaps(doc: Mapping[str, Any]) -> Gaps:
    return Gaps(
        missing=[
            MissingView(
                source=_text(m.get("source")),
                what=_text(m.get("what")),
                why=w.SOURCE_WHY.get(_text(m.get("source"), ""), ""),
                command=_text(m.get("command")),
            )
            for m in _dicts(doc.get("missing_sources"))
        ],
        failed=[
            FailedView(
                path=_text(f.get("path")),
                command=_command_line(f.get("command")),
                exit_code=_text(f.get("exit_code"), "did not start"),
                timed_out=_text(f.get("timed_out")),
                error=_text(f.get("error")),
            )
            for f in _dicts(doc.get("failed_collections"))
        ],
        problems=[
            ProblemView(
                file=_text(p.get("file")),
                problem=_text(p.get("problem")),
                skipped=_text(p.get("skipped")),
            )
            for p in _dicts(doc.get("problems"))
        ],
        unrecognised=[_text(u) for u in _list(doc.get("unrecognised_files"))],
        clock=[_text(c) for c in _list(doc.get("clock_assumptions"))],
        history=[_finding(f, history=True) for f in _dicts(doc.get("history"))],
    )


def _bundles(doc: Mapping[str, Any]) -> list[BundleView]:
    out = []
    for b in _dicts(doc.get("bundles")):
        parts = []
        if b.get("files") is not None:
            parts.append(f"{_text(b.get('files'))} files")
        if b.get("collected_at") is not None:
            parts.append(f"collected {_text(b.get('collected_at'))}")
        basis = b.get("collected_at_basis")
        if basis is not None:
            parts.append(w.lookup(w.COLLECTED_BASIS, basis))
        if b.get("collector") is not None:
            parts.append(f"collector {_text(b.get('collector'))}")
        out.append(BundleView(name=_text(b.get("name")), details="; ".join(parts)))
    return out


def _counts(doc: Mapping[str, Any]) -> str:
    counts = _dict(doc.get("counts"))
    known = dict(w.COUNT_WORDS)
    parts = [
        f"{_text(counts[k])} {words}"
        for k, words in w.COUNT_WORDS
        if k in counts and (counts[k] or k not in w.COUNTS_SHOWN_WHEN_NONZERO)
    ]
    parts += [f"{_text(v)} {w.humanise(k).lower()}" for k, v in counts.items() if k not in known]
    return ", ".join(parts)


def _scores(verdict: Mapping[str, Any]) -> str:
    scores = _dict(verdict.get("scores"))
    parts = []
    for cls, value in scores.items():
        n = _num(value)
        parts.append(f"{class_name(cls)} {n:.2f}" if n is not None else class_name(cls))
    return ", ".join(parts)


def _collected_basis(doc: Mapping[str, Any]) -> str:
    basis = doc.get("collected_at_basis")
    if basis is not None:
        return w.lookup(w.COLLECTED_BASIS, basis)
    if doc.get("collected_at") is not None:
        return w.COLLECTED_BASIS_NOT_STATED
    return w.COLLECTED_BASIS["unknown"]


def build(doc: Mapping[str, Any]) -> Report:
    verdict = _dict(doc.get("verdict"))
    cls = _text(verdict.get("class"), w.INCONCLUSIVE)
    confidence = _num(verdict.get("confidence"))
    deployment = _deployment(doc)
    generator = _dict(doc.get("generator"))
    gen_name = _text(generator.get("name"), "analyze")
    gen_version = _str(generator.get("version"))
    table_classes = list(w.TABLE_CLASSES)
    return Report(
        title=f"PCD support bundle analysis: {class_name(cls)}",
        class_key=cls if cls in w.CLASS_NAMES else "unknown",
        class_name=class_name(cls),
        confidence=f"{round(confidence * 100)}%" if confidence is not None else "unknown",
        confidence_label=w.confidence_label(confidence) if confidence is not None else "unknown",
        subcauses=[w.lookup(w.FINDING_TITLES, s) for s in _list(verdict.get("subcauses"))],
        deployment=w.lookup(w.DEPLOYMENT_NAMES, deployment),
        deployment_basis=(
            w.lookup(w.DEPLOYMENT_BASIS, doc["deployment_basis"])
            if doc.get("deployment_basis") is not None
            else w.DEPLOYMENT_BASIS["unknown"]
        ),
        region=_text(doc.get("region"), "unknown"),
        namespace=_text(doc.get("namespace"), "unknown"),
        collected_at=_text(doc.get("collected_at"), "unknown"),
        collected_basis=_collected_basis(doc),
        bundles=_bundles(doc),
        scores=_scores(verdict),
        counts=_counts(doc),
        table_classes=[class_name(c) for c in table_classes],
        verdict_column=table_classes.index(cls) if cls in table_classes else -1,
        symptoms=[
            SymptomView(
                symptom=_text(s.get("symptom"), w.humanise(_text(s.get("key"), ""))),
                observed=_text(s.get("observed"), "unknown"),
                cells=[
                    SymptomCell(
                        expected=_text(_dict(s.get("expected")).get(c)),
                        matched=c in _list(s.get("matches")),
                    )
                    for c in table_classes
                ],
            )
            for s in _dicts(doc.get("symptoms"))
        ],
        findings=[_finding(f) for f in _dicts(doc.get("findings"))],
        counter=[
            CounterView(
                class_name=class_name(c.get("class")),
                rows=[
                    CounterRow(
                        symptom=_text(r.get("symptom")),
                        observed=_text(r.get("observed")),
                        expected=_text(r.get("expected")),
                    )
                    for r in _dicts(c.get("against"))
                ],
            )
            for c in _dicts(doc.get("counter_evidence"))
        ],
        recovery=_recovery(doc, cls, deployment),
        stuck=[_vm(v) for v in _dicts(doc.get("stuck_vms"))],
        stuck_none=w.STUCK_NONE,
        cleanup=_cleanup(doc),
        cleanup_intro=w.CLEANUP_INTRO
        if cls in (w.MESSAGING, w.INCONCLUSIVE)
        else w.CLEANUP_INTRO_OTHER,
        cleanup_each=w.CLEANUP_EACH,
        cleanup_saas=w.CLEANUP_SAAS,
        prevention=_prevention(doc, deployment),
        gaps=_gaps(doc),
        gaps_none=w.GAPS_NONE,
        generator=f"{gen_name} {gen_version}" if gen_version else gen_name,
        schema=_text(doc.get("schema"), "unknown"),
    )
