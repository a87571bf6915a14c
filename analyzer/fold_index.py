"""Indexed records of folded logs (``analyzer.fold``) back as lines, for the VMs that need them.

A folded log keeps the routine records that name an instance (``Folded.index``) counted,
with their lines compressed. Once the servers are read, the records a VM story can show
come back among the kept lines, in their place, and out of the counts:

- those naming a story VM (``STORY_STATUSES``: a story is told of VMs in BUILD or ERROR);
- those carrying a request id (``req-<uuid>``) that a row or such a record carries too,
  so a story's request-id links, the clock-skew pairs by request id and the hung-create
  test see every line they saw when nothing was indexed.

Everything else stays a count: a log naming a million instances costs their compressed
lines, not a million rows.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from analyzer.fold import Folded
from analyzer.index_parts import IndexPart
from analyzer.line_match import UUID_BYTES, keys_of, uuid_candidates

STORY_STATUSES = frozenset({"BUILD", "ERROR"})
"""Server statuses whose VMs get a story (``analyzer.timeline.stitching.stories``)."""

REQUEST_ID = re.compile(rb"req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REQUEST_ID_BYTES = 40  # every REQUEST_ID match: "req-" and 36
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def request_ids(texts: Iterable[bytes]) -> frozenset[bytes]:
    """The distinct request ids in ``texts``."""
    found: set[bytes] = set()
    for text in texts:
        found.update(REQUEST_ID.findall(text))
    return frozenset(found)


def story_instances(ids: Iterable[str]) -> tuple[bytes, ...]:
    """The ids that can be found in an index: only UUID-like text is ever indexed."""
    return tuple(sorted({i.encode() for i in ids if UUID.fullmatch(i)}))


@dataclasses.dataclass
class _Lines:
    """One index part, opened: its lines, their numbers and records."""

    data: bytes
    numbers: np.ndarray
    opens: np.ndarray
    record: np.ndarray  # the record number of each line (0-based within the part)

    @classmethod
    def of(cls, part: IndexPart) -> _Lines:
        opens = part.opens
        return cls(part.lines(), part.numbers, opens, np.cumsum(opens) - 1)

    @functools.cached_property
    def offsets(self) -> np.ndarray:
        """int64, len(lines) + 1: found only for a part where something was found."""
        ends = np.flatnonzero(np.frombuffer(self.data, dtype=np.uint8) == 0x0A) + 1
        return np.concatenate(([0], ends)).astype(np.int64)

    def naming(self, instances: tuple[bytes, ...]) -> np.ndarray:
        """Per record: one of its lines names one of ``instances``."""
        return self._per_line_hits(_naming_positions(self.data, instances) if instances else None)

    def carrying(self, requests: frozenset[bytes]) -> np.ndarray:
        """Per record: one of its lines carries one of ``requests``."""
        return self._per_line_hits(_positions_of(self.data, requests) if requests else None)

    def _per_line_hits(self, at: np.ndarray | None) -> np.ndarray:
        hit = np.zeros(len(self.numbers), dtype=bool)
        if at is not None and at.size:
            hit[self._line_at(at)] = True
        return self._per_record(hit)

    def request_ids(self, records: np.ndarray) -> frozenset[bytes]:
        chosen = np.flatnonzero(records[self.record])
        if not chosen.size:
            return frozenset()
        offsets = self.offsets
        return request_ids(self.data[int(offsets[i]) : int(offsets[i + 1])] for i in chosen)

    def _line_at(self, pos: int | np.ndarray) -> np.ndarray:
        return np.searchsorted(self.offsets, pos, side="right") - 1

    def _per_record(self, hit: np.ndarray) -> np.ndarray:
        return np.bincount(self.record, weights=hit, minlength=int(self.record[-1]) + 1) > 0


def _positions_of(data: bytes, requests: frozenset[bytes]) -> np.ndarray:
    """Where in ``data`` one of ``requests`` (``req-<uuid>``, as ``REQUEST_ID`` finds them)
    starts. Nearly every line carries a request id or two: found with numpy over the bytes,
    not with a match object per id (most of the restore's time, before)."""
    wanted = _sorted_ids(requests)
    buf = np.frombuffer(data, dtype=np.uint8)
    at = np.flatnonzero(buf[: max(buf.size - wanted.itemsize + 1, 0)] == ord("r"))
    for i, byte in enumerate(b"eq-", start=1):
        at = at[buf[at + i] == byte]
    return _where_one_of(buf, at, wanted)


def _naming_positions(data: bytes, instances: tuple[bytes, ...]) -> np.ndarray:
    """Where in ``data`` one of ``instances`` (UUIDs) starts: at every place the dashes of
    a UUID are, the 36 bytes are looked up among them (one pass over the bytes, whatever
    the number of VMs; an RE2 alternation of them cost a pass per 500 and per line)."""
    wanted = np.array(sorted(set(instances)), dtype=f"S{UUID_BYTES}")
    buf = np.frombuffer(data, dtype=np.uint8)
    return _where_one_of(buf, uuid_candidates(buf), wanted)


def _where_one_of(buf: np.ndarray, at: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The positions ``at`` where ``buf`` holds one of the sorted fixed-width ``wanted``
    (each position leaves room for one)."""
    if not at.size:
        return at.astype(np.int64)
    width = wanted.itemsize
    # first the 8 bytes after the place, as one integer, among the ids' first 8 (nearly
    # every place holds another VM's or request's id), then the whole id; taking rows of a
    # view of every window copies only the bytes taken
    prefixes = np.unique(wanted.view(np.uint8).reshape(-1, width)[:, :8].copy().view(np.uint64))
    heads = np.lib.stride_tricks.sliding_window_view(buf, 8)[at].copy().view(np.uint64).ravel()
    near = np.minimum(np.searchsorted(prefixes, heads), prefixes.size - 1)
    at = at[prefixes[near] == heads]
    if not at.size:
        return at.astype(np.int64)
    found = np.lib.stride_tricks.sliding_window_view(buf, width)[at].view(f"S{width}").ravel()
    near = np.minimum(np.searchsorted(wanted, found), wanted.size - 1)
    positions: np.ndarray = at[wanted[near] == found].astype(np.int64)
    return positions


@functools.lru_cache(maxsize=4)
def _sorted_ids(requests: frozenset[bytes]) -> np.ndarray:
    """``requests`` as one sorted fixed-width array (every id is ``req-`` and a UUID)."""
    return np.array(sorted(requests), dtype=f"S{REQUEST_ID_BYTES}")


def linked_requests(logs: Iterable[Folded], instances: tuple[bytes, ...]) -> frozenset[bytes]:
    """Request ids of the indexed records that name one of ``instances``."""
    found: set[bytes] = set()
    if instances:
        keys, nothing = _instance_keys(instances), _request_keys(frozenset())
        for folded in logs:
            for part in folded.index:
                if not part.may_hold(keys, nothing):
                    continue
                lines = _Lines.of(part)
                found.update(lines.request_ids(lines.naming(instances)))
    return frozenset(found)


@functools.lru_cache(maxsize=4)
def _instance_keys(instances: tuple[bytes, ...]) -> np.ndarray:
    return keys_of(instances)


@functools.lru_cache(maxsize=4)
def _request_keys(requests: frozenset[bytes]) -> np.ndarray:
    """Once for every log of a bundle: the requests are the same for each."""
    return keys_of(r[len(b"req-") :] for r in requests)


def restore(
    folded: Folded, instances: tuple[bytes, ...], requests: frozenset[bytes], minute_width: int
) -> Folded:
    """``folded`` with the indexed records naming one of ``instances`` or carrying one of
    ``requests`` among its kept lines, in line order, and no longer counted."""
    pieces: list[bytes] = []
    numbers: list[np.ndarray] = []
    minutes: list[tuple[bytes, str]] = []
    uuids, carried = _instance_keys(instances), _request_keys(requests)
    for part in folded.index:
        if not part.may_hold(uuids, carried):
            continue  # not opened: nearly every part, when few VMs have a story
        lines = _Lines.of(part)
        records = lines.naming(instances) | lines.carrying(requests)
        if not records.any():
            continue
        chosen = np.flatnonzero(records[lines.record])
        opens, debug = lines.opens, part.debug
        for i in chosen:
            piece = lines.data[int(lines.offsets[i]) : int(lines.offsets[i + 1])]
            pieces.append(piece)
            if opens[i]:
                minutes.append((piece[:minute_width], "DEBUG" if debug[i] else "INFO"))
        numbers.append(lines.numbers[chosen])
    if not pieces:
        return folded
    added = np.concatenate(numbers)
    return dataclasses.replace(
        folded,
        kept=_merge(folded.kept, folded.line_numbers, pieces, added),
        line_numbers=np.sort(np.concatenate((folded.line_numbers, added))),
        counts=_uncount(folded.counts, minutes),
        folded_records=folded.folded_records - len(minutes),
    )


def _merge(kept: bytes, kept_numbers: np.ndarray, lines: list[bytes], numbers: np.ndarray) -> bytes:
    """The kept lines with ``lines`` put in their places by line number."""
    ends = np.flatnonzero(np.frombuffer(kept, dtype=np.uint8) == 0x0A) + 1
    offsets = np.concatenate(([0], ends, [len(kept)] if not kept.endswith(b"\n") else []))
    offsets = offsets.astype(np.int64)
    order = np.argsort(numbers, kind="stable")
    at = np.searchsorted(kept_numbers, numbers[order])  # kept lines before each added one
    out: list[bytes] = []
    done = 0
    for k, i in zip(at, order, strict=True):
        cut = int(offsets[int(k)]) if int(k) < len(offsets) else len(kept)
        out.append(kept[done:cut])
        out.append(lines[int(i)])
        done = cut
    out.append(kept[done:])
    return b"".join(out)


def _uncount(counts: pa.Table, minutes: list[tuple[bytes, str]]) -> pa.Table:
    """``counts`` less one record per minute and level in ``minutes``; a minute left with
    none goes. The first and last stamps of the others stay: they still bound them."""
    less: dict[tuple[bytes, str], int] = {}
    for key in minutes:
        less[key] = less.get(key, 0) + 1
    minute_col = counts["minute"].to_pylist()
    level_col = counts["level"].to_pylist()
    records = counts["records"].to_numpy().copy()
    for row, key in enumerate(zip(minute_col, level_col, strict=True)):
        records[row] -= less.get(key, 0)
    table = counts.set_column(
        counts.schema.get_field_index("records"), "records", pa.array(records, pa.int64())
    )
    return table.filter(pa.array(records > 0))
