"""Shared logic of the broker-pod rules: which broker pods are in a given bad state."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

import pandas as pd

from analyzer.cells import show_time
from analyzer.model import Evidence, FailureClass, Finding
from analyzer.rules.base import Rule, Samples, Sentence
from analyzer.rules.context import RuleContext, log_evidence, row_evidence
from analyzer.runbook import Source


class PodFacts(TypedDict):
    """Facts of a broker-pod finding."""

    pods: list[str]
    namespace: str | None
    restarts: int | None
    memory_limit: str | None


POD_EXTRAS = (
    "It has restarted {restarts:once|# times}.",
    "Its memory limit is {memory_limit}.",
)

BROKER = "The broker (RabbitMQ)"
A_BROKER = "A broker (RabbitMQ)"


def pod_text(row: pd.Series) -> str:
    parts = [f"pod {row['pod']}"]
    if pd.notna(row["container"]):
        parts.append(f"container {row['container']}")
    parts.append(f"status {row['status'] if pd.notna(row['status']) else row['phase']}")
    if pd.notna(row["restart_count"]):
        parts.append(f"restarts {row['restart_count']}")
    if pd.notna(row["last_reason"]):
        code = row["last_exit_code"]
        when = row["last_finished_at"]
        last = f"last terminated {row['last_reason']}"
        if pd.notna(code):
            last += f" (exit code {code})"
        if pd.notna(when):
            last += f" at {show_time(when)}"
        parts.append(last)
    return ", ".join(parts)


def broker_pod_rule(
    key: str,
    strength: float,
    description: str,
    select: Callable[[pd.DataFrame, RuleContext], pd.Series],
    event_reasons: tuple[str, ...] = (),
    *,
    title: str,
    state: str,
    samples: Samples,
) -> Rule:
    """A rule for broker pods that ``select`` picks; ``state`` ends the sentences
    ("pod is in CrashLoopBackOff"), after "The broker (RabbitMQ)" and "A broker (RabbitMQ)".
    """

    def evaluate(ctx: RuleContext) -> Finding | None:
        pods = ctx.broker_pods
        if pods.empty:
            return None
        hit = pods[select(pods, ctx)]
        if hit.empty:
            return None
        evidence: list[Evidence] = [
            row_evidence(r["file"], r["line"], r["last_finished_at"], pod_text(r))
            for _, r in hit.head(4).iterrows()
        ]
        names = set(hit["pod"].dropna().astype(str))
        events = ctx.frames.events
        if event_reasons and not events.empty:
            ev = events[
                events["object_name"].isin(names) & events["reason"].isin(event_reasons)
            ].sort_values("timestamp")
            evidence += [
                row_evidence(
                    r["file"],
                    r["line"],
                    r["timestamp"],
                    f"{r['type']} {r['reason']} {r['object_name']}: {r['message']}"
                    + (f" (x{r['count']})" if pd.notna(r["count"]) and r["count"] > 1 else ""),
                )
                for _, r in ev.tail(3).iterrows()
            ]
        facts: PodFacts = {
            "pods": sorted(names),
            "namespace": next(iter(hit["namespace"].dropna().astype(str)), None),
            "restarts": int(hit["restart_count"].max())
            if hit["restart_count"].notna().any()
            else None,
            "memory_limit": next(iter(hit["memory_limit"].dropna().astype(str)), None),
        }
        return Finding(key, FailureClass.MESSAGING, strength, dict(facts), evidence)

    return Rule(
        key,
        FailureClass.MESSAGING,
        description,
        evaluate,
        inputs=(Source.PODS,),
        title=title,
        sentence=Sentence(f"{BROKER} {state}: {{pods}}.", f"{A_BROKER} {state}.", POD_EXTRAS),
        facts=PodFacts,
        samples=samples,
    )


def recent_or_not_ready(pods: pd.DataFrame, ctx: RuleContext) -> pd.Series:
    """A past termination matters while the pod is not ready or it happened recently."""
    not_ready = pods["ready"].fillna(False) == False  # noqa: E712 - nullable boolean
    since = ctx.recent_since
    if since is None:
        return not_ready
    recent = pods["last_finished_at"].notna() & (pods["last_finished_at"] >= since)
    return not_ready | recent


__all__ = ["PodFacts", "broker_pod_rule", "log_evidence", "pod_text", "recent_or_not_ready"]
