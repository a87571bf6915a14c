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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from analyzer.bundle_reader import ARCHIVE_SUFFIXES, BundleReader, Folding, FoldPolicy
from analyzer.errors import BundleError
from analyzer.fold import FOLD_FROM
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


def read_bundle(
    location: str | Path,
    limits: Limits | None = None,
    *,
    fold: FoldPolicy | None = None,
    fold_from: int = FOLD_FROM,
) -> Bundle:
    """Read one bundle (archive or directory). Raises BundleError when it is rejected.

    With ``fold``, logs of ``fold_from`` bytes or more that the policy accepts are read
    folded (``analyzer.fold``), chunk by chunk, so they are never whole in memory.
    """
    with ThreadPoolExecutor(max_workers=3) as pool:
        folding = Folding(fold, fold_from, pool) if fold is not None else None
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
        # Copying a folder resets file times: they say nothing about when it was collected.
        return Bundle(name=name, files=reader.files, problems=reader.problems)
    if not stat.S_ISREG(st.st_mode):
        raise BundleError(loc, "not a regular file (device, FIFO or socket); not read")
    reader = BundleReader(name, budget, folding)
    try:
        with open(loc, "rb") as fh:
            reader.archive(fh, st.st_size, source=loc, prefix="", depth=0)
        reader.settle()
    except OSError as exc:
        raise BundleError(loc, f"cannot read: {exc.strerror or exc}") from None
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
