"""analysis.json in and out of the typed document, and the JSON Schema of it.

The text is written exactly as ``json.dumps(..., indent=2, ensure_ascii=False)`` writes a
plain dict (the format analysis.json has always had): msgspec turns the document into
built-in values in field order, the standard library lays them out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from analyzer.document.root import AnalysisDocument

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "analysis-schema.json"


def to_builtins(doc: AnalysisDocument) -> dict[str, Any]:
    """The document as dicts, lists and scalars, keys in the JSON's order."""
    out: dict[str, Any] = msgspec.to_builtins(doc)
    return out


def to_json(doc: AnalysisDocument) -> str:
    """The text of analysis.json."""
    return json.dumps(to_builtins(doc), indent=2, ensure_ascii=False) + "\n"


def from_json(data: bytes | str) -> AnalysisDocument:
    """The document from analysis.json text; ``msgspec.ValidationError`` when it does not
    have the shape of this version's schema."""
    return msgspec.json.decode(data, type=AnalysisDocument)


def from_builtins(value: object) -> AnalysisDocument:
    """The document from already parsed JSON (a dict); validated like :func:`from_json`."""
    return msgspec.convert(value, AnalysisDocument)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of analysis.json, generated from the types."""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "analysis.json (pcd-analysis/1)",
        **msgspec.json.schema(AnalysisDocument),
    }
    return schema


def schema_text() -> str:
    """The schema file's text, as checked in under docs/."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
