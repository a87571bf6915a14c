"""Clock skew: how far each source's clock is off, estimated from events that must coincide.

Kubernetes (kubectl prefixes, events, pod states), zoned RabbitMQ lines and the compute
API's server times are exact UTC: they are the reference. Hypervisor logs and other
zone-less files are local time placed on UTC by a declared offset, so a host whose clock
drifted, or whose zone was never declared, lands minutes or hours off. For each such lane
(one host or file) the offset is estimated, in order of preference, from

1. **request ids and instance UUIDs** (``request-id``, ``instance``), two or more: the
   compute log's first line of a build against the API's acceptance of the same request, or
   the server's ``created`` time; a build reaches the compute host within seconds, so the
   median difference is the offset (plus that latency);
2. **fault episodes** (``fault-episodes``): the start of each outage the lane logs
   ("AMQP server ... is unreachable", "Reconnected", "blocked", "Lost connection to
   nova-conductor") against the same kind of start on the reference lanes (the broker's
   clients in pods); the shift that lines up the most starts wins, so a host minutes off
   still pairs each outage with its own and not with the neighbouring one;
3. **the broker's own events** (``broker-events``, :mod:`.skew_anchors`): without such
   clients, the zoned broker log's stop, forced closures, restart and alarms against the
   lane's reactions ("unreachable", "Reconnected", "blocked"), one pair per broker event.
   A lane's single request or instance pair joins them as an independent check: if it
   agrees, the basis is ``broker-events-and-request-id`` or ``broker-events-and-instance``;
   if not, ``pairs-disagree``, the offset unknown and nothing corrected (a clock stepped
   between the build and the outage reads so);
4. fault episodes against **the other hosts** (``fault-episodes-other-hosts``), when no
   exact-UTC source logged any;
5. a single request or instance pair.

An estimate is *clear* with two or more pairs that agree (spread under ``CLEAR_SPREAD_S``);
a clear offset of ``APPLY_FROM_S`` or more is corrected in the merged timeline, smaller ones
are delivery latency and left alone. Offsets over ``WARN_FROM_S`` are reported as a warning.
An offset resting on a single pair is never corrected; that pair is kept as its evidence
for the report to name, as are one pair of each kind when they disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from analyzer.document import timeline as doc
from analyzer.model import TRUSTED_CLOCKS, iso
from analyzer.timeline.skew_anchors import (
    ANCHORS,
    CLIENT_FAMILIES,
    Match,
    anchor_events,
    match_anchors,
)

APPLY_FROM_S = 30.0
WARN_FROM_S = 60.0
CLEAR_SPREAD_S = 15.0
MATCH_TOLERANCE_S = 8.0
MAX_OFFSET_S = 15 * 3600.0  # a wrong zone is at most fourteen hours off
EPISODE_GAP_S = 45.0
EPOCH = pd.Timestamp(0, tz="UTC")
# Families every client logs within seconds of the same broker event. Not timeouts: each
# host's periodic tasks time out on their own schedule.
ALIGN_FAMILIES = ("amqp_unreachable", "amqp_reconnected", "broker_blocked", "lost_conductor")
BUILD_FAMILIES = ("claim", "build_ok", "build_fail", "schedule_start", "host_selected")


class OffsetBasis(StrEnum):
    """What a lane's offset was estimated from (the numbered list above), best first."""

    REFERENCE = "reference"  # the lane is exact UTC itself
    REQUEST_ID = "request-id"
    INSTANCE = "instance"
    FAULT_EPISODES = "fault-episodes"
    BROKER_EVENTS_AND_REQUEST_ID = "broker-events-and-request-id"
    BROKER_EVENTS_AND_INSTANCE = "broker-events-and-instance"
    BROKER_EVENTS = "broker-events"
    FAULT_EPISODES_OTHER_HOSTS = "fault-episodes-other-hosts"
    PAIRS_DISAGREE = "pairs-disagree"  # independent pairs give different offsets: unknown
    NONE = "none"  # nothing to pair: the offset is unknown


