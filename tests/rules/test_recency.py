"""What counts as recent depends on how the collection time is known: a local clock's
reading (zone-less times, no offset) decides nothing is old."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from analyzer.frames import Frames
from analyzer.model import CollectedAtBasis, Inventory
from analyzer.rules.context import RuleContext
from analyzer.runbook import RECENT

COLLECTED = datetime(2019, 8, 19, 15, 54, 35, tzinfo=UTC)
# three hours before the collection time: older than RECENT
FAULT = pd.Timestamp("2019-08-19T12:54:37Z")


def context(basis: CollectedAtBasis) -> RuleContext:
    return RuleContext(Frames(), Inventory(collected_at=COLLECTED, collected_at_basis=basis))


def rows() -> pd.DataFrame:
    return pd.DataFrame({"timestamp": pd.Series([FAULT], dtype="datetime64[us, UTC]")})


@pytest.mark.parametrize(
    "basis",
    [CollectedAtBasis.MANIFEST, CollectedAtBasis.ARCHIVE_MTIME, CollectedAtBasis.NEWEST_DATA],
)
def test_a_utc_collection_time_makes_a_three_hour_old_fault_history(
    basis: CollectedAtBasis,
) -> None:
    ctx = context(basis)
    assert ctx.recent_since == pd.Timestamp(COLLECTED) - pd.Timedelta(RECENT)
    assert ctx.only_recent(rows()).empty


def test_a_local_reading_of_the_collection_time_judges_nothing_old() -> None:
    ctx = context(CollectedAtBasis.NEWEST_LOCAL_TIME)
    assert ctx.recent_since is None
    assert len(ctx.only_recent(rows())) == 1


def test_every_basis_is_worded_and_documented() -> None:
    from pathlib import Path

    from reports.wording import COLLECTED_BASIS

    docs = Path(__file__).resolve().parents[2] / "docs"
    json_doc = (docs / "analysis-json.md").read_text()
    format_doc = (docs / "bundle-format.md").read_text()
    for basis in CollectedAtBasis:
        assert basis.value in COLLECTED_BASIS, basis
        assert f"`{basis.value}`" in json_doc, basis
        assert f"`{basis.value}`" in format_doc, basis
