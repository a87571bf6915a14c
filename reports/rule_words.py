"""The words each diagnosis rule declares, for the renderers: titles, sentences, rebuttals.

Do not edit: a copy of what the rules in ``analyzer.rules`` declare (``Rule.title``,
``Rule.sentence``, ``Rule.rebuts``), so that rendering a report does not import the rules'
detection code and pandas with it. ``tests/reports/test_rule_words.py`` fails when it
differs from the rules; ``UPDATE_GOLDEN=1`` makes that test write it anew.
"""

from analyzer.model import Sentence

TITLES: dict[str, str] = {
    "stuck_in_build": "VMs stuck in BUILD",
    "broker_pod_crashloop": "Broker pod in CrashLoopBackOff",
    "broker_pod_oomkilled": "Broker container OOMKilled",
    "broker_pod_pending": "Broker pod cannot start",
    "broker_pod_error": "Broker container in Error",
    "broker_memory_alarm": "Broker memory alarm",
    "broker_disk_alarm": "Broker disk alarm",
    "broker_auth_failure": "Broker login refused",
    "broker_partition": "Broker cluster partitioned",
    "broker_unreachable": "Broker unreachable",
    "missed_heartbeats": "Missed heartbeats",
    "rpc_timeout": "RPC timeouts",
    "no_valid_host": "No valid host was found",
    "placement_no_candidates": "No allocation candidates",
    "filters_hosts_down": "No host up to schedule on",
    "reschedules_exhausted": "Retries exhausted on failing hosts",
    "control_plane_down": "All services down at once",
    "compute_service_down": "Compute service down",
    "wedged_compute_host": "Compute host wedged while reading up",
    "existing_vms_affected": "Running VMs affected",
    "spawn_failure": "Failed to spawn",
    "libvirt_error": "libvirt errors",
}
SENTENCES: dict[str, Sentence] = {
    "stuck_in_build": Sentence(
        "{count:# VM has|# VMs have} been in BUILD for over ten minutes with no fault message.",
        "VMs have been in BUILD for over ten minutes with no fault message.",
        (
            "The oldest has waited {oldest_age_s}.",
            "{unscheduled:# was|# were} never placed on a host.",
            "Task states: {task_states}.",
        ),
    ),
    "broker_pod_crashloop": Sentence(
        "The broker (RabbitMQ) pod is in CrashLoopBackOff: {pods}.",
        "A broker (RabbitMQ) pod is in CrashLoopBackOff.",
        (
            "It has restarted {restarts:once|# times}.",
            "Its memory limit is {memory_limit}.",
        ),
    ),
    "broker_pod_oomkilled": Sentence(
        "The broker (RabbitMQ) container was killed for exceeding its memory limit (OOMKilled): {pods}.",
        "A broker (RabbitMQ) container was killed for exceeding its memory limit (OOMKilled).",
        (
            "It has restarted {restarts:once|# times}.",
            "Its memory limit is {memory_limit}.",
        ),
    ),
    "broker_pod_pending": Sentence(
        "The broker (RabbitMQ) pod is Pending or cannot start its containers: {pods}.",
        "A broker (RabbitMQ) pod is Pending or cannot start its containers.",
        (
            "It has restarted {restarts:once|# times}.",
            "Its memory limit is {memory_limit}.",
        ),
    ),
    "broker_pod_error": Sentence(
        "The broker (RabbitMQ) container is in Error or exited with an error recently: {pods}.",
        "A broker (RabbitMQ) container is in Error or exited with an error recently.",
        (
            "It has restarted {restarts:once|# times}.",
            "Its memory limit is {memory_limit}.",
        ),
    ),
    "broker_memory_alarm": Sentence(
        "RabbitMQ set its memory alarm and has not cleared it: publishers are blocked.",
        "RabbitMQ set its memory alarm and has not cleared it: publishers are blocked.",
        (
            "Matching log records: {count}, from {first} to {last}.",
            "Hosts: {hosts}.",
            "Still not recovered on: {unresolved_hosts}.",
        ),
    ),
    "broker_disk_alarm": Sentence(
        "RabbitMQ set its disk alarm and has not cleared it: publishers are blocked.",
        "RabbitMQ set its disk alarm and has not cleared it: publishers are blocked.",
        (
            "Matching log records: {count}, from {first} to {last}.",
            "Hosts: {hosts}.",
            "Still not recovered on: {unresolved_hosts}.",
        ),
    ),
    "broker_auth_failure": Sentence(
        "Clients cannot log in to the broker (credentials or vhost permissions refused).",
        "Clients cannot log in to the broker (credentials or vhost permissions refused).",
        (
            "Matching log records: {count}, from {first} to {last}.",
            "Hosts: {hosts}.",
            "Still not recovered on: {unresolved_hosts}.",
        ),
    ),
    "broker_partition": Sentence(
        "The RabbitMQ cluster is partitioned.",
        "The RabbitMQ cluster is partitioned.",
        (
            "Matching log records: {count}, from {first} to {last}.",
            "Hosts: {hosts}.",
            "Still not recovered on: {unresolved_hosts}.",
        ),
    ),
    "broker_unreachable": Sentence(
        "Compute Service components cannot reach the broker and have not reconnected since.",
        "Compute Service components cannot reach the broker and have not reconnected since.",
        (
            "Matching log records: {count}, from {first} to {last}.",
            "Hosts: {hosts}.",
            "Still not recovered on: {unresolved_hosts}.",
        ),
    ),
    "missed_heartbeats": Sentence(
        "The broker closed client connections for missed heartbeats.",
        "The broker closed client connections for missed heartbeats.",
        (
            "Matching log records: {count}, from {first} to {last}.",
            "Hosts: {hosts}.",
            "Still not recovered on: {unresolved_hosts}.",
        ),
    ),
    "rpc_timeout": Sentence(
        "RPC calls time out waiting for a reply (MessagingTimeout): no consumer answers, or the broker loses the messages.",
        "RPC calls time out waiting for a reply (MessagingTimeout).",
        (
            "Matching log records: {count}, from {first} to {last}.",
            "Hosts: {hosts}.",
            "Still not recovered on: {unresolved_hosts}.",
        ),
    ),
    "no_valid_host": Sentence(
        'Creates fail fast with "No valid host was found": {servers:# server carries|# servers carry} this fault and {log_records:# log record reports|# log records report} it.',
        'Creates fail fast with "No valid host was found": the scheduler finds no host with room.',
        (
            "Servers with this fault: {server_ids}.",
            "Hosts: {hosts}.",
        ),
    ),
    "placement_no_candidates": Sentence(
        'Placement returned no allocation candidates {log_records:once|# times}, from {first} to {last}: "No valid host was found" comes from the first stage of scheduling, where no compute node has the room for the request (or its project has no quota left).',
        "Placement returned no allocation candidates: no compute node has the room for the request (or its project has no quota left).",
        (),
    ),
    "filters_hosts_down": Sentence(
        'The scheduler\'s filters removed every host as down or not reporting ({hosts_down}): "No valid host was found" comes from the hosts failing, not from a lack of capacity.',
        'The scheduler\'s filters removed every host as down or not reporting: "No valid host was found" comes from the hosts failing, not from a lack of capacity.',
        ("Servers in the bundle with that fault: {servers}.",),
    ),
    "reschedules_exhausted": Sentence(
        'Builds were rescheduled after the host failed to spawn them until no host was left: the last host ({last_hosts}) failed with "{reason}". The "No valid host was found" that followed is a host failure, not a lack of capacity.',
        'Builds were rescheduled after a host failed to spawn them until no host was left: the "No valid host was found" that followed is a host failure, not a lack of capacity.',
        ("Servers in the bundle with that fault: {servers}.",),
    ),
    "control_plane_down": Sentence(
        "All {services} nova services report down, the controllers ({controllers}) as well as the {computes:# compute service|# compute services}, and they stopped reporting at the same moment ({last_update}): services report their state over the messaging layer, so this is the messaging layer failing, not the hosts.",
        "Every nova service, controllers included, reports down since the same moment: services report their state over the messaging layer, so this is the messaging layer failing, not the hosts.",
        (),
    ),
    "compute_service_down": Sentence(
        "{down} of {compute_services} compute services are down: {down_hosts}.",
        "One or more compute services are down.",
        (),
    ),
    "wedged_compute_host": Sentence(
        "{hosts} reads up in the compute service list, but the host has stopped working: its compute service still reports while it does nothing else.",
        "A compute host reads up in the compute service list, but it has stopped working.",
        (
            "Its log went silent {silent_s} before collection (last record {last_line_at}) while its peers logged until {peers_last_at}.",
            "Its service's last update trails its peers' by {lag_s}, more than the minute after which nova calls a service down.",
        ),
    ),
    "existing_vms_affected": Sentence(
        "{count:# VM that was|# VMs that were} running on a down host ({hosts}) {count:is|are} stopped or in ERROR.",
        "VMs that were running on a down host are stopped or in ERROR.",
        (),
    ),
    "spawn_failure": Sentence(
        'Builds fail on the hypervisor ("Failed to spawn", build aborted): {servers:# server carries|# servers carry} this fault and {log_records:# log record reports|# log records report} it.',
        'Builds fail on the hypervisor ("Failed to spawn", build aborted).',
        (
            "Servers with this fault: {server_ids}.",
            "Hosts: {hosts}.",
        ),
    ),
    "libvirt_error": Sentence(
        "The hypervisor's libvirt fails or is unreachable.",
        "The hypervisor's libvirt fails or is unreachable.",
        (
            "Matching log records: {count}, from {first} to {last}.",
            "Hosts: {hosts}.",
            "Still not recovered on: {unresolved_hosts}.",
        ),
    ),
}
REBUTTALS: dict[str, Sentence] = {
    "placement_no_candidates": Sentence(
        "No valid host was found because placement had no allocation candidates: no compute node has the room for the request, or its quota is used up. That is capacity, not a failed host or the messaging layer.",
        "No valid host was found because placement had no allocation candidates: capacity, not a failed host or the messaging layer.",
        (),
    ),
    "filters_hosts_down": Sentence(
        "No valid host was found because every compute host is down or not reporting ({hosts_down}): the hosts, not capacity. Bring their compute services back rather than freeing capacity.",
        "No valid host was found because every compute host is down or not reporting: the hosts, not capacity.",
        (),
    ),
    "reschedules_exhausted": Sentence(
        "No valid host was found, but only after the last host ({last_hosts}) failed to spawn the guest: this is a host failure, not capacity.",
        "No valid host was found, but only after the hosts failed to spawn the guest: this is a host failure, not capacity.",
        (),
    ),
    "control_plane_down": Sentence(
        "Every nova service went down at the same moment ({last_update}), the controllers ({controllers}) with the {computes:# compute service|# compute services}: services report over the messaging layer, so this is the messaging layer failing, not {computes:# dead host|# dead hosts}.",
        "Every nova service went down at the same moment, controllers included: the messaging layer failing, not dead hosts.",
        (),
    ),
    "wedged_compute_host": Sentence(
        "{hosts} reads up in the compute service list but has stopped working (its log went silent, or its reports lag its peers'): a wedged host, so the list alone hides a host failure.",
        "A compute host reads up but has stopped working: a wedged host, so the list alone hides a host failure.",
        (),
    ),
}
