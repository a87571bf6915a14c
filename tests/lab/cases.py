"""The failures the lab injects, and what the analyzer should conclude from each.

Each case runs on a fresh broker and fresh programs: healthy traffic first, then the
injection, then (for the failures that have one) the clearing. A bundle is taken while
the failure is on (``<case>``) and, where the case clears it, another once the clients
have recovered (``<case>-recovered``). ``expected`` is what the logs show a person who
knows the software: the class and sub-cause, and the client and broker lines that prove
it (regular expressions over the evidence text of the analyzer's findings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.lab.driver import Lab

CLIENT_LOG = "ostackhost.log"
BROKER_LOG = "rabbit@localhost.log"
CONDUCTOR_LOG = "nova-conductor.log"


@dataclass(frozen=True)
class Expect:
    """The verdict of one bundle; ``client``/``broker``: evidence text patterns."""

    cls: str
    subcause: str | None = None
    client: str | None = None
    broker: str | None = None
    history: str | None = None  # a finding that matched but is over

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "subcause": self.subcause,
            "client_evidence": self.client,
            "broker_evidence": self.broker,
            "history": self.history,
        }


@dataclass(frozen=True)
class Case:
    name: str
    summary: str
    expect: Expect
    inject: Callable[[Lab], None] | None = None
    before: tuple[str, str] | None = None  # (log, regex): wait for this, then inject
    seen: tuple[str, str] | None = None  # (log, regex): the injection has reached the logs
    clear: Callable[[Lab], None] | None = None
    cleared: tuple[str, str] | None = None  # (log, regex): the clients have recovered
    recovered: Expect | None = None  # the second bundle's verdict
    hold_s: float = 15.0  # after ``seen``: long enough for one more RPC timeout
    after: str | None = None  # the second bundle's name; ``<name>-recovered`` by default
    # after the recovery: the same fault injected again, and when it has reached the logs
    relapse: Callable[[Lab], None] | None = None
    relapse_seen: tuple[str, str] | None = None

    @property
    def after_name(self) -> str:
        return self.after or f"{self.name}-recovered"

    @property
    def after_key(self) -> str:
        """The second bundle's collection time in the run's timeline (``expected.json``)."""
        return "collected_recovered" if self.after is None else f"collected_{self.after}"


def _stop_app(lab: Lab) -> None:
    lab.broker.ctl("stop_app")


def _start_app(lab: Lab) -> None:
    lab.broker.ctl("start_app")


def _memory_alarm(lab: Lab) -> None:
    lab.broker.ctl("set_vm_memory_high_watermark", "absolute", "10MB")


def _memory_clear(lab: Lab) -> None:
    lab.broker.ctl("set_vm_memory_high_watermark", "0.4")


def _disk_alarm(lab: Lab) -> None:
    free = lab.disk_free_bytes()
    lab.broker.ctl("set_disk_free_limit", str(free + 10 * 1024**3))


def _disk_clear(lab: Lab) -> None:
    lab.broker.ctl("set_disk_free_limit", "50MB")


def _change_password(lab: Lab) -> None:
    lab.broker.ctl("change_password", "nova", "lab-secret-2")
    lab.broker.ctl("close_all_connections", "password rotated by the lab")


def _restore_password(lab: Lab) -> None:
    # the credential the clients were configured with (their transport_url)
    lab.broker.ctl("change_password", "nova", lab.broker.password)


def _kill_conductor(lab: Lab) -> None:
    lab.kill("conductor")


UNREACHABLE = r"AMQP server on 127\.0\.0\.1:\d+ is unreachable"
MEMORY_ALARM_SET = r"memory resource limit alarm set"
MEMORY_ALARM_CLEARED = r"memory resource limit alarm cleared"

MEMORY_ALARM = Expect(
    "messaging_layer_failure",
    "broker_memory_alarm",
    client=r"The broker has blocked the connection",
    broker=MEMORY_ALARM_SET,
)
AUTH_FAILURE = Expect(
    "messaging_layer_failure",
    "broker_auth_failure",
    client=r"ACCESS_REFUSED",
    # the record's first line; its second says "AMQPLAIN login refused: user 'nova'
    # - invalid credentials"
    broker=r"login refused|invalid credentials|Error on AMQP connection .*starting",
)
RECONNECTED = r"Reconnected to AMQP server on 127\.0\.0\.1:\d+"

CASES: tuple[Case, ...] = (
    Case(
        "healthy",
        "healthy traffic only: the control",
        Expect("no_failure_found"),
    ),
    Case(
        "broker-stopped",
        "rabbitmqctl stop_app, then start_app",
        Expect(
            "messaging_layer_failure",
            "broker_unreachable",
            client=UNREACHABLE,
            broker=r"Stopping RabbitMQ applications|RabbitMQ is asked to stop|stopped",
        ),
        inject=_stop_app,
        # while the conductor is inside a call from the compute: the reply is lost and the
        # caller times out, as a call in flight does when its broker goes away
        before=(CONDUCTOR_LOG, r"Updating compute node record"),
        seen=(CLIENT_LOG, UNREACHABLE),
        clear=_start_app,
        cleared=(CLIENT_LOG, RECONNECTED),
        recovered=Expect("no_failure_found", history="broker_unreachable"),
    ),
    Case(
        "memory-alarm",
        "set_vm_memory_high_watermark absolute 10MB, then 0.4",
        MEMORY_ALARM,
        inject=_memory_alarm,
        seen=(BROKER_LOG, MEMORY_ALARM_SET),
        clear=_memory_clear,
        cleared=(BROKER_LOG, MEMORY_ALARM_CLEARED),
        recovered=Expect("no_failure_found", history="broker_memory_alarm"),
    ),
    Case(
        "disk-alarm",
        "set_disk_free_limit above the free space, then 50MB",
        Expect(
            "messaging_layer_failure",
            "broker_disk_alarm",
            client=r"The broker has blocked the connection",
            broker=r"disk resource limit alarm set|Free disk space is insufficient",
        ),
        inject=_disk_alarm,
        seen=(BROKER_LOG, r"disk resource limit alarm set"),
        clear=_disk_clear,
        cleared=(BROKER_LOG, r"disk resource limit alarm cleared"),
        recovered=Expect("no_failure_found", history="broker_disk_alarm"),
    ),
    Case(
        "auth-failure",
        "the nova user's password changed under the clients, their connections closed",
        AUTH_FAILURE,
        inject=_change_password,
        seen=(BROKER_LOG, r"invalid credentials"),
        # oslo.messaging retries a refused login without pause: thousands of traceback
        # lines a second on the client. A short hold keeps the recorded bundle small.
        hold_s=2.0,
    ),
    Case(
        "consumer-missing",
        "the conductor process killed (SIGKILL), broker healthy",
        Expect(
            "messaging_layer_failure",
            "rpc_timeout",
            client=r"MessagingTimeout|Timed out waiting for a reply",
            broker=r"closing AMQP connection|unexpectedly closed",
        ),
        inject=_kill_conductor,
        seen=(CLIENT_LOG, r"MessagingTimeout"),
    ),
    Case(
        "auth-failure-2",
        "as auth-failure, then the password set back to the clients' credential",
        AUTH_FAILURE,
        inject=_change_password,
        seen=(BROKER_LOG, r"invalid credentials"),
        hold_s=2.0,
        clear=_restore_password,
        # a consumer whose login was refused logs nothing when a later one succeeds (no
        # "Reconnected" line): the broker's side shows a client back in
        cleared=(BROKER_LOG, r"user 'nova' authenticated and granted access"),
        recovered=Expect("no_failure_found", history="broker_auth_failure"),
        after="auth-failure-fixed",
    ),
    Case(
        "memory-alarm-2",
        "as memory-alarm, then 0.4, clients unblocked, then absolute 10MB again",
        MEMORY_ALARM,
        inject=_memory_alarm,
        seen=(BROKER_LOG, MEMORY_ALARM_SET),
        clear=_memory_clear,
        cleared=(BROKER_LOG, MEMORY_ALARM_CLEARED),
        # the runbook's "crashes again immediately": the fault is back after the fix held
        relapse=_memory_alarm,
        relapse_seen=(BROKER_LOG, MEMORY_ALARM_SET),
        recovered=MEMORY_ALARM,
        after="memory-alarm-relapse",
    ),
)


def collected_keys() -> dict[str, tuple[str, str]]:
    """Bundle name -> (its case, the key of its collection time in the case's timeline)."""
    out = {}
    for case in CASES:
        out[case.name] = (case.name, "collected")
        if case.recovered is not None:
            out[case.after_name] = (case.name, case.after_key)
    return out


def bundles() -> list[tuple[str, Expect]]:
    """Every bundle the lab records, by name, with its expected verdict."""
    out: list[tuple[str, Expect]] = []
    for case in CASES:
        out.append((case.name, case.expect))
        if case.recovered is not None:
            out.append((case.after_name, case.recovered))
    return out
