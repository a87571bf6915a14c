"""Every bundle a collector test leaves in its temporary directory is checked by detect-secrets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.collector.detect import detected_secrets


@pytest.fixture(autouse=True)
def _no_secret_in_any_bundle(tmp_path: Path) -> Iterator[None]:
    yield
    for bundle in sorted(tmp_path.rglob("*.tgz")):
        if bundle.is_file() and not bundle.is_symlink():
            assert detected_secrets(bundle) == [], bundle.name
