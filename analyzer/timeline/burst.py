"""Burst analysis: how fast creates arrived around the onset, and how many built at once.

Creates are the API's ``POST /v2.1/servers`` acceptances, plus servers whose ``created``
time no API line accounts for (bundles without API logs). A create is *building* from its
acceptance until its request or instance logs a build result (``Took ... to build``, a
failure, a fault); one with no result is still building at collection (it hangs). The
figures are compared with the runbook's advice to create VMs in batches of 20-50:
``BURST_MIN`` creates or more in the ``BEFORE`` before the onset is a burst that preceded
the failure. The messaging layer failed after that many creates, so the batch that would
have stayed below it is one less (never more than the runbook's 50); the per-project
instance quota that caps a burst at that batch is what the project held before the burst
plus the batch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from analyzer.document import timeline as doc
from analyzer.document.recovery import TimeRange
from analyzer.frames import TS
from analyzer.model import iso
from analyzer.runbook import BATCH

BEFORE = pd.Timedelta(minutes=10)
AROUND = pd.Timedelta(minutes=30)
BURST_MIN = 5
API_MATCH_S = 10.0
EPOCH = pd.Timestamp(0, tz="UTC")
TS_DTYPE = pandas_dtype(TS)


def creates(timeline: pd.DataFrame) -> pd.DataFrame:
    """One row per create: ``at``, ``request_id``, ``instance`` (when a later line names it)."""
    # the columns read below: the rows selected of the others would not be
    timeline = timeline[["family", "timestamp", "request_id", "instance"]]
    api = timeline[(timeline["family"] == "create_request") & timeline["timestamp"].notna()]
    # only the creates' requests are looked up: grouping every row naming an instance by
    # request costs more than the rest of the burst on a busy log
    named = timeline[_among(timeline["request_id"], api["request_id"])]
    named = named[named["instance"].notna()]
    instance_of = named.groupby("request_id")["instance"].first()
    api = api.assign(at=api["timestamp"], instance=api["request_id"].map(instance_of))
    made = timeline[(timeline["family"] == "vm_created") & timeline["timestamp"].notna()]
    if not made.empty and not api.empty:
        times = np.sort(_seconds(api["at"]))
        mine = _seconds(made["timestamp"])
        i = np.clip(np.searchsorted(times, mine), 0, len(times) - 1)
        nearest = np.minimum(np.abs(times[i] - mine), np.abs(times[np.maximum(i - 1, 0)] - mine))
        made = made[nearest > API_MATCH_S]
    made = made.assign(at=made["timestamp"])
    cols = ["at", "request_id", "instance"]
    out = pd.concat([api[cols], made[cols]], ignore_index=True) if not made.empty else api[cols]
    return out.sort_values("at", kind="stable").reset_index(drop=True)


def _among(values: pd.Series, wanted: pd.Series) -> np.ndarray:
    """Per value: it is one of the non-null ``wanted`` (null never is)."""
    keys = wanted.dropna().unique()
    return values.isin(keys).fillna(False).to_numpy(dtype=bool) & values.notna().to_numpy(bool)


def _seconds(values: pd.Series) -> np.ndarray:
    """Seconds since the epoch, whatever the unit of the datetimes."""
    stamps = pd.to_datetime(values, utc=True)
    return np.asarray((stamps - EPOCH).dt.total_seconds(), dtype=np.float64)


def _lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """Times looked up by key, NaT where the key is missing or unknown."""
    out = pd.Series(pd.NaT, index=keys.index, dtype=TS_DTYPE)
    if table.empty:
        return out
    found = pd.to_datetime(keys.map(table), utc=True)
    return found.astype(TS_DTYPE) if not found.isna().all() else out


def build_ends(timeline: pd.DataFrame, made: pd.DataFrame, servers: pd.DataFrame) -> pd.Series:
    """When each create stopped building (its first build result), NaT while it hangs.

    A server listed in another status than BUILD with no result in the data (an old VM
    from a server list) counts as done at once.
    """
    is_result = timeline["role"].isin(["build_ok", "build_fail"])
    results = timeline[["request_id", "instance", "timestamp"]][is_result]  # (all that is read)
    # only the results of these creates are looked up (see creates())
    of_rid = results[_among(results["request_id"], made["request_id"])]
    by_rid = of_rid.groupby("request_id")["timestamp"].min()
    of_inst = results[_among(results["instance"], made["instance"])]
    by_inst = of_inst.groupby("instance")["timestamp"].min()
    ends = _lookup(made["request_id"], by_rid)
    ends = ends.where(ends.notna(), _lookup(made["instance"], by_inst))
    if not servers.empty:
        status = servers[["id", "status"]].drop_duplicates("id").set_index("id")["status"]
        status = status.fillna("")
        done = made["instance"].map(status).fillna("BUILD").str.upper() != "BUILD"
        ends = ends.where(ends.notna() | ~done, made["at"])
    return ends


def burst_document(
    timeline: pd.DataFrame,
    onset: pd.Timestamp | None,
    end: pd.Timestamp | None,
    collected_at: pd.Timestamp | None,
    servers: pd.DataFrame,
) -> doc.Burst | None:
    made = creates(timeline)
    if made.empty or onset is None:
        return None
    start = onset - AROUND
    stop = end if end is not None else onset + AROUND
    stop = min(stop, onset + 2 * AROUND) if collected_at is None else min(stop, collected_at)
    ends = build_ends(timeline, made, servers).fillna(
        collected_at if collected_at is not None else stop
    )
    window = made[(made["at"] >= start) & (made["at"] <= stop)]
    before = made[(made["at"] >= onset - BEFORE) & (made["at"] <= onset)]
    per_minute = (
        window.set_index("at").resample("1min").size()
        if not window.empty
        else pd.Series(dtype="int64")
    )
    peak, peak_at = _peak_concurrency(made["at"], ends, start, stop)
    at_onset = int(((made["at"] <= onset) & (ends > onset)).sum())
    peak_before, _ = _peak_concurrency(made["at"], ends, onset - BEFORE, onset)
    preceded = len(before) >= BURST_MIN
    batch = max(1, min(BATCH[1], len(before) - 1)) if preceded else None
    project, instances = _project(before, servers)
    span = (before["at"].max() - before["at"].min()).total_seconds() if len(before) > 1 else 0.0
    return doc.Burst(
        window=TimeRange(start=iso(start), end=iso(stop)),
        creates=len(window),
        creates_before_onset=len(before),
        before_onset_s=BEFORE.total_seconds(),
        burst_first=iso(before["at"].min()) if not before.empty else None,
        burst_last=iso(before["at"].max()) if not before.empty else None,
        burst_span_s=round(span, 1),
        peak_rate_per_min=int(per_minute.max()) if not per_minute.empty else 0,
        peak_rate_at=iso(per_minute.idxmax()) if not per_minute.empty else None,
        peak_concurrent_build=peak,
        peak_concurrent_at=iso(peak_at),
        concurrent_at_onset=at_onset,
        peak_concurrent_before_onset=peak_before,
        preceded_failure=preceded,
        runbook_batch=list(BATCH),
        versus_runbook=_versus(len(before)),
        suggested_batch=batch,
        project_id=project,
        suggested_instance_quota=instances + batch
        if batch is not None and instances is not None
        else None,
    )


def _versus(n: int) -> str:
    if n < BATCH[0]:
        return "below"
    if n <= BATCH[1]:
        return "within"
    return "above"


def _peak_concurrency(
    starts: pd.Series, ends: pd.Series, since: pd.Timestamp, until: pd.Timestamp
) -> tuple[int, pd.Timestamp | None]:
    """Most creates building at once between ``since`` and ``until`` (checked at each start)."""
    moments = starts[(starts >= since) & (starts <= until)]
    if moments.empty:
        return 0, None
    best, best_at = 0, None
    s, e = starts.to_numpy(), ends.to_numpy()
    for t in moments.to_numpy():
        n = int(((s <= t) & (e > t)).sum())
        if n > best:
            best, best_at = n, pd.Timestamp(t)
    return best, best_at


def _project(before: pd.DataFrame, servers: pd.DataFrame) -> tuple[str | None, int | None]:
    """The project most of the burst came from, and how many instances it held before."""
    if before.empty or servers.empty or "project_id" not in servers.columns:
        return None, None
    ids = set(before["instance"].dropna().astype(str))
    projects = servers["project_id"][servers["id"].isin(ids)].dropna()
    if projects.empty:
        return None, None
    project = str(projects.mode().iloc[0])
    mine = servers["created_at"][servers["project_id"] == project]
    later = (mine >= before["at"].min()).fillna(False)
    return project, int(len(mine) - later.sum())
