"""Time `analyze` on a large bundle against the floor of plain decompression.

Prints, for one bundle in one run: the decompression floor (`gzip -dc bundle > /dev/null`),
`analyze` wall time and peak RSS, throughput in MB/s of uncompressed input, the ratio to
the floor, and the interpreter start-up time as a second baseline. Targets (issue 6):
analyze within 2x of the floor, peak RSS under 1 GiB for a 1 GiB bundle, a 20 MB bundle in
under 1.5 s including interpreter start.

    python benchmarks/bench_analyze.py --size-mb 1024      # makes the bundle if missing
    python benchmarks/bench_analyze.py --bundle some.tgz
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_measured(cmd: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in bytes and exit status of a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    return wall, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def uncompressed_size(bundle: Path) -> int:
    total = 0
    with gzip.open(bundle, "rb") as fh:
        while chunk := fh.read(1 << 22):
            total += len(chunk)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    bundle = args.bundle or HERE / "data" / f"large-{args.size_mb}mb.tgz"
    if not bundle.exists():
        sys.path.insert(0, str(HERE.parent))
        from benchmarks.make_large_bundle import make

        print(f"making {bundle} ...", flush=True)
        make(args.size_mb, bundle)
    size = uncompressed_size(bundle)
    floors = [
        run_measured(["sh", "-c", f"gzip -dc '{bundle}' > /dev/null"])[0]
        for _ in range(args.repeat)
    ]
    start = [run_measured([sys.executable, "-c", "pass"])[0] for _ in range(args.repeat)]
    runs = [
        run_measured([sys.executable, "-m", "analyzer", str(bundle), "--format", "json", "-q"])
        for _ in range(args.repeat)
    ]
    floor = min(floors)
    wall = min(r[0] for r in runs)
    rss = max(r[1] for r in runs)
    codes = {r[2] for r in runs}
    mb = size / 1e6
    packed = bundle.stat().st_size / 1e6
    print(f"bundle            {bundle.name}: {packed:.1f} MB compressed, {mb:.1f} MB uncompressed")
    print(f"python start      {min(start):.3f} s")
    print(f"gzip -dc floor    {floor:.2f} s  ({mb / floor:.0f} MB/s)")
    print(f"analyze           {wall:.2f} s  ({mb / wall:.1f} MB/s), exit status {sorted(codes)}")
    print(f"ratio to floor    {wall / floor:.1f}x  (target <= 2x)")
    print(f"peak RSS          {rss / 2**20:.0f} MiB  (target < 1024 MiB for a 1 GiB bundle)")


if __name__ == "__main__":
    main()
