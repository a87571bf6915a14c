"""Run the failure lab: a real RabbitMQ, real oslo.messaging clients, one failure per case.

::

    python -m tests.lab.driver --python tests/lab/.venv/bin/python --out fixtures/lab
    python -m tests.lab.driver --python ... --out /tmp/lab --case memory-alarm --keep

For every case (``tests/lab/cases.py``) the driver starts a fresh RabbitMQ node on loopback
(``tests/lab/broker.py``), the three programs of ``tests/lab/programs/nova_lab.py`` in the
lab's virtualenv, waits for healthy traffic (VMs reaching ACTIVE), injects the failure,
waits until it reaches the logs, lets it run, takes a bundle, clears it if the case says
how, waits for the clients to recover (and, for a relapse, injects the fault again and
lets it run), takes another bundle, and stops everything it started. ``--out`` receives ``<bundle>.tgz`` per bundle and ``expected.json`` (the verdicts
the bundles must get, plus the versions and timings of this run). Every wait is bounded;
the run directory (broker data, program output) is kept with ``--keep`` for debugging.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.lab.broker import Broker, LabError, terminate
from tests.lab.bundle import bundle_files, take_snapshot, write_tgz
from tests.lab.cases import BROKER_LOG, CASES, Case

PROGRAM = Path(__file__).resolve().parent / "programs" / "nova_lab.py"
DEFAULT_PYTHON = Path(__file__).resolve().parent / ".venv" / "bin" / "python"
LOG_FILES = {
    "compute": "ostackhost.log",
    "conductor": "nova-conductor.log",
    "api": "nova-api.log",
}
RPC_RESPONSE_TIMEOUT_S = 10  # nova's default is 60; the texts are the same, the lab is quicker
READY_TIMEOUT_S = 60.0
SEEN_TIMEOUT_S = 60.0
SETTLE_S = 8.0  # after recovery shows, for the next successful calls and creates


@dataclass
class Lab:
    """One case's broker and programs, all in ``root``."""

    root: Path
    python: Path
    host: str = field(default_factory=socket.gethostname)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.broker = Broker(self.root / "rabbitmq")
        self.logs = self.root / "logs"
        self.db = self.root / "nova.sqlite"
        self.started = datetime.now(UTC)

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.broker.start()
        # One at a time, each once the one before consumes: a call published before the
        # conductor's queue exists is dropped and times out, which is a start-up race, not
        # the healthy control.
        self.start_program("conductor")
        self.wait_for(lambda: self.service_seen("nova-conductor"), READY_TIMEOUT_S, "conductor")
        self.start_program("compute")
        self.wait_for(lambda: self.service_seen("nova-compute"), READY_TIMEOUT_S, "compute")
        self.start_program("api")

    def start_program(self, role: str) -> None:
        conf = self.root / f"nova-{role}.conf"
        conf.write_text(
            "[DEFAULT]\n"
            f"transport_url = {self.broker.url}\n"
            f"rpc_response_timeout = {RPC_RESPONSE_TIMEOUT_S}\n"
            f"log_file = {self.logs / LOG_FILES[role]}\n"
            "use_stderr = false\n"
            "[lab]\n"
            f"host = {self.host}\n"
            f"db = {self.db}\n"
            "report_interval = 10\n"
            "resource_interval = 10\n"
            "create_interval = 4\n"
        )
        with open(self.root / f"{role}.out", "ab") as out:
            self.procs[role] = subprocess.Popen(
                [str(self.python), str(PROGRAM), role, "--config-file", str(conf)],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.root,
            )

    def kill(self, role: str) -> None:
        proc = self.procs[role]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop(self) -> None:
        for proc in self.procs.values():
            terminate(proc, timeout=10)
        self.broker.stop()

    def service_seen(self, binary: str) -> bool:
        import sqlite3

        if not self.db.exists():
            return False
        try:
            with sqlite3.connect(self.db, timeout=5) as conn:
                row = conn.execute("SELECT 1 FROM services WHERE binary = ?", (binary,)).fetchone()
        except sqlite3.Error:
            return False
        return row is not None

    def active_count(self) -> int:
        import sqlite3

        try:
            with sqlite3.connect(self.db, timeout=5) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM servers WHERE status = 'ACTIVE'"
                ).fetchone()
        except sqlite3.Error:
            return 0
        return int(row[0])

    def log_path(self, name: str) -> Path:
        return self.broker.log_file if name.startswith("rabbit") else self.logs / name

    def log_matches(self, name: str, pattern: str, after: int = 0) -> bool:
        path = self.log_path(name)
        if not path.exists():
            return False
        text = path.read_bytes()[after:].decode("utf-8", errors="replace")
        return re.search(pattern, text) is not None

    def log_size(self, name: str) -> int:
        path = self.log_path(name)
        return path.stat().st_size if path.exists() else 0

    def wait_for(self, check: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            for role, proc in self.procs.items():
                if proc.poll() is not None and role != "conductor":
                    raise LabError(f"{role} exited ({proc.returncode}); see {self.root}")
            time.sleep(0.25)
        raise LabError(f"{what}: not seen within {timeout:.0f} s; see {self.root}")

    def wait_log(self, seen: tuple[str, str], after: int) -> None:
        name, pattern = seen
        self.wait_for(lambda: self.log_matches(name, pattern, after), SEEN_TIMEOUT_S, pattern)

    def disk_free_bytes(self) -> int:
        return shutil.disk_usage(self.broker.root).free

    def snapshot_bundle(self, name: str, out: Path, notes: list[str]) -> datetime:
        """Write ``out/<name>.tgz`` from the sources as they are now; the collection time."""
        logs = {LOG_FILES[role]: self.logs / LOG_FILES[role] for role in LOG_FILES}
        logs[self.broker.log_file.name] = self.broker.log_file
        snap = take_snapshot(self.host, logs, self.db, notes)
        files = bundle_files(snap, self.started)
        stamp = snap.at.strftime("%Y%m%dT%H%M%SZ")
        write_tgz(files, out / f"{name}.tgz", f"pcd-bundle-lab-{name}-{stamp}", snap.at)
        return snap.at


def run_case(case: Case, python: Path, out: Path, work: Path) -> dict[str, Any]:
    """Run one case; the timeline of what happened when (UTC), for expected.json."""
    lab = Lab(work / case.name, python)
    timeline: dict[str, str] = {}

    def mark(event: str, at: datetime | None = None) -> None:
        timeline[event] = (at or datetime.now(UTC)).isoformat(timespec="milliseconds")

    notes = [
        "pcd-lab: a RabbitMQ node and oslo.messaging programs (nova-conductor, nova-compute, "
        "nova-api) on one machine, no Kubernetes; failure injected: " + case.summary
    ]
    try:
        lab.start()
        mark("started")
        lab.wait_for(lambda: lab.active_count() >= 2, READY_TIMEOUT_S, "two ACTIVE VMs")
        mark("healthy")
        if case.inject is not None:
            if case.before is not None:
                lab.wait_log(case.before, lab.log_size(case.before[0]))
            sizes = {
                name: lab.log_size(name) for name in ("ostackhost.log", "rabbit@localhost.log")
            }
            case.inject(lab)
            mark("injected")
            if case.seen is not None:
                lab.wait_log(case.seen, sizes.get(case.seen[0], 0))
                mark("seen")
        time.sleep(case.hold_s)
        mark("collected", lab.snapshot_bundle(case.name, out, notes))
        if case.clear is not None and case.recovered is not None:
            sizes = {
                name: lab.log_size(name) for name in ("ostackhost.log", "rabbit@localhost.log")
            }
            case.clear(lab)
            mark("cleared")
            if case.cleared is not None:
                lab.wait_log(case.cleared, sizes.get(case.cleared[0], 0))
            lab.wait_for(
                lambda: lab.log_matches(
                    "ostackhost.log", r"Took \d", sizes.get("ostackhost.log", 0)
                ),
                READY_TIMEOUT_S,
                "a build after recovery",
            )
            mark("recovered")
            time.sleep(SETTLE_S)
            said = [*notes, "cleared"]
            if case.relapse is not None:
                sizes = {name: lab.log_size(name) for name in (BROKER_LOG,)}
                case.relapse(lab)
                mark("relapsed")
                if case.relapse_seen is not None:
                    lab.wait_log(case.relapse_seen, sizes.get(case.relapse_seen[0], 0))
                    mark("relapse_seen")
                time.sleep(case.hold_s)
                said.append("injected again")
            at = lab.snapshot_bundle(case.after_name, out, said)
            mark(case.after_key, at)
    finally:
        lab.stop()
    return timeline


def versions(python: Path) -> dict[str, str]:
    """RabbitMQ, Erlang and oslo.* versions of this run."""
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m, json; print(json.dumps({p: m.version(p) for p in "
            "('oslo.messaging', 'oslo.log', 'kombu', 'amqp')}))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found: dict[str, str] = json.loads(probe.stdout)
    dpkg = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "rabbitmq-server"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    found["rabbitmq-server (deb)"] = dpkg.stdout.strip() or "unknown"
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.lab.driver", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="where bundles go")
    parser.add_argument("--python", type=Path, default=DEFAULT_PYTHON, help="lab venv python")
    parser.add_argument("--case", action="append", help="run only these cases")
    parser.add_argument("--jobs", type=int, default=3, help="cases run at the same time")
    parser.add_argument("--keep", action="store_true", help="keep the run directory")
    args = parser.parse_args(argv)
    args.python = Path(os.path.abspath(args.python))  # not resolve(): a venv python is a link
    chosen = [c for c in CASES if not args.case or c.name in args.case]
    if not chosen:
        print(f"Error: no such case: {', '.join(args.case)}", file=sys.stderr)
        return 2
    if not args.python.exists():
        print(f"Error: {args.python} not found (tests/lab/run_lab.sh makes it)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pcd-lab-"))
    began = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {
                c.name: pool.submit(run_case, c, args.python, args.out, work) for c in chosen
            }
            timelines = {name: f.result() for name, f in futures.items()}
        info = versions(args.python)
    except (LabError, OSError, subprocess.SubprocessError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"run directory kept: {work}", file=sys.stderr)
    expected = {
        "lab": {
            "versions": info,
            "rpc_response_timeout_s": RPC_RESPONSE_TIMEOUT_S,
            "host": socket.gethostname(),
            "duration_s": round(time.monotonic() - began, 1),
            "timelines": timelines,
        },
        "bundles": {},
    }
    for case in chosen:
        expected["bundles"][case.name] = case.expect.to_dict()
        if case.recovered is not None:
            expected["bundles"][case.after_name] = case.recovered.to_dict()
    path = args.out / "expected.json"
    if args.case and path.exists():  # a partial run keeps the other cases' entries
        old = json.loads(path.read_text())
        old["bundles"].update(expected["bundles"])
        old_lab = old.get("lab", {})
        old_lab.setdefault("timelines", {}).update(timelines)
        old_lab.update({k: v for k, v in expected["lab"].items() if k != "timelines"})
        expected = {"lab": old_lab, "bundles": old["bundles"]}
    path.write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")
    print(f"lab: {len(chosen)} cases in {expected['lab']['duration_s']} s -> {args.out}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
