"""A miniature nova on real oslo.messaging and oslo.log, for the failure lab.

Runs in the lab's own virtualenv (oslo.messaging, oslo.log), never in the analyzer's.
One program, three roles, each a separate process reading a nova-style config file::

    python nova_lab.py conductor --config-file RUN/nova-conductor.conf
    python nova_lab.py compute   --config-file RUN/nova-compute.conf
    python nova_lab.py api       --config-file RUN/nova-api.conf

- ``conductor`` is an RPC server on topic ``conductor``: it answers the compute's calls
  (service reports, instance updates, resource updates) and turns the API's
  ``build_instances`` cast into a ``build_and_run_instance`` cast to the compute.
- ``compute`` (nova-compute, whose log is ``ostackhost.log`` on a PCD hypervisor) is an RPC
  server on topic ``compute`` and a client of the conductor: it reports its state every
  ``report_interval`` seconds and updates its resources every ``resource_interval``
  seconds, the two periodic calls nova-compute makes, and builds what it is told to.
- ``api`` creates one server every ``create_interval`` seconds: a BUILD/scheduling row in
  the lab database, then the cast to the conductor.

What reaches the logs about the broker is written by oslo.messaging itself; the few lines
this program writes repeat nova's own wording for the same events (its service group and
resource tracker), so the client side of every failure looks as it does under nova. The
state a ``server list`` and a ``compute service list`` would show lives in a SQLite file
(the role nova's database plays): the lab renders the bundle's ``openstack/`` files from it.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import oslo_messaging as messaging
from oslo_config import cfg
from oslo_context import context as oslo_context
from oslo_log import log as logging

CONF = cfg.CONF
LAB_OPTS = [
    cfg.StrOpt("host", help="Host name the services register under."),
    cfg.StrOpt("db", help="SQLite file shared by the roles (nova's database)."),
    cfg.FloatOpt("report_interval", default=10.0),
    cfg.FloatOpt("resource_interval", default=15.0),
    cfg.FloatOpt("create_interval", default=4.0),
    cfg.FloatOpt("spawn_seconds", default=1.0),
    cfg.FloatOpt("call_seconds", default=2.0, help="Time the conductor takes per resource update."),
]
CONF.register_opts(LAB_OPTS, group="lab")

SCHEMA = """
CREATE TABLE IF NOT EXISTS servers (
    id TEXT PRIMARY KEY, name TEXT, status TEXT, task_state TEXT, power_state INTEGER,
    host TEXT, image TEXT, flavor TEXT, project_id TEXT, user_id TEXT,
    created_at TEXT, updated_at TEXT, launched_at TEXT);
CREATE TABLE IF NOT EXISTS services (
    id INTEGER PRIMARY KEY AUTOINCREMENT, binary TEXT, host TEXT, topic TEXT,
    updated_at TEXT, UNIQUE (binary, host));
