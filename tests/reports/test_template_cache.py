"""Compiled templates kept between runs change no report, and a damaged cache costs nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.analysis import analyse
from analyzer.document import AnalysisDocument
from reports import render_html, render_markdown
from reports.render import environment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    environment.cache_clear()
    yield tmp_path / "pcd-bundle-analyzer" / "templates"
    environment.cache_clear()


@pytest.fixture(scope="module")
def doc() -> AnalysisDocument:
    document, _frames, _inventory = analyse([ROOT / "fixtures/bundles/selfhosted-broker-oom.tgz"])
    return document


def _reports(doc: AnalysisDocument) -> tuple[str, str]:
    environment.cache_clear()  # a new run: templates from the cache, not from memory
    return render_markdown(doc), render_html(doc)


def test_reports_from_compiled_templates_are_the_same(
    cache_home: Path, doc: AnalysisDocument
) -> None:
    compiled = _reports(doc)
    names = [p.name for p in cache_home.iterdir()]
    assert len(names) == 2  # both templates,
    assert len({n.split("-")[0] for n in names}) == 1  # under one digest of the options
    assert _reports(doc) == compiled


def test_a_damaged_cache_is_compiled_again(cache_home: Path, doc: AnalysisDocument) -> None:
    compiled = _reports(doc)
    for path in cache_home.iterdir():
        path.write_bytes(path.read_bytes()[:40] + b"\x00garbage")
    assert _reports(doc) == compiled
    assert _reports(doc) == compiled  # written anew


def test_without_a_writable_cache_folder_reports_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doc: AnalysisDocument
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    try:
        assert environment().bytecode_cache is None
        reports = _reports(doc)
    finally:
        environment.cache_clear()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert _reports(doc) == reports
    environment.cache_clear()
