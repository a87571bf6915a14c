"""A one-line progress display on standard error for analyses that take a while.

A gigabyte bundle takes tens of seconds; without a sign of life people interrupt it. The
line shows the current stage, its number and the time so far, redrawn a few times a
second by a background thread, and is erased when the analysis ends so the summary (and
any ``--format json/md`` document on standard output) is untouched. It appears only on a
terminal and only once the run has taken more than ``delay`` seconds: quick runs, pipes,
CI logs and tests never see it. No dependency: the stages are few and known, a bar
library would draw nothing more useful than this line.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

STAGES = ("reading bundles", "parsing", "diagnosing", "building the timeline and report")
"""The stages analyzer.analysis.analyse reports, in order (for the "2/4" count)."""

DELAY_S = 1.0
TICK_S = 0.25


class StatusLine:
    """Callable as the ``progress`` of analyse(); ``close()`` erases the line."""

    def __init__(self, stream: TextIO, *, delay: float = DELAY_S, tick: float = TICK_S) -> None:
        self._stream = stream
        self._delay = delay
        self._tick = tick
        self._start = time.monotonic()
        self._stage = ""
        self._drawn = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="progress", daemon=True)
        self._thread.start()

    def __call__(self, stage: str) -> None:
        with self._lock:
            self._stage = stage

    def render(self) -> str:
        """The text of the line at this moment."""
        stage = self._stage
        number = f"[{STAGES.index(stage) + 1}/{len(STAGES)}] " if stage in STAGES else ""
        return f"analyze: {number}{stage} ... {time.monotonic() - self._start:.0f} s"

    def _run(self) -> None:
        while not self._stop.wait(self._tick):
            if time.monotonic() - self._start < self._delay:
                continue
            with self._lock:
                text = self.render()
                if text != self._drawn:  # redraw only what changed (slow terminals, logs)
                    self._stream.write("\r\033[K" + text)
                    self._stream.flush()
                    self._drawn = text

    def close(self) -> None:
        """Stop redrawing and erase the line if it was drawn."""
        self._stop.set()
        self._thread.join()
        if self._drawn:
            self._stream.write("\r\033[K")
            self._stream.flush()


def status_line(stream: TextIO, enabled: bool) -> StatusLine | None:
    """A StatusLine when enabled and ``stream`` is a terminal, else None (no thread)."""
    if not enabled:
        return None
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return StatusLine(stream) if tty else None
