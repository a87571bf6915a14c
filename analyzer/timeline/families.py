"""Message families: what a log line means for the incident, as one short slug.

The merged timeline tags every record with a family so that the skew estimate, the
incident window and the per-VM stories can ask "when did clients lose the broker" without
repeating regexes. Patterns follow the texts the real services print; they are
RE2-compatible and avoid ``\\s``, ``\\S`` and ``\\b``, for which pandas falls back to
Python's ``re`` (ten times slower). The first family that matches wins, so narrower
patterns come before broader ones (``Reconnected`` before anything mentioning AMQP).

Each family has a *role* in the incident:

- ``fault``: a messaging-layer failure as a client or the broker sees it;
- ``recovery``: the end of the fault that ``RECOVERS`` pairs it with;
- ``create`` / ``schedule`` / ``build`` / ``build_ok`` / ``build_fail``: a VM's life;
- ``action``: something an operator did (a restart, a reset or delete);
- ``other``: tagged for reading, not used by the incident logic.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.patterns import searched

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Family:
    name: str
    role: str
    pattern: str
    # read per VM (restored from a folded log's index), per request and as "the first
    # after a time": one line per VM built, sampled in a busy log (analyzer.patterns)
    sampled: bool = False


FAMILIES: tuple[Family, ...] = (
    # --- messaging layer, client side
    Family("amqp_reconnected", "recovery", r"Reconnected to AMQP server"),
    Family(
        "amqp_unreachable",
        "fault",
        r"AMQP server on [^ ]+ is unreachable|Unable to connect to AMQP server"
        r"|Connection failed: .*retrying|recoverable connection/channel error"
        r"|AMQP server [^ ]+ closed the connection|Failed to publish message",
    ),
    Family("broker_unblocked", "recovery", r"broker has unblocked the connection"),
    Family("broker_blocked", "fault", r"broker has blocked the connection"),
    Family("conductor_recovered", "recovery", r"Recovered from being unable to report status"),
    Family("lost_conductor", "fault", r"Lost connection to nova-conductor"),
    Family(
        "messaging_timeout",
        "fault",
        r"MessagingTimeout|Timed out waiting for a reply|Timed out waiting for nova-conductor",
    ),
    # --- messaging layer, broker side
    Family(
        "alarm_cleared",
        "recovery",
        r"resource limit alarm cleared|vm_memory_high_watermark clear|limit alarm cleared",
    ),
    Family(
        "alarm_set",
        "fault",
        r"resource limit alarm set|vm_memory_high_watermark set\.|descriptor limit alarm set"
        r"|Free disk space is insufficient",
    ),
    Family(
        "broker_auth",
        "fault",
        r"login refused|ACCESS_REFUSED|access to vhost '[^']*' refused",
    ),
    Family(
        "broker_down",
        "fault",
        r"RabbitMQ is asked to stop|rabbit on node [^ ]+ down|node [^ ]+ down:|BOOT FAILED"
        r"|Kernel pid terminated|eheap_alloc: Cannot allocate|Partial partition detected"
        r"|inconsistent_database",
    ),
    # the broker closing its clients' connections itself (a stop, close_all_connections, a
    # vhost going down); not "closing AMQP connection", which is also every client's own close
    Family(
        "broker_closed_connections",
        "other",
        r"Closing all connections in vhost|Closing connection <[^>]*> because"
        r"|caused a connection exception connection_forced",
    ),
    Family("broker_started", "recovery", r"Server startup complete"),
    # rabbitmqctl change_password, as RabbitMQ 3.10 logs it: the fix of a login refused
    Family("broker_password_changed", "action", r"Successfully changed password for user"),
    Family("missed_heartbeats", "other", r"missed heartbeats from client"),
    # --- a VM's life
    Family("create_request", "create", r"\"POST /v2(?:\.1)?/servers\" status: 20\d"),
    Family("vm_action", "action", r"\"POST /v2(?:\.1)?/servers/" + UUID + r"/action\""),
    Family("vm_delete", "action", r"\"DELETE /v2(?:\.1)?/servers/" + UUID + r"\""),
    Family("schedule_start", "schedule", r"Starting to schedule for instances"),
    Family(
        "no_valid_host",
        "build_fail",
        r"No valid host was found|Got no allocation candidates|Filtering removed all hosts"
        r"|returned 0 hosts",
    ),
    Family("host_selected", "schedule", r"Selected host: "),
    Family("claim", "build", r"Claim successful"),
    Family("build_ok", "build_ok", r"Took [0-9.]+ seconds to build instance", sampled=True),
    Family(
        "build_fail",
        "build_fail",
        r"Instance failed to spawn|Failed to build and run instance|Build of instance [^ ]+ "
        r"(?:aborted|was re-scheduled)|Exceeded maximum number of retries"
        r"|Setting instance to ERROR state",
    ),
    Family(
        "libvirt_error",
        "other",
        r"libvirtError|Connection to libvirt lost|Failed to start libvirt guest",
    ),
    # --- operators and services
    Family("service_stop", "action", r"Caught SIGTERM"),
    Family("service_start", "action", r"Starting [^ ]+ node \(version"),
    Family("service_down_seen", "other", r"is down|has not been heard from in a while"),
)

BY_NAME: dict[str, Family] = {f.name: f for f in FAMILIES}
for _family in FAMILIES:
    searched(_family.pattern, sampled=_family.sampled)

RECOVERS: dict[str, str] = {
    "amqp_unreachable": "amqp_reconnected",
    "broker_blocked": "broker_unblocked",
    "lost_conductor": "conductor_recovered",
    "alarm_set": "alarm_cleared",
    "broker_down": "broker_started",
    "broker_oom_killed": "broker_started",
}
"""Fault family -> the family that ends it on the same source."""

# Families of rows that do not come from log lines (servers, pods, Kubernetes events).
NON_LOG_ROLES: dict[str, str] = {
    "vm_created": "create",
    "vm_launched": "build_ok",
    "vm_fault": "build_fail",
    "pod_started": "recovery",
    "pod_terminated": "other",
    "broker_oom_killed": "fault",
    "broker_pod_started": "recovery",
    "pod_killed": "action",
    "k8s_warning": "other",
    "k8s_event": "other",
    "service_last_report": "other",
}


def role_of(family: str | None) -> str:
    if family is None:
        return "other"
    if family in BY_NAME:
        return BY_NAME[family].role
    return NON_LOG_ROLES.get(family, "other")
