"""Rules that read both server faults and log lines for one error family."""

from __future__ import annotations

from typing import TypedDict

import pandas as pd

from analyzer.model import FailureClass, Finding
from analyzer.patterns import searched
from analyzer.rules.base import Feeds, Rule, Samples, Sentence
from analyzer.rules.context import RuleContext, log_evidence, row_evidence
from analyzer.runbook import Source


class FaultFacts(TypedDict):
    """Facts of a finding made from server faults and log records of one error family."""

    servers: int
    server_ids: list[str]
    log_records: int
    hosts: list[str]


FAULT_EXTRAS = (
    "Servers with this fault: {server_ids}.",
    "Hosts: {hosts}.",
)


def faulted_servers(ctx: RuleContext, pattern: str) -> pd.DataFrame:
    s = ctx.servers
    if s.empty:
        return s
    hit = s[s["fault_message"].str.contains(pattern, case=False, regex=True, na=False)]
    return ctx.only_recent(hit, "fault_created")


def fault_and_log_rule(
    key: str,
    supports: FailureClass,
    strength: float,
    fault_pattern: str,
    log_pattern: str,
    description: str,
    *,
    inputs: tuple[Source, ...],
    title: str,
    sentence: Sentence,
    feeds: Feeds,
    samples: Samples,
    not_caused_by: str | None = None,
) -> Rule:
    """``not_caused_by``: a fault or log line naming this cause belongs to another finding
    (a build that failed because its RPC could not reach the broker is no hypervisor fault)."""
    searched(log_pattern)
    if not_caused_by is not None:
        searched(not_caused_by)

    def evaluate(ctx: RuleContext) -> Finding | None:
        faulted = faulted_servers(ctx, fault_pattern)
        logs = ctx.logs(log_pattern, in_detail=True)
        if not_caused_by is not None:
            other = ctx.logs(not_caused_by)
            logs = logs[~logs.index.isin(other.index)]
            if not faulted.empty:
                faulted = faulted[
                    ~faulted["fault_message"].str.contains(not_caused_by, regex=True, na=False)
                ]
        if faulted.empty and logs.empty:
            return None
        evidence = [
            row_evidence(
                r["file"],
                r["line"],
                r["fault_created"],
                f"server {r['id']} ({r['name']}) {r['status']}: fault {r['fault_message']}",
            )
            for _, r in faulted.head(3).iterrows()
        ] + log_evidence(logs, 4)
        facts: FaultFacts = {
            "servers": len(faulted),
            "server_ids": list(faulted["id"].astype(str).head(50)),
            "log_records": len(logs),
            "hosts": sorted({str(h) for h in logs["host"].dropna()}),
        }
        return Finding(key, supports, strength, dict(facts), evidence)

    return Rule(
        key,
        supports,
        description,
        evaluate,
        inputs=inputs,
        title=title,
        sentence=sentence,
        facts=FaultFacts,
        samples=samples,
        feeds=feeds,
    )
