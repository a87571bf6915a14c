"""The words of the reports: findings are data, the sentences live here.

Every key the analysis emits (failure classes, finding keys and sub-cause slugs, recovery
step keys, note keys, missing-source keys, collection-time bases) maps to human words in
the dictionaries below. Sentences may name facts of a finding in ``{braces}``; a sentence
is used only when every fact it names is known, otherwise its plain fallback is.

Unknown keys never fail: they are shown humanised (``some_key`` -> "Some key").
"""

from __future__ import annotations

from collections.abc import Mapping

from analyzer import plural
from analyzer.model import FailureClass, Sentence
from analyzer.runbook import STUCK_AFTER_WORDS
from reports import rule_words

MESSAGING = FailureClass.MESSAGING
RESOURCE = FailureClass.RESOURCE
HOST = FailureClass.HOST
NONE = FailureClass.NONE
INCONCLUSIVE = FailureClass.INCONCLUSIVE

# The runbook's three failure modes, in the order of its symptom table.
TABLE_CLASSES: tuple[str, ...] = (MESSAGING, RESOURCE, HOST)

CLASS_NAMES: dict[str, str] = {
    MESSAGING: "Messaging layer failure",
    RESOURCE: "Resource exhaustion",
    HOST: "Host failure",
    NONE: "No failure found",
    INCONCLUSIVE: "Inconclusive",
}

DEPLOYMENT_NAMES: dict[str, str] = {
    "self-hosted": "Self-Hosted",
    "saas": "SaaS",
    "unknown": "Unknown",
}

DEPLOYMENT_BASIS: dict[str, str] = {
    "manifest": "stated in the bundle manifest",
    "kubernetes data present": "inferred: the bundle holds Kubernetes data",
    "unknown": "not stated in the bundle",
}

COLLECTED_BASIS: dict[str, str] = {
    "manifest": "from the bundle manifest",
    "archive-mtime": "no manifest: collection time taken from archive member times",
    "newest-data": "no manifest: collection time taken from the newest timestamp in the data",
    "newest-local-time": (
        "no manifest: collection time taken from the newest log time, which names no time "
        "zone; nothing is judged too old against it"
    ),
    "unknown": "no manifest and no usable timestamps, so ages could not be measured",
}
COLLECTED_BASIS_NOT_STATED = "basis not stated"

COUNT_WORDS: tuple[tuple[str, str], ...] = (
    ("servers", "{n:# server|# servers}"),
    ("build", "{n} in BUILD"),
    ("error", "{n} in ERROR"),
    ("active", "{n} ACTIVE"),
    ("services", "{n:# service|# services} listed"),
    ("compute_services", "{n} of them {n:a compute service|compute services}"),
    ("services_down", "{n:# compute service|# compute services} down"),
    ("log_records", "{n:# log record|# log records}"),
    ("log_records_folded", "{n} of them routine lines of large logs, counted per minute"),
    ("pods", "{n:# pod|# pods}"),
    ("events", "{n:# Kubernetes event|# Kubernetes events}"),
)


COUNTS_SHOWN_WHEN_NONZERO = frozenset({"log_records_folded"})

NOTHING_READ_TITLE = "Nothing to analyse"
NOTHING_READ = (
    "No file in the bundle held data the analyzer reads ({why}), so there is no verdict: "
    "the rows below are unknown, not observed."
)
NOTHING_READ_WHY = {
    "unrecognised": "none of its files is of a kind it recognises; they are listed under "
    "Unrecognised files",
    "other": "see Data gaps and caveats",
}


COUNTS_NOT_SHOWN = frozenset({"data_files"})
"""Counts the Data line leaves out: the bundle line already gives its files."""


EVIDENCE_CAP_PERCENT = {"undated-only": 40, "single-line": 50}
"""analyzer.diagnosis.THIN_EVIDENCE_CAP, in percent (a test keeps the two equal)."""
EVIDENCE_BASIS = {
    "undated-only": "Every line this verdict rests on carries no time, so whether the failure "
    "is current cannot be told: its confidence is held to 40% at most.",
    "single-line": "This verdict rests on a single line of the bundle, one observation rather "
    "than a pattern: its confidence is held to 50% at most.",
}
"""What the verdict line adds when thin evidence held the confidence down."""
UNDATED = "undated"
"""The time shown for an evidence line that carries none."""


