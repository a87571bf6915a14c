"""The page a person reads, short of a browser: one time precision, the per-VM lines
folded (HTML) or in one block (Markdown), charts cropped to the incident.

The browser side (what fits on the first screen, what wraps) is in tests/browser.
"""

from __future__ import annotations

import re
from typing import Any

from analyzer.document import Charts, from_builtins
from analyzer.document.recovery import TimeRange
from analyzer.document.timeline import Lane, Marker
from reports import render_html, render_markdown
from reports.chart_window import MARGIN, cropped, incident_bins
from reports.charts import timeline_chart
from reports.text import shown
from reports.times import at_second
from tests.reports import samples

# --- one precision ----------------------------------------------------------------------


def test_a_time_is_shown_to_the_second_whatever_its_source_gave() -> None:
    assert at_second("2026-03-02T09:06:12.069640Z") == "2026-03-02T09:06:12Z"
    assert at_second("2026-03-02T09:06:12.5Z") == "2026-03-02T09:06:12Z"
    assert at_second("2026-03-02T09:06:12Z") == "2026-03-02T09:06:12Z"


def test_text_that_only_looks_like_a_time_is_left_alone() -> None:
    for words in (
        "2026-03-02T09:06:12.069640",  # no zone: not a time the document writes
        "at 2026-03-02T09:06:12.069640Z",
        "2026-03-02",
        "rabbitmq-0",
    ):
        assert at_second(words) == words
    assert shown("2026-03-02T09:22:27.585480Z") == "2026-03-02T09:22:27Z"  # a finding's fact


_ANY_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def _story(n: int, lines: int) -> dict[str, Any]:
    vm = f"0b7c6d1e-0000-4000-8000-00000000000{n}"
    events = [
        {
            "timestamp": f"2026-03-02T09:0{n}:0{i}.12345{i}Z",
            "lane": "nova-api-osapi-2e855fe3d-bxjnh",
            "family": None,
            "severity": "INFO",
            "file": "kubernetes/logs/nova-api-osapi-2e855fe3d-bxjnh/nova-osapi.log",
            "line": 140 + i,
            "text": f'10.244.0.1 "POST /v2.1/servers" status: 202 len: 421 request {i}',
        }
        for i in range(lines)
    ]
    return {
        "id": vm,
        "name": f"ci-runner-10{n}",
        "status": "BUILD",
        "outcome": "stuck",
        "stage": "api",
        "created_at": f"2026-03-02T09:0{n}:00Z",
        "accepted_at": None,
        "scheduled": False,
        "scheduled_at": None,
        "host": None,
        "request_ids": [],
        "last_event": events[-1] if events else None,
        "events": events,
    }


def _with_stories() -> dict[str, Any]:
    doc = samples.selfhosted()
    doc["vm_stories"] = [_story(1, 1), _story(2, 3), _story(3, 3), _story(4, 0)]
    return doc


def test_no_column_of_the_reports_mixes_precisions() -> None:
    doc = from_builtins(_with_stories())
    for out in (render_markdown(doc), render_html(doc)):
        shown_times = [m.group(0) for m in _ANY_TIME.finditer(out)]
        assert shown_times, "the sample shows times"
        assert [t for t in shown_times if "." in t] == []


# --- the lines of each VM -----------------------------------------------------------------


def test_html_folds_each_vms_lines_and_opens_the_fullest() -> None:
    out = render_html(from_builtins(_with_stories()))
    folded = re.findall(r"<details class=\"story\"( open)?>\s*<summary>(.*?)</summary>", out)
    # the VM with no line gets no box; the first of the two with three lines is open
    assert [bool(is_open) for is_open, _ in folded] == [False, True, False]
    summary = re.sub(r"<[^>]+>", "", folded[1][1])
    assert summary == (
        "ci-runner-102 0b7c6d1e-0000-4000-8000-000000000002 (stuck in BUILD, 3 lines)"
    )
    assert "(stuck in BUILD, 1 line)" in re.sub(r"<[^>]+>", "", folded[0][1])
    assert "The lines of ci-runner" not in out  # no heading per VM any more


