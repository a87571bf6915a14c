"""A private RabbitMQ node on loopback, started and stopped by the lab itself.

Debian's ``rabbitmq-server`` is used as installed, never as the system service: the node
gets its own name, ports, Mnesia and log directories under the run directory, its own
Erlang cookie (``HOME``) and its own ``epmd`` on a private loopback port, so nothing is
shared with a broker the machine may already run and everything the lab starts it also
stops, by process id. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

RABBIT_BIN = Path(os.environ.get("PCD_LAB_RABBIT_BIN", "/usr/lib/rabbitmq/bin"))
NODE = "rabbit@localhost"
USER = "nova"
BOOT_TIMEOUT_S = 90.0
CTL_TIMEOUT_S = 60.0


class LabError(RuntimeError):
    """The lab could not set up or drive its broker or programs."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def available() -> str | None:
    """Why the lab cannot run here, or None when the broker programs are installed."""
    for name in ("rabbitmq-server", "rabbitmqctl"):
        if not (RABBIT_BIN / name).exists():
            return f"{RABBIT_BIN / name} not found (apt-get install rabbitmq-server)"
    return None


def terminate(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """End one process the lab started: SIGTERM, then SIGKILL after ``timeout``."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@dataclass
class Broker:
    """One RabbitMQ node in ``root``; ``password`` is the ``nova`` user's current one."""

    root: Path
    password: str = "lab-secret-1"
    port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)
    epmd_port: int = field(default_factory=free_port)
    server: subprocess.Popen[bytes] | None = None
    epmd: subprocess.Popen[bytes] | None = None

    @property
    def log_dir(self) -> Path:
        return self.root / "log"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{NODE}.log"

    @property
    def url(self) -> str:
        return f"rabbit://{USER}:{self.password}@127.0.0.1:{self.port}/"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update(
            HOME=str(self.root / "home"),
            RABBITMQ_NODENAME=NODE,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.root / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.log_dir),
            RABBITMQ_CONFIG_FILE=str(self.root / "rabbitmq.conf"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.root / "enabled_plugins"),
            RABBITMQ_PID_FILE=str(self.root / "rabbitmq.pid"),
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
            RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
            ERL_EPMD_PORT=str(self.epmd_port),
            ERL_EPMD_ADDRESS="127.0.0.1",
        )
        return env

    def start(self) -> None:
        for sub in ("home", "mnesia", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            "loopback_users = none\n"
            f"default_user = {USER}\n"
            f"default_pass = {self.password}\n"
            "log.file.level = info\n"
            "log.console = false\n"
        )
        (self.root / "enabled_plugins").write_text("[].\n")
        self.epmd = subprocess.Popen(
            ["epmd", "-address", "127.0.0.1", "-port", str(self.epmd_port)],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(self.root / "server.out", "wb") as out:
            self.server = subprocess.Popen(
                [str(RABBIT_BIN / "rabbitmq-server")],
                env=self.env(),
                cwd=self.root,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.ctl(
            "wait",
            "--timeout",
            str(int(BOOT_TIMEOUT_S)),
            str(self.root / "rabbitmq.pid"),
            timeout=BOOT_TIMEOUT_S + 10,
        )

    def ctl(self, *args: str, timeout: float = CTL_TIMEOUT_S) -> str:
        """Run ``rabbitmqctl`` against this node; its output, or LabError."""
        try:
            done = subprocess.run(
                [str(RABBIT_BIN / "rabbitmqctl"), "--node", NODE, *args],
                env=self.env(),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise LabError(f"rabbitmqctl {' '.join(args)}: no answer in {timeout:.0f} s") from exc
        if done.returncode != 0:
            raise LabError(f"rabbitmqctl {' '.join(args)}: {done.stderr.strip() or done.stdout}")
        return done.stdout

    def version(self) -> str:
        out = self.ctl("version")
        return out.strip().splitlines()[-1] if out.strip() else "unknown"

    def stop(self) -> None:
        """Stop the node and the epmd the lab started; bounded, by process id only."""
        if self.server is not None and self.server.poll() is None:
            with contextlib.suppress(LabError):  # the wait below ends it either way
                self.ctl("stop", timeout=30)
            deadline = time.monotonic() + 30
            while self.server.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            if self.server.poll() is None:
                # the wrapper script and the Erlang VM share the session the lab gave them
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(10)
        if self.epmd is not None:
            terminate(self.epmd)
