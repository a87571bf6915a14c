"""The "Next steps" under the verdict: the two or three things to do now.

They are references into the document (``fixes/<key>``, ``steps/<key>``,
``recovery/escalation``, ``missing_sources/<source>``), never copies: the reports show
the commands of the referenced parts, so the box and the long sections cannot disagree.
"""

from __future__ import annotations

from analyzer import document as doc
from analyzer.model import Deployment, FailureClass

MAX_STEPS = 3
# a restart does not help a refused login, and the partition fix restarts pods itself
NO_RESTART_AFTER = frozenset({"check_credentials", "restart_minority"})


def next_steps(
    cls: FailureClass,
    recovery: doc.Recovery,
    missing: list[doc.MissingSource],
) -> doc.NextSteps:
    if cls is FailureClass.NONE:
        return doc.NextSteps(kind="nothing", refs=[])
    if cls is FailureClass.MESSAGING:
        if recovery.deployment is Deployment.SAAS or not recovery.steps:
            if recovery.escalation is not None:
                return doc.NextSteps(kind="escalate", refs=["recovery/escalation"])
            return doc.NextSteps(kind="advice", refs=[])
        return doc.NextSteps(kind="commands", refs=_messaging(recovery))
    if cls is FailureClass.INCONCLUSIVE and missing:
        refs = [f"missing_sources/{m.source.value}" for m in missing[:MAX_STEPS]]
        return doc.NextSteps(kind="collect", refs=refs)
    return doc.NextSteps(kind="advice", refs=[])


def _messaging(recovery: doc.Recovery) -> list[str]:
    fixes = [f"fixes/{f.key}" for f in recovery.fixes]
    steps = {s.key for s in recovery.steps}
    then = ["steps/restart_broker", "steps/wait_ready"]
    if recovery.fixes and {f.key for f in recovery.fixes} <= NO_RESTART_AFTER:
        then = ["steps/verify_reconnect"]
    first = [r for r in fixes + then if r.startswith("fixes/") or r[len("steps/") :] in steps]
    # the proof comes last, whatever is cut to keep the box short
    return [*first[: MAX_STEPS - 1], "steps/verify_create"]
