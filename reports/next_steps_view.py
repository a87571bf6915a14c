"""The "Next steps" box under the verdict, in words.

The document's ``next_steps`` only refers to parts of it; the commands shown here are the
referenced parts' own, so the box and the long sections cannot disagree.
"""

from __future__ import annotations

from analyzer.document import AnalysisDocument, Step
from reports import wording as w
from reports.recovery_view import fix_facts
from reports.text import text
from reports.view_types import NextSteps, NextStepView


def next_steps(doc: AnalysisDocument) -> NextSteps:
    ns = doc.next_steps
    words: list[str] = []
    steps = [s for s in (_resolve(doc, ref) for ref in ns.refs) if s is not None]
    if ns.kind == "nothing":
        words.append(w.NEXT_NOTHING)
    elif ns.kind == "advice" or (ns.kind != "nothing" and not steps):
        cls = doc.verdict.cls.value
        if cls == w.MESSAGING and doc.deployment.value == "saas":
            words.append(w.SAAS_NO_PACKET)
        else:
            words.append(w.CLASS_RECOVERY.get(cls, w.CLASS_RECOVERY[w.INCONCLUSIVE]))
    runnable = any(s.commands for s in steps)
    intro = ""
    if runnable:
        unknown = ns.kind == "commands" and doc.deployment.value == "unknown"
        intro = w.NEXT_INTRO_UNKNOWN_DEPLOYMENT if unknown else w.NEXT_INTRO
    return NextSteps(steps=steps, intro=intro, words=words)


def _resolve(doc: AnalysisDocument, ref: str) -> NextStepView | None:
    part, _, key = ref.partition("/")
    if part == "missing_sources":
        for m in doc.missing_sources:
            if m.source.value == key:
                what = text(m.what, w.humanise(m.source))
                return NextStepView(why=w.NEXT_COLLECT.format(what=what), commands=[m.command])
        return None
    if part == "recovery" and key == "escalation":
        return NextStepView(why=w.NEXT_WHY[ref], commands=[])
    if part == "fixes":
        step = _by_key(doc.recovery.fixes, key)
    elif part == "steps":
        step = _by_key(doc.recovery.steps, key)
    else:
        return None
    if step is None:
        return None
    facts = fix_facts(step)
    why = w.fill(w.NEXT_WHY.get(ref, ""), facts) or w.NEXT_WHY_FALLBACK.get(ref)
    if not why:
        why = w.lookup(w.FIX_TITLES if part == "fixes" else w.STEP_WORDS, key)
    return NextStepView(why=why, commands=list(step.commands))


def _by_key(steps: list[Step], key: str) -> Step | None:
    return next((s for s in steps if s.key == key), None)