@dataclass(frozen=True)
class ClockOffset:
    source: str  # the lane: a host, pod or file
    offset_s: float | None  # how far its clock reads ahead of the reference (None: unknown)
    basis: OffsetBasis
    pairs: int
    spread_s: float | None
    clock: str  # how ingest placed its times (analyzer.model.Clock), as the rows say
    applied: bool
    # the only pair an offset rests on, or one of each kind when they disagree
    evidence: tuple[doc.OffsetPair, ...] = ()

    @property
    def warning(self) -> bool:
        return self.offset_s is not None and self.pairs >= 2 and abs(self.offset_s) > WARN_FROM_S

    def to_document(self) -> doc.ClockOffset:
        return doc.ClockOffset(
            source=self.source,
            offset_s=None if self.offset_s is None else round(self.offset_s, 1),
            basis=self.basis,
            pairs=self.pairs,
            spread_s=None if self.spread_s is None else round(self.spread_s, 1),
            clock=self.clock,
            applied=self.applied,
            warning=self.warning,
            evidence=list(self.evidence),
        )


def lane_clocks(frame: pd.DataFrame) -> dict[str, str]:
    """The clock rule of each lane (its most common one)."""
    rows = frame[frame["lane"].notna() & frame["clock"].notna()]
    if rows.empty:
        return {}
    modes = rows.groupby("lane")["clock"].agg(lambda c: c.value_counts().index[0])
    return {str(k): str(v) for k, v in modes.items()}


_USED = ("timestamp", "clock", "lane", "request_id", "instance", "family")


@dataclass(frozen=True)
class _Pair:
    """A difference and the rows it comes from (labels of the merged frame)."""

    diff_s: float
    own: int
    reference: int


@dataclass(frozen=True)
class _Direct:
    """A lane's request or instance pairs, as arrays (a lane may have thousands)."""

    diffs: np.ndarray
    own: np.ndarray
    reference: np.ndarray
    basis: OffsetBasis

    def __len__(self) -> int:
        return len(self.diffs)

    def pair(self, i: int) -> _Pair:
        return _Pair(float(self.diffs[i]), int(self.own[i]), int(self.reference[i]))


_NO_PAIRS = np.zeros(0, dtype=np.float64)
NO_DIRECT = _Direct(
    _NO_PAIRS, _NO_PAIRS.astype(np.int64), _NO_PAIRS.astype(np.int64), OffsetBasis.NONE
)


def estimate_offsets(frame: pd.DataFrame) -> list[ClockOffset]:
    """One entry per lane: reference lanes at zero, the others estimated (or unknown)."""
    raw = frame  # the evidence of a pair is read from here (file, line, text)
    # Only these columns are read: selecting and splitting per lane then copies no message
    # text (on a large bundle that copy was most of the estimate's time and memory).
    frame = frame[[c for c in _USED if c in frame.columns]]
    clocks = lane_clocks(frame)
    timed = frame[frame["timestamp"].notna()]
    is_trusted = timed["clock"].isin(TRUSTED_CLOCKS)
    refs = _References(timed, is_trusted)
    direct = _direct_pairs(timed[~is_trusted], refs)
    out: list[ClockOffset] = []
    for lane in sorted(clocks):
        clock = clocks[lane]
        if clock in TRUSTED_CLOCKS:
            out.append(ClockOffset(lane, 0.0, OffsetBasis.REFERENCE, 0, None, clock, False))
        else:
            out.append(_Estimate(lane, clock, refs, raw).run(direct.get(lane, NO_DIRECT)))
    return out


