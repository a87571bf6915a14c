"""Large logs, read folded: the records the analysis reads stay lines, the rest become counts.

A week of ``ostackhost.log`` is millions of periodic-task and lock lines that no rule, no
timeline family and no VM story ever reads. Parsing each into a row costs time and memory
in proportion to the log; here the log streams through in chunks, and only whole-chunk
vectorised tests (Hyperscan, RE2 through pyarrow, numpy: ``analyzer.line_match``) look at
every line:

- a *record* is a line whose head the format recognises, plus the lines after it that do
  not open one (a traceback, raw stdout) and the lines that repeat its head (oslo.log and
  RabbitMQ 3.9+ write each line of a multi-line message with the same prefix: time,
  process, level, logger or Erlang pid), as the format's parser reads records;
- a record is *kept*, all its lines verbatim, when any of its lines is at WARNING or above
  (the format's ``keep`` levels) or matches a pattern the analysis searches
  (``analyzer.patterns``);
- a record that matches only *sampled* patterns (a build that completed, a login that
  succeeded: one line per VM or connection, read as "the last one", "one after this
  time") is kept when it is the first or last such record of its minute, or the first
  after a kept record; the others are indexed (below). A busy log's "Took 12.31 seconds
  to build instance" lines cost a few rows a minute, not one per build;
- a record that is not DEBUG and names a UUID (an instance, in a block or in the text, as
  the VM stories look for; request ids, ``req-<uuid>``, do not count) but is not kept is
  *indexed*: counted like a folded one, and its lines stored compressed with the keys
  of the UUIDs and request ids in them (``analyzer.index_parts``: in an unnamed temporary
  file when the Folder has a ``spill``) until the analysis knows which VMs
  it tells the story of (``analyzer.fold_index``: only the parts holding one of their
  keys are opened). A busy cloud names thousands of instances a minute in
  routine lines ("VM Resumed", power-state syncs); only the few stuck or failed VMs need
  them as rows;
- every other record is *folded*: counted per minute of its time stamp and level (DEBUG or
  INFO), with the first and last stamp of each minute;
- one counted record in ``SAMPLE_EVERY`` (indexed or folded) is sampled for what it said:
  its first line's message template, ids and numbers masked (``analyzer.fold_templates``).

The kept lines go to the format's own parser as if they were the file, with their original
line numbers alongside, so evidence still points at the right line. Memory follows the
chunk size and the kept records, not the size of the log nor the number of instances it
names (the index holds those lines compressed, and spilled, out of memory).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from analyzer.fold_templates import (
    EXAMPLE_BYTES,
    SAMPLE_EVERY,
    Sample,
    Seen,
    Templates,
    in_sample,
    sample_of,
)
from analyzer.fold_templates import templates as templates_of
from analyzer.index_parts import IndexPart, Spill
from analyzer.line_match import Searched, keys_at, uuid_candidates, uuid_lines

CHUNK = 4 * 1024 * 1024
"""Bytes scanned at a time."""
FOLD_FROM = 512 * 1024
"""Smaller logs are parsed whole: every record a row, nothing lost to counting."""
MAX_LINE = 1024 * 1024
"""A longer line is cut (the parsers keep 64 Ki characters of a line anyway)."""
MAX_LINE_CHARS = 64 * 1024
"""The parsers cut longer lines to this many characters (a 50 MB line must not become a
cell); each such line is listed as a bundle problem, folded or not (``long_lines``)."""
MAX_RECORD = 64 * 1024 * 1024
"""A record (a traceback) longer than this is cut at a chunk boundary rather than held."""


def long_lines(count: int) -> tuple[str, str]:
    """The bundle problem of a log with ``count`` lines cut: what was wrong, what skipped."""
    return f"{count} line(s) longer than {MAX_LINE_CHARS} characters", "the text beyond that length"


UUID_IN_TEXT = (
    r"(?:^|[^-0-9A-Za-z])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
    r"-[0-9a-fA-F]{12}"
)
"""A UUID not preceded by a dash (``req-<uuid>`` request ids are on nearly every line): what
names an instance, as RE2 says it; the fold finds it with numpy (``line_match.uuid_lines``,
which a property test compares with this)."""


@dataclass(frozen=True)
class FoldFormat:
    """How to read one log format's lines without parsing them (declared by its parser).

    ``level`` and ``head`` are RE2 patterns anchored with ``^`` with one group each: the
    level of a line that may open a record, and the head a line repeats when it continues
    one (compared only for lines in the same stamp); ``levels`` says which levels open a
    record, ``keep`` which of them (and of continuation levels
    such as TRACE) are WARNING or above, ``debug`` which are DEBUG.
    ``time``/``time_format`` read a record's time from its stamp: a zoned one as is, a
    zone-less one by the parser's clock rules (the host's offset). ``lead``: what opens
    a record's first line before its message (the time, a process id, the level), cut
    from a sampled line to make its template (``analyzer.fold_templates``): the level is
    a column of its own, and a process id is not part of what was said. ``stamp_width``: bytes
    of the time stamp that open a record line; ``minute_width``: the bytes of it up to
    the minute.
    """

    level: str
    head: str
    levels: frozenset[str]
    keep: frozenset[str]
    debug: frozenset[str]
    source: str  # the logs table's ``source`` of the format
    time: str  # RE2, anchored: the time in a stamp (the stamp may run into the next field)
    time_format: str  # strptime format of a zone-less time (a zoned one is read as ISO)
    lead: str  # RE2, anchored: the time, process id and level before a record's message
    service: str | None = None  # the logs table's ``service`` (None: from the path)
    # when set, a repeated head continues the record only if it matches this (RE2)
    repeats_if: str | None = None
    stamp_width: int = 23
    minute_width: int = 16


@dataclass
class Folded:
    """What folding one log left: the kept lines and the counts of the rest."""

    kind: str  # the parser that reads the kept lines
    kept: bytes  # the kept lines, newlines included, in file order
    line_numbers: np.ndarray  # int64, the 1-based line number of each kept line
    counts: pa.Table  # minute, level, records, first, last (local time text)
    lines: int  # lines read
    folded_records: int
    long_lines: int = 0  # lines of more than MAX_LINE_CHARS characters, kept or folded
    unended: bool = False  # the last line has no newline (the file may be cut short)
    index: list[IndexPart] = field(default_factory=list)  # indexed records (also counted)
    # the message templates of a sample of the counted records (analyzer.fold_templates)
    templates: Templates = field(default_factory=Templates)


Count = tuple[bytes, str, int, bytes, bytes]
"""Folded records of one minute and level: minute, level, records, first and last stamp."""


@dataclass
class Segment:
    """Lines ``lo`` to ``hi`` of a chunk that belong to one record, maybe unfinished."""

    data: bytes  # the lines, newlines included
    numbers: np.ndarray  # int64, line index of each within the chunk
    wanted: bool
    named: bool  # names an instance outside a DEBUG line (indexed unless wanted)
    start: bool  # its first line opens a record by the format (not a preamble)
    stamp: bytes
    key: bytes | None  # the head of its first line (None: a line that opens no record)
    debug: bool
    at: int  # where its first line starts in the file (bytes)


@dataclass
class Scan:
    """One chunk of whole lines, tested and folded as far as it can be on its own.

    Records that open and end inside the chunk are settled here (``kept``, ``counts``);
    the lines before the chunk's second record opens (``head``: they may continue the
    record before the chunk) and the last record (``tail``: it may go on after it) are
    settled by the Folder, which sees the chunks in order.
    """

    n: int
    last_key: bytes | None
    head: Segment
    tail: Segment | None  # None: the whole chunk is the head
    kept: list[bytes]
    kept_numbers: np.ndarray  # int64, line index within the chunk
    counts: list[Count]
    long_lines: int = 0
    index: IndexPart | None = None  # line numbers within the chunk, 0-based
    sample: Sample = field(default_factory=list)  # line numbers within the chunk, 0-based


def scan(
    data: bytes | memoryview,
    fmt: FoldFormat,
    wanted: Searched,
    prefix: str | None = None,
    file_at: int = 0,
    every: int = SAMPLE_EVERY,
) -> Scan:
    """Every test of a chunk, vectorised; thread-safe (pyarrow and numpy release the GIL).

    ``wanted``: the searched patterns (``analyzer.line_match``); a record matching
    sampled patterns only is *sampled* (see ``_sampled``). With
    ``prefix`` (a journal's or compose's, ``line_prefix.fold_prefix``) the tests read
    each line with it cut off, as the whole read does; kept lines stay as written.
    ``file_at``: where the chunk starts in its file; one in ``every`` counted records is
    sampled for its template (``analyzer.fold_templates``).
    """
    raw_buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw_buf == 0x0A) + 1
    if not len(ends) or ends[-1] != len(data):
        ends = np.append(ends, len(data))  # the last line of a file without its newline
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    n = len(ends)
    lines = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    raw = lines
    buf, starts_at = raw_buf, offsets  # where each tested line's stamp begins
    if prefix is not None:
        lines = pc.replace_substring_regex(lines, prefix, b"", max_replacements=1)
        _validity, inner_offsets, inner_data = lines.buffers()
        starts_at = np.frombuffer(inner_offsets, dtype=np.int64)[: n + 1]
        buf = np.frombuffer(inner_data, dtype=np.uint8) if inner_data is not None else raw_buf
    level = pc.struct_field(pc.extract_regex(lines, fmt.level), [0])
    stamps = pc.binary_slice(lines, 0, fmt.stamp_width)
    repeats = np.zeros(n, dtype=bool)
    if n > 1:
        # Only a line in the same stamp as the one before can repeat its head: the whole
        # heads (longer to extract) are compared for those pairs only.
        same = pc.fill_null(pc.equal(stamps.slice(1), stamps.slice(0, n - 1)), False)
        pairs = np.flatnonzero(same.to_numpy(zero_copy_only=False)) + 1
        if pairs.size:
            mine = _heads(lines.take(pa.array(pairs)), fmt)
            before = _heads(lines.take(pa.array(pairs - 1)), fmt)
            equal = pc.fill_null(pc.equal(mine, before), False).to_numpy(zero_copy_only=False)
            if fmt.repeats_if is not None:
                equal &= _matches(pc.fill_null(mine, ""), fmt.repeats_if)
            repeats[pairs] = equal
    debug = _among(level, fmt.debug)
    # A line that names an instance but matches no pattern is only indexed, and DEBUG
    # lines that name instances in passing (power-state syncs, cache refreshes) not even
    # that.
    searched, sampled = wanted.lines(buf, starts_at, lines)
    candidates = uuid_candidates(buf, int(starts_at[0]), int(starts_at[-1]))
    named = uuid_lines(buf, starts_at, candidates) & ~searched & ~debug
    starts = _among(level, fmt.levels)
    severe = _among(level, fmt.keep)
    want = severe | searched
    opens = starts & ~repeats
    later = np.flatnonzero(opens[1:]) + 1
    stamp_at = _stamp_reader(buf, starts_at, fmt.stamp_width)

    def segment(lo: int, hi: int) -> Segment:
        return Segment(
            data=bytes(data[int(offsets[lo]) : int(offsets[hi])]),
            numbers=np.arange(lo, hi, dtype=np.int64),
            wanted=bool(want[lo:hi].any()),
            named=bool(named[lo:hi].any()),
            start=bool(starts[lo]),
            stamp=stamp_at(lo),
            key=_head_of(lines, lo, fmt),
            debug=bool(debug[lo]),
            at=file_at + int(offsets[lo]),
        )

    first, last = (int(later[0]), int(later[-1])) if later.size else (n, n)
    kept: list[bytes] = []
    numbers = np.empty(0, dtype=np.int64)
    counts: list[Count] = []
    index = None
    sample: Sample = []
    if last > first:
        sl = slice(first, last)
        record = np.cumsum(opens[sl]) - 1
        as_row = severe[sl] | (searched[sl] & ~sampled[sl])
        keep = (np.bincount(record, weights=as_row) > 0)[record]
        thin = (np.bincount(record, weights=sampled[sl]) > 0)[record] & ~keep
        if thin.any():
            chosen = thin & _sampled(buf, starts_at, record, thin, keep, opens[sl], first, fmt)
            keep |= chosen
            thin &= ~chosen
        numbers = np.flatnonzero(keep).astype(np.int64, copy=False) + first
        kept = [bytes(_gather(raw, numbers))] if numbers.size else []
        indexed = (np.bincount(record, weights=named[sl] | thin) > 0)[record] & ~keep
        if indexed.any():
            at = np.flatnonzero(indexed).astype(np.int64, copy=False) + first
            # the keys of the candidates in the indexed lines, found in the chunk already
            line_of = np.searchsorted(starts_at, candidates, side="right") - 1 - first
            inside = (line_of >= 0) & (line_of < indexed.size)
            inside[inside] = indexed[line_of[inside]]
            keys = keys_at(buf, candidates[inside])
            index = IndexPart.of(_gather(raw, at), at, opens[at], debug[at], keys)
        folded = np.flatnonzero(opens[sl] & starts[sl] & ~keep) + first
        counts = _count(buf, starts_at, folded, debug[folded], fmt)
        picks = folded[in_sample(offsets[folded] + file_at, every)]
        sample = sample_of(
            lines, raw, picks, debug[picks], starts_at, buf, fmt.lead, fmt.stamp_width
        )
    return Scan(
        n=n,
        last_key=_head_of(lines, n - 1, fmt),
        head=segment(0, first),
        tail=segment(last, n) if last < n else None,
        kept=kept,
        kept_numbers=numbers,
        counts=counts,
        long_lines=_long_lines(raw_buf, offsets),
        index=index,
        sample=sample,
    )


def _sampled(
    buf: np.ndarray,
    offsets: np.ndarray,
    record: np.ndarray,
    thin: np.ndarray,
    keep: np.ndarray,
    opens: np.ndarray,
    first: int,
    fmt: FoldFormat,
) -> np.ndarray:
    """Per line of the settled part of a chunk: its record stays a row though it matches
    sampled patterns only (``thin``), being the first or the last such record of its
    minute, or the first after a record kept as a row (``keep``).

    Kept so, the first and last such record of a log, the last one per host, one after
    any time up to the minute, and the first after a failure the log itself records (the
    first build after a reconnect) are rows: what the readers of a sampled pattern ask.
    """
    lines = np.flatnonzero(thin & opens)  # a record's first line holds its stamp
    minutes = _leading(buf, offsets[lines + first], fmt.minute_width)
    change = np.flatnonzero(minutes[1:] != minutes[:-1]) + 1
    ends = np.concatenate(([0], change, change - 1, [minutes.size - 1]))
    thin_records = record[lines]
    chosen = np.zeros(int(record[-1]) + 1, dtype=bool)
    chosen[thin_records[ends]] = True
    kept_records = np.unique(record[keep])
    after = np.searchsorted(thin_records, kept_records, side="right")
    chosen[thin_records[after[after < thin_records.size]]] = True
    sampled: np.ndarray = chosen[record]
    return sampled


def _gather(lines: pa.Array, idx: np.ndarray) -> memoryview:
    """The lines ``idx`` (ascending) of ``lines``, one after the other: one take, in C,
    without the interpreter's lock (a Python loop over the runs of consecutive lines took
    4 to 18 times as long on a busy log, whose kept and indexed lines are scattered)."""
    taken = lines.take(pa.array(idx))
    _validity, offsets, values = taken.buffers()
    if values is None:  # only empty lines
        return memoryview(b"")
    return memoryview(values)[: int(np.frombuffer(offsets, dtype=np.int64)[idx.size])]


def _long_lines(buf: np.ndarray, offsets: np.ndarray) -> int:
    """Lines of more than MAX_LINE_CHARS characters (UTF-8), as the parsers count them."""
    sizes = np.diff(offsets)
    count = 0
    for i in np.flatnonzero(sizes > MAX_LINE_CHARS):  # rare: a few per log at most
        line = buf[int(offsets[i]) : int(offsets[i + 1])]
        end = len(line)
        while end and line[end - 1] in (0x0A, 0x0D):  # the newline and \r are not counted
            end -= 1
        continuation = int(np.count_nonzero((line[:end] & 0xC0) == 0x80))
        count += end - continuation > MAX_LINE_CHARS
    return count


def _heads(lines: pa.Array, fmt: FoldFormat) -> pa.Array:
    return pc.struct_field(pc.extract_regex(lines, fmt.head), [0])


def _head_of(lines: pa.Array, i: int, fmt: FoldFormat) -> bytes | None:
    value = _heads(lines.slice(i, 1), fmt)[0].as_py()
    return value.encode() if isinstance(value, str) else value


def _stamp_reader(buf: np.ndarray, offsets: np.ndarray, width: int) -> Callable[[int], bytes]:
    def stamp(i: int) -> bytes:
        lo = int(offsets[i])
        return bytes(buf[lo : min(lo + width, int(offsets[i + 1]))])

    return stamp


def _leading(buf: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` bytes from each of ``starts`` (the stamps of record starts), as one
    fixed-width array: one fancy index, no per-line Python (clipped at the buffer's end)."""
    if buf.size >= width and (not starts.size or int(starts.max()) <= buf.size - width):
        # the usual case, a row per start read through a window view: a quarter of the
        # time of gathering an index array of every byte
        rows = np.lib.stride_tricks.sliding_window_view(buf, width)[starts]
    else:
        gather = starts[:, None] + np.arange(width)
        np.minimum(gather, len(buf) - 1, out=gather)
        rows = buf[gather]
    leading: np.ndarray = rows.view(f"S{width}").ravel()
    return leading


