"""The fleet summary: verdict counts, top sub-causes, per region and per ISO week.

Data only (the words are in ``reports/fleet.py`` and its templates), computed from the
``verdicts`` rows the run kept in memory; the same numbers come out of the dataset with
the DuckDB queries in README.md. A failed bundle counts under the class ``failed``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from analyzer import __version__

SCHEMA = "pcd-fleet-summary/1"
FAILED = "failed"
# The order classes are listed in: the runbook's three failures, then the rest.
CLASS_ORDER = (
    "messaging_layer_failure",
    "resource_exhaustion",
    "host_failure",
    "inconclusive",
    "no_failure_found",
    FAILED,
)
TOP_SUBCAUSES = 10


def row_class(row: dict[str, Any]) -> str:
    return FAILED if row.get("status") == FAILED else str(row.get("verdict") or "inconclusive")


def _classes(rows: Sequence[dict[str, Any]]) -> list[str]:
    seen = {row_class(r) for r in rows}
    return [c for c in CLASS_ORDER if c in seen] + sorted(seen - set(CLASS_ORDER))


def _groups(rows: Sequence[dict[str, Any]], field: str, classes: list[str]) -> list[dict[str, Any]]:
    by: dict[str | None, Counter[str]] = {}
    for r in rows:
        by.setdefault(r.get(field), Counter())[row_class(r)] += 1
    ordered = sorted(by, key=lambda k: (k is None, k or ""))  # unknown last
    return [
        {"name": k, "bundles": sum(by[k].values()), "counts": {c: by[k][c] for c in classes}}
        for k in ordered
    ]


def fleet_summary(rows: Sequence[dict[str, Any]], seconds: float | None = None) -> dict[str, Any]:
    """``rows``: one verdicts row per bundle, each with its partition key as ``bundle``."""
    classes = _classes(rows)
    verdicts = Counter(row_class(r) for r in rows)
    subcauses = Counter(s for r in rows for s in set(r.get("subcauses") or []))
    return {
        "schema": SCHEMA,
        "generator": {"name": "analyze fleet", "version": __version__},
        "bundles": len(rows),
        "analysed": len(rows) - verdicts[FAILED],
        "failed": verdicts[FAILED],
        "seconds": seconds,
        "classes": classes,
        "verdicts": [{"class": c, "bundles": verdicts[c]} for c in classes],
        "subcauses": [
            {"subcause": s, "bundles": n}
            for s, n in sorted(subcauses.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_SUBCAUSES]
        ],
        "regions": _groups(rows, "region", classes),
        "weeks": _groups(rows, "collected_week", classes),
        "failures": [
            {"bundle": r.get("bundle"), "source": r.get("source"), "error": r.get("error")}
            for r in sorted(rows, key=lambda r: str(r.get("bundle")))
            if row_class(r) == FAILED
        ],
    }
