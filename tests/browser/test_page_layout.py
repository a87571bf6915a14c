"""The report as a person first sees it, at 1280x800 in Chromium.

- the verdict (and the "Next steps" box, when the page has one) is on the first screen;
- no token (time, ``file:line``, ID, pod or host name) and no one-word header wraps
  inside itself: measured in the DOM as the number of line boxes its text spans;
- ``docs/report-screenshot.png`` is the first screen of a real report. With
  ``UPDATE_SCREENSHOT=1`` the test writes it; otherwise it checks that the committed
  picture is there at the first-screen size (pixels differ with the fonts installed, so
  they are not compared).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ROOT, SCREEN, SHIPPED, new_page

SCREENSHOT = ROOT / "docs" / "report-screenshot.png"
SCREENSHOT_BUNDLE = "selfhosted-broker-oom"

# How many line boxes the text of each element spans: the distinct tops of the rectangles
# of its contents (one per line fragment). Folded <details> are opened first so that the
# tokens inside them are laid out too.
LINES = """
(selector) => {
  for (const d of document.querySelectorAll("details")) d.open = true;
  return Array.from(document.querySelectorAll(selector)).map((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set();
    for (const r of range.getClientRects()) {
      if (r.width > 0 && r.height > 0) tops.add(Math.round(r.top));
    }
    return [el.textContent.trim(), tops.size];
  });
}
"""

# The page's width, and how many .scroll boxes hold a table wider than the page.
WIDTHS = """
() => [
  document.documentElement.scrollWidth,
  Array.from(document.querySelectorAll(".scroll")).filter(
    (s) => s.scrollWidth > s.clientWidth).length,
]
"""

# The "Next steps" box: the box around its heading (a section, aside, nav or div), else the
# heading and what follows it up to the next heading. A box taller than two screens is
# not the box but a wrapper of the page, and is measured the second way too.
NEXT_STEPS = """
() => {
  const heads = Array.from(document.querySelectorAll("h1, h2, h3, h4"));
  const head = heads.find((h) => h.textContent.trim().toLowerCase().startsWith("next steps"));
  if (!head) return null;
  const box = head.parentElement.closest("section, aside, nav, div");
  if (box && box !== document.body && box.getBoundingClientRect().height < 2 * innerHeight) {
    const r = box.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom};
  }
  let bottom = head.getBoundingClientRect().bottom;
  for (let el = head.nextElementSibling; el && !/^H[1-4]$/.test(el.tagName);
       el = el.nextElementSibling) {
    bottom = Math.max(bottom, el.getBoundingClientRect().bottom);
  }
  return {top: head.getBoundingClientRect().top, bottom: bottom};
}
"""


def _first_screen(browser: Any, html: Path) -> Any:
    return new_page(browser, html, javascript=True)


@pytest.mark.parametrize("name", SHIPPED)
def test_first_screen_shows_the_verdict_and_next_steps(
    browser: Any, report: Callable[[str], Path], name: str
) -> None:
    page = _first_screen(browser, report(name))
    try:
        banner = page.locator("header.banner").bounding_box()
        assert banner is not None, "no verdict banner"
        assert banner["y"] >= 0
        assert banner["y"] + banner["height"] <= SCREEN["height"], banner
        steps = page.evaluate(NEXT_STEPS)
        if steps is not None:  # the box under the verdict, when the report has one
            assert steps["bottom"] <= SCREEN["height"], steps
    finally:
        page.context.close()


@pytest.mark.parametrize("name", SHIPPED)
def test_no_token_and_no_one_word_header_wraps(
    browser: Any, report: Callable[[str], Path], name: str
) -> None:
    page = _first_screen(browser, report(name))
    try:
        tokens = page.evaluate(LINES, ".tok, .nowrap")
        headers = [(t, n) for t, n in page.evaluate(LINES, "th") if " " not in t]
        page_width, scrolled = page.evaluate(WIDTHS)
    finally:
        page.context.close()
    assert tokens, "the report marks no token"
    assert [t for t, n in tokens if n > 1] == []
    assert [t for t, n in headers if n > 1] == []
    # tokens kept whole must not cost the page its width: on the shipped bundles no table
    # needs its scroll bar and the page never scrolls sideways
    assert page_width <= SCREEN["width"]
    assert scrolled == 0


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_readme_screenshot_is_a_first_screen_of_a_real_report(
    browser: Any, report: Callable[[str], Path]
) -> None:
    if os.environ.get("UPDATE_SCREENSHOT"):
        page = new_page(browser, report(SCREENSHOT_BUNDLE))
        try:
            page.screenshot(path=str(SCREENSHOT), full_page=False)
        finally:
            page.context.close()
    assert SCREENSHOT.exists(), "run with UPDATE_SCREENSHOT=1 to write it"
    assert _png_size(SCREENSHOT) == (SCREEN["width"], SCREEN["height"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"]({SCREENSHOT.relative_to(ROOT).as_posix()})" in readme


def test_a_hostile_long_token_scrolls_in_its_box_not_the_page(browser: Any, tmp_path: Path) -> None:
    from analyzer.document import from_builtins
    from reports import render_html
    from tests.reports import samples
    from tests.reports.test_page_layout import _story

    doc = samples.selfhosted()
    story = _story(2, 3)
    story["name"] = "vm-" + "x" * 400
    for event in story["events"]:
        event["file"] = "kubernetes/logs/" + "deep-" * 80 + "nova-osapi.log"
    doc["vm_stories"] = [story]
    html = tmp_path / "report.html"
    html.write_text(render_html(from_builtins(doc)), encoding="utf-8")
    page = new_page(browser, html, javascript=True)
    try:
        tokens = page.evaluate(LINES, ".tok")
        page_width, scrolled = page.evaluate(WIDTHS)
    finally:
        page.context.close()
    assert [t for t, n in tokens if n > 1] == []  # still whole
    assert page_width <= SCREEN["width"]
    assert scrolled >= 2  # the stories table and the VM's lines scroll inside their boxes


@pytest.mark.parametrize(
    ("spacer_px", "wrapped", "fits"),
    [(0, True, True), (900, True, False), (0, False, True), (900, False, False)],
)
def test_the_next_steps_check_measures_the_box(
    browser: Any, tmp_path: Path, spacer_px: int, wrapped: bool, fits: bool
) -> None:
    """The check above is not vacuous: it finds the box (in a section or bare under its
    heading) and sees it fall below the first screen."""
    steps = "<h2>Next steps</h2><pre>kubectl -n pcd delete pod rabbitmq-0</pre><p>why</p>"
    if wrapped:
        steps = f"<section>{steps}</section>"
    html = tmp_path / "page.html"
    html.write_text(
        f'<!DOCTYPE html><html><body><div style="height:{spacer_px}px"></div>{steps}'
        "<h2>Symptoms</h2></body></html>",
        encoding="utf-8",
    )
    page = new_page(browser, html, javascript=True)
    try:
        box = page.evaluate(NEXT_STEPS)
    finally:
        page.context.close()
    assert box is not None
    assert (box["bottom"] <= SCREEN["height"]) is fits