def _count(
    buf: np.ndarray, offsets: np.ndarray, folded: np.ndarray, debug: np.ndarray, fmt: FoldFormat
) -> list[Count]:
    """Folded record starts per minute and level, as runs in file order.

    A record start holds a whole time stamp (its head was recognised), so its first bytes
    are gathered with one fancy index, no per-line Python.
    """
    if not folded.size:
        return []
    stamps = _leading(buf, offsets[folded], fmt.stamp_width)
    minutes = stamps.astype(f"S{fmt.minute_width}")
    out: list[Count] = []
    for level, pick in (("DEBUG", debug), ("INFO", ~debug)):
        keys, times = minutes[pick], stamps[pick]
        if not keys.size:
            continue
        change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        lo = np.concatenate(([0], change))
        hi = np.concatenate((change, [keys.size]))
        out.extend(
            (bytes(keys[a]), level, int(b - a), bytes(times[a]), bytes(times[b - 1]))
            for a, b in zip(lo, hi, strict=True)
        )
    return out


@dataclass
class _Record:
    """The record still open at the end of a chunk (it may go on in the next one)."""

    pieces: list[bytes] = field(default_factory=list)
    numbers: list[np.ndarray] = field(default_factory=list)
    size: int = 0
    wanted: bool = False
    named: bool = False
    start: bool = False
    stamp: bytes = b""
    debug: bool = False
    at: int = 0

    def extend(self, seg: Segment, base: int) -> None:
        self.pieces.append(seg.data)
        self.numbers.append(seg.numbers + base)
        self.size += len(seg.data)
        self.wanted = self.wanted or seg.wanted
        self.named = self.named or seg.named