class _References:
    """What every lane is compared with, computed once."""

    def __init__(self, timed: pd.DataFrame, is_trusted: pd.Series) -> None:
        trusted = timed[is_trusted]
        self.times = timed["timestamp"]
        rid = trusted[trusted["request_id"].notna()]
        self.first_by_request = rid.groupby("request_id")["timestamp"].idxmin()
        created = trusted[(trusted["family"] == "vm_created") & trusted["instance"].notna()]
        self.created_by_instance = created.groupby("instance")["timestamp"].idxmin()
        starts = _episode_starts(timed, ALIGN_FAMILIES + CLIENT_FAMILIES)
        self.starts = starts
        self.episodes = _Episodes(starts[starts["family"].isin(ALIGN_FAMILIES)])
        own = starts[~starts["trusted"].to_numpy(dtype=bool)]
        self.reactions = {str(k): g for k, g in own.groupby("lane")}
        broker = trusted[trusted["family"].isin(list(ANCHORS))]
        self.anchors = anchor_events(broker, _seconds(broker["timestamp"]))

    def anchored(self, lane: str) -> list[Match]:
        """The lane's reactions paired with the broker's events (on other lanes)."""
        mine = self.reactions.get(lane)
        anchors = self.anchors[self.anchors["lane"] != lane]
        if mine is None or anchors.empty:
            return []
        return match_anchors(mine, anchors, MATCH_TOLERANCE_S, MAX_OFFSET_S)

    def episode_pair(self, lane: str, diff: float, trusted: bool) -> _Pair | None:
        """The episode starts behind an alignment's only difference (same family, the lane's
        start minus another lane's)."""
        s = self.starts
        mine = s[(s["lane"] == lane).to_numpy(dtype=bool)]
        others = s[((s["lane"] != lane) & (s["trusted"] == trusted)).to_numpy(dtype=bool)]
        best: tuple[float, _Pair] | None = None
        for family, group in mine.groupby("family"):
            theirs = others[others["family"] == family]
            if theirs.empty:
                continue
            d = group["t"].to_numpy(np.float64)[:, None] - theirs["t"].to_numpy(np.float64)
            i, j = np.unravel_index(int(np.argmin(np.abs(d - diff))), d.shape)
            miss = abs(float(d[i, j]) - diff)
            if best is None or miss < best[0]:
                pair = _Pair(float(d[i, j]), int(group["row"].iloc[i]), int(theirs["row"].iloc[j]))
                best = (miss, pair)
        return None if best is None else best[1]


class _Episodes:
    """Episode starts by lane, family and clock, sorted once for every lane's alignment."""

    def __init__(self, starts: pd.DataFrame) -> None:
        self.lanes = starts["lane"]
        self.trusted = starts["trusted"].to_numpy(dtype=bool)
        self.times: dict[tuple[str, str, bool], np.ndarray] = {
            (str(lane), str(family), bool(trusted)): np.sort(group["t"].to_numpy(np.float64))
            for (lane, family, trusted), group in starts.groupby(["lane", "family", "trusted"])
        }

    def own(self, lane: str) -> dict[str, np.ndarray]:
        """The lane's episode starts per family, the most recent MAX_EPISODES."""
        out: dict[str, np.ndarray] = {}
        for (other, family, _), t in self.times.items():
            if other == lane:
                out[family] = np.sort(np.concatenate([out[family], t])) if family in out else t
        return {family: t[-MAX_EPISODES:] for family, t in out.items()}

    def reference(self, lane: str) -> tuple[list[np.ndarray], list[str], OffsetBasis]:
        """The other lanes' starts to align with: the trusted ones, else the other hosts'.

        Per reference lane and family (the busiest MAX_REF_LANES lanes): the most recent
        4 x MAX_EPISODES starts, and the family of each.
        """
        others = (self.lanes != lane).to_numpy(dtype=bool)
        trusted, basis = True, OffsetBasis.FAULT_EPISODES
        if not (others & self.trusted).any():
            trusted, basis = False, OffsetBasis.FAULT_EPISODES_OTHER_HOSTS
        chosen = others & (self.trusted == trusted)
        busiest = set(self.lanes[chosen].value_counts().index[:MAX_REF_LANES].astype(str))
        keys = [k for k in self.times if k[2] == trusted and k[0] in busiest]
        return [self.times[k][-4 * MAX_EPISODES :] for k in keys], [k[1] for k in keys], basis