def confidence_label(confidence: float) -> str:
    if confidence >= 0.75:
        return "high"
    if confidence >= 0.5:
        return "medium"
    return "low"


# Each rule declares its title (also used for its sub-cause in the verdict line) and its
# sentence (analyzer.rules.base.Rule), read here from a copy that spares the renderers the
# rules' detection code and pandas (reports.rule_words, kept equal by a test).
FINDING_TITLES: dict[str, str] = rule_words.TITLES
FINDING_SENTENCES: dict[str, Sentence] = rule_words.SENTENCES
# What a finding says against the symptom table read alone (``Rule.rebuts``): the first
# lines under "What argued against the other explanations".
FINDING_REBUTTALS: dict[str, Sentence] = rule_words.REBUTTALS

# Recovery steps, keyed as the analysis orders them; commands come from the document.
STEP_WORDS: dict[str, str] = {
    "check_pods": (
        "Check the messaging layer pods for CrashLoopBackOff, OOMKilled, Pending or Error."
    ),
    "restart_broker": (
        "Restart the messaging layer pod: delete it and let its controller re-create it."
    ),
    "wait_ready": "Wait for the pod to return to Running and Ready.",
    "verify_reconnect": (
        "Allow two to three minutes for the Compute Service components to reconnect, "
        "then check that they did."
    ),
    "verify_create": (
        "Verify that new VM creates succeed: create one small test VM, wait for ACTIVE "
        "(five minutes at most), then delete it."
    ),
    "describe_pod": "Describe the pod to see its recent events.",
    "pod_logs": "Check the pod logs for memory pressure, disk quota or authentication errors.",
    "raise_memory_limit": "Raise the broker's memory limit.",
}

# The fix each sub-cause asks for (analysis.json: recovery.fixes), keyed by fix key: a
# title, sentences naming the fix's facts in {braces} (each used only when its facts are
# known) and constant advice (may mark commands with backticks).
FIX_TITLES: dict[str, str] = {
    "raise_memory_limit": "Raise the broker's memory limit",
    "check_disk": "Free disk space for the broker",
    "check_credentials": "Check the credentials the services log in with",
    "restart_minority": "Heal the partition: restart the minority side",
}
FIX_FACTS: dict[str, tuple[str, ...]] = {
    "raise_memory_limit": (
        "The broker {pod} has a memory limit of {current_limit}; the most it was seen to "
        "need is {peak} ({peak_words}).",
        "RabbitMQ raises its memory alarm, blocking publishers, at {watermark} of that "
        "limit ({watermark_words}).",
        "New limit: {new_limit}, the peak divided by the watermark (at least a quarter "
        "above the current limit), rounded up.",
        "It is set on {owner}, the controller that owns the pod ({owner_words}).",
        "RabbitMQ took {seen_total} as its total memory, not the container's limit: its "
        "alarm comes only after the kernel's OOM kill. Set total_memory_available_override_value "
        "in rabbitmq.conf to the new limit.",
    ),
    "check_disk": (
        "Check the free space of the broker {pod} and the Free disk space section of its "
        "status. The alarm threshold is the rabbitmq.conf key disk_free_limit, for example "
        "{config}: lower it only when the volume cannot grow.",
    ),
    "check_credentials": (
        "Clients are refused at login as user {user} (the cited line).",
        "The broker pod that checks the password: {pod}.",
    ),
    "restart_minority": (
        "The partition lines name {nodes}.",
        "The smaller side, to restart: {minority}.",
    ),
}
FIX_ADVICE: dict[str, str] = {
    "raise_memory_limit": (
        "A restart alone will likely end the same way: raise the limit first (and review "
        "the CPU allocation). If the rollout waits on a pod that stays in CrashLoopBackOff, "
        "delete the pod (the restart below): a StatefulSet does not replace a pod that never "
        "became Ready."
    ),
    "check_disk": (
        "The broker blocks every publisher until its free disk space is above the limit "
        "again: free space (old logs, unused queues) or grow its PersistentVolumeClaim "
        "before restarting."
    ),
    "check_credentials": (
        "A restart does not fix a refused login. The password the services use is in the "
        "`transport_url` of the Compute Service's configuration on each hypervisor "
        "(`sudo grep -rh '^transport_url' /opt/pf9/etc /etc/nova`) and in the broker's "
        "secret in the region namespace: set `password` to it, then check that the user "
        "exists, has permissions on the vhost and that the password works."
    ),
    "restart_minority": (
        "`cluster_status` lists the network partitions: restart the pods of the smaller "
        "side one at a time (the loop waits for each to be Ready) and check the network "
        "between the broker pods."
    ),
}
FIX_NO_OWNER = (
    "The bundle does not say which controller owns the broker pod: the first command "
    "prints it (for example `StatefulSet/rabbitmq`); set `owner` to it in lower case "
    "(`owner=statefulset/rabbitmq`) before the other two."
)
FIX_FACT_WORDS: dict[str, dict[str, str]] = {
    "peak_words": {
        "limit_at_oom": "it was OOMKilled at its limit",
        "oom_kill": "resident size at the OOM kill",
        "alarm_line": "memory used when the alarm was set",
    },
    "watermark_words": {
        "startup_line": "from its start-up line",
        "alarm_line": "from its alarm line",
        "default": "RabbitMQ's default: the logs do not say",
    },
    "owner_words": {
        "owner": "from the pod's ownerReferences",
        "replicaset_owner": "the Deployment of the pod's ReplicaSet",
    },
}

