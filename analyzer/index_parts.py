"""The index of a folded log (``analyzer.fold``), part by part, in memory or spilled to disk.

An index part holds one chunk's indexed records (routine records naming an instance):
their lines compressed, the line number of each, which lines open a record and which
are DEBUG, and the keys of the UUIDs and request ids in them (``line_match.uuid_keys``),
by which a look-up for a few VMs (``analyzer.fold_index``) opens only the parts that may
name one of them.

On a busy log those are about a fifth of the log once compressed, plus 8 bytes a line
for its number and 8 bytes an id for its key: hundreds of MiB for a 1 GiB log naming
millions of instances, and nearly none of it is ever read again. So a bundle's reading
gives its folded logs a ``Spill``: one temporary file, unlinked as it is created (it has
no name on disk and goes when it is closed or the process ends), into which each part is
written as soon as its chunk is folded. A spilled part keeps only where it is; memory then
follows the number of parts (one per 4 MiB chunk), not the lines or the instances. Where
the file cannot be made or written (no room, a read-only temporary folder, a system
without positioned reads and writes), the parts stay in memory, as they do in a Folder
without a spill.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import IO

import numpy as np
from isal import isal_zlib

from analyzer.line_match import uuid_keys

INDEX_LEVEL = 1
"""isal's fastest level: the index is written once and read for a few VMs at most."""

# Only the folder: the file in it is made by tempfile, unnamed, never at a path we choose.
ON_DISK = "/var/tmp"  # noqa: S108

_DTYPES = (np.uint8, np.int64, np.bool_, np.bool_, np.uint64, np.uint64)
"""The fields of a part, end to end in this order: the compressed lines, the line
numbers, opens, debug, the keys of the UUIDs and those of the request ids."""
_LINES, _NUMBERS, _OPENS, _DEBUG, _UUIDS, _REQUESTS = range(len(_DTYPES))


def spill_folder() -> str | None:
    """Where the spill file is made: ``$TMPDIR`` when it is set, else ``/var/tmp`` where
    there is one, else Python's choice. ``/tmp`` is a memory file system on many systems
    (Fedora, Arch, Debian 13), where a spill would take the memory it is meant to spare;
    ``/var/tmp`` is on disk by convention (the file has no name, so that it is meant for
    files that outlive a reboot does not matter)."""
    if os.environ.get("TMPDIR"):
        return None  # tempfile reads it
    return ON_DISK if os.path.isdir(ON_DISK) and os.access(ON_DISK, os.W_OK) else None


class Spill:
    """One unnamed temporary file that index parts are written to and read back from.

    Writes come from the thread that folds (one log at a time, in file order) and reads
    from the look-ups; positioned reads and writes need no shared file position, and the
    lock keeps two writers from taking the same place.
    """

    def __init__(self, folder: str | None = None) -> None:
        self._folder = folder if folder is not None else spill_folder()
        self._file: IO[bytes] | None = None
        self._end = 0
        self._lock = threading.Lock()
        self.failed = not (hasattr(os, "pwrite") and hasattr(os, "pread"))

    def put(self, blob: bytes | memoryview) -> int | None:
        """Where ``blob`` now is in the file, or None: it could not be written (the file
        could not be made, or no room), and nothing more will be."""
        with self._lock:
            if self.failed:
                return None
            at = self._end
            try:
                if self._file is None:  # open until close(), or until the spill is freed
                    self._file = tempfile.TemporaryFile(  # noqa: SIM115
                        prefix="pcd-analyzer-", dir=self._folder
                    )
                view = memoryview(blob).cast("B")
                done = 0
                while done < len(view):
                    done += os.pwrite(self._file.fileno(), view[done:], at + done)
            except OSError:
                self.failed = True
                return None
            self._end = at + len(view)
            return at

    def read(self, at: int, size: int) -> bytes:
        """The ``size`` bytes written at ``at``."""
        assert self._file is not None
        pieces = []
        while size > 0:
            piece = os.pread(self._file.fileno(), size, at)
            if not piece:  # the file is shorter than what was written: cannot happen
                raise OSError(f"index spill file ends at {at}, {size} bytes short")
            pieces.append(piece)
            at += len(piece)
            size -= len(piece)
        return b"".join(pieces)

    @property
    def size(self) -> int:
        """Bytes written so far."""
        return self._end

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
            self.failed = True


