"""What reading one bundle may cost, and the bounded readers that enforce it.

A bundle is untrusted input: a few kilobytes of gzip can claim terabytes, a tarball can
hold millions of empty members. Every byte the reader decompresses or copies into memory
is charged to one ``Budget`` per bundle (nested archives and ``.gz`` members included), and
decompression stops as soon as a bound is passed, before the output exists in memory.

Which excess stops the whole bundle and which only skips one member is the policy of
docs/security.md: the bundle-wide budget (members, bytes) and the top-level archive's
ratio reject the bundle; a ``.gz`` member or nested archive over the ratio is skipped.
"""

from __future__ import annotations

import contextlib
import io
import zlib
from dataclasses import dataclass
from typing import IO, Any, Protocol, cast

from isal import igzip, igzip_threaded, isal_zlib

from analyzer.errors import BundleError

# isal's stub declares ``error`` as an instance; it is the exception class
_DECOMPRESS_ERRORS = (OSError, EOFError, zlib.error, cast(type[BaseException], isal_zlib.error))

# Small files compress far better than 200:1 in absolute terms (a 1 MB log of one repeated
# line is 2 KB of gzip); the ratio is only judged beyond this much output.
RATIO_SLACK = 1024 * 1024
# Tar framing on top of the content: a 512-byte header, padding to 512, PAX records.
HEADER_ALLOWANCE = 2048
STREAM_BUFFER = 64 * 1024


class Readable(Protocol):
    """What the bounded reader wraps: a GzipFile or a binary file."""

    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class Limits:
    """Bounds for one bundle (defaults sized for real bundles with room to spare).

    ``max_members``: archive entries of every kind, nested archives included.
    ``max_total_bytes``: bytes read out of archives and produced by decompression.
    ``max_ratio``: decompressed / compressed size of any gzip stream.
    ``max_nesting``: archives inside archives opened (one: a hypervisor bundle inside).
    """

    max_members: int = 100_000
    max_total_bytes: int = 4 * 1024**3
    max_ratio: float = 200.0
    max_nesting: int = 1

    def __post_init__(self) -> None:
        if self.max_members < 1:
            raise ValueError("the member limit must be at least 1")
        if self.max_total_bytes < 1:
            raise ValueError("the size limit must be at least 1 byte")
        if not 1 <= self.max_ratio < float("inf"):  # also rejects NaN
            raise ValueError("the compression ratio limit must be a number of at least 1")
        if self.max_nesting < 0:
            raise ValueError("the nesting limit cannot be negative")


class BudgetExceeded(BundleError):
    """The bundle as a whole is over a limit: always rejected, wherever it happens."""


class RatioExceeded(BundleError):
    """One gzip stream expands beyond the ratio limit (an archive bomb, or a broken file)."""


