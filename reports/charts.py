"""The HTML report's pictures: a timeline chart and a per-source swimlane, as inline SVG.

Drawn by matplotlib's SVG backend from the ``charts`` section of ``analysis.json`` (counts
per bin, markers, lanes), so the report stays one offline file with no script. The SVG is
then rebuilt through an allowlist (:func:`sanitise`): only drawing elements and
presentation attributes survive; ``style`` attributes become presentation attributes (the
report has exactly one ``<style>`` element and no ``style`` attribute), clip paths go (no
``url(...)`` anywhere), ``xlink:href`` becomes a same-document ``href``. Text in the
pictures is either constant wording or a lane name (a host or pod from the bundle); the
XML serialiser escapes it like any other value. Everything is deterministic (fixed hash
salt, no date), so the same document gives the same picture.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from analyzer.document import Charts
from reports import timeline_wording as tw
from reports.times import parse_utc

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ALLOWED_TAGS = frozenset({"svg", "g", "path", "rect", "line", "polyline", "polygon", "text"})
ALLOWED_TAGS_WITH_REFS = ALLOWED_TAGS | {"defs", "use"}
PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-miterlimit",
        "opacity",
        "font-size",
        "font-family",
        "font-style",
        "font-weight",
        "text-anchor",
    }
)
GEOMETRY = frozenset(
    {"d", "x", "y", "x1", "y1", "x2", "y2", "width", "height", "points", "transform", "id"}
)
ROOT_ATTRS = frozenset({"width", "height", "viewBox", "version"})
_SAFE_VALUE = re.compile(r"^[^<>&\"]*$")  # no markup-looking value in an attribute
_LOCAL_REF = re.compile(r"^#[A-Za-z_][\w.-]*$")

TICK_STEPS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)
COLOURS = {
    "creates": "#0b5cad",
    "errors": "#b42318",
    "window": "#f2b8b5",
    "broker_restart": "#1a7f37",
    "alarm": "#bf8700",
    "alarm_cleared": "#57606a",
    "broker_killed": "#b42318",
    "broker_down": "#6b3fa0",
    "error": "#b42318",
    "warning": "#bf8700",
    "event": "#9aa5b1",
}


# --- sanitising ------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sanitise(svg: str) -> str:
    """An SVG document as an inline ``<svg>`` element with only allowlisted content."""
    root = ET.fromstring(svg)  # noqa: S314 - our own matplotlib output, not bundle data
    clean = _clean(root, ALLOWED_TAGS_WITH_REFS, is_root=True)
    if clean is None:
        return ""
    clean.set("role", "img")
    text = ET.tostring(clean, encoding="unicode", short_empty_elements=True)
    return re.sub(r"\s+xmlns(:\w+)?=\"[^\"]*\"", "", text)


def _clean(
    node: ET.Element, allowed: frozenset[str], *, is_root: bool = False
) -> ET.Element | None:
    tag = _local(node.tag)
    if tag not in allowed:
        return None
    out = ET.Element(tag)
    style = node.get("style", "")
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in PRESENTATION and value and _SAFE_VALUE.match(value):
            out.set(name, value)
    for key, value in node.attrib.items():
        name = _local(key)
        if name == "href" and _LOCAL_REF.match(value):
            out.set("href", value)
        elif (
            (name in PRESENTATION or name in GEOMETRY or (is_root and name in ROOT_ATTRS))
            and _SAFE_VALUE.match(value)
            and "url(" not in value
        ):
            out.set(name, value)
    out.text = node.text if tag == "text" else None
    for child in node:
        kept = _clean(child, allowed)
        if kept is not None:
            out.append(kept)
    out.tail = None
    return out


# --- drawing ---------------------------------------------------------------------------


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _counts(items: list[int], n: int) -> list[float]:
    out = [max(0.0, _num(v) or 0.0) for v in items[:n]]
    return out + [0.0] * (n - len(out))


class _Axis:
    """Bins of the chart window: times to bin positions and tick labels."""

    def __init__(self, charts: Charts) -> None:
        start = parse_utc(charts.start)
        bin_s = _num(charts.bin_s) or 60.0
        bins = charts.bins
        if start is None or bins <= 0 or bins > 2000 or bin_s <= 0:
            raise ValueError("no usable chart window")
        self.start, self.bin_s, self.bins = start, bin_s, bins

    def pos(self, value: str | None) -> float | None:
        ts = parse_utc(value)
        if ts is None:
            return None
        x = (ts - self.start).total_seconds() / self.bin_s
        return min(max(x, 0.0), float(self.bins))

    def ticks(self) -> tuple[list[float], list[str]]:
        """Ticks on round clock times (every 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h)."""
        span_min = self.bins * self.bin_s / 60
        step = next((m for m in TICK_STEPS_MIN if span_min / m <= 9), TICK_STEPS_MIN[-1])
        epoch_min = self.start.timestamp() / 60
        first = math.ceil(epoch_min / step) * step
        xs, labels = [], []
        t = first
        while (t - epoch_min) * 60 <= self.bins * self.bin_s:
            xs.append((t - epoch_min) * 60 / self.bin_s)
            labels.append(datetime.fromtimestamp(t * 60, tz=UTC).strftime("%H:%M"))
            t += step
        return xs, labels


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=72)


def svg_markup(fig: Any) -> Markup:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "pcd-bundle-analyzer"}):
        FigureCanvasSVG(fig)
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    # sanitised above: only allowlisted elements and attributes, values escaped by ET
    return Markup(sanitise(buffer.getvalue()))  # noqa: S704


def _shade(ax: Any, axis: _Axis, charts: Charts) -> None:
    window = charts.incident
    if window is None:
        return
    a, b = axis.pos(window.start), axis.pos(window.end)
    if a is not None and b is not None and b >= a:
        ax.axvspan(a, max(b, a + 0.3), color=COLOURS["window"], alpha=0.35, lw=0, zorder=0)


def timeline_chart(charts: Charts) -> Markup | None:
    """Creates and errors per bin, broker restarts and alarms as markers, incident shaded."""
    try:
        axis = _Axis(charts)
    except ValueError:
        return None
    creates = _counts(charts.creates, axis.bins)
    errors = _counts(charts.errors, axis.bins)
    fig = _figure(10, 3.2)
    ax = fig.add_axes((0.07, 0.2, 0.86, 0.68))
    _shade(ax, axis, charts)
    xs = [i + 0.5 for i in range(axis.bins)]
    from matplotlib.collections import PolyCollection

    # one collection, not one artist per bin (a bar chart of 240 bins drew slowly)
    bars = [_box(x - 0.4, x + 0.4, 0.0, c) for x, c in zip(xs, creates, strict=True) if c > 0]
    ax.add_collection(
        PolyCollection(
            bars, facecolors=COLOURS["creates"], linewidths=0, label=tw.CHART_CREATES, zorder=2
        )
    )
    ax.set_ylabel(tw.CHART_CREATES_AXIS)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, axis.bins)
    ax.set_ylim(0, max(2.0, max(creates) * 1.25))
    right = ax.twinx()
    right.step(xs, errors, where="mid", color=COLOURS["errors"], lw=1.4, label=tw.CHART_ERRORS)
    right.set_ylim(0, max(2.0, max(errors) * 1.15))
    right.set_ylabel(tw.CHART_ERRORS_AXIS)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    seen: set[str] = set()
    for marker in charts.markers:
        kind = marker.kind
        x = axis.pos(marker.at)
        if x is None or kind not in tw.CHART_MARKERS:
            continue
        label = tw.CHART_MARKERS[kind] if kind not in seen else None
        seen.add(kind)
        ax.axvline(x, color=COLOURS.get(kind, "#57606a"), lw=1.2, ls="--", label=label, zorder=3)
    ticks, labels = axis.ticks()
    ax.set_xticks(ticks, labels)
    ax.set_xlabel(tw.CHART_TIME_AXIS)
    handles, names = ax.get_legend_handles_labels()
    if tw.CHART_CREATES in names:  # after the markers, where a bar chart's legend puts it
        i = names.index(tw.CHART_CREATES)
        handles.append(handles.pop(i))
        names.append(names.pop(i))
    more, more_names = right.get_legend_handles_labels()
    if charts.incident:
        from matplotlib.patches import Patch

        handles.append(Patch(color=COLOURS["window"], alpha=0.45))
        names.append(tw.CHART_WINDOW)
    fig.legend(
        handles + more,
        names + more_names,
        loc="upper center",
        ncol=min(6, len(names) + len(more_names)),
        frameon=False,
        fontsize=8,
    )
    return svg_markup(fig)


def _box(x0: float, x1: float, y0: float, y1: float) -> list[tuple[float, float]]:
    """A rectangle's corners, for a PolyCollection of bars."""
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _runs(counts: Sequence[float]) -> list[tuple[float, float, int]]:
    """(start, width, level) of runs of equal intensity (0 none, 1 few, 2 some, 3 many)."""
    out: list[tuple[float, float, int]] = []
    for i, c in enumerate(counts):
        level = 0 if c <= 0 else 1 if c < 3 else 2 if c < 10 else 3
        if out and out[-1][2] == level and out[-1][0] + out[-1][1] == i:
            start, width, _ = out[-1]
            out[-1] = (start, width + 1, level)
        else:
            out.append((float(i), 1.0, level))
    return [r for r in out if r[2] > 0]


