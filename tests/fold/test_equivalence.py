"""Folding changes what is kept as rows, never what the analysis finds.

Every shipped and lab bundle is analysed twice: as is, and with every log folded however
small (``fold_from=0``; by default only logs of 512 KiB or more are). Most of their records
are routine and get folded, yet the whole ``analysis.json`` (verdict, evidence with its
file:line, stories, incident, charts, clock offsets) must come out the same, apart from
the count of folded records itself and what only folding writes: the templates of a sample
of the folded records (``routine_messages``), checked against the files they cite.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from analyzer.analysis import analyse
from analyzer.bundle import read_bundle
from analyzer.document import to_json
from analyzer.fold_templates import templates
from analyzer.jobs import identify
from analyzer.parsers import line_prefix

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = sorted((ROOT / "fixtures" / "bundles").glob("*.tgz")) + sorted(
    (ROOT / "fixtures" / "lab").glob("*.tgz")
)


def _doc(path: Path, **kwargs: Any) -> tuple[dict[str, Any], int]:
    doc, _frames, _inv = analyse([path], **kwargs)
    plain: dict[str, Any] = json.loads(to_json(doc))
    folded = plain["counts"].pop("log_records_folded")
    routine = plain.pop("routine_messages")
    if folded:
        _check_routine(path, routine, folded)
    else:
        assert routine is None
    return plain, folded


def _check_routine(path: Path, routine: dict[str, Any], folded: int) -> None:
    """The sample's figures add up, and each template's example is the line its file has
    at the line cited, the template what masking that line gives."""
    assert routine["folded_records"] == folded
    assert 0 <= routine["sampled"] <= folded
    assert len(routine["messages"]) <= routine["templates"]
    files = {src.path: src for src in read_bundle(path).files}
    for m in routine["messages"]:
        assert m["records_estimated"] == m["sampled"] * routine["sample_every"]
        src = files[m["example_file"]]
        line = src.data.splitlines()[m["example_line"] - 1]
        assert line.decode("utf-8", errors="replace").startswith(m["example"])
        spec = identify(src)
        assert spec is not None
        assert spec.fold is not None
        lines = pa.array([line], pa.large_binary())
        # the line as the fold tested it: a journal's or compose's prefix cut
        if not re.match(spec.fold.time, line.decode("utf-8", errors="replace")):
            inner = line_prefix.strip_head(line.decode("utf-8", errors="replace") + "\n")
            assert inner is not None
            lines = pa.array([inner.encode()], pa.large_binary())
        assert templates(lines, spec.fold.lead)[0].as_py().decode() == m["template"]


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