class _Estimate:
    """One lane's offset, from the best basis it has (the order of the module's list)."""

    def __init__(self, lane: str, clock: str, refs: _References, raw: pd.DataFrame) -> None:
        self.lane, self.clock, self.refs, self.raw = lane, clock, refs, raw

    def run(self, direct: _Direct) -> ClockOffset:
        basis = direct.basis
        if len(direct) >= 2:
            return self.result(direct.diffs.tolist(), basis)
        episodes = self.refs.episodes
        ref_times, ref_families, episode_basis = episodes.reference(self.lane)
        aligned = _align(episodes.own(self.lane), ref_times, ref_families)
        if aligned and episode_basis is OffsetBasis.FAULT_EPISODES:
            return self.aligned(aligned, episode_basis)
        anchored = self.refs.anchored(self.lane)
        if anchored:
            return self.with_anchors(anchored, direct)
        if aligned:
            return self.aligned(aligned, episode_basis)
        if len(direct):
            only = direct.pair(0)
            return self.result([only.diff_s], basis, (self.evidence(only, basis),))
        return ClockOffset(self.lane, None, OffsetBasis.NONE, 0, None, self.clock, False)

    def aligned(self, diffs: list[float], basis: OffsetBasis) -> ClockOffset:
        evidence: tuple[doc.OffsetPair, ...] = ()
        if len(diffs) == 1:
            trusted = basis is OffsetBasis.FAULT_EPISODES
            pair = self.refs.episode_pair(self.lane, diffs[0], trusted)
            evidence = () if pair is None else (self.evidence(pair, basis),)
        return self.result(diffs, basis, evidence)

    def with_anchors(self, anchored: list[Match], direct: _Direct) -> ClockOffset:
        """The broker's events, with the lane's single instance or request pair if any: an
        independent check that must agree."""
        broker = [_Pair(m.diff_s, m.own, m.reference) for m in anchored]
        diffs = [p.diff_s for p in broker]
        basis = direct.basis
        if not len(direct):
            only = broker[0] if len(broker) == 1 else None
            single = () if only is None else (self.evidence(only, OffsetBasis.BROKER_EVENTS),)
            return self.result(diffs, OffsetBasis.BROKER_EVENTS, single)
        other = direct.pair(0)
        values = [*diffs, other.diff_s]
        if abs(float(np.median(diffs)) - other.diff_s) <= CLEAR_SPREAD_S:
            combined = (
                OffsetBasis.BROKER_EVENTS_AND_INSTANCE
                if basis is OffsetBasis.INSTANCE
                else OffsetBasis.BROKER_EVENTS_AND_REQUEST_ID
            )
            return self.result(values, combined)
        offset = float(np.median(values))
        spread = float(np.median(np.abs(np.asarray(values) - offset)))
        both = (self.evidence(broker[0], OffsetBasis.BROKER_EVENTS), self.evidence(other, basis))
        disagree = OffsetBasis.PAIRS_DISAGREE
        return ClockOffset(self.lane, None, disagree, len(values), spread, self.clock, False, both)

    def result(
        self, diffs: list[float], basis: OffsetBasis, evidence: tuple[doc.OffsetPair, ...] = ()
    ) -> ClockOffset:
        values = np.asarray(diffs, dtype=float)
        offset = float(np.median(values))
        spread = float(np.median(np.abs(values - offset))) if len(values) > 1 else None
        clear = len(values) >= 2 and spread is not None and spread <= CLEAR_SPREAD_S
        applied = clear and abs(offset) >= APPLY_FROM_S
        return ClockOffset(
            self.lane, offset, basis, len(values), spread, self.clock, applied, evidence
        )

    def evidence(self, pair: _Pair, kind: OffsetBasis) -> doc.OffsetPair:
        return doc.OffsetPair(
            offset_s=round(pair.diff_s, 1),
            kind=kind,
            reference=_event(self.raw, pair.reference),
            own=_event(self.raw, pair.own),
        )


