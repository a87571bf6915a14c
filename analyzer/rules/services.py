"""Shared reading of the compute service list for the service rules."""

from __future__ import annotations

import pandas as pd

from analyzer.cells import show_time
from analyzer.model import Evidence
from analyzer.rules.context import row_evidence

# nova-compute reports its state through nova-conductor over RPC, and the conductor and
# scheduler through the broker too: when the messaging layer fails, every service's
# "updated at" freezes within a report interval (10 s by default) of the others.
SAME_MOMENT = pd.Timedelta(minutes=3)


def nova_services(services: pd.DataFrame) -> pd.DataFrame:
    if services.empty:
        return services
    return services[services["binary"].fillna("").str.startswith("nova-")]


def is_down(services: pd.DataFrame) -> pd.Series:
    return services["state"].fillna("").str.lower() == "down"


def is_compute(services: pd.DataFrame) -> pd.Series:
    return services["binary"].fillna("").str.contains("compute")


def all_down_at_once(services: pd.DataFrame) -> pd.DataFrame | None:
    """Every nova service, controllers included, down with its last update within
    ``SAME_MOMENT`` of the others: the rows, or None."""
    nova = nova_services(services)
    if nova.empty or not is_down(nova).all():
        return None
    if not is_compute(nova).any() or is_compute(nova).all():
        return None  # without both sides, computes alone cannot tell host from control plane
    return nova if stopped_together(nova) else None


def stopped_together(services: pd.DataFrame) -> bool:
    """Their last updates lie within ``SAME_MOMENT`` of each other (or are unknown)."""
    updated = services["updated_at"].dropna()
    return updated.empty or updated.max() - updated.min() <= SAME_MOMENT


def service_evidence(rows: pd.DataFrame, limit: int = 5) -> list[Evidence]:
    return [
        row_evidence(
            r["file"],
            r["line"],
            r["updated_at"],
            f"{r['binary']} on {r['host']}: status {r['status']}, state {r['state']}, "
            f"last update {show_time(r['updated_at'])}",
        )
        for _, r in rows.head(limit).iterrows()
    ]
