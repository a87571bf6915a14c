"""How many CPUs this process may use: what sizes its thread and process pools."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, which `taskset` and container CPU
    sets narrow), or every CPU where the system does not say (not Linux); at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
