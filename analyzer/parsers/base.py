"""What every parser module provides: a ParserSpec named SPEC.

A parser turns one SourceFile into rows of one or more tables (see analyzer.frames for the
declared columns). It never raises on bad content: what it cannot read becomes a
BundleProblem and the rest of the file is still returned.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analyzer.fold import FoldFormat
from analyzer.model import BundleProblem, SourceContext, SourceFile


@dataclass
class ParseResult:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[BundleProblem] = field(default_factory=list)

    def add(self, table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        if table in self.tables:
            self.tables[table] = pd.concat([self.tables[table], frame], ignore_index=True)
        else:
            self.tables[table] = frame


BatchItem = tuple[SourceFile, SourceContext, np.ndarray | None]
"""A file to parse in a batch: its source, context and (folded) the line number of each
of its lines."""


@dataclass(frozen=True)
class ParserSpec:
    """One source kind.

    ``paths``: fnmatch globs of the collector layout (matched against the bundle path).
    ``sniff``: recognises the kind from the first few KiB of text, for hand-gathered files.
    ``parse``: the parser itself.
    ``fold``: for a log format, how a large file is read folded (``analyzer.fold``).
    ``parse_batch``: parses several files in one pass, as ``parse`` would one by one
    (rows in file order, the line numbers given); it may raise, and the caller then falls
    back to ``parse`` file by file.
    """

    kind: str
    tables: tuple[str, ...]
    paths: tuple[str, ...]
    sniff: Callable[[str], bool]
    parse: Callable[[SourceFile, SourceContext], ParseResult]
    fold: FoldFormat | None = None
    parse_batch: Callable[[Sequence[BatchItem]], ParseResult] | None = None

    def matches_path(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pattern) for pattern in self.paths)


PARSER_FAILED = "parser failed"


def fail_forward(src: SourceFile, what: str, fill: Callable[[ParseResult], None]) -> ParseResult:
    """Run a parser body that adds to a ParseResult; it never raises.

    An empty file, or a bug the body trips over, becomes a bundle problem, and whatever the
    body had already added is kept: the rest of the bundle, and of this file, still counts.
    """
    result = ParseResult()
    if not src.data.strip():
        result.problems.append(BundleProblem(src.path, "empty file", "nothing to read"))
        return result
    try:
        fill(result)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the analysis
        result.problems.append(
            BundleProblem(
                src.path,
                f"{what} {PARSER_FAILED} ({type(exc).__name__}: {exc})"[:300],
                "the rest of this file",
            )
        )
    return result
