"""``kubectl get pods``: JSON (``-o json``, a List or one Pod) and the plain-text table.

JSON, as kubectl prints it (abridged)::

    {
        "apiVersion": "v1",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": "rabbitmq-0",
                    "namespace": "pcd",
                    "ownerReferences": [
                        {"controller": true, "kind": "StatefulSet", "name": "rabbitmq", ...}
                    ],
                    ...
                },
                "spec": {
                    "containers": [
                        {"name": "rabbitmq", "resources": {"limits": {"memory": "2Gi"}}, ...}
                    ],
                    "nodeName": "mgmt-node-2",
                    ...
                },
                "status": {
                    "containerStatuses": [
                        {
                            "lastState": {
                                "terminated": {
                                    "exitCode": 137,
                                    "finishedAt": "2026-03-02T09:26:03Z",
                                    "reason": "OOMKilled",
                                    "startedAt": "2026-03-02T09:22:40Z"
                                }
                            },
                            "name": "rabbitmq",
                            "ready": false,
                            "restartCount": 12,
                            "state": {
                                "waiting": {
                                    "message": "back-off 5m0s restarting failed container=...",
                                    "reason": "CrashLoopBackOff"
                                }
                            }
                        }
                    ],
                    "phase": "Running",
                    ...
                }
            }
        ],
        "kind": "List",
        "metadata": {"resourceVersion": ""}
    }

Text (``-A`` adds a leading NAMESPACE column; ``-o wide`` adds IP, NODE, NOMINATED NODE and
READINESS GATES after AGE)::

    NAME                             READY   STATUS             RESTARTS         AGE
    rabbitmq-0                       0/1     CrashLoopBackOff   12 (2m13s ago)   85m
    nova-conductor-6b9f7d8c5-4kx2q   1/1     Running            0                3d

Output: the ``pods`` table. From JSON, one row per container (init containers that
completed successfully are left out; a pod without container statuses gives one row with
container NA) and ``status`` computed as kubectl's STATUS column would show it. From text,
one row per pod (container NA); ``12 (2m13s ago)`` gives restart_count 12 and
last_finished_at = collected_at - 2m13s when the collection time is known.
"""

from __future__ import annotations

import re

import pandas as pd

from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers.base import ParseResult
from analyzer.parsers.k8s_common import (
    as_bool,
    as_dict,
    as_int,
    as_list,
    as_str,
    header_columns,
    json_objects,
    json_or_table_spec,
    lines_not_understood,
    read_rows,
    table_blocks,
)
from analyzer.parsers.k8s_pod_view import ContainerView, PodView, pods_frame
from analyzer.parsers.k8s_time import age_seconds, minus_seconds

PHASES = frozenset({"Pending", "Running", "Succeeded", "Failed", "Unknown"})

_JSON_POD_RE = re.compile(r'"kind"\s*:\s*"Pod(?:List)?"')
_JSON_EVENT_RE = re.compile(r'"kind"\s*:\s*"Event(?:List)?"')
HEADER_RE = re.compile(r"^\s*(?:NAMESPACE\s+)?NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\b")
_READY_RE = re.compile(r"^(\d{1,6})/(\d{1,6})$")
_RESTARTS_RE = re.compile(r"^(\d{1,12})(?:\s*\((\S+) ago\))?$")
_LOOSE_ROW = (
    r"(?P<NAME>\S+)\s+(?P<READY>\d+/\d+)\s+(?P<STATUS>\S+)\s+"
    r"(?P<RESTARTS>\d+(?:\s+\([^)]*\))?)\s+(?P<AGE>\S+)"
    r"(?:\s+(?P<IP>\S+)\s+(?P<NODE>\S+)(?:\s+\S+\s+\S+)?)?\s*$"
)
_LOOSE_RE = re.compile(r"^\s*" + _LOOSE_ROW)
_LOOSE_NS_RE = re.compile(r"^\s*(?P<NAMESPACE>\S+)\s+" + _LOOSE_ROW)


