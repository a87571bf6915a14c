"""The words of the timeline's sections of the reports (incident, clock skew, VM stories,
burst analysis, charts), keyed by the values ``analyzer.timeline`` writes into the document.

As in ``reports.wording``: sentences name facts in ``{braces}``; unknown keys are shown
humanised, never fail.
"""

from __future__ import annotations

from analyzer.runbook import STUCK_AFTER_WORDS

# --- incident timeline (analysis.json: incident, clock_offsets, vm_stories, burst, ...) ---

INCIDENT_STATUS: dict[str, str] = {
    "ongoing": "ongoing at collection time",
    "recovered": "recovered before collection",
    "history": "history: it ended long before collection and is not the current failure",
}
NO_INCIDENT = "No messaging-layer incident in the bundle's logs."
TIMELINE_ERROR = "The timeline could not be built ({error}); the diagnosis above stands."
SUMMARY_LABELS: tuple[tuple[str, str], ...] = (
    ("status", "Status"),
    ("start", "Start (onset)"),
    ("end", "End"),
    ("duration", "Duration"),
    ("vms_affected", "VMs affected"),
    ("root_cause", "Root cause"),
    ("detected", "Detected"),
)
PAST_CAUSE = "Messaging layer (from the logs; the verdict above is about now): {faults}"
FAULT_WORDS: dict[str, str] = {  # in the order they are named
    "broker_oom_killed": "broker OOM-killed",
    "broker_down": "broker down",
    "alarm_set": "broker resource alarm",
    "broker_auth": "broker refused logins",
    "broker_blocked": "broker blocked publishers",
    "amqp_unreachable": "clients could not reach the broker",
    "lost_conductor": "compute hosts lost nova-conductor",
    "messaging_timeout": "RPC timeouts",
}
END_ONGOING = "not recovered at collection ({at})"
VMS_AFFECTED = (
    "{count} ({stuck} stuck in BUILD, {failed} failed, {hung} hung creates since deleted)"
)
DETECTED_BASIS: dict[str, str] = {
    "kubernetes-warning": "first Kubernetes warning about the broker",
    "stuck-build-threshold": (
        f"when the first VM had been {STUCK_AFTER_WORDS} in BUILD, the runbook's threshold"
    ),
}
NO_ACTIONS = "No operator action (restart, reset, delete) is recorded in the bundle."
ACTION_WORDS: dict[str, str] = {
    "vm_action": "server action (reset state or similar)",
    "vm_delete": "server deleted",
    "service_stop": "service stopped",
    "service_start": "service started",
    "pod_killed": "pod killed or deleted",
}
KEY_EVENT_WORDS: dict[str, str] = {
    "burst_start": "Burst of creates begins",
    "onset": "Onset: first messaging error or broker fault",
    "first_stuck_vm": "First create that hung",
    "detected": "Failure visible",
    "broker_restart": "Broker restarted",
    "broker_restart_first": "Broker restarts (first)",
    "broker_restart_last": "Broker restarts (last)",
    "last_fault": "Last messaging error",
    "reconnected": "Clients reconnected to the broker",
    "broker_running": "Broker running again",
    "first_create_ok": "First create succeeded afterwards",
    "recovered": "Recovered",
    "collected": "Bundle collected",
}
CLOCK_INTRO = (
    "Offsets are estimated against exact-UTC sources (Kubernetes, the compute API, zoned "
    "broker logs); positive means the source's clock runs ahead. Offsets of 30 s or more "
    "that are clear are corrected in the timeline."
)
CLOCK_WARNING = "{source} disagrees with the reference clock by {offset} ({basis})."
CLOCK_BASIS: dict[str, str] = {
    "request-id": "same request ids as the API",
    "instance": "build lines against the servers' created times",
    "fault-episodes": "outage starts against the Kubernetes-side clients",
    "fault-episodes-other-hosts": "outage starts against the other hosts",
    "broker-events": "the broker's own events (stop, start, alarm) against this source's",
    "broker-events-and-instance": (
        "the broker's own events and a build line against its server's created time, agreeing"
    ),
    "broker-events-and-request-id": (
        "the broker's own events and a request id shared with the API, agreeing"
    ),
    "pairs-disagree": "independent pairs of events that disagree",
    "none": "no event to compare",
    "reference": "reference clock",
}
CLOCK_SINGLE_PAIR = (
    "{source}: {offset} rests on one pair of events, {reference} against {own}. One pair "
    "cannot tell a clock that runs fast from a late reaction, so this source's times are "
    "kept as written."
)
CLOCK_PAIRS_DISAGREE = (
    "{source}: independent pairs of events disagree, so its offset is unknown and its times "
    "are kept as written (its clock may have been stepped between them): {pairs}."
)
CLOCK_PAIR_SAYS = "{kind}: {offset} ({reference} against {own})"
CLOCK_PAIR_EVENT = '{where} at {at} "{quote}"'
CLOCK_PAIR_KIND: dict[str, str] = {
    "broker-events": "the broker's events",
    "instance": "a build against its server's created time",
    "request-id": "a request against the API's",
    "fault-episodes": "outage starts against the Kubernetes-side clients",
    "fault-episodes-other-hosts": "outage starts against the other hosts",
}
CLOCK_APPLIED = "corrected"
CLOCK_NOT_APPLIED = "not corrected"
STORY_OUTCOME: dict[str, str] = {
    "stuck": "stuck in BUILD",
    "failed": "failed",
    "hung": "create hung (server since deleted)",
    "active": "ACTIVE",
    "building": f"still building (under {STUCK_AFTER_WORDS})",
}
STORY_STAGE: dict[str, str] = {
    "api": "accepted by the API, never reached the scheduler (the RPC cast was lost)",
    "scheduler": "reached the scheduler, no host was selected",
    "conductor": "a host was selected, the compute host never started the build",
    "compute": "the compute host started the build, it never finished",
    "active": "built",
    "failed": "the build failed",
}
BURST_PRECEDED = (
    "A burst of {creates} creates within {span} preceded the onset "
    "({rate} per minute at the peak; {concurrent} at the onset)."
)
BURST_CONCURRENT = (
    "no VM was still building",
    "1 VM was still building",
    "{n} VMs were still building",
)


