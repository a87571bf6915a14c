"""A kubectl-stamped log's own times against kubectl's: the clock note of a pod log.

``kubectl logs --timestamps`` puts the container runtime's UTC stamp before each line and
that stamp is the row's time; the line's own stamp (oslo.log's, RabbitMQ's) is read
too, and their difference is kept for a moment as one column of the parsed rows. A
container that logs local time without a zone, or a pod whose clock is off, shows as a
steady difference; delivery delays are milliseconds and buffered output a few seconds.

Each file's differences are summarised here into one median, and the column is dropped
before the rows join the frames: one number per file, not one per row of a large log.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

COLUMN = "own_offset_s"
"""Per row of a kubectl log: the line's own time minus kubectl's, in seconds (NaN where
either is missing)."""

NOTE_FROM_S = 10.0  # a few seconds are buffering and delivery; more is a clock
STEADY_S = 15.0  # median distance from the median: steady, not scattered (skew.CLEAR_SPREAD_S)
MIN_LINES = 2  # two lines that agree, as a clock offset needs two pairs (timeline.skew)


@dataclass(frozen=True)
class OwnClock:
    """How far a file's own times read ahead of kubectl's (negative: behind)."""

    offset_s: float
    lines: int  # the lines compared


def summarised(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, OwnClock]]:
    """The rows without ``COLUMN``, and the files whose own times differ from kubectl's
    steadily by ``NOTE_FROM_S`` or more, by file."""
    if COLUMN not in frame.columns:
        return frame, {}
    notes: dict[str, OwnClock] = {}
    far = frame[COLUMN].abs().to_numpy(dtype=float, na_value=0.0) >= NOTE_FROM_S
    # a median that far off needs one line that far off: nearly every pod log has none
    diffs = (
        pd.DataFrame({"file": frame["file"].astype(str), "d": frame[COLUMN]}).dropna()
        if far.any()
        else pd.DataFrame()
    )
    if not diffs.empty:
        by_file = diffs.groupby("file", sort=False)["d"]
        diffs["off"] = (diffs["d"] - by_file.transform("median")).abs()
        stats = diffs.groupby("file", sort=False).agg(
            median=("d", "median"), lines=("d", "size"), spread=("off", "median")
        )
        steady = stats[
            (stats["lines"] >= MIN_LINES)
            & (stats["median"].abs() >= NOTE_FROM_S)
            & (stats["spread"] <= STEADY_S)
        ]
        for file, median, lines in zip(
            steady.index.astype(str), steady["median"], steady["lines"], strict=True
        ):
            notes[file] = OwnClock(float(median), int(lines))
    return frame.drop(columns=[COLUMN]), notes


def note(path: str, clock: OwnClock) -> str:
    """The clock note of one file, as the report lists it."""
    side = "ahead of" if clock.offset_s > 0 else "behind"
    return (
        f"{path}: the lines' own times read {_span(clock.offset_s)} {side} kubectl's stamps "
        f"(median of {clock.lines} lines): the container logs local time without a zone, "
        "or its clock is off; kubectl's stamps (UTC) are used"
    )


def _span(seconds: float) -> str:
    n = round(abs(seconds))
    if n < 120:
        return f"{n} s"
    if n < 3600:
        return f"{n} s ({n // 60} min)"
    return f"{n} s ({n // 3600} h {n % 3600 // 60} min)"
