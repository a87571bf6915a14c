"""The message templates of a folded log's routine records, from a sample.

``analyzer.fold`` counts the records no rule reads per minute and level: how busy a log
was, not with what. This module says with what. A sample of the folded records is taken,
and each sampled record's first line, its time, process id and level cut off (the
format's ``lead``), becomes a *template*: ids (UUIDs, runs of eight or more hex digits)
masked as ``<id>`` and numbers as ``<n>``. A busy hypervisor's million routine lines
come down to a few dozen templates ("nova.compute.manager [...] Took <n> seconds to build
instance.", "oslo_concurrency.lockutils [...] Lock "compute_resources" acquired ...").

Why a sample: masking costs a regular-expression replace per line, about three times
the rest of the fold's scan, and the templates are read as "mostly this", never by a
rule. One record in ``SAMPLE_EVERY`` is masked; a template's count is estimated as its
sample times ``SAMPLE_EVERY``, and the document says so. Which records are sampled is
decided by a hash of the byte offset where the record's first line starts in its file:
the same records whatever the chunking, and no periodic pattern of the log (a task that
writes the same 32 lines every minute) can line up with it, as every n-th line would.

The sample's templates are kept per log up to ``MAX_TEMPLATES`` (a log of random text
must not hold one per line); sampled records beyond them are counted as ``overflow``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

SAMPLE_EVERY = 32
"""One folded record in this many is sampled (1: every one, for tests)."""
MAX_TEMPLATES = 500
"""Distinct templates kept per log; the rest of the sample is counted as overflow."""
TEMPLATE_BYTES = 1024
"""A template is made of this many bytes of its line at most."""
EXAMPLE_BYTES = 2048
"""An example line is kept up to this many bytes (the document cuts it shorter).

With the two limits above a log's sample holds at most about 1.5 MiB, whatever its
lines."""

# RE2. A UUID, or a word of eight or more hex digits (a request's user or project id, a
# hash, a 0x address); then what is left of numbers, dotted or with colons (times,
# versions, addresses) as one.
ID_MASK = r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|\b(?:0x)?[0-9a-fA-F]{8,}\b"
NUMBER_MASK = r"\d+(?:[.:,]\d+)*"
LINE_END = r"^[ \t]+|[\r\n]+$"  # the space after the stamp, the newline

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def in_sample(offsets: np.ndarray, every: int) -> np.ndarray:
    """Per byte offset (of a record's first line in its file): it is in the sample.

    splitmix64's finaliser: neighbouring offsets get unrelated hashes, so the sample is
    spread like a random one but the same on every run."""
    if every <= 1:
        return np.ones(offsets.shape, dtype=bool)
    z = offsets.astype(np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z ^= z >> np.uint64(31)
    picked: np.ndarray = z % np.uint64(every) == 0
    return picked


def templates(lines: pa.Array, lead: str) -> pa.Array:
    """Each line's template: what follows its lead (``lead``, the format's anchored RE2
    pattern of the time, process id and level) in its first TEMPLATE_BYTES, ids and
    numbers masked, the line's end cut."""
    text = pc.binary_slice(lines, 0, TEMPLATE_BYTES)
    text = pc.replace_substring_regex(text, lead, b"", max_replacements=1)
    text = pc.replace_substring_regex(text, LINE_END, b"")
    text = pc.replace_substring_regex(text, ID_MASK, b"<id>")
    return pc.replace_substring_regex(text, NUMBER_MASK, b"<n>")


@dataclass
class Seen:
    """One template of one log's sample: how often, where first and last, one example."""

    sampled: int
    first_line: int  # 1-based line numbers in the file
    last_line: int
    first_stamp: bytes
    last_stamp: bytes
    example: bytes


Sample = list[tuple[bytes, bool, Seen]]
"""A chunk's sampled templates: template, is DEBUG, what was seen (line numbers within
the chunk, 0-based, until the Folder puts them in the file)."""


