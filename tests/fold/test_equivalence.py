"""Folding changes what is kept as rows, never what the analysis finds.

Every shipped and lab bundle is analysed twice: as is, and with every log folded however
small (``fold_from=0``; by default only logs of 512 KiB or more are). Most of their records
are routine and get folded, yet the whole ``analysis.json`` (verdict, evidence with its
file:line, stories, incident, charts, clock offsets) must come out the same, apart from
the count of folded records itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analyzer.analysis import analyse
from analyzer.document import to_json

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = sorted((ROOT / "fixtures" / "bundles").glob("*.tgz")) + sorted(
    (ROOT / "fixtures" / "lab").glob("*.tgz")
)


def _doc(path: Path, **kwargs: Any) -> tuple[dict[str, Any], int]:
    doc, _frames, _inv = analyse([path], **kwargs)
    plain: dict[str, Any] = json.loads(to_json(doc))
    folded = plain["counts"].pop("log_records_folded")
    return plain, folded


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_folding_every_log_changes_no_conclusion(path: Path) -> None:
    whole, none_folded = _doc(path, fold=False)
    folded, count = _doc(path, fold_from=0)
    assert none_folded == 0
    if path.stem.startswith("pasted-"):
        # 3.6 reports, pasted sessions, journal lines without a time of their own and logs
        # a terminal wrapped are read whole, never folded (analyzer.jobs.fold_policy); a
        # journal's or compose's lines that keep their own time are folded like any log
        assert folded == whole
        return
    assert count > 0, "nothing was folded: the comparison would prove nothing"
    if path.parent.name == "bundles":  # generated scenarios carry routine traffic
        assert count > whole["counts"]["log_records"] / 2
    assert folded == whole


def test_default_threshold_leaves_small_bundles_whole() -> None:
    _, count = _doc(ROOT / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz")
    assert count == 0
