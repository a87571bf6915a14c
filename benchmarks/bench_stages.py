"""Where the time of one analysis goes: imports, then each stage, and the threads.

Runs ``analyzer.analysis.analyse`` on one bundle in this process and prints, per stage
(the imports, then the stages ``analyse`` reports to its progress callback), the wall and
CPU seconds; then the CPU seconds of each thread that took more than 20 ms (the reader's
decompression thread, the fold's scan threads, the main thread), read from
``/proc/self/task`` every 20 ms, so a thread that ends between two readings loses up to
that much; and the peak RSS. ``bench_analyze.py`` times the whole command against the
floor; this says which part of it to look at::

    python benchmarks/bench_stages.py /tmp/bench/dense-250mb.tgz

Linux only (``/proc``). The figures are one run's: on a shared machine run it a few times.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time

T0, C0 = time.perf_counter(), time.process_time()

import analyzer.blas_threads  # noqa: E402, F401 - before numpy, as the command does
from analyzer.analysis import analyse  # noqa: E402

TICK_S = 0.02


class ThreadClock:
    """The CPU seconds of every thread of this process, read until ``stop``."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = {}
        self.samples: list[tuple[float, dict[int, float]]] = []
        self._per_tick = os.sysconf("SC_CLK_TCK")
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(TICK_S):
            self._read()

    def _read(self) -> None:
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat", encoding="ascii") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:  # the thread ended
                continue
            # utime and stime: fields 14 and 15 of stat, 12 and 13 after the name
            self.seconds[int(tid)] = (int(fields[11]) + int(fields[12])) / self._per_tick
        self.samples.append((time.perf_counter(), dict(self.seconds)))

    def stop(self) -> dict[int, float]:
        self._read()
        self._done.set()
        self._thread.join()
        return self.seconds


def print_timeline(samples: list[tuple[float, dict[int, float]]], main_thread: int) -> None:
    """CPU use per thread in each tenth of a second: where the CPUs sat idle."""
    tids = sorted({t for _, s in samples for t in s}, key=lambda t: (t != main_thread, t))
    print("timeline (per 0.1 s from the start of the analysis: cpu s per thread, x10)")
    print("    t  " + " ".join(f"{'main' if t == main_thread else t:>6}" for t in tids))
    start = samples[0][0]
    bucket, last = 0.1, samples[0][1]
    for when, seconds in samples:
        if when - start < bucket:
            continue
        used = [seconds.get(t, 0.0) - last.get(t, 0.0) for t in tids]
        print(f"{bucket:5.1f}  " + " ".join(f"{u * 10:6.1f}" for u in used))
        bucket, last = bucket + 0.1, seconds


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--timeline"]
    if len(args) != 1:
        sys.exit("usage: python benchmarks/bench_stages.py [--timeline] BUNDLE")
    marks = [("imports", time.perf_counter() - T0, time.process_time() - C0)]
    started = {"": (time.perf_counter(), time.process_time())}  # the stage under way

    def progress(stage: str) -> None:
        """Close the stage under way (if any) and open ``stage``."""
        now, cpu = time.perf_counter(), time.process_time()
        ((under_way, (wall0, cpu0)),) = started.items()
        if under_way:
            marks.append((under_way, now - wall0, cpu - cpu0))
        started.clear()
        started[stage] = (now, cpu)

    clock = ThreadClock()
    main_thread = threading.get_native_id()
    analyse(args, progress=progress)
    progress("")
    threads = clock.stop()
    print(f"{'stage':34s} {'wall s':>7s} {'cpu s':>7s}")
    for stage, wall, cpu in marks:
        print(f"{stage:34s} {wall:7.2f} {cpu:7.2f}")
    print(f"{'total':34s} {time.perf_counter() - T0:7.2f} {time.process_time() - C0:7.2f}")
    print("threads (cpu s, the main thread's includes the imports):")
    for tid, seconds in sorted(threads.items(), key=lambda kv: -kv[1]):
        if seconds > TICK_S:
            print(f"  {'main' if tid == main_thread else tid:>8} {seconds:6.2f}")
    if "--timeline" in sys.argv:
        print_timeline(clock.samples, main_thread)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
