"""A pod as ``kubectl get pods -o json`` and ``kubectl describe pods`` both tell it, and
what the ``pods`` table makes of it.

:class:`PodView` and :class:`ContainerView` hold the fields either reader finds;
:func:`kubectl_status` computes the STATUS column kubectl would print for the pod
(``CrashLoopBackOff``, ``Init:0/2``, ``Terminating``...); :func:`pods_frame` gives the
``pods`` rows, one per container worth showing, timestamps on UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analyzer.model import BundleProblem
from analyzer.parsers.base import ParseResult
from analyzer.parsers.k8s_time import to_utc


@dataclass
class ContainerView:
    """One container as both JSON and describe can tell it."""

    name: str | None
    line: int = 1
    init: bool = False
    restartable: bool = False  # sidecar init container (restartPolicy: Always)
    started: bool | None = None
    ready: bool | None = None
    restart_count: int | None = None
    state: str | None = None  # running | waiting | terminated
    reason: str | None = None
    message: str | None = None
    exit_code: int | None = None
    signal: int | None = None
    started_at: object = None  # RFC 3339 string or aware datetime
    last_reason: str | None = None
    last_exit_code: int | None = None
    last_finished_at: object = None
    memory_limit: str | None = None


@dataclass
class PodView:
    """One pod, reduced to what the STATUS column and the pods table need."""

    name: str | None
    line: int = 1
    namespace: str | None = None
    phase: str | None = None
    reason: str | None = None  # status.reason (Evicted, NodeLost, ...)
    node: str | None = None
    deleting: bool = False
    init_total: int = 0
    initialized: bool | None = None  # Initialized condition
    ready_condition: bool | None = None  # Ready condition
    scheduling_gated: bool = False
    owner: str | None = None  # the controlling owner as Kind/name (StatefulSet/rabbitmq)
    containers: list[ContainerView] = field(default_factory=list)


def kubectl_status(pod: PodView) -> str | None:
    """The STATUS column of ``kubectl get pods`` (kubectl's printPod, minus its rarities)."""
    reason = pod.reason or pod.phase
    if pod.scheduling_gated:
        reason = "SchedulingGated"
    inits = [c for c in pod.containers if c.init]
    mains = [c for c in pod.containers if not c.init]
    initializing = False
    for i, c in enumerate(inits):
        if c.state == "terminated" and c.exit_code == 0:
            continue
        if c.restartable and c.started:
            continue
        if c.state == "terminated":
            if c.reason:
                reason = "Init:" + c.reason
            elif c.signal:
                reason = f"Init:Signal:{c.signal}"
            else:
                reason = f"Init:ExitCode:{c.exit_code}"
        elif c.state == "waiting" and c.reason and c.reason != "PodInitializing":
            reason = "Init:" + c.reason
        else:
            reason = f"Init:{i}/{max(pod.init_total, len(inits))}"
        initializing = True
        break
    if not initializing or pod.initialized:
        has_running = False
        for c in reversed(mains):
            if c.state in ("waiting", "terminated") and c.reason:
                reason = c.reason
            elif c.state == "terminated":
                reason = f"Signal:{c.signal}" if c.signal else f"ExitCode:{c.exit_code}"
            elif c.ready and c.state == "running":
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running" if pod.ready_condition else "NotReady"
    if pod.deleting and pod.reason == "NodeLost":
        reason = "Unknown"
    elif pod.deleting and pod.phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return reason


def pod_rows(pod: PodView, path: str) -> list[dict[str, object]]:
    """Rows of the pods table for one pod: one per container worth showing."""
    status = kubectl_status(pod)
    base: dict[str, object] = {
        "namespace": pod.namespace,
        "pod": pod.name,
        "phase": pod.phase,
        "status": status,
        "node": pod.node,
        "owner": pod.owner,
        "file": path,
    }
    shown = [
        c
        for c in pod.containers
        if not (c.init and not c.restartable and c.state == "terminated" and c.exit_code == 0)
    ]
    if not shown:
        return [{**base, "container": None, "line": pod.line}]
    return [
        {
            **base,
            "container": c.name,
            "ready": c.ready,
            "restart_count": c.restart_count,
            "state": c.state,
            "reason": c.reason,
            "message": c.message,
            "started_at": c.started_at,
            "last_reason": c.last_reason,
            "last_exit_code": c.last_exit_code,
            "last_finished_at": c.last_finished_at,
            "memory_limit": c.memory_limit,
            "line": c.line,
        }
        for c in shown
    ]


def pods_frame(pods: list[PodView], path: str, result: ParseResult) -> pd.DataFrame:
    """Rows of all pods as a frame, timestamps already UTC; bad timestamps become problems."""
    rows = [row for pod in pods for row in pod_rows(pod, path)]
    frame = pd.DataFrame(rows)
    bad = 0
    for col in ("started_at", "last_finished_at"):
        values = frame[col] if col in frame.columns else [None] * len(frame)
        frame[col], n = to_utc(values)
        bad += n
    if bad:
        result.problems.append(
            BundleProblem(
                path,
                f"{bad} container timestamps unreadable or out of range",
                "those timestamps (left empty)",
            )
        )
    return frame