"""


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def db() -> sqlite3.Connection:
    conn = sqlite3.connect(CONF.lab.db, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA)
    return conn


def service_seen(binary: str, host: str, topic: str) -> None:
    with db() as conn:
        conn.execute(
            "INSERT INTO services (binary, host, topic, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (binary, host) DO UPDATE SET updated_at = excluded.updated_at",
            (binary, host, topic, now()),
        )


def update_server(server_id: str, **fields: object) -> None:
    fields["updated_at"] = now()
    names = ", ".join(f"{k} = ?" for k in fields)
    with db() as conn:
        conn.execute(f"UPDATE servers SET {names} WHERE id = ?", (*fields.values(), server_id))


def request_context(ctxt: dict[str, object] | None = None) -> oslo_context.RequestContext:
    """A request context made current for this thread, so oslo.log prints its ids."""
    if ctxt:
        return oslo_context.RequestContext.from_dict(ctxt)
    return oslo_context.RequestContext(user_id="admin", project_id="admin", overwrite=True)


# -- nova-conductor ---------------------------------------------------------------------


class ConductorEndpoint:
    target = messaging.Target(namespace=None, version="1.0")

    def __init__(self, transport: messaging.Transport) -> None:
        self.compute = messaging.get_rpc_client(transport, messaging.Target(topic="compute"))
        self.log = logging.getLogger("nova.conductor.manager")

    def service_update(self, ctxt: dict[str, object], binary: str, host: str) -> bool:
        service_seen(binary, host, binary.removeprefix("nova-"))
        return True

    def compute_node_update(self, ctxt: dict[str, object], host: str, free_ram_mb: int) -> bool:
        # The lab announces the call and takes a moment over it, so a failure can be
        # injected while a call is in flight (its reply then has no broker to go through).
        self.log.info("Updating compute node record of %s", host)
        time.sleep(CONF.lab.call_seconds)
        return True

    def instance_update(self, ctxt: dict[str, object], server_id: str, updates: dict) -> bool:
        update_server(server_id, **updates)
        return True

    def build_instances(self, ctxt: dict[str, object], server_ids: list[str]) -> None:
        context = request_context(ctxt)
        with db() as conn:
            rows = conn.execute(
                "SELECT host FROM services WHERE binary = 'nova-compute' ORDER BY id"
            ).fetchall()
        if not rows:
            self.log.error("No valid host was found. There are not enough hosts available.")
            return
        host = rows[0][0]
        for server_id in server_ids:
            update_server(server_id, host=host)
            self.log.info("Selected host %s for instance %s", host, server_id)
            self.compute.prepare(server=host).cast(
                context.to_dict(), "build_and_run_instance", server_id=server_id
            )


def run_conductor() -> None:
    transport = messaging.get_rpc_transport(CONF)
    target = messaging.Target(topic="conductor", server=CONF.lab.host)
    server = messaging.get_rpc_server(
        transport, target, [ConductorEndpoint(transport)], executor="threading"
    )
    server.start()
    while True:  # nova-conductor writes its own service record straight to the database
        service_seen("nova-conductor", CONF.lab.host, "conductor")
        time.sleep(CONF.lab.report_interval)


# -- nova-compute -----------------------------------------------------------------------


class ComputeEndpoint:
    target = messaging.Target(version="1.0")

    def __init__(self, conductor: messaging.RPCClient) -> None:
        self.conductor = conductor
        self.log = logging.getLogger("nova.compute.manager")

    def build_and_run_instance(self, ctxt: dict[str, object], server_id: str) -> None:
        context = request_context(ctxt)
        started = time.monotonic()
        try:
            self.conductor.call(
                context.to_dict(),
                "instance_update",
                server_id=server_id,
                updates={"task_state": "spawning"},
            )
            time.sleep(CONF.lab.spawn_seconds)
            self.conductor.call(
                context.to_dict(),
                "instance_update",
                server_id=server_id,
                updates={
                    "status": "ACTIVE",
                    "task_state": None,
                    "power_state": 1,
                    "launched_at": now(),
                },
            )
        except Exception:
            self.log.exception("Failed to build and run instance", instance_uuid=server_id)
            return
        self.log.info(
            "Took %0.2f seconds to build instance.",
            time.monotonic() - started,
            instance_uuid=server_id,
        )


class Compute:
    """nova-compute's two periodic calls to the conductor, with nova's log lines."""

    def __init__(self, conductor: messaging.RPCClient) -> None:
        self.conductor = conductor
        self.model_disconnected = False
        self.servicegroup_log = logging.getLogger("nova.servicegroup.drivers.db")
        self.manager_log = logging.getLogger("nova.compute.manager")

    def report_state(self) -> None:
        # nova/servicegroup/drivers/db.py: one warning when reports start timing out,
        # one error when they recover.
        try:
            self.conductor.call({}, "service_update", binary="nova-compute", host=CONF.lab.host)
        except messaging.MessagingTimeout:
            if not self.model_disconnected:
                self.model_disconnected = True
                self.servicegroup_log.warning(
                    "Lost connection to nova-conductor for reporting service status."
                )
        except Exception:  # noqa: BLE001 - nova's service group catches everything here too
            self.servicegroup_log.exception("Unexpected error while reporting service status")
        else:
            if self.model_disconnected:
                self.model_disconnected = False
                self.servicegroup_log.error("Recovered from being unable to report status.")

    def update_available_resource(self) -> None:
        # nova/compute/manager.py update_available_resource_for_node
        try:
            self.conductor.call(
                request_context().to_dict(),
                "compute_node_update",
                host=CONF.lab.host,
                free_ram_mb=2048,
            )
        except Exception:  # noqa: BLE001 - as nova's update_available_resource_for_node
            self.manager_log.exception("Error updating resources for node %s.", CONF.lab.host)


def every(interval: float, task: Callable[[], None]) -> threading.Thread:
    def loop() -> None:
        while True:
            started = time.monotonic()
            task()
            time.sleep(max(0.0, interval - (time.monotonic() - started)))

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def run_compute() -> None:
    transport = messaging.get_rpc_transport(CONF)
    conductor = messaging.get_rpc_client(transport, messaging.Target(topic="conductor"))
    target = messaging.Target(topic="compute", server=CONF.lab.host)
    server = messaging.get_rpc_server(
        transport, target, [ComputeEndpoint(conductor)], executor="threading"
    )
    server.start()
    compute = Compute(conductor)
    every(CONF.lab.report_interval, compute.report_state)
    every(CONF.lab.resource_interval, compute.update_available_resource)
    while True:
        time.sleep(3600)


# -- nova-api ---------------------------------------------------------------------------


def run_api() -> None:
    transport = messaging.get_rpc_transport(CONF)
    conductor = messaging.get_rpc_client(transport, messaging.Target(topic="conductor"))
    log = logging.getLogger("nova.api.openstack.compute.servers")
    number = 0
    while True:
        number += 1
        context = request_context()
        server_id = str(uuid.uuid4())
        stamp = now()
        with db() as conn:
            conn.execute(
                "INSERT INTO servers (id, name, status, task_state, power_state, host, image,"
                " flavor, project_id, user_id, created_at, updated_at)"
                " VALUES (?, ?, 'BUILD', 'scheduling', 0, NULL, 'cirros', 'm1.tiny', ?, ?, ?, ?)",
                (server_id, f"lab-vm-{number:03d}", "admin", "admin", stamp, stamp),
            )
        log.info("Create server lab-vm-%03d", number, instance_uuid=server_id)
        try:
            conductor.cast(context.to_dict(), "build_instances", server_ids=[server_id])
        except Exception:
            log.exception("Failed to cast build_instances", instance_uuid=server_id)
        time.sleep(CONF.lab.create_interval)


ROLES = {"conductor": run_conductor, "compute": run_compute, "api": run_api}


def main() -> None:
    role = sys.argv[1]
    logging.register_options(CONF)
    CONF(sys.argv[2:], project="nova", prog=f"nova-{role}")
    logging.setup(CONF, "nova")
    db().close()
    ROLES[role]()


if __name__ == "__main__":
    main()
