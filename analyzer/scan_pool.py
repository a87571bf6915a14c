"""Where the chunks of folded logs are scanned (``analyzer.fold.scan``): threads, or other
processes when the bundle is large.

A scan spends part of its time in Python and in numpy calls that hold the interpreter's
lock, and Hyperscan calls back into Python for every line it matches: threads scanning
chunks mostly take turns, and the reading of the archive waits for them. Processes scan
side by side, while this one inflates and reads the archive. Starting them costs about a
third of a second of CPU (a fresh interpreter importing numpy, pyarrow and the fold),
which only a large bundle earns back, so a small one is scanned on threads as before.

Processes are not used where they cannot be, or should not: on one CPU, inside a daemonic
process (a fleet's or Dask's worker, which may not have children), where the platform
has no ``forkserver`` (Windows), or when the caller runs several analyses side by side
(``processes=False``: the fleet already keeps every CPU busy).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

PROCESSES_FROM = 32 * 1024 * 1024
"""An archive of this many bytes or more (about 200 MB of logs) is scanned in processes."""
THREADS = 3
PROCESSES = 2


def scan_pool(size: int, processes: bool = True) -> Executor:
    """The pool for a bundle of ``size`` bytes on disk (compressed, for an archive)."""
    if processes and size >= PROCESSES_FROM and can_fork_workers():
        try:
            context = multiprocessing.get_context("forkserver")
            # the server imports the fold once; each worker starts from it, imports done
            context.set_forkserver_preload(["analyzer.fold"])
            return ProcessPoolExecutor(max_workers=PROCESSES, mp_context=context)
        except (OSError, ValueError):
            pass
    return ThreadPoolExecutor(max_workers=THREADS)


def can_fork_workers() -> bool:
    if multiprocessing.current_process().daemon:
        return False
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # not on Linux
        return (os.cpu_count() or 1) > 1


def in_processes(pool: Executor | None) -> bool:
    """Whether what is handed to ``pool`` crosses to another process (a ``memoryview``
    cannot: it is copied to ``bytes`` first)."""
    return isinstance(pool, ProcessPoolExecutor)
