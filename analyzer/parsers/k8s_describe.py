"""``kubectl describe pod``: one or several pod descriptions, as text.

A sample (abridged; real output also lists IPs, Labels, Mounts, Volumes, Tolerations)::

    Name:             rabbitmq-0
    Namespace:        pcd
    Node:             mgmt-node-2/10.0.0.12
    Start Time:       Mon, 02 Mar 2026 08:01:12 +0000
    Status:           Running
    Controlled By:    StatefulSet/rabbitmq
    Containers:
      rabbitmq:
        Image:          docker.io/bitnami/rabbitmq:3.12.13
        State:          Waiting
          Reason:       CrashLoopBackOff
        Last State:     Terminated
          Reason:       OOMKilled
          Exit Code:    137
          Started:      Mon, 02 Mar 2026 09:22:40 +0000
          Finished:     Mon, 02 Mar 2026 09:26:03 +0000
        Ready:          False
        Restart Count:  12
        Limits:
          memory:  2Gi
    Conditions:
      Type              Status
      Initialized       True
      Ready             False
    Events:
      Type     Reason   Age                  From     Message
      ----     ------   ----                 ----     -------
      Normal   Pulled   12m (x13 over 85m)   kubelet  Container image "docker.io/bitnami/...
      Warning  BackOff  4m35s (x41 over 1h)  kubelet  Back-off restarting failed container ...

``Key:  value`` lines are aligned with spaces (very old kubectl: tabs), each level indented
by two more spaces. ``Events:  <none>`` when there are none; kubectl before 1.10 printed the
columns FirstSeen, LastSeen, Count, From, SubObjectPath, Type, Reason, Message.

Output: ``pods`` rows (one per container, as k8s_pod_view builds them, with the STATUS kubectl
would show) and ``events`` rows from the Events table: object_kind ``Pod``, object_name the
pod, the message without its field-path prefix (``spec.containers{rabbitmq}: ``). Event ages
are relative to when describe ran: against ``ctx.collected_at`` timestamp = collected_at -
age, first_timestamp = collected_at - T of ``(xN over T)``, count N (1 when not aggregated),
approximate; NA times when the collection time is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers.base import ParseResult, ParserSpec, fail_forward
from analyzer.parsers.k8s_common import (
    Column,
    as_int,
    header_columns,
    lines_not_understood,
    split_row,
)
from analyzer.parsers.k8s_pod_view import ContainerView, PodView, pods_frame
from analyzer.parsers.k8s_time import ago, parse_age, parse_event_age, parse_rfc1123, to_utc

_KV_RE = re.compile(r"^([ \t]*)([A-Za-z][A-Za-z0-9 ._/-]{0,80}?):(?:[ \t]+(.*?))?[ \t]*$")
_FIELD_PATH_RE = re.compile(r"^[A-Za-z][A-Za-z.]*\{[^}]*\}: ")
_UNDERLINE_RE = re.compile(r"^\s*-{2,}(?:\s+-{2,})*\s*$")
_DEFAULT_EVENT_COLUMNS = ("Type", "Reason", "Age", "From", "Message")
_CONTAINER_SECTIONS = ("Containers", "Init Containers")
_STATES = {"running": "running", "waiting": "waiting", "terminated": "terminated"}

_SNIFF_START_RE = re.compile(r"\A(?:[^\n]{0,500}\n){0,2}?\s*Name:[ \t]")  # after a pasted prompt
_SNIFF_NS_RE = re.compile(r"^Namespace:", re.MULTILINE)
_SNIFF_CONTAINERS_RE = re.compile(r"^Containers:", re.MULTILINE)
_SNIFF_STATUS_RE = re.compile(r"^Status:", re.MULTILINE)
_SNIFF_NODE_RE = re.compile(r"^Node:", re.MULTILINE)
_SNIFF_TEMPLATE_RE = re.compile(r"^Pod Template:", re.MULTILINE)


@dataclass
class _PodText:
    """One pod description being read."""

    pod: PodView
    event_header: list[Column] | None = None
    event_lines: list[tuple[int, str]] = field(default_factory=list)


def _when(value: str) -> datetime | str | None:
    """A describe date: parsed, or kept as text so the bad value gets counted later."""
    if not value or value == "<none>":
        return None
    return parse_rfc1123(value) or value


class _Reader:
    """Walks the lines of a describe text and collects pods and their event lines."""

    def __init__(self) -> None:
        self.pods: list[_PodText] = []
        self.current: _PodText | None = None
        self.section: str | None = None
        self.stack: list[tuple[int, str]] = []
        self.container: ContainerView | None = None

    def feed(self, number: int, raw: str) -> None:
        line = raw.rstrip("\r")
        if not line.strip():
            return
        leading = len(line) - len(line.lstrip(" \t"))
        indent = len(line[:leading].replace("\t", "  "))
        kv = _KV_RE.match(line) if len(line) < 4096 else None
        if indent == 0:
            if kv is not None:
                self._top(number, kv.group(2), kv.group(3) or "")
            return
        if self.current is None:
            return
        if self.section == "Events":
            self._event_line(number, line)
        elif self.section == "Conditions" and kv is None:
            self._condition(line)
        elif kv is not None:
            self._nested(number, indent, kv.group(2), kv.group(3) or "")

    def _top(self, number: int, key: str, value: str) -> None:
        self.section = key
        self.stack = [(0, key)]
        self.container = None
        if key == "Name":
            self.current = _PodText(PodView(name=value or None, line=number))
            self.pods.append(self.current)
            return
        if self.current is None:
            return
        pod = self.current.pod
        if key == "Namespace":
            pod.namespace = value or None
        elif key == "Node":
            node = value.split("/", 1)[0]
            pod.node = node if node and node != "<none>" else None
        elif key == "Status":
            if value.startswith("Terminating"):
                pod.deleting = True
            else:
                pod.phase = value or None
        elif key == "Reason":
            pod.reason = value or None
        elif key == "Controlled By":
            pod.owner = value if "/" in value else None

    def _condition(self, line: str) -> None:
        assert self.current is not None
        parts = line.split()
        if len(parts) == 2 and parts[1] in ("True", "False", "Unknown"):
            if parts[0] == "Initialized":
                self.current.pod.initialized = parts[1] == "True"
            elif parts[0] == "Ready":
                self.current.pod.ready_condition = parts[1] == "True"

    def _nested(self, number: int, indent: int, key: str, value: str) -> None:
        assert self.current is not None
        while self.stack and self.stack[-1][0] >= indent:
            self.stack.pop()
        self.stack.append((indent, key))
        path = [k for _, k in self.stack]
        if path[0] not in _CONTAINER_SECTIONS or len(path) < 2:
            return
        if len(path) == 2:
            if value:  # 'Containers:  <none>' style or stray key, not a container
                self.container = None
                return
            init = path[0] == "Init Containers"
            self.container = ContainerView(name=key, line=number, init=init)
            self.current.pod.containers.append(self.container)
            if init:
                self.current.pod.init_total += 1
            return
        c = self.container
        if c is None:
            return
        if len(path) == 3:
            if key == "State":
                c.state = _STATES.get(value.lower())
            elif key == "Ready":
                c.ready = {"True": True, "False": False}.get(value)
            elif key == "Restart Count":
                c.restart_count = as_int(value)
            elif key == "Started":
                c.started = {"True": True, "true": True, "False": False}.get(value)
        elif len(path) == 4:
            self._container_detail(c, path[2], key, value)

    @staticmethod
    def _container_detail(c: ContainerView, group: str, key: str, value: str) -> None:
        if group == "State":
            if key == "Reason":
                c.reason = value or None
            elif key == "Message":
                c.message = value or None
            elif key == "Exit Code":
                c.exit_code = as_int(value)
            elif key == "Signal":
                c.signal = as_int(value)
            elif key == "Started" and c.state in ("running", "terminated"):
                c.started_at = _when(value)
        elif group == "Last State":
            if key == "Reason":
                c.last_reason = value or None
            elif key == "Exit Code":
                c.last_exit_code = as_int(value)
            elif key == "Finished":
                c.last_finished_at = _when(value)
        elif group == "Limits" and key == "memory":
            c.memory_limit = value or None

    def _event_line(self, number: int, line: str) -> None:
        assert self.current is not None
        words = line.split()
        if self.current.event_header is None and words[:1] in (["Type"], ["FirstSeen"]):
            self.current.event_header = header_columns(line)
        elif not _UNDERLINE_RE.match(line):
            self.current.event_lines.append((number, line))


def _event_rows(
    pod_text: _PodText, path: str, collected_at: datetime | None
) -> tuple[list[dict[str, object]], list[int]]:
    """Rows of the events table from one pod's Events lines, and the lines not understood."""
    if not pod_text.event_lines:
        return [], []
    columns = pod_text.event_header
    by_position = columns is not None  # pasted without its header: read by runs of spaces
    if columns is None:
        columns = [Column(name, 0) for name in _DEFAULT_EVENT_COLUMNS]
    pod = pod_text.pod
    rows: list[dict[str, object]] = []
    bad: list[int] = []
    names = [c.name for c in columns]
    for number, line in pod_text.event_lines:
        parts = split_row(line, columns, by_position)
        cell = dict(zip(names, parts, strict=True)) if parts is not None else {}
        etype = cell.get("Type")
        if etype not in ("Normal", "Warning"):
            bad.append(number)
            continue
        if "Age" in cell:
            age = parse_event_age(str(cell.get("Age") or ""))
            last, first, count = age.last, age.first if age.count else age.last, age.count or 1
        else:  # FirstSeen / LastSeen / Count
            last = parse_age(str(cell.get("LastSeen") or ""))
            first = parse_age(str(cell.get("FirstSeen") or ""))
            count = as_int(str(cell.get("Count") or "")) or 1
        message = str(cell.get("Message") or "")
        rows.append(
            {
                "timestamp": ago(collected_at, last),
                "first_timestamp": ago(collected_at, first),
                "namespace": pod.namespace,
                "type": etype,
                "reason": cell.get("Reason") or None,
                "object_kind": "Pod",
                "object_name": pod.name,
                "message": _FIELD_PATH_RE.sub("", message, count=1) or None,
                "count": count,
                "approximate": True,
                "file": path,
                "line": number,
            }
        )
    return rows, bad


