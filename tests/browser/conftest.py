"""What every browser test shares: one Chromium for the test run, each shipped bundle's
report rendered once, and the offline context the reports are opened in.

Debian's Chromium drives the tests (through Playwright); without it they are skipped, and
on CI (``CI`` set) its absence is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from analyzer.cli import build_app
from tests.conftest import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ROOT / "fixtures" / "bundles"
SHIPPED = sorted(p.name.removesuffix(".tgz") for p in BUNDLES.glob("*.tgz"))
# The first screen the report is judged by: a laptop's browser window.
SCREEN = {"width": 1280, "height": 800}

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI must install Debian's chromium for the browser tests", pytrace=False)


@pytest.fixture(scope="session")
def report(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``report(name)``: the HTML report of a shipped bundle, rendered once a test run."""
    out = tmp_path_factory.mktemp("reports")
    done: dict[str, Path] = {}

    def html(name: str) -> Path:
        if name not in done:
            target = out / name
            result = CliRunner().invoke(
                build_app(), [str(BUNDLES / f"{name}.tgz"), "--out", str(target), "--quiet"]
            )
            assert result.exit_code in (0, 1), result.output
            done[name] = target / "report.html"
        return done[name]

    return html


def new_page(browser: Any, html: Path, *, javascript: bool = False) -> Any:
    """A page at the first-screen size in an offline context, with ``html`` loaded.

    Scripts are off unless a test needs them to measure the page (the report has none).
    """
    context = browser.new_context(
        offline=True, java_script_enabled=javascript, viewport=SCREEN, device_scale_factor=1
    )
    page = context.new_page()
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    return page