class _Column:
    """A field of a part read as an array wherever the part is held (memory or spill)."""

    def __init__(self, field: int) -> None:
        self.field = field

    def __get__(self, part: IndexPart, owner: type | None = None) -> np.ndarray:
        return part._array(self.field)


@dataclass(frozen=True)
class IndexPart:
    """Indexed records of one chunk (see the module's docstring): their lines, newlines
    included and compressed, the 1-based line number of each line (``numbers``), which
    lines open a record (``opens``: the others continue the record before them) and which
    are DEBUG (``debug``: the level a record is counted under is its first line's), and
    the sorted keys of the UUIDs in the lines (``uuids``), those of request ids apart
    (``requests``).

    Each field is read from where the part is held at every access: take it once into a
    name where it is read more than once.
    """

    sizes: tuple[int, ...]  # bytes of each field, in the order of _DTYPES
    blob: bytes | None  # the fields end to end, while held in memory
    spill: Spill | None = None  # where they are once spilled
    at: int = 0  # where they start in the spill
    base: int = 0  # added to the line numbers as stored (the file's lines before the chunk)
    opens = _Column(_OPENS)
    debug = _Column(_DEBUG)
    uuids = _Column(_UUIDS)
    requests = _Column(_REQUESTS)

    @classmethod
    def of(
        cls,
        lines: bytes | memoryview,
        numbers: np.ndarray,
        opens: np.ndarray,
        debug: np.ndarray,
        keys: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> IndexPart:
        """``keys``: the lines' ``uuid_keys`` when known (None: found here)."""
        uuids, requests = uuid_keys(lines) if keys is None else keys
        fields = [
            isal_zlib.compress(lines, INDEX_LEVEL),
            *(
                np.ascontiguousarray(a, dtype=t).tobytes()
                for a, t in zip((numbers, opens, debug, uuids, requests), _DTYPES[1:], strict=True)
            ),
        ]
        return cls(tuple(len(f) for f in fields), b"".join(fields))

    def shifted(self, lines: int) -> IndexPart:
        """The part with ``lines`` added to its line numbers."""
        return dataclasses.replace(self, base=self.base + lines)

    def spilled(self, spill: Spill) -> IndexPart:
        """The part written to ``spill`` (itself, still in memory, where it cannot be)."""
        if self.blob is None:
            return self
        at = spill.put(self.blob)
        if at is None:
            return self
        return dataclasses.replace(self, blob=None, spill=spill, at=at)

    @property
    def in_memory(self) -> bool:
        return self.blob is not None

    def lines(self) -> bytes:
        return isal_zlib.decompress(self._field(_LINES))

    @property
    def numbers(self) -> np.ndarray:
        stored = self._array(_NUMBERS)
        return stored + self.base if self.base else stored

    def may_hold(self, uuids: np.ndarray, requests: np.ndarray) -> bool:
        """Whether the lines may name one of the UUIDs or carry one of the request ids with
        keys ``uuids`` and ``requests`` (sorted): False only when they do not."""
        if not uuids.size and not requests.size:
            return False
        mine = self.requests
        return (
            _among_sorted(uuids, self.uuids)
            or _among_sorted(uuids, mine)  # (a VM's id after "req-" counts too)
            or _among_sorted(requests, mine)
        )

    def _array(self, i: int) -> np.ndarray:
        return np.frombuffer(self._field(i), dtype=_DTYPES[i])

    def _field(self, i: int) -> bytes | memoryview:
        lo = sum(self.sizes[:i])
        if self.blob is not None:
            return memoryview(self.blob)[lo : lo + self.sizes[i]]
        assert self.spill is not None
        return self.spill.read(self.at + lo, self.sizes[i])


def _among_sorted(wanted: np.ndarray, keys: np.ndarray) -> bool:
    """Whether one of ``wanted`` is among the sorted ``keys``."""
    if not wanted.size or not keys.size:
        return False
    at = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    return bool((keys[at] == wanted).any())
