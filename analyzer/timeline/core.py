"""The merged timeline with its clock offsets estimated and the clear ones corrected."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analyzer.frames import STR, TS, Frames
from analyzer.timeline.events import apply_offsets, merged_events
from analyzer.timeline.skew import ClockOffset, applied_offsets, estimate_offsets, on_reference

FOLDED_COLUMNS = {"lane": STR, "minute": TS, "records": "Int64", "last": TS}


def _no_folded() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in FOLDED_COLUMNS.items()})


@dataclass(frozen=True)
class Timeline:
    frame: pd.DataFrame  # events.COLUMNS, time order, skew-corrected
    offsets: list[ClockOffset]
    # the records of large logs counted instead of listed (analyzer.fold), per lane and
    # minute, skew-corrected like the lane's rows
    folded: pd.DataFrame = field(default_factory=_no_folded)

    @property
    def newest(self) -> pd.Timestamp | None:
        """The time of the newest record, listed or folded."""
        times = [self.frame["timestamp"].max()] if not self.frame.empty else []
        if not self.folded.empty:
            times.append(self.folded["last"].max())
        known = [t for t in times if pd.notna(t)]
        return max(known) if known else None

    @property
    def newest_corrected(self) -> pd.Timestamp | None:
        """The newest record of a local lane known to be on the reference clock: its skew
        corrected, or too small to correct (``skew.on_reference``)."""
        lanes = list(on_reference(self.offsets))
        if not lanes:
            return None
        times = [
            self.frame.loc[self.frame["lane"].isin(lanes), "timestamp"].max(),
            self.folded.loc[self.folded["lane"].isin(lanes), "last"].max(),
        ]
        known = [t for t in times if pd.notna(t)]
        return max(known) if known else None


def build_timeline(frames: Frames) -> Timeline:
    raw = merged_events(frames)
    offsets = estimate_offsets(raw)
    applied = applied_offsets(offsets)
    return Timeline(apply_offsets(raw, applied), offsets, folded_lanes(frames, applied))


def folded_lanes(frames: Frames, offsets: dict[str, float]) -> pd.DataFrame:
    counts = frames.log_counts
    if counts.empty:
        return _no_folded()
    lane = counts["host"].astype("string").fillna(counts["file"].astype("string"))  # as in _logs
    shift = pd.to_timedelta(lane.map(offsets).astype(float).fillna(0.0), unit="s")
    return pd.DataFrame(
        {
            "lane": lane,
            "minute": (counts["minute"] - shift).dt.floor("min"),
            "records": counts["records"],
            "last": counts["last"] - shift,
        }
    )
