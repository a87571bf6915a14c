"""The HTML report in a real browser (Debian's Chromium, driven by Playwright).

Offline by construction: every request the page would make is recorded and refused. The
report must show its verdict, symptom table and recovery with no request, no script
dialog and no console error. A screenshot of each report is kept under
test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import build_app

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ROOT / "fixtures" / "bundles"
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI must install Debian's chromium for the browser tests", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def render(bundle: Path, out: Path) -> Path:
    result = CliRunner().invoke(build_app(), [str(bundle), "--out", str(out), "--quiet"])
    assert result.exit_code in (0, 1), result.output
    return out / "report.html"


def open_offline(browser: object, html: Path, shot: Path) -> dict[str, object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(offline=True, java_script_enabled=True)
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def refuse(route: object) -> None:
        from playwright.sync_api import Route

        assert isinstance(route, Route)
        if route.request.url != html.as_uri():
            requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", refuse)
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    seen = {
        "requests": requests,
        "dialogs": dialogs,
        "errors": errors,
        "text": page.inner_text("body"),
        "tables": page.locator("table").count(),
        "title_visible": page.locator("h1").first.is_visible(),
    }
    context.close()
    return seen


SHIPPED = sorted(p.name.removesuffix(".tgz") for p in BUNDLES.glob("*.tgz"))


@pytest.mark.parametrize("name", SHIPPED)
def test_report_opens_offline_and_shows_the_essentials(
    browser: object, tmp_path: Path, name: str
) -> None:
    html = render(BUNDLES / f"{name}.tgz", tmp_path / "out")
    seen = open_offline(browser, html, SHOTS / f"{name}.png")
    assert seen["requests"] == []
    assert seen["dialogs"] == []
    assert seen["errors"] == []
    assert seen["title_visible"]
    text = str(seen["text"]).casefold()
    assert "verdict" in text
    assert "vms stuck in build indefinitely" in text  # the symptom table
    assert "recovery" in text
    assert int(str(seen["tables"])) >= 1


@pytest.mark.parametrize("name", SHIPPED)
def test_first_screen_shows_the_verdict_and_the_next_steps(
    browser: object, tmp_path: Path, name: str
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    html = render(BUNDLES / f"{name}.tgz", tmp_path / "out")
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(SHOTS / f"{name}-first-screen.png"))
    box = page.locator("#next-steps")
    bottoms = [box.locator("h2").bounding_box()]
    bottoms += [b.bounding_box() for b in box.locator("pre").all()]
    bottoms += [b.bounding_box() for b in box.locator("p").all()]
    context.close()
    assert all(b is not None and b["y"] + b["height"] <= 800 for b in bottoms), bottoms