def swimlane_chart(charts: Charts) -> Markup | None:
    """One row per source (host, pod, API): when it logged errors, warnings, other lines."""
    try:
        axis = _Axis(charts)
    except ValueError:
        return None
    lanes = charts.lanes[:24]
    if not lanes:
        return None
    height = 0.75 + 0.32 * len(lanes) + 0.4  # inches: axis labels, lanes, legend
    fig = _figure(10, height)
    ax = fig.add_axes((0.25, 0.75 / height, 0.72, 0.32 * len(lanes) / height))
    _shade(ax, axis, charts)
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba

    alpha = {1: 0.35, 2: 0.65, 3: 1.0}
    # every bar in one collection: one artist per bar made drawing most of a report's time
    bars: list[list[tuple[float, float]]] = []
    colours: list[tuple[float, float, float, float]] = []
    for row, lane in enumerate(reversed(lanes)):
        for counts, colour_key, height in (
            (lane.events, "event", 0.5),
            (lane.warnings, "warning", 0.62),
            (lane.errors, "error", 0.74),
        ):
            low, high = row - height / 2, row + height / 2
            for start, width, level in _runs(_counts(counts, axis.bins)):
                bars.append(_box(start, start + width, low, high))
                colours.append(to_rgba(COLOURS[colour_key], alpha[level]))
    if bars:
        ax.add_collection(PolyCollection(bars, facecolors=colours, linewidths=0))
    ax.set_yticks(range(len(lanes)), [ln.lane[:40] for ln in reversed(lanes)])
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.set_xlim(0, axis.bins)
    ticks, labels = axis.ticks()
    ax.set_xticks(ticks, labels)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel(tw.CHART_TIME_AXIS)
    from matplotlib.patches import Patch

    legend = [(COLOURS[k], text) for k, text in tw.CHART_LANE_KEYS]
    if charts.incident:
        legend.append((COLOURS["window"], tw.CHART_WINDOW))
    fig.legend(
        [Patch(color=c) for c, _ in legend],
        [t for _, t in legend],
        loc="upper center",
        ncol=len(legend),
        frameon=False,
        fontsize=8,
    )
    return svg_markup(fig)
