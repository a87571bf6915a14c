"""A diagnosis rule: one finding, computed from the frames, never reading a file.

A rule declares everything the rest of the analyzer needs to know about it, so adding one
means adding its file and a line in ``analyzer.rules.RULES``:

- ``inputs``: the sources it reads (``analyzer.runbook.Source``). A rule none of whose
  inputs' tables holds a row is not run, and the sources the rules need make the list of
  missing sources.
- ``title`` and ``sentence``: its words in the reports, naming the facts of its findings in
  ``{braces}``; ``facts`` is the TypedDict those facts follow (a test checks the names).
- ``feeds``: the row of the runbook's symptom table its finding fills, and what it says there.
- ``rebuts``: for a finding that overrules what the symptom table alone would conclude, the
  sentence the report's "why not the other explanations" gives, with facts in ``{braces}``.
- ``samples``: a bundle where it fires and a near miss where it must not (the tests run both).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import pandas as pd

from analyzer.model import FailureClass, Finding, Sentence
from analyzer.patterns import searched
from analyzer.rules.context import MAX_EVIDENCE, RuleContext, log_evidence
from analyzer.runbook import Source, Symptom


@dataclass(frozen=True)
class Feeds:
    """The symptom-table row a rule's finding fills.

    ``says`` is what the row reads when the rule fires, with the finding's facts in
    ``{braces}``; rules of one class that say the same are listed once, ``{keys}`` naming
    them. A row some rule feeds is built from the firing rules; with none firing, from the
    frames (``analyzer.symptoms``).
    """

    row: Symptom
    says: str


@dataclass(frozen=True)
class Samples:
    """Two small bundles, as ``{path: text or JSON value}``: one where the rule fires and a
    near miss where it must not (built with ``analyzer.rules.samples``)."""

    fires: Mapping[str, object]
    near_miss: Mapping[str, object]


@dataclass(frozen=True)
class Rule:
    key: str
    supports: FailureClass
    description: str  # what the rule looks for, shown in the findings and the docs
    evaluate: Callable[[RuleContext], Finding | None]
    inputs: tuple[Source, ...]
    title: str
    sentence: Sentence
    facts: type  # a TypedDict: the facts its findings carry
    samples: Samples
    feeds: Feeds | None = None
    subcause: bool = True  # names a cause in the verdict, not only a symptom
    rebuts: Sentence | None = None


class LogFacts(TypedDict, total=False):
    """Facts of a finding made from matching log records."""

    count: int
    first: object  # timestamps (pandas), written as ISO 8601
    last: object
    hosts: list[str]
    resolved: bool
    resolved_at: object
    unresolved_hosts: list[str]
    sides: list[str]  # broker, client: who logged it (alarms)


LOG_EXTRAS = (
    "Matching log records: {count}, from {first} to {last}.",
    "Hosts: {hosts}.",
    "Still not recovered on: {unresolved_hosts}.",
)

BROKER_SOURCES = ("rabbitmq",)


def log_pattern_rule(
    key: str,
    supports: FailureClass,
    strength: float,
    pattern: str,
    *,
    description: str,
    inputs: tuple[Source, ...],
    title: str,
    sentence: Sentence,
    samples: Samples,
    feeds: Feeds | None = None,
    sources: tuple[str, ...] | None = None,
    resolved_by: str | None = None,
    in_detail: bool = False,
    corroborate: str | None = None,
    silent_recovery: bool = False,
    reopened_by: str | None = None,
    both_sides: bool = False,
) -> Rule:
    """A rule that fires on recent log records matching ``pattern``.

    With ``resolved_by``, a later matching record from the same host and service (a
    reconnect, an alarm cleared) means the condition is over there; see ``unresolved``.
    With ``corroborate``, the broker's own records of the same event (its stop, its closing
    of a dead consumer's connection) join the evidence, so both sides are shown.
    ``silent_recovery`` and ``reopened_by``: see ``unresolved``. With ``both_sides``, when
    the pattern matches both the broker's records and its clients', each side is cited (the
    first and last records alone can all be one side's).
    """

    for p in (pattern, corroborate, reopened_by):
        if p is not None:
            searched(p)
    if resolved_by is not None:
        # read as the last resolution per host and service, and the first and last cited:
        # a sampled pattern keeps each of those in a folded log (analyzer.patterns)
        searched(resolved_by, sampled=True)

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
            both_sides=both_sides,
        )

    return Rule(
        key,
        supports,
        description,
        evaluate,
        inputs=inputs,
        title=title,
        sentence=sentence,
        facts=LogFacts,
        samples=samples,
        feeds=feeds,
    )


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
    both_sides: bool = False,
) -> Finding:
    facts: LogFacts = {
        "count": len(hits),
        "first": hits["timestamp"].min(),
        "last": hits["timestamp"].max(),
        "hosts": sorted({str(h) for h in hits["host"].dropna()}),
    }
    evidence = log_evidence(hits)
    if both_sides:
        broker = (
            hits["source"].isin(BROKER_SOURCES) | hits["service"].isin(BROKER_SOURCES)
        ).fillna(False)
        if broker.any() and not broker.all():
            half = MAX_EVIDENCE // 2
            evidence = log_evidence(hits[~broker], half) + log_evidence(hits[broker], half)
    if resolved_by is not None:
        open_hits, resolution = unresolved(ctx, hits, resolved_by, silent_recovery, reopened_by)
        if open_hits.empty:
            facts["resolved"] = True
            facts["resolved_at"] = resolution["timestamp"].max()
            evidence = evidence[:2] + log_evidence(resolution, 2)
            return Finding(key, supports, 0.0, dict(facts), evidence)
        facts["unresolved_hosts"] = sorted({str(h) for h in open_hits["host"].dropna()})
    if corroborate is not None:
        broker_side = ctx.logs(corroborate, sources=BROKER_SOURCES, in_detail=True)
        broker_side = broker_side[~broker_side.index.isin(hits.index)]
        evidence += log_evidence(broker_side, 3)
    return Finding(key, supports, strength, dict(facts), evidence)


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
    # Per host and service, as plain values: these are a few groups of a few records, where
    # pandas' groupings and joins cost far more than the loops below.
    fixes = ctx.logs(resolved_by, recent=False)
    if fixes.empty:
        return hits, fixes
    fixed_at = _latest_by_host_service(fixes)
    if reopened_by is not None:
        reopened = ctx.logs(reopened_by, recent=False)
        if not reopened.empty:
            reopened_at = _latest_by_host_service(reopened)
            fixed_at = {
                key: at
                for key, at in fixed_at.items()
                if not (key in reopened_at and reopened_at[key] > at)  # broken again
            }
            kept = [key in fixed_at for key in _host_service(fixes)]
            fixes = fixes[np.array(kept, dtype=bool)].reset_index(drop=True)
            if fixes.empty:
                return hits, fixes
    keys = _host_service(hits)
    last_hit = _latest_by_host_service(hits)
    anywhere = fixes["timestamp"].max()
    still_open = []
    for key, at in zip(keys, hits["timestamp"], strict=True):
        fixed = fixed_at.get(key, pd.NaT)
        if pd.isna(fixed):  # no resolution on its host and service: resolved elsewhere?
            still_open.append(not (silent_recovery and anywhere > last_hit[key]))
        else:
            still_open.append(at > fixed)
    return hits[np.array(still_open, dtype=bool)], fixes


HostService = tuple[str | None, str | None]


def _host_service(frame: pd.DataFrame) -> list[HostService]:
    """Each row's host and service, <NA> as None (rows without either group together)."""
    host, service = frame["host"].astype(object), frame["service"].astype(object)
    return list(
        zip(host.where(host.notna(), None), service.where(service.notna(), None), strict=True)
    )


def _latest_by_host_service(frame: pd.DataFrame) -> dict[HostService, pd.Timestamp]:
    """The newest time of each host and service (NaT when none of its rows has a time)."""
    latest = frame.groupby(["host", "service"], dropna=False)["timestamp"].max()
    hosts, services = latest.index.get_level_values(0), latest.index.get_level_values(1)
    return {
        (None if pd.isna(host) else str(host), None if pd.isna(service) else str(service)): at
        for host, service, at in zip(hosts, services, latest, strict=True)
    }
