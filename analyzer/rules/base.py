"""A diagnosis rule: one finding, computed from the frames, never reading a file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analyzer.model import FailureClass, Finding
from analyzer.rules.context import RuleContext, log_evidence


@dataclass(frozen=True)
class Rule:
    key: str
    supports: FailureClass
    description: str  # what the rule looks for, shown in --help-rules and docs
    evaluate: Callable[[RuleContext], Finding | None]
    subcause: bool = True


def log_pattern_rule(
    key: str,
    supports: FailureClass,
    strength: float,
    pattern: str,
    *,
    description: str,
    sources: tuple[str, ...] | None = None,
    resolved_by: str | None = None,
    in_detail: bool = False,
) -> Rule:
    """A rule that fires on recent log records matching ``pattern``.

    With ``resolved_by``, a later matching record on the same host and service (a reconnect,
    an alarm cleared) means the condition is over: the finding is then not current.
    """

    def evaluate(ctx: RuleContext) -> Finding | None:
        hits = ctx.logs(pattern, sources=sources, in_detail=in_detail)
        if hits.empty:
            return None
        facts: dict[str, object] = {
            "count": len(hits),
            "first": hits["timestamp"].min(),
            "last": hits["timestamp"].max(),
            "hosts": sorted({str(h) for h in hits["host"].dropna()}),
        }
        evidence = log_evidence(hits)
        if resolved_by is not None:
            open_hits, resolution = _unresolved(ctx, hits, resolved_by)
            if open_hits.empty:
                facts["resolved"] = True
                facts["resolved_at"] = resolution["timestamp"].max()
                return Finding(
                    key,
                    supports,
                    0.0,
                    facts,
                    evidence[:2] + log_evidence(resolution, 2),
                    subcause=True,
                )
            facts["unresolved_hosts"] = sorted({str(h) for h in open_hits["host"].dropna()})
        return Finding(key, supports, strength, facts, evidence)

    return Rule(key, supports, description, evaluate)


def _unresolved(
    ctx: RuleContext, hits: pd.DataFrame, resolved_by: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    fixes = ctx.logs(resolved_by, recent=False)
    if fixes.empty:
        return hits, fixes
    keys = ["host", "service"]
    last_fix = fixes.groupby(keys, dropna=False)["timestamp"].max().rename("fixed_at").reset_index()
    joined = hits.merge(last_fix, on=keys, how="left")
    still_open = joined[joined["fixed_at"].isna() | (joined["timestamp"] > joined["fixed_at"])]
    return still_open, fixes
