"""The registry of searched patterns: what folding keeps depends on it being complete."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from analyzer.analysis import searched_patterns
from analyzer.frames import Frames
from analyzer.model import Inventory
from analyzer.patterns import is_registered, union
from analyzer.rules.context import RuleContext
from analyzer.timeline.families import FAMILIES


def test_every_family_and_rule_pattern_is_registered() -> None:
    patterns = searched_patterns()
    assert all(is_registered(f.pattern) for f in FAMILIES)
    assert r"has not been heard from in a while" in patterns
    assert len(patterns) >= 30


def test_an_unregistered_search_is_refused() -> None:
    ctx = RuleContext(Frames(), Inventory())
    with pytest.raises(ValueError, match="not registered"):
        ctx.logs(r"some new text a rule looks for")


def test_the_union_is_one_re2_pattern_matching_each_part() -> None:
    wanted = union(searched_patterns())
    lines = pa.array(
        [
            b"Reconnected to AMQP server on broker:5672",
            b"the RABBIT node",  # a case-insensitive part
            b"Running periodic task ComputeManager._poll_volume_usage",
        ],
        pa.large_binary(),
    )
    assert pc.match_substring_regex(lines, wanted).to_pylist() == [True, True, False]


def test_an_empty_union_is_refused() -> None:
    with pytest.raises(ValueError, match="every line"):
        union(())
