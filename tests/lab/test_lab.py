"""The failure lab, live: a fresh RabbitMQ, real oslo.messaging clients, every case.

Runs only when ``PCD_LAB_PYTHON`` names the lab's virtualenv python (``run_lab.sh`` sets
it); the ordinary suite covers the recorded bundles instead (``tests/test_lab_fixtures.py``).
The bundles of this run are analysed with the same checks and the same known gaps.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.lab import broker, driver
from tests.lab.cases import bundles
from tests.lab.expectations import analysis_of, check, check_params

PYTHON = os.environ.get("PCD_LAB_PYTHON")
OUT = Path(os.environ.get("PCD_LAB_OUT", "test-artifacts/lab"))
EXPECTED = {name: expect.to_dict() for name, expect in bundles()}

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(not PYTHON, reason="PCD_LAB_PYTHON unset: run tests/lab/run_lab.sh"),
]


@cache
def lab_run() -> dict[str, Any]:
    """Run every case once per session; the expected.json it wrote."""
    why = broker.available()
    if why:
        pytest.fail(why)
    code = driver.main(["--python", str(PYTHON), "--out", str(OUT)])
    assert code == 0
    result: dict[str, Any] = json.loads((OUT / "expected.json").read_text())
    return result


@cache
def doc_of(name: str) -> dict[str, Any]:
    return analysis_of(OUT / f"{name}.tgz")


def test_lab_runs_every_case() -> None:
    result = lab_run()
    assert set(result["bundles"]) == set(EXPECTED)
    assert all((OUT / f"{name}.tgz").exists() for name in EXPECTED)


@pytest.mark.parametrize(("name", "which"), check_params(EXPECTED, live=True))
def test_live_lab_bundle(name: str, which: str) -> None:
    lab_run()
    check(doc_of(name), EXPECTED[name], which)