# The "Next steps" box under the verdict (analysis.json: next_steps), keyed by reference;
# the commands come from the referenced part of the document.
NEXT_WHY: dict[str, str] = {
    "fixes/raise_memory_limit": (
        "Raise the broker's memory limit to {new_limit}: restarted with the same limit, it "
        "would fail the same way."
    ),
    "fixes/check_disk": (
        "Find what fills the broker's disk: its disk alarm blocks every publisher."
    ),
    "fixes/check_credentials": (
        "Check the credentials of user {user}: a restart does not fix a refused login."
    ),
    "fixes/restart_minority": "Restart the smaller side of the partitioned broker cluster.",
    "steps/check_pods": "See the state of the messaging layer pods.",
    "steps/restart_broker": "Restart the broker pod; its controller re-creates it.",
    "steps/wait_ready": "Wait until the broker pod is Running and Ready.",
    "steps/verify_reconnect": "Check that the Compute Service components reconnected.",
    "steps/verify_create": (
        "Prove that creates work: one small test VM must reach ACTIVE within five minutes "
        "(it is deleted afterwards)."
    ),
    "recovery/escalation": (
        "Send Platform9 Support the escalation packet under Recovery, pre-filled from this "
        "bundle (the time range when creates began failing, the servers in BUILD, the "
        "compute service list and the ostackhost.log lines): in a SaaS deployment they "
        "recover the messaging layer."
    ),
}
NEXT_WHY_FALLBACK: dict[str, str] = {
    "fixes/raise_memory_limit": "Raise the broker's memory limit: restarted with the same "
    "limit, it would fail the same way.",
    "fixes/check_credentials": "Check the credentials the services log in with: a restart "
    "does not fix a refused login.",
}
NEXT_COLLECT = "Collect {what}, then run the analysis again."
NEXT_INTRO = "Run these now; the evidence and the full recovery follow below."
NEXT_NOTHING = (
    "Nothing to run: the bundle shows no messaging layer failure, resource exhaustion or "
    "host failure. If creates still fail, collect a new bundle while they fail."
)
# Said before the commands, not after: on SaaS they must not be run at all.
NEXT_INTRO_UNKNOWN_DEPLOYMENT = (
    "The bundle does not say whether this is Self-Hosted. If you run the management plane "
    "yourself, run these now; the evidence and the full recovery follow below. If Platform9 "
    "runs it for you (SaaS), do not run these: send the escalation packet under Recovery."
)
NOTE_MEMORY_LIMIT = "Current memory limit: {memory_limit}."

SOURCE_WHY: dict[str, str] = {
    "servers": "Without the server list, VMs stuck in BUILD cannot be counted or aged.",
    "services": "Without the compute service list, a down host cannot be ruled in or out.",
    "hypervisor_logs": (
        "Without the hypervisor's compute log, MessagingTimeout and AMQP errors cannot be seen."
    ),
    "pods": "Without pod status, a crashed or OOMKilled broker pod cannot be seen.",
    "broker_logs": "Without the broker logs, memory or disk alarms and login failures are hidden.",
    "control_plane_logs": (
        "Without nova-conductor / nova-scheduler logs, scheduling errors and RPC timeouts "
        "in the control plane are hidden."
    ),
}

