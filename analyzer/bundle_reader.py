"""Reading the files of a bundle out of an archive or a directory, without trusting it.

A bundle is untrusted, so this module never extracts: members are streamed out of the
archive straight into memory and nothing is ever written to disk (no temporary directory
exists to clean up, on success, error or Ctrl-C). Links, devices and FIFOs are never
followed, opened or read. One ``Budget`` per bundle bounds what an archive can cost
(``analyzer.limits``) and tar headers are parsed by the hardened reader of
``analyzer.tarsafe``. Compressed rotations (``ostackhost.log.1.gz``) and archives nested
one level deep (a hypervisor bundle inside an admin bundle) are opened in place.

What is rejected (``BundleError``) and what is only listed as a bundle problem is the
policy of docs/security.md.
"""

from __future__ import annotations

import dataclasses
import io
import os
import stat
import tarfile
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from analyzer import members, tarsafe
from analyzer.errors import BundleError
from analyzer.fold import CHUNK, Folded, Folder, long_lines
from analyzer.index_parts import Spill
from analyzer.limits import (
    TRUNCATED_GZIP,
    BoundedReader,
    Budget,
    BudgetExceeded,
    CorruptStream,
    RatioExceeded,
    gunzip,
    gunzip_reader,
    open_stream,
)
from analyzer.model import BundleProblem, SourceFile

ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar")

FoldPolicy = Callable[[str, bytes], Folder | None]
"""Given a file's path and its first bytes, the Folder to read it with, or None (whole)."""

MAX_UNFINISHED = 2
"""Folded logs left scanning while the next files are read: on two CPUs, inflating one file
and scanning another overlap (each holds at most its Folder's in-flight chunks)."""


@dataclass(frozen=True)
class Folding:
    """How large logs are read folded: the policy, from what size, the pool that scans,
    the file their index parts are written to (``analyzer.index_parts``; None: memory)
    and what to prepare, on a thread of its own, once a first log is to be folded (the
    scan's compiled patterns: then they are ready by the time its first chunk is read)."""

    policy: FoldPolicy
    min_size: int
    pool: ThreadPoolExecutor
    spill: Spill | None = None
    prepare: Callable[[], None] | None = None


