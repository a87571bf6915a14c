"""The incident timeline in the reports: post-incident summary, key events, stories,
burst, clock skew, and the inline SVG charts (allowlisted, escaped, deterministic)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from analyzer.analysis import analyse
from analyzer.document import Charts, Lane, from_builtins, to_builtins
from reports import render_markdown as render_document_markdown
from reports import timeline_wording as tw
from reports.charts import sanitise, swimlane_chart, timeline_chart
from tests.reports import samples
from tests.reports.test_render import (
    ALLOWED_TAGS,
    fenced_blocks,
    gfm_cells,
    md_tables,
    parse_html,
    poison,
    render_html,
    render_markdown,
    without_code,
)

ROOT = Path(__file__).resolve().parents[2]
SVG_TAGS = {"svg", "g", "path", "rect", "line", "polyline", "polygon", "text", "defs", "use"}


@pytest.fixture(scope="module")
def oom_doc() -> dict[str, Any]:
    doc, _frames, _inv = analyse([ROOT / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz"])
    return to_builtins(doc)


def test_markdown_has_the_post_incident_summary(oom_doc: dict[str, Any]) -> None:
    md = render_markdown(oom_doc)
    section = md.split("## Incident timeline")[1].split("## Recovery")[0]
    assert "| Start (onset) | 2026-03-02T09:06:12Z |" in section
    assert "| End | not recovered at collection (2026-03-02T09:31:00Z) |" in section
    assert "| Duration | 24 min |" in section
    assert "| VMs affected | 12 (12 stuck in BUILD, 0 failed" in section
    assert "| Root cause | Messaging layer failure: " in section
    assert "### Key events" in section
    assert "Burst of creates begins" in section
    assert "| ci-runner-109 (" in section  # each stuck VM's story
    assert section.count("| stuck in BUILD |") == 12
    assert "Batches of at most 8 VMs" in section
    for table in md_tables(md):
        assert len({gfm_cells(row) for row in table}) == 1, table


def test_history_incident_says_it_is_not_current() -> None:
    doc, _f, _i = analyse([ROOT / "fixtures" / "bundles" / "old-incident.tgz"])
    md = render_document_markdown(doc)
    assert "history: it ended long before collection and is not the current failure" in md
    assert "(from the logs; the verdict above is about now)" in md
    assert "server deleted" in md  # the operator's clean-up is an action seen in the bundle


def test_html_charts_are_inline_allowlisted_svg(oom_doc: dict[str, Any]) -> None:
    html = render_html(oom_doc)
    assert html.count("<svg") == 2
    assert "<script" not in html.lower()
    assert "url(" not in html
    assert "http://" not in html
    assert "https://" not in html
    assert "xmlns" not in html
    parsed = parse_html(html)
    assert set(parsed.tags) <= ALLOWED_TAGS | SVG_TAGS
    assert parsed.tags.count("style") == 1
    assert not [k for k, _ in parsed.attrs if k.startswith("on") or k == "style"]
    hrefs = [v for k, v in parsed.attrs if k in ("href", "xlink:href")]
    assert all(h and h.startswith("#") for h in hrefs)
    assert render_html(oom_doc) == html  # deterministic


def test_chart_lane_names_are_escaped(oom_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(oom_doc)
    doc["charts"]["lanes"][0]["lane"] = "</svg><script>alert(1)</script>&amp;"
    charts = from_builtins(doc).charts
    assert charts is not None
    svg = str(swimlane_chart(charts))
    assert "<script" not in svg
    assert "&lt;/svg&gt;&lt;script&gt;" in svg
    assert "&amp;amp;" in svg


def test_sanitise_drops_everything_not_drawing() -> None:
    hostile = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="10" height="10" onload="x()">'
        "<style>*{}</style><script>alert(1)</script>"
        "<foreignObject><p>hi</p></foreignObject>"
        '<path d="M 0 0" style="fill: red; background: url(http://x/y); stroke: #000"/>'
        '<use xlink:href="http://evil/#a"/><use xlink:href="#m1"/>'
        '<text x="1" onclick="y()">a&lt;b</text></svg>'
    )
    out = sanitise(hostile)
    assert "script" not in out
    assert "foreignObject" not in out
    assert "style" not in out
    assert "onload" not in out
    assert "onclick" not in out
    assert "http" not in out
    assert "url(" not in out
    assert 'fill="red"' in out
    assert 'stroke="#000"' in out
    assert '<use href="#m1"' in out
    assert out.count("<use") == 2
    assert "a&lt;b" in out


@pytest.mark.parametrize(
    ("start", "bins", "bin_s"),
    [("x", 3, 60.0), ("2026-03-02T09:00:00Z", -1, 60.0), ("2026-03-02T09:00:00Z", 0, 60.0)],
)
def test_unusable_chart_data_draws_nothing(start: str, bins: int, bin_s: float) -> None:
    lane = Lane(lane="hv-01", clock=None, errors=[1], warnings=[0], events=[2])
    bad = Charts(
        start=start,
        bin_s=bin_s,
        bins=bins,
        creates=[1],
        errors=[0],
        markers=[],
        incident=None,
        lanes=[lane],
    )
    assert timeline_chart(bad) is None
    assert swimlane_chart(bad) is None


def test_no_incident_in_the_logs_is_said() -> None:
    doc = samples.selfhosted()  # its timeline sections are empty
    assert tw.NO_INCIDENT in render_markdown(doc)
    html = render_html(doc)
    assert "<svg" not in html


def test_poisoned_timeline_stays_inert(oom_doc: dict[str, Any]) -> None:
    keys = ("incident", "clock_offsets", "vm_stories", "burst", "key_events")
    doc = copy.deepcopy(oom_doc)
    for key in keys:
        doc[key] = poison(doc[key])
    html = render_html(doc)
    assert "<script" not in html.lower()
    assert set(parse_html(html).tags) <= ALLOWED_TAGS | SVG_TAGS
    md = render_markdown(doc)
    for table in md_tables(md):
        assert len({gfm_cells(row) for row in table}) == 1, table
    # the lines of each VM are verbatim in a fence (shown as code, never as HTML) that
    # no backtick run in them can close
    assert not re.search(r"(?<!\\)<script", without_code(md))
    for fence, content in fenced_blocks(md):
        assert len(fence) > max((len(r) for r in re.findall(r"`+", content)), default=0)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("incident", {"status": 3, "onset": None, "actions": "x", "vms_affected": "many"}),
        ("clock_offsets", [None, {"offset_s": "far"}]),
        ("vm_stories", [{"events": "x", "last_event": []}]),
        ("burst", {"preceded_failure": True, "runbook_batch": "x"}),
        ("key_events", [{"at": None}]),
        ("charts", {"start": "2026-03-02T09:00:00Z", "bins": 3, "lanes": [None, {"x": 1}]}),
    ],
)
def test_wrong_types_in_timeline_sections_are_refused(
    oom_doc: dict[str, Any], key: str, value: Any
) -> None:
    doc = copy.deepcopy(oom_doc)
    doc[key] = value
    with pytest.raises(msgspec.ValidationError, match=re.escape(f"$.{key}")):
        from_builtins(doc)
