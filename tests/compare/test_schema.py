"""compare.json's contract: docs/compare-schema.json is current and documents validate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.compare import Analysed, compare
from analyzer.compare.__main__ import main as schema_command
from analyzer.compare.document import from_json, schema_text, to_json

jsonschema = pytest.importorskip("jsonschema")
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "compare-schema.json"


def test_the_checked_in_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/compare-schema.json is stale: run python -m analyzer.compare --schema"
    )
    assert schema_command([]) == 2


@pytest.mark.parametrize(
    ("before", "after"),
    [("before", "oom-after-relapse"), ("lab/broker-stopped", "lab/broker-stopped-recovered")],
)
def test_documents_validate_and_round_trip(
    side: Callable[[str], Analysed], before: str, after: str
) -> None:
    doc = compare(side(before), side(after))
    text = to_json(doc)
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.loads(text)))
    assert not errors, [e.message for e in errors]
    assert from_json(text) == doc