def _event(raw: pd.DataFrame, row: int) -> doc.PairedEvent:
    r = raw.loc[row]

    def text(column: str) -> str | None:
        value = r.get(column)
        return None if value is None or pd.isna(value) else str(value)

    line = r.get("line")
    return doc.PairedEvent(
        timestamp=iso(r["timestamp"]) or "",
        lane=text("lane"),
        family=text("family"),
        file=text("file"),
        line=None if line is None or pd.isna(line) else int(line),
        text=text("message") or "",
    )


def _direct_pairs(local: pd.DataFrame, refs: _References) -> dict[str, _Direct]:
    """Per lane: differences from shared request ids, else from instance UUIDs (build
    lines only). One pass over every lane."""
    out: dict[str, _Direct] = {}
    rid = local[local["request_id"].notna() & local["lane"].notna()]
    out.update(
        _shared(rid, "request_id", refs.first_by_request, refs.times, OffsetBasis.REQUEST_ID)
    )
    builds = local[
        local["family"].isin(BUILD_FAMILIES) & local["instance"].notna() & local["lane"].notna()
    ]
    builds = builds[~builds["lane"].isin(list(out))]
    out.update(
        _shared(builds, "instance", refs.created_by_instance, refs.times, OffsetBasis.INSTANCE)
    )
    return out


def _shared(
    rows: pd.DataFrame, key: str, reference: pd.Series, times: pd.Series, basis: OffsetBasis
) -> dict[str, _Direct]:
    """Per lane sharing a ``key`` with ``reference`` (key -> the row of its first time): its
    first time for each shared key minus the reference's (the differences beyond
    MAX_OFFSET_S dropped), with the rows of both."""
    if rows.empty or reference.empty:
        return {}
    first = rows.groupby(["lane", key])["timestamp"].idxmin()
    keys = first.index.get_level_values(key)
    shared = keys.isin(reference.index)
    if not shared.any():
        return {}
    first = first[shared]
    own = first.to_numpy(dtype=np.int64)
    ref = reference.reindex(keys[shared]).to_numpy(dtype=np.int64)
    table = pd.DataFrame(
        {
            "lane": first.index.get_level_values("lane").astype(str),
            "d": _seconds(times.loc[own]) - _seconds(times.loc[ref]),
            "own": own,
            "ref": ref,
        }
    )
    return {str(lane): _direct(group, basis) for lane, group in table.groupby("lane", sort=False)}


def _direct(group: pd.DataFrame, basis: OffsetBasis) -> _Direct:
    # a lane whose every pair is beyond MAX_OFFSET_S keeps an empty entry (so it is not
    # compared by instance after failing by request id)
    kept = group[group["d"].abs() <= MAX_OFFSET_S]
    return _Direct(
        kept["d"].to_numpy(np.float64),
        kept["own"].to_numpy(np.int64),
        kept["ref"].to_numpy(np.int64),
        basis,
    )


def _episode_starts(timed: pd.DataFrame, families: tuple[str, ...]) -> pd.DataFrame:
    """The first row of each burst of a fault family on a lane (gap over EPISODE_GAP_S)."""
    rows = timed[timed["family"].isin(list(families)) & timed["lane"].notna()]
    cols = ["lane", "family", "timestamp", "trusted", "t", "row"]
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rows = rows.sort_values(["lane", "family", "timestamp"])
    gap = rows.groupby(["lane", "family"])["timestamp"].diff().dt.total_seconds()
    starts = rows[gap.isna() | (gap > EPISODE_GAP_S)]
    return pd.DataFrame(
        {
            "lane": starts["lane"].astype(str).to_numpy(),
            "family": starts["family"].astype(str).to_numpy(),
            "timestamp": starts["timestamp"].to_numpy(),
            "trusted": starts["clock"].isin(TRUSTED_CLOCKS).to_numpy(dtype=bool),
            "t": _seconds(starts["timestamp"]),  # once here, not per lane and group
            "row": starts.index.to_numpy(),
        }
    )


def _seconds(values: pd.Series) -> np.ndarray:
    """Seconds since the epoch, whatever the unit of the datetimes."""
    stamps = pd.Series(pd.to_datetime(values, utc=True))
    return np.asarray((stamps - EPOCH).dt.total_seconds(), dtype=np.float64)


