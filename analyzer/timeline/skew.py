"""Clock skew: how far each source's clock is off, estimated from events that must coincide.

Kubernetes (kubectl prefixes, events, pod states), zoned RabbitMQ lines and the compute
API's server times are exact UTC: they are the reference. Hypervisor logs and other
zone-less files are local time placed on UTC by a declared offset, so a host whose clock
drifted, or whose zone was never declared, lands minutes or hours off. For each such lane
(one host or file) the offset is estimated, in order of preference, from

1. **request ids and instance UUIDs** (``request-id``, ``instance``): the compute log's first
   line of a build against the API's acceptance of the same request, or the server's
   ``created`` time; a build reaches the compute host within seconds, so the median
   difference is the offset (plus that latency);
2. **fault episodes** (``fault-episodes``): the start of each outage the lane logs
   ("AMQP server ... is unreachable", "Reconnected", "blocked", "Lost connection to
   nova-conductor")
   against the same kind of start on the reference lanes (the broker's clients in pods)
   or, without any, on the other hosts (``fault-episodes-other-hosts``); the shift that
   lines up the most starts wins, so a host minutes off still pairs each outage with its
   own and not with the neighbouring one.

An estimate is *clear* with two or more pairs that agree (spread under ``CLEAR_SPREAD_S``);
a clear offset of ``APPLY_FROM_S`` or more is corrected in the merged timeline, smaller ones
are delivery latency and left alone. Offsets over ``WARN_FROM_S`` are reported as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from analyzer.document import timeline as doc
from analyzer.model import TRUSTED_CLOCKS

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
    FAULT_EPISODES_OTHER_HOSTS = "fault-episodes-other-hosts"
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
        )


def lane_clocks(frame: pd.DataFrame) -> dict[str, str]:
    """The clock rule of each lane (its most common one)."""
    rows = frame[frame["lane"].notna() & frame["clock"].notna()]
    if rows.empty:
        return {}
    modes = rows.groupby("lane")["clock"].agg(lambda c: c.value_counts().index[0])
    return {str(k): str(v) for k, v in modes.items()}


_USED = ("timestamp", "clock", "lane", "request_id", "instance", "family")


def estimate_offsets(frame: pd.DataFrame) -> list[ClockOffset]:
    """One entry per lane: reference lanes at zero, the others estimated (or unknown)."""
    # Only these columns are read: selecting and splitting per lane then copies no message
    # text (on a large bundle that copy was most of the estimate's time and memory).
    frame = frame[[c for c in _USED if c in frame.columns]]
    clocks = lane_clocks(frame)
    timed = frame[frame["timestamp"].notna()]
    is_trusted = timed["clock"].isin(TRUSTED_CLOCKS)
    refs = _References(timed[is_trusted], _episode_starts(timed))
    direct = _direct_pairs(timed[~is_trusted], refs)
    out: list[ClockOffset] = []
    for lane in sorted(clocks):
        clock = clocks[lane]
        if clock in TRUSTED_CLOCKS:
            out.append(ClockOffset(lane, 0.0, OffsetBasis.REFERENCE, 0, None, clock, False))
        else:
            out.append(_estimate(lane, clock, direct.get(lane, ([], OffsetBasis.NONE)), refs))
    return out


class _References:
    """What every lane is compared with, computed once."""

    def __init__(self, trusted: pd.DataFrame, episodes: pd.DataFrame) -> None:
        rid = trusted[trusted["request_id"].notna()]
        self.first_by_request = rid.groupby("request_id")["timestamp"].min()
        created = trusted[(trusted["family"] == "vm_created") & trusted["instance"].notna()]
        self.created_by_instance = created.groupby("instance")["timestamp"].min()
        self.episodes = _Episodes(episodes)


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


def _estimate(
    lane: str, clock: str, direct: tuple[list[float], OffsetBasis], refs: _References
) -> ClockOffset:
    diffs, basis = direct
    if len(diffs) >= 2:
        return _result(lane, clock, diffs, basis)
    episodes = refs.episodes
    ref_times, ref_families, episode_basis = episodes.reference(lane)
    aligned = _align(episodes.own(lane), ref_times, ref_families)
    if len(aligned) >= 1:
        return _result(lane, clock, aligned, episode_basis)
    if diffs:
        return _result(lane, clock, diffs, basis)
    return ClockOffset(lane, None, OffsetBasis.NONE, 0, None, clock, False)


def _result(lane: str, clock: str, diffs: list[float], basis: OffsetBasis) -> ClockOffset:
    values = np.asarray(diffs, dtype=float)
    offset = float(np.median(values))
    spread = float(np.median(np.abs(values - offset))) if len(values) > 1 else None
    clear = len(values) >= 2 and spread is not None and spread <= CLEAR_SPREAD_S
    applied = clear and abs(offset) >= APPLY_FROM_S
    return ClockOffset(lane, offset, basis, len(values), spread, clock, applied)


def _direct_pairs(
    local: pd.DataFrame, refs: _References
) -> dict[str, tuple[list[float], OffsetBasis]]:
    """Per lane: differences from shared request ids, else from instance UUIDs (build
    lines only). One pass over every lane."""
    out: dict[str, tuple[list[float], OffsetBasis]] = {}
    rid = local[local["request_id"].notna() & local["lane"].notna()]
    out.update(_shared(rid, "request_id", refs.first_by_request, OffsetBasis.REQUEST_ID))
    builds = local[
        local["family"].isin(BUILD_FAMILIES) & local["instance"].notna() & local["lane"].notna()
    ]
    builds = builds[~builds["lane"].isin(list(out))]
    out.update(_shared(builds, "instance", refs.created_by_instance, OffsetBasis.INSTANCE))
    return out


def _shared(
    rows: pd.DataFrame, key: str, reference: pd.Series, basis: OffsetBasis
) -> dict[str, tuple[list[float], OffsetBasis]]:
    """Per lane sharing a ``key`` with ``reference``: its first time for each shared key
    minus the reference's (the differences beyond MAX_OFFSET_S dropped)."""
    if rows.empty or reference.empty:
        return {}
    # keys the reference lacks are dropped before grouping: on a busy log nearly every row
    # has a request id, and few of them reach a trusted lane
    rows = rows[rows[key].isin(reference.index).fillna(False).to_numpy(dtype=bool)]
    if rows.empty:
        return {}
    first = rows.groupby(["lane", key])["timestamp"].min()
    keys = first.index.get_level_values(key)
    diff = first.reset_index(drop=True) - reference.reindex(keys).reset_index(drop=True)
    table = pd.DataFrame(
        {"lane": first.index.get_level_values("lane").astype(str), "d": diff.dt.total_seconds()}
    )
    return {
        str(lane): ([float(x) for x in group["d"] if abs(x) <= MAX_OFFSET_S], basis)
        for lane, group in table.groupby("lane", sort=False)
    }


def _episode_starts(timed: pd.DataFrame) -> pd.DataFrame:
    """The first row of each burst of a fault family on a lane (gap over EPISODE_GAP_S)."""
    rows = timed[timed["family"].isin(ALIGN_FAMILIES) & timed["lane"].notna()]
    cols = ["lane", "family", "timestamp", "trusted", "t"]
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


def applied_offsets(offsets: list[ClockOffset]) -> dict[str, float]:
    """Lane -> seconds to subtract, for the offsets that are clear enough to correct."""
    return {o.source: float(o.offset_s) for o in offsets if o.applied and o.offset_s is not None}
