"""A new memory limit for the broker container, from what the bundle shows it needed.

RabbitMQ takes the container's memory limit (the cgroup limit) as the machine's total
memory and raises its memory alarm, blocking every publisher, when it uses the *high
watermark* fraction of it. The lines it logs give both numbers::

    Memory high watermark set to 1638 MiB (1717986918 bytes) of 4096 MiB (4294967296 bytes) total
    vm_memory_high_watermark set. Memory used:1767269990 allowed:1717986918

and the kernel's OOM kill (the node's ``OOMKilling`` event) gives the resident size::

    Memory cgroup out of memory: Killed process 41822 (beam.smp) total-vm:3915436kB,
    anon-rss:2089472kB, file-rss:5120kB, shmem-rss:0kB
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from analyzer.patterns import searched
from analyzer.rules.context import RuleContext

# RabbitMQ's vm_memory_high_watermark.relative before 4.0 (4.0 raised it to 0.6): the
# lower value gives the larger limit, the safe side when the logs do not say.
DEFAULT_WATERMARK = 0.4
MiB = 1024**2
GiB = 1024**3

STARTUP = searched(r"Memory high watermark set to")
ALARM = searched(r"vm_memory_high_watermark set\.")
_STARTUP_RE = re.compile(r"\((\d+) bytes\) of \d+ MiB \((\d+) bytes\) total")
_ALARM_RE = re.compile(r"Memory used:\s*(\d+)\s+allowed:\s*(\d+)")
_RSS_RE = re.compile(r"anon-rss:(\d+)kB")
_QUANTITY_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|k|M|G|T)?\s*$")
_UNITS = {
    None: 1,
    "k": 1000,
    "M": 1000**2,
    "G": 1000**3,
    "T": 1000**4,
    "Ki": 1024,
    "Mi": MiB,
    "Gi": GiB,
    "Ti": 1024**4,
}


def quantity_bytes(value: object) -> int | None:
    """Bytes of a Kubernetes memory quantity (``2Gi``, ``2048Mi``, ``2G``, ``1073741824``)."""
    if not isinstance(value, str):
        return None
    m = _QUANTITY_RE.match(value)
    if m is None:
        return None
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def quantity_text(n: int) -> str:
    """``n`` bytes as Kubernetes writes a limit: whole Gi when it is one, else Mi."""
    return f"{n // GiB}Gi" if n % GiB == 0 else f"{math.ceil(n / MiB)}Mi"


def round_up(n: float) -> int:
    """Up to a step a person would choose: 256 MiB under 4 GiB, 512 MiB under 16, then 1 GiB."""
    step = 256 * MiB if n < 4 * GiB else 512 * MiB if n < 16 * GiB else GiB
    return int(math.ceil(n / step) * step)


@dataclass(frozen=True)
class MemoryPlan:
    current: str | None  # the limit as the pod spec states it
    peak_bytes: int | None
    peak_basis: str  # alarm_line | oom_kill | limit_at_oom | unknown
    watermark: float
    watermark_basis: str  # startup_line | alarm_line | default
    new_limit: str | None  # None when neither the limit nor a peak is known
    # the memory RabbitMQ took as its total when that is not the container limit: it then
    # sets its alarm against the node's memory, and the kernel kills it first
    seen_total: int | None = None


def memory_plan(ctx: RuleContext, limit_text: str | None, oomkilled: bool) -> MemoryPlan:
    limit = quantity_bytes(limit_text)
    watermark, wm_basis = _watermark(ctx, limit)
    total = _startup_total(ctx)
    seen_total = total if total and limit and abs(total - limit) > 0.1 * limit else None
    peaks: list[tuple[int, str]] = []
    used = _alarm_used(ctx)
    if used is not None:
        peaks.append((used, "alarm_line"))
    rss = _oom_rss(ctx)
    if rss is not None:
        peaks.append((rss, "oom_kill"))
    if oomkilled and limit is not None:
        # the kernel stops the broker at its limit: it needed at least that much
        peaks.append((limit, "limit_at_oom"))
    peak, basis = max(peaks) if peaks else (None, "unknown")
    return MemoryPlan(
        current=limit_text,
        peak_bytes=peak,
        peak_basis=basis,
        watermark=watermark,
        watermark_basis=wm_basis,
        new_limit=_new_limit(peak, limit, watermark),
        seen_total=seen_total,
    )


def _new_limit(peak: int | None, limit: int | None, watermark: float) -> str | None:
    """The limit at which the observed peak stays below the memory alarm.

    The alarm fires at watermark x limit, so holding the peak under it takes
    limit >= peak / watermark (peak 2 GiB at watermark 0.8: 2.5 GiB). The broker was
    alarmed or killed at the current limit, so the result is also at least a quarter above
    it, in case the peak seen was cut short; then rounded up to a 256/512 MiB step.
    """
    if peak is None and limit is None:
        return None
    needed = (peak or 0) / watermark
    if limit is not None:
        needed = max(needed, limit * 1.25)
    return quantity_text(round_up(needed))


def _watermark(ctx: RuleContext, limit: int | None) -> tuple[float, str]:
    for _, row in ctx.logs(STARTUP, recent=False).iloc[::-1].iterrows():
        m = _STARTUP_RE.search(str(row["message"]))
        if m and int(m.group(2)) > 0:
            return _plausible(int(m.group(1)) / int(m.group(2)), "startup_line")
    if limit:
        for _, row in ctx.logs(ALARM, recent=False).iloc[::-1].iterrows():
            m = _ALARM_RE.search(str(row["message"]))
            if m:
                # "allowed" is watermark x the memory RabbitMQ sees: the container limit
                return _plausible(int(m.group(2)) / limit, "alarm_line")
    return DEFAULT_WATERMARK, "default"


def _startup_total(ctx: RuleContext) -> int | None:
    for _, row in ctx.logs(STARTUP, recent=False).iloc[::-1].iterrows():
        m = _STARTUP_RE.search(str(row["message"]))
        if m:
            return int(m.group(2))
    return None


def _plausible(fraction: float, basis: str) -> tuple[float, str]:
    # RabbitMQ truncates watermark x total to whole bytes: 1717986918 / 2 GiB is
    # 0.7999999999, which is the configured 0.8
    fraction = round(fraction, 3)
    # a fraction outside (0, 1] means the broker saw another total than this limit
    return (fraction, basis) if 0.05 <= fraction <= 1.0 else (DEFAULT_WATERMARK, "default")


def _alarm_used(ctx: RuleContext) -> int | None:
    hits = ctx.logs(ALARM, recent=False)
    used = hits["message"].astype(str).str.extract(_ALARM_RE)[0].dropna()
    return int(pd.to_numeric(used).max()) if not used.empty else None


def _oom_rss(ctx: RuleContext) -> int | None:
    events = ctx.frames.events
    if events.empty:
        return None
    text = events[events["reason"] == "OOMKilling"]["message"].astype(str)
    text = text[text.str.contains("beam", regex=False)]  # the Erlang VM that runs RabbitMQ
    kib = text.str.extract(_RSS_RE)[0].dropna()
    return int(pd.to_numeric(kib).max()) * 1024 if not kib.empty else None
