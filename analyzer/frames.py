"""The declared tables every parser feeds, and the one place where frames are built.

Timestamps are tz-aware UTC from the first moment. ``file``/``line`` on every row point
back at the bundle so any row can become evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
from pandas.api.extensions import ExtensionDtype
from pandas.api.types import pandas_dtype

TS = "datetime64[us, UTC]"  # microseconds: the range covers year 1 to 9999
STR = "string"
INT = "Int64"
BOOL = "boolean"

SCHEMAS: dict[str, dict[str, str]] = {
    # pcdctl server list / server show
    "servers": {
        "id": STR,
        "name": STR,
        "status": STR,  # ACTIVE, BUILD, ERROR, ...
        "task_state": STR,  # scheduling, spawning, ... or <NA>
        "vm_state": STR,
        "power_state": STR,  # word form: Running, NOSTATE, Shutdown, ...
        "host": STR,
        "project_id": STR,
        "flavor": STR,
        "image": STR,
        "network": STR,  # the first network the server is attached to
        "created_at": TS,
        "updated_at": TS,
        "launched_at": TS,
        "fault_code": INT,
        "fault_message": STR,
        "fault_created": TS,
        "file": STR,
        "line": INT,
    },
    # pcdctl compute service list
    "services": {
        "id": STR,
        "binary": STR,
        "host": STR,
        "zone": STR,
        "status": STR,  # enabled / disabled
        "state": STR,  # up / down
        "updated_at": TS,
        "disabled_reason": STR,
        "forced_down": BOOL,
        "file": STR,
        "line": INT,
    },
    # every log record of every log source, one row per record (tracebacks folded in)
    "logs": {
        "timestamp": TS,
        "source": STR,  # oslo, rabbitmq, pf9, kubectl
        "service": STR,  # nova-compute, nova-conductor, rabbitmq, ... or <NA>
        "host": STR,  # hypervisor hostname or pod name
        "level": STR,  # DEBUG INFO WARNING ERROR CRITICAL
        "logger": STR,
        "pid": INT,
        "request_id": STR,
        "global_request_id": STR,
        "instance": STR,  # instance UUID when the record names one
        "message": STR,  # first line of the record
        "detail": STR,  # folded continuation lines (traceback), or <NA>
        "clock": STR,  # analyzer.model.Clock
        "file": STR,
        "line": INT,
        # the stamp the collector put before the line (journald, docker -t, compose -t,
        # kubectl --timestamps), on UTC; <NaT> when the line came without one
        "reported_at": TS,
    },
    # the records of large logs that no rule reads, counted per minute (analyzer.fold)
    "log_counts": {
        "minute": TS,  # the minute of the records' own time stamps, on UTC
        "source": STR,
        "service": STR,
        "host": STR,
        "level": STR,  # DEBUG or INFO: records at WARNING or above are always rows
        "records": INT,
        "first": TS,
        "last": TS,
        "clock": STR,
        "file": STR,
    },
    # message templates of a sample of those records, per log (analyzer.fold_templates)
    "log_templates": {
        "source": STR,
        "service": STR,
        "host": STR,
        "file": STR,
        "level": STR,  # DEBUG or INFO, as the records are counted
        "template": STR,  # the first line after its stamp, ids and numbers masked
        "sampled": INT,  # records of this template in the sample
        "sample_every": INT,  # one counted record in this many was sampled
        "first": TS,  # the first and last sampled record's time, on UTC
        "last": TS,
        "first_line": INT,
        "last_line": INT,
        "example": STR,  # the first sampled record's first line, as written
    },
    # Kubernetes pods: one row per container (a pod without container statuses: one row)
    "pods": {
        "namespace": STR,
        "pod": STR,
        "phase": STR,  # Pending, Running, Succeeded, Failed, Unknown
        "status": STR,  # what `kubectl get pods` STATUS would show
        "node": STR,
        "container": STR,
        "ready": BOOL,
        "restart_count": INT,
        "state": STR,  # running | waiting | terminated
        "reason": STR,  # current waiting/terminated reason (CrashLoopBackOff, ...)
        "message": STR,
        "started_at": TS,
        "last_reason": STR,  # last terminated reason (OOMKilled, Error, Completed)
        "last_exit_code": INT,
        "last_finished_at": TS,
        "memory_limit": STR,
        "owner": STR,  # the controller that owns the pod, as Kind/name (StatefulSet/rabbitmq)
        "file": STR,
        "line": INT,
    },
    # Kubernetes events (get events -o json, describe pod Events: table)
    "events": {
        "timestamp": TS,  # last seen
        "first_timestamp": TS,
        "namespace": STR,
        "type": STR,  # Normal / Warning
        "reason": STR,
        "object_kind": STR,
        "object_name": STR,
        "message": STR,
        "count": INT,
        "approximate": BOOL,  # time derived from a relative age
        "file": STR,
        "line": INT,
    },
}


_DTYPES = {d: pandas_dtype(d) for d in (TS, STR, INT, BOOL)}


def empty(table: str) -> pd.DataFrame:
    schema = SCHEMAS[table]
    return pd.DataFrame({col: pd.Series(dtype=dtype) for col, dtype in schema.items()})


def row_files(frame: pd.DataFrame, path: str | None) -> pd.Series:
    """The file each row came from: ``path``, or (None: the frame holds several files, a
    parse batch) the frame's own ``file`` column, as plain strings."""
    if path is not None:
        return pd.Series(path, index=frame.index, dtype=object)
    return frame["file"].astype(str).astype(object)


def conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give a frame exactly the declared columns, in order, with the declared dtypes."""
    schema = SCHEMAS[table]
    dtypes = dict(zip(frame.columns, frame.dtypes, strict=True))
    if list(dtypes) == list(schema) and all(dtypes[c] == _DTYPES[d] for c, d in schema.items()):
        return frame.reset_index(drop=True)  # a parser built it to the schema already
    frame = frame.reset_index(drop=True)  # once, not once per column
    out: dict[str, pd.Series] = {}
    n = len(frame)
    for col, dtype in schema.items():
        if col in dtypes:
            try:
                out[col] = _cast(frame[col], dtype)
            except (TypeError, ValueError, OverflowError):
                # a parser handed over values of the wrong kind: keep the row, lose the cell
                out[col] = missing_column(_DTYPES[dtype], n)
        else:
            out[col] = missing_column(_DTYPES[dtype], n)
    return frame_of_columns(out, n)


def missing_column(dtype: ExtensionDtype | np.dtype[Any], n: int) -> pd.Series:
    """``n`` missing values of ``dtype`` (<NA>, NaT for times). Text columns are one
    buffer of nulls: pandas would convert a missing value n times over."""
    if dtype == _DTYPES[STR]:
        return pd.Series(pd.arrays.ArrowStringArray(pa.nulls(n, pa.large_string())))
    missing = pd.NaT if dtype == _DTYPES[TS] else pd.NA
    return pd.Series(missing, index=pd.RangeIndex(n), dtype=dtype)


def frame_of_columns(columns: dict[str, pd.Series], n: int) -> pd.DataFrame:
    """A frame of ``n`` rows from columns of ``n`` values each, taken by position.

    Their arrays, not the Series: pandas would align the Series' indexes first, about
    60 µs a column, and a small bundle builds a few dozen such frames. The frame gets
    copies of the arrays, as from the Series.
    """
    return pd.DataFrame(
        {col: series.array for col, series in columns.items()}, index=pd.RangeIndex(n)
    )


def _cast(series: pd.Series, dtype: str) -> pd.Series:
    target = _DTYPES[dtype]
    if series.dtype == target:
        return series  # parsers mostly hand over the declared dtype already
    # A dtype object, not its name: astype would parse the name again each call.
    if dtype == TS:
        if not _is_utc(series.dtype):  # (times on UTC need only their unit changed)
            series = pd.to_datetime(series, utc=True, errors="coerce")
        return series.astype(target)
    if dtype == INT and not pd.api.types.is_integer_dtype(series.dtype):  # (else: no parse)
        series = pd.to_numeric(series, errors="coerce")
    return series.astype(target)


def _is_utc(dtype: object) -> bool:
    return isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"


@dataclass
class Frames:
    """All tables of an analysis, each conforming to SCHEMAS."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getitem__(self, table: str) -> pd.DataFrame:
        frame = self.tables.get(table)  # not .get(table, empty(table)): that builds one per call
        return frame if frame is not None else empty(table)

    @property
    def servers(self) -> pd.DataFrame:
        return self["servers"]

    @property
    def services(self) -> pd.DataFrame:
        return self["services"]

    @property
    def logs(self) -> pd.DataFrame:
        return self["logs"]

    @property
    def log_counts(self) -> pd.DataFrame:
        return self["log_counts"]

    @property
    def log_templates(self) -> pd.DataFrame:
        return self["log_templates"]

    @property
    def pods(self) -> pd.DataFrame:
        return self["pods"]

    @property
    def events(self) -> pd.DataFrame:
        return self["events"]

    def has(self, table: str) -> bool:
        return table in self.tables and not self.tables[table].empty


def build_frames(parts: dict[str, list[pd.DataFrame]]) -> Frames:
    tables: dict[str, pd.DataFrame] = {}
    for table in SCHEMAS:
        pieces = [conform(table, p) for p in parts.get(table, []) if not p.empty]
        tables[table] = (
            _contiguous(pd.concat(pieces, ignore_index=True)) if pieces else empty(table)
        )
    return Frames(tables)


def _contiguous(frame: pd.DataFrame) -> pd.DataFrame:
    """One Arrow buffer per text column instead of one per parsed file.

    pyarrow's ``take`` on a chunked array first concatenates every chunk, so each row
    selection (``logs[mask]``, dozens per analysis) copied the whole column: hundreds of
    times slower than on one chunk for a bundle of many logs. Joined once here instead.
    """
    for col in frame.columns:
        values = frame[col].array
        if not isinstance(values, pd.arrays.ArrowStringArray):
            continue
        chunked = pa.array(values)
        if isinstance(chunked, pa.ChunkedArray) and chunked.num_chunks > 1:
            frame[col] = pd.Series(
                pd.arrays.ArrowStringArray(chunked.combine_chunks()), index=frame.index
            )
    return frame
