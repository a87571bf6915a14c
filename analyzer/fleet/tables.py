"""The fleet dataset's tables and their declared Arrow schemas, in one place.

Every table is written once per bundle as ``<table>/bundle=<key>/part-0.parquet`` (Hive
partitioning), so DuckDB, Spark and Trino read the ``bundle`` column from the folder
name; it is therefore not stored inside the files. A bundle without rows for a table
still gets an empty file with the schema, so every bundle is present in every table and a
query over a table never finds it missing. ``services``, ``pods`` and ``log_templates`` keep the
columns of the single-bundle frames (:data:`analyzer.frames.SCHEMAS`); the other tables are read off
``analysis.json`` (docs/analysis-json.md).
"""

from __future__ import annotations

import pyarrow as pa  # type: ignore[import-untyped]  # no stubs in pyarrow itself

from analyzer.frames import BOOL, INT, SCHEMAS, STR, TS

TIMESTAMP = pa.timestamp("us", tz="UTC")

VERDICTS = pa.schema(
    [
        ("status", pa.string()),  # analysed | failed
        ("error", pa.string()),  # the one-line reason a bundle failed, else null
        ("source", pa.string()),  # the bundle's path as given to the fleet run
        ("verdict", pa.string()),  # verdict class, null when failed
        ("confidence", pa.float64()),
        ("subcauses", pa.list_(pa.string())),
        ("region", pa.string()),
        ("deployment", pa.string()),
        ("namespace", pa.string()),
        ("collected_at", TIMESTAMP),
        ("collected_week", pa.string()),  # ISO week of collected_at: 2026-W10
        ("findings", pa.int64()),
        ("stuck_vms", pa.int64()),
        ("servers", pa.int64()),
        ("build_vms", pa.int64()),
        ("error_vms", pa.int64()),
        ("services_down", pa.int64()),
        ("problems", pa.int64()),  # bundle problems listed in the report
        ("incident_status", pa.string()),  # ongoing | recovered | history | null
        ("incident_onset", TIMESTAMP),
        ("incident_duration_s", pa.float64()),
        ("vms_affected", pa.int64()),
        ("seconds", pa.float64()),  # analysis wall time on the worker
    ]
)

FINDINGS = pa.schema(
    [
        ("key", pa.string()),
        ("supports", pa.string()),
        ("strength", pa.float64()),
        ("subcause", pa.bool_()),
        ("current", pa.bool_()),  # false: a finding from the history (over or too old)
        ("description", pa.string()),
        ("facts", pa.string()),  # the finding's facts as JSON text
        ("evidence_count", pa.int64()),
        ("first_file", pa.string()),
        ("first_line", pa.int64()),
        ("first_timestamp", TIMESTAMP),
        ("first_text", pa.string()),
    ]
)

STUCK_VMS = pa.schema(
    [
        ("id", pa.string()),
        ("name", pa.string()),
        ("status", pa.string()),
        ("task_state", pa.string()),
        ("host", pa.string()),
        ("created_at", TIMESTAMP),
        ("age_s", pa.float64()),
    ]
)

TIMELINE = pa.schema(  # the key events of the incident timeline (analysis.json key_events)
    [("at", TIMESTAMP), ("event", pa.string()), ("detail", pa.string())]
)

_ARROW = {STR: pa.string(), TS: TIMESTAMP, INT: pa.int64(), BOOL: pa.bool_()}


def frame_schema(table: str) -> pa.Schema:
    """The Arrow schema of one of the single-bundle frames."""
    return pa.schema([(col, _ARROW[dtype]) for col, dtype in SCHEMAS[table].items()])


TABLES: dict[str, pa.Schema] = {
    "verdicts": VERDICTS,
    "findings": FINDINGS,
    "stuck_vms": STUCK_VMS,
    "timeline": TIMELINE,
    "services": frame_schema("services"),
    "pods": frame_schema("pods"),
    "log_templates": frame_schema("log_templates"),
}
