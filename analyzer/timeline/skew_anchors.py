"""The broker's own events as anchors for a client's clock.

A bundle gathered by hand often holds only the broker's log and one hypervisor's log: no
request id or instance is shared with an exact-UTC source, and no client on an exact clock
logged the outage. The broker's log is exact UTC when its lines carry a zone (RabbitMQ 3.10
and later), and each of its own events is followed within seconds by the same reaction in
every client:

| the broker logs | every client then logs |
| --- | --- |
| its stop or death (``broker_down``) | "AMQP server on ... is unreachable" |
| closing its clients' connections itself (``broker_closed_connections``) | the same |
| its start (``broker_started``) | "Reconnected to AMQP server" |
| a resource alarm set (``alarm_set``) | "The broker has blocked the connection" |
| the alarm cleared (``alarm_cleared``) | "The broker has unblocked the connection" |

Each broker event is one anchor (its many lines, a stop's closures among them, count once),
so each pair is independent of the others. A start anchors only after a stop or death on
the same lane: the broker's first start (its log's opening) had no client to reconnect, and
paired with a later "Reconnected" it would read as a skew. The reaction only ever follows
the event, by as much as a client's reconnect back-off; a pair is the lane's episode start
minus the anchor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ANCHORS: dict[str, str] = {
    "broker_down": "amqp_unreachable",
    "broker_closed_connections": "amqp_unreachable",
    "broker_started": "amqp_reconnected",
    "alarm_set": "broker_blocked",
    "alarm_cleared": "broker_unblocked",
}
"""Broker family -> the client family whose episode it starts."""

CLIENT_FAMILIES = tuple(sorted(set(ANCHORS.values())))
# Lines of one broker event come within a second or two (a stop writes dozens); two events
# of the same kind (a stop, a start 30 s later, another stop) are further apart.
ANCHOR_GAP_S = 5.0
MAX_ANCHORS = 80  # per client family: the most recent ones (bounds the search)
MAX_CANDIDATES = 24


@dataclass(frozen=True)
class Match:
    """The lane's episode start (``own``, a row label) and the anchor it follows."""

    diff_s: float
    own: int
    reference: int


def anchor_events(trusted: pd.DataFrame, seconds: np.ndarray) -> pd.DataFrame:
    """The broker's events on exact clocks, one row per event: ``lane``, ``family`` (the
    client family it starts), ``t`` (seconds since the epoch) and ``row`` (its first row).

    ``seconds``: the rows' times as seconds since the epoch, aligned with ``trusted``."""
    cols = ["lane", "family", "t", "row"]
    is_anchor = trusted["family"].isin(list(ANCHORS)).to_numpy(dtype=bool)
    rows = trusted[is_anchor & trusted["lane"].notna().to_numpy(dtype=bool)]
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    events = pd.DataFrame(
        {
            "lane": rows["lane"].astype(str).to_numpy(),
            "family": rows["family"].map(ANCHORS).astype(str).to_numpy(),
            "t": seconds[is_anchor & trusted["lane"].notna().to_numpy(dtype=bool)],
            "row": rows.index.to_numpy(),
        }
    ).sort_values(["lane", "family", "t"], kind="stable")
    gap = events.groupby(["lane", "family"])["t"].diff()
    events = events[gap.isna() | (gap > ANCHOR_GAP_S)]
    down = events[events["family"] == ANCHORS["broker_down"]].groupby("lane")["t"].min()
    first_down = events["lane"].map(down).astype(float).to_numpy()
    is_start = (events["family"] == ANCHORS["broker_started"]).to_numpy(dtype=bool)
    after_down = events["t"].to_numpy(np.float64) > np.nan_to_num(first_down, nan=np.inf)
    return events[~is_start | after_down].reset_index(drop=True)


def match_anchors(
    own: pd.DataFrame, anchors: pd.DataFrame, tolerance_s: float, max_offset_s: float
) -> list[Match]:
    """The pairs under the shift that lines up the most anchors with the lane's episode
    starts (``own``: ``family``, ``t``, ``row``); on a tie the tighter, then the smaller
    shift. Each anchor and each start is used at most once."""
    families = sorted(set(own["family"]) & set(anchors["family"]))
    if not families:
        return []
    mine = {f: _times(own[own["family"] == f]) for f in families}
    theirs = {f: _times(anchors[anchors["family"] == f], MAX_ANCHORS) for f in families}
    diffs = np.concatenate(
        [(mine[f][0][:, None] - theirs[f][0][None, :]).ravel() for f in families]
    )
    diffs = np.round(diffs[np.abs(diffs) <= max_offset_s])
    if not diffs.size:
        return []
    values, counts = np.unique(diffs, return_counts=True)
    shifts = values[np.argsort(-counts, kind="stable")[:MAX_CANDIDATES]]
    best: tuple[int, float, float] | None = None
    best_matches: list[Match] = []
    for shift in shifts.tolist():
        matches = [m for f in families for m in _pairs(mine[f], theirs[f], shift, tolerance_s)]
        if not matches:
            continue
        # the pairs' spread about their own median: the rounded shift is only a candidate
        found = np.asarray([m.diff_s for m in matches])
        residual = float(np.median(np.abs(found - np.median(found))))
        score = (len(matches), -residual, -abs(shift))
        if best is None or score > best:
            best, best_matches = score, matches
    return best_matches


def _times(rows: pd.DataFrame, keep: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rows = rows.sort_values("t", kind="stable")
    if keep is not None:
        rows = rows.tail(keep)
    return rows["t"].to_numpy(np.float64), rows["row"].to_numpy()


def _pairs(
    mine: tuple[np.ndarray, np.ndarray],
    theirs: tuple[np.ndarray, np.ndarray],
    shift: float,
    tolerance_s: float,
) -> list[Match]:
    """Each anchor with the nearest unused start within the tolerance of anchor + shift."""
    (own_t, own_rows), (ref_t, ref_rows) = mine, theirs
    used: set[int] = set()
    out: list[Match] = []
    for t, row in zip(ref_t.tolist(), ref_rows.tolist(), strict=True):
        off = np.abs(own_t - (t + shift))
        for i in np.argsort(off, kind="stable").tolist():
            if off[i] > tolerance_s:
                break
            if i not in used:
                used.add(i)
                out.append(Match(float(own_t[i] - t), int(own_rows[i]), int(row)))
                break
    return out
