"""A compute host that reads up but has stopped working: silently wedged.

nova-compute reports its state from a green thread of its own, so a host whose main work
is stuck (a hung libvirt call, a full log disk, a lock never released) can keep reading
`up` in the service list. What gives it away: its log went silent long before collection
while its peers kept logging, or its service's last update lags its peers' by more than
nova's service-down window. A host that is merely quiet, with a current update and peers
as quiet as it is, is not wedged.
"""

from __future__ import annotations

from typing import TypedDict

import pandas as pd

from analyzer.cells import show_time
from analyzer.model import Clock, Evidence, FailureClass, Finding
from analyzer.rules.base import Feeds, Rule, Samples, Sentence
from analyzer.rules.context import RuleContext, log_evidence, row_evidence
from analyzer.rules.samples import SERVICES, oslo, service
from analyzer.rules.services import is_compute, is_down, service_evidence
from analyzer.runbook import Source, Symptom

SERVICE_DOWN = pd.Timedelta(seconds=60)  # nova's [DEFAULT] service_down_time default
# nova-compute audits its resources every minute (and its periodic tasks log at DEBUG, which
# the hypervisor logs keep): a quarter of an hour without a line, while its peers log on,
# is not a quiet spell
SILENT = pd.Timedelta(minutes=15)
COMPUTE_SERVICE = "nova-compute"


class WedgedFacts(TypedDict, total=False):
    hosts: list[str]
    wedged: int
    up: int  # compute services reading up
    last_line_at: object  # the first wedged host's last log record
    silent_s: float  # from that record to the collection
    peers_last_at: object  # the newest record of the other compute hosts
    lag_s: float  # how far its service's last update trails the newest compute's


def _short(host: object) -> str:
    return str(host).split(".")[0].lower()


def last_records(ctx: RuleContext) -> dict[str, pd.Timestamp]:
    """Each compute host's newest log record time, the folded routine lines included.

    Records read as UTC for want of a known offset are left out: a host hours behind UTC
    would look silent for hours.
    """
    out: dict[str, pd.Timestamp] = {}
    for frame, column in ((ctx.frames.logs, "timestamp"), (ctx.frames.log_counts, "last")):
        if frame.empty:
            continue
        known = frame["clock"] != Clock.LOCAL_ASSUMED_UTC.value
        wanted = (frame["service"] == COMPUTE_SERVICE) & frame[column].notna() & known
        rows = frame[["host", column]][wanted]  # (the other columns are not read)
        for host, when in rows.groupby("host")[column].max().items():
            key = _short(host)
            out[key] = max(out[key], when) if key in out else when
    return out


def _silent(ctx: RuleContext, up_hosts: list[str]) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """The up hosts whose log stopped SILENT before collection and before their peers':
    host -> (its last record, the peers' last record)."""
    now = ctx.collected_at
    last = last_records(ctx)
    if now is None or len(last) < 2:
        return {}
    out = {}
    for host in up_hosts:
        mine = last.get(host)
        if mine is None:
            continue
        peers = max(t for h, t in last.items() if h != host)
        if now - mine >= SILENT and peers - mine >= SILENT:
            out[host] = (mine, peers)
    return out


def _lagging(up: pd.DataFrame) -> dict[str, pd.Timedelta]:
    updated = up.dropna(subset=["updated_at"])
    if len(updated) < 2:
        return {}
    newest = updated["updated_at"].max()
    lag = newest - updated["updated_at"]
    return {_short(h): d for h, d in zip(updated["host"], lag, strict=True) if d > SERVICE_DOWN}


def _last_line(ctx: RuleContext, host: str) -> list[Evidence]:
    """The host's last record: its last kept line, or the count of routine lines a large
    log folded after it (``analyzer.fold``)."""
    logs, counts = ctx.frames.logs, ctx.frames.log_counts
    evidence: list[Evidence] = []
    newest = None
    if not logs.empty:
        mine = logs[(logs["service"] == COMPUTE_SERVICE) & (logs["host"].map(_short) == host)]
        mine = mine.dropna(subset=["timestamp"]).sort_values("timestamp")
        evidence = log_evidence(mine.tail(1), 1)
        newest = mine["timestamp"].max() if not mine.empty else None
    if not counts.empty:
        folded = counts[
            (counts["service"] == COMPUTE_SERVICE) & (counts["host"].map(_short) == host)
        ]
        folded = folded.dropna(subset=["last"]).sort_values("last")
        if not folded.empty and (newest is None or folded["last"].iloc[-1] > newest):
            last = folded.iloc[-1]
            text = (
                f"{last['records']} routine {last['level']} records counted in the minute of "
                f"{show_time(last['minute'])}, the last at {show_time(last['last'])}"
            )
            evidence.append(row_evidence(last["file"], None, last["last"], text))
    return evidence


