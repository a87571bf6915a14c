"""Write a large, realistic bundle for the benchmarks.

The incident is the shipped `selfhosted-broker-oom` scenario, spread over N hypervisors;
each hypervisor's ostackhost.log is then padded, before its own first line, with days of
healthy periodic-task, lock, audit and VM-build traffic in the real oslo.log format, up to
the requested uncompressed size (``--mix dense`` instead makes two lines in five name an
instance: the case where folding keeps the most; ``--mix instances``: every line names a
new instance). Deterministic for a given size.

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

PERIODIC = (
    "DEBUG oslo_service.periodic_task [None req-{req} - - - - - -] Running periodic task "
    "ComputeManager.{task} run_periodic_tasks "
    "/opt/pf9/venv/lib/python3.9/site-packages/oslo_service/periodic_task.py:210",
    "DEBUG oslo_concurrency.lockutils [None req-{req} - - - - - -] Acquiring lock "
    '"compute_resources" by '
    '"nova.compute.resource_tracker.ResourceTracker._update_available_resource" inner '
    "/opt/pf9/venv/lib/python3.9/site-packages/oslo_concurrency/lockutils.py:404",
    'DEBUG oslo_concurrency.lockutils [None req-{req} - - - - - -] Lock "compute_resources" '
    'acquired by "nova.compute.resource_tracker.ResourceTracker._update_available_resource" '
    ":: waited 0.000s inner "
    "/opt/pf9/venv/lib/python3.9/site-packages/oslo_concurrency/lockutils.py:409",
    'DEBUG oslo_concurrency.lockutils [None req-{req} - - - - - -] Lock "compute_resources" '
    '"released" by "nova.compute.resource_tracker.ResourceTracker._update_available_resource" '
    ":: held 0.021s inner "
    "/opt/pf9/venv/lib/python3.9/site-packages/oslo_concurrency/lockutils.py:423",
    "DEBUG nova.compute.resource_tracker [None req-{req} - - - - - -] Auditing locally "
    "available compute resources for {host} (node: {host}) update_available_resource "
    "/opt/pf9/venv/lib/python3.9/site-packages/nova/compute/resource_tracker.py:907",
    "INFO nova.compute.resource_tracker [None req-{req} - - - - - -] Final resource view: "
    "name={host} phys_ram=515614MB used_ram=81920MB phys_disk=1788GB used_disk=640GB "
    "total_vcpus=64 used_vcpus=38 pci_stats=[]",
    "DEBUG nova.compute.manager [None req-{req} - - - - - -] Triggering sync for uuid {uuid} "
    "_sync_power_states /opt/pf9/venv/lib/python3.9/site-packages/nova/compute/manager.py:10102",
    "DEBUG nova.compute.manager [None req-{req} - - - - - -] [instance: {uuid}] Updated the "
    "network info_cache for instance _heal_instance_info_cache "
    "/opt/pf9/venv/lib/python3.9/site-packages/nova/compute/manager.py:9893",
)
PERIODIC_WEIGHTS = (40, 12, 12, 12, 10, 10, 3, 1)
TASKS = (
    "_heal_instance_info_cache",
    "_poll_rebooting_instances",
    "_poll_rescued_instances",
    "_poll_unconfirmed_resizes",
    "_instance_usage_audit",
    "_poll_volume_usage",
    "_reclaim_queued_deletes",
    "update_available_resource",
)
BUILD = (
    "INFO nova.compute.claims [None req-{req} {user} {project} - - default default] "
    "[instance: {uuid}] Attempting claim on node {host}: memory 4096 MB, disk 40 GB, vcpus 2 CPU",
    "INFO nova.compute.claims [None req-{req} {user} {project} - - default default] "
    "[instance: {uuid}] Claim successful on node {host}",
    "INFO nova.virt.libvirt.driver [None req-{req} {user} {project} - - default default] "
    "[instance: {uuid}] Creating image(s)",
    "INFO nova.compute.manager [None req-{req} - - - - - -] [instance: {uuid}] VM Started "
    "(Lifecycle Event)",
    "INFO nova.compute.manager [None req-{req} - - - - - -] [instance: {uuid}] VM Resumed "
    "(Lifecycle Event)",
    "INFO nova.compute.manager [None req-{req} {user} {project} - - default default] "
    "[instance: {uuid}] Took 9.84 seconds to spawn the instance on the hypervisor.",
    "INFO nova.compute.manager [None req-{req} {user} {project} - - default default] "
    "[instance: {uuid}] Took 12.31 seconds to build instance.",
)
BUILD_EVERY = 2000
"""Lines between VM builds on one host: at four lines a second, one build every ~8 min."""

DENSE = (
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
"""The worst case kept for comparison: two lines in five name an instance (a build every
1.25 s on every host), so folding keeps 40% of the lines as rows."""

INSTANCES = (
    # futurewei-cloud/alcor-control-agent issue 232 (a nova-compute log, Victoria)
    "INFO nova.compute.manager [None req-{req} - - - - - -] [instance: {uuid}] During "
    "sync_power_state the instance has a pending task (spawning). Skip.",
    "INFO nova.compute.manager [None req-{req} - - - - - -] [instance: {uuid}] VM Resumed "
    "(Lifecycle Event)",
)
"""Every line names an instance never named before: about one million distinct instances
in 250 MB. Memory must not follow the number of instances."""

MIXES = ("realistic", "dense", "instances")


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def padding(
    host: str, before: datetime, size: int, rng: random.Random, mix: str = "realistic"
) -> bytes:
    """Healthy oslo.log lines ending just before ``before``, about ``size`` bytes.

    ``realistic``: periodic tasks, resource audits and lock lines (DEBUG/INFO), with a VM
    build (seven lines naming the instance) every ``BUILD_EVERY`` lines and a few lines
    naming existing instances; ``dense``: see ``DENSE``; ``instances``: see ``INSTANCES``.
    """
    avg = 200
    count = max(size // avg, 1)
    step = timedelta(seconds=0.25)
    start = before - step * (count + 1)
    pid = 2817
    instances = [_uuid(rng) for _ in range(30)]
    out = io.StringIO()
    written = 0
    t = start
    queue: list[str] = []
    n = 0
    while written < size:
        if mix == "dense":
            template = DENSE[rng.randrange(len(DENSE))]
            uuid = _uuid(rng)
        elif mix == "instances":
            template = INSTANCES[n % len(INSTANCES)]
            uuid = _uuid(rng)
        elif queue:
            template, uuid = queue.pop(0), instances[-1]
        elif n % BUILD_EVERY == BUILD_EVERY - 1:
            instances.append(_uuid(rng))
            queue = list(BUILD)
            template, uuid = queue.pop(0), instances[-1]
        else:
            template = rng.choices(PERIODIC, weights=PERIODIC_WEIGHTS)[0]
            uuid = instances[rng.randrange(len(instances))]
        line = (
            f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} {pid} "
            + template.format(
                req=_uuid(rng),
                uuid=uuid,
                host=host,
                task=TASKS[rng.randrange(len(TASKS))],
                user="9f1b0c2d8e7a4b6c9f1b0c2d8e7a4b6c",
                project="a1b2c3d4e5f60718a1b2c3d4e5f60718",
            )
            + "\n"
        )
        out.write(line)
        written += len(line)
        t += step
        n += 1
    return out.getvalue().encode()


def make(
    size_mb: int, out: Path, hypervisors: int = 20, level: int = 6, mix: str = "realistic"
) -> Path:
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
        files[path] = padding(host, first_ts, per_log, rng, mix) + files[path]
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
    parser.add_argument("--mix", choices=MIXES, default="realistic", help="see padding()")
    args = parser.parse_args()
    t0 = time.perf_counter()
    path = make(args.size_mb, args.out, args.hypervisors, mix=args.mix)
    took = time.perf_counter() - t0
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB compressed, written in {took:.1f} s")


if __name__ == "__main__":
    main()