# --- JSON ------------------------------------------------------------------------------------


def _container_from_status(
    cs: dict[str, object], line: int, init: bool, spec: dict[str, dict[str, object]]
) -> ContainerView:
    name = as_str(cs.get("name"))
    spec_c = spec.get(name or "", {})
    limits = as_dict(as_dict(spec_c.get("resources")).get("limits"))
    view = ContainerView(
        name=name,
        line=line,
        init=init,
        restartable=init and spec_c.get("restartPolicy") == "Always",
        started=as_bool(cs.get("started")),
        ready=as_bool(cs.get("ready")),
        restart_count=as_int(cs.get("restartCount")),
        memory_limit=as_str(limits.get("memory")),
    )
    state = as_dict(cs.get("state"))
    running, waiting = as_dict(state.get("running")), as_dict(state.get("waiting"))
    terminated = as_dict(state.get("terminated"))
    if "terminated" in state and isinstance(state.get("terminated"), dict):
        view.state = "terminated"
        view.reason = as_str(terminated.get("reason")) or None
        view.message = as_str(terminated.get("message")) or None
        view.exit_code = as_int(terminated.get("exitCode"))
        view.signal = as_int(terminated.get("signal"))
        view.started_at = as_str(terminated.get("startedAt"))
    elif "waiting" in state and isinstance(state.get("waiting"), dict):
        view.state = "waiting"
        view.reason = as_str(waiting.get("reason")) or None
        view.message = as_str(waiting.get("message")) or None
    elif "running" in state and isinstance(state.get("running"), dict):
        view.state = "running"
        view.started_at = as_str(running.get("startedAt"))
    last = as_dict(as_dict(cs.get("lastState")).get("terminated"))
    if last:
        view.last_reason = as_str(last.get("reason")) or None
        view.last_exit_code = as_int(last.get("exitCode"))
        view.last_finished_at = as_str(last.get("finishedAt"))
    return view


def pod_from_json(item: dict[str, object], line: int) -> PodView:
    meta = as_dict(item.get("metadata"))
    spec = as_dict(item.get("spec"))
    status = as_dict(item.get("status"))
    pod = PodView(
        name=as_str(meta.get("name")),
        line=line,
        namespace=as_str(meta.get("namespace")),
        phase=as_str(status.get("phase")) or None,
        reason=as_str(status.get("reason")) or None,
        node=as_str(spec.get("nodeName")) or None,
        deleting=meta.get("deletionTimestamp") is not None,
        owner=_owner(meta.get("ownerReferences")),
    )
    for cond in as_list(status.get("conditions")):
        cond = as_dict(cond)
        ctype, cstatus = cond.get("type"), cond.get("status")
        if ctype == "Initialized":
            pod.initialized = cstatus == "True"
        elif ctype == "Ready":
            pod.ready_condition = cstatus == "True"
        elif ctype == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            pod.scheduling_gated = True
    init_spec = _spec_by_name(spec.get("initContainers"))
    main_spec = _spec_by_name(spec.get("containers"))
    pod.init_total = len(init_spec)
    for key, init, by_name in (
        ("initContainerStatuses", True, init_spec),
        ("containerStatuses", False, main_spec),
    ):
        for cs in as_list(status.get(key)):
            if isinstance(cs, dict):
                pod.containers.append(_container_from_status(cs, line, init, by_name))
    return pod


def _owner(refs: object) -> str | None:
    """The controlling owner reference as ``Kind/name`` (what describe's Controlled By shows)."""
    owners = [as_dict(r) for r in as_list(refs)]
    ordered = sorted(owners, key=lambda r: r.get("controller") is not True)
    for ref in ordered:
        kind, name = as_str(ref.get("kind")), as_str(ref.get("name"))
        if kind and name:
            return f"{kind}/{name}"
    return None


def _spec_by_name(containers: object) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for c in as_list(containers):
        c = as_dict(c)
        name = as_str(c.get("name"))
        if name is not None:
            out[name] = c
    return out