class BundleReader:
    """Fills one bundle's files from an archive or a directory, charging all to one Budget."""

    def __init__(self, name: str, budget: Budget, folding: Folding | None = None) -> None:
        self.name = name
        self.files: list[SourceFile] = []
        self.problems: list[BundleProblem] = []
        self.newest_mtime: datetime | None = None
        self.budget = budget
        self.folding = folding
        self._paths: set[str] = set()
        self.bad_mtimes = 0
        # folded logs whose last chunks may still be scanning: (place in files, folder, mtime)
        self._unfinished: deque[tuple[int, Folder, datetime | None]] = deque()
        self._failed: set[int] = set()
        self._prepared = False

    def _mtime(self, value: float) -> datetime | None:
        mtime = members.mtime(value)
        if mtime is None and value:
            self.bad_mtimes += 1
        return mtime

    # --- archives -------------------------------------------------------------------

    def archive(self, raw: IO[bytes], size: int, source: str, prefix: str, depth: int) -> None:
        """Stream the members of one tar (gzip or plain) archive into the bundle."""
        stream, bound = open_stream(raw, size, source, self.budget)
        try:
            self._archive(stream, bound, size, source, prefix, depth)
        finally:
            stream.close()  # and the decompressor under it (its thread, when threaded)

    def _archive(
        self,
        stream: io.BufferedReader,
        bound: BoundedReader,
        size: int,
        source: str,
        prefix: str,
        depth: int,
    ) -> None:
        try:
            tar = tarsafe.open_stream(stream)
        except tarfile.ReadError:
            raise BundleError(source, _not_tar(size)) from None
        except tarsafe.HostileHeader as exc:
            raise BundleError(source, f"unsafe tar header ({exc})") from None
        except tarsafe.DamagedArchive as exc:
            raise BundleError(source, f"truncated or corrupt archive ({exc})") from None
        except tarfile.TarError:
            raise BundleError(source, "truncated or corrupt archive") from None
        seen: set[str] = set()
        count = 0
        cut = _Cut(size)
        try:
            for member in members.listed(tar, source):
                count += 1
                self.budget.member(source)
                cut.reading(member)
                self._member(tar, bound, member, seen, source, prefix, depth)
                cut.done(member, kept=member.isfile())
            cut.reading(None)
            # Read to the end so the gzip trailer (CRC, length) is checked too.
            while stream.read(1024 * 1024):
                pass
            if bound.truncated:  # an early end after the last member, gzip trailer missing
                raise CorruptStream(source, TRUNCATED_GZIP)
        except tarsafe.HostileHeader as exc:
            raise BundleError(
                source, f"unsafe tar header after {count} member(s) ({exc})"
            ) from None
        except (tarsafe.DamagedArchive, tarfile.TarError, CorruptStream) as exc:
            if not _truncation(exc):
                if isinstance(exc, CorruptStream):
                    raise
                raise BundleError(
                    source, f"truncated or corrupt archive after {count} member(s) ({exc})"
                ) from None
            self._truncated(cut, bound, source, prefix)
        finally:
            tar.close()

    def _truncated(self, cut: _Cut, bound: BoundedReader, source: str, prefix: str) -> None:
        """An archive that ends early: what was read whole stays, the cut is listed; a cut
        before any file was read whole rejects it (docs/security.md, truncated archives)."""
        partial = cut.current
        where = "the end-of-archive marker" if cut.last is not None else "its first member"
        part = ""
        if partial is not None:
            have = min(max(bound.produced - partial.offset_data, 0), partial.size)
            part = f"{have} of {partial.size} bytes present"
            where = f"member {members.show(partial.name)} ({part})"
        if not cut.files:
            raise BundleError(
                source,
                f"truncated archive: the file ends after {cut.size} bytes, inside {where}, "
                "before any file could be read whole; nothing to analyse",
            )
        after = members.show(cut.last or "")
        self.problems.append(
            BundleProblem(
                source if prefix else os.path.basename(source),
                f"archive truncated after member {after}: the file ends after {cut.size} "
                f"bytes, inside {where}",
                "everything after the cut",
            )
        )
        if partial is not None and partial.isfile():
            rel = members.safe_name(partial.name, source)
            if rel is not None:
                self.problems.append(
                    BundleProblem(
                        prefix + rel,
                        f"partial: the archive is cut inside this file ({part})",
                        "this file (a partial file is not analysed)",
                    )
                )

    def _member(
        self,
        tar: tarfile.TarFile,
        bound: BoundedReader,
        member: tarfile.TarInfo,
        seen: set[str],
        source: str,
        prefix: str,
        depth: int,
    ) -> None:
        rel = members.safe_name(member.name, source)
        if rel is None or member.isdir():
            return
        if not member.isfile():
            self.problems.append(
                BundleProblem(
                    prefix + rel,
                    f"{members.kind(member)} in the archive; not followed",
                    "this entry",
                )
            )
            return
        if rel in seen:
            raise BundleError(source, f"duplicate member name {members.show(rel)}")
        seen.add(rel)
        self.budget.charge(member.size, source)
        bound.expect(member.size)  # a bomb is refused from its header, not after it
        try:
            read = tarsafe.member_reader(tar, member)
            if self._foldable(rel, member.size):
                whole = self._read_folding(prefix + rel, read, self._mtime(member.mtime))
                if whole is None:
                    return
                data = whole
            else:
                data = read(-1)
        except tarfile.StreamError:
            self.problems.append(
                BundleProblem(prefix + rel, "sparse file in the archive; not read", "this file")
            )
            return
        except tarsafe.PARSE_ERRORS as exc:
            raise tarsafe.DamagedArchive(f"{type(exc).__name__}: {exc}") from None
        self._add(prefix + rel, data, self._mtime(member.mtime), depth)

    # --- directories ----------------------------------------------------------------

    def directory(self, root: str) -> None:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            for dname in list(dirnames):
                full = os.path.join(dirpath, dname)
                if os.path.islink(full):  # os.walk lists links to folders as folders
                    dirnames.remove(dname)
                    self._not_regular(os.path.relpath(full, root), "symbolic link")
            for fname in sorted(filenames):
                full = os.path.join(dirpath, fname)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                self.budget.member(root)
                self._file(full, rel, root)

    def single(self, full: str, rel: str) -> None:
        """One file named on its own (a pasted log): read as a folder's file would be."""
        self.budget.member(full)
        self._file(full, rel, full)

    def _file(self, full: str, rel: str, root: str) -> None:
        try:
            # Only regular files are opened (opening a device can have effects of its own);
            # O_NOFOLLOW and O_NONBLOCK, and the type checked again on the open descriptor,
            # keep a file swapped for a link or FIFO after this check from being followed.
            mode = os.lstat(full).st_mode
            if not stat.S_ISREG(mode):
                self._not_regular(rel, members.mode_kind(mode))
                return
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as exc:
            self.problems.append(BundleProblem(rel, f"unreadable: {exc.strerror}"))
            return
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self._not_regular(rel, members.mode_kind(st.st_mode))
                return
            self.budget.charge(st.st_size, root)
            try:
                if self._foldable(rel, st.st_size):
                    left = [st.st_size]

                    def read(size: int) -> bytes:  # no more than was listed
                        chunk = fh.read(left[0] if size < 0 else min(size, left[0]))
                        left[0] -= len(chunk)
                        return chunk

                    folded = self._read_folding(rel, read, self._mtime(st.st_mtime))
                    if folded is None:
                        return
                    data = folded
                else:
                    data = fh.read(st.st_size + 1)
            except OSError as exc:
                self.problems.append(BundleProblem(rel, f"unreadable: {exc.strerror}"))
                return
        if len(data) > st.st_size:  # grew while being read: keep what was listed
            data = data[: st.st_size]
        self._add(rel, data, self._mtime(st.st_mtime), depth=0)

    def _not_regular(self, rel: str, kind: str) -> None:
        self.problems.append(
            BundleProblem(rel.replace(os.sep, "/"), f"{kind}; not followed", "this entry")
        )

    # --- every file -----------------------------------------------------------------

    def _add(self, path: str, data: bytes, mtime: datetime | None, depth: int) -> None:
        self._note_mtime(mtime)
        lower = path.lower()
        if lower.endswith(ARCHIVE_SUFFIXES):
            self._nested(path, data, depth)
            return
        if lower.endswith(".gz"):
            try:
                if self.folding is not None:
                    with gunzip_reader(data, path, self.budget) as reader:
                        whole = self._read_folding(path[:-3], reader.read, mtime, charge=True)
                    if whole is None:
                        return
                    data = whole
                else:
                    data = gunzip(data, path, self.budget)
            except BudgetExceeded:
                raise
            except (RatioExceeded, CorruptStream) as exc:
                self.problems.append(BundleProblem(path, exc.reason))
                return
            path = path[:-3]
        self._keep(path, data, mtime)

    def _note_mtime(self, mtime: datetime | None) -> None:
        newest = self.newest_mtime
        if mtime is not None and (newest is None or mtime > newest):
            self.newest_mtime = mtime

    def _keep(
        self, path: str, data: bytes, mtime: datetime | None, folded: Folded | None = None
    ) -> None:
        """Add one file to the bundle, unless another already has its name."""
        if path in self._paths:
            self.problems.append(
                BundleProblem(path, "another member has the same name once decompressed")
            )
            return
        self._paths.add(path)
        self.files.append(
            SourceFile(bundle=self.name, path=path, data=data, mtime=mtime, folded=folded)
        )

    # --- large logs, folded -----------------------------------------------------------

    def _foldable(self, rel: str, size: int) -> bool:
        lower = rel.lower()
        return (
            self.folding is not None
            and size >= self.folding.min_size
            and not lower.endswith(ARCHIVE_SUFFIXES)
            and not lower.endswith(".gz")
        )

    def _read_folding(
        self,
        path: str,
        raw_read: Callable[[int], bytes],
        mtime: datetime | None,
        *,
        charge: bool = False,
    ) -> bytes | None:
        """Read a file in chunks, folded when the policy takes it: then it is added here
        and None is returned; otherwise its bytes are returned for the usual path.
        ``charge``: what is read is charged to the budget (decompressed ``.gz`` output)."""
        folding = self.folding
        assert folding is not None
        if folding.prepare is not None and not self._prepared:
            self._prepared = True
            threading.Thread(target=folding.prepare, name="prepare", daemon=True).start()

        def read(size: int) -> bytes:
            chunk = raw_read(size)
            if charge:
                self.budget.charge(len(chunk), path)
            return chunk

        first = read(CHUNK)
        folder = folding.policy(path, first) if len(first) >= folding.min_size else None
        if folder is None:
            rest = read(-1) if first else b""
            return first + rest if rest else first
        folder.pool = folding.pool
        folder.spill = folding.spill
        chunk, failed = first, None
        del first
        while chunk:
            if failed is None:
                try:
                    folder.feed(chunk)
                except Exception as exc:  # noqa: BLE001 - a folding bug is this file's problem
                    failed = exc
            chunk = read(CHUNK)  # read to the end either way: the archive goes on after it
        if failed is None and path in self._paths:
            self._note_mtime(mtime)
            self._keep(path, b"", mtime)  # lists the clash
            return None
        if failed is not None:
            self._folding_failed(path, failed)
            return None
        # Finished later: the next files are read while this one's last chunks are scanned.
        self._keep(path, b"", mtime)  # its place in the bundle, filled by _finish_oldest
        self._unfinished.append((len(self.files) - 1, folder, mtime))
        if len(self._unfinished) > MAX_UNFINISHED:
            self._finish_oldest()
        return None

    def _finish_oldest(self) -> None:
        place, folder, mtime = self._unfinished.popleft()
        src = self.files[place]
        try:
            folded = folder.finish()
        except Exception as exc:  # noqa: BLE001 - a folding bug is this file's problem
            self._folding_failed(src.path, exc)
            self._failed.add(place)
            return
        self._note_mtime(mtime)
        self.files[place] = dataclasses.replace(src, data=folded.kept, folded=folded)
        if folded.long_lines:  # as the parsers list them in a log read whole
            self.problems.append(BundleProblem(src.path, *long_lines(folded.long_lines)))

    def settle(self) -> None:
        """Finish the folded logs still being scanned."""
        while self._unfinished:
            self._finish_oldest()
        if self._failed:
            files = self.files
            self.files = [f for i, f in enumerate(files) if i not in self._failed]
            self._failed.clear()

    def _folding_failed(self, path: str, exc: Exception) -> None:
        self.problems.append(
            BundleProblem(
                path, f"could not be read folded ({type(exc).__name__}: {exc})"[:300], "this file"
            )
        )

    def _nested(self, path: str, data: bytes, depth: int) -> None:
        if depth >= self.budget.limits.max_nesting:
            self.problems.append(
                BundleProblem(path, "archive nested too deeply; not opened", "this archive")
            )
            return
        lower = path.lower()
        prefix = next(path[: -len(s)] for s in ARCHIVE_SUFFIXES if lower.endswith(s)) + "/"
        try:
            self.archive(io.BytesIO(data), len(data), path, prefix, depth + 1)
        except BudgetExceeded:
            raise
        except BundleError as exc:
            self.problems.append(
                BundleProblem(path, f"nested archive unreadable: {exc.reason}", "this archive")
            )


class _Cut:
    """Where an archive is while it is read: should it end early, what was read whole."""

    def __init__(self, size: int) -> None:
        self.size = size  # of the archive file (compressed)
        self.current: tarfile.TarInfo | None = None  # the member being read
        self.last: str | None = None  # the last member read whole
        self.files = 0  # files read whole

    def reading(self, member: tarfile.TarInfo | None) -> None:
        self.current = member

    def done(self, member: tarfile.TarInfo, *, kept: bool) -> None:
        self.current = None
        if not member.isdir():
            self.last = member.name
        self.files += kept


def _truncation(exc: BaseException) -> bool:
    """Whether an archive error is the stream ending early (not damage inside it)."""
    if isinstance(exc, CorruptStream):
        return exc.reason == TRUNCATED_GZIP
    return "unexpected end of data" in str(exc) or "truncated header" in str(exc)


def _not_tar(size: int) -> str:
    if size == 0:
        return "empty file, not an archive (expected .tgz, .tar.gz, .tar or a directory)"
    return "not a tar archive (expected .tgz, .tar.gz, .tar or a directory)"
