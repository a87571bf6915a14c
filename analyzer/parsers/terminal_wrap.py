"""Lines a terminal wrapped, joined again before a log is read.

A log copied out of a terminal window keeps the window's wrapping: every long record cut
into lines of exactly the window's width, the rest of it on the next lines (a
nova-conductor.log pasted from a terminal 157 columns wide)::

    2020-11-22 18:11:31.638 22880 WARNING nova.scheduler.utils [req-fe2b1525-0dc9-44ef-8ac1-013fc083323f 83b70ce8339e4673ae33edf613291108 b91453e898d2402495f54b8
    533bc002b - 9a37718adbcf441aa294c93d40bb91bc 9a37718adbcf441aa294c93d40bb91bc] Failed to compute_task_build_instances: Exceeded maximum number of retries. Ex
    hausted all hosts available for retrying build failures for instance a9f3b569-708e-4a56-8f57-51e17924a1bc.: MaxRetriesExceeded: Exceeded maximum number of re

Read as it is, the record's message is the first piece of its request id. A file counts as
wrapped when at least ``MIN_WRAPS`` lines of its head have exactly the head's longest
length (``MIN_WIDTH`` or more) and go on in a line that opens no record (no time stamp
first) and is no traceback or indented continuation: chance does not give two lines of
one length so placed. Each such line takes the
next one in, again while the joined piece still filled the width; the lines taken in are
left empty, so every record keeps the number of its first line.
"""  # noqa: E501 - real log lines are long

from __future__ import annotations

import numpy as np
import pandas as pd

from analyzer.parsers import loglines

MIN_WIDTH = 80  # no terminal is narrower; shorter "widths" are lines that happen to match
MIN_WRAPS = 2
HEAD_LINES = 1000  # the wrapping is judged on the head, as the prefixes are (line_prefix)
_OPENS_RECORD = r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d"
# what goes on after a record of its own accord: a traceback, an indented continuation; a
# recurring failure logs long lines of one length, each followed by its traceback
_OWN_CONTINUATION = r"^(?:[ \t]|Traceback \(most recent call last\))"


def unwrapped(lines: pd.Series) -> pd.Series:
    """The lines with a terminal's wrapping undone; unchanged when the head shows none."""
    width = _width(lines.iloc[:HEAD_LINES])
    if width is None:
        return lines
    full = _wrapped_at(lines, width)
    if not full.any():
        return lines
    text = lines.tolist()
    n = len(text)
    taken = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(full):
        if taken[i]:
            continue
        pieces = [text[i]]
        j = i
        while full[j]:
            j += 1
            pieces.append(text[j])
            taken[j] = True
            text[j] = ""
        text[i] = "".join(pieces)
    return pd.Series(text, index=lines.index, dtype=lines.dtype)


def wrapped(head: pd.Series) -> bool:
    """The head of a file shows a terminal's wrapping."""
    return _width(head.iloc[:HEAD_LINES]) is not None


def _width(head: pd.Series) -> int | None:
    """The head's wrapping width, None when it is not wrapped."""
    if head.empty:
        return None
    lengths = head.str.len().fillna(0).astype(int).to_numpy()
    width = int(lengths.max())
    if width < MIN_WIDTH or int((lengths == width).sum()) < MIN_WRAPS:
        return None  # the longest line of a log's head is nearly always alone
    wraps = int(_wrapped_at(head, width).sum())
    return width if wraps >= MIN_WRAPS else None


def _wrapped_at(lines: pd.Series, width: int) -> np.ndarray:
    """Per line: it fills the width and the next line goes on with it."""
    at_width = (lines.str.len() == width).fillna(False).to_numpy(dtype=bool)
    follows = np.zeros(len(lines), dtype=bool)
    if len(lines) > 1:
        rest = lines.iloc[1:]
        goes_on = loglines.non_empty(rest) & ~loglines.matches(rest, _OPENS_RECORD)
        goes_on &= ~loglines.matches(rest, _OWN_CONTINUATION)
        follows[:-1] = goes_on
    found: np.ndarray = at_width & follows
    return found