# Fixed advice, in the runbook's words where it has them.
RUNBOOK_AFTER_RESTART = (
    "After the messaging layer pod is healthy, the Compute Service components reconnect "
    "automatically. Allow two to three minutes for reconnection, then verify that new VM "
    "creates succeed."
)
RUNBOOK_ESCALATE = (
    "If restarting the pod does not resolve the issue, or if the pod crashes again "
    "immediately, escalate to Platform9 Support. The underlying cause may be resource "
    "exhaustion (memory or disk), a misconfiguration, or a persistent authentication issue "
    "that requires deeper investigation."
)
NO_STEPS = (
    "The analysis derived no pod-level steps (no broker pod was identified in the bundle). "
    "Check the messaging layer pods in the region namespace for CrashLoopBackOff, "
    "OOMKilled, Pending or Error, and restart the one that is in a crash state."
)
SAAS_INTRO = (
    "You do not have access to manage messaging layer infrastructure in a SaaS deployment. "
    "Contact Platform9 Support and provide the following (pre-filled from this bundle)."
)
SAAS_NO_PACKET = (
    "The analysis holds no escalation packet. Give Platform9 Support the time range when "
    "VM creates began failing, the output of `pcdctl server list --status BUILD`, the "
    "output of `pcdctl compute service list`, and the relevant lines from "
    "/var/log/pf9/ostackhost.log on an affected hypervisor."
)
UNKNOWN_DEPLOYMENT = (
    "The bundle does not say whether this is a Self-Hosted or a SaaS deployment. If you run "
    "the management plane yourself and have kubectl access to the region namespace, follow "
    "the Self-Hosted steps. If Platform9 runs it for you (SaaS), do not restart anything: "
    "send the packet below to Platform9 Support."
)
SELF_HOSTED_ESCALATION = (
    "If you escalate, this is the packet Platform9 Support asks for, pre-filled from this bundle."
)
INCONCLUSIVE_MESSAGING = "If the messaging layer is confirmed as the cause, recover it as follows."

CLASS_RECOVERY: dict[str, str] = {
    MESSAGING: "Recover the messaging layer, then clean up the VMs stuck in BUILD.",
    RESOURCE: (
        'Creates fail fast with "No valid host was found": the scheduler finds no host with '
        "enough free capacity. Free capacity (delete or shrink unused VMs, add hypervisors), "
        "check the tenant quotas, and check placement: flavors, host aggregates and "
        "allocation ratios. Do not restart the messaging layer: it is not the cause."
    ),
    HOST: (
        "Bring the Compute Service (nova-compute, pf9-ostackhost) and libvirt back on the "
        "down host(s), check /var/log/pf9/ostackhost.log there, and confirm with "
        "`pcdctl compute service list` that they report state up. If a host stays down, "
        "evacuate its VMs to healthy hosts. The messaging layer does not need a restart."
    ),
    NONE: (
        "Nothing to recover: at collection time the bundle shows no messaging layer failure, "
        "resource exhaustion or host failure. If creates still fail, collect a new bundle "
        "while the problem is happening."
    ),
    INCONCLUSIVE: (
        "The evidence does not single out one cause. Collect the missing sources listed "
        "under Data gaps (each with the command that collects it) and run the analysis again."
    ),
}
MESSAGING_SAAS = (
    "The messaging layer runs in the management plane that Platform9 operates: Platform9 "
    "Support recovers it. Once it is healthy, clean up the VMs stuck in BUILD."
)
HOST_DOWN = "Down compute host(s): {hosts}."
INCONCLUSIVE_NOTHING_MISSING = (
    "No expected source is missing: the findings point to more than one cause. Compare them "
    "with the runbook's symptom table; if it stays unclear, escalate to Platform9 Support."
)

STUCK_NONE = f"No VM was in BUILD for over {STUCK_AFTER_WORDS} at collection time."
STUCK_UNKNOWN = "Unknown: without a server list, VMs stuck in BUILD could not be looked for."
CLEANUP_INTRO_OTHER = (
    "Once the cause is fixed, VMs that were stuck in BUILD may not recover automatically. "
    "Check their status:"
)
CLEANUP_INTRO = (
    "After the messaging layer is healthy, VMs that were stuck in BUILD may not recover "
    "automatically. Check their status:"
)
CLEANUP_EACH = (
    "Then reset each stuck VM's state to error and delete it (one loop over their IDs), and "
    "re-create them from their original requests:"
)
CLEANUP_SAAS = (
    "Resetting a VM's state (`--state error`) needs management-plane access: Self-Hosted "
    "only. In SaaS deployments, contact Platform9 Support to reset it. If the delete also "
    "hangs, reset the state first."
)

