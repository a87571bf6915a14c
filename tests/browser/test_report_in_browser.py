"""The HTML report in a real browser (Debian's Chromium, driven by Playwright).

Offline by construction: every request the page would make is recorded and refused. The
report must show its verdict, symptom table and recovery with no request, no script
dialog and no console error. A screenshot of each report is kept under
test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, SHIPPED

SHOTS = ROOT / "test-artifacts" / "screenshots"


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


@pytest.mark.parametrize("name", SHIPPED)
def test_report_opens_offline_and_shows_the_essentials(
    browser: object, report: Callable[[str], Path], name: str
) -> None:
    html = report(name)
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
