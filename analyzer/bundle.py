"""Reading bundles: tarballs (optionally gzip-compressed) and unpacked directories.

The rest of the analyzer sees a bundle only as a ``Bundle``: whether it came from an
archive or a folder, how it was read without trusting it (``analyzer.bundle_reader``, which
never extracts and never follows links) and what that cost stay behind ``read_bundle``.

What is rejected (``BundleError``, one ``Error:`` line and exit status 2) and what is only
listed as a bundle problem is the policy of docs/security.md.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from analyzer.bundle_reader import ARCHIVE_SUFFIXES, BundleReader, Folding, FoldPolicy
from analyzer.cpus import usable_cpus
from analyzer.errors import BundleError
from analyzer.fold import FOLD_FROM
from analyzer.index_parts import Spill
from analyzer.limits import Budget, Limits
from analyzer.model import BundleProblem, SourceFile

__all__ = ["ARCHIVE_SUFFIXES", "Bundle", "FoldPolicy", "Limits", "bundle_name", "read_bundle"]


@dataclass
class Bundle:
    """The readable files of one bundle plus what went wrong while reading it."""

    name: str
    files: list[SourceFile] = field(default_factory=list)
    problems: list[BundleProblem] = field(default_factory=list)
    newest_mtime: datetime | None = None

    def get(self, path: str) -> SourceFile | None:
        for f in self.files:
            if f.path == path:
                return f
        return None


LAYOUT_DIRS = {"openstack", "hosts", "kubernetes", "commands"}


def bundle_name(location: str) -> str:
    base = os.path.basename(os.path.normpath(location))
    for suffix in ARCHIVE_SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def scan_workers() -> int:
    """Threads that scan folded chunks: one per CPU this process may use, at most three.

    The thread reading the archive inflates beside them. On two CPUs a third scan thread
    only took turns with the other two: the 262 MB benchmark mixes took 3 to 5% more wall
    and CPU time with three than with two.
    """
    return min(3, usable_cpus())


def read_bundle(
    location: str | Path,
    limits: Limits | None = None,
    *,
    fold: FoldPolicy | None = None,
    fold_from: int = FOLD_FROM,
    prepare: Callable[[], None] | None = None,
) -> Bundle:
    """Read one bundle (archive or directory). Raises BundleError when it is rejected.

    With ``fold``, logs of ``fold_from`` bytes or more that the policy accepts are read
    folded (``analyzer.fold``), chunk by chunk, so they are never whole in memory;
    ``prepare`` is started on a thread of its own when the first of them is met.
    """
    with ThreadPoolExecutor(max_workers=scan_workers()) as pool:
        folding = Folding(fold, fold_from, pool, Spill(), prepare) if fold is not None else None
        return _read_bundle(location, Budget(limits or Limits()), folding)


def _read_bundle(location: str | Path, budget: Budget, folding: Folding | None) -> Bundle:
    loc = str(location)
    name = bundle_name(loc)
    try:
        st = os.stat(loc)  # the path the engineer named may be a link; its content may not
    except OSError as exc:
        reason = "no such file or directory" if not os.path.lexists(loc) else exc.strerror
        raise BundleError(loc, reason or "cannot read") from None
    if stat.S_ISDIR(st.st_mode):
        reader = BundleReader(name, budget, folding)
        reader.directory(loc)
        reader.settle()
        _refuse_nothing(loc, reader, "the folder holds no files")
        # Copying a folder resets file times: they say nothing about when it was collected.
        return Bundle(name=name, files=reader.files, problems=reader.problems)
    if not stat.S_ISREG(st.st_mode):
        raise BundleError(loc, "not a regular file (device, FIFO or socket); not read")
    if not _is_archive(loc, st.st_size):
        return _read_one_file(loc, name, budget, folding)
    reader = BundleReader(name, budget, folding)
    try:
        with open(loc, "rb") as fh:
            reader.archive(fh, st.st_size, source=loc, prefix="", depth=0)
        reader.settle()
    except OSError as exc:
        raise BundleError(loc, f"cannot read: {exc.strerror or exc}") from None
    _refuse_nothing(loc, reader, "the archive holds no files")
    bundle = Bundle(
        name=name, files=reader.files, problems=reader.problems, newest_mtime=reader.newest_mtime
    )
    if reader.bad_mtimes:
        bundle.problems.append(
            BundleProblem(
                os.path.basename(loc),
                f"{reader.bad_mtimes} member time(s) before 2000 or in the future",
                "those times (the collection time is not taken from them)",
            )
        )
    _strip_common_root(bundle)
    return bundle


ARCHIVE_MAGIC = (
    b"\x1f\x8b",  # gzip
    b"PK\x03\x04",  # zip: refused as not a tar archive, not read as a log
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
    b"7z\xbc\xaf\x27\x1c",  # 7-Zip
)


def _is_archive(loc: str, size: int) -> bool:
    """Whether a regular file is read as an archive; any other file is a one-file bundle.

    A name ending like an archive is one (and refused if it is not a tar). Otherwise the
    content decides: a tar header, or the magic of a compressed stream, is read as an
    archive, except a ``.gz`` file (a compressed rotation of a log, inflated as one).
    An empty file is neither: there is nothing to read.
    """
    lower = loc.lower()
    if lower.endswith(ARCHIVE_SUFFIXES):
        return True
    if size == 0:
        raise BundleError(loc, "nothing to read: the file is empty")
    try:
        with open(loc, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise BundleError(loc, f"cannot read: {exc.strerror or exc}") from None
    if head[257:262] == b"ustar":
        return True
    if lower.endswith(".gz") and head.startswith(b"\x1f\x8b"):
        return False
    return head.startswith(ARCHIVE_MAGIC)


def _read_one_file(loc: str, name: str, budget: Budget, folding: Folding | None) -> Bundle:
    """A single file that is not an archive (``analyze rabbit.log``): a bundle of one file,
    identified by its content like any hand-gathered file. The path named may be a link
    (as for an archive); the file is then read as a folder's file is, link-free and within
    the limits."""
    reader = BundleReader(name, budget, folding)
    reader.single(os.path.realpath(loc), os.path.basename(loc))
    reader.settle()
    _refuse_nothing(loc, reader, "nothing was read from the file")
    # A pasted file's time says no more about the collection than a copied folder's.
    return Bundle(name=name, files=reader.files, problems=reader.problems)


def _refuse_nothing(loc: str, reader: BundleReader, why: str) -> None:
    """A bundle with no file at all (and nothing even listed as a problem) is refused."""
    if not reader.files and not reader.problems:
        raise BundleError(loc, f"nothing to read: {why}")


def _strip_common_root(bundle: Bundle) -> None:
    """Tarballs usually wrap everything in one top folder; paths are relative to it."""
    if not bundle.files:
        return
    tops = {f.path.split("/", 1)[0] for f in bundle.files}
    if len(tops) != 1 or all("/" not in f.path for f in bundle.files):
        return
    top = tops.pop()
    if top in LAYOUT_DIRS or any("/" not in f.path for f in bundle.files):
        return
    cut = len(top) + 1
    bundle.files = [dataclasses.replace(f, path=f.path[cut:]) for f in bundle.files]
    bundle.problems = [
        BundleProblem(
            p.file[cut:] if p.file.startswith(top + "/") else p.file, p.problem, p.skipped
        )
        for p in bundle.problems
    ]
