"""The diagnosis rules, in the order the report lists their findings."""

from analyzer.rules import (
    broker_auth_failure,
    broker_disk_alarm,
    broker_memory_alarm,
    broker_partition,
    broker_pod_crashloop,
    broker_pod_error,
    broker_pod_oomkilled,
    broker_pod_pending,
    broker_unreachable,
    compute_service_down,
    control_plane_down,
    existing_vms_affected,
    filters_hosts_down,
    libvirt_error,
    missed_heartbeats,
    no_valid_host,
    placement_no_candidates,
    reschedules_exhausted,
    rpc_timeout,
    spawn_failure,
    stuck_in_build,
    wedged_compute_host,
)
from analyzer.rules.base import Rule

RULES: tuple[Rule, ...] = (
    stuck_in_build.RULE,
    broker_pod_crashloop.RULE,
    broker_pod_oomkilled.RULE,
    broker_pod_pending.RULE,
    broker_pod_error.RULE,
    broker_memory_alarm.RULE,
    broker_disk_alarm.RULE,
    broker_auth_failure.RULE,
    broker_partition.RULE,
    broker_unreachable.RULE,
    missed_heartbeats.RULE,
    rpc_timeout.RULE,
    no_valid_host.RULE,
    placement_no_candidates.RULE,
    filters_hosts_down.RULE,
    reschedules_exhausted.RULE,
    control_plane_down.RULE,
    compute_service_down.RULE,
    wedged_compute_host.RULE,
    existing_vms_affected.RULE,
    spawn_failure.RULE,
    libvirt_error.RULE,
)

__all__ = ["RULES", "Rule"]
