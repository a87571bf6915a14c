"""The C allocator, tuned once per process for streaming large buffers.

Reading a large bundle allocates and frees buffers of megabytes many times a second (the
chunks of a log, tarfile's stream blocks, the inflated blocks). glibc serves each of them
with a fresh ``mmap`` and gives it back with ``munmap``, or trims the heap as soon as a
buffer is freed: every chunk then costs its size in page faults. On the 1 GiB benchmark
bundle that was 1.4 s of system time out of 6.7 s (benchmarks/README.md). Raising the
two thresholds keeps freed buffers for the next chunk. Peak memory hardly moves: the
buffers in flight are bounded by the chunk size and the pipeline depth.

The same settings as the ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_``
environment variables, which win when set. Elsewhere than glibc nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's ceiling on 64-bit; chunks are 4 MiB
TRIM_THRESHOLD = 256 * 1024 * 1024
_ENVIRONMENT = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


def tune_for_streaming() -> bool:
    """Raise glibc's mmap and trim thresholds; True when they were set."""
    if not sys.platform.startswith("linux") or any(v in os.environ for v in _ENVIRONMENT):
        return False
    try:
        libc = ctypes.CDLL(None)  # the C library this interpreter runs on
        mallopt = libc.mallopt
        gnu = libc.gnu_get_libc_version  # glibc only: musl's mallopt is a no-op stub
    except (OSError, AttributeError):
        return False
    del gnu
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    mmap_set = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    trim_set = bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return mmap_set and trim_set
