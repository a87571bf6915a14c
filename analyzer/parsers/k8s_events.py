"""``kubectl get events``: JSON (``-o json``, core/v1 or events.k8s.io/v1) and the text table.

JSON, core/v1 as kubectl prints it (abridged)::

    {
        "apiVersion": "v1",
        "items": [
            {
                "apiVersion": "v1",
                "count": 41,
                "eventTime": null,
                "firstTimestamp": "2026-03-02T08:30:12Z",
                "involvedObject": {
                    "apiVersion": "v1",
                    "fieldPath": "spec.containers{rabbitmq}",
                    "kind": "Pod",
                    "name": "rabbitmq-0",
                    "namespace": "pcd"
                },
                "kind": "Event",
                "lastTimestamp": "2026-03-02T09:26:25Z",
                "message": "Back-off restarting failed container rabbitmq in pod rabbitmq-0_...",
                "metadata": {"name": "rabbitmq-0.17f8a2c4d1e3b5a7", "namespace": "pcd", ...},
                "reason": "BackOff",
                "source": {"component": "kubelet", "host": "mgmt-node-2"},
                "type": "Warning"
            }
        ],
        "kind": "List",
        "metadata": {"resourceVersion": ""}
    }

Newer events carry ``"eventTime": "2026-03-02T09:10:44.120391Z"`` and
``"series": {"count": 7, "lastObservedTime": "2026-03-02T09:26:25.481203Z"}`` instead of
count/firstTimestamp/lastTimestamp; events.k8s.io/v1 names the object ``regarding`` and the
text ``note`` (``deprecatedCount``, ``deprecatedFirstTimestamp``, ...).

Text (``-A`` adds a leading NAMESPACE column; ``-o wide`` adds SUBOBJECT, SOURCE, FIRST SEEN,
COUNT, NAME; kubectl before 1.14 printed LAST SEEN, FIRST SEEN, COUNT, NAME, KIND, ...)::

    LAST SEEN   TYPE      REASON      OBJECT           MESSAGE
    4m35s       Warning   BackOff     pod/rabbitmq-0   Back-off restarting failed container ...
    9m          Warning   Unhealthy   pod/rabbitmq-0   Readiness probe failed: Error: unable ...
    12m         Normal    Pulled      pod/rabbitmq-0   Container image "docker.io/bitnami/...

Output: the ``events`` table, one row per event object. As kubectl reads them: first seen =
firstTimestamp or eventTime; last seen (``timestamp``) = series.lastObservedTime, else
lastTimestamp, else first seen; count = series.count, else count, else 1. Text ages become
times against ``ctx.collected_at`` (NA when unknown) with ``approximate`` set.
"""

from __future__ import annotations

import re

import pandas as pd

from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers.base import ParseResult
from analyzer.parsers.k8s_common import (
    as_dict,
    as_int,
    as_str,
    header_columns,
    json_objects,
    json_or_table_spec,
    lines_not_understood,
    object_kind,
    read_rows,
    table_blocks,
)
from analyzer.parsers.k8s_time import age_seconds, minus_seconds, to_utc

_JSON_EVENT_RE = re.compile(r'"kind"\s*:\s*"Event(?:List)?"|"involvedObject"\s*:|"regarding"\s*:')
HEADER_RE = re.compile(r"^\s*(?:NAMESPACE\s+)?LAST SEEN\s+(?:TYPE|FIRST SEEN)\s")
_DEFAULT_COLUMNS = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
_LOOSE_ROW = (
    r"(?P<LAST_SEEN>\S+(?: \(x\d+ over \S+\))?)\s+(?P<TYPE>\S+)\s+(?P<REASON>\S+)\s+"
    r"(?P<OBJECT>\S+)\s+(?P<MESSAGE>.*?)\s*$"
)
_LOOSE_RE = re.compile(r"^\s*" + _LOOSE_ROW)
_LOOSE_NS_RE = re.compile(r"^\s*(?P<NAMESPACE>\S+)\s+" + _LOOSE_ROW)
_SEEN_RE = re.compile(r"^(\S+)(?: \(x(\d{1,12}) over (\S+)\))?$")
_TEXT_TYPES = ("Normal", "Warning")


# --- JSON ------------------------------------------------------------------------------------


def event_row(item: dict[str, object], line: int, path: str) -> dict[str, object]:
    """One event object (core/v1 or events.k8s.io/v1) -> a row of the events table."""
    obj = as_dict(item.get("involvedObject")) or as_dict(item.get("regarding"))
    meta = as_dict(item.get("metadata"))
    series = as_dict(item.get("series"))
    first = _ts(item.get("firstTimestamp")) or _ts(item.get("deprecatedFirstTimestamp"))
    first = first or _ts(item.get("eventTime"))
    last = _ts(item.get("lastTimestamp")) or _ts(item.get("deprecatedLastTimestamp")) or first
    count = as_int(item.get("count")) or as_int(item.get("deprecatedCount"))
    if series:
        last = _ts(series.get("lastObservedTime")) or last
        count = as_int(series.get("count")) or count
    message = as_str(item.get("message"))
    if message is None:
        message = as_str(item.get("note"))
    return {
        "timestamp": last,
        "first_timestamp": first,
        "namespace": as_str(obj.get("namespace")) or as_str(meta.get("namespace")),
        "type": as_str(item.get("type")),
        "reason": as_str(item.get("reason")),
        "object_kind": as_str(obj.get("kind")),
        "object_name": as_str(obj.get("name")),
        "message": message.strip() if message is not None else None,
        "count": count or 1,
        "approximate": False,
        "file": path,
        "line": line,
    }