def _parse_json(src: SourceFile, text: str, start: int, result: ParseResult) -> None:
    found = json_objects(src, text, start, "Pod", result.problems)
    pods = [pod_from_json(item, line) for item, line in found]
    if pods:
        result.add("pods", pods_frame(pods, src.path, result))


# --- text table ------------------------------------------------------------------------------


def _parse_table(src: SourceFile, text: str, ctx: SourceContext, result: ParseResult) -> None:
    lines = pd.Series(text.split("\n"), dtype="string").str.rstrip("\r")
    blocks = table_blocks(lines, HEADER_RE)
    if not blocks:
        result.problems.append(BundleProblem(src.path, "no `kubectl get pods` table found"))
        return
    frames: list[pd.DataFrame] = []
    bad_lines: list[int] = []
    for header_at, body in blocks:
        header = str(lines.iloc[header_at])
        cells = read_rows(body, header_columns(header))
        for col in ("NAME", "READY", "STATUS", "RESTARTS"):
            if col not in cells.columns:
                cells[col] = pd.Series(pd.NA, index=cells.index, dtype="string")
        cells = _loose_fallback(cells, body, "NAMESPACE" in header.split())
        ok = cells["_ok"] & cells["READY"].str.match(_READY_RE).fillna(False).astype(bool)
        bad_lines.extend(int(i) + 1 for i in cells.index[~ok])
        if ok.any():
            frames.append(_table_frame(cells[ok], src.path, ctx))
    if bad_lines:
        result.problems.append(lines_not_understood(src.path, bad_lines, "the pod table"))
    for frame in frames:
        result.add("pods", frame)


def _loose_fallback(cells: pd.DataFrame, body: pd.Series, namespaced: bool) -> pd.DataFrame:
    """Rows that were not aligned: read them with the known shape of the columns."""
    todo = ~cells["_ok"]
    if not todo.any():
        return cells
    found = body[todo].str.extract(_LOOSE_NS_RE if namespaced else _LOOSE_RE)
    hit = found["NAME"].notna()
    for col in found.columns:
        if col in cells.columns:
            cells.loc[hit[hit].index, col] = found.loc[hit, col]
    cells.loc[hit[hit].index, "_ok"] = True
    return cells


def _table_frame(cells: pd.DataFrame, path: str, ctx: SourceContext) -> pd.DataFrame:
    ready = cells["READY"].str.extract(_READY_RE)
    restarts = cells["RESTARTS"].fillna("").str.extract(_RESTARTS_RE)
    status = cells["STATUS"]
    node = cells["NODE"] if "NODE" in cells.columns else pd.Series(pd.NA, index=cells.index)
    namespace = cells.get("NAMESPACE", pd.Series(pd.NA, index=cells.index))
    return pd.DataFrame(
        {
            "namespace": namespace,
            "pod": cells["NAME"],
            "phase": status.where(status.isin(PHASES)),
            "status": status,
            "node": node.where(node != "<none>"),
            "ready": (ready[0] == ready[1]).astype("boolean"),
            "restart_count": pd.to_numeric(restarts[0], errors="coerce"),
            "last_finished_at": minus_seconds(ctx.collected_at, age_seconds(restarts[1])),
            "file": path,
            "line": cells.index.to_series(index=cells.index) + 1,
        }
    )


# --- the spec --------------------------------------------------------------------------------


def _is_json(head: str) -> bool:
    return bool(_JSON_POD_RE.search(head)) and not _JSON_EVENT_RE.search(head)


SPEC = json_or_table_spec(
    kind="k8s_pods",
    table="pods",
    paths=("kubernetes/pods.json", "kubernetes/pods.txt"),
    what="pod",
    is_json=_is_json,
    header=HEADER_RE,
    read_json=_parse_json,
    read_table=_parse_table,
)
sniff = SPEC.sniff
parse = SPEC.parse
