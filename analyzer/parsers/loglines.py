"""Lines of a log file as pandas, and the vectorised steps every log parser takes on them.

Every log parser works on a whole file at once: the text is split into a pandas Series of
lines (position ``i`` is line ``i + 1`` of the file), one compiled regex extracts the fields
of every line in a single vectorised pass (RE2 through pyarrow, so patterns must avoid
look-arounds and back-references), and multi-line records are folded with a cumulative sum
over a boolean "a record starts here" mask. Nothing here loops over lines in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from analyzer.fold import MAX_LINE_CHARS, long_lines
from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers.batch import Batch

STRING = pd.StringDtype("pyarrow")


# --------------------------------------------------------------------------- reading


def read_lines(src: SourceFile) -> tuple[pd.Series, list[BundleProblem]]:
    """Decode a source file and split it into lines; problems for what had to be repaired."""
    problems: list[BundleProblem] = []
    try:
        text = src.data.decode("utf-8")
    except UnicodeDecodeError:
        text = src.data.decode("utf-8", errors="replace")
        problems.append(
            BundleProblem(
                src.path,
                "not valid UTF-8: undecodable bytes were replaced by U+FFFD",
                "nothing (the rest of the text was read)",
            )
        )
    if "\x00" in text:
        nuls = text.count("\x00")
        text = text.replace("\x00", "")
        problems.append(
            BundleProblem(src.path, f"{nuls} NUL bytes in a text log (damaged file?)", "NUL bytes")
        )
    lines = split_lines(text)
    lines, cut = cap_lines(lines)
    if cut and src.folded is None:  # a folded log's are listed as it is read (all its lines)
        problems.append(BundleProblem(src.path, *long_lines(cut)))
    return lines, problems


def split_lines(text: str) -> pd.Series:
    """Split on ``\\n`` only (line numbers match ``wc -l``/editors), trailing ``\\r`` removed."""
    if not text:
        return pd.Series([], dtype=STRING)
    arr = pc.split_pattern(pa.array([text], type=pa.large_string()), "\n").flatten()
    if text.endswith("\n"):
        arr = arr.slice(0, len(arr) - 1)
    if "\r" in text:
        arr = pc.utf8_rtrim(arr, characters="\r")
    return _series(arr)


def as_lines(lines: Iterable[str] | pd.Series) -> pd.Series:
    """Any list/Series of lines as a positional Series of pyarrow strings (NA becomes "")."""
    series = lines if isinstance(lines, pd.Series) else pd.Series(list(lines), dtype=object)
    return series.astype(STRING).fillna("").reset_index(drop=True)


def one_batch(
    lines: Iterable[str] | pd.Series,
    ctx: SourceContext,
    file: str | None,
    service: str | None = None,
) -> Batch:
    """The lines of one file as a batch; ``file`` is its path, the context's when None."""
    return Batch.one(as_lines(lines), ctx, file if file is not None else ctx.path, service)


def cap_lines(lines: pd.Series) -> tuple[pd.Series, int]:
    """Cut over-long lines to MAX_LINE_CHARS; returns the lines and how many were cut."""
    if lines.empty:
        return lines, 0
    lengths = pc.utf8_length(_arrow(lines))  # in pyarrow: one pass, no pandas steps
    long = _as_bool(pc.fill_null(pc.greater(lengths, MAX_LINE_CHARS), False))
    count = int(long.sum())
    if count:
        lines = lines.copy()
        lines[long] = lines[long].str.slice(0, MAX_LINE_CHARS)
    return lines, count


def _as_bool(values: object) -> np.ndarray:
    """A pyarrow boolean array without nulls as a numpy one."""
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)  # type: ignore[attr-defined]


