"""The bundle's manifest.json (docs/bundle-format.md) and per-host clock.json.

A bundle without a manifest is normal: every field of ``Manifest`` is optional.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil import parser as dateparser

from analyzer.model import BundleProblem, CollectedItem, Deployment, Manifest, SourceFile


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time as aware UTC; a value without a zone is UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = dateparser.isoparse(value)
    except (ValueError, OverflowError):
        return None
    if ts.tzinfo is None:
        return ts.replace(tzinfo=UTC)

    return ts.astimezone(UTC)


def _offset(value: object) -> timedelta | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if abs(value) > 14 * 3600:
        return None
    return timedelta(seconds=float(value))


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def load_manifest(src: SourceFile) -> tuple[Manifest, list[BundleProblem]]:
    try:
        doc: Any = json.loads(src.data)
    except (ValueError, UnicodeDecodeError) as exc:
        return Manifest(), [BundleProblem(src.path, f"invalid JSON ({exc})", "the manifest")]
    if not isinstance(doc, dict):
        return Manifest(), [BundleProblem(src.path, "not a JSON object", "the manifest")]
    problems: list[BundleProblem] = []
    schema = _str(doc.get("schema"))
    if schema is not None and not schema.startswith("pcd-bundle/1"):
        problems.append(
            BundleProblem(src.path, f"unknown schema {schema!r}; read as pcd-bundle/1", "nothing")
        )
    try:
        deployment = Deployment(doc.get("deployment") or "unknown")
    except ValueError:
        deployment = Deployment.UNKNOWN
    host: dict[str, Any] = doc["host"] if isinstance(doc.get("host"), dict) else {}
    collector: dict[str, Any] = doc["collector"] if isinstance(doc.get("collector"), dict) else {}
    items = []
    for raw in _list(doc.get("items")):
        if not isinstance(raw, dict):
            continue
        cmd = raw.get("command")
        exit_code = raw.get("exit_code")
        items.append(
            CollectedItem(
                path=str(raw.get("path") or ""),
                command=[str(c) for c in cmd] if isinstance(cmd, list) else None,
                exit_code=exit_code if isinstance(exit_code, int) else None,
                timed_out=bool(raw.get("timed_out")),
                error=_str(raw.get("error")),
            )
        )
    truncated = [
        {"path": str(t.get("path", "")), "reason": str(t.get("reason", ""))}
        for t in _list(doc.get("truncated"))
        if isinstance(t, dict)
    ]
    manifest = Manifest(
        schema=schema,
        collected_at=parse_time(doc.get("collected_at")),
        deployment=deployment,
        region=_str(doc.get("region")),
        namespace=_str(doc.get("namespace")),
        utc_offset=_offset(host.get("utc_offset_s")),
        collector=" ".join(
            s for s in (_str(collector.get("name")), _str(collector.get("version"))) if s
        )
        or None,
        items=items,
        truncated=truncated,
    )
    if doc.get("collected_at") is not None and manifest.collected_at is None:
        problems.append(BundleProblem(src.path, "unreadable collected_at", "the collection time"))
    return manifest, problems


def load_clock(src: SourceFile) -> timedelta | None:
    """hosts/<host>/clock.json: the hypervisor's own UTC offset."""
    try:
        doc = json.loads(src.data)
    except (ValueError, UnicodeDecodeError):
        return None
    return _offset(doc.get("utc_offset_s")) if isinstance(doc, dict) else None
