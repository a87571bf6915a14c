"""What an entry of a bundle says about itself, checked before it is believed.

An archive member's name, type and time are written by whoever made the archive, and an
entry of an unpacked directory may be anything a file system holds. A name that leaves
the bundle (absolute, ``..``, a NUL byte) or a member list that breaks off rejects the
whole bundle (``BundleError``); a link, device, FIFO or socket is only ever named, never
followed, opened or read; a time that cannot be the collection's is dropped. The policy is
docs/security.md's.
"""

from __future__ import annotations

import posixpath
import stat
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from analyzer import tarsafe
from analyzer.errors import BundleError

# Member times outside [2000, now + 1 day] say nothing about when the bundle was collected.
_EARLIEST_MTIME = datetime(2000, 1, 1, tzinfo=UTC)
_CLOCK_SLACK = timedelta(days=1)


def listed(tar: tarfile.TarFile, source: str) -> Iterator[tarfile.TarInfo]:
    """The members of an archive, a damaged member list being a BundleError."""
    try:
        yield from tarsafe.members(tar)
    except (EOFError, OSError) as exc:
        raise BundleError(source, f"truncated or corrupt archive ({exc})") from None


def kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "symbolic link"
    if member.islnk():
        return "hard link"
    if member.ischr() or member.isblk():
        return "device file"
    if member.isfifo():
        return "FIFO"
    return f"entry of unsupported type {member.type!r}"


def mode_kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "not a regular file"


def mtime(value: float) -> datetime | None:
    """A member time, or None when it is unset or out of range (the reader counts those)."""
    if not value:
        return None
    try:
        when = datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if when < _EARLIEST_MTIME or when > datetime.now(UTC) + _CLOCK_SLACK:
        return None
    return when


def show(name: str) -> str:
    """A member name for an error line: control characters escaped, at most 200 chars."""
    text = repr(name)
    return text if len(text) <= 200 else text[:197] + "..."


def safe_name(name: str, source: str) -> str | None:
    """The member's path inside the bundle; BundleError for names that leave it."""
    # Undecodable bytes stay visible as U+FFFD (surrogates cannot be written out as UTF-8).
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if "\x00" in name:
        raise BundleError(source, f"member name with a NUL byte {show(name)}")
    slashed = name.replace("\\", "/")
    if slashed.startswith("/") or (len(name) > 1 and name[0].isalpha() and name[1] == ":"):
        raise BundleError(source, f"member with an absolute path {show(name)}")
    if ".." in slashed.split("/"):
        raise BundleError(source, f"member escaping the archive ('..' in {show(name)})")
    norm = posixpath.normpath(slashed)
    return None if norm in (".", "") else norm
