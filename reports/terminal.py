"""The short verdict `analyze` prints on standard error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.runbook import STUCK_AFTER_WORDS
from reports.text import nothing_read
from reports.wording import CLASS_NAMES, COLLECTED_BASIS, NOTHING_READ_TITLE, confidence_label

if TYPE_CHECKING:
    from analyzer.document import AnalysisDocument


def terminal_summary(doc: AnalysisDocument) -> str:
    verdict = doc.verdict
    cls = verdict.cls.value
    confidence = verdict.confidence
    label = confidence_label(confidence)
    if nothing_read(doc):
        lines = [f"{NOTHING_READ_TITLE}: no file in the bundle held data the analyzer reads"]
    else:
        lines = [f"{CLASS_NAMES.get(cls, cls)} ({cls}), confidence {confidence:.0%} ({label})"]
    if verdict.subcauses:
        lines.append("  sub-causes: " + ", ".join(verdict.subcauses))
    if doc.stuck_vms:
        lines.append(f"  {len(doc.stuck_vms)} VM(s) stuck in BUILD for over {STUCK_AFTER_WORDS}")
    if doc.missing_sources:
        lines.append("  missing: " + ", ".join(m.what for m in doc.missing_sources))
    if doc.problems:
        lines.append(f"  {len(doc.problems)} bundle problem(s) listed in the report")
    basis = doc.collected_at_basis
    if basis and basis != "manifest":
        words = COLLECTED_BASIS.get(basis, f"no manifest: collection time basis {basis}")
        when = f" ({doc.collected_at})" if doc.collected_at is not None else ""
        lines.append(f"  {words}{when}")
    return "\n".join(lines)
