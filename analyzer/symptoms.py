"""The runbook's symptom table, filled in for this bundle.

A row that some rule feeds (``Rule.feeds``) reads what the firing rules say; with none of
them firing, and for the rows no rule feeds, the row is read off the frames. Each row
names the failure classes its observation matches, which the ranking weighs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analyzer import plural
from analyzer.model import FailureClass, Finding
from analyzer.rules import Rule
from analyzer.rules.context import RuleContext
from analyzer.runbook import CLASSES, STUCK_AFTER_WORDS, SYMPTOMS, H, M, R, Symptom


@dataclass
class SymptomRow:
    key: Symptom
    symptom: str
    observed: str
    matches: list[FailureClass]
    expected: dict[FailureClass, str]


Observation = tuple[str, list[FailureClass]]


def symptom_table(
    ctx: RuleContext, findings: list[Finding], rules: tuple[Rule, ...]
) -> list[SymptomRow]:
    rows = []
    for key in Symptom:
        symptom, expected = SYMPTOMS[key]
        observed, matches = _fed(key, findings, rules) or _FROM_FRAMES[key](ctx)
        rows.append(SymptomRow(key, symptom, observed, matches, expected))
    return rows


def _fed(key: Symptom, findings: list[Finding], rules: tuple[Rule, ...]) -> Observation | None:
    """What the firing rules that feed row ``key`` say, one phrase per class and wording,
    in the order of the runbook's columns."""
    found = {f.key: f for f in findings}
    said: dict[tuple[FailureClass, str], list[Finding]] = {}
    for rule in rules:
        if rule.feeds is None or rule.feeds.row is not key or rule.key not in found:
            continue
        said.setdefault((rule.supports, rule.feeds.says), []).append(found[rule.key])
    if not said:
        return None
    phrases, matches = [], []
    for (cls, says), fed in sorted(said.items(), key=lambda item: CLASSES.index(item[0][0])):
        phrases.append(plural.render(says, {"keys": ", ".join(f.key for f in fed), **fed[0].facts}))
        if cls not in matches:
            matches.append(cls)
    return "; ".join(phrases), matches


def _has_data(ctx: RuleContext) -> bool:
    return ctx.frames.has("servers") or ctx.frames.has("logs")


def _stuck_in_build(ctx: RuleContext) -> Observation:
    build, stuck = ctx.build_vms, ctx.stuck_vms
    if not ctx.frames.has("servers"):
        return "unknown: no server list in the bundle", []
    if stuck.empty:
        # an age is unknown without a creation time or without a collection time
        unknown_age = int(build["age"].isna().sum()) if len(build) else 0
        young = len(build) - unknown_age
        if unknown_age and not young:  # nothing seen for over or under: no observation
            return f"unknown: {unknown_age} VMs in BUILD, none of known age", []
        extra = f"; {young} in BUILD for under {STUCK_AFTER_WORDS}" if young else ""
        if unknown_age:
            extra += f"; {unknown_age} in BUILD of unknown age"
        return f"No VM in BUILD for over {STUCK_AFTER_WORDS}{extra}", [R]
    oldest = stuck["age"].max()
    on_down = stuck["host"].isin(ctx.down_hosts).sum()
    observed = (
        f"Yes: {len(stuck)} VMs in BUILD for over {STUCK_AFTER_WORDS} "
        f"(oldest {int(oldest.total_seconds() // 60)} min), "
        f"{int(stuck['fault_message'].notna().sum())} with a fault"
    )
    if on_down:
        observed += f", {int(on_down)} on a down host"
    return observed, [H] if on_down == len(stuck) else [M, H] if on_down else [M]


def _error_message(ctx: RuleContext) -> Observation:
    """No error family fired: the runbook's "None" (a messaging signature when VMs hang)."""
    if not _has_data(ctx):
        return "unknown", []
    return "None", [M] if not ctx.stuck_vms.empty else []


def _simultaneous(ctx: RuleContext) -> Observation:
    if not ctx.frames.has("servers"):  # failed and hanging creates are read off the servers
        return "unknown: no server list in the bundle", []
    failing = _recent_failures(ctx)
    if failing.empty:
        return "No recent failed or hanging creates", []
    hosts = failing["host"].dropna().astype(str)
    n_hosts = hosts.nunique()
    concentrated = not hosts.empty and n_hosts == 1 and len(hosts) == len(failing)
    if concentrated or (hosts.isin(ctx.down_hosts).all() and len(hosts) == len(failing)):
        return f"No: all {len(failing)} failures on {', '.join(sorted(set(hosts)))}", [H]
    first = failing["when"].min()
    last = failing["when"].max()
    span = int((last - first).total_seconds() // 60) if pd.notna(first) else None
    observed = f"Yes: {len(failing)} creates failed or hang"
    if span is not None:
        observed += f" within {span} min"
    if n_hosts > 1:
        observed += f", across {n_hosts} hosts"
    elif n_hosts == 0:
        observed += ", not placed on any host"
    return observed, [M, R]


def _recent_failures(ctx: RuleContext) -> pd.DataFrame:
    s = ctx.servers
    if s.empty:
        return s
    stuck = (
        ctx.stuck_vms.assign(when=ctx.stuck_vms["created_at"])
        if not ctx.stuck_vms.empty
        else s.iloc[0:0].assign(when=pd.Series(dtype="datetime64[us, UTC]"))
    )
    errors = s[(s["status"] == "ERROR") & s["fault_message"].notna()]
    errors = ctx.only_recent(errors, "fault_created").assign(when=lambda d: d["fault_created"])
    return pd.concat([stuck, errors], ignore_index=True)


def _existing_affected(ctx: RuleContext) -> Observation:
    if not ctx.frames.has("servers"):
        return "unknown: no server list in the bundle", []
    active = int((ctx.servers["status"] == "ACTIVE").sum())
    return plural.render("No: {n:# VM|# VMs} ACTIVE", {"n": active}), [M, R]


def _services_up(ctx: RuleContext) -> Observation:
    svc = ctx.frames.services
    if svc.empty:
        return "unknown: no compute service list in the bundle", []
    compute = svc[svc["binary"].fillna("").str.contains("compute")]
    down = sorted(ctx.down_hosts)
    if down:
        listed = ", ".join(down)
        counts = {"down": len(down), "of": len(compute), "listed": listed}
        return plural.render(SERVICES_DOWN, counts), [H]
    return plural.render(SERVICES_UP, {"up": len(compute)}), [M, R]


SERVICES_DOWN = "No: {down} of {of:# compute service|# compute services} down ({listed})"
SERVICES_UP = "Yes: {up:its # compute service|all # compute services} up"


_FROM_FRAMES: dict[Symptom, Callable[[RuleContext], Observation]] = {
    Symptom.STUCK_IN_BUILD: _stuck_in_build,
    Symptom.ERROR_MESSAGE: _error_message,
    Symptom.SIMULTANEOUS: _simultaneous,
    Symptom.EXISTING_AFFECTED: _existing_affected,
    Symptom.SERVICES_UP: _services_up,
}
