"""A lab run at one moment -> a support bundle in the collector's layout.

What goes in is what the lab's processes wrote, copied as the collector copies files:

| bundle path | from |
| --- | --- |
| ``hosts/<host>/ostackhost.log`` | the nova-compute program's oslo.log file |
| ``hosts/<host>/nova-conductor.log``, ``nova-api.log`` | the other two programs' oslo.log files |
| ``hosts/<host>/rabbit@localhost.log`` | the RabbitMQ node's own log file, as written |
| ``hosts/<host>/clock.json`` | this machine's clock, as ``pcd-collect`` writes it |
| ``openstack/servers*.json``, ``server-show/<id>.json`` | the lab database, in ``pcdctl`` form |
| ``openstack/compute-services.json`` | the lab database; ``State`` from nova's rule |
| ``manifest.json`` | this run: times, sources, redaction counts |

Every file passes through the collector's own redaction. There is no ``kubernetes/``: the
broker ran as a plain process, so its log is the hand-gathered kind (no kubectl prefixes)
and the manifest says ``deployment: unknown``. ``<host>`` is this machine's host name.
Times are the run's own: the log lines as the programs wrote them, ``collected_at`` the
moment of the snapshot, every archive member's mtime that moment.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sqlite3
import sys
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from collectors.pcd_collect import Redactor, clock_info

SERVICE_DOWN_TIME = timedelta(seconds=60)  # nova's service_down_time default
POWER_WORDS = {0: "NOSTATE", 1: "Running"}


@dataclass(frozen=True)
class Snapshot:
    """The bytes of every source at ``at``, and where each came from."""

    at: datetime
    host: str
    logs: dict[str, tuple[Path, bytes]]  # bundle name under hosts/<host>/ -> (source, bytes)
    servers: list[dict[str, object]]
    services: list[dict[str, object]]
    notes: list[str]


def take_snapshot(host: str, logs: dict[str, Path], db: Path, notes: list[str]) -> Snapshot:
    at = datetime.now(UTC)
    copied = {name: (src, src.read_bytes()) for name, src in logs.items() if src.exists()}
    conn = sqlite3.connect(db, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        servers = [dict(r) for r in conn.execute("SELECT * FROM servers ORDER BY created_at")]
        services = [dict(r) for r in conn.execute("SELECT * FROM services ORDER BY id")]
    finally:
        conn.close()
    return Snapshot(at, host, copied, servers, services, notes)


def _zulu(stamp: object) -> str | None:
    if not stamp:
        return None
    return str(stamp)[:19] + "Z"


def _dumps(obj: object) -> bytes:
    return (json.dumps(obj, indent=2) + "\n").encode()


def server_row(s: dict[str, object]) -> dict[str, object]:
    return {
        "ID": s["id"],
        "Name": s["name"],
        "Status": s["status"],
        "Task State": s["task_state"],
        "Power State": s["power_state"],
        "Networks": {},
        "Image Name": s["image"],
        "Image ID": None,
        "Flavor": s["flavor"],
        "Availability Zone": "nova" if s["host"] else "",
        "Host": s["host"],
        "Properties": {},
        "Project ID": s["project_id"],
    }


def server_show(s: dict[str, object]) -> dict[str, object]:
    building = s["status"] == "BUILD"
    return {
        "OS-EXT-AZ:availability_zone": "nova" if s["host"] else "",
        "OS-EXT-SRV-ATTR:host": s["host"],
        "OS-EXT-SRV-ATTR:hypervisor_hostname": s["host"],
        "OS-EXT-STS:power_state": POWER_WORDS.get(int(str(s["power_state"] or 0)), "NOSTATE"),
        "OS-EXT-STS:task_state": s["task_state"],
        "OS-EXT-STS:vm_state": "building" if building else str(s["status"]).lower(),
        "OS-SRV-USG:launched_at": s["launched_at"],
        "addresses": {},
        "created": _zulu(s["created_at"]),
        "flavor": s["flavor"],
        "id": s["id"],
        "image": s["image"],
        "name": s["name"],
        "project_id": s["project_id"],
        "status": s["status"],
        "updated": _zulu(s["updated_at"]),
        "user_id": s["user_id"],
    }


def service_rows(services: list[dict[str, object]], at: datetime) -> list[dict[str, object]]:
    rows = []
    for s in services:
        updated = datetime.fromisoformat(str(s["updated_at"])).replace(tzinfo=UTC)
        rows.append(
            {
                "ID": s["id"],
                "Binary": s["binary"],
                "Host": s["host"],
                "Zone": "nova" if s["binary"] == "nova-compute" else "internal",
                "Status": "enabled",
                "State": "up" if at - updated <= SERVICE_DOWN_TIME else "down",
                "Updated At": s["updated_at"],
                "Disabled Reason": None,
                "Forced Down": False,
            }
        )
    return rows


def bundle_files(snap: Snapshot, started: datetime) -> dict[str, bytes]:
    """Every file of the bundle, redacted, with the manifest that describes them."""
    redactor = Redactor()
    files: dict[str, bytes] = {}
    sources: dict[str, str | None] = {}
    commands: dict[str, list[str] | None] = {}
    host_dir = f"hosts/{snap.host}"
    for name, (src, data) in sorted(snap.logs.items()):
        files[f"{host_dir}/{name}"] = data
        sources[f"{host_dir}/{name}"] = str(src)
        commands[f"{host_dir}/{name}"] = None
    files[f"{host_dir}/clock.json"] = _dumps(clock_info(snap.at))
    building = [s for s in snap.servers if s["status"] in ("BUILD", "ERROR")]
    newest_first = sorted(snap.servers, key=lambda s: str(s["created_at"]), reverse=True)
    pcdctl = ["pcdctl", "server", "list", "--all-projects", "--long", "-f", "json"]
    openstack = {
        "openstack/servers.json": (pcdctl, [server_row(s) for s in newest_first]),
        "openstack/servers-build.json": (
            [*pcdctl, "--status", "BUILD"],
            [server_row(s) for s in newest_first if s["status"] == "BUILD"],
        ),
        "openstack/servers-error.json": (
            [*pcdctl, "--status", "ERROR"],
            [server_row(s) for s in newest_first if s["status"] == "ERROR"],
        ),
        "openstack/compute-services.json": (
            ["pcdctl", "compute", "service", "list", "--long", "-f", "json"],
            service_rows(snap.services, snap.at),
        ),
    }
    for s in building:
        openstack[f"openstack/server-show/{s['id']}.json"] = (
            ["pcdctl", "server", "show", str(s["id"]), "-f", "json"],
            server_show(s),
        )
    for path, (argv, doc) in openstack.items():
        files[path] = _dumps(doc)
        commands[path] = argv
        sources[path] = None
    files = {path: redactor.redact(data) for path, data in files.items()}
    files["manifest.json"] = _manifest(snap, started, files, commands, sources, redactor)
    return files


def _manifest(
    snap: Snapshot,
    started: datetime,
    files: dict[str, bytes],
    commands: dict[str, list[str] | None],
    sources: dict[str, str | None],
    redactor: Redactor,
) -> bytes:
    clock = clock_info(snap.at)
    items = [
        {
            "path": path,
            "command": commands.get(path),
            "source": sources.get(path),
            "exit_code": 0 if commands.get(path) else None,
            "started_at": _iso(snap.at),
            "duration_s": 0.0,
            "timed_out": False,
            "error": None,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        for path, data in sorted(files.items())
    ]
    body = {
        "schema": "pcd-bundle/1.1",
        "collected_at": _iso(snap.at),
        "started_at": _iso(snap.at),
        "collector": {
            "name": "pcd-lab",
            "version": "1",
            "python": ".".join(str(v) for v in sys.version_info[:3]),
        },
        "deployment": "unknown",
        "region": "lab",
        "namespace": None,
        "host": {
            "name": snap.host,
            "utc_offset_s": clock["utc_offset_s"],
            "timezone": clock["timezone"],
            "host_id": None,
        },
        "since": _iso(started),
        "interrupted": False,
        "redaction": {"enabled": True, "rules": dict(redactor.counts)},
        "obfuscation": {"enabled": False, "mapping_file": None, "replaced": {}},
        "notes": snap.notes,
        "truncated": [],
        "items": items,
        "files": {
            p: {"bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for p, d in sorted(files.items())
        },
    }
    return _dumps(body)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_tgz(files: dict[str, bytes], out: Path, root: str, at: datetime) -> Path:
    """A gzip tar with every member under ``root/``, mtimes at ``at``; sorted members."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            info = tarfile.TarInfo(f"{root}/{path}")
            info.size = len(files[path])
            info.mtime = int(at.timestamp())
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(files[path]))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(raw.getvalue(), mtime=int(at.timestamp())))
    return out
