"""Reading bundles: tarballs (optionally gzip-compressed) and unpacked directories.

Members are read straight from the archive into memory; nothing is ever extracted to disk.
Links, devices and FIFOs are never followed or read. Limits bound what a hostile archive
can cost. Compressed rotations (``ostackhost.log.1.gz``) and archives nested one level deep
(a hypervisor bundle inside an admin bundle) are opened in place.
"""

from __future__ import annotations

import gzip
import io
import os
import posixpath
import stat
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analyzer.errors import BundleError
from analyzer.model import BundleProblem, SourceFile


@dataclass(frozen=True)
class Limits:
    max_members: int = 100_000
    max_total_bytes: int = 4 * 1024**3
    max_ratio: float = 200.0
    max_nesting: int = 1


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


ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar")
LAYOUT_DIRS = {"openstack", "hosts", "kubernetes", "commands"}


def bundle_name(location: str) -> str:
    base = os.path.basename(os.path.normpath(location))
    for suffix in ARCHIVE_SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def read_bundle(location: str | Path, limits: Limits | None = None) -> Bundle:
    """Read one bundle (archive or directory). Raises BundleError when nothing can be read."""
    limits = limits or Limits()
    loc = str(location)
    name = bundle_name(loc)
    if not os.path.exists(loc):
        raise BundleError(loc, "no such file or directory")
    if os.path.isdir(loc):
        bundle = _read_directory(loc, name, limits)
        # Copying a folder resets file times: they say nothing about when it was collected.
        bundle.newest_mtime = None
    else:
        bundle = _read_archive_file(loc, name, limits)
        _strip_common_root(bundle)
    return bundle


def _read_directory(root: str, name: str, limits: Limits) -> Bundle:
    bundle = Bundle(name=name)
    total = 0
    count = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for fname in sorted(filenames):
            full = os.path.join(dirpath, fname)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode):
                bundle.problems.append(
                    BundleProblem(rel, "not a regular file (link, device or FIFO); not followed")
                )
                continue
            count += 1
            total += st.st_size
            if count > limits.max_members or total > limits.max_total_bytes:
                raise BundleError(root, "directory exceeds the size or file-count limit")
            try:
                with open(full, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                bundle.problems.append(BundleProblem(rel, f"unreadable: {exc.strerror}"))
                continue
            mtime = datetime.fromtimestamp(st.st_mtime, tz=UTC)
            _add_member(bundle, rel, data, mtime, limits, depth=0)
    return bundle


def _read_archive_file(path: str, name: str, limits: Limits) -> Bundle:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise BundleError(path, f"cannot read: {exc.strerror}") from None
    bundle = Bundle(name=name)
    _read_tar_bytes(raw, bundle, prefix="", source=path, limits=limits, depth=0)
    return bundle


def _open_tar(raw: bytes, source: str) -> tarfile.TarFile:
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, source, limit=None)
    try:
        return tarfile.open(fileobj=io.BytesIO(raw), mode="r:")
    except tarfile.TarError:
        raise BundleError(
            source, "not a tar archive (expected .tgz, .tar.gz, .tar or a directory)"
        ) from None


def _gunzip(raw: bytes, source: str, limit: int | None) -> bytes:
    try:
        out = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        reason = (
            "truncated gzip data" if isinstance(exc, EOFError) else f"corrupt gzip data ({exc})"
        )
        raise BundleError(source, reason) from None
    if limit is not None and len(out) > limit:
        raise BundleError(source, "decompressed size exceeds the limit")
    return out


def _read_tar_bytes(
    raw: bytes, bundle: Bundle, prefix: str, source: str, limits: Limits, depth: int
) -> None:
    compressed_size = len(raw)
    tar = _open_tar(raw, source)
    seen: set[str] = set()
    total = 0
    count = 0
    try:
        for member in _members(tar, source):
            count += 1
            if count > limits.max_members:
                raise BundleError(source, f"more than {limits.max_members} members")
            rel = _safe_member_name(member.name, source)
            if rel is None:
                continue
            if not member.isfile():
                if not member.isdir():
                    bundle.problems.append(
                        BundleProblem(
                            prefix + rel, "link, device or FIFO in the archive; not followed"
                        )
                    )
                continue
            if rel in seen:
                raise BundleError(source, f"duplicate member name {rel!r}")
            seen.add(rel)
            total += member.size
            if total > limits.max_total_bytes:
                raise BundleError(source, "archive content exceeds the size limit")
            if compressed_size and total > limits.max_ratio * max(compressed_size, 1) + 1_000_000:
                raise BundleError(source, "compression ratio exceeds the limit (archive bomb?)")
            fh = tar.extractfile(member)
            if fh is None:
                continue
            try:
                data = fh.read()
            except (tarfile.TarError, OSError, EOFError, zlib.error):
                raise BundleError(source, f"truncated archive (while reading {rel!r})") from None
            mtime = datetime.fromtimestamp(member.mtime, tz=UTC) if member.mtime else None
            _add_member(bundle, prefix + rel, data, mtime, limits, depth)
    finally:
        tar.close()


def _members(tar: tarfile.TarFile, source: str) -> Iterator[tarfile.TarInfo]:
    while True:
        try:
            member = tar.next()
        except (tarfile.TarError, OSError, EOFError, zlib.error):
            raise BundleError(source, "truncated or corrupt archive") from None
        if member is None:
            return
        yield member


def _safe_member_name(name: str, source: str) -> str | None:
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise BundleError(source, f"member with an absolute path {name!r}")
    norm = posixpath.normpath(name.replace("\\", "/"))
    if norm == "." or norm == "":
        return None
    if norm == ".." or norm.startswith("../") or "/../" in f"/{norm}/":
        raise BundleError(source, f"member escaping the archive {name!r}")
    return norm


def _add_member(
    bundle: Bundle, path: str, data: bytes, mtime: datetime | None, limits: Limits, depth: int
) -> None:
    if mtime is not None and (bundle.newest_mtime is None or mtime > bundle.newest_mtime):
        bundle.newest_mtime = mtime
    lower = path.lower()
    if lower.endswith(ARCHIVE_SUFFIXES):
        if depth >= limits.max_nesting:
            bundle.problems.append(BundleProblem(path, "archive nested too deeply; not opened"))
            return
        nested_prefix = next(path[: -len(s)] for s in ARCHIVE_SUFFIXES if lower.endswith(s)) + "/"
        try:
            _read_tar_bytes(data, bundle, nested_prefix, path, limits, depth + 1)
        except BundleError as exc:
            bundle.problems.append(BundleProblem(path, f"nested archive unreadable: {exc.reason}"))
        return
    if lower.endswith(".gz"):
        try:
            data = _gunzip(data, path, limit=int(limits.max_ratio * len(data)) + 1_000_000)
        except BundleError as exc:
            bundle.problems.append(BundleProblem(path, exc.reason))
            return
        path = path[:-3]
    bundle.files.append(SourceFile(bundle=bundle.name, path=path, data=data, mtime=mtime))


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
    bundle.files = [
        SourceFile(bundle=f.bundle, path=f.path[cut:], data=f.data, mtime=f.mtime)
        for f in bundle.files
    ]
    bundle.problems = [
        BundleProblem(
            p.file[cut:] if p.file.startswith(top + "/") else p.file, p.problem, p.skipped
        )
        for p in bundle.problems
    ]
