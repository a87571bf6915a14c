"""The merged timeline: one frame of every event from every source, on one UTC clock.

Log records come from the ``logs`` table (already on UTC by their file's clock rule);
servers add their creation, launch and fault times; pods their container starts and last
terminations; Kubernetes events their first and last sightings (``kubectl describe`` ages
were converted against the collection time by the parser); compute services the last time
each reported. Every row keeps ``file``/``line`` so it can be shown as evidence.

Columns (``COLUMNS``): ``timestamp`` (UTC, corrected for an estimated clock skew),
``read_at`` (as the source wrote it, before that correction), ``offset_s`` (the correction
subtracted), ``source`` (oslo, rabbitmq, kubectl, pf9, server, pod, event, service),
``lane`` (the host, pod or API the row belongs to: one line of the swimlane), ``service``,
``severity``, ``family`` and ``role`` (see :mod:`analyzer.timeline.families`),
``instance``, ``request_id``, ``global_request_id``, ``message``, ``file``, ``line``,
``clock`` (how the time was placed) and ``approximate`` (derived from a relative age).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from analyzer.frames import TS, Frames, frame_of_columns, missing_column
from analyzer.model import Clock
from analyzer.textmatch import EncodedText
from analyzer.timeline.families import FAMILIES, role_of

STR: Final = "string"
COLUMNS: dict[str, str] = {
    "timestamp": TS,
    "read_at": TS,
    "offset_s": "float64",
    "source": STR,
    "lane": STR,
    "service": STR,
    "severity": STR,
    "family": STR,
    "role": STR,
    "instance": STR,
    "request_id": STR,
    "global_request_id": STR,
    "message": STR,
    "file": STR,
    "line": "Int64",
    "clock": STR,
    "approximate": "boolean",
}
API_LANE = "compute API"
K8S_LANE = "kubernetes"
BROKER = r"^(?:rabbitmq|rabbit|broker)"


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=pandas_dtype(d)) for c, d in COLUMNS.items()})


def classify(messages: pd.Series) -> pd.Series:
    """The family of each message (first matching pattern), <NA> when none matches."""
    text = EncodedText(messages.astype(STR).fillna(""))
    first = text.first_match([fam.pattern for fam in FAMILIES])
    # one name per family and a last entry for none: code -1 takes it
    names = np.array([fam.name for fam in FAMILIES] + [None], dtype=object)
    return pd.Series(names[first], index=messages.index, dtype=STR)


_DTYPES = {col: pandas_dtype(dtype) for col, dtype in COLUMNS.items()}


def _conform(frame: pd.DataFrame) -> pd.DataFrame:
    n = len(frame)
    out: dict[str, pd.Series] = {}
    for col, dtype in COLUMNS.items():
        if col not in frame.columns:  # made missing in its own dtype: no cast of n objects
            if dtype == "float64":
                out[col] = pd.Series(0.0, index=range(n))
            else:
                out[col] = missing_column(_DTYPES[col], n)
            continue
        series = frame[col]
        if dtype != "float64" and series.dtype == _DTYPES[col]:
            out[col] = series  # most columns come in the declared dtype already
        elif dtype == TS:
            out[col] = pd.to_datetime(series, utc=True, errors="coerce").astype(_DTYPES[col])
        elif dtype == "float64":
            out[col] = pd.to_numeric(series, errors="coerce").astype("float64").fillna(0.0)
        else:
            out[col] = series.astype(_DTYPES[col])
    return frame_of_columns(out, n)


def from_rows(rows: list[dict[str, object]]) -> pd.DataFrame:
    """A timeline frame from plain rows (tests, tools): roles filled in from families."""
    frame = _conform(pd.DataFrame(rows)) if rows else empty()
    frame["read_at"] = frame["timestamp"].where(frame["read_at"].isna(), frame["read_at"])
    frame["role"] = roles(frame["family"])
    frame["clock"] = frame["clock"].fillna(Clock.ZONED)
    return sort(frame)


def _logs(frames: Frames) -> pd.DataFrame:
    logs = frames.logs
    if logs.empty:
        return empty()
    lane = logs["host"].astype(STR).fillna(logs["file"].astype(STR))
    return _conform(
        pd.DataFrame(
            {
                "timestamp": logs["timestamp"],
                "source": logs["source"],
                "lane": lane,
                "service": logs["service"],
                "severity": logs["level"].fillna("INFO"),
                "family": classify(logs["message"]),
                "instance": logs["instance"],
                "request_id": logs["request_id"],
                "global_request_id": logs["global_request_id"],
                "message": logs["message"],
                "file": logs["file"],
                "line": logs["line"],
                "clock": logs["clock"],
                "approximate": False,
            }
        )
    )


_SERVER_COLUMNS = [
    "id",
    "name",
    "created_at",
    "launched_at",
    "fault_created",
    "fault_message",
    "file",
    "line",
]


def _servers(frames: Frames) -> pd.DataFrame:
    s = frames.servers
    if s.empty:
        return empty()
    # one row per server: the most complete (server show over list rows); of it, only the
    # columns read below are sorted and taken
    s = (
        s[_SERVER_COLUMNS]
        .assign(_c=s.notna().sum(axis=1))
        .sort_values(["id", "_c"], ascending=[True, False])
        .drop_duplicates("id")
    )
    label = s["name"].astype(STR).fillna(s["id"].astype(STR))
    parts = []
    for column, family, severity, what in (
        ("created_at", "vm_created", "INFO", "created"),
        ("launched_at", "vm_launched", "INFO", "launched"),
        ("fault_created", "vm_fault", "ERROR", "fault"),
    ):
        rows = s[s[column].notna()]
        if rows.empty:
            continue
        text = "server " + label[rows.index] + " " + what
        if family == "vm_fault":
            text = text + ": " + rows["fault_message"].astype(STR).fillna("")
        parts.append(
            pd.DataFrame(
                {
                    "timestamp": rows[column],
                    "source": "server",
                    "lane": API_LANE,
                    "service": "nova-api",
                    "severity": severity,
                    "family": family,
                    "instance": rows["id"],
                    "message": text,
                    "file": rows["file"],
                    "line": rows["line"],
                    "clock": Clock.API,
                    "approximate": False,
                }
            )
        )
    return _conform(pd.concat(parts, ignore_index=True)) if parts else empty()


_POD_COLUMNS = [  # the columns read below: the others are not taken row by row
    "pod",
    "container",
    "started_at",
    "last_finished_at",
    "last_reason",
    "file",
    "line",
]


def _pods(frames: Frames) -> pd.DataFrame:
    p = frames.pods
    if p.empty:
        return empty()
    p = p[_POD_COLUMNS].drop_duplicates(["pod", "container", "started_at", "last_finished_at"])
    broker = p["pod"].fillna("").str.match(BROKER) | p["container"].fillna("").str.match(BROKER)
    parts = []
    started = p[p["started_at"].notna()]
    if not started.empty:
        is_broker = broker[started.index]
        parts.append(
            pd.DataFrame(
                {
                    "timestamp": started["started_at"],
                    "family": np.where(is_broker, "broker_pod_started", "pod_started"),
                    "severity": "INFO",
                    "message": "container "
                    + started["container"].astype(STR).fillna("?")
                    + " of pod "
                    + started["pod"].astype(STR)
                    + " started",
                    "lane": started["pod"],
                    "file": started["file"],
                    "line": started["line"],
                }
            )
        )
    ended = p[p["last_finished_at"].notna()]
    if not ended.empty:
        reason = ended["last_reason"].astype(STR).fillna("terminated")
        oom = (reason == "OOMKilled").to_numpy(dtype=bool) & broker[ended.index].to_numpy(bool)
        parts.append(
            pd.DataFrame(
                {
                    "timestamp": ended["last_finished_at"],
                    "family": np.where(oom, "broker_oom_killed", "pod_terminated"),
                    "severity": np.where(reason.isin(["Completed"]), "INFO", "ERROR"),
                    "message": "container "
                    + ended["container"].astype(STR).fillna("?")
                    + " of pod "
                    + ended["pod"].astype(STR)
                    + " terminated: "
                    + reason,
                    "lane": ended["pod"],
                    "file": ended["file"],
                    "line": ended["line"],
                }
            )
        )
    if not parts:
        return empty()
    frame = pd.concat(parts, ignore_index=True)
    frame["source"], frame["service"] = "pod", pd.NA
    frame["clock"], frame["approximate"] = Clock.KUBERNETES, False
    return _conform(frame)


def _events(frames: Frames) -> pd.DataFrame:
    e = frames.events
    if e.empty:
        return empty()
    # describe and get events show the same events: keep one of each, the exact one
    e = e.sort_values("approximate", kind="stable", na_position="last").drop_duplicates(
        ["reason", "object_name", "count"]
    )
    text = (
        e["reason"].astype(STR).fillna("?")
        + " "
        + e["object_kind"].astype(STR).fillna("")
        + "/"
        + e["object_name"].astype(STR).fillna("?")
        + ": "
        + e["message"].astype(STR).fillna("")
        + " (x"
        + e["count"].astype(STR).fillna("1")
        + ")"
    )
    oom = (e["reason"] == "OOMKilling").fillna(False) & e["message"].astype(STR).str.contains(
        "beam", regex=False
    ).fillna(False)
    warning = (e["type"] == "Warning").fillna(False)
    killing = (e["reason"] == "Killing").fillna(False)  # a pod deleted or restarted on purpose
    broker_started = (e["reason"] == "Started").fillna(False) & e["object_name"].astype(STR).fillna(
        ""
    ).str.match(BROKER)
    family = np.select(
        [
            oom.to_numpy(bool),
            killing.to_numpy(bool),
            broker_started.to_numpy(bool),
            warning.to_numpy(bool),
        ],
        ["broker_oom_killed", "pod_killed", "broker_pod_started", "k8s_warning"],
        "k8s_event",
    )
    parts = []
    for column in ("first_timestamp", "timestamp"):
        rows = e[e[column].notna()]
        if column == "first_timestamp":
            rows = rows[rows["first_timestamp"] != rows["timestamp"]]
        if rows.empty:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "timestamp": rows[column],
                    "family": family[e.index.get_indexer(rows.index)],
                    "severity": np.where(warning[rows.index], "WARNING", "INFO"),
                    "message": text[rows.index],
                    "file": rows["file"],
                    "line": rows["line"],
                    "approximate": rows["approximate"].fillna(False),
                }
            )
        )
    if not parts:
        return empty()
    frame = pd.concat(parts, ignore_index=True)
    frame["source"], frame["lane"], frame["clock"] = "event", K8S_LANE, Clock.KUBERNETES
    return _conform(frame)


def _services(frames: Frames) -> pd.DataFrame:
    s = frames.services
    if s.empty:
        return empty()
    rows = s[s["updated_at"].notna()]
    down = (rows["state"].astype(STR).str.lower() == "down").fillna(False)
    return _conform(
        pd.DataFrame(
            {
                "timestamp": rows["updated_at"],
                "source": "service",
                "lane": API_LANE,
                "service": rows["binary"],
                "severity": np.where(down, "WARNING", "INFO"),
                "family": "service_last_report",
                "message": rows["binary"].astype(STR).fillna("?")
                + " on "
                + rows["host"].astype(STR).fillna("?")
                + " last reported (state "
                + rows["state"].astype(STR).fillna("?")
                + ")",
                "file": rows["file"],
                "line": rows["line"],
                "clock": Clock.API,
                "approximate": False,
            }
        )
    )


def merged_events(frames: Frames) -> pd.DataFrame:
    """Every event of every source, as read (no skew correction yet), in time order."""
    parts = [
        p
        for p in (
            _logs(frames),
            _servers(frames),
            _pods(frames),
            _events(frames),
            _services(frames),
        )
        if not p.empty
    ]
    if not parts:
        return empty()
    frame = pd.concat(parts, ignore_index=True)
    frame["read_at"] = frame["timestamp"]
    frame["role"] = roles(frame["family"])
    return sort(frame)


def roles(families: pd.Series) -> pd.Series:
    """The role of each family, worked out once per distinct family (there are a few
    dozen), not once per row."""
    codes, distinct = pd.factorize(families, use_na_sentinel=True)
    table = np.array([role_of(str(f)) for f in distinct] + [role_of(None)], dtype=object)
    # code -1 (no family) takes the last entry
    return pd.Series(table[codes], index=families.index, dtype=STR)


def sort(frame: pd.DataFrame) -> pd.DataFrame:
    """Time order; rows without a time last; ties keep file order (file name, then line;
    rows without either after those with).

    One stable sort on integer keys: strings compared row by row cost more than
    the rest of the timeline on a busy log.
    """
    if len(frame) < 2:
        return frame.reset_index(drop=True)
    last = np.iinfo(np.int64).max
    ts = frame["timestamp"]
    instants = ts.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().view(np.int64)
    time_key = np.where(ts.isna().to_numpy(dtype=bool), last, instants)
    file_codes, _ = pd.factorize(frame["file"], sort=True, use_na_sentinel=True)
    file_key = np.where(file_codes < 0, last, file_codes)
    line = frame["line"]
    line_key = line.to_numpy(dtype="float64", na_value=np.inf)
    order = np.lexsort((line_key, file_key, time_key))
    return frame.take(order).reset_index(drop=True)


def apply_offsets(frame: pd.DataFrame, offsets: dict[str, float]) -> pd.DataFrame:
    """Subtract each lane's estimated clock offset (seconds) from its rows' times."""
    if frame.empty or not offsets:
        return frame
    shift = frame["lane"].map(offsets).astype("float64").fillna(0.0)
    out = frame.copy(deep=False)  # two columns are replaced; copy-on-write keeps `frame` as is
    out["offset_s"] = shift
    out["timestamp"] = (out["read_at"] - pd.to_timedelta(shift, unit="s")).astype(pandas_dtype(TS))
    return sort(out)


def filter_events(
    frame: pd.DataFrame,
    since: pd.Timestamp | None = None,
    until: pd.Timestamp | None = None,
    grep: str | None = None,
) -> pd.DataFrame:
    """Rows from ``since`` to ``until`` (inclusive) whose message, lane or family holds ``grep``
    (a case-insensitive plain substring: untrusted patterns are never compiled)."""
    keep = pd.Series(True, index=frame.index)
    if since is not None:
        keep &= (frame["timestamp"] >= since).fillna(False)
    if until is not None:
        keep &= (frame["timestamp"] <= until).fillna(False)
    if grep:
        needle = grep.casefold()
        hay = (
            frame["message"].astype(STR).fillna("")
            + " "
            + frame["lane"].astype(STR).fillna("")
            + " "
            + frame["family"].astype(STR).fillna("")
        ).str.casefold()
        keep &= hay.str.contains(needle, regex=False).fillna(False)
    return frame[keep.to_numpy(dtype=bool)].reset_index(drop=True)
