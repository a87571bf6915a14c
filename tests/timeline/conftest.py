"""Generated bundles with known onsets and clock skews, analysed once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from analyzer.analysis import analyse
from analyzer.document import to_builtins
from fixtures.generate import generate

Analysed = tuple[dict[str, Any], dict[str, object]]


@pytest.fixture(scope="session")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Analysed]:
    """``analysed(scenario, **overrides)`` -> (analysis.json as parsed JSON, generator facts)."""
    cache: dict[tuple[str, str], Analysed] = {}

    def run(name: str, **overrides: object) -> Analysed:
        key = (name, repr(sorted(overrides.items())))
        if key not in cache:
            from fixtures.generate import build

            out: Path = tmp_path_factory.mktemp("bundles")
            path = generate(name, out, **overrides)
            doc, _frames, _inv = analyse([path])
            cache[key] = (to_builtins(doc), build(name, **overrides).facts)
        return cache[key]

    return run
