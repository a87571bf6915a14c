"""Write a large, realistic bundle for the benchmarks.

The incident is the shipped `selfhosted-broker-oom` scenario, spread over N hypervisors;
each hypervisor's ostackhost.log is then padded, before its own first line, with days of
healthy periodic-task and build traffic in the real oslo.log format, up to the requested
uncompressed size. Deterministic for a given size.

    python benchmarks/make_large_bundle.py --size-mb 1024 --out benchmarks/data/large.tgz
"""

from __future__ import annotations

import argparse
import io
import random
import tarfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from fixtures.generate import build

HEALTHY = (
    "DEBUG oslo_service.periodic_task [None req-{req} - - - - - -] Running periodic task "
    "ComputeManager._heal_instance_info_cache run_periodic_tasks "
    "/opt/pf9/venv/lib/python3.9/site-packages/oslo_service/periodic_task.py:210",
    "INFO nova.compute.resource_tracker [None req-{req} - - - - - -] Final resource view: "
    "name={host} phys_ram=515614MB used_ram=81920MB phys_disk=1788GB used_disk=640GB "
    "total_vcpus=64 used_vcpus=38 pci_stats=[]",
    "INFO nova.compute.manager [None req-{req} 9f1b0c2d8e7a4b6c a1b2c3d4e5f60718 - - default "
    "default] [instance: {uuid}] Took 12.31 seconds to build instance.",
    'DEBUG oslo_concurrency.lockutils [None req-{req} - - - - - -] Lock "compute_resources" '
    'acquired by "nova.compute.resource_tracker.ResourceTracker._update_available_resource" '
    ":: waited 0.000s inner "
    "/opt/pf9/venv/lib/python3.9/site-packages/oslo_concurrency/lockutils.py:390",
    "INFO nova.compute.manager [None req-{req} - - - - - -] [instance: {uuid}] VM Resumed "
    "(Lifecycle Event)",
)


def padding(host: str, before: datetime, size: int, rng: random.Random) -> bytes:
    """Healthy oslo.log lines ending just before ``before``, about ``size`` bytes."""
    avg = 200
    count = max(size // avg, 1)
    step = timedelta(seconds=0.25)
    start = before - step * (count + 1)
    pid = 2817
    out = io.StringIO()
    written = 0
    t = start
    while written < size:
        template = HEALTHY[rng.randrange(len(HEALTHY))]
        req = f"{rng.getrandbits(128):032x}"
        req = f"{req[:8]}-{req[8:12]}-{req[12:16]}-{req[16:20]}-{req[20:]}"
        uuid = f"{rng.getrandbits(128):032x}"
        uuid = f"{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}"
        line = (
            f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} {pid} "
            + template.format(req=req, uuid=uuid, host=host)
            + "\n"
        )
        out.write(line)
        written += len(line)
        t += step
    return out.getvalue().encode()


def make(size_mb: int, out: Path, hypervisors: int = 20, level: int = 6) -> Path:
    bundle = build("selfhosted-broker-oom", hypervisors=hypervisors)
    files = dict(bundle.files)
    logs = [p for p in files if p.endswith("/ostackhost.log")]
    base = sum(len(v) for v in files.values())
    per_log = max((size_mb * 1024 * 1024 - base) // max(len(logs), 1), 0)
    rng = random.Random(size_mb)
    for path in logs:
        first = files[path].split(b" ", 2)
        first_ts = datetime.fromisoformat(first[0].decode() + " " + first[1].decode()[:8])
        host = path.split("/")[1]
        files[path] = padding(host, first_ts, per_log, rng) + files[path]
    out.parent.mkdir(parents=True, exist_ok=True)
    mtime = int(bundle.collected_at.timestamp())
    with tarfile.open(out, "w:gz", compresslevel=level) as tar:
        for path in sorted(files):
            data = files[path]
            info = tarfile.TarInfo(f"pcd-bundle-large/{path}")
            info.size = len(data)
            info.mtime = mtime
            tar.addfile(info, io.BytesIO(data))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--hypervisors", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/data/large.tgz"))
    args = parser.parse_args()
    t0 = time.perf_counter()
    path = make(args.size_mb, args.out, args.hypervisors)
    took = time.perf_counter() - t0
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB compressed, written in {took:.1f} s")


if __name__ == "__main__":
    main()
