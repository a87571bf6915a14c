"""Writing the reports so that a folder never holds a mixed set.

Each report is written under a temporary name in its folder and renamed into place, so a
reader sees the old file or the new one, never half of one. While one run writes its set
(``analysis.json``, ``report.md``, ``report.html``) it holds an advisory lock on a lock file
in the folder (``fcntl.flock``); a second run on the same folder waits for it, and after
``LOCK_WAIT`` seconds gives up with ``FolderBusy``. The lock file is removed when the set
is written; a run that gets the lock of a file removed meanwhile takes the new one.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".analyze.lock"
LOCK_WAIT = 30.0
"""Seconds a second run waits for the first to finish writing (writing takes under one)."""
_POLL = 0.05


class FolderBusy(Exception):
    """Another run held the folder's lock for longer than the wait."""


def temporary_name(path: Path, pid: int | None = None) -> Path:
    """Where ``path`` is written before it is renamed into place (hidden, per process)."""
    return path.with_name(f".{path.name}.{os.getpid() if pid is None else pid}.tmp")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place."""
    temp = temporary_name(path)
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def remove_leftovers(folder: Path, pid: int) -> None:
    """Remove what a process killed while writing left under temporary names."""
    for name in ("analysis.json", "report.md", "report.html"):
        with contextlib.suppress(OSError):
            temporary_name(folder / name, pid).unlink()


@contextlib.contextmanager
def locked(folder: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the folder's write lock (waiting at most ``wait`` seconds for it)."""
    import fcntl

    path = folder / LOCK_NAME
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise FolderBusy(str(path)) from None
                    time.sleep(_POLL)
            # the holder before us may have removed the file: then lock the one now there
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if same:
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # still ours: nobody else holds it while we do
        os.close(fd)