PREVENT_BATCH = (
    "Stage VM creation in batches: create {low}–{high} VMs at a time and wait for each batch "
    "to reach ACTIVE before starting the next, rather than creating hundreds at once."
)
PREVENT_BURST = (
    "In this bundle, {creates} VM creates within {span} ({first} to {last}) preceded the "
    "failure: {size} (see the burst analysis)."
)
PREVENT_BURST_SIZE: dict[str, str] = {
    "below": "fewer than one batch of {low}",
    "within": "one batch of {low}–{high}",
    "above": "more than one batch of {high}",
}
PREVENT_MONITOR = "Monitor the VM creation rate against the messaging layer's capacity."
PREVENT_MONITOR_SELF_HOSTED = (
    "In Self-Hosted deployments, review the messaging layer's resource allocation (CPU, "
    "memory) in the region namespace and raise the limits if burst workloads regularly hit "
    "capacity."
)
PREVENT_QUOTAS = (
    "Use tenant quotas to limit simultaneous creation: set per-tenant instance and core "
    "limits (see Tenant Quotas, User Quotas and VM Leases)."
)

GAPS_NONE = "None: every expected source was present and read cleanly."
HISTORY_RESOLVED = "matched but not current: resolved at {at}"
HISTORY_RESOLVED_NO_TIME = "matched but not current: resolved"
HISTORY_OLD = "matched but not current: too old (last seen {at})"
HISTORY_OLD_NO_TIME = "matched but not current: too old"

RUNBOOK_TITLE = "Recover from Messaging Layer Failures"


def humanise(key: str) -> str:
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "(unnamed)"


def lookup(table: Mapping[str, str], key: object) -> str:
    """Words for ``key`` from ``table``, or the key humanised."""
    text = str(key) if key is not None else ""
    return table.get(text) or humanise(text)


def fill(template: str, facts: Mapping[str, str]) -> str | None:
    """``template`` with ``facts`` filled in, or None when a named fact is unknown.

    Only ``{name}`` fields and counts (``{name:# VM|# VMs}``, ``analyzer.plural``) are
    allowed: the template is constant text from this module, the facts are document data
    and are never parsed as templates.
    """
    if any(name not in facts for name in plural.fields(template)):
        return None
    return plural.render(template, facts)


# What the routine (folded) lines of large logs said (analysis.json: routine_messages).
# Every count is estimated from a sample: the words say so once, and each figure is
# rounded and said with "about".
ROUTINE_TITLE = "What the large logs were busy with"
ROUTINE_INTRO = (
    "The large logs were folded: their routine lines (DEBUG and INFO records that no rule "
    "reads) were counted, not read. A sample of them, reduced to message templates with IDs "
    "and numbers masked, shows what they said: {which}."
)
ROUTINE_WHICH_ALL = "{shown:its only template|all # templates it held}"
ROUTINE_WHICH_SOME = "the {shown} most frequent of the {templates} templates it held"
ROUTINE_ESTIMATE = (
    "Every count here is an estimate, from one folded record in {every} ({sampled} of "
    "{folded:# folded record|# folded records}): a template's count is its sampled records "
    "times {every}, its share is of every folded record, and its first and last times are "
    "those of its sampled records. For reading only: no finding rests on these lines."
)
ROUTINE_COLUMNS: tuple[str, ...] = (
    "Message template",
    "Level",
    "Records",
    "Share of folded",
    "Hosts",
    "First sampled (UTC)",
    "Last sampled (UTC)",
)
ROUTINE_EXAMPLES = "One line of each, as written"
ROUTINE_EXAMPLE = "One line as written"
ROUTINE_ABOUT = "about {n}"
ROUTINE_SHARE_TINY = "under 0.1%"
ROUTINE_HOSTS_MORE = "{named} and {more} more"
ROUTINE_HOSTS_UNNAMED = "{n:# host|# hosts}"