MAX_EPISODES = 80  # per lane and family: the most recent ones (bounds the search)
MAX_CANDIDATES = 24
MAX_REF_LANES = 12  # the reference lanes with the most episodes


def _align(
    mine: dict[str, np.ndarray], ref_times: list[np.ndarray], ref_families: list[str]
) -> list[float]:
    """Differences of the episode pairs under the shift that matches the most of them.

    ``ref_times``: sorted starts per reference lane and family (``ref_families``). Matches
    are counted per reference lane, so a shift that several other lanes agree on beats one
    that lines up with a single (perhaps itself skewed) lane.
    """
    refs = [(f, r) for f, r in zip(ref_families, ref_times, strict=True) if f in mine]
    if not mine or not refs:
        return []
    pairs = [(mine[f][:, None] - r[None, :]).ravel() for f, r in refs]
    d = np.concatenate(pairs)
    d = np.round(d[np.abs(d) <= MAX_OFFSET_S])
    values, counts = np.unique(d, return_counts=True)
    # the shifts most differences agree on (a coarse vote), then scored exactly
    shifts = values[np.argsort(-counts, kind="stable")[:MAX_CANDIDATES]]
    # every candidate shift scored at once: per reference, each of my starts moved by each
    # shift is matched with the nearest reference start
    which: list[np.ndarray] = []
    found: list[np.ndarray] = []
    for f, r in refs:
        moved = mine[f][None, :] - shifts[:, None]
        d = _nearest(moved.ravel(), r).reshape(moved.shape)
        hit = np.abs(d) <= MATCH_TOLERANCE_S
        rows = np.nonzero(hit)[0]
        which.append(rows)
        found.append(d[hit] + shifts[rows])
    candidate = np.concatenate(which)
    diffs = np.concatenate(found)
    order = np.argsort(candidate, kind="stable")  # per candidate, in reference order
    candidate, diffs = candidate[order], diffs[order]
    bounds = np.searchsorted(candidate, np.arange(len(shifts) + 1))
    best: tuple[int, float, float] | None = None  # (matches, -residual, -|shift|)
    best_diffs: list[float] = []
    for c, shift in enumerate(shifts.tolist()):
        mine_diffs = diffs[bounds[c] : bounds[c + 1]]
        if not mine_diffs.size:
            continue
        residual = float(np.median(np.abs(mine_diffs - shift)))
        score = (int(mine_diffs.size), -residual, -abs(shift))
        if best is None or score > best:
            best, best_diffs = score, [float(x) for x in mine_diffs]
    return best_diffs


def _nearest(times: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """For each time, its difference to the nearest reference time (the earlier on a tie)."""
    if len(ref) == 1:
        return np.asarray(times - ref[0], dtype=np.float64)
    i = np.clip(np.searchsorted(ref, times), 1, len(ref) - 1)
    left, right = times - ref[i - 1], times - ref[i]
    return np.asarray(np.where(np.abs(left) <= np.abs(right), left, right), dtype=np.float64)


def on_reference(offsets: list[ClockOffset]) -> dict[str, float]:
    """Lane -> seconds to subtract to put it on the reference clock, for the local lanes
    whose place there is known: a corrected offset, or an estimate within delivery latency
    (the lane agrees with the reference as far as its events show). A lane with no
    estimate, pairs that disagree, or an uncorrected larger offset is not there."""
    out: dict[str, float] = {}
    for o in offsets:
        if o.basis is OffsetBasis.REFERENCE or o.offset_s is None:
            continue
        if o.applied:
            out[o.source] = float(o.offset_s)
        elif abs(o.offset_s) < APPLY_FROM_S:
            out[o.source] = 0.0
    return out


def applied_offsets(offsets: list[ClockOffset]) -> dict[str, float]:
    """Lane -> seconds to subtract, for the offsets that are clear enough to correct."""
    return {o.source: float(o.offset_s) for o in offsets if o.applied and o.offset_s is not None}
