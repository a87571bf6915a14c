"""One bundle's analysis as rows of the fleet tables (:mod:`analyzer.fleet.tables`).

Pure functions of what :func:`analyzer.analysis.analyse` returns: the typed document
(already made displayable) and the frames. A failed bundle is one ``verdicts`` row with status
``failed`` and the reason, and no rows elsewhere.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # no stubs in pyarrow itself

from analyzer.document import AnalysisDocument
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


def verdict_row(doc: AnalysisDocument, source: str, seconds: float) -> dict[str, Any]:
    verdict, counts, incident = doc.verdict, doc.counts, doc.incident
    collected = timestamp(doc.collected_at)
    return {
        "status": "analysed",
        "error": None,
        "source": source,
        "verdict": verdict.cls.value,
        "confidence": float(verdict.confidence),
        "subcauses": list(verdict.subcauses),
        "region": doc.region,
        "deployment": doc.deployment.value,
        "namespace": doc.namespace,
        "collected_at": collected,
        "collected_week": iso_week(collected),
        "findings": len(doc.findings),
        "stuck_vms": len(doc.stuck_vms),
        "servers": counts.servers,
        "build_vms": counts.build,
        "error_vms": counts.error,
        "services_down": counts.services_down,
        "problems": len(doc.problems),
        "incident_status": incident.status if incident else None,
        "incident_onset": timestamp(incident.onset) if incident else None,
        "incident_duration_s": float(incident.duration_s) if incident else None,
        "vms_affected": incident.vms_affected if incident else None,
        "seconds": seconds,
    }


def failed_row(source: str, error: str, seconds: float) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(TABLES["verdicts"].names)
    row.update(status="failed", error=error, source=source, subcauses=[], seconds=seconds)
    return row


def finding_rows(doc: AnalysisDocument) -> list[dict[str, Any]]:
    rows = []
    for current, section in ((True, doc.findings), (False, doc.history)):
        for f in section:
            first = f.evidence[0] if f.evidence else None
            rows.append(
                {
                    "key": f.key,
                    "supports": f.supports.value,
                    "strength": float(f.strength),
                    "subcause": f.subcause,
                    "current": current,
                    "description": f.description,
                    "facts": json.dumps(f.facts, ensure_ascii=False, default=str),
                    "evidence_count": len(f.evidence),
                    "first_file": first.file if first else None,
                    "first_line": first.line if first else None,
                    "first_timestamp": timestamp(first.timestamp) if first else None,
                    "first_text": first.text if first else None,
                }
            )
    return rows


def stuck_vm_rows(doc: AnalysisDocument) -> list[dict[str, Any]]:
    return [
        {
            "id": vm.id,
            "name": vm.name,
            "status": vm.status,
            "task_state": vm.task_state,
            "host": vm.host,
            "created_at": timestamp(vm.created_at),
            "age_s": vm.age_s,
        }
        for vm in doc.stuck_vms
    ]


def timeline_rows(doc: AnalysisDocument) -> list[dict[str, Any]]:
    return [
        {
            "at": timestamp(e.at),
            "event": e.event,
            "detail": None if e.detail is None else str(e.detail),
        }
        for e in doc.key_events
    ]


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=TABLES[name])


def _frame_table(name: str, frame: pd.DataFrame) -> pa.Table:
    schema = TABLES[name]
    if frame.empty:
        return schema.empty_table()
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def analysed_tables(doc: AnalysisDocument, frames: Frames, source: str, seconds: float) -> Tables:
    return {
        "verdicts": _table("verdicts", [verdict_row(doc, source, seconds)]),
        "findings": _table("findings", finding_rows(doc)),
        "stuck_vms": _table("stuck_vms", stuck_vm_rows(doc)),
        "timeline": _table("timeline", timeline_rows(doc)),
        "services": _frame_table("services", frames.services),
        "pods": _frame_table("pods", frames.pods),
        "log_templates": _frame_table("log_templates", frames.log_templates),
    }


def failed_tables(source: str, error: str, seconds: float) -> Tables:
    tables = {name: schema.empty_table() for name, schema in TABLES.items()}
    tables["verdicts"] = _table("verdicts", [failed_row(source, error, seconds)])
    return tables