def _series(arr: object) -> pd.Series:
    """A pyarrow (chunked) string array as a pandas Series of pyarrow strings."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    arr = pc.cast(arr, pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def _arrow(lines: pd.Series) -> object:
    return pa.array(lines.astype(STRING).array, type=pa.large_string())


def arrow_strings(lines: pd.Series) -> object:
    """The Series as one pyarrow large_string array (for pyarrow.compute)."""
    arr = _arrow(lines)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def strings(arr: object) -> pd.Series:
    """A pyarrow string array as a positional Series of pyarrow strings."""
    return _series(arr)


# --------------------------------------------------------------------------- extraction


def extract(lines: pd.Series, pattern: str) -> pd.DataFrame:
    """Match ``pattern`` (named groups, RE2 syntax) against every line in one pass.

    Returns one column per named group (<NA> where the group did not match or matched
    nothing) plus a boolean ``matched`` column. The index is positional like ``lines``.
    """
    names = list(re.compile(pattern).groupindex)
    if lines.empty:
        frame = pd.DataFrame({name: pd.Series([], dtype=STRING) for name in names})
        frame["matched"] = pd.Series([], dtype=bool)
        return frame
    result = pc.extract_regex(_arrow(lines), pattern)
    fields = result.flatten()
    # the columns' arrays, positional, under the lines' index: no alignment of Series
    columns: dict[str, object] = {
        name: _series(pc.if_else(pc.equal(f, ""), None, f)).array
        for name, f in zip(names, fields, strict=True)
    }
    columns["matched"] = pc.is_valid(result).to_numpy(zero_copy_only=False)
    return pd.DataFrame(columns, index=lines.index)


def extract_head(lines: pd.Series, head: str, rest: str) -> pd.DataFrame:
    """Like ``extract(lines, head + "(?P<rest>.*)$")``, about ten times faster.

    A capture group that runs to the end of a long line makes RE2 leave its fast engines;
    so ``head`` (named groups, anchored with ``^``) is extracted alone and the text after
    its match is what is left once the match is replaced by nothing. The ``rest`` column
    is <NA> where the line did not match or nothing follows the head.
    """
    frame = extract(lines, head)
    if lines.empty:
        frame[rest] = pd.Series([], dtype=STRING)
        return frame
    after = pc.replace_substring_regex(_arrow(lines), head, "", max_replacements=1)
    keep = pc.and_(pa.array(frame["matched"].to_numpy(dtype=bool)), pc.not_equal(after, ""))
    column = _series(pc.if_else(keep, after, None))
    column.index = lines.index
    frame[rest] = column
    return frame


def matches(lines: pd.Series, pattern: str) -> np.ndarray:
    """Boolean array: the line matches ``pattern`` (searched, so anchor it with ``^``)."""
    if lines.empty:
        return np.zeros(0, dtype=bool)
    found = pc.match_substring_regex(_arrow(lines), pattern)
    return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)


def non_empty(values: pd.Series) -> np.ndarray:
    """Boolean array: the value is present and not the empty string."""
    if values.empty:
        return np.zeros(0, dtype=bool)
    return _as_bool(pc.fill_null(pc.not_equal(_arrow(values), ""), False))  # one pyarrow pass


# --------------------------------------------------------------------------- folding


def fold(
    starts: np.ndarray, cont_text: pd.Series, files: np.ndarray | None = None
) -> tuple[np.ndarray, pd.Series]:
    """Fold continuation lines into the record they follow.

    ``starts``: boolean per line, True where a record starts. ``cont_text``: what each line
    contributes when it is a continuation (empty/<NA> contributes nothing). Lines before
    the first record belong to no record and are dropped; with ``files`` (the file of each
    line, ``Batch.file``), so are the lines before the first record of each file.

    Returns the positions of the record starts and, aligned with them, the ``detail`` of
    each record: its continuation lines joined with ``\\n`` (<NA> when there are none).
    """
    starts = np.asarray(starts, dtype=bool)
    positions = np.flatnonzero(starts)
    group = np.cumsum(starts)
    continues = ~starts & (group > 0) & non_empty(cont_text)
    if files is not None and positions.size:
        continues[continues] = files[continues] == files[positions[group[continues] - 1]]
    cont = np.flatnonzero(continues)
    if not cont.size:
        return positions, pd.Series([pd.NA] * len(positions), dtype=STRING)
    # Continuation rows are already ordered by record: one list per record, joined in C.
    cont_group = group[cont]
    offsets = np.concatenate(([0], np.flatnonzero(np.diff(cont_group)) + 1, [cont.size]))
    lists = pa.LargeListArray.from_arrays(
        pa.array(offsets, type=pa.int64()), _arrow(cont_text.iloc[cont])
    )
    joined = pc.binary_join(lists, pa.scalar("\n", type=pa.large_string()))
    take = np.full(len(positions), -1, dtype=np.int64)
    take[cont_group[offsets[:-1]] - 1] = np.arange(len(offsets) - 1)
    return positions, _series(pc.take(joined, pa.array(take, mask=take < 0)))


def same_as_previous(values: pd.Series) -> np.ndarray:
    """Boolean array: the value equals the one on the previous line (never for NA)."""
    eq = values.eq(values.shift(1)).fillna(False)
    return eq.to_numpy(dtype=bool)
