"""Where the chunks of folded logs are scanned (``analyzer.fold.scan``): threads, or two
other processes when the bundle is large.

A scan spends part of its time in Python and in numpy calls that hold the interpreter's
lock, and Hyperscan calls back into Python for every line it matches: threads scanning
chunks mostly take turns, and the reading of the archive waits for them. Processes scan
side by side while this one inflates and reads the archive.

The workers are forked, on Linux only, when the pool is made: before the reading starts
the threads that inflate the archive and scan, so no lock of theirs is copied held into
a child; a fork costs a few milliseconds and no import (a spawned interpreter would import
numpy, pyarrow and the fold again, about a third of a second of CPU each). A small bundle
is still scanned on threads: forking for it would cost more than it saves.

Processes are not used where they cannot be, or should not: on one CPU, off Linux (macOS
and Windows do not fork safely), inside a daemonic process (Dask's workers may not have
children), or when the caller runs several analyses side by side (``processes=False``:
the fleet already keeps every CPU busy).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor

PROCESSES_FROM = 8 * 1024 * 1024
"""An archive of this many bytes or more (about 50 MB of logs) is scanned in processes."""
THREADS = 3
PROCESSES = 2


def scan_pool(size: int, processes: bool = True) -> Executor:
    """The pool for a bundle of ``size`` bytes on disk (compressed, for an archive)."""
    if processes and size >= PROCESSES_FROM and can_fork_workers():
        pool = ProcessPoolExecutor(
            max_workers=PROCESSES,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_start,
        )
        try:
            pool.submit(int).result()  # forks every worker now, while this process is alone
        except (BrokenExecutor, OSError):
            pool.shutdown(wait=False)
        else:
            return pool
    return ThreadPoolExecutor(max_workers=THREADS)


def _worker_start() -> None:
    """Ctrl-C is this process's to handle: a worker that took it would print a traceback
    and break the pool; it finishes its chunk and is shut down with the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def can_fork_workers() -> bool:
    if not sys.platform.startswith("linux") or multiprocessing.current_process().daemon:
        return False
    return len(os.sched_getaffinity(0)) > 1


def in_processes(pool: Executor | None) -> bool:
    """Whether what is handed to ``pool`` crosses to another process (a ``memoryview``
    cannot: it is copied to ``bytes`` first)."""
    return isinstance(pool, ProcessPoolExecutor)
