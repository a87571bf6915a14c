"""Time `analyze` on a large bundle against the floor of plain decompression.

Prints, for one bundle in one run: the decompression floor (`gzip -dc bundle > /dev/null`),
`analyze` wall time and peak RSS, throughput in MB/s of uncompressed input, the ratio to
the floor, and the interpreter start-up time as a second baseline. `analyze` is timed two
ways: the analysis alone (`--format json` to /dev/null) and the default command, which also
writes report.md and report.html. With ``--repeat N`` each figure is the best and the
median of N runs, with the median CPU seconds (user + system) beside them; with
``--source`` the trees are run in turn, so that drift hits them alike. Targets (issue 6):
analyze within 2x of the floor, peak RSS under 1 GiB for a 1 GiB bundle, a 20 MB bundle in
under 1.5 s including interpreter start.

    python benchmarks/bench_analyze.py --size-mb 1024      # makes the bundle if missing
    python benchmarks/bench_analyze.py --bundle some.tgz
    python benchmarks/bench_analyze.py --bundle some.tgz --source /tmp/before   # another tree

``--source`` runs ``python -m analyzer`` from another checkout of the project (for example
``git archive HEAD | tar -x -C /tmp/before``), so before and after are timed in one run on
the same machine and bundle.

``--mixes`` times every standard input instead (``make_large_bundle.MIXES``: realistic,
dense, one million distinct instances), each made in ``--data`` if missing, and prints one
Markdown table row per mix and tree against the floor of that bundle, measured in the same
run. ``--cpu N`` pins every child to that CPU (a shared machine: one core at most)::

    python benchmarks/bench_analyze.py --mixes --size-mb 200 --data /tmp/bench --cpu 0
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


CPU: int | None = None
"""The CPU every child is pinned to (``--cpu``), None: any."""


def _pin() -> None:
    if CPU is not None:
        os.sched_setaffinity(0, {CPU})


def run_measured(
    cmd: list[str],
    stdout: int | None = subprocess.DEVNULL,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[float, int, int, float]:
    """Wall seconds, peak RSS in bytes, exit status and CPU seconds (user + system) of a
    child process (the largest RSS of it and the processes it waited for)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=stdout, stderr=subprocess.DEVNULL, cwd=cwd, env=env, preexec_fn=_pin
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    cpu = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), cpu


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
    parser.add_argument(
        "--source",
        type=Path,
        action="append",
        default=[],
        help="Also time `analyze` from this source tree (repeatable).",
    )
    parser.add_argument("--mixes", action="store_true", help="Time every standard mix.")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="Where bundles go.")
    parser.add_argument("--cpu", type=int, help="Pin every child to this CPU.")
    args = parser.parse_args()
    args.runs = range(args.repeat)
    global CPU
    CPU = args.cpu
    if args.mixes:
        mixes_table(args)
        return
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
    floor = min(floors)
    mb = size / 1e6
    packed = bundle.stat().st_size / 1e6
    print(f"bundle            {bundle.name}: {packed:.1f} MB compressed, {mb:.1f} MB uncompressed")
    print(f"python start      {min(start):.3f} s")
    print(f"gzip -dc floor    {floor:.2f} s  ({mb / floor:.0f} MB/s)")
    trees = [HERE.parent, *args.source]
    envs = {tree: _env(tree) for tree in trees}  # each tree first on the path, worker too
    analysis = [sys.executable, "-m", "analyzer", str(bundle.resolve()), "--format", "json"]
    runs: dict[Path, list[tuple[float, int, int, float]]] = {tree: [] for tree in trees}
    full: dict[Path, list[tuple[float, int, int, float]]] = {tree: [] for tree in trees}
    with tempfile.TemporaryDirectory() as out:
        default = [sys.executable, "-m", "analyzer", str(bundle.resolve()), "-o", out]
        for _ in args.runs:  # the trees in turn, so that the machine's drift hits them alike
            for tree in trees:
                runs[tree].append(run_measured([*analysis, "-q"], cwd=tree, env=envs[tree]))
            for tree in trees:
                full[tree].append(run_measured([*default, "-q"], cwd=tree, env=envs[tree]))
    for tree in trees:
        _report_tree(tree, runs[tree], full[tree], mb, size, floor)


