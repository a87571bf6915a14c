"""The short verdict `analyze` prints on standard error."""

from __future__ import annotations

from typing import Any

from analyzer.runbook import STUCK_AFTER_WORDS
from reports.wording import CLASS_NAMES, confidence_label


def terminal_summary(doc: dict[str, Any]) -> str:
    verdict = doc.get("verdict", {})
    cls = str(verdict.get("class", "inconclusive"))
    confidence = float(verdict.get("confidence") or 0.0)
    label = confidence_label(confidence)
    lines = [f"{CLASS_NAMES.get(cls, cls)} ({cls}), confidence {confidence:.0%} ({label})"]
    subcauses = verdict.get("subcauses") or []
    if subcauses:
        lines.append("  sub-causes: " + ", ".join(str(s) for s in subcauses))
    stuck = doc.get("stuck_vms") or []
    if stuck:
        lines.append(f"  {len(stuck)} VM(s) stuck in BUILD for over {STUCK_AFTER_WORDS}")
    missing = doc.get("missing_sources") or []
    if missing:
        lines.append("  missing: " + ", ".join(str(m.get("what")) for m in missing))
    problems = doc.get("problems") or []
    if problems:
        lines.append(f"  {len(problems)} bundle problem(s) listed in the report")
    basis = doc.get("collected_at_basis")
    if basis and basis != "manifest":
        lines.append(f"  no manifest: collection time {doc.get('collected_at')} ({basis})")
    return "\n".join(lines)
