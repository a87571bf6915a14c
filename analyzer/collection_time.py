"""When the bundles were collected, settled once every bundle is in, and how that is known.

"Stuck for over ten minutes" and "too old to be the current failure" are measured against
this time, so a clock that reads wrong must not set it. In order of preference:

1. **manifest**: the collector wrote it (the newest, across bundles);
2. **archive-mtime**: the newest archive member time; member times count seconds since
   the epoch, so a host's time zone cannot move them;
3. **newest-data**: the newest time read on a clock that names its zone (zoned log lines,
   the kubectl prefix, the compute and Kubernetes APIs) or whose offset the bundle declares
   (``clock.json``), and the newest of a lane the timeline placed on the reference clock
   (``with_corrected_lanes``). A zone-less line read as UTC does not count otherwise: a
   host at UTC+3 would put the collection three hours late, one whose clock runs fast
   late by its skew;
4. **newest-local-time**: only zone-less times with no offset known, read as UTC. Then the
   collection time is a reading of that local clock, not a UTC fact: the rules judge no
   finding old against it (``RuleContext.recent_since``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from analyzer.frames import Frames
from analyzer.model import TRUSTED_CLOCKS, Clock, CollectedAtBasis, Inventory

# Clocks whose times are UTC facts: exact, or moved by an offset the bundle itself declares.
EXACT_CLOCKS = (*TRUSTED_CLOCKS, Clock.LOCAL_OFFSET)

# Times that API and Kubernetes objects carry, always with their zone.
_EXACT_COLUMNS = (
    ("servers", "updated_at"),
    ("servers", "created_at"),
    ("services", "updated_at"),
    ("events", "timestamp"),
)
# Log times, each row placed on UTC by its own clock rule.
_LOG_COLUMNS = (("logs", "timestamp"), ("log_counts", "last"))


def settle_collection_time(inv: Inventory, frames: Frames) -> None:
    """Set the inventory's collection time and basis from the bundles and their data."""
    known = [(b.collected_at, b.collected_at_basis) for b in inv.bundles if b.collected_at]
    manifest_times = [t for t, basis in known if basis is CollectedAtBasis.MANIFEST]
    if manifest_times:
        inv.collected_at, inv.collected_at_basis = max(manifest_times), CollectedAtBasis.MANIFEST
    elif known:
        newest_member = max(t for t, _ in known)
        inv.collected_at, inv.collected_at_basis = newest_member, CollectedAtBasis.ARCHIVE_MTIME
    elif (exact := newest_in_data(frames, exact=True)) is not None:
        inv.collected_at, inv.collected_at_basis = exact, CollectedAtBasis.NEWEST_DATA
    elif (local := newest_in_data(frames, exact=False)) is not None:
        inv.collected_at, inv.collected_at_basis = local, CollectedAtBasis.NEWEST_LOCAL_TIME
    if inv.collected_at is not None and inv.collected_at.tzinfo is None:
        inv.collected_at = inv.collected_at.replace(tzinfo=UTC)


def newest_in_data(frames: Frames, *, exact: bool) -> datetime | None:
    """The newest time in the data: on an exact clock only, or on any clock."""
    sane_max = pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)
    candidates: list[pd.Timestamp] = []
    for table, col in _EXACT_COLUMNS + _LOG_COLUMNS:
        frame = frames[table]
        series = frame[col]
        if exact and (table, col) in _LOG_COLUMNS:
            series = series[frame["clock"].isin(EXACT_CLOCKS).fillna(False)]
        series = series.dropna()
        series = series[series <= sane_max]
        if not series.empty:
            candidates.append(series.max())
    if not candidates:
        return None
    newest: pd.Timestamp = max(candidates)
    return newest.to_pydatetime()


def with_corrected_lanes(inv: Inventory, newest: datetime | None) -> None:
    """Move a collection time taken from the data to ``newest``, the newest record of the
    local lanes known to be on the reference clock (``Timeline.newest_corrected``), when
    that is later. A stated time (manifest, archive) stays as it is."""
    if newest is None or inv.collected_at_basis is not CollectedAtBasis.NEWEST_DATA:
        return
    if inv.collected_at is None or newest > inv.collected_at:
        inv.collected_at = newest.astimezone(UTC)
