"""Which lines of a chunk match the searched patterns, and which name a UUID: the two tests
the fold (``analyzer.fold``) makes of every line of a large log.

RE2 through pyarrow runs once per line, with a call's setup each time: on a busy log the
searched patterns cost more than inflating the log. Hyperscan, when installed (it has
wheels for x86-64 Linux, macOS and Windows, not for every machine), scans a whole chunk
for every pattern in one pass and reports where each match ends; it is a few times faster
and gives the same answer:

- the patterns are compiled as ``(?:patterns)[^\\n]*$`` in multi-line mode (those not
  sampled, and those only sampled, each as one alternation), so each reports once per
  line it matches, at the line's end, with the leftmost start of that match;
- a match that lies inside one line is exactly what a search of that line finds;
- a chunk where more than one line in three matches (a broker log of connections, all
  of them searched) is searched with RE2 instead: each report is a call into Python;
- a match that runs over a line's end (``[^ ]`` and ``\\s`` match a newline in a chunk but
  never inside a line) settles nothing: the lines it covers are searched again with RE2,
  each on its own, as without Hyperscan.

Without Hyperscan every line is searched with RE2 (``Searched.engine`` says which ran). A
UUID is found with numpy over the bytes, at the places its dashes are.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from analyzer.patterns import union

try:
    import hyperscan  # type: ignore[import-untyped,unused-ignore]
except ImportError:  # no wheel for this machine: RE2 alone gives the same answer, slower
    hyperscan = None  # type: ignore[assignment]

UUID_BYTES = 36
REPORTS_PER_LINE = 1 / 3
"""The most Hyperscan reports a chunk takes, per line: each is a call into Python (about
0.8 us, and the interpreter's lock); past that, RE2 line by line costs less."""
_HEX = np.zeros(256, dtype=bool)
_HEX[np.frombuffer(b"0123456789abcdefABCDEF", dtype=np.uint8)] = True
_WORDISH = np.zeros(256, dtype=bool)  # what may not come right before a UUID in text
_WORDISH[
    np.frombuffer(
        b"-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8
    )
] = True
_HEX_AT = np.array([i for i in range(UUID_BYTES) if i not in (8, 13, 18, 23)])


def uuid_candidates(buf: np.ndarray, lo: int = 0, hi: int | None = None) -> np.ndarray:
    """Where in ``buf[lo:hi]`` (uint8) 36 bytes could hold a UUID, as positions in ``buf``:
    its four dashes in place (a quick test at the dashes of the text only; the hex digits
    are not checked)."""
    hi = buf.size if hi is None else hi
    room = hi - lo - UUID_BYTES + 1
    if room <= 0:
        return np.empty(0, dtype=np.int64)
    # the first two dashes over the whole span, then the other two at those places only:
    # most dashes of a log line are not a UUID's (dates, "- - -" context, request ids)
    dash = buf[lo + 8 : lo + 23 + room] == ord("-")  # the places of the four dashes
    pairs = np.flatnonzero(dash[:room] & dash[5 : 5 + room])
    starts: np.ndarray = pairs[dash[pairs + 10] & dash[pairs + 15]].astype(np.int64) + lo
    return starts


def uuid_lines(buf: np.ndarray, offsets: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Per line (``offsets``: where each starts, and the end): it names a UUID that no dash,
    letter or digit comes right before (``req-<uuid>`` request ids are on nearly every
    line and do not count), as ``analyzer.fold.UUID_IN_TEXT`` says in RE2. ``at``: the
    ``uuid_candidates`` of the lines."""
    named = np.zeros(offsets.size - 1, dtype=bool)
    # what comes before first: it rules out the request ids, which are on nearly every line
    # (a line start inside is preceded by a newline, which is not wordish)
    at = at[(at == offsets[0]) | ~_WORDISH[buf[np.maximum(at - 1, 0)]]]
    if at.size:
        windows = np.lib.stride_tricks.sliding_window_view(buf, UUID_BYTES)[at]
        at = at[_HEX[windows[:, _HEX_AT]].all(axis=1)]
        named[np.searchsorted(offsets, at, side="right") - 1] = True
    return named


def uuid_keys(data: bytes | memoryview) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys (``keys_of``) of every place in ``data`` that could hold a UUID, those
    of request ids (``req-`` right before) apart: what an index part keeps so that a
    look-up for a few VMs opens only the parts that may name one."""
    buf = np.frombuffer(data, dtype=np.uint8)
    return keys_at(buf, uuid_candidates(buf))


def keys_at(buf: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``uuid_keys`` of the candidates ``at`` of ``buf`` (found once for a chunk)."""
    if not at.size:
        empty = np.empty(0, dtype=np.uint64)
        return empty, empty
    keys = _keys_at(buf, at)
    requests = at >= 4
    for i, byte in enumerate(b"req-"):
        requests &= buf[np.maximum(at - 4 + i, 0)] == byte
    # (np.sort, not np.unique: a sort is cheaper)
    return np.sort(keys[~requests]), np.sort(keys[requests])


def keys_of(uuids: Iterable[bytes]) -> np.ndarray:
    """The sorted distinct keys of ``uuids`` (36 bytes each) as ``uuid_keys`` makes them."""
    distinct = set(uuids)
    if not distinct:
        return np.empty(0, dtype=np.uint64)
    buf = np.frombuffer(b"".join(distinct), dtype=np.uint8)
    return np.unique(_keys_at(buf, np.arange(len(distinct), dtype=np.int64) * UUID_BYTES))


def _keys_at(buf: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The first and last 8 bytes of the 36 at each of ``at``, XORed into one 64-bit number.
    Two ids may share a key, rarely: that only opens a part for nothing, since the look-up
    then checks whole ids."""
    eights = np.lib.stride_tricks.sliding_window_view(buf, 8)
    head = eights[at].copy().view(np.uint64).ravel()
    tail = eights[at + UUID_BYTES - 8].copy().view(np.uint64).ravel()
    keys: np.ndarray = head ^ tail
    return keys


@dataclass(frozen=True)
class Searched:
    """The patterns a folded log keeps lines for (``analyzer.patterns``), and which of them
    are only sampled: a line matching only those is *sampled* (``analyzer.fold``)."""

    patterns: tuple[str, ...]
    sampled: frozenset[str] = frozenset()
    use_hyperscan: bool = True  # False: RE2 only (the tests compare the two)

    def __post_init__(self) -> None:
        union(self.patterns)  # refuses no pattern at all: it would match every line

    @functools.cached_property
    def wanted(self) -> str:
        return union(self.patterns)

    @functools.cached_property
    def rows(self) -> str | None:
        """The patterns not sampled, as one (None: no pattern is sampled)."""
        as_rows = tuple(p for p in self.patterns if p not in self.sampled)
        return union(as_rows) if self.sampled and as_rows else None

    @property
    def engine(self) -> str:
        return "hyperscan" if self._database() is not None else "re2"

    def lines(
        self, buf: np.ndarray, offsets: np.ndarray, lines: pa.Array
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per line: it matches a pattern (``searched``), and it matches only sampled ones
        (``sampled``). ``lines`` are the lines as an array, ``buf[offsets[i]:offsets[i+1]]``
        each, newline included."""
        database = self._database()
        if database is None:
            return self._re2(lines, np.ones(len(lines), dtype=bool))
        return self._hyperscan(database, buf, offsets, lines)

    def _re2(self, lines: pa.Array, among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(lines)
        searched = np.zeros(n, dtype=bool)
        sampled = np.zeros(n, dtype=bool)
        if not among.any():
            return searched, sampled
        picked = lines if among.all() else lines.filter(pa.array(among))
        searched[among] = _matches(picked, self.wanted)
        rows = self.rows
        if rows is not None and searched.any():
            sampled[searched] = ~_matches(lines.filter(pa.array(searched)), rows)
        return searched, sampled

    def _hyperscan(
        self, database: _Database, buf: np.ndarray, offsets: np.ndarray, lines: pa.Array
    ) -> tuple[np.ndarray, np.ndarray]:
        n = offsets.size - 1
        lo, hi = int(offsets[0]), int(offsets[-1])
        events: list[tuple[int, int, int]] = []
        most = int(n * REPORTS_PER_LINE)

        def found(pattern: int, start: int, end: int, _flags: int, _context: Any) -> bool:
            events.append((pattern, start, end))
            return len(events) > most  # True: the scan stops

        try:
            database.db.scan(buf.data[lo:hi], match_event_handler=found, scratch=database.scratch())
        except hyperscan.error:  # ScanTerminated: most lines match, RE2 is cheaper; or
            # Hyperscan failed (no memory for its scratch space): RE2 gives the answer
            return self._re2(lines, np.ones(n, dtype=bool))
        searched = np.zeros(n, dtype=bool)
        as_row = np.zeros(n, dtype=bool)
        if not events:
            return searched, as_row
        found_at = np.array(events, dtype=np.int64)
        first = np.searchsorted(offsets, found_at[:, 1] + lo, side="right") - 1
        last = np.searchsorted(offsets, found_at[:, 2] + lo - 1, side="right") - 1
        inside = first == last
        searched[last[inside]] = True
        as_row[last[inside & database.as_row[found_at[:, 0]]]] = True
        sampled = searched & ~as_row if self.rows is not None else np.zeros(n, dtype=bool)
        across = np.flatnonzero(~inside)
        if across.size:  # rare: these lines are searched again one by one
            again = np.zeros(n, dtype=bool)
            for a, b in zip(first[across], last[across], strict=True):
                again[a : b + 1] = True
            s, t = self._re2(lines, again)
            searched[again], sampled[again] = s[again], t[again]
        return searched, sampled

    def _database(self) -> _Database | None:
        if not self.use_hyperscan or hyperscan is None:
            return None
        # One compile (60 ms for the analysis's patterns): the scan threads that start
        # together wait for it rather than each compiling the same database.
        with _COMPILING:
            return _compiled(self.patterns, self.sampled)

    def prepare(self) -> None:
        """Compile now what the first scan would: called on a thread of its own while the
        archive's first members are read. A failure is left for that scan to meet (and
        list as the file's problem)."""
        with contextlib.suppress(Exception):
            self._database()


@dataclass
class _Database:
    db: Any
    as_row: np.ndarray  # per expression: its patterns are not sampled
    _local: threading.local

    def scratch(self) -> Any:
        """One scratch space per thread: the fold scans chunks on several."""
        mine = getattr(self._local, "scratch", None)
        if mine is None:
            mine = self._local.scratch = hyperscan.Scratch(self.db)
        return mine


_COMPILING = threading.Lock()


@functools.lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...], sampled: frozenset[str]) -> _Database | None:
    """The patterns as one Hyperscan database of two expressions, the patterns not sampled
    and those only sampled, each an alternation: a line reports at most twice, whatever
    the number of patterns it matches (None: a pattern is beyond Hyperscan's syntax, and
    RE2 searches them all; each pattern spelled by ``as_hyperscan``)."""
    spelled = {p: as_hyperscan(p) for p in patterns}
    if None in spelled.values():
        return None
    as_rows = tuple(spelled[p] or "" for p in patterns if p not in sampled)
    only_sampled = tuple(spelled[p] or "" for p in patterns if p in sampled)
    groups = [(group, row) for group, row in ((as_rows, True), (only_sampled, False)) if group]
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(
            expressions=[f"(?:{union(group)})[^\\n]*$".encode() for group, _ in groups],
            ids=list(range(len(groups))),
            elements=len(groups),
            flags=[hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_SOM_LEFTMOST] * len(groups),
        )
    except hyperscan.error:
        return None
    as_row = np.array([row for _, row in groups], dtype=bool)
    return _Database(db, as_row, threading.local())


_RE2_SPACE = r"\t\n\f\r "  # RE2's \s; Hyperscan's (PCRE's) adds the vertical tab


def as_hyperscan(pattern: str) -> str | None:
    r"""``pattern`` (RE2) spelled so that Hyperscan matches what RE2 matches in one line, or
    None where the two read it differently: ``\s`` and ``\S`` spelled out (Hyperscan counts
    a vertical tab as a space, RE2 does not); an end of text (``$``, ``\z``, ``\Z``) or a
    start of text (``\A``) is a line's end or start for RE2, reading one line, and the
    chunk's for Hyperscan; ``\Q...\E`` is not read here."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            if e in "AzZQ" or (e == "S" and in_class):
                return None
            if e == "s":
                out.append(_RE2_SPACE if in_class else f"[{_RE2_SPACE}]")
            elif e == "S":
                out.append(f"[^{_RE2_SPACE}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif pattern.startswith("[:", i):  # [[:alpha:]]
                end = pattern.find(":]", i + 2)
                if end < 0:
                    return None
                out.append(pattern[i : end + 2])
                i = end + 2
                continue
        elif c == "$":
            return None
        elif c == "[":
            in_class = True
            # a "]" right after "[" or "[^" is a member, not the class's end
            start = i + 2 if pattern.startswith("[^", i) else i + 1
            if pattern.startswith("]", start):
                out.append(pattern[i : start + 1])
                i = start + 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _matches(lines: pa.Array, pattern: str) -> np.ndarray:
    hits = pc.match_substring_regex(lines, pattern)
    return hits.to_numpy(zero_copy_only=False)  # type: ignore[no-any-return]
