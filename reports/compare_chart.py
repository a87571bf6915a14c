"""The before/after page's one chart: errors per bin of both bundles on one time axis.

Each side's series is its own analysis's chart data (times already on UTC, each host's
estimated skew corrected), so both windows share one clock; the fix is a vertical line.
Drawn with matplotlib like :mod:`reports.charts` and passed through its sanitiser: only
allowlisted SVG elements and attributes reach the page.
"""

from __future__ import annotations

from datetime import timedelta

from markupsafe import Markup

from analyzer.compare.document import CompareDocument
from reports.charts import svg_markup
from reports.times import parse_utc

COLOURS = ("#8c959f", "#0b5cad")  # BEFORE, AFTER
FIX = "#bc4c00"


def windows_chart(doc: CompareDocument) -> Markup | None:
    if not doc.windows:
        return None
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.5, 2.6), dpi=72)
    ax = fig.add_subplot()
    for label, colour, w in zip(("BEFORE", "AFTER"), COLOURS, doc.windows, strict=False):
        start = parse_utc(w.start)
        if start is None:
            continue
        xs = [date2num(start + timedelta(seconds=w.bin_s * i)) for i in range(len(w.errors))]
        ax.step(xs, w.errors, where="post", color=colour, label=f"{label}: errors per bin")
    fix = parse_utc(doc.timing.fix.at) if doc.timing.fix is not None else None
    if fix is not None:
        ax.axvline(float(date2num(fix)), color=FIX, lw=1.2, label="fix")
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylabel("errors")
    ax.set_xlabel("UTC")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    return svg_markup(fig)
