"""The words of the before/after report (``analyze compare``): outcomes, reasons, states.

The comparison document holds keys only (:mod:`analyzer.compare.document`); these tables
put them into sentences. A key missing here is shown humanised, never dropped.
"""

from __future__ import annotations

OUTCOMES: dict[str, str] = {
    "recovered": "Recovered",
    "partially_recovered": "Partially recovered",
    "not_recovered": "Not recovered",
    "relapsed": "Relapsed: the broker failed again after the fix",
    "different_failure": "A different failure",
    "inconclusive": "Inconclusive",
}

REASONS: dict[str, str] = {
    "mismatch_region": "The bundles come from two different regions: they are not one "
    "region before and after a fix.",
    "mismatch_deployment": "One bundle is from a Self-Hosted deployment, the other from SaaS.",
    "mismatch_same_bundle": "BEFORE and AFTER are the same bundle: nothing happened between them.",
    "order_unproven": "AFTER was not shown to be collected after BEFORE, so a recovery "
    "between them cannot be shown.",
    "new_failure": "BEFORE shows no failure; AFTER shows one: this is a new failure, not a "
    "recovery.",
    "nothing_to_recover": "BEFORE shows no failure, so there is no recovery to check.",
    "after_without_logs": "AFTER holds no logs and no pods: nothing in it shows whether the "
    "broker and its clients recovered. Collect AFTER with the same collector as BEFORE.",
    "other_class": "AFTER shows another kind of failure than BEFORE.",
    "crashed_again": "The broker crashed again after the fix (OOM kill, down, or its alarm "
    "set again): the runbook says to escalate to Platform9 Support.",
    "fault_after_fix": "Clients reconnected after the fix, then the failure came back: "
    "escalate to Platform9 Support.",
    "fix_did_not_help": "Something was done to the broker, but the failure went on: the "
    "runbook says to escalate to Platform9 Support.",
    "no_fix_seen": "AFTER shows no restart of the broker and the failure goes on.",
    "after_verdict_stale": "AFTER's own analysis still names the failure, but only from lines "
    "older than the fix.",
    "vms_still_build": "VMs stuck before are still in BUILD: clean them up (commands below).",
    "clients_failing": "Some clients still fail to reach the broker.",
    "creates_failing": "Creates after the fix failed or took longer than ten minutes.",
    "services_down": "A compute service went down between the bundles.",
    "after_inconclusive": "AFTER's own analysis is inconclusive.",
    "creates_unverified": "No VM was created after the fix: the runbook's last check (a "
    "new create succeeds) is still to be done.",
}

MISMATCHES: dict[str, str] = {
    "region": "different regions",
    "deployment": "different deployments",
    "same_bundle": "the same bundle twice",
    "order": "AFTER was collected before (or at the same time as) BEFORE; are the arguments "
    "swapped?",
    "unknown_time": "a collection time is unknown, so the order of the bundles is not known",
}

FINDING_STATES: dict[str, str] = {
    "current": "still shown after the fix",
    "before_fix": "only lines from before the fix",
    "absent": "gone",
}

CLIENT_STATES: dict[str, str] = {
    "reconnected": "reconnected",
    "unblocked": "unblocked by the broker, or its service report recovered",
    "quiet": "no error since the fix (no reconnect line)",
    "failing": "still failing",
}

FIX_BASES: dict[str, str] = {
    "pod_killed": "broker pod deleted (Kubernetes Killing event)",
    "broker_pod_started": "broker container started",
    "broker_started": "broker started (Server startup complete)",
    "alarm_cleared": "broker alarm cleared",
}

CAUSES: dict[str, str] = {
    "memory": "memory (OOM kill or memory alarm)",
    "disk": "disk (free disk space alarm)",
    "authentication": "authentication (login refused)",
    "misconfiguration": "misconfiguration (pod cannot start, partition)",
    "unknown": "unknown from these bundles",
}