def test_markdown_lists_every_vms_lines_in_one_block() -> None:
    out = render_markdown(from_builtins(_with_stories()))
    block = out.split("**The lines of each VM:**", 1)[1].split("```", 2)[1]
    heads = [ln for ln in block.splitlines() if ln and not ln.startswith("  ")]
    assert heads == [
        "ci-runner-101 (0b7c6d1e-0000-4000-8000-000000000001): stuck in BUILD, 1 line",
        "ci-runner-102 (0b7c6d1e-0000-4000-8000-000000000002): stuck in BUILD, 3 lines",
        "ci-runner-103 (0b7c6d1e-0000-4000-8000-000000000003): stuck in BUILD, 3 lines",
    ]
    assert (
        "  kubernetes/logs/nova-api-osapi-2e855fe3d-bxjnh/nova-osapi.log:141  "
        "2026-03-02T09:02:01Z  " in block
    )


def test_no_story_lines_no_block() -> None:
    doc = samples.selfhosted()
    doc["vm_stories"] = [_story(4, 0)]
    assert "The lines of each VM" not in render_markdown(from_builtins(doc))
    assert "<details" not in render_html(from_builtins(doc))


# --- charts cropped to the incident -------------------------------------------------------


def _charts(*, incident: bool = True, creates_at: tuple[int, ...] = (35, 36)) -> Charts:
    """An hour of one-minute bins from 08:00, the incident 08:40-08:45."""
    creates = [0] * 60
    for i in creates_at:
        creates[i] = 2
    return Charts(
        start="2026-03-02T08:00:00Z",
        bin_s=60.0,
        bins=60,
        creates=creates,
        errors=[3 if 40 <= i < 45 else 0 for i in range(60)],
        markers=[
            Marker(at="2026-03-02T08:41:30.250000Z", kind="broker_killed"),
            Marker(at="2026-03-02T08:43:00Z", kind="broker_restart"),
        ],
        incident=TimeRange(start="2026-03-02T08:40:00.5Z", end="2026-03-02T08:45:00Z")
        if incident
        else None,
        lanes=[Lane(lane="hv-01", clock=None, errors=[1] * 60, warnings=[0] * 60, events=[2] * 60)],
    )


LOOKBACK_S = 600.0  # the burst analysis' look-back before the onset


def test_the_crop_runs_from_the_burst_before_the_onset_to_the_end_with_a_margin() -> None:
    margin = int(MARGIN.total_seconds() // 60)
    # the creates at 08:35 are within the look-back: the picture starts before them
    assert incident_bins(_charts(), LOOKBACK_S) == (35 - margin, 45 + margin)
    crop = cropped(_charts(), LOOKBACK_S)
    assert crop.start == f"2026-03-02T08:{35 - margin:02d}:00Z"
    assert crop.bins == 10 + 2 * margin == len(crop.creates) == len(crop.errors)
    assert crop.creates[margin : margin + 2] == [2, 2]
    assert all(
        len(ln.errors) == len(ln.warnings) == len(ln.events) == crop.bins for ln in crop.lanes
    )
    assert [m.kind for m in crop.markers] == ["broker_killed", "broker_restart"]


def test_creates_before_the_look_back_do_not_widen_the_crop() -> None:
    lo, _hi = incident_bins(_charts(creates_at=(5, 20)), LOOKBACK_S) or (0, 0)
    assert lo == 40 - int(MARGIN.total_seconds() // 60)


def test_without_an_incident_the_whole_window_stays() -> None:
    charts = _charts(incident=False)
    assert incident_bins(charts, LOOKBACK_S) is None
    assert cropped(charts, LOOKBACK_S) is charts


def test_an_incident_filling_the_window_is_not_cropped() -> None:
    charts = _charts()
    wide = Charts(
        start="2026-03-02T08:39:00Z",
        bin_s=60.0,
        bins=8,
        creates=charts.creates[39:47],
        errors=charts.errors[39:47],
        markers=charts.markers,
        incident=charts.incident,
        lanes=[],
    )
    assert cropped(wide, LOOKBACK_S) is wide


def test_the_drawn_chart_starts_at_the_crop() -> None:
    svg = str(timeline_chart(cropped(_charts(), LOOKBACK_S)))
    labels = re.findall(r">(\d\d:\d\d)<", svg)
    assert labels
    assert labels[0] >= "08:30"
    assert "08:00" not in labels
    full = re.findall(r">(\d\d:\d\d)<", str(timeline_chart(_charts())))
    assert full[0] == "08:00"  # the near miss: uncropped, the quiet half-hour is drawn
