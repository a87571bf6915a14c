"""One bundle's analysis as rows of the fleet tables (:mod:`analyzer.fleet.tables`).

Pure functions of what :func:`analyzer.analysis.analyse` returns: the document (already
made displayable) and the frames. A failed bundle is one ``verdicts`` row with status
``failed`` and the reason, and no rows elsewhere.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # no stubs in pyarrow itself

from analyzer.fleet.tables import TABLES
from analyzer.frames import Frames

Tables = dict[str, pa.Table]


def timestamp(value: object) -> datetime | None:
    """An ISO time from the document as an aware UTC datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        return None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def iso_week(when: datetime | None) -> str | None:
    if when is None:
        return None
    year, week, _day = when.isocalendar()
    return f"{year}-W{week:02d}"


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and value == value else None


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and value == value else None


def verdict_row(doc: dict[str, Any], source: str, seconds: float) -> dict[str, Any]:
    verdict = doc.get("verdict") or {}
    counts = doc.get("counts") or {}
    incident = doc.get("incident") or {}
    collected = timestamp(doc.get("collected_at"))
    return {
        "status": "analysed",
        "error": None,
        "source": source,
        "verdict": verdict.get("class"),
        "confidence": _float(verdict.get("confidence")),
        "subcauses": list(verdict.get("subcauses") or []),
        "region": doc.get("region"),
        "deployment": doc.get("deployment"),
        "namespace": doc.get("namespace"),
        "collected_at": collected,
        "collected_week": iso_week(collected),
        "findings": len(doc.get("findings") or []),
        "stuck_vms": len(doc.get("stuck_vms") or []),
        "servers": _int(counts.get("servers")),
        "build_vms": _int(counts.get("build")),
        "error_vms": _int(counts.get("error")),
        "services_down": _int(counts.get("services_down")),
        "problems": len(doc.get("problems") or []),
        "incident_status": incident.get("status"),
        "incident_onset": timestamp(incident.get("onset")),
        "incident_duration_s": _float(incident.get("duration_s")),
        "vms_affected": _int(incident.get("vms_affected")),
        "seconds": seconds,
    }


def failed_row(source: str, error: str, seconds: float) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(TABLES["verdicts"].names)
    row.update(status="failed", error=error, source=source, subcauses=[], seconds=seconds)
    return row


def finding_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for current, section in ((True, "findings"), (False, "history")):
        for f in doc.get(section) or []:
            evidence = f.get("evidence") or []
            first = evidence[0] if evidence else {}
            rows.append(
                {
                    "key": f.get("key"),
                    "supports": f.get("supports"),
                    "strength": _float(f.get("strength")),
                    "subcause": bool(f.get("subcause")),
                    "current": current,
                    "description": f.get("description"),
                    "facts": json.dumps(f.get("facts") or {}, ensure_ascii=False, default=str),
                    "evidence_count": len(evidence),
                    "first_file": first.get("file"),
                    "first_line": _int(first.get("line")),
                    "first_timestamp": timestamp(first.get("timestamp")),
                    "first_text": first.get("text"),
                }
            )
    return rows


def stuck_vm_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": vm.get("id"),
            "name": vm.get("name"),
            "status": vm.get("status"),
            "task_state": vm.get("task_state"),
            "host": vm.get("host"),
            "created_at": timestamp(vm.get("created_at")),
            "age_s": _float(vm.get("age_s")),
        }
        for vm in doc.get("stuck_vms") or []
    ]


def timeline_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "at": timestamp(e.get("at")),
            "event": e.get("event"),
            "detail": None if e.get("detail") is None else str(e.get("detail")),
        }
        for e in doc.get("key_events") or []
    ]


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=TABLES[name])


def _frame_table(name: str, frame: pd.DataFrame) -> pa.Table:
    schema = TABLES[name]
    if frame.empty:
        return schema.empty_table()
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def analysed_tables(doc: dict[str, Any], frames: Frames, source: str, seconds: float) -> Tables:
    return {
        "verdicts": _table("verdicts", [verdict_row(doc, source, seconds)]),
        "findings": _table("findings", finding_rows(doc)),
        "stuck_vms": _table("stuck_vms", stuck_vm_rows(doc)),
        "timeline": _table("timeline", timeline_rows(doc)),
        "services": _frame_table("services", frames.services),
        "pods": _frame_table("pods", frames.pods),
    }


def failed_tables(source: str, error: str, seconds: float) -> Tables:
    tables = {name: schema.empty_table() for name, schema in TABLES.items()}
    tables["verdicts"] = _table("verdicts", [failed_row(source, error, seconds)])
    return tables