def evaluate(ctx: RuleContext) -> Finding | None:
    svc = ctx.frames.services
    if svc.empty:
        return None
    compute = svc[is_compute(svc) & (svc["binary"] == COMPUTE_SERVICE)]
    up = compute[~is_down(compute)]
    if up.empty:
        return None
    up_hosts = sorted({_short(h) for h in up["host"].dropna()})
    silent = _silent(ctx, up_hosts)
    lagging = _lagging(up)
    wedged = sorted(set(silent) | set(lagging))
    if not wedged:
        return None
    first = wedged[0]
    facts: WedgedFacts = {"hosts": wedged, "wedged": len(wedged), "up": len(up_hosts)}
    if first in silent and ctx.collected_at is not None:
        mine, peers = silent[first]
        facts["last_line_at"] = mine
        facts["silent_s"] = (ctx.collected_at - mine).total_seconds()
        facts["peers_last_at"] = peers
    if first in lagging:
        facts["lag_s"] = lagging[first].total_seconds()
    rows = up[up["host"].map(_short).isin(wedged)]
    evidence = service_evidence(rows, 3)
    for host in wedged[:3]:
        evidence += _last_line(ctx, host)
    return Finding("wedged_compute_host", FailureClass.HOST, 0.5, dict(facts), evidence)


def _log(last: str) -> str:
    # the resource audit nova-compute logs every minute, in the words of
    # nova/compute/resource_tracker.py (github.com/openstack/nova)
    return oslo(
        last,
        "DEBUG",
        "nova.compute.resource_tracker",
        "Final resource view: name=hv phys_ram=262144MB used_ram=196608MB phys_disk=1787GB "
        "used_disk=480GB total_vcpus=64 used_vcpus=48 pci_stats=[] stats={'failed_builds': '0'}",
    )


def _bundle(hv02_last: str) -> dict[str, object]:
    # each host's clock.json (docs/bundle-format.md) puts its zone-less lines on UTC
    clock = {"utc": "2026-03-02T09:30:58Z", "utc_offset_s": 0, "timezone": "UTC"}
    return {
        SERVICES: [service("up", "hv-01", ident=7), service("up", "hv-02", ident=8)],
        "hosts/hv-01/ostackhost.log": _log("09:04:12"),
        "hosts/hv-01/clock.json": clock,
        "hosts/hv-02/ostackhost.log": _log(hv02_last),
        "hosts/hv-02/clock.json": clock,
    }


RULE = Rule(
    "wedged_compute_host",
    FailureClass.HOST,
    "A compute host reads up in the service list but has stopped working.",
    evaluate,
    inputs=(Source.SERVICES, Source.HYPERVISOR_LOGS),
    title="Compute host wedged while reading up",
    sentence=Sentence(
        "{hosts} reads up in the compute service list, but the host has stopped working: "
        "its compute service still reports while it does nothing else.",
        "A compute host reads up in the compute service list, but it has stopped working.",
        (
            "Its log went silent {silent_s} before collection (last record {last_line_at}) "
            "while its peers logged until {peers_last_at}.",
            "Its service's last update trails its peers' by {lag_s}, more than the minute "
            "after which nova calls a service down.",
        ),
    ),
    facts=WedgedFacts,
    feeds=Feeds(
        Symptom.SERVICES_UP,
        "Yes, but {wedged} of the {up:# compute host|# compute hosts} up "
        "{wedged:has|have} stopped working (wedged)",
    ),
    rebuts=Sentence(
        "{hosts} reads up in the compute service list but has stopped working (its log went "
        "silent, or its reports lag its peers'): a wedged host, so the list alone hides a "
        "host failure.",
        "A compute host reads up but has stopped working: a wedged host, so the list alone "
        "hides a host failure.",
    ),
    samples=Samples(
        fires=_bundle("09:30:12"),
        # both hosts quiet since the same minute, both services current: nothing wedged
        near_miss=_bundle("09:04:40"),
    ),
)
