"""analysis.json's contract: docs/analysis-schema.json, generated from analyzer.document,
is current, and every shipped bundle's analysis.json is valid against it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import pytest

from analyzer.analysis import analyse
from analyzer.document import AnalysisDocument, to_json
from analyzer.document.__main__ import main as schema_command
from analyzer.document.codec import SCHEMA_FILE, schema_text
from tests.test_lab_fixtures import BUNDLES as LAB_BUNDLES
from tests.test_lab_fixtures import doc_of

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "fixtures" / "bundles").glob("*.tgz"))


@cache
def validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@cache
def _analysed(bundle: Path) -> AnalysisDocument:
    doc, _frames, _inv = analyse([bundle])
    return doc


def _errors(doc: object) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator().iter_errors(doc)]


def test_the_checked_in_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/analysis-schema.json is stale: run python -m analyzer.document --schema"
    )


def test_the_schema_command_writes_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert schema_command(["--schema", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == schema_text()
    assert schema_command([]) == 2


@pytest.mark.slow
@pytest.mark.parametrize("bundle", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_bundle_gives_a_valid_document(bundle: Path) -> None:
    doc = _analysed(bundle)
    assert _errors(json.loads(to_json(doc))) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LAB_BUNDLES))
def test_every_lab_bundle_gives_a_valid_document(name: str) -> None:
    # the lab tests' analyses, cached for the session: no bundle is analysed twice
    assert _errors(doc_of(name)) == []


def test_a_failed_timeline_is_valid_and_names_the_error() -> None:
    doc = _analysed(SHIPPED[0])
    failed = msgspec.structs.replace(
        doc, incident=None, vm_stories=[], burst=None, key_events=[], charts=None,
        timeline_error="ValueError: boom",
    )  # fmt: skip
    plain = json.loads(to_json(failed))
    assert _errors(plain) == []
    keys = list(plain)
    assert keys.index("timeline_error") == keys.index("charts") + 1
    assert "timeline_error" not in json.loads(to_json(doc))


def test_the_schema_refuses_what_the_contract_forbids() -> None:
    doc = _analysed(SHIPPED[0])
    plain = json.loads(to_json(doc))
    plain["verdict"]["class"] = "brand_new_class"
    plain["collected_at"] = "2026-03-02 09:31"
    del plain["counts"]
    errors = "\n".join(_errors(plain))
    assert "$.verdict.class" in errors
    assert "$.collected_at" in errors
    assert "'counts' is a required property" in errors
