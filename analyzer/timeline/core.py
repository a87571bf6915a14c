"""The merged timeline with its clock offsets estimated and the clear ones corrected."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analyzer.frames import Frames
from analyzer.timeline.events import apply_offsets, merged_events
from analyzer.timeline.skew import ClockOffset, applied_offsets, estimate_offsets


@dataclass(frozen=True)
class Timeline:
    frame: pd.DataFrame  # events.COLUMNS, time order, skew-corrected
    offsets: list[ClockOffset]


def build_timeline(frames: Frames) -> Timeline:
    raw = merged_events(frames)
    offsets = estimate_offsets(raw)
    return Timeline(apply_offsets(raw, applied_offsets(offsets)), offsets)