def _parse(src: SourceFile, ctx: SourceContext, result: ParseResult) -> None:
    reader = _Reader()
    for number, line in enumerate(src.text().split("\n"), start=1):
        reader.feed(number, line)
    if not reader.pods:
        result.problems.append(BundleProblem(src.path, "no pod description (Name: ...) found"))
        return
    result.add("pods", pods_frame([p.pod for p in reader.pods], src.path, result))
    event_rows: list[dict[str, object]] = []
    bad: list[int] = []
    for pod_text in reader.pods:
        rows, not_read = _event_rows(pod_text, src.path, ctx.collected_at)
        event_rows.extend(rows)
        bad.extend(not_read)
    if bad:
        result.problems.append(lines_not_understood(src.path, bad, "an Events table"))
    if event_rows:
        frame = pd.DataFrame(event_rows)
        for col in ("timestamp", "first_timestamp"):
            frame[col], _ = to_utc(frame[col])
        result.add("events", frame)


def sniff(head: str) -> bool:
    if not _SNIFF_START_RE.match(head) or not _SNIFF_NS_RE.search(head):
        return False
    if _SNIFF_TEMPLATE_RE.search(head):  # a Deployment / StatefulSet / Job description
        return False
    return bool(_SNIFF_CONTAINERS_RE.search(head)) or bool(
        _SNIFF_STATUS_RE.search(head) and _SNIFF_NODE_RE.search(head)
    )


def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
    return fail_forward(src, "describe", lambda result: _parse(src, ctx, result))


SPEC = ParserSpec(
    kind="k8s_describe",
    tables=("pods", "events"),
    paths=("kubernetes/describe/*.txt",),
    sniff=sniff,
    parse=parse,
)