@dataclass
class Folder:
    """Folds one log fed chunk by chunk (``feed`` then ``finish``).

    Chunks are scanned on ``pool`` (threads: while one chunk is scanned the next is read
    and inflated), at most ``depth`` ahead, and put together in file order here.
    """

    kind: str
    fmt: FoldFormat
    wanted: Searched  # the patterns of the lines the analysis reads (analyzer.patterns)
    prefix: str | None = None  # RE2: the prefix each line carries (line_prefix.fold_prefix)
    pool: Executor | None = None
    # where index parts go as their chunks are folded (analyzer.index_parts); None: memory
    spill: Spill | None = None
    depth: int = 6
    every: int = SAMPLE_EVERY  # one counted record in this many sampled for its template
    _partial: bytes = b""
    _partial_at: int = 0  # where _partial starts in the file
    _fed: int = 0  # bytes fed so far
    _lines_done: int = 0
    _long_lines: int = 0
    _ends_line: bool = True
    _last_key: bytes | None = None
    _open: _Record | None = None
    _inflight: deque[Future[Scan]] = field(default_factory=deque)
    _kept: list[bytes] = field(default_factory=list)
    _numbers: list[np.ndarray] = field(default_factory=list)
    _counts: dict[tuple[bytes, str], tuple[int, bytes, bytes]] = field(default_factory=dict)
    _index: list[IndexPart] = field(default_factory=list)
    _templates: Templates | None = None

    def feed(self, chunk: bytes) -> None:
        base = self._fed
        self._fed += len(chunk)
        if chunk:
            self._ends_line = chunk.endswith(b"\n")
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            self._hold(chunk, base)  # no whole line yet
            return
        if not self._partial:
            self._hold(chunk[cut:], base + cut)
            self._submit(memoryview(chunk)[:cut], base)
            return
        start = chunk.find(b"\n") + 1
        self._hold(chunk[:start], base)
        split, split_at = self._partial, self._partial_at
        self._partial = b""
        self._hold(chunk[cut:], base + cut)
        if cut > start and len(split) == base + start - split_at:
            # The line split by the previous chunk goes first in this chunk's scan: copying
            # the chunk (0.3 ms for 4 MiB) costs less than a scan of one line (1 to 3 ms).
            # A line cut at MAX_LINE is scanned on its own: the lines after it would no
            # longer sit where the file has them.
            self._submit(split + memoryview(chunk)[start:cut], split_at)
            return
        self._submit(split, split_at)
        if cut > start:
            self._submit(memoryview(chunk)[start:cut], base + start)

    def _hold(self, piece: bytes, at: int) -> None:
        """Keep the start of an unfinished line, at most MAX_LINE bytes of it (a line with
        no newline for gigabytes must not be copied over and over, nor held whole);
        ``at``: where ``piece`` starts in the file."""
        if not self._partial:
            self._partial_at = at
        room = MAX_LINE - len(self._partial)
        if room > 0:
            self._partial += piece[:room]
        if piece.endswith(b"\n") and not self._partial.endswith(b"\n"):
            self._partial += b"\n"  # the line's end survives the cut

    def finish(self) -> Folded:
        if self._partial:
            self._submit(self._partial, self._partial_at)
            self._partial = b""
        while self._inflight:
            self._merge(self._inflight.popleft().result())
        if self._open is not None:
            self._close(self._open)
            self._open = None
        rows = sorted((k, v) for k, v in self._counts.items())
        counts = pa.table(
            {
                "minute": pa.array([k[0] for k, _ in rows], pa.large_binary()),
                "level": pa.array([k[1] for k, _ in rows], pa.string()),
                "records": pa.array([v[0] for _, v in rows], pa.int64()),
                "first": pa.array([v[1] for _, v in rows], pa.large_binary()),
                "last": pa.array([v[2] for _, v in rows], pa.large_binary()),
            }
        )
        return Folded(
            kind=self.kind,
            kept=b"".join(self._kept),
            line_numbers=(
                np.concatenate(self._numbers) if self._numbers else np.empty(0, dtype=np.int64)
            ),
            counts=counts,
            lines=self._lines_done,
            folded_records=sum(v[0] for _, v in rows),
            long_lines=self._long_lines,
            unended=not self._ends_line,
            index=self._index,
            templates=self._sample(),
        )

    def _sample(self) -> Templates:
        if self._templates is None:
            self._templates = Templates(every=self.every)
        return self._templates

    def _submit(self, data: bytes | memoryview, at: int) -> None:
        args = (data, self.fmt, self.wanted, self.prefix, at, self.every)
        if self.pool is None:
            self._merge(scan(*args))
            return
        self._inflight.append(self.pool.submit(scan, *args))
        while len(self._inflight) > self.depth:
            self._merge(self._inflight.popleft().result())

    def _merge(self, s: Scan) -> None:
        """Put one scanned chunk together with the record left open before it."""
        base = self._lines_done
        head = s.head
        opens = self._open is None or (head.start and head.key != self._last_key)
        if opens:
            if self._open is not None:
                self._close(self._open)
            self._open = _Record(start=head.start, stamp=head.stamp, debug=head.debug, at=head.at)
        assert self._open is not None
        self._open.extend(head, base)
        if s.tail is not None:  # the chunk opens a record after its head: the head is done
            self._close(self._open)
            self._kept.extend(s.kept)
            if s.kept_numbers.size:
                self._numbers.append(s.kept_numbers + base + 1)
            for c in s.counts:
                self._add_count(*c)
            if s.index is not None:
                self._keep_index(s.index.shifted(base + 1))
            self._sample().add(s.sample, base)
            tail = s.tail
            self._open = _Record(start=tail.start, stamp=tail.stamp, debug=tail.debug, at=tail.at)
            self._open.extend(tail, base)
        self._last_key = s.last_key
        self._lines_done = base + s.n
        self._long_lines += s.long_lines
        if self._open.size > MAX_RECORD:
            self._close(self._open)  # a runaway record is cut rather than held
            self._open = _Record()

    def _close(self, rec: _Record) -> None:
        if rec.wanted:
            self._kept.extend(rec.pieces)
            self._numbers.extend(x + 1 for x in rec.numbers)
            return
        if rec.named and rec.start:  # a record across chunks, indexed as inside one
            numbers = np.concatenate(rec.numbers) + 1
            opens = np.zeros(len(numbers), dtype=bool)
            opens[0] = True
            debug = np.full(len(numbers), rec.debug)
            self._keep_index(IndexPart.of(b"".join(rec.pieces), numbers, opens, debug))
        if rec.start:
            level = "DEBUG" if rec.debug else "INFO"
            self._add_count(rec.stamp[: self.fmt.minute_width], level, 1, rec.stamp, rec.stamp)
            if in_sample(np.array([rec.at]), self.every)[0]:
                self._sample().add([self._template_of(rec)], 0)

    def _keep_index(self, part: IndexPart) -> None:
        self._index.append(part.spilled(self.spill) if self.spill is not None else part)

    def _template_of(self, rec: _Record) -> tuple[bytes, bool, Seen]:
        """A record settled here (it ran over a chunk's end) in the sample, as a scan
        samples those inside a chunk."""
        first = rec.pieces[0].split(b"\n", 1)[0]
        line = pa.array([first], pa.large_binary())
        if self.prefix is not None:
            line = pc.replace_substring_regex(line, self.prefix, b"", max_replacements=1)
        template = templates_of(line, self.fmt.lead)[0].as_py()
        number = int(rec.numbers[0][0])
        example = first[:EXAMPLE_BYTES].rstrip(b"\r")
        return template, rec.debug, Seen(1, number, number, rec.stamp, rec.stamp, example)

    def _add_count(self, minute: bytes, level: str, n: int, first: bytes, last: bytes) -> None:
        key = (minute, level)
        entry = self._counts.get(key)
        if entry is None:
            self._counts[key] = (n, first, last)
        else:
            self._counts[key] = (entry[0] + n, min(entry[1], first), max(entry[2], last))


def _among(values: pa.Array, allowed: frozenset[str]) -> np.ndarray:
    hits = pc.fill_null(pc.is_in(values, value_set=pa.array(sorted(allowed))), False)
    return hits.to_numpy(zero_copy_only=False)  # type: ignore[no-any-return]


def _matches(lines: pa.Array, pattern: str) -> np.ndarray:
    hits = pc.match_substring_regex(lines, pattern)
    return hits.to_numpy(zero_copy_only=False)  # type: ignore[no-any-return]
