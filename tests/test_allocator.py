"""The allocator tuning is applied on glibc and left to the environment when it speaks."""

from __future__ import annotations

import sys

import pytest

from analyzer.allocator import tune_for_streaming


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_thresholds_are_set_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    # Dask's nanny puts MALLOC_TRIM_THRESHOLD_ into the environment of the process
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert tune_for_streaming() is True
    assert tune_for_streaming() is True  # idempotent


def test_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert tune_for_streaming() is False