def _report_tree(
    source: Path,
    runs: list[tuple[float, int, int, float]],
    full: list[tuple[float, int, int, float]],
    mb: float,
    size: int,
    floor: float,
) -> None:
    best, median = _best_and_median(runs)
    full_best, full_median = _best_and_median(full)
    rss = max(r[1] for r in runs + full)
    codes = sorted({r[2] for r in runs + full})
    n = len(runs)
    print(f"-- analyze from {source}")
    print(
        f"analysis          {best:.2f} s best, {median:.2f} s median of {n}"
        f"  ({mb / best:.1f} MB/s), exit status {codes}"
    )
    print(f"with the reports  {full_best:.2f} s best, {full_median:.2f} s median of {n}")
    cpu = statistics.median(r[3] for r in runs)
    full_cpu = statistics.median(r[3] for r in full)
    print(f"CPU (user + sys)  {cpu:.2f} s analysis, {full_cpu:.2f} s with the reports (medians)")
    print(f"ratio to floor    {best / floor:.2f}x  (target <= 2x)")
    if size < 50e6:
        print(
            f"small bundle      {median:.2f} s analysis, {full_median:.2f} s with the reports"
            "  (medians; target < 1.5 s for a typical 20 MB bundle)"
        )
    print(f"peak RSS          {rss / 2**20:.0f} MiB  (target < 1024 MiB for a 1 GiB bundle)")


def _env(source: Path) -> dict[str, str]:
    """The environment that runs ``analyze`` from ``source``, its bytecode compiled first
    (as pip does when it installs the package)."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    packages = [str(source / p) for p in ("analyzer", "reports") if (source / p).is_dir()]
    compile_packages = [sys.executable, "-m", "compileall", "-q", *packages]
    subprocess.run(compile_packages, env=env, check=False, stdout=subprocess.DEVNULL)
    return env


def mixes_table(args: argparse.Namespace) -> None:
    """One row per mix and tree: the gzip floor and ``analyze --format json`` (medians of
    ``--repeat`` runs, taken in turn so drift hits both), CPU seconds, peak RSS."""
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.make_large_bundle import MIXES, make

    sources = [HERE.parent, *args.source]
    envs = {source: _env(source) for source in sources}
    print(
        "| mix | uncompressed | tree | gzip -dc (wall / CPU) | analysis (wall / CPU) "
        "| ratio wall / CPU | peak RSS |"
    )
    print("|---|---|---|---|---|---|---|")
    for mix in MIXES:
        bundle = args.data / f"{mix}-{args.size_mb}mb.tgz"
        if not bundle.exists():
            make(args.size_mb, bundle, mix=mix)
        mb = uncompressed_size(bundle) / 1e6
        floor_cmd = ["sh", "-c", f"gzip -dc '{bundle}' > /dev/null"]
        for source in sources:
            cmd = [sys.executable, "-m", "analyzer", str(bundle.resolve()), "--format", "json"]
            floors, runs = [], []
            for _ in args.runs:
                floors.append(run_measured(floor_cmd))
                runs.append(run_measured([*cmd, "-q"], cwd=source, env=envs[source]))
            fw, fc = (statistics.median(r[i] for r in floors) for i in (0, 3))
            aw, ac = (statistics.median(r[i] for r in runs) for i in (0, 3))
            rss = max(r[1] for r in runs) / 2**20
            print(
                f"| {mix} | {mb:.0f} MB | {source.name} | {fw:.2f} s / {fc:.2f} s "
                f"| {aw:.2f} s / {ac:.2f} s | {aw / fw:.1f}x / {ac / fc:.1f}x | {rss:.0f} MiB |",
                flush=True,
            )


def _best_and_median(runs: list[tuple[float, int, int, float]]) -> tuple[float, float]:
    walls = [r[0] for r in runs]
    return min(walls), statistics.median(walls)


if __name__ == "__main__":
    main()
