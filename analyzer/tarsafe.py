"""The standard library's tarfile, hardened for hostile archives and read as a stream.

Three things tarfile does not do on its own:

* **Bounded, linear header parsing.** PAX extended headers and GNU long names are read
  whole into memory and, before Python 3.11.10 (CVE-2024-6232), scanned with regular
  expressions that take quadratic time on long digit runs: a 10 MB header of digits, 10 KB
  of gzip, would hang the analyzer for hours. Headers over ``MAX_HEADER_BYTES`` are
  refused; PAX records are checked by a linear scan (every record framed by its length,
  no digit run longer than ``MAX_DIGIT_RUN``) before tarfile's own parser sees them.
* **Damage is an error.** tarfile ends the member list silently at a corrupt or missing
  header after the first one; here that is ``DamagedArchive`` ("truncated or corrupt").
* **Streaming.** The archive is read front to back (mode ``r|``) from a bounded stream,
  so neither the compressed file nor the whole tar stream is ever held in memory.

These hooks override tarfile's private ``_proc_pax``/``_proc_gnulong``/``fromtarfile``;
tests/security/test_hostile_archives.py fails if a Python release renames them.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Callable, Iterator
from typing import IO, Any, Self

MAX_HEADER_BYTES = 1024 * 1024
"""Longest PAX header or GNU long name accepted (real ones are well under 4 KiB)."""
MAX_DIGIT_RUN = 64
"""Longest run of digits in a PAX header (lengths, times and sizes need at most ~30)."""
_LONG_DIGITS = re.compile(rb"[0-9]{%d}" % (MAX_DIGIT_RUN + 1))


class HostileHeader(Exception):
    """A header too large or malformed to parse safely."""


class DamagedArchive(Exception):
    """A corrupt or missing header after the first member (truncated or damaged)."""


def check_pax_records(buf: bytes) -> str | None:
    """Why a PAX header is unsafe to hand to tarfile, or None (linear time)."""
    if _LONG_DIGITS.search(buf):
        return f"PAX header with a run of more than {MAX_DIGIT_RUN} digits"
    pos, end = 0, len(buf)
    while pos < end:
        space = buf.find(b" ", pos, pos + 21)
        if space <= pos or not buf[pos:space].isdigit():
            return "malformed PAX header: a record without a length"
        length = int(buf[pos:space])
        stop = pos + length
        if length <= space - pos + 1 or stop > end or buf[stop - 1 : stop] != b"\n":
            return "malformed PAX header: a record length does not match"
        equals = buf.find(b"=", space + 1, stop)
        if equals <= space + 1:
            return "malformed PAX header: a record without a keyword"
        pos = stop
    return None


class _Replay:
    """Serves already-read header bytes again, then reads on from the archive stream."""

    def __init__(self, buf: bytes, fileobj: Any) -> None:
        self._buf = buf
        self._fileobj = fileobj

    def read(self, size: int = -1) -> bytes:
        if not self._buf:
            return bytes(self._fileobj.read(size))
        if size < 0:
            data, self._buf = self._buf + bytes(self._fileobj.read()), b""
            return data
        data, self._buf = self._buf[:size], self._buf[size:]
        if len(data) < size:
            data += bytes(self._fileobj.read(size - len(data)))
        return data

    def tell(self) -> int:
        return int(self._fileobj.tell()) - len(self._buf)


class SafeTarInfo(tarfile.TarInfo):
    """TarInfo whose extended headers are size-capped and checked before parsing."""

    @classmethod
    def fromtarfile(cls, tarfile_: tarfile.TarFile) -> Self:
        try:
            return super().fromtarfile(tarfile_)
        except (
            tarfile.InvalidHeaderError,  # type: ignore[attr-defined]
            tarfile.TruncatedHeaderError,  # type: ignore[attr-defined]
            tarfile.EmptyHeaderError,  # type: ignore[attr-defined]
        ) as exc:
            if tarfile_.offset == 0:
                raise  # nothing read yet: tarfile says "not a tar archive"
            reason = "unexpected end of data" if "empty" in str(exc) else str(exc)
            raise DamagedArchive(reason) from None

    def _proc_gnulong(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        if self.size > MAX_HEADER_BYTES:
            raise HostileHeader(
                f"GNU long name of {self.size} bytes; the limit is {MAX_HEADER_BYTES}"
            )
        result: tarfile.TarInfo = super()._proc_gnulong(tarfile_)  # type: ignore[misc]
        return result

    def _proc_pax(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        if self.size > MAX_HEADER_BYTES:
            raise HostileHeader(f"PAX header of {self.size} bytes; the limit is {MAX_HEADER_BYTES}")
        fileobj = tarfile_.fileobj
        buf: bytes = fileobj.read(self._block(self.size))  # type: ignore[attr-defined]
        reason = check_pax_records(buf[: self.size])
        if reason is not None:
            raise HostileHeader(reason)
        tarfile_.fileobj = _Replay(buf, fileobj)  # type: ignore[assignment]
        try:
            result: tarfile.TarInfo = super()._proc_pax(tarfile_)  # type: ignore[misc]
            return result
        finally:
            tarfile_.fileobj = fileobj


# What tarfile's header parsing lets escape on crafted values (a GNU sparse map that is not
# numbers, a base-256 field out of range, ...): reported as a damaged archive.
PARSE_ERRORS = (ValueError, IndexError, KeyError, OverflowError, UnicodeError)


STREAM_BUFSIZE = 256 * 1024  # a member's size is judged from its header before more is read


def open_stream(stream: IO[bytes]) -> tarfile.TarFile:
    """A TarFile reading ``stream`` front to back with the hardened header parser.

    Raises tarfile.ReadError when the data is not a tar archive at all.
    """
    try:
        return tarfile.open(
            fileobj=stream,
            mode="r|",
            # tarfile's stream layer joins reads of bufsize bytes: the default (10 KiB)
            # makes reading a large member mostly copying
            bufsize=STREAM_BUFSIZE,
            tarinfo=SafeTarInfo,
            encoding="utf-8",
            errors="surrogateescape",
        )
    except PARSE_ERRORS as exc:
        raise DamagedArchive(f"{type(exc).__name__}: {exc}") from None


def member_reader(tar: tarfile.TarFile, member: tarfile.TarInfo) -> Callable[[int], bytes]:
    """``read(size)`` of a regular member's data (``size`` < 0: the rest), straight from
    the archive's stream layer, as ``extractfile`` reads it but without its two layers of
    buffering: each would copy every byte of a large log once more. A sparse member goes
    through ``extractfile``, which refuses it in a stream (``tarfile.StreamError``).
    """
    if member.sparse is not None:
        return tar.extractfile(member).read  # type: ignore[union-attr]
    stream = tar.fileobj
    assert stream is not None
    stream.seek(member.offset_data)
    left = member.size

    def read(size: int = -1) -> bytes:
        nonlocal left
        want = left if size < 0 else min(size, left)
        data = stream.read(want)
        if len(data) != want:
            raise tarfile.ReadError("unexpected end of data")  # as extractfile says it
        left -= want
        return data

    return read


def members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Every member, in archive order. The caller reads a member before asking for the next."""
    while True:
        try:
            member = tar.next()
        except PARSE_ERRORS as exc:
            raise DamagedArchive(f"{type(exc).__name__}: {exc}") from None
        if member is None:
            return
        yield member
