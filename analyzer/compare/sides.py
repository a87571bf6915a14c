"""Each side of a comparison analysed as ``analyze`` analyses bundles.

A side is one bundle (a ``.tgz``/``.tar`` file or an unpacked bundle folder) or a folder
of bundles (the admin workstation's and one per hypervisor), found as ``analyze fleet``
finds them and analysed together by :func:`analyzer.analysis.analyse`. The timeline (with
each host's clock skew corrected) is built once here, for the comparison's times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analyzer.analysis import analyse
from analyzer.document import AnalysisDocument
from analyzer.errors import UsageError
from analyzer.fleet.discover import find_bundles
from analyzer.frames import Frames
from analyzer.limits import Limits
from analyzer.timeline import events
from analyzer.timeline.core import Timeline, build_timeline


@dataclass(frozen=True)
class Analysed:
    """One side: where it was read from, its document, its frames and its timeline."""

    locations: tuple[str, ...]
    doc: AnalysisDocument
    frames: Frames
    timeline: Timeline


def bundles_of(location: Path) -> list[str]:
    """The bundles a side names; UsageError when there is none."""
    found = [job.path for job in find_bundles([location])]
    if not found:
        raise UsageError(f"{location}: no bundle (.tgz/.tar.gz/.tar or bundle folder) in it")
    return found


def analyse_side(
    location: Path, limits: Limits | None = None, progress: Callable[[str], None] | None = None
) -> Analysed:
    paths = bundles_of(location)
    doc, frames, _inventory = analyse(paths, limits, progress)
    try:
        timeline = build_timeline(frames)
    except Exception:  # noqa: BLE001 - fail forward: the document names it (timeline_error)
        timeline = Timeline(events.empty(), [])
    return Analysed(tuple(paths), doc, frames, timeline)
