"""Render the fleet summary (``summary.json``, schema ``pcd-fleet-summary/1``).

Same environment and escaping as the single-bundle reports (:mod:`reports.render`):
autoescaped HTML, Markdown through the ``md`` filters. Region names, bundle names and
errors are untrusted text from the bundles. The view below puts words on the class and
sub-cause keys (from :mod:`reports.wording`) and fills every key the templates read.
"""

from __future__ import annotations

from typing import Any

from reports.render import environment
from reports.wording import CLASS_NAMES, humanise, lookup

FAILED_NAME = "Failed to analyse"
UNKNOWN = "unknown"


def _class_name(key: str) -> str:
    return FAILED_NAME if key == "failed" else lookup(CLASS_NAMES, key)


def fleet_view(summary: dict[str, Any]) -> dict[str, Any]:
    classes = list(summary.get("classes") or [])

    def group(g: dict[str, Any]) -> dict[str, Any]:
        counts = g.get("counts") or {}
        return {
            "name": UNKNOWN if g.get("name") is None else str(g["name"]),
            "bundles": g.get("bundles", 0),
            "counts": [counts.get(c, 0) for c in classes],
        }

    seconds = summary.get("seconds")
    return {
        "bundles": summary.get("bundles", 0),
        "analysed": summary.get("analysed", 0),
        "failed": summary.get("failed", 0),
        "seconds": f"{seconds:.1f}" if isinstance(seconds, int | float) else None,
        "version": (summary.get("generator") or {}).get("version", ""),
        "class_names": [_class_name(c) for c in classes],
        "verdicts": [
            {"name": _class_name(v["class"]), "key": v["class"], "bundles": v["bundles"]}
            for v in summary.get("verdicts") or []
        ],
        "subcauses": [
            {"name": humanise(s["subcause"]), "key": s["subcause"], "bundles": s["bundles"]}
            for s in summary.get("subcauses") or []
        ],
        "regions": [group(g) for g in summary.get("regions") or []],
        "weeks": [group(g) for g in summary.get("weeks") or []],
        "failures": [
            {
                "bundle": str(f.get("bundle") or ""),
                "source": str(f.get("source") or ""),
                "error": str(f.get("error") or ""),
            }
            for f in summary.get("failures") or []
        ],
    }


def render_fleet_markdown(summary: dict[str, Any]) -> str:
    """``summary.md``: the fleet summary as GitHub-flavoured Markdown."""
    return environment().get_template("fleet.md.j2").render(f=fleet_view(summary))


def render_fleet_html(summary: dict[str, Any]) -> str:
    """``summary.html``: one self-contained page, inline CSS, no JavaScript."""
    return environment().get_template("fleet.html.j2").render(f=fleet_view(summary))