class CorruptStream(BundleError):
    """Compressed data that cannot be decompressed: truncated or damaged."""


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str) -> int:
    """``4G``, ``500M``, ``1.5GiB`` or plain bytes, in binary units; ValueError otherwise."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    number = value[: len(value) - len(unit)].strip()
    try:
        size = float(number) * _UNITS[unit]
    except ValueError:
        raise ValueError(f"{text!r} is not a size (bytes, or with K/M/G/T)") from None
    if not 1 <= size < 2**63:  # also NaN and infinity
        raise ValueError(f"{text!r} is not a positive size")
    return int(size)


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.3g} {unit}"
        n /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


class Budget:
    """The running cost of one bundle against its Limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.members = 0
        self.bytes = 0

    @property
    def remaining(self) -> int:
        return max(self.limits.max_total_bytes - self.bytes, 0)

    def member(self, source: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise BudgetExceeded(
                source, f"more than {self.limits.max_members} members (raise with --max-members)"
            )

    def charge(self, n: int, source: str) -> None:
        self.bytes += max(n, 0)
        if self.bytes > self.limits.max_total_bytes:
            raise BudgetExceeded(source, self.size_message())

    def size_message(self) -> str:
        limit = human_bytes(self.limits.max_total_bytes)
        return f"content exceeds the size limit ({limit}; raise with --max-bytes)"

    def ratio_message(self) -> str:
        return (
            f"compression ratio exceeds the limit ({self.limits.max_ratio:g}:1; "
            "archive bomb? raise with --max-ratio)"
        )

    def ratio_bound(self, compressed: int) -> int:
        return int(self.limits.max_ratio * compressed) + RATIO_SLACK

    def stream_bound(self) -> int:
        """The most tar stream (content plus framing) an archive may yield."""
        return self.remaining + HEADER_ALLOWANCE * (self.limits.max_members + 8)


TRUNCATED_GZIP = "truncated gzip data"


def _gzip_error(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return TRUNCATED_GZIP
    return f"corrupt gzip data ({exc})"


class BoundedReader(io.RawIOBase):
    """A read-only stream that fails once more than ``limit`` bytes have come out of it.

    Wraps a ``GzipFile`` (or a plain file) so a bomb is stopped after ``limit`` bytes of
    output, and turns the decompressor's exceptions into ``CorruptStream``. ``ratio`` says
    whether the limit is the ratio bound (``RatioExceeded``) or the size budget.
    """

    def __init__(
        self,
        raw: Readable,
        limit: int,
        source: str,
        budget: Budget,
        *,
        ratio: bool,
        owns_raw: bool = True,
        ends_early: bool = False,
    ) -> None:
        super().__init__()
        # ends_early: a gzip stream that ends before its end marker reads as an early end
        # of data once (so what came before the cut is not lost with the exception: the
        # reader above sees a short read), and as CorruptStream after that
        self._ends_early = ends_early
        self.truncated = False
        self._raw = raw
        self._owns_raw = owns_raw  # a decompressor it was given, not the caller's file
        self._limit = limit
        self._source = source
        self._budget = budget
        self._ratio = ratio
        self.produced = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Close the decompressor too (a threaded one stops its thread)."""
        if not self.closed:
            close = getattr(self._raw, "close", None)
            if close is not None and self._owns_raw:
                close()
        super().close()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.truncated:
            raise CorruptStream(self._source, TRUNCATED_GZIP)
        want = min(len(buffer), self._limit + 1 - self.produced)
        if want <= 0:
            self._exceeded()
        try:
            data = self._raw.read(want)
        except _DECOMPRESS_ERRORS as exc:
            if self._ends_early and isinstance(exc, EOFError):
                self.truncated = True
                return 0
            raise CorruptStream(self._source, _gzip_error(exc)) from None
        n = len(data)
        buffer[:n] = data
        self.produced += n
        if self.produced > self._limit:
            self._exceeded()
        return n

    def expect(self, size: int) -> None:
        """Fail now if ``size`` more bytes (a member's declared size) cannot fit."""
        if size - STREAM_BUFFER > self._limit - self.produced:
            self._exceeded()

    def _exceeded(self) -> None:
        if self._ratio:
            raise RatioExceeded(self._source, self._budget.ratio_message())
        raise BudgetExceeded(self._source, self._budget.size_message())


class _CutGzip:
    """The gzip stream ``raw`` inflated by ``inner``, every byte before a cut delivered.

    Gzip readers lose the output of the read that meets the early end of a truncated
    stream (ISA-L's threaded reader up to a whole block). On that EOFError the stream is
    inflated again from its start, without a thread, the ``delivered`` bytes skipped, and
    what is left before the cut is read out; then EOFError. Archives that end properly
    never take this path.
    """

    def __init__(self, raw: IO[bytes], inner: Readable) -> None:
        self._raw = raw
        self._inner: Readable | None = inner
        self._delivered = 0
        self._inflate: Any = None
        self._pending = b""
        self._skip = 0
        self._ended = False  # the input is used up (a cut, or a proper end after all)

    def read(self, size: int = -1, /) -> bytes:
        if self._inner is not None:
            try:
                data = self._inner.read(size)
            except EOFError:
                self._restart()
            else:
                self._delivered += len(data)
                return data
        while not self._pending:
            if self._ended:
                if self._inflate is not None and not self._inflate.eof:
                    raise EOFError("compressed file ended before the end-of-stream marker")
                return b""
            self._fill()
        n = len(self._pending) if size < 0 else size
        data, self._pending = self._pending[:n], self._pending[n:]
        return data

    def close(self) -> None:
        inner, self._inner = self._inner, None
        close = getattr(inner, "close", None)
        if close is not None:
            with contextlib.suppress(*_DECOMPRESS_ERRORS):
                close()

    def _restart(self) -> None:
        self.close()
        self._raw.seek(0)
        self._inflate = isal_zlib.decompressobj(wbits=31)
        self._skip = self._delivered

    def _fill(self) -> None:
        inflate = self._inflate
        data = inflate.unconsumed_tail or self._raw.read(STREAM_BUFFER)
        if not data:
            self._ended = True
            return
        out = inflate.decompress(data, STREAM_BUFFER)
        if inflate.eof and inflate.unused_data.strip(b"\0"):  # a next gzip member
            rest = inflate.unused_data
            self._inflate = isal_zlib.decompressobj(wbits=31)
            out += self._inflate.decompress(rest, STREAM_BUFFER)
        if self._skip:
            drop = min(self._skip, len(out))
            out, self._skip = out[drop:], self._skip - drop
        self._pending = out


def gzip_reader(raw: IO[bytes], *, threaded: bool = False) -> Readable:
    """A reader of the decompressed gzip stream ``raw`` (close it: see BoundedReader).

    ISA-L inflates about 2.5x faster than zlib. ``threaded``: in a thread of its own (it
    releases the GIL), so the next block of a large archive is inflated while the
    previous one is being scanned.
    """
    if threaded:
        return _CutGzip(raw, cast(Readable, igzip_threaded.open(raw, "rb", threads=1)))
    return igzip.IGzipFile(fileobj=raw, mode="rb")


def open_stream(
    raw: IO[bytes], compressed_size: int, source: str, budget: Budget
) -> tuple[io.BufferedReader, BoundedReader]:
    """The decompressed byte stream of an archive (gzip or plain), bounded by the budget.

    A gzip stream may expand to the smaller of ``max_ratio`` times its size and what is
    left of the budget (plus tar framing); a plain one only to the latter. Returns the
    buffered stream to read and the bounded reader under it (for ``expect``).
    """
    head = raw.read(2)
    raw.seek(0)
    room = budget.stream_bound()
    if head == b"\x1f\x8b":
        by_ratio = budget.ratio_bound(compressed_size)
        inner = gzip_reader(raw, threaded=True)
        reader = BoundedReader(
            inner, min(by_ratio, room), source, budget, ratio=by_ratio < room, ends_early=True
        )
    else:
        reader = BoundedReader(raw, room, source, budget, ratio=False, owns_raw=False)
    return io.BufferedReader(reader, buffer_size=STREAM_BUFFER), reader


def gunzip_reader(data: bytes, source: str, budget: Budget) -> BoundedReader:
    """A ``.gz`` member as a bounded stream (the caller charges what it reads)."""
    by_ratio = budget.ratio_bound(len(data))
    room = budget.remaining
    return BoundedReader(
        gzip_reader(io.BytesIO(data)), min(by_ratio, room), source, budget, ratio=by_ratio < room
    )


def gunzip(data: bytes, source: str, budget: Budget) -> bytes:
    """A ``.gz`` member, decompressed in memory and charged to the budget.

    Raises RatioExceeded past the ratio bound (the caller skips the member), BudgetExceeded
    past the budget, CorruptStream for damaged or truncated data.
    """
    reader = gunzip_reader(data, source, budget)
    chunks = []
    try:
        while chunk := reader.read(1024 * 1024):
            chunks.append(chunk)
    finally:
        reader.close()
    out = b"".join(chunks)
    budget.charge(len(out), source)
    return out