def _ts(value: object) -> str | None:
    text = as_str(value)
    return text if text and not text.startswith("0001-01-01") else None


def _parse_json(src: SourceFile, text: str, start: int, result: ParseResult) -> None:
    found = json_objects(src, text, start, "Event", result.problems)
    rows = [event_row(item, line, src.path) for item, line in found]
    if not rows:
        return
    frame = pd.DataFrame(rows)
    bad = 0
    for col in ("timestamp", "first_timestamp"):
        frame[col], n = to_utc(frame[col])
        bad += n
    if bad:
        result.problems.append(
            BundleProblem(
                src.path,
                f"{bad} event timestamps unreadable or out of range",
                "those timestamps (left empty)",
            )
        )
    result.add("events", frame)


# --- text table ------------------------------------------------------------------------------


def _parse_table(src: SourceFile, text: str, ctx: SourceContext, result: ParseResult) -> None:
    lines = pd.Series(text.split("\n"), dtype="string").str.rstrip("\r")
    blocks = table_blocks(lines, HEADER_RE)
    if not blocks:
        result.problems.append(BundleProblem(src.path, "no `kubectl get events` table found"))
        return
    bad_lines: list[int] = []
    for header_at, body in blocks:
        columns = header_columns(str(lines.iloc[header_at]))
        names = [c.name for c in columns]
        cells = read_rows(body, columns)
        if names in (_DEFAULT_COLUMNS, ["NAMESPACE", *_DEFAULT_COLUMNS]):
            cells = _loose_fallback(cells, body, names[0] == "NAMESPACE")
        ok = cells["_ok"]
        if "TYPE" in cells.columns:  # anything else is a wrapped message or stray text
            ok &= cells["TYPE"].isin(_TEXT_TYPES).fillna(False).astype(bool)
        bad_lines.extend(int(i) + 1 for i in cells.index[~ok])
        if ok.any():
            result.add("events", _table_frame(cells[ok], src.path, ctx))
    if bad_lines:
        result.problems.append(lines_not_understood(src.path, bad_lines, "the event table"))


def _loose_fallback(cells: pd.DataFrame, body: pd.Series, namespaced: bool) -> pd.DataFrame:
    todo = ~cells["_ok"]
    if not todo.any():
        return cells
    found = body[todo].str.extract(_LOOSE_NS_RE if namespaced else _LOOSE_RE)
    found = found.rename(columns={"LAST_SEEN": "LAST SEEN"})
    hit = found["OBJECT"].notna()
    for col in found.columns:
        cells.loc[hit[hit].index, col] = found.loc[hit, col]
    cells.loc[hit[hit].index, "_ok"] = True
    return cells


def _table_frame(cells: pd.DataFrame, path: str, ctx: SourceContext) -> pd.DataFrame:
    na = pd.Series(pd.NA, index=cells.index, dtype="string")
    seen = cells["LAST SEEN"].fillna("").str.extract(_SEEN_RE)
    first_age = cells["FIRST SEEN"] if "FIRST SEEN" in cells.columns else seen[2]
    count = cells["COUNT"] if "COUNT" in cells.columns else seen[1]
    if "OBJECT" in cells.columns:
        obj = cells["OBJECT"].fillna("").str.extract(r"^([^/]*)/?(.*)$")
        kind, name = obj[0], obj[1].where(obj[1] != "")
    else:
        kind, name = cells.get("KIND", na), cells.get("NAME", na)
    kind = kind.where(kind.isna() | (kind == ""), kind.fillna("").map(object_kind))
    last_ts = minus_seconds(ctx.collected_at, age_seconds(seen[0]))
    first_ts = minus_seconds(ctx.collected_at, age_seconds(first_age.fillna("")))
    return pd.DataFrame(
        {
            "timestamp": last_ts,
            "first_timestamp": first_ts,
            "namespace": cells.get("NAMESPACE", na),
            "type": cells["TYPE"],
            "reason": cells.get("REASON", na),
            "object_kind": kind.where(kind != ""),
            "object_name": name,
            "message": cells.get("MESSAGE", na),
            "count": pd.to_numeric(count, errors="coerce"),
            "approximate": True,
            "file": path,
            "line": cells.index.to_series(index=cells.index) + 1,
        }
    )


# --- the spec --------------------------------------------------------------------------------


def _is_json(head: str) -> bool:
    return bool(_JSON_EVENT_RE.search(head)) and '"reason"' in head


SPEC = json_or_table_spec(
    kind="k8s_events",
    table="events",
    paths=("kubernetes/events.json", "kubernetes/events.txt"),
    what="event",
    is_json=_is_json,
    header=HEADER_RE,
    read_json=_parse_json,
    read_table=_parse_table,
)
sniff = SPEC.sniff
parse = SPEC.parse
