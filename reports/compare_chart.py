"""The before/after page's one chart: errors per bin of both bundles on one time axis.

Each side's series is its own analysis's chart data (times already on UTC, each host's
estimated skew corrected), so both windows share one clock; the fix is a vertical line.
Drawn with matplotlib like :mod:`reports.charts` and passed through its sanitiser: only
allowlisted SVG elements and attributes reach the page.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from markupsafe import Markup

from analyzer.compare.document import CompareDocument
from reports.charts import sanitise

COLOURS = ("#8c959f", "#0b5cad")  # BEFORE, AFTER
FIX = "#bc4c00"


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def windows_chart(doc: CompareDocument) -> Markup | None:
    if not doc.windows:
        return None
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.5, 2.6), dpi=72)
    ax = fig.add_subplot()
    for label, colour, w in zip(("BEFORE", "AFTER"), COLOURS, doc.windows, strict=False):
        start = _time(w.start)
        xs = [date2num(start + timedelta(seconds=w.bin_s * i)) for i in range(len(w.errors))]
        ax.step(xs, w.errors, where="post", color=colour, label=f"{label}: errors per bin")
    if doc.timing.fix is not None:
        ax.axvline(float(date2num(_time(doc.timing.fix.at))), color=FIX, lw=1.2, label="fix")
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylabel("errors")
    ax.set_xlabel("UTC")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "pcd-bundle-analyzer"}):
        FigureCanvasSVG(fig)
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    # sanitised: only allowlisted elements and attributes, values escaped
    return Markup(sanitise(buffer.getvalue()))  # noqa: S704
