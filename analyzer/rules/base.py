"""A diagnosis rule: one finding, computed from the frames, never reading a file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analyzer.model import FailureClass, Finding
from analyzer.rules.context import RuleContext, log_evidence
from analyzer.searched import searched


@dataclass(frozen=True)
class Rule:
    key: str
    supports: FailureClass
    description: str  # what the rule looks for, shown in --help-rules and docs
    evaluate: Callable[[RuleContext], Finding | None]
    subcause: bool = True


BROKER_SOURCES = ("rabbitmq",)


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
    corroborate: str | None = None,
    silent_recovery: bool = False,
    reopened_by: str | None = None,
) -> Rule:
    """A rule that fires on recent log records matching ``pattern``.

    With ``resolved_by``, a later matching record from the same host and service (a
    reconnect, an alarm cleared) means the condition is over there; see ``unresolved``.
    With ``corroborate``, the broker's own records of the same event (its stop, its closing
    of a dead consumer's connection) join the evidence, so both sides are shown.
    ``silent_recovery`` and ``reopened_by``: see ``unresolved``.
    """

    for p in (pattern, resolved_by, corroborate, reopened_by):
        if p is not None:
            searched(p)

    def evaluate(ctx: RuleContext) -> Finding | None:
        hits = ctx.logs(pattern, sources=sources, in_detail=in_detail)
        if hits.empty:
            return None
        return finding_from_hits(
            ctx,
            key,
            supports,
            strength,
            hits,
            resolved_by=resolved_by,
            corroborate=corroborate,
            silent_recovery=silent_recovery,
            reopened_by=reopened_by,
        )

    return Rule(key, supports, description, evaluate)


def finding_from_hits(
    ctx: RuleContext,
    key: str,
    supports: FailureClass,
    strength: float,
    hits: pd.DataFrame,
    *,
    resolved_by: str | None,
    corroborate: str | None = None,
    silent_recovery: bool = False,
    reopened_by: str | None = None,
) -> Finding:
    facts: dict[str, object] = {
        "count": len(hits),
        "first": hits["timestamp"].min(),
        "last": hits["timestamp"].max(),
        "hosts": sorted({str(h) for h in hits["host"].dropna()}),
    }
    evidence = log_evidence(hits)
    if resolved_by is not None:
        open_hits, resolution = unresolved(ctx, hits, resolved_by, silent_recovery, reopened_by)
        if open_hits.empty:
            facts["resolved"] = True
            facts["resolved_at"] = resolution["timestamp"].max()
            return Finding(key, supports, 0.0, facts, evidence[:2] + log_evidence(resolution, 2))
        facts["unresolved_hosts"] = sorted({str(h) for h in open_hits["host"].dropna()})
    if corroborate is not None:
        broker_side = ctx.logs(corroborate, sources=BROKER_SOURCES, in_detail=True)
        broker_side = broker_side[~broker_side.index.isin(hits.index)]
        evidence += log_evidence(broker_side, 3)
    return Finding(key, supports, strength, facts, evidence)


def unresolved(
    ctx: RuleContext,
    hits: pd.DataFrame,
    resolved_by: str,
    silent_recovery: bool = False,
    reopened_by: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The hits not followed by a resolution, and the resolutions seen.

    A hit is resolved by a later ``resolved_by`` record from the same host and service.
    Some clients never log their recovery (a publisher waiting in kombu's
    ensure_connection logs "Connection failed ... retrying" and nothing once it gets
    through): with ``silent_recovery``, for a host and service that logged no resolution
    at all, a later resolution anywhere, with no failure of its own since, counts.
    With ``reopened_by``, a resolution followed by such a record on the same host and
    service does not count (a reconnect to a broker that crashes again a minute later).
    """
    fixes = ctx.logs(resolved_by, recent=False)
    if fixes.empty:
        return hits, fixes
    keys = ["host", "service"]
    last_fix = fixes.groupby(keys, dropna=False)["timestamp"].max().rename("fixed_at").reset_index()
    if reopened_by is not None:
        reopened = ctx.logs(reopened_by, recent=False)
        if not reopened.empty:
            reopened_at = reopened.groupby(keys, dropna=False)["timestamp"].max()
            last_fix = last_fix.merge(
                reopened_at.rename("reopened_at").reset_index(), on=keys, how="left"
            )
            broken_again = last_fix["reopened_at"] > last_fix["fixed_at"]
            last_fix = last_fix[~broken_again].drop(columns="reopened_at")
            fixes = fixes.merge(last_fix[keys], on=keys, how="inner")
            if fixes.empty:
                return hits, fixes
    joined = hits.merge(last_fix, on=keys, how="left")
    last_hit = joined.groupby(keys, dropna=False)["timestamp"].transform("max")
    anywhere = fixes["timestamp"].max()
    recovered_elsewhere = silent_recovery & joined["fixed_at"].isna() & (anywhere > last_hit)
    still_open = joined[
        ~recovered_elsewhere
        & (joined["fixed_at"].isna() | (joined["timestamp"] > joined["fixed_at"]))
    ]
    return still_open, fixes