def sample_of(
    lines: pa.Array,
    raw: pa.Array,
    picks: np.ndarray,
    debug: np.ndarray,
    stamp_at: np.ndarray,
    buf: np.ndarray,
    lead: str,
    stamp_width: int,
) -> Sample:
    """The templates of the lines ``picks`` (ascending), in order of first appearance.

    ``lines``: the lines as tested (a journal's prefix cut), ``raw``: as written (for the
    example), ``debug``: per pick, ``stamp_at``: where each line's stamp starts in ``buf``,
    ``lead``: the format's pattern of what a line opens with before its message,
    ``stamp_width``: the bytes of a stamp kept for its time.
    """
    if not picks.size:
        return []
    masked = templates(lines.take(pa.array(picks)), lead)
    table = pa.table({"t": masked, "d": pa.array(debug), "i": pa.array(picks)})
    grouped = table.group_by(["t", "d"], use_threads=False).aggregate(
        [("i", "min"), ("i", "max"), ("i", "count")]
    )
    grouped = grouped.sort_by([("i_min", "ascending")])
    out: Sample = []
    for t, d, lo, hi, n in zip(
        grouped["t"].to_pylist(),
        grouped["d"].to_pylist(),
        grouped["i_min"].to_pylist(),
        grouped["i_max"].to_pylist(),
        grouped["i_count"].to_pylist(),
        strict=True,
    ):
        example = raw[lo].as_py()[:EXAMPLE_BYTES].rstrip(b"\r\n")
        out.append(
            (
                t,
                d,
                Seen(
                    n,
                    lo,
                    hi,
                    _stamp(buf, stamp_at, lo, stamp_width),
                    _stamp(buf, stamp_at, hi, stamp_width),
                    example,
                ),
            )
        )
    return out


def _stamp(buf: np.ndarray, stamp_at: np.ndarray, i: int, width: int) -> bytes:
    lo = int(stamp_at[i])
    return bytes(buf[lo : min(lo + width, int(stamp_at[i + 1]))])


@dataclass
class Templates:
    """One log's sample, chunk after chunk in file order (``add``)."""

    every: int = SAMPLE_EVERY
    seen: dict[tuple[bytes, bool], Seen] = field(default_factory=dict)
    sampled: int = 0
    overflow: int = 0  # sampled records whose template found no room (MAX_TEMPLATES)

    def add(self, sample: Sample, base: int) -> None:
        """A chunk's sample; ``base``: the lines of the file before the chunk."""
        for template, debug, s in sample:
            self.sampled += s.sampled
            key = (template, debug)
            mine = self.seen.get(key)
            if mine is None:
                if len(self.seen) >= MAX_TEMPLATES:
                    self.overflow += s.sampled
                    continue
                self.seen[key] = Seen(
                    s.sampled,
                    s.first_line + base + 1,
                    s.last_line + base + 1,
                    s.first_stamp,
                    s.last_stamp,
                    s.example,
                )
                continue
            mine.sampled += s.sampled
            mine.last_line = s.last_line + base + 1
            mine.last_stamp = s.last_stamp

    def table(self) -> pa.Table:
        """template, level, sampled, first_line, last_line, first, last (stamps as written),
        example: one row per template, in order of first appearance."""
        rows = list(self.seen.items())
        return pa.table(
            {
                "template": pa.array([k[0] for k, _ in rows], pa.large_binary()),
                "level": pa.array(["DEBUG" if k[1] else "INFO" for k, _ in rows], pa.string()),
                "sampled": pa.array([s.sampled for _, s in rows], pa.int64()),
                "first_line": pa.array([s.first_line for _, s in rows], pa.int64()),
                "last_line": pa.array([s.last_line for _, s in rows], pa.int64()),
                "first": pa.array([s.first_stamp for _, s in rows], pa.large_binary()),
                "last": pa.array([s.last_stamp for _, s in rows], pa.large_binary()),
                "example": pa.array([s.example for _, s in rows], pa.large_binary()),
            }
        )