def burst_concurrent(n: int) -> str:
    """How many VMs were building at the onset, in words that agree with the number."""
    none, one, many = BURST_CONCURRENT
    return none if n == 0 else one if n == 1 else many.format(n=n)


BURST_NOT_PRECEDED = "No burst preceded the onset: {creates} creates in the {before} before it."
BURST_PEAK = "Peak concurrent BUILD around the incident: {peak} at {at}."
BURST_VERSUS: dict[str, str] = {
    "below": (
        "That is below the runbook's batches of {low}–{high}: the messaging layer failed "
        "under less load than the runbook assumes is safe, so look at its capacity too."
    ),
    "within": "That is within the runbook's batches of {low}–{high}.",
    "above": "That is above the runbook's largest batch of {high}.",
}
BURST_ADVICE = (
    "Batches of at most {batch} VMs, each waited on until ACTIVE, would have stayed below "
    "the load at which it failed."
)
BURST_QUOTA = (
    "A per-project instance quota of {quota} for project {project} would have capped "
    "such a burst at {batch}."
)
CHART_CREATES = "creates per minute"
CHART_CREATES_AXIS = "creates"
CHART_ERRORS = "errors and messaging faults per minute"
CHART_ERRORS_AXIS = "errors"
CHART_TIME_AXIS = "time (UTC)"
CHART_WINDOW = "incident window"
CHART_MARKERS: dict[str, str] = {
    "broker_restart": "broker restart",
    "alarm": "broker alarm set",
    "alarm_cleared": "broker alarm cleared",
    "broker_killed": "broker killed",
    "broker_down": "broker down",
}
CHART_LANE_KEYS: tuple[tuple[str, str], ...] = (
    ("error", "errors"),
    ("warning", "warnings"),
    ("event", "other lines"),
)
TIMELINE_CHART_CAPTION = (
    "Creates and errors (with messaging faults) per {bin}, broker restarts and alarms as "
    "dashed lines; the shaded band is the incident window."
)
SWIMLANE_CAPTION = "Each source's lines per {bin}: errors, warnings and other lines."

STORY_LINES = "The lines of each VM"


def lines_count(n: int) -> str:
    return "1 line" if n == 1 else f"{n} lines"
